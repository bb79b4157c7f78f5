"""The report batch on a real Dask cluster (``distributed.LocalCluster``, two worker
processes): the same pages as the local runner, a killed worker or a report over its time
limit fails only that report (or it is retried), no kernel outlives the run, and a
scheduler that cannot be used is one line and exit 2.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import signal
import sys
import threading
import time
import uuid
import warnings
from pathlib import Path

import nbformat
import pytest
from helpers import free_port

distributed = pytest.importorskip("distributed")
import dask  # noqa: E402  (with distributed)

from analysis import cli  # noqa: E402
from analysis.dataset import load_dataset  # noqa: E402
from analysis.reports import build_reports, default_notebooks_dir  # noqa: E402
from analysis.reports.batch import cluster as cl  # noqa: E402
from analysis.reports.batch.jobs import ReportJob  # noqa: E402
from analysis.sample import write_sample  # noqa: E402

#: Every process started under this module's cluster carries it (kernels included).
RUN_MARK = uuid.uuid4().hex


@pytest.fixture(scope="module")
def client():
    old = os.environ.get("HIPFLEX_TEST_CLUSTER")
    os.environ["HIPFLEX_TEST_CLUSTER"] = RUN_MARK  # inherited by workers, children, kernels
    cluster = distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    )
    c = distributed.Client(cluster, set_as_default=False)  # as the CLI makes it
    try:
        yield c
    finally:
        c.close()
        cluster.close()
        if old is None:
            os.environ.pop("HIPFLEX_TEST_CLUSTER", None)
        else:
            os.environ["HIPFLEX_TEST_CLUSTER"] = old


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Two synthetic athletes; notebooks: the athlete report, data quality and the cohort
    notebook (which two athletes give no cohort to compare): 3 reports."""
    root = tmp_path_factory.mktemp("cluster")
    write_sample(root / "data", athletes=2)
    nbs = root / "notebooks"
    nbs.mkdir()
    for name in ("athlete_report.ipynb", "data_quality.ipynb", "cohort_comparison.ipynb"):
        shutil.copy(default_notebooks_dir() / name, nbs / name)
    return root


def _our_kernels() -> list[int]:
    """Kernel processes started under this module's cluster that are still alive."""
    import psutil

    found = []
    for p in psutil.process_iter(["cmdline"]):
        try:
            if "ipykernel" not in " ".join(p.info["cmdline"] or []):
                continue
            if p.environ().get("HIPFLEX_TEST_CLUSTER") == RUN_MARK:
                found.append(p.pid)
        except psutil.Error:
            continue
    return found


def _no_kernels_left(grace: float = 10.0) -> list[int]:
    deadline = time.monotonic() + grace
    while (left := _our_kernels()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def _notebook(path: Path, code: str) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('data_dir = "."')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(code)]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, str(path))
    return path


def _extra(nb: Path, data: Path) -> ReportJob:
    return ReportJob(
        "extra", nb.stem, nb.stem, str(nb), f"extra/{nb.stem}", {"data_dir": str(data.resolve())}
    )


def _engine(folder: Path, client):
    cache = folder / "cache"
    ds = load_dataset(folder / "data", cache_dir=cache)
    return cl.cluster_engine(client, folder / "data", cache, tables_include=[ds.fingerprint])


def _normal_nb(text: str, out: Path) -> str:
    nb = json.loads(text)
    pm = nb["metadata"].get("papermill", {})
    for k in ("start_time", "end_time", "duration"):
        pm.pop(k, None)
    for c in nb["cells"]:
        c.pop("id", None)
        c.get("metadata", {}).pop("execution", None)
        c.get("metadata", {}).pop("papermill", None)
    text = json.dumps(nb, sort_keys=True).replace(str(out), "OUT")
    return re.sub(r"\.hipflex/tmp/[^/]+/", ".hipflex/tmp/RUN/", text)  # the run's own folder


def _normal_html(text: str) -> str:
    return re.sub(r'id="cell-id=[0-9a-f-]+"', "", text)  # papermill's injected cell: random id


@pytest.mark.slow
def test_batch_on_cluster_gives_the_pages_of_the_local_runner(folder, client, tmp_path):
    data, nbs = folder / "data", folder / "notebooks"
    local = build_reports(data, tmp_path / "local", jobs=2, notebooks_dir=nbs, progress=False)
    argv = ["report", str(data), "--out", str(tmp_path / "dask"), "--notebooks", str(nbs)]
    # through the command, with its own client (exit 0: the sample's notes sheet is listed,
    # never a failure: the exit-code contract of docs/scheduling.md)
    assert cli.main([*argv, "--quiet", "--scheduler", client.scheduler.address]) == 0
    assert local.ok
    for r in local.reports:
        a, b = tmp_path / "local" / r.html_path, tmp_path / "dask" / r.html_path
        assert _normal_html(b.read_text()) == _normal_html(a.read_text()), r.html_path
        a, b = tmp_path / "local" / r.ipynb_path, tmp_path / "dask" / r.ipynb_path
        assert _normal_nb(b.read_text(), tmp_path / "dask") == _normal_nb(
            a.read_text(), tmp_path / "local"
        ), r.ipynb_path
    # no trace of the workers' copy of the data folder, and no server path in a page: the
    # data folder is shown by its name
    quality = (tmp_path / "dask" / "data_quality.html").read_text()
    assert str(data.resolve()) not in quality and f"<td>{data.name} <b>" in quality
    for name in ("data_quality.html", "data_quality.ipynb", "athletes/A01.html"):
        page = (tmp_path / "dask" / name).read_text()
        assert "dask-scratch" not in page and "/hipflex-" not in page  # cluster.place
    index = (tmp_path / "dask" / "index.html").read_text()
    assert "athletes/A01.html" in index and "athletes/A02.html" in index
    manifest = json.loads((tmp_path / "dask" / ".hipflex" / "manifest.json").read_text())
    assert {t: m["status"] for t, m in manifest["reports"].items()} == {
        "data_quality": "ok",
        "athletes/A01": "ok",
        "athletes/A02": "ok",
    }
    again = build_reports(
        data, tmp_path / "dask", scheduler=client, notebooks_dir=nbs, progress=False
    )
    assert again.ok and len(again.skipped) == 3  # incremental, as locally
    assert _no_kernels_left() == []
    # the workers keep nothing of the batch
    assert client.run(lambda: len(cl.PLACED)) == dict.fromkeys(client.run(os.getpid), 0)


@pytest.mark.slow
def test_a_worker_killed_mid_report_fails_or_retries_only_that_report(folder, client, tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    slow = _notebook(
        tmp_path / "slow.ipynb",
        "import os, pathlib, time\n"
        f"marks = pathlib.Path({str(marks)!r})\n"
        "first = not (marks / 'started').exists()\n"
        "(marks / f'kernel-{os.getpid()}').touch()\n"
        "(marks / 'started').touch()\n"
        "if first:\n    time.sleep(120)\n"
        "print('slow done')",
    )
    quick = _notebook(tmp_path / "quick.ipynb", "print('quick done')")
    jobs = [_extra(slow, folder / "data"), _extra(quick, folder / "data")]
    killed: list[int] = []

    def kill_the_worker() -> None:
        import psutil

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            pids = [int(p.name.split("-")[1]) for p in marks.glob("kernel-*")]
            if pids:
                worker = psutil.Process(pids[0]).parent().parent()  # kernel < child < worker
                killed.extend([pids[0], worker.pid])
                os.kill(worker.pid, signal.SIGKILL)
                return
            time.sleep(0.1)

    killer = threading.Thread(target=kill_the_worker)
    killer.start()
    res = _engine(folder, client)(jobs, tmp_path / "out", timeout=90)
    killer.join()
    assert killed, "the slow report never started"
    by = {r.job.key: r for r in res}
    assert by["quick"].status == "ok"
    assert by["slow"].status == "ok" or "worker" in by["slow"].error
    for r in res:  # a page and a notebook for each, ok or failed
        assert (tmp_path / "out" / r.html_path).is_file()
        assert (tmp_path / "out" / r.ipynb_path).is_file()
    assert "quick done" in (tmp_path / "out" / "extra/quick.ipynb").read_text()
    assert _no_kernels_left() == []
    import psutil

    assert not psutil.pid_exists(killed[0]) or psutil.Process(killed[0]).status() == "zombie"
    client.wait_for_workers(2, timeout=60)  # the nanny has replaced it


@pytest.mark.slow
def test_a_report_over_its_time_limit_is_stopped_and_its_kernel_killed(folder, client, tmp_path):
    hang = _notebook(tmp_path / "hang.ipynb", "import time\ntime.sleep(300)")
    quick = _notebook(tmp_path / "quick.ipynb", "print('quick done')")
    jobs = [_extra(hang, folder / "data"), _extra(quick, folder / "data")]
    t0 = time.monotonic()
    res = _engine(folder, client)(jobs, tmp_path / "out", timeout=15)  # a loaded machine
    assert time.monotonic() - t0 < 90
    by = {r.job.key: r for r in res}
    assert by["quick"].status == "ok", by["quick"].error
    assert by["hang"].status == "failed" and "time limit of 15 s" in by["hang"].error
    page = (tmp_path / "out" / "extra/hang.html").read_text()
    assert "time limit" in page
    assert _no_kernels_left() == []


@pytest.mark.slow
def test_jobs_caps_the_reports_in_flight_on_the_cluster(folder, client, tmp_path):
    # `hipflex report --jobs 1 --scheduler …`: one report at a time on a two-worker cluster
    code = (
        "import time\nt0 = time.time()\ntime.sleep(1.5)\nprint(f'SPAN {t0:.3f} {time.time():.3f}')"
    )
    jobs = [_extra(_notebook(tmp_path / f"s{i}.ipynb", code), folder / "data") for i in range(3)]
    # the payload goes to the cluster once, as one task: no "large graph" warning for it,
    # even under a threshold of 1 kB (a report task is ~0.7 kB; a federation's snapshot
    # tens of MB)
    with dask.config.set({"distributed.admin.large-graph-warning-threshold": "1kB"}), \
            warnings.catch_warnings(record=True) as caught:  # fmt: skip
        warnings.simplefilter("always")
        res = _engine(folder, client)(jobs, tmp_path / "out", workers=1, timeout=120)
    assert not [w for w in caught if "large graph" in str(w.message)]
    assert [r.status for r in res] == ["ok"] * 3, [r.error for r in res]
    spans = []
    for j in jobs:
        text = (tmp_path / "out" / (j.target + ".ipynb")).read_text(encoding="utf-8")
        a, b = re.search(r"SPAN ([0-9.]+) ([0-9.]+)", text).groups()
        spans.append((float(a), float(b)))
    spans.sort()
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans)), spans


@pytest.mark.parametrize("via", ["option", "env"])
def test_an_unreachable_scheduler_is_one_line_and_exit_2(
    folder, tmp_path, monkeypatch, capsys, via
):
    monkeypatch.setattr(cl, "CONNECT_TIMEOUT", 2.0)
    address = f"tcp://127.0.0.1:{free_port()}"
    argv = ["report", str(folder / "data"), "--out", str(tmp_path / "out")]
    if via == "option":
        argv += ["--scheduler", address]
    else:
        monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", address)
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("hipflex: error: cannot reach the Dask scheduler")
    assert address in err[0]
    assert not (tmp_path / "out" / "index.html").exists()


def test_without_the_dask_extra_the_scheduler_option_is_one_line_and_exit_2(
    folder, tmp_path, monkeypatch, capsys
):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as if not installed
    argv = ["report", str(folder / "data"), "--out", str(tmp_path / "out")]
    assert cli.main([*argv, "--scheduler", "tcp://127.0.0.1:8786"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["hipflex: error: " + cl.EXTRA_MISSING]


def test_kernel_cache_key_is_the_key_load_dataset_uses(folder, tmp_path):
    ds = load_dataset(folder / "data", cache_dir=tmp_path / "c")
    assert cl.kernel_cache_key(folder / "data") == ds.fingerprint


def test_a_cache_entry_keyed_on_another_machine_is_found_by_this_machines_kernels(
    folder, tmp_path, monkeypatch
):
    """The key holds install paths and the date: a worker re-keys the shipped entry."""
    import pandas as pd

    data = folder / "data"
    ds = load_dataset(data, cache_dir=tmp_path / "submitter")
    tables = tmp_path / "tables"
    shutil.copytree(tmp_path / "submitter" / ds.fingerprint, tables / "elsewhere-key")
    marked = tables / "elsewhere-key" / "athletes.parquet"
    pd.read_parquet(marked).head(1).to_parquet(marked, index=False)  # tell the entry apart
    monkeypatch.setenv("HIPFLEX_CLUSTER_REKEY", "elsewhere-key" + os.pathsep + str(data))
    cl.rekey(tables)
    seen = load_dataset(data, cache_dir=tables)  # what a kernel does with $HIPFLEX_CACHE_DIR
    assert len(seen.athletes) == 1 and len(ds.athletes) == 2
