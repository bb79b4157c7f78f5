"""Benchmark: the report batch at 12, 50 and 200 sample athletes, locally and on Dask.

For each size N: ``hipflex sample DIR --athletes N``, then, cold (empty OUT, no cache),

- ``hipflex report DIR --out OUT --jobs 2 --quiet`` (the local runner, 2 worker processes);
- ``hipflex report DIR --out OUT --scheduler tcp://… --quiet`` on a
  ``distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1)`` started
  by this script (one report at a time per worker, like ``--jobs 2``).

Prints, per run: reports, wall time, reports per minute, CPU seconds per report (the
command and every process it started, plus the Dask workers and what they started; both
include the one clean of the data) and peak memory per job (the largest resident memory
of one job's process tree, sampled every 0.2 s: a local worker with its kernel, or a Dask
worker with its report process and kernel), and the peak of the whole run.

Run: ``.venv/bin/python benchmarks/report_scale.py [--sizes 12,50,200]`` (needs the
``dask`` extra). On a shared 2-core machine, run ``--sizes 12``.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _tree_rss(p: psutil.Process) -> int:
    total = 0
    for q in [p, *p.children(recursive=True)]:
        try:
            total += q.memory_info().rss
        except psutil.Error:
            pass
    return total


class Sampler:
    """Peak resident memory of each job's process tree and of the whole run."""

    def __init__(self, jobs) -> None:
        self.jobs = jobs  # callable -> list of psutil.Process (one per job) and the roots
        self.peak_job = 0
        self.peak_all = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                per_job, roots = self.jobs()
                self.peak_job = max([self.peak_job, *(_tree_rss(j) for j in per_job)])
                self.peak_all = max(self.peak_all, sum(_tree_rss(r) for r in roots))
            except psutil.Error:
                pass
            self.stop.wait(0.2)

    def __enter__(self) -> Sampler:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _proc_cpu(procs: list[psutil.Process]) -> float:
    total = 0.0
    for p in procs:
        t = p.cpu_times()
        total += t.user + t.system + t.children_user + t.children_system
    return total


def _reports(out: Path) -> tuple[int, int]:
    """Reports built and reports failed, from the manifest."""
    import json

    m = json.loads((out / ".hipflex" / "manifest.json").read_text())["reports"]
    return len(m), sum(r["status"] == "failed" for r in m.values())


def run_command(argv: list[str], job_procs) -> dict:
    """Run a hipflex command; wall, CPU (its tree + ``job_procs`` extra), peak memory."""
    extra = job_procs("extra")
    cpu0, extra0 = _children_cpu(), _proc_cpu(extra)
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    root = psutil.Process(proc.pid)

    def jobs():
        return job_procs(root), [root, *extra]

    with Sampler(jobs) as s:
        _, err = proc.communicate()
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):  # 1: the sample's not-data sheet, or a failed report
        print(err.decode()[-2000:], file=sys.stderr)
        raise SystemExit(f"{argv[1]} exited {proc.returncode}")
    cpu = (_children_cpu() - cpu0) + (_proc_cpu(extra) - extra0)
    return {"wall": wall, "cpu": cpu, "peak_job": s.peak_job, "peak_all": s.peak_all}


def local_jobs(root):
    """The local runner's jobs: its worker processes (with their kernels); no extra."""
    if root == "extra":
        return []
    return [c for c in root.children() if "_worker_main" in " ".join(c.cmdline())]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="12,50,200", help="athlete counts, comma-separated")
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    import distributed

    env_note = f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    print(f"report_scale: sizes {sizes}; {env_note}")
    rows = []
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        worker_pids = list(client.run(os.getpid).values())
        workers = [psutil.Process(p) for p in worker_pids]

        def dask_jobs(root):
            return workers  # each job is a Dask worker with its report process and kernel

        for n in sizes:
            with tempfile.TemporaryDirectory(prefix=f"hf-scale-{n}-") as tmp:
                tmp = Path(tmp)
                subprocess.run(
                    [_bin("hipflex"), "sample", str(tmp / "data"), "--athletes", str(n),
                     "--seed", str(args.seed)],
                    check=True, stdout=subprocess.DEVNULL,
                )  # fmt: skip
                for engine in ("local", "dask"):
                    out = tmp / f"out-{engine}"
                    argv = [_bin("hipflex"), "report", str(tmp / "data"), "--out", str(out)]
                    argv.append("--quiet")
                    if engine == "local":
                        r = run_command([*argv, "--jobs", "2"], local_jobs)
                    else:
                        r = run_command(
                            [*argv, "--scheduler", cluster.scheduler_address], dask_jobs
                        )
                    reports, failed = _reports(out)
                    r.update(athletes=n, engine=engine, reports=reports, failed=failed)
                    rows.append(r)
                    print(_line(r), flush=True)
    print()
    print(f"{'athletes':>8} {'engine':>6} {'reports':>7} {'wall s':>8} {'rep/min':>8} "
          f"{'CPU s/rep':>9} {'peak/job MB':>11} {'peak all MB':>11}")  # fmt: skip
    for r in rows:
        print(
            f"{r['athletes']:>8} {r['engine']:>6} {r['reports']:>7} {r['wall']:>8.1f} "
            f"{60 * r['reports'] / r['wall']:>8.1f} {r['cpu'] / max(r['reports'], 1):>9.2f} "
            f"{r['peak_job'] / 2**20:>11.0f} {r['peak_all'] / 2**20:>11.0f}"
        )
    return 0


def _line(r: dict) -> str:
    return (
        f"  {r['athletes']} athletes, {r['engine']}: {r['reports']} reports ({r['failed']} failed) "
        f"in {r['wall']:.1f} s "
        f"({60 * r['reports'] / r['wall']:.1f}/min), {r['cpu'] / max(r['reports'], 1):.2f} CPU s "
        f"per report, peak {r['peak_job'] / 2**20:.0f} MB per job, {r['peak_all'] / 2**20:.0f} MB "
        "in all"
    )


if __name__ == "__main__":
    sys.exit(main())
