"""What of a data folder is read, and why the rest is not (issue 26, items 1, 6 and 9).

* hipflex never reads its own outputs: an ``OUT`` inside the data folder (its exports,
  ``attention.csv``) is listed in ``skipped`` and never read, marker or ``exclude``;
* links that leave the data folder are not read, broken links and loops are listed;
* a file name that is not UTF-8 is one skipped file, never a traceback;
* every other file is either read or listed with its reason.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from helpers import TODAY

import analysis as hf
from analysis.cli import main

ROSTER = "athlete_id,name\nA1,Ada Okafor\nA2,Ben Li\n"
LOG = (
    "athlete,date,exercise,sets x reps\n"
    "Ada Okafor,2026-03-02,hip flexor march,3x10\n"
    "Ben Li,2026-03-02,leg raise,2x12\n"
)
RESULTS = "athlete,date,event,time\nAda Okafor,2026-03-20,200,24.10\nBen Li,2026-03-20,400,55.2\n"
TABLES = ("log", "races", "splits", "rejects", "reconciliation", "not_data")


def _folder(tmp_path: Path) -> Path:
    d = tmp_path / "d"
    d.mkdir()
    (d / "athletes.csv").write_text(ROSTER, encoding="utf-8")
    (d / "log.csv").write_text(LOG, encoding="utf-8")
    (d / "results.csv").write_text(RESULTS, encoding="utf-8")
    return d


def _load(d: Path, **kw) -> hf.Dataset:
    return hf.load_dataset(d, today=TODAY, **kw)


def _fake_report_outputs(ds: hf.Dataset, out: Path) -> None:
    """What a report run leaves in OUT that has a readable ending: exports and attention."""
    from analysis.attention import attention_list, write_attention_csv
    from analysis.reports.pages.workbooks import write_exports

    write_exports(ds, out)
    write_attention_csv(attention_list(ds, as_of=TODAY), out / "attention.csv")


def mark_output(out: Path) -> None:
    """What every run of ``hipflex report`` leaves in OUT: its ``.hipflex/`` folder."""
    (out / ".hipflex").mkdir(parents=True, exist_ok=True)


def _skipped(ds: hf.Dataset) -> dict[str, str]:
    return dict(zip(ds.skipped["source"], ds.skipped["reason"], strict=True))


# ------------------------------------------------------------------ 1: own outputs


@pytest.mark.slow  # long-running
def test_an_out_folder_inside_the_data_folder_is_never_read_as_data(tmp_path: Path) -> None:
    d = _folder(tmp_path)
    first = _load(d)
    out = d / "reports"
    mark_output(out)  # what `hipflex report d --out d/reports` does before reading
    for _ in range(2):  # two nights of outputs
        _fake_report_outputs(_load(d), out)
        again = _load(d)
        for name in TABLES:
            pd.testing.assert_frame_equal(getattr(again, name), getattr(first, name))
    assert (out / "exports").is_dir() and (out / "attention.csv").is_file()
    assert "reports" in _skipped(again)
    assert "never reads its own" in _skipped(again)["reports"]
    assert int(again.skipped.set_index("source").loc["reports", "rows"]) == 0  # not a failure


def test_an_excluded_folder_is_not_read_even_without_the_marker(tmp_path: Path) -> None:
    d = _folder(tmp_path)
    first = _load(d)
    out = d / "out"
    _fake_report_outputs(first, out)
    again = _load(d, exclude=[out])
    pd.testing.assert_frame_equal(again.log, first.log)
    pd.testing.assert_frame_equal(again.races, first.races)
    assert "never reads its own" in _skipped(again)["out"]


def test_a_data_folder_that_is_its_own_out_leaves_out_attention_and_exports(
    tmp_path: Path,
) -> None:
    d = _folder(tmp_path)
    first = _load(d)
    mark_output(d)  # hipflex report d --out d
    _fake_report_outputs(first, d)
    again = _load(d)
    pd.testing.assert_frame_equal(again.log, first.log)
    pd.testing.assert_frame_equal(again.races, first.races)
    assert {"attention.csv", "exports", ".hipflex"} <= set(_skipped(again))


def test_report_says_in_one_line_when_out_lies_inside_the_data_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import analysis.reports as reports

    class _Result:
        ok = True

    monkeypatch.setattr(reports, "build_reports", lambda *a, **k: _Result())
    d = _folder(tmp_path)
    assert main(["report", str(d), "--out", str(d / "reports"), "--quiet"]) == 0
    err = capsys.readouterr().err
    notes = [ln for ln in err.splitlines() if "inside the data folder" in ln]
    assert len(notes) == 1 and notes[0].startswith("hipflex: note: ")
    assert (d / "reports" / ".hipflex").is_dir()  # marked before anything is read


@pytest.mark.slow
def test_report_three_times_with_out_inside_the_data_folder_gives_identical_tables(
    tmp_path: Path,
) -> None:
    """``hipflex report d --out d/reports`` three nights: the same tables every night."""
    d = tmp_path / "d"
    env = {**os.environ, "PYTHONPATH": str(Path(hf.__file__).parents[1])}
    env.pop("HIPFLEX_CACHE_DIR", None)
    cli = [sys.executable, "-m", "analysis.cli"]
    subprocess.run([*cli, "sample", str(d), "--athletes", "2"], check=True, env=env,
                   capture_output=True)  # fmt: skip
    seen = []
    for _ in range(3):
        run = subprocess.run(
            [*cli, "report", str(d), "--out", str(d / "reports"), "--quiet", "--jobs", "1"],
            env=env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        assert run.returncode in (0, 1), run.stderr[-2000:]
        notes = sum("inside the data folder" in ln for ln in run.stderr.splitlines())
        ds = hf.load_dataset(d)
        att = (d / "reports" / "attention.csv").read_text(encoding="utf-8")
        seen.append(({n: getattr(ds, n) for n in (*TABLES, "skipped")}, att, notes))
    assert (d / "reports" / "exports").is_dir()
    first_tables, first_att, _ = seen[0]
    for tables, att, _ in seen[1:]:
        for name in ("log", "races", "splits", "rejects", "reconciliation"):
            assert len(tables[name]) == len(first_tables[name]), name  # 761 -> 1157 -> 1525
        for name, frame in tables.items():
            pd.testing.assert_frame_equal(frame, first_tables[name])
        assert att == first_att
    assert [notes for *_, notes in seen] == [1, 1, 1]  # said once per run, in one line


# ------------------------------------------------------------------ 6: links


def test_links_out_of_the_data_folder_are_listed_not_read(tmp_path: Path) -> None:
    d = _folder(tmp_path)
    secret = tmp_path / "elsewhere"
    secret.mkdir()
    (secret / "private.csv").write_text(
        "athlete,date,exercise,sets x reps\nAda Okafor,2026-03-03,SECRET DRILL,3x10\n",
        encoding="utf-8",
    )
    os.symlink(secret / "private.csv", d / "linked.csv")
    os.symlink(secret, d / "linked_folder")
    os.symlink(tmp_path / "nothing.csv", d / "dangling.csv")
    os.symlink(d / "loop.csv", d / "loop.csv")
    os.symlink(d / "log.csv", d / "same_log.csv")  # inside: read once, at its own place
    ds = _load(d)
    assert not ds.log["exercise_raw"].astype(str).str.contains("SECRET").any()
    assert len(ds.log) == 2  # log.csv once, not twice
    why = _skipped(ds)
    assert "outside the data folder" in why["linked.csv"]
    assert "outside the data folder" in why["linked_folder"]
    assert "broken link" in why["dangling.csv"]
    assert "loop" in why["loop.csv"]
    assert "inside the data folder" in why["same_log.csv"]
    assert set(ds.reconciliation["source"]) == {"log.csv", "results.csv"}


# ------------------------------------------------------------------ 9: names not UTF-8


def _bad_name(d: Path) -> Path:
    name = os.fsdecode(b"\xdcbungen.csv")  # latin-1 "Übungen.csv" from a Windows zip
    path = d / name
    path.write_text(LOG, encoding="utf-8")
    return path


def test_a_file_name_that_is_not_utf8_is_one_skipped_file(tmp_path: Path) -> None:
    d = _folder(tmp_path)
    _bad_name(d)
    ds = _load(d)
    assert len(ds.log) == 2
    rows = ds.skipped[ds.skipped["source"] == "\\xdcbungen.csv"]
    assert len(rows) == 1 and "not valid UTF-8" in rows["reason"].iloc[0]
    ds.skipped["source"].str.encode("utf-8")  # storable and printable


@pytest.mark.slow  # a hipflex subprocess
@pytest.mark.parametrize("command", ["clean", "inspect"])
def test_clean_and_inspect_name_a_file_name_that_is_not_utf8_without_a_traceback(
    tmp_path: Path, command: str
) -> None:
    d = _folder(tmp_path)
    _bad_name(d)
    args = [sys.executable, "-m", "analysis.cli", command, str(d)]
    if command == "clean":
        args += ["--out", str(tmp_path / "p")]
    env = {**os.environ, "PYTHONPATH": str(Path(hf.__file__).parents[1]), "PYTHONIOENCODING": ""}
    run = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    assert "Traceback" not in run.stderr, run.stderr[-2000:]
    assert run.returncode in (0, 1)
    assert "\\xdcbungen.csv" in run.stdout + run.stderr


def test_report_names_a_file_name_that_is_not_utf8_and_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import analysis.reports as reports

    class _Result:
        ok = True

    built = []
    monkeypatch.setattr(reports, "build_reports", lambda *a, **k: built.append(a) or _Result())
    d = _folder(tmp_path)
    _bad_name(d)
    status = main(["report", str(d), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert built and status == 1  # the reports are made; the file is named as not read
    assert "\\xdcbungen.csv" in err and "Traceback" not in err


# ------------------------------------------------------------------ every file accounted for


def test_every_file_is_read_or_listed_with_its_reason(tmp_path: Path) -> None:
    d = _folder(tmp_path)
    (d / "notes.pdf").write_bytes(b"%PDF-1.4")
    (d / "photo.JPG").write_bytes(b"\xff\xd8")
    (d / "README").write_text("no ending", encoding="utf-8")
    (d / ".DS_Store").write_bytes(b"\0")
    (d / "~$log.xlsx").write_bytes(b"lock")
    (d / ".git").mkdir()
    (d / ".git" / "HEAD").write_text("ref", encoding="utf-8")
    (d / "hipflex.toml").write_text("", encoding="utf-8")  # read, as hints
    os.mkfifo(d / "pipe.csv")
    ds = _load(d)
    why = _skipped(ds)
    assert "not a file hipflex reads (.pdf" in why["notes.pdf"]
    assert "(.jpg" in why["photo.JPG"] and "(no ending" in why["README"]
    assert "hidden" in why[".DS_Store"] and "hidden folder" in why[".git"]
    assert "lock file" in why["~$log.xlsx"] and "not a regular file" in why["pipe.csv"]
    assert "hipflex.toml" not in why
    every = {str(p.relative_to(d)) for p in d.iterdir()}
    read = set(ds.reconciliation["source"].str.split("#").str[0]) | {"athletes.csv"}
    assert every == read | set(why) | {"hipflex.toml"}


def test_the_readable_endings_are_one_list_that_grows_with_the_format_registry() -> None:
    from analysis.ingest.files import readable_suffixes, scan_folder
    from analysis.io import RAW_SUFFIXES

    assert set(RAW_SUFFIXES) <= readable_suffixes()
    scan = scan_folder(Path(hf.__file__).parent / "data")  # any folder: no error
    assert all(p.suffix.lower() in readable_suffixes() for p in scan.files)
