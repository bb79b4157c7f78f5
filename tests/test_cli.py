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


def _results_folder(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    (data / "athletes.csv").write_text("athlete_id,name\nA1,Ann Lee\n", encoding="utf-8")
    (data / "results.csv").write_text(
        "athlete,date,event,time\nAnn Lee,2024-03-07,400,52.30h\nAnn Lee,2024-03-14,200,23.4h\n",
        encoding="utf-8",
    )
    return data


@pytest.mark.parametrize(
    ("options", "finals"),
    [
        ([], {400: 52.44, 200: 23.64}),  # 52.30 + 0.14, 23.4 + 0.24
        (["--hand-to-fat-400", "0.2"], {400: 52.50, 200: 23.64}),  # 52.30 + 0.2
        (["--hand-to-fat-200", "0.3", "--hand-to-fat-400", "0"], {400: 52.30, 200: 23.70}),
    ],
)
def test_clean_hand_to_fat_options(tmp_path: Path, options: list[str], finals: dict) -> None:
    out = tmp_path / "processed"
    assert main(["clean", str(_results_folder(tmp_path)), "--out", str(out), *options]) == 0
    races = pd.read_parquet(out / "races.parquet")
    got = dict(zip(races["event_m"], races["final_s"], strict=True))
    assert got == {k: pytest.approx(v) for k, v in finals.items()}


def test_hand_to_fat_option_outside_0_to_1_s_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as ei:
        main(["clean", str(tmp_path), "--hand-to-fat-200", "2"])
    assert ei.value.code == 2
    assert "between 0 and 1" in capsys.readouterr().err


def test_report_passes_hand_to_fat_in_its_settings_not_through_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    import analysis.reports
    from analysis import config

    seen = {}

    class Result:
        ok = True

    def fake_build_reports(ds, out, *, settings):
        # the kernels read the run's snapshot: no variable carries the offsets to them
        seen["env"] = os.environ.get(config.HAND_TO_FAT_ENV)
        seen["offsets"] = config.hand_to_fat(settings.hand_to_fat)
        return Result()

    monkeypatch.delenv(config.HAND_TO_FAT_ENV, raising=False)
    monkeypatch.setattr(analysis.reports, "build_reports", fake_build_reports)
    args = ["report", str(tmp_path), "--out", str(tmp_path / "r"), "--hand-to-fat-200", "0.3"]
    assert main(args) == 0
    assert seen["env"] is None
    assert seen["offsets"] == {200: 0.3, 400: 0.14}
    assert config.HAND_TO_FAT_ENV not in os.environ


def test_report_cleans_the_folder_once_and_hands_the_dataset_to_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import analysis.dataset
    import analysis.reports
    from analysis.sample import write_sample

    data = tmp_path / "club"
    write_sample(data, athletes=2, seed=3, today="2026-11-01")
    calls, seen = [], {}
    load = analysis.dataset.load_dataset

    def counted(*a, **kw):
        calls.append(a)
        return load(*a, **kw)

    class Result:
        ok = True

    def fake_build_reports(ds, out, *, settings):
        seen["ds"], seen["settings"] = ds, settings
        return Result()

    monkeypatch.setattr(analysis.dataset, "load_dataset", counted)
    monkeypatch.setattr(analysis.reports, "build_reports", fake_build_reports)
    args = ["report", str(data), "--out", str(tmp_path / "r"), "--jobs", "3"]
    assert main(args) == 0
    assert len(calls) == 1  # cleaned once for the whole run
    assert isinstance(seen["ds"], analysis.dataset.Dataset) and len(seen["ds"].athletes) == 2
    assert seen["settings"].jobs == 3
