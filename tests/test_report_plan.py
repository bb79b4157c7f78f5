"""Report batch: planning, input digests, retries and the index — without starting kernels.

The tests that execute notebooks are in ``test_notebooks.py`` and
``test_report_runner_stress.py``.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from helpers import SAMPLE_TODAY as TODAY

import analysis as hf
from analysis import reports as rp
from analysis.reports.batch import build as rp_build
from analysis.reports.batch import export as rp_export
from analysis.reports.batch import kernels as rp_kernels
from analysis.reports.batch import manifest as rp_manifest
from analysis.reports.batch import plan as rp_plan


@pytest.fixture(scope="module")
def ds(sample_folder):
    d = sample_folder(athletes=3, seed=1, today=TODAY)
    return hf.load_dataset(d, today=pd.Timestamp(TODAY).date())


def _notebooks(tmp_path: Path) -> Path:
    """A notebooks folder with the three pinned notebooks copied from the project."""
    nb_dir = tmp_path / "nbs"
    nb_dir.mkdir()
    for name in rp.NOTEBOOKS.values():
        (nb_dir / name).write_bytes((rp.default_notebooks_dir() / name).read_bytes())
    return nb_dir


def test_slug_keeps_safe_ids_and_makes_unsafe_ones_safe_and_distinct():
    assert rp_plan._slug("A01") == "A01"
    assert rp_plan._slug("age_category") == "age_category"
    unsafe = [rp_plan._slug(s) for s in ("../etc/passwd", "a/b", "a b", "a_b")]
    assert unsafe[3] == "a_b"
    assert all("/" not in s and not s.startswith(".") for s in unsafe)
    assert len(set(unsafe)) == 4  # "a b" and "a/b" do not collide with "a_b"


def test_plan_has_one_report_per_athlete_and_cohort_column_plus_data_quality(ds, tmp_path):
    jobs = rp.plan_reports(ds, ds.data_dir, _notebooks(tmp_path))
    targets = [j.target for j in jobs]
    # sample roster: athlete_id, name, sex, birth_date, squad, program, age_category, aliases
    assert targets == [
        "squad",
        "data_quality",
        "cohorts/sex",
        "cohorts/squad",
        "cohorts/program",
        "cohorts/age_category",
        "athletes/A01",
        "athletes/A02",
        "athletes/A03",
    ]
    a01 = jobs[6]
    assert set(a01.parameters) == {"data_dir", "athlete_id", "event", "window_days", "takeaway"}
    assert a01.parameters["athlete_id"] == "A01"
    assert Path(a01.parameters["data_dir"]).is_absolute()
    assert set(jobs[2].parameters) == {"data_dir", "cohort_column", "event", "window_days"}
    assert jobs[1].parameters == {"data_dir": str(Path(ds.data_dir).resolve())}
    assert set(jobs[0].parameters) == {"data_dir", "event", "window_days"}  # pinned


def test_plan_runs_a_notebook_of_your_own_but_not_explore(ds, tmp_path):
    nb_dir = _notebooks(tmp_path)
    (nb_dir / "explore.ipynb").write_text(nbformat.writes(nbformat.v4.new_notebook()))
    (nb_dir / "my_sprints.ipynb").write_text(nbformat.writes(nbformat.v4.new_notebook()))
    jobs = rp.plan_reports(ds, ds.data_dir, nb_dir)
    extra = [j for j in jobs if j.kind == "extra"]
    assert [j.target for j in extra] == ["extra/my_sprints"]


def _with_log(ds, log):
    return dataclasses.replace(ds, log=log, _cache={})


def test_changing_one_athletes_rows_changes_only_its_digest_and_the_shared_reports(ds, tmp_path):
    nb_dir = _notebooks(tmp_path)
    before = {j.target: j.digest for j in rp.plan_reports(ds, ds.data_dir, nb_dir)}
    log = ds.log.copy()
    row = log.index[log["athlete_id"] == "A02"][0]
    log.loc[row, "hf_reps"] = log.loc[row, "hf_reps"] + 1
    after = {j.target: j.digest for j in rp.plan_reports(_with_log(ds, log), ds.data_dir, nb_dir)}
    changed = sorted(t for t in before if before[t] != after[t])
    assert changed == sorted(
        [
            "athletes/A02",
            "data_quality",
            "cohorts/sex",
            "cohorts/squad",
            "cohorts/program",
            "cohorts/age_category",
            "squad",  # the squad's answer uses every athlete; the other athletes' takeaway
            # text (squad estimate to 2 decimals) did not move, so they are not rerun
        ]
    )


def test_digest_changes_with_the_notebook_and_the_parameters(ds, tmp_path):
    nb_dir = _notebooks(tmp_path)
    base = {j.target: j.digest for j in rp.plan_reports(ds, ds.data_dir, nb_dir)}
    longer = {j.target: j.digest for j in rp.plan_reports(ds, ds.data_dir, nb_dir, window_days=42)}
    assert all(base[t] != longer[t] for t in base if t != "data_quality")
    assert base["data_quality"] == longer["data_quality"]  # no window parameter
    nb = nbformat.read(nb_dir / "athlete_report.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("a new paragraph"))
    nbformat.write(nb, nb_dir / "athlete_report.ipynb")
    edited = {j.target: j.digest for j in rp.plan_reports(ds, ds.data_dir, nb_dir)}
    assert edited["athletes/A01"] != base["athletes/A01"]
    assert edited["cohorts/sex"] == base["cohorts/sex"]


def _spec(tmp_path: Path) -> dict:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nb.cells[0].metadata["tags"] = ["parameters"]
    src = tmp_path / "tiny.ipynb"
    nbformat.write(nb, src)
    return {
        "notebook": str(src),
        "out": str(tmp_path / "out"),
        "target": "athletes/X",
        "parameters": {"x": 2},
        "retries": 3,
    }


def test_run_one_retries_a_kernel_that_fails_to_start(tmp_path, monkeypatch):
    import papermill
    import zmq

    calls = []

    def flaky(input_path, output_path, **kw):
        calls.append(kw)
        if len(calls) < 3:
            raise zmq.error.ZMQError(98, "Address already in use")
        nb = nbformat.read(input_path, as_version=4)
        nbformat.write(nb, output_path)

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    waits = []
    res = rp.run_one(_spec(tmp_path), sleep=waits.append)
    assert res["status"] == "ok", res
    assert res["attempts"] == 3
    assert waits == [0.5, 1.0]  # back-off doubles
    assert calls[0]["kernel_manager_class"].__name__ == "HipflexKernelManager"
    out = tmp_path / "out"
    assert (out / "athletes/X.html").is_file() and (out / "athletes/X.ipynb").is_file()
    assert not list((out / ".hipflex" / "tmp").glob("*.ipynb"))  # temp file renamed


def test_run_one_gives_up_after_the_last_start_failure(tmp_path, monkeypatch):
    import papermill

    def dead(input_path, output_path, **kw):
        raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(papermill, "execute_notebook", dead)
    res = rp.run_one(_spec(tmp_path), sleep=lambda s: None)
    assert res["status"] == "failed" and res["attempts"] == 3
    assert "Kernel died" in res["error"]
    # the notebook is kept at its pinned path with the error stated at the top
    nb = nbformat.read(tmp_path / "out" / "athletes/X.ipynb", as_version=4)
    assert "did not finish" in nb.cells[0].source


def test_run_one_does_not_retry_an_error_raised_by_a_cell(tmp_path, monkeypatch):
    import papermill
    from papermill.exceptions import PapermillExecutionError

    calls = []

    def broken(input_path, output_path, **kw):
        calls.append(1)
        nbformat.write(nbformat.read(input_path, as_version=4), output_path)
        raise PapermillExecutionError(1, 1, "x = 1", "ValueError", "bad data for X", [])

    monkeypatch.setattr(papermill, "execute_notebook", broken)
    res = rp.run_one(_spec(tmp_path), sleep=lambda s: None)
    assert len(calls) == 1
    assert res["status"] == "failed"
    assert res["error"].startswith("ValueError: bad data for X")


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (RuntimeError("Kernel died before replying to kernel_info"), True),
        (RuntimeError("Kernel didn't respond in 60 seconds"), True),
        (TimeoutError("Kernel didn't respond to heartbeats in 60 seconds and timed out"), True),
        (RuntimeError("something in a cell"), False),
        (ValueError("Address already in use"), False),
    ],
)
def test_start_failures_are_told_apart_from_other_errors(exc, expected):
    assert rp_kernels._is_start_failure(exc) is expected


def test_index_escapes_titles_and_errors_and_links_the_failed_notebook(ds, tmp_path):
    job = rp.ReportJob("athlete", "A01", '<script>alert("x")</script>', "nb", "athletes/A01", {})
    ok = rp.ReportJob("athlete", "A02", "Zoë & <b>co</b>", "nb", "athletes/A02", {})
    statuses = [
        rp.ReportStatus(job, "failed", error="ValueError: <img src=x onerror=alert(1)>"),
        rp.ReportStatus(ok, "skipped"),
    ]
    path = rp.write_index(tmp_path, statuses, {}, ds, Path(ds.data_dir), 0.0, 1.0)
    text = path.read_text(encoding="utf-8")
    assert "<script>alert" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in text
    assert "Zoë &amp; &lt;b&gt;co&lt;/b&gt;" in text
    assert "Failed reports" in text and "href='athletes/A01.ipynb'" in text
    assert "SYNTHETIC DATA" in text  # write_sample marks the folder synthetic
    assert f"latest date in the data <b>{ds.summary()['last_date']}</b>" in text


def test_manifest_round_trip_and_a_corrupt_manifest_means_rerun_everything(tmp_path):
    p = tmp_path / "m.json"
    rp_manifest._write_manifest(p, {"athletes/A01": {"digest": "abc", "status": "ok"}})
    assert rp_manifest._read_manifest(p) == {"athletes/A01": {"digest": "abc", "status": "ok"}}
    assert json.loads(p.read_text())["version"] == 1
    p.write_text("{not json")
    assert rp_manifest._read_manifest(p) == {}


def test_a_second_run_into_the_same_folder_while_one_is_running_is_refused(tmp_path):
    state = tmp_path / "out" / ".hipflex"
    state.mkdir(parents=True)
    with rp_build._exclusive(state / "lock"):
        with pytest.raises(hf.DataError, match="another hipflex report"):
            rp.build_reports(tmp_path / "raw", tmp_path / "out")
    with rp_build._exclusive(state / "lock"):  # released: can be taken again
        pass


def test_digest_covers_the_elite_splits_and_the_catalog_in_use(ds, tmp_path, monkeypatch):
    from analysis import fatigue
    from analysis.catalog import CATALOG_ENV, default_catalog_path

    nb_dir = _notebooks(tmp_path)
    elite = tmp_path / "elite_splits.csv"
    elite.write_bytes(fatigue.ELITE_SPLITS_PATH.read_bytes())
    catalog = tmp_path / "exercises.csv"
    catalog.write_bytes(default_catalog_path().read_bytes())
    monkeypatch.setattr(fatigue, "ELITE_SPLITS_PATH", elite)
    monkeypatch.setenv(CATALOG_ENV, str(catalog))

    def digests():
        return {j.target: j.digest for j in rp.plan_reports(ds, ds.data_dir, nb_dir)}

    base = digests()
    assert rp.reference_files() == [elite, catalog]
    # a corrected world-class split (drawn in every athlete report)
    elite.write_text(elite.read_text(encoding="utf-8").replace("9.92", "9.91"), encoding="utf-8")
    after_elite = digests()
    assert all(after_elite[t] != base[t] for t in base if t.startswith("athletes/"))
    # a new display name in the catalog in use (the legends of the volume charts)
    catalog.write_text(
        catalog.read_text(encoding="utf-8").replace(",High knees,", ",High-knee runs,"),
        encoding="utf-8",
    )
    after_catalog = digests()
    assert all(after_catalog[t] != after_elite[t] for t in base)
    # and which catalog is in use
    other = tmp_path / "other.csv"
    other.write_bytes(catalog.read_bytes())
    monkeypatch.setenv(CATALOG_ENV, str(other))
    assert digests()["athletes/A01"] != after_catalog["athletes/A01"]


def test_a_failed_report_page_is_a_short_escaped_summary_linking_the_notebook(
    tmp_path, monkeypatch
):
    import papermill
    from papermill.exceptions import PapermillExecutionError

    traceback = [
        "\x1b[0;31mValueError\x1b[0m Traceback (most recent call last)",
        'File /work/.venv/lib/python3.12/site-packages/x.py:1, in f()\n  raise ValueError("no")',
    ]

    def broken(input_path, output_path, **kw):
        nb = nbformat.read(input_path, as_version=4)
        nb.cells[0].outputs = [
            nbformat.v4.new_output("error", ename="ValueError", evalue="bad", traceback=traceback)
        ]
        nbformat.write(nb, output_path)
        raise PapermillExecutionError(
            1, 1, "x = 1", "ValueError", "bad <b>data</b> & $\\frac$ for X", traceback
        )

    monkeypatch.setattr(papermill, "execute_notebook", broken)
    res = rp.run_one(_spec(tmp_path), sleep=lambda s: None)
    assert res["status"] == "failed"
    page = (tmp_path / "out" / "athletes/X.html").read_text(encoding="utf-8")
    assert "did not finish" in page
    assert "ValueError: bad &lt;b&gt;data&lt;/b&gt; &amp; $\\frac$ for X" in page
    assert "Traceback" not in page and ".venv" not in page and "site-packages" not in page
    assert "href='X.ipynb'" in page and "href='../index.html'" in page
    assert "mathjax" not in page.lower() and "<script" not in page
    # the notebook keeps the full error
    nb = nbformat.read(tmp_path / "out" / "athletes/X.ipynb", as_version=4)
    assert any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))


def test_error_summary_is_one_short_line():
    assert rp.error_summary("\x1b[31mValueError\x1b[0m:\n  bad   data") == "ValueError: bad data"
    long = rp.error_summary("x " * 500, limit=50)
    assert len(long) == 50 and long.endswith("…")


def test_every_page_is_exported_without_mathjax_your_own_notebooks_too():
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/html": "<p>Meet $\\frac$ &amp; $x^2$</p>"}
        )
    ]
    nb = nbformat.v4.new_notebook(cells=[cell])
    report = rp_export._export_html(nb, "t")
    assert "mathjax" not in report.lower()
    assert "Meet $\\frac$ &amp; $x^2$" in report
    assert "<title>t</title>" in report
