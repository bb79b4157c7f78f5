"""Benchmark: ``hipflex report`` against the loop a user would write, on the same reports.

Data: ``write_sample(athletes=12, seed=2026)`` — 12 athlete reports, one cohort report per
roster column and the data-quality report (the same list ``hipflex report`` plans).

- baseline: for each report, ``papermill.execute_notebook`` and then
  ``jupyter nbconvert --to html --no-input`` in a subprocess, one after the other; the
  kernels clean the raw files themselves (no cache), as a plain loop would;
- ``hipflex report DIR --out OUT`` run as a command, cold (empty OUT, no cache);
- the same command again with nothing changed.

Prints the times, the speed-up (target ≥ 2.5×) and the unchanged re-run as a percentage
of the cold run (target < 10 %). Run: ``.venv/bin/python benchmarks/report_batch.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import papermill as pm

import analysis as hf
from analysis import reports as rp
from analysis.sample import write_sample

ATHLETES = 12


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def baseline(jobs: list[rp.ReportJob], out: Path) -> float:
    """The plain loop: papermill then ``jupyter nbconvert`` per report, sequentially."""
    env = {k: v for k, v in os.environ.items() if k != "HIPFLEX_CACHE_DIR"}
    saved = os.environ.pop("HIPFLEX_CACHE_DIR", None)
    t0 = time.perf_counter()
    try:
        for j in jobs:
            ipynb = out / (j.target + ".ipynb")
            ipynb.parent.mkdir(parents=True, exist_ok=True)
            pm.execute_notebook(
                j.notebook,
                str(ipynb),
                parameters=j.parameters,
                kernel_name="python3",
                progress_bar=False,
                cwd=str(Path(j.notebook).parent),
            )
            subprocess.run(
                [_bin("jupyter"), "nbconvert", "--to", "html", "--no-input", str(ipynb)],
                check=True,
                capture_output=True,
                env=env,
            )
    finally:
        if saved is not None:
            os.environ["HIPFLEX_CACHE_DIR"] = saved
    return time.perf_counter() - t0


def hipflex_report(data: Path, out: Path) -> float:
    t0 = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k != "HIPFLEX_CACHE_DIR"}
    subprocess.run(
        [_bin("hipflex"), "report", str(data), "--out", str(out), "--quiet"],
        check=True,
        env=env,
    )
    return time.perf_counter() - t0


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="hipflex-bench-"))
    try:
        data = tmp / "raw"
        write_sample(data, athletes=ATHLETES, seed=2026)
        ds = hf.load_dataset(data)
        jobs = rp.plan_reports(ds, data)
        n = len(jobs)
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        print(f"{n} reports ({ATHLETES} athletes), {cores} cores")
        # warm-up: disk caches, matplotlib font cache, kernel spec lookup
        pm.execute_notebook(
            jobs[0].notebook, str(tmp / "warm.ipynb"), parameters=jobs[0].parameters,
            kernel_name="python3", progress_bar=False, cwd=str(Path(jobs[0].notebook).parent),
        )  # fmt: skip

        t_base = baseline(jobs, tmp / "baseline")
        print(f"baseline loop (papermill + jupyter nbconvert, sequential): {t_base:7.1f} s")
        t_cold = hipflex_report(data, tmp / "out")
        print(f"hipflex report, cold:                                      {t_cold:7.1f} s")
        t_again = hipflex_report(data, tmp / "out")
        print(f"hipflex report, nothing changed:                           {t_again:7.1f} s")
        print(f"speed-up cold vs baseline: {t_base / t_cold:.2f}x (target >= 2.5x)")
        print(f"unchanged re-run: {100 * t_again / t_cold:.1f} % of the cold run (target < 10 %)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
