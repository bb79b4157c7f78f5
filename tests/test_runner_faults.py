"""The report runner attacked as a failing machine would (issue 14) and its process handling
(issue 13): a killed run, Ctrl-C, a full or read-only disk, bad notebooks, colliding ids,
pages that would reach the internet, a ``--jobs`` default that does not fit memory.

Most tests run tiny notebooks of their own (no hipflex import in the kernel) or an
in-process fake worker, so they exercise the runner, not the reports.
"""

from __future__ import annotations

import errno
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import ClassVar

import nbformat
import pandas as pd
import psutil
import pytest
from helpers import SAMPLE_TODAY, tiny_report_notebooks

import analysis as hf
from analysis import cli
from analysis.dataset import save_dataset
from analysis.errors import DataError
from analysis.reports.batch import export, runner
from analysis.reports.batch import worker as rp_worker
from analysis.reports.batch.jobs import NOTEBOOKS
from analysis.reports.batch.plan import plan_reports

ROOT = Path(__file__).resolve().parents[1]
HIPFLEX = [sys.executable, "-m", "analysis.cli"]


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def data(sample_folder) -> Path:
    return sample_folder(athletes=2, seed=3, today=SAMPLE_TODAY)


def _alive(ps: list[psutil.Process]) -> list[psutil.Process]:
    left = []
    for p in ps:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                left.append(p)
        except psutil.NoSuchProcess:
            continue
    return left


def _pages(out: Path) -> dict[str, str]:
    return {
        str(p.relative_to(out)): p.read_text(encoding="utf-8")
        for p in out.rglob("*.html")
        if ".hipflex" not in p.parts and p.name != "index.html"
    }


class _InlineWorker:
    """A worker run in this process, with papermill replaced by a copy: fast and
    monkeypatchable (the real runner loop, export and manifest around it)."""

    def __init__(self, env: dict, log_path: Path) -> None:
        self.spec: dict | None = None

    def send(self, spec: dict) -> None:
        self.spec = spec

    def receive(self, deadline: float) -> dict:
        return rp_worker.run_one(self.spec, sleep=lambda s: None)

    def kill(self) -> None:
        pass

    def close(self) -> None:
        pass


@pytest.fixture
def inline(monkeypatch):
    import papermill

    def copy(inp, outp, **kw):
        shutil.copyfile(inp, outp)

    monkeypatch.setattr(papermill, "execute_notebook", copy)
    monkeypatch.setattr(runner, "_Worker", _InlineWorker)


# --------------------------------------------------------------- 1. die with the parent


@pytest.mark.slow
def test_a_killed_report_run_leaves_no_process_and_never_overwrites_the_next_run(data, tmp_path):
    out = tmp_path / "out"
    slow = tiny_report_notebooks(tmp_path / "nb1", "RUN-ONE", seconds=10)
    fast = tiny_report_notebooks(tmp_path / "nb2", "RUN-TWO")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [*HIPFLEX, "report", str(data), "--out", str(out), "--jobs", "2"]
    first = subprocess.Popen(
        [*cmd, "--notebooks", str(slow)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        parent = psutil.Process(first.pid)
        end = time.monotonic() + 90
        kernels: list[psutil.Process] = []
        while time.monotonic() < end and not kernels:
            time.sleep(0.2)
            kids = parent.children(recursive=True)
            kernels = [p for p in kids if "ipykernel_launcher" in " ".join(_cmdline(p))]
        assert kernels, "the first run never started a kernel"
        time.sleep(0.5)
        ours = parent.children(recursive=True)  # workers and kernels of the first run
        first.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        first.wait(10)
        second = subprocess.run(
            [*cmd, "--notebooks", str(fast)],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        # 1: the sample holds a sheet of notes that is not data (named); no report failed
        assert second.returncode in (0, 1) and " 0 failed" in second.stdout, second.stderr
        # --jobs default that fits memory: the choice is printed at the start of a run
        assert "reports to run, 2 at a time (--jobs)" in second.stderr
        time.sleep(max(0.0, killed + 5 - time.monotonic()))
        assert [p.pid for p in _alive(ours)] == []
        # past the moment the first run's reports would have finished and been written
        time.sleep(max(0.0, killed + 12 - time.monotonic()))
        pages = _pages(out)
        assert pages and all("RUN-TWO" in t and "RUN-ONE" not in t for t in pages.values())
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()


def _cmdline(p: psutil.Process) -> list[str]:
    try:
        return p.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return []


def test_a_worker_whose_parent_dies_exits_by_the_watchdog_where_prctl_is_missing(tmp_path):
    pid_file = tmp_path / "child.pid"
    child = tmp_path / "child.py"
    child.write_text(
        "import os, sys, time\n"
        "from analysis.reports.batch import worker\n"
        "worker._set_pdeathsig = lambda sig=None: False\n"
        "assert worker.die_with_parent(poll=0.1) == 'watchdog'\n"
        "open(sys.argv[1], 'w').write(str(os.getpid()))\n"
        "time.sleep(60)\n"
    )
    parent = (
        "import os, subprocess, sys, time\n"
        "subprocess.Popen([sys.executable, sys.argv[1], sys.argv[2]], start_new_session=True)\n"
        "while not os.path.exists(sys.argv[2]):\n"
        "    time.sleep(0.05)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", parent, str(child), str(pid_file)], env=env, timeout=60)
    orphan = psutil.Process(int(pid_file.read_text()))
    end = time.monotonic() + 5
    while _alive([orphan]) and time.monotonic() < end:
        time.sleep(0.1)
    assert _alive([orphan]) == []


def test_a_page_is_never_renamed_once_a_newer_run_owns_out(tmp_path):
    out = tmp_path / "out"
    (out / ".hipflex").mkdir(parents=True)
    (out / ".hipflex" / "run").write_text("new-run\n")
    (out / "athletes").mkdir()
    (out / "athletes" / "X.html").write_text("the new run's page")
    nb = tiny_report_notebooks(tmp_path / "nb", "OLD") / NOTEBOOKS["athlete"]
    spec = {"notebook": str(nb), "title": "X", "run_id": "old-run"}
    with pytest.raises(export.StaleRun):
        export._finalize(tmp_path / "missing.ipynb", out, "athletes/X", spec, None)
    assert (out / "athletes" / "X.html").read_text() == "the new run's page"
    assert not (out / "athletes" / "X.ipynb").exists()
    assert [p.name for p in (out / "athletes").iterdir()] == ["X.html"]  # no temp left


def test_a_private_out_that_no_run_claimed_is_written(tmp_path):
    # a cluster worker's own output folder: no OUT/.hipflex/run to compare with
    nb = tiny_report_notebooks(tmp_path / "nb", "MINE") / NOTEBOOKS["athlete"]
    spec = {"notebook": str(nb), "title": "X", "run_id": "some-run"}
    sha = export._finalize(tmp_path / "missing.ipynb", tmp_path / "out", "athletes/X", spec, None)
    assert sha and (tmp_path / "out" / "athletes" / "X.html").is_file()


@pytest.mark.slow  # long-running
def test_the_manifest_trusts_only_pages_its_run_wrote(data, tmp_path, inline):
    out = tmp_path / "out"
    nbs = tiny_report_notebooks(tmp_path / "nb", "PAGE")
    first = hf.reports.build_reports(data, out, jobs=1, progress=False, notebooks_dir=nbs)
    assert first.ok, first.summary()
    page = out / first.reports[-1].html_path
    page.write_text("written by a killed run's worker", encoding="utf-8")
    second = hf.reports.build_reports(data, out, jobs=1, progress=False, notebooks_dir=nbs)
    assert [r.html_path for r in second.ran] == [first.reports[-1].html_path]
    assert "killed run" not in page.read_text(encoding="utf-8")


# ------------------------------------------------------------ issue 13: kill only ours


@pytest.mark.slow
def test_ctrl_c_kills_hipflex_workers_but_no_other_child_of_the_caller(tmp_path):
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    env = runner._worker_env(tmp_path / "cache")
    w = runner._Worker(env, tmp_path / "w.log")
    try:
        runner._kill_all_workers()
        assert w.proc.poll() is not None  # the worker is gone
        time.sleep(0.2)
        assert other.poll() is None  # the caller's own child is not
    finally:
        other.kill()
        other.wait()


def test_descendants_fall_back_to_proc_when_psutil_fails(monkeypatch):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:

        def broken(*a, **k):
            raise psutil.Error("no psutil here")

        monkeypatch.setattr(psutil, "Process", broken)
        assert child.pid in runner._descendants(os.getpid())
    finally:
        child.kill()
        child.wait()


def test_descendants_say_so_when_nothing_can_be_listed(monkeypatch, capsys):
    def broken(*a, **k):
        raise psutil.Error("no psutil here")

    def no_proc():
        raise OSError(errno.ENOENT, "no /proc")

    monkeypatch.setattr(psutil, "Process", broken)
    where = sys.modules[runner._descendants.__module__]  # analysis.reports.batch.procs
    monkeypatch.setattr(where, "_proc_children", no_proc, raising=False)
    assert runner._descendants(os.getpid()) == []
    assert "cannot list the processes" in capsys.readouterr().err


# ----------------------------------------------------------- 2. kernels never re-clean


def test_a_kernel_reads_exactly_the_runs_snapshot_and_never_cleans(data, tmp_path, monkeypatch):
    ds = hf.load_dataset(data)
    snap = tmp_path / "snap"
    save_dataset(ds, snap)
    folder = tmp_path / "changed"
    shutil.copytree(data, folder)
    roster = folder / "athletes.csv"
    roster.write_text(roster.read_text() + "Z99,Zed Other,M,1999-01-01\n")  # changed mid-run
    import analysis.dataset as dsmod

    def never(*a, **k):
        raise AssertionError("a kernel cleaned the folder again")

    monkeypatch.setattr(dsmod, "read_folder", never)
    monkeypatch.setenv("HIPFLEX_SNAPSHOT", str(tmp_path / "elsewhere"))  # read by nothing
    got = hf.load_dataset(folder, tables=snap)  # the kernel's ``tables`` parameter
    pd.testing.assert_frame_equal(got.athletes, ds.athletes)
    pd.testing.assert_frame_equal(got.log, ds.log)
    pd.testing.assert_frame_equal(got.fatigue, ds.fatigue)
    assert got.synthetic == ds.synthetic


def test_a_missing_snapshot_fails_in_one_line_without_a_server_path(data, tmp_path, monkeypatch):
    with pytest.raises(DataError) as exc:
        hf.load_dataset(data, tables=tmp_path / "gone")
    msg = str(exc.value)
    assert "\n" not in msg and "missing" in msg and str(tmp_path) not in msg


def test_no_environment_variable_stands_in_for_the_tables(data, tmp_path, monkeypatch):
    # the variable the kernels once read: set to a snapshot of other tables, it changes nothing
    other = tmp_path / "other"
    save_dataset(hf.load_dataset(data).athlete("A01"), other)
    monkeypatch.setenv("HIPFLEX_SNAPSHOT", str(other))
    assert len(hf.load_dataset(data).athletes) == 2


def test_the_workers_pass_the_snapshot_to_their_kernels(tmp_path):
    from analysis.reports.batch.jobs import report_parameters

    env = runner._worker_env(tmp_path / "cache")
    assert "HIPFLEX_SNAPSHOT" not in env  # a parameter, never a variable
    spec = {"parameters": {"data_dir": "club"}, "snapshot": str(tmp_path / "snap"), "tables": ""}
    assert report_parameters(spec) == {"data_dir": "club", "tables": str(tmp_path / "snap")}
    part = report_parameters({**spec, "tables": "athletes/A01"})["tables"]
    assert part == str(tmp_path / "snap" / "athletes" / "A01")  # an athlete's own tables
    assert "tables" not in report_parameters({"parameters": {"data_dir": "club"}})


def test_a_failure_page_names_no_server_path(tmp_path):
    err = f"DataError: data folder not found: {tmp_path}/club/athletes.csv (row 3)"
    assert str(tmp_path) not in export.error_summary(err)
    assert "athletes.csv (row 3)" in export.error_summary(err)
    assert export.error_summary("3x10/10/8 on 2026/11/01") == "3x10/10/8 on 2026/11/01"


# ---------------------------------------------------------------- 3. filesystem errors


def _read_only(monkeypatch, root: Path) -> None:
    """``root`` read-only: chmod, and (as root, who ignores modes) every write refused."""
    root.chmod(0o555)
    if os.geteuid() != 0:
        return
    prefix = str(root.resolve())

    def under(path) -> bool:
        try:
            return os.path.abspath(os.fspath(path)).startswith(prefix)
        except TypeError:
            return False

    def refuse(path):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fspath(path))

    real_mkdir, real_open, real_os_open = os.mkdir, open, os.open

    def mkdir(path, *a, **k):
        return refuse(path) if under(path) else real_mkdir(path, *a, **k)

    def os_open(path, flags, *a, **k):
        if under(path) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            refuse(path)
        return real_os_open(path, flags, *a, **k)

    def b_open(file, mode="r", *a, **k):
        if isinstance(file, str | os.PathLike) and under(file) and set(mode) & set("wax+"):
            refuse(file)
        return real_open(file, mode, *a, **k)

    monkeypatch.setattr(os, "mkdir", mkdir)
    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr("builtins.open", b_open)


@pytest.mark.parametrize("command", ["report", "clean"])
def test_a_read_only_out_is_one_line_and_a_non_zero_exit(command, data, tmp_path, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir()
    _read_only(monkeypatch, ro)
    try:
        import contextlib
        import io

        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            rc = cli.main([command, str(data), "--out", str(ro / "out")])
    finally:
        monkeypatch.undo()
        ro.chmod(0o755)
    lines = [x for x in err.getvalue().splitlines() if x.startswith("hipflex: error")]
    assert rc == 2
    assert len(lines) == 1 and "Traceback" not in err.getvalue()
    assert "Read-only" in lines[0] or "Permission denied" in lines[0]


@pytest.mark.slow  # long-running
def test_a_full_disk_stops_the_batch_keeps_old_pages_and_rewrites_the_index(
    data, tmp_path, monkeypatch, inline, capsys
):
    out = tmp_path / "out"
    nbs = tiny_report_notebooks(tmp_path / "nb", "NEW")
    planned = plan_reports(hf.load_dataset(data), data, nbs)
    for j in planned:  # the pages of an earlier run
        p = out / (j.target + ".html")
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(f"OLD {j.target}", encoding="utf-8")
    real = pathlib.Path.write_bytes
    written = []

    def full_disk(self, data):
        if self.name.endswith(".tmp") and ".html." in self.name:
            if written:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
            written.append(self.name)
        return real(self, data)

    monkeypatch.setattr(pathlib.Path, "write_bytes", full_disk)
    monkeypatch.setattr(
        pathlib.Path, "write_text", lambda self, t, **k: full_disk(self, t.encode())
    )
    # the index is still written (its template write goes through the io module's temp file)
    monkeypatch.setattr(
        "analysis.reports.batch.index.write_text_atomic",
        lambda target, text: (real(Path(target), text.encode()), Path(target))[1],
    )
    result = hf.reports.build_reports(data, out, jobs=1, progress=False, notebooks_dir=nbs)
    err = capsys.readouterr().err
    assert not result.ok
    assert result.not_attempted and "disk is full" in result.stopped
    assert f"{len(result.not_attempted)} report(s) not attempted" in err
    assert len(result.ran) == 2  # one page written, one refused, then no more scheduled
    pages = _pages(out)
    assert len(pages) == len(planned)  # every old page is still there, whole
    assert sum(t.startswith("OLD ") for t in pages.values()) == len(planned) - 1
    assert not [p for p in out.rglob("*.tmp") if ".hipflex" not in p.parts]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "not attempted (an older page)" not in index  # no old notebook beside the pages
    (out / (result.not_attempted[0].target + ".ipynb")).write_text("{}", encoding="utf-8")
    from analysis.reports.batch.index import write_index

    write_index(
        out, result.reports, {}, hf.load_dataset(data), data, 0.0, 1.0,
        not_attempted=result.not_attempted,
    )  # fmt: skip
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count("not attempted (an older page)") == 1


def test_a_missing_notebooks_folder_is_named_before_any_work(data, tmp_path, capsys):
    out = tmp_path / "out"
    rc = cli.main(["report", str(data), "--out", str(out), "--notebooks", str(tmp_path / "nope")])
    err = capsys.readouterr().err
    assert rc == 2 and "notebooks folder not found" in err and "nope" in err
    assert not out.exists()


@pytest.mark.parametrize("name", ["athlete_report.ipynb", "mine.ipynb"])
def test_an_invalid_notebook_is_named_before_any_work(name, data, tmp_path, capsys):
    nbs = tiny_report_notebooks(tmp_path / "nb", "X")
    (nbs / name).write_text("{ not a notebook", encoding="utf-8")
    out = tmp_path / "out"
    rc = cli.main(["report", str(data), "--out", str(out), "--notebooks", str(nbs)])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and name in err[0] and "not a valid notebook" in err[0]
    assert not out.exists()


def test_a_missing_pinned_notebook_is_named_before_any_work(data, tmp_path, capsys):
    nbs = tiny_report_notebooks(tmp_path / "nb", "X")
    (nbs / "data_quality.ipynb").unlink()
    with pytest.raises(DataError, match=r"data_quality\.ipynb not found"):
        hf.reports.build_reports(data, tmp_path / "out", notebooks_dir=nbs, progress=False)
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------- 4. one page per athlete

IDS = ["ADA", "ada", "a/da", "a da", "x y", "x_y-73dec593", "A01"]


def _roster_folder(path: Path, ids: list[str]) -> Path:
    path.mkdir()
    rows = [f'"{i}",Name {n},F,2001-01-{n + 1:02d}' for n, i in enumerate(ids)]
    (path / "athletes.csv").write_text(
        "athlete_id,name,sex,birth_date\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    (path / "log.csv").write_text(
        f"athlete,date,exercise,prescription\n{ids[0]},2026-03-01,leg raise,3x10\n"
    )
    return path


def test_every_athlete_gets_a_page_of_their_own_across_case_and_slugging(tmp_path):
    folder = _roster_folder(tmp_path / "club", IDS)
    ds = hf.load_dataset(folder)
    targets = [j.target for j in plan_reports(ds, folder) if j.kind == "athlete"]
    assert len(targets) == len(IDS)
    assert len({t.casefold() for t in targets}) == len(IDS)  # also on a case-insensitive disk
    assert "athletes/A01" in targets  # a safe id that collides with nothing keeps its name
    # the same names on every run, and whatever the roster order
    again = _roster_folder(tmp_path / "club2", list(reversed(IDS)))
    by_id = {j.key: j.target for j in plan_reports(hf.load_dataset(again), again)}
    assert {j.key: j.target for j in plan_reports(ds, folder)} == by_id


# --------------------------------------------------------------- 5. self-contained pages


def test_an_exported_page_loads_no_script_or_style_from_outside():
    # the pinned reports and notebooks of your own (prose with maths) share one export
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": "<p>hi</p>"})]
    prose = nbformat.v4.new_markdown_cell("Fade per $100$ reps: $\\beta = -0.1$")
    nb = nbformat.v4.new_notebook(cells=[prose, cell])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    page = export._export_html(nb, "t")
    outside = re.compile(
        r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|@import|url\(\s*["']?(?:https?:)?//"""
        r"""|import\(\s*["'](?:https?:)?//|require\.js|cdnjs|unpkg|jsdelivr""",
        re.I,
    )
    assert outside.findall(page) == []
    assert "mathjax" not in page.lower() and "$\\beta = -0.1$" in page


@pytest.mark.slow  # long-running
def test_a_notebook_of_your_own_loads_no_mathjax_either(data, tmp_path, inline):
    # your own notebooks (OUT/extra/) were exported with MathJax from a CDN for their prose
    nbs = tiny_report_notebooks(tmp_path / "nb", "PAGE")
    mine = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("Fade per $100$ reps: $\\beta < 0$")]
    )
    nbformat.write(mine, nbs / "my_look.ipynb")
    out = tmp_path / "out"
    res = hf.reports.build_reports(data, out, jobs=1, progress=False, notebooks_dir=nbs)
    assert res.ok, res.summary()
    page = (out / "extra" / "my_look.html").read_text(encoding="utf-8")
    assert "mathjax" not in page.lower() and "$\\beta &lt; 0$" in page


# ------------------------------------------------------------------- 6. --jobs default


def test_the_jobs_default_is_the_cores_bounded_by_memory():
    gb = 2**30
    assert runner.default_workers(cores=16, available=int(2.4 * gb), per_job=int(0.6 * gb))[0] == 4
    assert runner.default_workers(cores=2, available=100 * gb, per_job=gb)[0] == 2
    assert runner.default_workers(cores=8, available=gb // 10, per_job=gb)[0] == 1
    n, why = runner.default_workers(cores=16, available=3 * gb, per_job=gb)
    assert n == 3 and "16 cores" in why and "3.0 GB available" in why


def test_kernels_get_absolute_table_paths_when_out_is_relative(tmp_path, monkeypatch) -> None:
    # `hipflex report DIR --out out` (a relative OUT): kernels start in the notebook's
    # folder, so a relative snapshot path would point nowhere and every report would fail
    from analysis.dataset import CACHE_ENV
    from analysis.reports.batch.jobs import ReportJob, report_parameters
    from analysis.reports.batch.runner import _worker_env

    monkeypatch.chdir(tmp_path)
    env = _worker_env(Path("out/.hipflex/cache"))
    seen: dict = {}

    class Capture(_InlineWorker):
        def receive(self, deadline: float) -> dict:
            seen.update(self.spec)
            return {"target": self.spec["target"], "status": "ok", "error": "", "attempts": 1}

    monkeypatch.setattr(runner, "_Worker", Capture)
    job = ReportJob("athlete", "A01", "A01", "nb.ipynb", "athletes/A01", {}, tables="athletes/A01")
    runner.run_jobs([job], Path("out"), workers=1, snapshot=Path("out/.hipflex/snapshots/r1"))
    tables = report_parameters(seen)["tables"]
    assert tables == str(tmp_path / "out/.hipflex/snapshots/r1/athletes/A01")
    assert env[CACHE_ENV] == str(tmp_path / "out/.hipflex/cache")


class _HangingWorker(_InlineWorker):
    """A worker whose report never ends: it answers nothing until its deadline."""

    killed: ClassVar[list[str]] = []

    def receive(self, deadline: float) -> dict | None:
        time.sleep(max(0.0, min(deadline - time.monotonic(), 5.0)))
        return None

    def kill(self) -> None:
        _HangingWorker.killed.append("killed")


def _one_job():
    from analysis.reports.batch.jobs import ReportJob

    return ReportJob("athlete", "A01", "A01", "nb.ipynb", "athletes/A01", {}, tables="athletes/A01")


def test_a_worker_started_while_ctrl_c_sweeps_the_workers_is_killed_not_waited_for(
    tmp_path, monkeypatch
):
    # Ctrl-C kills the workers it finds; one starting at that instant was not among them
    # (seen once under load: the run then waited for that worker's whole report)
    stop = runner.StopBatch()

    class StartsDuringTheSweep(_HangingWorker):
        def __init__(self, env: dict, log_path: Path) -> None:
            super().__init__(env, log_path)
            stop.interrupt()

    _HangingWorker.killed = []
    monkeypatch.setattr(runner, "_Worker", StartsDuringTheSweep)
    t0 = time.monotonic()
    done = runner.run_jobs([_one_job()], tmp_path / "out", workers=1, timeout=60, stop=stop)
    assert done == [] and time.monotonic() - t0 < 5
    assert _HangingWorker.killed


def test_a_stopped_batch_stops_waiting_for_a_running_report_within_seconds(tmp_path, monkeypatch):
    import threading

    stop = runner.StopBatch()
    _HangingWorker.killed = []
    monkeypatch.setattr(runner, "_Worker", _HangingWorker)
    threading.Timer(0.5, stop.interrupt).start()
    t0 = time.monotonic()
    done = runner.run_jobs([_one_job()], tmp_path / "out", workers=1, timeout=60, stop=stop)
    assert done == [] and time.monotonic() - t0 < 5, "it waited for the report"
    assert _HangingWorker.killed
