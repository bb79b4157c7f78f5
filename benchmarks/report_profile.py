"""Profile: where one athlete report's time goes, today's main against this checkout.

For every athlete of ``write_sample(athletes=N, seed=2026)`` one report is run the way a
warm hipflex worker runs it, one after the other in one worker process per configuration:
the worker cleans once, writes the run's snapshot (``$HIPFLEX_SNAPSHOT``, as
``hipflex report`` does), plans the batch with ``plan_reports`` (so each report gets the
parameters the real batch gives it) and calls ``worker.run_one`` (papermill with a fresh
kernel, then the HTML export) per athlete report. Two configurations, in the same run:

- **baseline** — ``analysis/``, ``notebooks/`` and ``data/reference/`` of a frozen commit
  (default ``b37ef83``: main when the per-report cost work of issue 15 started), extracted
  with ``git archive`` into a temporary folder and run with its own ``analysis`` on
  ``PYTHONPATH`` (its own clean, snapshot, plan, worker, notebook and export);
- **current** — this checkout.

For the breakdown each configuration runs a copy of its own athlete notebook whose first
code cell's import lines are moved into a cell of their own (imports timed apart from the
data load; the total work is the same). Per report it records

- CPU seconds: the worker's own CPU plus that of its reaped kernels, around ``run_one``;
  and the CPU of the whole loop divided by the reports (which also holds whatever a worker
  does between reports, e.g. a kernel started ahead);
- wall seconds of: kernel start (papermill start to the first cell), each code cell, and
  the HTML export. Wall seconds on a shared machine are inflated by the load; CPU is the
  figure to compare.

It prints the median over athletes per phase for both configurations and the ratio of the
median CPU per report (target: current <= 0.5 x baseline). The load average is printed
before and after; repeat with ``--rounds`` when it is noisy. ``--baseline none`` measures
this checkout only.

Run: ``.venv/bin/python benchmarks/report_profile.py [--athletes 12] [--baseline REV]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE_REV = "b37ef83"

#: Runs inside the worker process of one configuration (its own ``analysis`` on sys.path):
#: clean once, write the run's snapshot, plan the batch, then run each athlete report.
WORKER = textwrap.dedent(
    r"""
    import json, os, resource, sys, time
    from pathlib import Path
    cfg = json.loads(Path(sys.argv[1]).read_text())
    out = Path(sys.argv[2])
    try:
        from analysis.reports.batch import worker as R
        from analysis.reports.batch import export as E
    except ImportError:
        try:  # before issue 23
            from analysis.reports import worker as R
            from analysis.reports import export as E
        except ImportError:
            from analysis import report as R
            E = R
    export_s = []
    _orig = E._export_html
    def _timed(*a, **k):
        t = time.perf_counter()
        try:
            return _orig(*a, **k)
        finally:
            export_s.append(time.perf_counter() - t)
    E._export_html = _timed
    if R is not E and hasattr(R, "_export_html"):
        R._export_html = _timed
    def cpu():
        s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        # + a zygote's and its forked kernels' (not children of this process)
        z = getattr(R, "kernels_cpu", None)
        return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime + (z() if z else 0.0)
    import nbformat
    import analysis
    try:  # as in hipflex's own workers (kernels forked from the worker's zygote)
        from analysis.reports.batch import kernels as K
        K.FORK_DEFAULT = True
    except ImportError:
        try:
            from analysis.reports import kernels as K
            K.FORK_DEFAULT = True
        except ImportError:
            pass
    from analysis import dataset as D
    from analysis import reports as rp
    # what `hipflex report` does before the first report, by this configuration's own code
    # (untimed): one clean, the run's snapshot for every kernel, the plan
    ds = analysis.load_dataset(cfg["data_dir"], cache_dir=os.environ["HIPFLEX_CACHE_DIR"])
    snap = out / ".hipflex" / "snapshots" / "profile"
    D.save_dataset(ds, snap)
    if hasattr(D, "SNAPSHOT_ENV"):  # before issue 23: the kernels read a variable
        os.environ[D.SNAPSHOT_ENV] = str(snap.resolve())
    jobs = [j for j in rp.plan_reports(ds, cfg["data_dir"]) if j.kind == "athlete"]
    rows = []
    c_all, t_all = cpu(), time.perf_counter()
    for j in jobs:
        if hasattr(j, "spec"):  # exactly what this configuration's runner hands a worker
            spec = j.spec(str(out), kernel_name="python3", timeout=600, retries=3, run_id="",
                          snapshot=str(snap.resolve()))  # the kernels' ``tables`` (issue 23)
            spec["notebook"] = cfg["notebook"]
        else:
            spec = {"title": j.title, "notebook": cfg["notebook"], "out": str(out),
                    "target": j.target, "parameters": j.parameters, "kernel_name": "python3",
                    "timeout": 600, "start_timeout": 60, "retries": 3, "maths": False,
                    "run_id": ""}
        export_s.clear()
        c0, t0 = cpu(), time.perf_counter()
        res = R.run_one(spec)
        c1, t1 = cpu(), time.perf_counter()
        nb = nbformat.read(str(out / (spec["target"] + ".ipynb")), as_version=4)
        start = nb.metadata.get("papermill", {}).get("start_time")
        cells = []
        for c in nb.cells:
            pm = c.get("metadata", {}).get("papermill", {})
            if c.cell_type == "code" and pm.get("duration") is not None:
                label = c.metadata.get("hipflex_profile") or "injected parameters"
                cells.append([label, pm["start_time"], pm["duration"]])
        rows.append({"status": res["status"], "error": res.get("error", ""), "cpu": c1 - c0,
                     "wall": t1 - t0, "start": start, "cells": cells, "export": sum(export_s)})
    # whatever the worker does between reports (kernels started ahead, reaped later) is in
    # the total: CPU of the whole loop / reports
    close = getattr(R, "shutdown", None)
    if close is not None:
        close()
    total = (cpu() - c_all) / max(len(jobs), 1)
    print(json.dumps({"rows": rows, "cpu_total_per_report": total,
                      "wall_total_per_report": (time.perf_counter() - t_all) / max(len(jobs), 1)}))
    """
)


def _loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _profile_notebook(src: Path, dst: Path) -> list[str]:
    """Copy of the athlete notebook: an imports cell first, every code cell labelled."""
    import nbformat

    nb = nbformat.read(str(src), as_version=4)
    labels = []
    heading = "top"
    first_code = None
    for i, c in enumerate(nb.cells):
        if c.cell_type == "markdown":
            line = c.source.strip().splitlines()[0] if c.source.strip() else ""
            heading = "figure/text: " + (line.lstrip("# ").strip()[:30] or heading)
        elif c.cell_type == "code":
            tags = c.metadata.get("tags", [])
            if "parameters" in tags:
                c.metadata["hipflex_profile"] = "parameters"
                continue
            if first_code is None:
                first_code = i
                label = "data load + statistics"
            else:
                label = heading
            if "remove-cell" in tags:
                label = "recorded results"
            c.metadata["hipflex_profile"] = label
    # the first code cell's own import lines move into a cell of their own (same work)
    cell = nb.cells[first_code]
    lines = cell.source.splitlines()
    head = [ln for ln in lines if ln.startswith(("import ", "from "))]
    cell.source = "\n".join(ln for ln in lines if ln not in head)
    imports = nbformat.v4.new_code_cell("\n".join(head))
    imports.metadata["hipflex_profile"] = "imports"
    nb.cells.insert(first_code, imports)
    for c in nb.cells:
        if c.cell_type == "code" and c.metadata.get("hipflex_profile"):
            labels.append(c.metadata["hipflex_profile"])
    nbformat.write(nb, str(dst))
    return labels


def _baseline_tree(rev: str, dest: Path) -> Path | None:
    """``analysis/``, ``notebooks/`` and ``data/reference/`` of ``rev`` under ``dest``."""
    try:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", rev, "analysis", "notebooks", "data/reference"],
            check=True,
            capture_output=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"no baseline tree ({exc}); only the current checkout is measured")
        return None
    dest.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def _run(tree: Path, cfg: dict, work: Path, cache: Path) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    (work / "cfg.json").write_text(json.dumps(cfg))
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tree)
    env["HIPFLEX_CACHE_DIR"] = str(cache)
    env.pop("HIPFLEX_SNAPSHOT", None)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    env.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    proc = subprocess.run(
        [sys.executable, "-c", WORKER, str(work / "cfg.json"), str(work / "out")],
        env=env,
        cwd=str(work),
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"profile worker of {tree} failed ({proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _phases(rows: list[dict]) -> dict[str, list[float]]:
    from datetime import datetime

    def ts(s: str) -> float:
        return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()

    out: dict[str, list[float]] = {}
    for r in rows:
        ph: dict[str, float] = {}
        first = min((c[1] for c in r["cells"]), default=None)
        if r["start"] and first:
            ph["kernel start"] = ts(first) - ts(r["start"])
        for label, _, dur in r["cells"]:
            ph[label] = ph.get(label, 0.0) + float(dur)
        ph["HTML export"] = r["export"]
        ph["wall per report"] = r["wall"]
        ph["CPU per report"] = r["cpu"]
        for k, v in ph.items():
            out.setdefault(k, []).append(v)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--athletes", type=int, default=12)
    ap.add_argument(
        "--baseline",
        default=BASELINE_REV,
        help="git revision of 'today' ('none': this checkout only)",
    )
    ap.add_argument("--rounds", type=int, default=1, help="repeat both configurations")
    args = ap.parse_args()

    sys.path.insert(0, str(ROOT))
    from analysis.sample import write_sample

    tmp = Path(tempfile.mkdtemp(prefix="hipflex-profile-"))
    try:
        data = tmp / "raw"
        write_sample(data, athletes=args.athletes, seed=2026)
        trees = {"current": ROOT}
        base = None if args.baseline == "none" else _baseline_tree(args.baseline, tmp / "baseline")
        if base is not None:
            trees = {f"baseline {args.baseline}": base, **trees}
        results: dict[str, dict[str, list[float]]] = {}
        totals: dict[str, list[float]] = {}
        print(f"{args.athletes} athlete reports per configuration; load average {_loadavg()}")
        for rnd in range(args.rounds):
            for name, tree in trees.items():
                nb = tmp / f"athlete_report_{name.split()[0]}.ipynb"
                labels = _profile_notebook(tree / "notebooks" / "athlete_report.ipynb", nb)
                work = tmp / f"w-{rnd}-{name.split()[0]}"
                got = _run(tree, {"data_dir": str(data), "notebook": str(nb)}, work, work / "cache")
                rows = got["rows"]
                totals.setdefault(name, []).append(got["cpu_total_per_report"])
                bad = [r["error"] for r in rows if r["status"] != "ok"]
                if bad:
                    raise SystemExit(f"{name}: {len(bad)} reports failed: {bad[0]}")
                for k, v in _phases(rows).items():
                    results.setdefault(name, {}).setdefault(k, []).extend(v)
                del labels
        names = list(results)
        keys = list(dict.fromkeys(k for n in names for k in results[n]))
        print(f"\nmedian seconds per athlete report (wall, CPU where said); load {_loadavg()}")
        print(f"{'phase':<44}" + "".join(f"{n:>22}" for n in names))
        for k in keys:
            cells = []
            for n in names:
                v = results[n].get(k)
                cells.append(f"{statistics.median(v):22.2f}" if v else f"{'—':>22}")
            print(f"{k:<44}" + "".join(cells))
        if len(names) == 2:
            b = statistics.median(results[names[0]]["CPU per report"])
            c = statistics.median(results[names[1]]["CPU per report"])
            tb, tc = statistics.median(totals[names[0]]), statistics.median(totals[names[1]])
            print(
                f"\nCPU of the whole loop / reports (kernels started ahead included): "
                f"today's {tb:.2f} s, now {tc:.2f} s: {tc / tb:.2f}x"
            )
            print(
                f"median CPU per athlete report: today's ({names[0]}) {b:.2f} s, "
                f"now {c:.2f} s: {c / b:.2f}x of today's (target <= 0.50x)"
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
