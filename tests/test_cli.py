"""`hipflex clean DIR`: Parquet tables under --out, a balanced reconciliation, clean errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main

SMALL = Path(__file__).parent / "data" / "logs" / "small"


def test_clean_writes_parquet_and_reconciles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "processed"
    assert main(["clean", str(SMALL), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    for name in ("log", "rejects", "athletes", "reconciliation"):
        assert (out / f"{name}.parquet").is_file()
    rec = pd.read_parquet(out / "reconciliation.parquet").set_index("source")
    # coach_b.csv: 2 rows, both clean. coach_log.csv: 5 rows; row 4 unknown athlete,
    # row 5 unparseable ("lots"), row 2 the same A's entry as coach_b.csv row 2 (kept
    # there, files read in name order), rows 3 and 6 clean (a repeat in ONE file is kept).
    assert rec.loc["coach_b.csv", ["rows_read", "clean", "rejected", "duplicates"]].tolist() == [
        2,
        2,
        0,
        0,
    ]
    assert rec.loc["coach_log.csv", ["rows_read", "clean", "rejected", "duplicates"]].tolist() == [
        5,
        2,
        2,
        1,
    ]
    assert "reconciled: 7 read = 4 clean + 2 rejected + 1 duplicates" in printed
    log = pd.read_parquet(out / "log.parquet")
    assert len(log) == 4


def test_missing_folder_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["clean", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hipflex: error:")
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_unreadable_file_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "athletes.csv").write_text("athlete_id,name\nA1,Ann Lee\n", encoding="utf-8")
    (data / "log.csv").write_bytes(b"\x00\x01\x02garbage")
    assert main(["clean", str(data), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "log.csv" in err
    assert err.count("\n") == 1
    assert "Traceback" not in err
