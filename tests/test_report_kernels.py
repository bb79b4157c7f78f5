"""Kernels forked from a worker's zygote (:mod:`analysis.reports.batch.kernels`): each report still
gets a process of its own that holds nothing of the report before it, the figures still
show, and without the zygote (``$HIPFLEX_FORK_KERNELS=0``) kernels start the usual way.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import nbformat
import pytest

from analysis.reports.batch import kernels as rp_kernels
from analysis.reports.batch import worker as rp_worker

pytestmark = pytest.mark.slow

MIME = "application/x-hipflex-test+json"

#: Records the kernel's pid and parent, whether the previous report's secret is visible,
#: and draws one figure with the notebooks' own call (plt.show on the inline backend).
BODY = (
    "import os, sys, json\n"
    "import matplotlib.pyplot as plt\n"
    "from IPython.display import display\n"
    "seen = 'secret' in globals()\n"
    "display({'" + MIME + "': {'pid': os.getpid(), 'ppid': os.getppid(), 'seen': seen,\n"
    "         'cwd': os.getcwd(), 'who': who}, 'text/plain': 'probe'}, raw=True)\n"
    "secret = 'data of ' + who\n"
    "fig, ax = plt.subplots()\n"
    "ax.plot([1, 2], [3, 4])\n"
    "plt.show()\n"
)


def _notebook(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = nbformat.v4.new_code_cell('who = ""')
    p.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=[p, nbformat.v4.new_code_cell(BODY)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}  # fmt: skip
    path = folder / "probe.ipynb"
    nbformat.write(nb, str(path))
    return path


def _run(nb: Path, out: Path, who: str) -> tuple[dict, int]:
    spec = {"title": who, "notebook": str(nb), "out": str(out), "target": who,
            "parameters": {"who": who}, "kernel_name": "python3", "timeout": 120,
            "start_timeout": 60, "retries": 1}  # fmt: skip
    res = rp_worker.run_one(spec)
    assert res["status"] == "ok", res["error"]
    done = nbformat.read(str(out / f"{who}.ipynb"), as_version=4)
    rec, pngs = None, 0
    for cell in done.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            pngs += "image/png" in data
            if MIME in data:
                v = data[MIME]
                rec = json.loads(v) if isinstance(v, str) else v
    assert rec is not None
    return rec, pngs


@pytest.fixture
def fresh_zygote(monkeypatch):
    monkeypatch.setenv(rp_kernels.FORK_ENV, "1")
    rp_worker.shutdown()
    yield
    rp_worker.shutdown()


def test_each_report_gets_a_fresh_forked_kernel_that_holds_nothing_of_the_one_before(
    tmp_path, fresh_zygote
):
    nb = _notebook(tmp_path / "nb")
    first, pngs1 = _run(nb, tmp_path / "out", "A01")
    zygote = rp_kernels._Zygote.proc
    assert zygote is not None and zygote.poll() is None
    second, pngs2 = _run(nb, tmp_path / "out", "A02")
    assert first["ppid"] == second["ppid"] == zygote.pid  # forked by the worker's zygote
    assert first["pid"] != second["pid"]  # a process of its own per report
    assert not first["seen"] and not second["seen"]  # nothing of A01 in A02's kernel
    assert first["cwd"] == second["cwd"] == str(nb.parent)  # runs in the notebook's folder
    assert pngs1 == pngs2 == 1  # the inline backend still shows figures
    for rec in (first, second):  # the kernels are gone after their report
        with pytest.raises(ProcessLookupError):
            os.kill(rec["pid"], 0)
    # the CPU of the reaped kernels is counted (the profile benchmark adds it)
    assert rp_worker.kernels_cpu() > 0


def test_a_dead_zygote_is_replaced_and_the_next_report_runs(tmp_path, fresh_zygote):
    nb = _notebook(tmp_path / "nb")
    _run(nb, tmp_path / "out", "A01")
    old = rp_kernels._Zygote.proc
    old.send_signal(signal.SIGKILL)
    old.wait()
    rec, _ = _run(nb, tmp_path / "out", "A02")
    assert rp_kernels._Zygote.proc is not old and rec["ppid"] == rp_kernels._Zygote.proc.pid


@pytest.mark.parametrize("flag", ["0", None])
def test_without_the_zygote_kernels_start_the_usual_way(tmp_path, monkeypatch, flag):
    # turned off, or not asked for outside hipflex's own workers (FORK_DEFAULT is False)
    rp_worker.shutdown()
    if flag is None:
        monkeypatch.delenv(rp_kernels.FORK_ENV, raising=False)
    else:
        monkeypatch.setenv(rp_kernels.FORK_ENV, flag)
    rec, pngs = _run(_notebook(tmp_path / "nb"), tmp_path / "out", "A01")
    assert rp_kernels._Zygote.proc is None
    assert rec["ppid"] == os.getpid()  # the launcher exec'd the kernel: our own child
    assert pngs == 1
