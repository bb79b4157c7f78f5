"""Benchmark: a federation's season end to end, at 500, 2,000 and 5,000 athletes (issue 25).

For each size N, cold (fresh folders, no cache), the stages a federation runs:

1. ``sample`` — ``hipflex sample DIR --athletes N --seed S`` (a subprocess);
2. ``clean`` — ``hipflex clean DIR --out PROCESSED`` (a subprocess: what a user runs to
   get the processed tables; not part of ``hipflex report``);
3. ``load`` — :func:`analysis.load_dataset` in this process: the one clean ``hipflex
   report`` makes before planning;
4. ``plan`` — :func:`analysis.reports.batch.plan.plan_reports` (which fits the squad once per
   event for every athlete's takeaway);
5. ``snapshot`` — the run's cleaned tables written for the kernels (their ``tables``
   parameter), one part per page;
6. ``squad+cohorts+quality`` — those reports (``OUT/squad.html``, ``OUT/cohorts/*.html``,
   ``OUT/data_quality.html``) on the local runner, 2 worker processes (``--jobs 2``),
   from the run's snapshot as the batch writes it;
7. ``athletes (local)`` — ``--athlete-reports`` athlete reports on the local runner,
   2 workers;
8. ``athletes (dask)`` — the same reports on a ``distributed.LocalCluster`` of 2 worker
   processes, one thread each (``hipflex report --scheduler``'s engine; the cluster is
   started before the clock starts).

Prints per stage: wall seconds, CPU seconds (this process, every process it started and
waited for, and the Dask workers with what they started) and peak resident memory (the
largest sum over the stage's processes, sampled every 0.2 s: the subprocess's tree for
1–2, this process and its workers with their kernels for 3–8). Then the projected wall
time of all N athlete reports with 1, 2, 4 and 8 workers: the measured seconds per report
per worker (the 2-worker wall time × 2 / reports) × N / workers — each added worker on a
core of its own; on a shared machine the measured seconds per report carry the load.

The machine's CPUs and load average are printed first: on a shared machine read the CPU
seconds, not the wall times.

Run: ``.venv/bin/python benchmarks/federation.py [--sizes 500,2000,5000]
[--athlete-reports 6]`` (needs the ``dask`` extra for stage 7; ``--no-dask`` skips it).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ME = psutil.Process()


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _rss(procs) -> int:
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


class Stage:
    """Wall, CPU seconds and peak memory of one stage (a ``with`` block).

    ``roots``: a callable returning the processes whose trees are measured (default this
    process); ``extra``: long-lived processes not waited for (Dask workers) whose CPU
    times are added.
    """

    def __init__(self, name: str, n: int, roots=None, extra=()) -> None:
        self.name, self.n = name, n
        self.roots = roots or (lambda: [ME])
        self.extra = list(extra)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _tree(self) -> list[psutil.Process]:
        out = []
        for r in self.roots():
            with contextlib.suppress(psutil.Error):
                out += [r, *r.children(recursive=True)]
        for w in self.extra:
            with contextlib.suppress(psutil.Error):
                out += [w, *w.children(recursive=True)]
        return list({p.pid: p for p in out}.values())

    def _sample(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(psutil.Error):
                self.peak = max(self.peak, _rss(self._tree()))
            self._stop.wait(0.2)

    def _cpu(self) -> float:
        me = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        total = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
        for w in self.extra:
            with contextlib.suppress(psutil.Error):
                t = w.cpu_times()
                total += t.user + t.system + t.children_user + t.children_system
        return total

    def __enter__(self) -> Stage:
        self._cpu0 = self._cpu()
        self._t0 = time.perf_counter()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self._t0
        self.cpu = self._cpu() - self._cpu0
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss(self._tree()))
        print(
            f"  {self.n:>5} {self.name:<24} {self.wall:>8.1f} s {self.cpu:>8.1f} CPU s "
            f"{self.peak / 2**20:>7.0f} MB",
            flush=True,
        )


def run(argv: list[str], name: str, n: int) -> Stage:
    """A hipflex command as a stage: its process tree measured, its exit code checked."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    root = psutil.Process(proc.pid)
    st = Stage(name, n, roots=lambda: [root])
    with st:
        _, err = proc.communicate()
    if proc.returncode not in (0, 1):  # 1: the sample's not-data sheet is named, not data
        print(err.decode()[-2000:], file=sys.stderr)
        raise SystemExit(f"{name} exited {proc.returncode}")
    return st


def failed(statuses) -> int:
    bad = [s for s in statuses if s.status != "ok"]
    for s in bad[:3]:
        print(f"    failed: {s.job.target}: {s.error[:200]}", file=sys.stderr)
    return len(bad)


def one_size(n: int, args, tmp: Path) -> dict:
    from analysis import load_dataset
    from analysis.reports.batch.build import _write_snapshot
    from analysis.reports.batch.plan import plan_reports
    from analysis.reports.batch.runner import run_jobs

    data, out = tmp / "data", tmp / "out"
    rows: dict = {"athletes": n, "stages": []}
    rows["stages"].append(
        run([_bin("hipflex"), "sample", str(data), "--athletes", str(n), "--seed",
             str(args.seed)], "sample", n)
    )  # fmt: skip
    rows["stages"].append(
        run([_bin("hipflex"), "clean", str(data), "--out", str(tmp / "processed")], "clean", n)
    )
    with Stage("load", n) as st:
        ds = load_dataset(data, cache_dir=tmp / "cache")
    rows["stages"].append(st)
    with Stage("plan", n) as st:
        jobs = plan_reports(ds, data, window_days=28)
    rows["stages"].append(st)
    squad = [j for j in jobs if j.kind in ("squad", "cohort", "data_quality")]
    athletes = [j for j in jobs if j.kind == "athlete"][: args.athlete_reports]
    snapshot = tmp / "snapshot"
    with Stage("snapshot", n) as st:
        todo = _write_snapshot(ds, snapshot, [*squad, *athletes])
    rows["stages"].append(st)
    squad, athletes = todo[: len(squad)], todo[len(squad) :]
    with Stage(f"squad+cohorts+quality ({len(squad)})", n) as st:
        res = run_jobs(squad, out, workers=2, timeout=3600, snapshot=snapshot)
    st.failed = failed(res)
    rows["stages"].append(st)
    with Stage(f"athletes ({len(athletes)}, local)", n) as st:
        res = run_jobs(athletes, out, workers=2, timeout=3600, snapshot=snapshot)
    st.failed = failed(res)
    rows["stages"].append(st)
    rows["per_report"] = st.wall * 2 / max(len(athletes), 1)
    rows["cpu_per_report"] = st.cpu / max(len(athletes), 1)
    if not args.no_dask:
        import distributed

        from analysis.reports.batch.cluster import cluster_engine

        # started for this stage only: its idle processes are not in the other stages' peaks
        with (
            distributed.LocalCluster(
                n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0"
            ) as lc,
            distributed.Client(lc) as client,
        ):
            workers = [psutil.Process(p) for p in client.run(os.getpid).values()]
            engine = cluster_engine(client, data, snapshot, tables_param=True)
            with Stage(f"athletes ({len(athletes)}, dask)", n, extra=workers) as st:
                res = engine(list(athletes), tmp / "out-dask", workers=None, timeout=3600)
        st.failed = failed(res)
        rows["stages"].append(st)
        rows["per_report_dask"] = st.wall * 2 / max(len(athletes), 1)
    del ds
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="500,2000,5000", help="athlete counts, comma-separated")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--athlete-reports", type=int, default=6, help="athlete reports timed")
    ap.add_argument("--no-dask", action="store_true", help="skip the Dask stage")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    load = os.getloadavg()
    print(
        f"federation: sizes {sizes}; {os.cpu_count()} CPUs, load average "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min)",
        flush=True,
    )
    print(f"  {'N':>5} {'stage':<24} {'wall':>10} {'CPU':>12} {'peak':>10}")
    results = []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix=f"hf-federation-{n}-") as tmp:
            results.append(one_size(n, args, Path(tmp)))
    load = os.getloadavg()
    print(f"\nload average at the end: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
    print(
        "\nprojected wall time of all N athlete reports: s per report per worker x N / workers"
        "\n(measured wall on this machine, local and Dask; and CPU s per report: a quiet core"
        " per worker)"
    )
    print(f"  {'N':>5} {'s/report':>9} " + " ".join(f"{w:>2} workers" for w in (1, 2, 4, 8)))
    for r in results:
        for key, label in (
            ("per_report", "local, wall"),
            ("per_report_dask", "dask, wall"),
            ("cpu_per_report", "CPU s"),
        ):
            if key not in r:
                continue
            s = r[key]
            cells = " ".join(f"{_hm(r['athletes'] * s / w):>10}" for w in (1, 2, 4, 8))
            print(f"  {r['athletes']:>5} {s:>8.1f}s {cells}  ({label})")
    print(
        "\neverything but the athlete reports: what `hipflex report` runs for them (it cleans"
        "\nthe folder once: load + plan + snapshot + squad/cohorts/quality), wall and CPU s;"
        "\nthen with a separate `hipflex clean` too:"
    )
    for r in results:
        path = [st for st in r["stages"][2:] if "athletes" not in st.name]
        wall, cpu = sum(st.wall for st in path), sum(st.cpu for st in path)
        clean = r["stages"][1]
        print(f"  {r['athletes']:>5} athletes: {wall:.0f} s wall, {cpu:.0f} CPU s "
              f"(target < 120 s); with `hipflex clean`: {wall + clean.wall:.0f} s")  # fmt: skip
    return 0


def _hm(seconds: float) -> str:
    m = seconds / 60
    return f"{m:.0f} min" if m < 120 else f"{m / 60:.1f} h"


if __name__ == "__main__":
    sys.exit(main())
