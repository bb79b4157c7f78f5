"""Benchmark: hipflex's read of the 500-athlete sample's workbook against a bare calamine read.

Writes ``hipflex sample DIR --athletes 500`` (seed 0) to ``benchmarks/.data/workbook/``
(cached: not written again), takes its largest workbook (``logs/gym_sessions.xlsx``,
~1.6 MB, ~380,000 cells in three sheets) and copies it, with the roster, into a folder of
its own. Then, in this one process, ``--repeat`` times in a rotating order:

* bare calamine: ``python_calamine`` opening the file and turning every sheet into Python
  lists (``to_python``) — the least any calamine-based reader does;
* the pandas user's bare read: ``pandas.read_excel(sheet_name=None, header=None,
  engine="calamine")``, every sheet to a DataFrame (the bare read issue 25 measured
  against: ``load_dataset`` then took 13.5x it);
* hipflex reader: :func:`analysis.ingest.workbook.read_xlsx_rows` (the pre-check that bounds
  the workbook and measures each sheet, calamine, the cells as text, the limits);
* hipflex clean: :func:`analysis.load_dataset` of the folder holding only that workbook
  and the roster (what ``hipflex clean`` does: layout detection, reshaping, cleaning,
  reconciliation).

Prints the medians, each hipflex stage's ratio to the bare read (target: at most 3x), in
wall and in CPU seconds, and the machine's load average (2 cores shared: a loaded machine
slows every stage alike, the ratio less than the seconds). The bare read runs calamine on
one thread. hipflex runs calamine on a second thread, each sheet as soon as the pre-check
has measured it, while the main thread measures the next sheet and turns the last one
into text (calamine releases Python's lock): its wall ratio is below its CPU ratio on two
cores, and both are printed. ``--openpyxl`` adds one read by openpyxl's streaming reader
(the reader before calamine, kept for the sheets calamine cannot read the same way) for
scale.

    .venv/bin/python benchmarks/clean_workbook.py [--athletes 500] [--repeat 5] [--openpyxl]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent / ".data" / "workbook"


def sample_workbook(athletes: int) -> Path:
    """The folder holding the sample's largest workbook and the roster (written once)."""
    from analysis.sample import write_sample

    root = DATA / f"sample{athletes}"
    if not (root / "athletes.csv").exists():
        write_sample(root, athletes=athletes, seed=0)
    book = max(root.rglob("*.xlsx"), key=lambda p: p.stat().st_size)
    only = DATA / f"only{athletes}"
    only.mkdir(parents=True, exist_ok=True)
    for src in (book, root / "athletes.csv"):
        if not (only / src.name).exists():
            shutil.copy(src, only / src.name)
    return only / book.name


def bare_calamine(path: Path) -> int:
    import python_calamine

    with python_calamine.CalamineWorkbook.from_path(str(path)) as wb:
        return sum(len(r) for s in wb.sheet_names for r in wb.get_sheet_by_name(s).to_python())


def pandas_read_excel(path: Path) -> int:
    import pandas as pd

    frames = pd.read_excel(path, sheet_name=None, header=None, engine="calamine")
    return sum(int(f.notna().sum().sum()) for f in frames.values())


def hipflex_reader(path: Path) -> int:
    from analysis.ingest.workbook import read_xlsx_rows

    return sum(len(c) for s in read_xlsx_rows(path, path.name) for _, c in s.rows)


def hipflex_clean(path: Path) -> int:
    import datetime as dt

    import analysis as hf

    return len(hf.load_dataset(path.parent, today=dt.date(2026, 12, 1)).log)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--athletes", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--openpyxl", action="store_true")
    args = ap.parse_args()
    path = sample_workbook(args.athletes)
    stages = {"bare calamine": bare_calamine, "read_excel": pandas_read_excel,
              "hipflex reader": hipflex_reader, "hipflex clean": hipflex_clean}  # fmt: skip
    for f in stages.values():  # imports and first-touch costs out of the timings
        f(path)
    times: dict[str, list[float]] = {k: [] for k in stages}
    cpu: dict[str, list[float]] = {k: [] for k in stages}
    out = {}
    names = list(stages)
    for i in range(args.repeat):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            t, c = time.perf_counter(), time.process_time()
            out[name] = stages[name](path)
            times[name].append(time.perf_counter() - t)
            cpu[name].append(time.process_time() - c)
    base = statistics.median(times["bare calamine"])
    base_cpu = statistics.median(cpu["bare calamine"])
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{path.name}: {path.stat().st_size / 1e6:.1f} MB, {out['bare calamine']:,} cells "
          f"(calamine's grid); load average {load} on {os.cpu_count()} cores")  # fmt: skip
    what = {"bare calamine": "cells", "read_excel": "non-empty cells",
            "hipflex reader": "non-empty cells kept", "hipflex clean": "log entries"}  # fmt: skip
    for name in stages:
        m, c = statistics.median(times[name]), statistics.median(cpu[name])
        print(f"  {name:15s} {m:6.2f} s (cpu {c:5.2f} s)  {m / base:5.2f}x the bare read "
              f"(cpu {c / base_cpu:4.2f}x)  [{out[name]:,} {what[name]}]")  # fmt: skip
    if args.openpyxl:
        from analysis.ingest.workbook import openpyxl_sheets

        t = time.perf_counter()
        openpyxl_sheets(path, path.name, None)
        m = time.perf_counter() - t
        print(f"  {'openpyxl reader':15s} {m:6.2f} s (once)       {m / base:5.2f}x the bare read")
    pandas_read = statistics.median(times["read_excel"])
    for name in ("hipflex reader", "hipflex clean"):
        m = statistics.median(times[name])
        print(f"  {name} against read_excel: {m / pandas_read:5.2f}x")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  target: hipflex at most 3x the bare read; peak memory of the process {rss:.0f} MB")


if __name__ == "__main__":
    main()
