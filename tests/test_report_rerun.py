"""An unchanged nightly re-run does (almost) nothing: issue 15's "re-run ≤ 5 % of the first".

What a re-run would otherwise redo — import nbformat to check the notebooks (jsonschema
builds 38 grammars), plan the batch (hash every table, fit the squad for each takeaway,
import scipy.stats), compute every workbook's sheets before finding them unchanged, write
the run's snapshot — is skipped when what it is made from is unchanged, and done again the
moment any of it changes. The benchmark is ``benchmarks/report_batch.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from helpers import SAMPLE_TODAY as TODAY
from helpers import tiny_report_notebooks, write_notebook

import analysis as hf
from analysis import reports as rp
from analysis.errors import DataError
from analysis.reports.batch import plan as rp_plan
from analysis.reports.pages import workbooks as rp_workbooks


@pytest.fixture(scope="module")
def folder(sample_folder) -> Path:
    return sample_folder(athletes=3, seed=5, today=TODAY)


@pytest.fixture
def ds(folder):
    return hf.load_dataset(folder)


# --------------------------------------------------------------------------- notebooks


def _valid() -> dict:
    return json.loads((rp.default_notebooks_dir() / "athlete_report.ipynb").read_text("utf-8"))


def _broken(kind: str) -> dict:
    nb = _valid()
    if kind == "no cells":
        del nb["cells"]
    elif kind == "unknown cell type":
        nb["cells"][0]["cell_type"] = "picture"
    elif kind == "source not text":
        nb["cells"][0]["source"] = 42
    elif kind == "code cell without outputs":
        code = next(c for c in nb["cells"] if c["cell_type"] == "code")
        del code["outputs"]
    elif kind == "metadata not an object":
        nb["metadata"] = []
    elif kind == "a list":
        return [nb]
    return nb


def _nbformat_says_valid(path: Path) -> bool:
    try:
        nbformat.validate(nbformat.read(str(path), as_version=4))
    except Exception:
        return False
    return True


def test_every_project_notebook_is_valid_and_so_says_nbformat(tmp_path):
    for nb in sorted(rp.default_notebooks_dir().glob("*.ipynb")):
        rp_plan._validate(nb)
        assert _nbformat_says_valid(nb), nb.name


@pytest.mark.parametrize(
    "kind",
    [
        "no cells",
        "unknown cell type",
        "source not text",
        "code cell without outputs",
        "metadata not an object",
        "a list",
    ],
)
def test_a_notebook_nbformat_rejects_is_rejected_and_named(kind, tmp_path):
    nbs = tiny_report_notebooks(tmp_path / "nbs", "X")
    bad = nbs / "mine.ipynb"
    bad.write_text(json.dumps(_broken(kind)), encoding="utf-8")
    assert not _nbformat_says_valid(bad)  # the reference: nbformat's own read + validate
    with pytest.raises(DataError, match="not a valid notebook") as info:
        rp_plan.check_notebooks(nbs)
    assert "mine.ipynb" in str(info.value)


def test_an_older_minor_version_is_checked_against_its_own_schema(tmp_path):
    nbs = tiny_report_notebooks(tmp_path / "nbs", "X")
    nb = _valid()
    nb["nbformat_minor"] = 4  # cell ids came with 4.5: a 4.4 notebook has none
    for c in nb["cells"]:
        c.pop("id", None)
    (nbs / "old.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    assert _nbformat_says_valid(nbs / "old.ipynb")
    assert rp_plan.check_notebooks(nbs) == nbs


def test_checking_the_notebooks_imports_neither_nbformat_nor_jsonschema():
    code = (
        "import sys\n"
        "from analysis.reports.batch.plan import check_notebooks\n"
        "check_notebooks()\n"
        "print(sorted(m for m in ('nbformat', 'jsonschema', 'lark') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# --------------------------------------------------------------------------- the plan


@pytest.mark.slow  # long-running
def test_the_plan_is_reused_only_under_the_same_key(ds, folder, tmp_path, monkeypatch):
    nbs = tiny_report_notebooks(tmp_path / "nbs", "X")
    state = tmp_path / "state"
    state.mkdir()
    fresh = rp_plan.plan_reports(ds, folder, nbs)
    first = rp_plan.plan_reports_cached(ds, folder, nbs, state=state)
    assert first == fresh

    calls = []
    real = rp_plan.plan_reports

    def counted(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(rp_plan, "plan_reports", counted)
    again = rp_plan.plan_reports_cached(hf.load_dataset(folder), folder, nbs, state=state)
    assert again == fresh and calls == []  # the same jobs, parameters and digests, unplanned

    # a notebook's bytes, the window, the data folder's contents: each plans again
    (nbs / "athlete_report.ipynb").write_text(
        (nbs / "athlete_report.ipynb").read_text("utf-8").replace("X", "Y"), encoding="utf-8"
    )
    edited = rp_plan.plan_reports_cached(ds, folder, nbs, state=state)
    assert len(calls) == 1
    assert {j.target: j.digest for j in edited} != {j.target: j.digest for j in fresh}
    rp_plan.plan_reports_cached(ds, folder, nbs, state=state, window_days=42)
    assert len(calls) == 2
    (nbs / "mine.ipynb").write_bytes((nbs / "data_quality.ipynb").read_bytes())
    assert "extra/mine" in [
        j.target for j in rp_plan.plan_reports_cached(ds, folder, nbs, state=state)
    ]
    assert len(calls) == 3
    (state / rp_plan.PLAN_FILE).write_text("{ torn", encoding="utf-8")
    assert rp_plan.plan_reports_cached(ds, folder, nbs, state=state)
    assert len(calls) == 4


@pytest.mark.slow  # long-running
def test_a_changed_data_file_plans_again(folder, tmp_path, monkeypatch):
    import shutil

    data = tmp_path / "raw"
    shutil.copytree(folder, data)
    nbs = tiny_report_notebooks(tmp_path / "nbs", "X")
    state = tmp_path / "state"
    state.mkdir()
    before = rp_plan.plan_reports_cached(hf.load_dataset(data), data, nbs, state=state)
    log = data / "logs" / "coach_a_2026.csv"
    lines = log.read_text("utf-8").splitlines()
    log.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # one entry fewer
    after = rp_plan.plan_reports_cached(hf.load_dataset(data), data, nbs, state=state)
    assert after == rp_plan.plan_reports(hf.load_dataset(data), data, nbs)
    assert {j.target: j.digest for j in after} != {j.target: j.digest for j in before}


@pytest.mark.slow  # long-running
def test_a_dataset_changed_in_memory_is_planned_again(ds, folder, tmp_path):
    nbs = tiny_report_notebooks(tmp_path / "nbs", "X")
    state = tmp_path / "state"
    state.mkdir()
    rp_plan.plan_reports_cached(ds, folder, nbs, state=state)
    mine = hf.load_dataset(folder)  # same fingerprint as ds: the key is the content
    mine.log = mine.log.iloc[:-5].reset_index(drop=True)
    assert rp_plan.content_key(mine) != rp_plan.content_key(ds)
    got = rp_plan.plan_reports_cached(mine, folder, nbs, state=state)
    assert got == rp_plan.plan_reports(mine, folder, nbs)
    assert got != rp_plan.plan_reports(ds, folder, nbs)


# --------------------------------------------------------------------------- exports


@pytest.mark.slow  # long-running
def test_exports_under_the_same_key_compute_no_sheet(ds, tmp_path, monkeypatch):
    out = tmp_path / "out"
    first = rp_workbooks.write_exports(ds, out, key="k1")
    stamps = {p.name: p.stat().st_mtime_ns for p in first}

    def boom(*a, **k):
        raise AssertionError("sheets computed")

    with monkeypatch.context() as m:
        m.setattr(rp_workbooks, "athlete_sheets", boom)
        m.setattr(rp_workbooks, "squad_sheets", boom)
        again = rp_workbooks.write_exports(ds, out, key="k1")
    assert again == first and {p.name: p.stat().st_mtime_ns for p in again} == stamps

    # a workbook gone, or another key: the sheets are made and compared again
    first[0].unlink()
    rebuilt = rp_workbooks.write_exports(ds, out, key="k1")
    assert rebuilt[0].is_file()
    assert {p.name: p.stat().st_mtime_ns for p in rebuilt[1:]} == {
        p.name: stamps[p.name] for p in first[1:]
    }
    before = {p.name: p.stat().st_mtime_ns for p in rebuilt}
    one = hf.load_dataset(ds.data_dir)
    aid = str(one.athletes["athlete_id"].iloc[0])
    one.log = one.log.loc[one.log["athlete_id"] != aid].reset_index(drop=True)
    third = {p.name: p.stat().st_mtime_ns for p in rp_workbooks.write_exports(one, out, key="k2")}
    changed = {n for n, t in third.items() if t != before[n]}
    assert changed == {f"{aid}.xlsx", "squad.xlsx"}  # the others' sheets are unchanged
    with pytest.raises(AssertionError, match="sheets computed"):  # no key: always computed
        monkeypatch.setattr(rp_workbooks, "athlete_sheets", boom)
        rp_workbooks.write_exports(one, out)


# --------------------------------------------------------------------------- the whole run


@pytest.mark.slow
def test_an_unchanged_rerun_imports_no_heavy_library_and_writes_no_snapshot(folder, tmp_path):
    nbs = tiny_report_notebooks(tmp_path / "nbs", "X")
    out = tmp_path / "out"
    first = rp.build_reports(folder, out, jobs=1, notebooks_dir=nbs, progress=False, timeout=120)
    assert first.ok and len(first.ran) == len(first.reports)
    code = (
        "import sys, os\n"
        "from unittest import mock\n"
        "import analysis.dataset as d\n"
        "from analysis.reports import build_reports\n"
        "with mock.patch.object(d, 'save_dataset', side_effect=AssertionError('snapshot')):\n"
        f"    r = build_reports({str(folder)!r}, {str(out)!r}, notebooks_dir={str(nbs)!r},"
        " progress=False)\n"
        "heavy = ('scipy', 'statsmodels', 'nbformat', 'jsonschema', 'matplotlib', 'openpyxl',"
        " 'papermill', 'nbconvert', 'jupyter_client')\n"
        "print(len(r.ran), len(r.skipped), r.ok, sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().split(maxsplit=3) == ["0", str(len(first.reports)), "True", "[]"]
    # and the outputs are all still there, the index rewritten
    assert (out / "index.html").is_file() and list((out / "exports").glob("*.xlsx"))

    # one page removed by hand: only it is run again (the manifest's page hash)
    (out / "athletes" / "A01.html").unlink()
    third = rp.build_reports(folder, out, jobs=1, notebooks_dir=nbs, progress=False, timeout=120)
    assert [r.job.target for r in third.ran] == ["athletes/A01"]


@pytest.mark.slow  # cleans the folder 8 times
def test_a_new_day_reuses_the_plan_unless_the_day_changes_the_tables(folder, tmp_path):
    # the run's date decides which rows are "in the future": a nightly run on a new day
    # whose cleaning gives the same tables reuses the plan; one that accepts a row it
    # rejected yesterday plans again
    import shutil

    data = tmp_path / "raw"
    shutil.copytree(folder, data)
    log = data / "logs" / "coach_a_2026.csv"
    first = log.read_text("utf-8").splitlines()[1]
    name = first.split(",")[0]
    with open(log, "a", encoding="utf-8") as f:
        f.write(f"{name},03/11/2026,Hanging knee raise,3 x 12,\n")

    def on(day: str):
        return hf.load_dataset(data, today=pd.Timestamp(day).date())

    assert on("2026-11-01").fingerprint != on("2026-11-02").fingerprint  # files + day
    k1, k2, k3, k4 = (rp_plan.content_key(on(d)) for d in
                      ("2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"))  # fmt: skip
    assert k1 == k2  # the row of 3 November is still in the future: the same tables
    assert k2 != k3  # accepted on the 3rd: a new row, a new plan
    assert k3 == k4
    nbs = tiny_report_notebooks(tmp_path / "nbs", "X")
    state = tmp_path / "state"
    state.mkdir()
    calls = []
    real = rp_plan.plan_reports
    try:
        rp_plan.plan_reports = lambda *a, **k: calls.append(1) or real(*a, **k)
        for d in ("2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"):
            rp_plan.plan_reports_cached(on(d), data, nbs, state=state)
    finally:
        rp_plan.plan_reports = real
    assert len(calls) == 2  # the 1st and the 3rd


# --------------------------------------------------------------------------- isolation


@pytest.mark.slow
def test_an_athlete_kernel_holds_that_athletes_rows_only(folder, tmp_path):
    # issue 15: "an athlete's data must never be in another athlete's kernel" — the
    # kernel of an athlete report reads its own part of the run's snapshot
    nbs = tiny_report_notebooks(tmp_path / "nbs", "X")
    params = (
        'data_dir = ""\nathlete_id = ""\nevent = 400\nwindow_days = 28\ntakeaway = None\n'
        "tables = None"  # the run's snapshot: the kernel's only way to its tables (issue 23)
    )
    body = (
        "import analysis as hf\n"
        "ds = hf.load_dataset(data_dir, tables=tables)\n"
        "ids = set()\n"
        "for t in (ds.athletes, ds.log, ds.races, ds.rejects, ds.plan, ds.fatigue):\n"
        "    ids |= set(t['athlete_id'].dropna().astype(str))\n"
        "own = set(ds.races['race_id'])\n"
        "print('IDS', sorted(ids), 'FOREIGN SPLITS', int((~ds.splits['race_id'].isin(own)).sum()))\n"
    )
    write_notebook(nbs / "athlete_report.ipynb", params, body)
    # the data-quality report still reads the whole squad
    write_notebook(
        nbs / "data_quality.ipynb",
        'data_dir = ""\ntables = None',
        "import analysis as hf\nprint('SQUAD', len(hf.load_dataset(data_dir, tables=tables).athletes))",
    )
    out = tmp_path / "out"
    res = rp.build_reports(folder, out, jobs=2, notebooks_dir=nbs, progress=False, timeout=120)
    assert res.ok, res.summary()
    squad = hf.load_dataset(folder)
    for aid in squad.athletes["athlete_id"].astype(str):
        text = (out / "athletes" / f"{aid}.ipynb").read_text(encoding="utf-8")
        assert f"IDS ['{aid}'] FOREIGN SPLITS 0" in text, text[-1500:]
    dq = (out / "data_quality.ipynb").read_text(encoding="utf-8")
    assert f"SQUAD {len(squad.athletes)}" in dq
    assert not (out / ".hipflex" / "snapshots").exists() or not any(
        (out / ".hipflex" / "snapshots").iterdir()
    )  # the run's snapshot, athletes' parts included, is gone with the run


def test_one_athletes_slice_of_the_fatigue_table_is_its_own_metrics(ds):
    from analysis.fatigue import fatigue_metrics

    assert len(ds.fatigue)  # computed on the squad first: the slice is carried
    for aid in ds.athletes["athlete_id"].astype(str):
        one = ds.athlete(aid)
        assert "fatigue" in one.__dict__
        pd.testing.assert_frame_equal(
            one.fatigue, fatigue_metrics(one.races, one.splits, rejects=one.rejects)
        )
