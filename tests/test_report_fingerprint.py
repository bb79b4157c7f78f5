"""One fingerprint keys the dataset cache and the report manifest (issue 13).

The dataset cache is invalidated by a change of the files' contents (not of their times),
of the code, of any effective setting and by the passing of a date; the report planner
uses the same function.
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

import pytest

import analysis as hf
from analysis import config
from analysis import dataset as dataset_module
from analysis import fingerprint as fpm
from analysis.catalog import default_catalog_path
from analysis.reports.batch import plan as rp_plan

ROSTER = "athlete_id,name,sex,birth_date,squad\nA1,Ana Bell,F,2004-02-03,400\nA2,Bo Chen,M,2003-05-06,400\n"
LOG = (
    "Athlete,Date,Exercise,Sets x Reps\n"
    "Ana Bell,2026-12-01,hanging knee raises,3x10\n"
    "Bo Chen,2026-12-02,box knee drives,3x25\n"
    "Ana Bell,2026-12-05,hanging knee raises,3x12\n"
)
RESULTS = (
    "Athlete,Date,Event,Time,split_200\n"
    "Ana Bell,2026-11-20,400,58.10,27.50\n"
    "Bo Chen,2026-11-20,400,50.30,23.90\n"
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    (d / "logs").mkdir(parents=True)
    (d / "results").mkdir()
    (d / "athletes.csv").write_text(ROSTER, encoding="utf-8")
    (d / "logs" / "log.csv").write_text(LOG, encoding="utf-8")
    (d / "results" / "meets.csv").write_text(RESULTS, encoding="utf-8")
    return d


@pytest.fixture
def on(monkeypatch: pytest.MonkeyPatch):
    """Set the run's date (what ``config.today()`` answers)."""

    def set_day(day: str) -> None:
        monkeypatch.setattr(config, "today", lambda: _dt.date.fromisoformat(day))

    set_day("2026-12-04")
    return set_day


@pytest.fixture
def saves(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fingerprints written to the cache (a cache miss writes one)."""
    written: list[str] = []
    real = dataset_module.save_dataset

    def spy(ds, out_dir):
        written.append(Path(out_dir).name)
        return real(ds, out_dir)

    monkeypatch.setattr(dataset_module, "save_dataset", spy)
    return written


def _load(folder: Path, cache: Path, **kw):
    return hf.load_dataset(folder, cache_dir=cache, **kw)


def test_unchanged_inputs_read_the_cache(folder, tmp_path, on, saves) -> None:
    a = _load(folder, tmp_path / "c")
    b = _load(folder, tmp_path / "c")
    assert len(saves) == 1 and a.fingerprint == b.fingerprint
    # a touch (new time, same contents) keeps the fingerprint
    log = folder / "logs" / "log.csv"
    os.utime(log, (1e9, 1e9))
    _load(folder, tmp_path / "c")
    assert len(saves) == 1


def test_a_changed_file_with_the_same_size_and_time_is_seen(folder, tmp_path, on, saves) -> None:
    _load(folder, tmp_path / "c")
    log = folder / "logs" / "log.csv"
    st = log.stat()
    log.write_text(LOG.replace("3x25", "3x24"), encoding="utf-8")
    os.utime(log, ns=(st.st_atime_ns, st.st_mtime_ns))
    ds = _load(folder, tmp_path / "c")
    assert len(saves) == 2
    assert 72 in set(ds.log["hf_reps"].astype("float64").round().astype(int))


def test_a_code_change_invalidates_the_cache(folder, tmp_path, on, saves, monkeypatch) -> None:
    _load(folder, tmp_path / "c")
    monkeypatch.setattr(fpm, "code_digest", lambda: "a fix at the same version")
    _load(folder, tmp_path / "c")
    assert len(saves) == 2


@pytest.mark.parametrize("change", ["hand_to_fat", "layout", "catalog", "project", "dayfirst"])
def test_a_settings_change_invalidates_the_cache(
    folder, tmp_path, on, saves, monkeypatch, change
) -> None:
    catalog = tmp_path / "exercises.csv"
    catalog.write_bytes(default_catalog_path().read_bytes())
    _load(folder, tmp_path / "c", catalog=catalog)
    kw: dict = {"catalog": catalog}
    if change == "hand_to_fat":
        monkeypatch.setenv(config.HAND_TO_FAT_ENV, "400=0.2")
    elif change == "layout":
        (folder / "hipflex.toml").write_text("# layout hints\n", encoding="utf-8")
    elif change == "catalog":
        catalog.write_text(catalog.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    elif change == "project":
        monkeypatch.setattr(config, "SEASON_START_MONTH", 9)
    else:
        kw["dayfirst"] = True
    _load(folder, tmp_path / "c", **kw)
    assert len(saves) == 2, change


def test_the_passing_of_a_date_invalidates_the_cache(folder, tmp_path, on, saves) -> None:
    early = _load(folder, tmp_path / "c")
    future = early.rejects[early.rejects["value"].astype("string").str.contains("2026-12-05")]
    assert len(early.log) == 2 and len(future) == 1  # dated after the run's date
    on("2026-12-10")
    later = _load(folder, tmp_path / "c")
    assert len(saves) == 2
    assert len(later.log) == 3  # the 5 December entry is no longer in the future
    # and that day's cache serves the next run of the day
    again = _load(folder, tmp_path / "c")
    assert len(saves) == 2 and len(again.log) == 3


@pytest.mark.slow  # long-running
def test_the_manifest_and_the_cache_use_the_same_fingerprint_function(
    folder, tmp_path, on, monkeypatch
) -> None:
    calls: list[str] = []
    real = fpm.fingerprint

    def spy(*args, **kw):
        import inspect

        calls.append(inspect.stack()[1].frame.f_globals["__name__"])
        return real(*args, **kw)

    monkeypatch.setattr(fpm, "fingerprint", spy)
    ds = _load(folder, tmp_path / "c")
    jobs = rp_plan.plan_reports(ds, folder)
    assert calls == ["analysis.dataset", "analysis.reports.batch.plan"]
    # a code change moves both: the cache key and every report's digest
    monkeypatch.setattr(fpm, "code_digest", lambda: "changed code")
    ds2 = _load(folder, tmp_path / "c")
    jobs2 = rp_plan.plan_reports(ds2, folder)
    assert ds2.fingerprint != ds.fingerprint
    assert all(a.digest != b.digest for a, b in zip(jobs, jobs2, strict=True))


def test_a_settings_change_re_runs_the_reports(folder, tmp_path, on, monkeypatch) -> None:
    ds = _load(folder, tmp_path / "c")
    before = {j.target: j.digest for j in rp_plan.plan_reports(ds, folder)}
    (folder / "hipflex.toml").write_text("# layout hints\n", encoding="utf-8")
    after = {j.target: j.digest for j in rp_plan.plan_reports(ds, folder)}
    assert before.keys() == after.keys() and all(before[t] != after[t] for t in before)
    # the run's date alone does not re-run a report: it reaches one through its tables
    on("2026-12-05")
    same = {j.target: j.digest for j in rp_plan.plan_reports(ds, folder)}
    assert same == after


def test_fingerprint_is_of_contents_names_code_and_settings(tmp_path) -> None:
    a = tmp_path / "a.csv"
    a.write_text("x\n1\n")
    s = {"k": "v"}
    base = fpm.fingerprint([a], root=tmp_path, settings=s)
    assert fpm.fingerprint([a], root=tmp_path, settings=s) == base
    assert fpm.fingerprint([a], root=tmp_path, settings={"k": "w"}).key != base.key
    b = tmp_path / "b.csv"
    b.write_text("x\n1\n")
    assert fpm.fingerprint([b], root=tmp_path, settings=s).key != base.key  # the name counts
    a.write_text("x\n2\n")
    assert fpm.fingerprint([a], root=tmp_path, settings=s).key != base.key
