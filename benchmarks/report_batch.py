"""Benchmark: ``hipflex report`` against the loop a user would write, on the same reports.

Data: ``write_sample(athletes=12, seed=2026)`` — 12 athlete reports, one cohort report per
roster column and the data-quality report (the same list ``hipflex report`` plans).

- baseline: for each report, ``papermill.execute_notebook`` and then
  ``jupyter nbconvert --to html --no-input`` in a subprocess, one after the other; the
  kernels clean the raw files themselves (no cache), as a plain loop would;
- ``hipflex report DIR --out OUT`` run as a command, cold (empty OUT, no cache);
- the same command again with nothing changed.

All three run in the same invocation, one after the other. Prints for each the wall time
and the CPU seconds (this process and every reaped child: kernels, workers, nbconvert,
the ``hipflex`` command; on a shared machine CPU is the steadier figure), the speed-up
(target ≥ 3×, issue 15) and the unchanged re-run as a percentage of the cold run (target
≤ 5 %). ``--athletes-only`` runs only the athlete reports in the plain loop, i.e. the 12
athlete reports against ``hipflex report`` (which also builds the squad, cohort and
data-quality pages: a comparison that favours the loop).

Run: ``.venv/bin/python benchmarks/report_batch.py [--athletes-only]``.
"""

from __future__ import annotations

import argparse
import os
import resource
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


def _cpu() -> float:
    """CPU seconds of this process and of its reaped children (kernels, workers, ...)."""
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def baseline(jobs: list[rp.ReportJob], out: Path) -> tuple[float, float]:
    """The plain loop: papermill then ``jupyter nbconvert`` per report, sequentially."""
    env = {k: v for k, v in os.environ.items() if k != "HIPFLEX_CACHE_DIR"}
    saved = os.environ.pop("HIPFLEX_CACHE_DIR", None)
    t0, c0 = time.perf_counter(), _cpu()
    try:
        for j in jobs:
            ipynb = out / (j.target + ".ipynb")
            ipynb.parent.mkdir(parents=True, exist_ok=True)
            pm.execute_notebook(
                j.notebook,
                str(ipynb),
                parameters=_plain(j.parameters),
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
    return time.perf_counter() - t0, _cpu() - c0


def _plain(params: dict) -> dict:
    """A report's parameters as a user would give them (the notebook makes its takeaway)."""
    return {k: v for k, v in params.items() if k != "takeaway"}


def hipflex_report(data: Path, out: Path) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), _cpu()
    env = {k: v for k, v in os.environ.items() if k != "HIPFLEX_CACHE_DIR"}
    done = subprocess.run(
        [_bin("hipflex"), "report", str(data), "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
    )
    # exit 1 also means "some input not read" (the sample's notes sheet); no report may fail
    if done.returncode not in (0, 1) or " 0 failed" not in done.stdout:
        sys.stderr.write(done.stdout[-2000:] + done.stderr[-2000:])
        raise SystemExit(f"hipflex report failed ({done.returncode})")
    return time.perf_counter() - t0, _cpu() - c0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--athletes-only", action="store_true",
                    help="the plain loop runs only the athlete reports")  # fmt: skip
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hipflex-bench-"))
    try:
        data = tmp / "raw"
        write_sample(data, athletes=ATHLETES, seed=2026)
        ds = hf.load_dataset(data)
        jobs = rp.plan_reports(ds, data)
        n = len(jobs)
        loop = [j for j in jobs if j.kind == "athlete"] if args.athletes_only else jobs
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        print(f"{n} reports ({ATHLETES} athletes), {cores} cores")
        # warm-up: disk caches, matplotlib font cache, kernel spec lookup
        pm.execute_notebook(
            loop[0].notebook, str(tmp / "warm.ipynb"), parameters=_plain(loop[0].parameters),
            kernel_name="python3", progress_bar=False, cwd=str(Path(jobs[0].notebook).parent),
        )  # fmt: skip

        t_base, c_base = baseline(loop, tmp / "baseline")
        print(f"plain loop (papermill + jupyter nbconvert, sequential), {len(loop)} reports: "
              f"{t_base:7.1f} s wall, {c_base:7.1f} s CPU")  # fmt: skip
        t_cold, c_cold = hipflex_report(data, tmp / "out")
        print(f"hipflex report, cold, {n} reports: {t_cold:7.1f} s wall, {c_cold:7.1f} s CPU")
        t_again, c_again = hipflex_report(data, tmp / "out")
        print(f"hipflex report, nothing changed: {t_again:7.1f} s wall, {c_again:7.1f} s CPU")
        print(f"speed-up cold vs the plain loop: {t_base / t_cold:.2f}x wall, "
              f"{c_base / c_cold:.2f}x CPU (target >= 3x)")  # fmt: skip
        print(f"unchanged re-run: {100 * t_again / t_cold:.1f} % of the cold run's wall, "
              f"{100 * c_again / c_cold:.1f} % of its CPU (target <= 5 %)")  # fmt: skip
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
