"""The report runner under stress: time limits, many parallel kernels, nothing left behind.

These run tiny notebooks (no hipflex imports in the kernel), so they exercise the runner,
not the reports. Kernels are recognised as ours by the ``HIPFLEX_CACHE_DIR`` that every
worker passes to its kernels (a folder under this test's ``tmp_path``), so kernels of
other processes on the machine are never counted.
"""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import psutil
import pytest
from helpers import write_notebook

from analysis import reports as rp

pytestmark = pytest.mark.slow

RESULTS_MIME = "application/vnd.hipflex.results+json"


def _hello(tmp_path: Path) -> Path:
    return write_notebook(
        tmp_path / "hello.ipynb",
        "x = 0",
        "from IPython.display import display\n"
        f"display({{'{RESULTS_MIME}': {{'x2': x * 2}}, 'text/plain': 'x'}}, raw=True)",
    )


def _jobs(nb: Path, n: int, prefix: str = "athletes/R") -> list[rp.ReportJob]:
    return [
        rp.ReportJob("athlete", str(i), f"r{i}", str(nb), f"{prefix}{i:02d}", {"x": i})
        for i in range(n)
    ]


def _recorded(path: Path) -> dict:
    nb = nbformat.read(path, as_version=4)
    out = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            out.update(o.get("data", {}).get(RESULTS_MIME, {}))
    return out


def _our_kernels(marker: Path) -> list[psutil.Process]:
    """Live kernel processes started by a run whose cache dir lies under ``marker``."""
    found = []
    for p in psutil.process_iter(["cmdline"]):
        try:
            if not any("ipykernel" in part for part in (p.info["cmdline"] or [])):
                continue
            if p.status() == psutil.STATUS_ZOMBIE:
                continue
            if p.environ().get("HIPFLEX_CACHE_DIR", "").startswith(str(marker)):
                found.append(p)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def _no_kernels_left(marker: Path, grace: float = 5.0) -> list[psutil.Process]:
    end = time.monotonic() + grace
    while (left := _our_kernels(marker)) and time.monotonic() < end:
        time.sleep(0.2)
    return left


def test_a_report_over_the_time_limit_is_stopped_and_its_kernel_killed(tmp_path):
    slow = write_notebook(
        tmp_path / "slow.ipynb", "seconds = 1", "import time\ntime.sleep(seconds)"
    )
    jobs = [
        rp.ReportJob("athlete", "slow", "slow", str(slow), "athletes/slow", {"seconds": 300}),
        *_jobs(_hello(tmp_path), 3),
    ]
    out = tmp_path / "out"
    t0 = time.monotonic()
    res = rp.run_jobs(jobs, out, workers=2, timeout=20, cache_dir=tmp_path / "cache")
    assert time.monotonic() - t0 < 120
    by = {r.job.target: r for r in res}
    assert by["athletes/slow"].status == "failed"
    assert "time limit of 20 s" in by["athletes/slow"].error
    assert [by[f"athletes/R{i:02d}"].status for i in range(3)] == ["ok"] * 3
    # the stopped report keeps its notebook (and an HTML page saying it did not finish)
    nb = nbformat.read(out / "athletes/slow.ipynb", as_version=4)
    assert "did not finish" in nb.cells[0].source
    assert "did not finish" in (out / "athletes/slow.html").read_text(encoding="utf-8")
    assert _no_kernels_left(tmp_path) == []


def test_forty_reports_on_four_workers_three_times_no_failure_and_no_kernel_left(tmp_path):
    hello = _hello(tmp_path)
    for round_ in range(3):
        out = tmp_path / f"out{round_}"
        res = rp.run_jobs(_jobs(hello, 40), out, workers=4, timeout=120, cache_dir=tmp_path / "c")
        assert len(res) == 40
        failed = [(r.job.target, r.error) for r in res if r.status != "ok"]
        assert failed == []
        # each report ran with its own parameters
        assert [_recorded(out / f"athletes/R{i:02d}.ipynb")["x2"] for i in range(40)] == [
            2 * i for i in range(40)
        ]
        assert _no_kernels_left(tmp_path) == []
    leftovers = list((tmp_path / "out0" / ".hipflex" / "tmp").glob("*"))
    assert leftovers == []
