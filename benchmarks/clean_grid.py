"""Benchmark: clean a 20,000-cell weekly-grid workbook, and read two hostile files.

Grid: writes a workbook of ``--weeks`` sheets (``Week commencing`` cell, then rows of
athlete x exercise and columns Mon..Sun, about two cells in three filled) with about
``--cells`` day cells in all, and a roster, to ``benchmarks/.data/grid/``. Then, each in a
fresh child process so peak memory is that stage's own, ``--repeat`` times in turn:

* baseline: a bare calamine read (``python_calamine``: every sheet to Python lists), the
  least any calamine-based reader does (hipflex reads workbooks with calamine);
* the pandas user's bare read: ``pandas.read_excel(sheet_name=None, header=None,
  engine="calamine")``, every sheet to a DataFrame (the bare read issue 25 measured
  against);
* hipflex reader: :func:`analysis.ingest.workbook.read_xlsx_rows` (the pre-check, calamine,
  the cells as text);
* hipflex: ``analysis.load_dataset`` of the folder (the workbook pre-check, calamine, layout
  detection, reshaping to one row per entry, cleaning, reconciliation);
* for scale: ``openpyxl`` read-only streaming of every cell's value (the reader before
  calamine);
* ``load_dataset`` of the roster and a one-row log: what any folder costs (the catalog,
  the empty tables, the reconciliation), so the grid's own share of the clean is seen.

Prints the medians, the ratios to both bare reads (target: at most 3x; issue 25 measured
its 13.5x against ``read_excel``) and the peak resident memory, and the machine's load
average.

Hostile files (issue 14): a 5 KB workbook with one cell at ``XFD1048576`` and a 50 MB CSV
of commas, each cleaned by ``load_dataset`` in a child process; printed: seconds, peak
memory, and what happened (read, or refused with which line). Target: each within 10 s and
under 1 GB.

    .venv/bin/python benchmarks/clean_grid.py [--cells 20000] [--weeks 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent / ".data" / "grid"
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
EXERCISES = [
    "A's",
    "High knees",
    "Box knee drives",
    "Cable knee drives",
    "Hanging leg raises",
    "Spread-eagle sit-ups",
    "Incline bench leg raise",
    "Lunge stretch",
    "Foam rolling",
]
PRESCRIPTIONS = ["3x10", "2x20m", "3x25", "3x10 @ 20kg", "2x30s", "3 x 12 each leg", "4x20m"]


def generate(folder: Path, cells: int, weeks: int) -> Path:
    import datetime as dt

    import numpy as np
    import openpyxl

    folder.mkdir(parents=True, exist_ok=True)
    n_ath = max(1, round(cells / (weeks * 7 * len(EXERCISES))))
    names = [f"Runner{i:03d} Sprint" for i in range(n_ath)]
    (folder / "athletes.csv").write_text(
        "athlete_id,name\n" + "".join(f"A{i:03d},{n}\n" for i, n in enumerate(names)),
        encoding="utf-8",
    )
    rng = np.random.default_rng(0)
    wb = openpyxl.Workbook(write_only=True)
    monday = dt.date(2026, 1, 5)
    for w in range(weeks):
        ws = wb.create_sheet(f"Week {w + 1}")
        ws.append(["Week commencing", monday + dt.timedelta(weeks=w)])
        ws.append(["Athlete", "Exercise", *DAYS])
        for name in names:
            for ex in EXERCISES:
                ws.append(
                    [
                        name,
                        ex,
                        *(
                            str(rng.choice(PRESCRIPTIONS)) if rng.random() < 0.66 else None
                            for _ in DAYS
                        ),
                    ]
                )
        ws.append(["Total"])
    path = folder / "squad grid.xlsx"
    wb.save(path)
    return path


CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
mode, target = sys.argv[1], sys.argv[2]
info = ""
if mode == "calamine":
    import python_calamine
    t = time.perf_counter()
    with python_calamine.CalamineWorkbook.from_path(target) as wb:
        n = sum(v != "" for s in wb.sheet_names for row in wb.get_sheet_by_name(s).to_python()
                for v in row)
    info = f"{n} cells"
elif mode == "read_excel":
    import pandas as pd
    t = time.perf_counter()
    frames = pd.read_excel(target, sheet_name=None, header=None, engine="calamine")
    info = f"{sum(int(f.notna().sum().sum()) for f in frames.values())} cells"
elif mode == "reader":
    from pathlib import Path
    from analysis.ingest.workbook import read_xlsx_rows
    t = time.perf_counter()
    n = sum(len(c) for s in read_xlsx_rows(Path(target), "grid.xlsx") for _, c in s.rows)
    info = f"{n} cells kept"
elif mode == "openpyxl":
    import openpyxl
    t = time.perf_counter()
    wb = openpyxl.load_workbook(target, read_only=True, data_only=True)
    n = sum(v is not None for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
            for v in row)
    info = f"{n} cells"
else:
    import datetime as dt
    import analysis as hf
    from analysis.errors import DataError
    t = time.perf_counter()
    try:
        ds = hf.load_dataset(target, today=dt.date(2026, 12, 1))
        rec = ds.reconciliation
        info = (f"{len(ds.log)} entries, {int(rec['rows_read'].sum())} read, "
                f"skipped: {'; '.join(ds.skipped['reason'].astype(str)) or 'none'}")
    except DataError as exc:
        info = f"refused: {exc}"
secs, total = time.perf_counter() - t, time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": secs, "total": total, "rss_mb": rss, "info": info}))
"""


def child(mode: str, target: Path) -> dict:
    # as an installed package runs: modules imported late (the format registry) come
    # compiled, not compiled again by every child when PYTHONDONTWRITEBYTECODE is set
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run([sys.executable, "-c", CHILD, mode, str(target)],
                         check=True, capture_output=True, text=True, env=env)  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def hostile(folder: Path) -> list[tuple[str, Path]]:
    import openpyxl

    cases = []
    wide = folder / "wide"
    wide.mkdir(parents=True, exist_ok=True)
    (wide / "athletes.csv").write_text("athlete_id,name\nA1,Ann Lee\n", encoding="utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["athlete", "date", "exercise", "prescription"])
    ws.append(["Ann Lee", "2026-03-02", "hanging leg raises", "3x10"])
    ws["XFD1048576"] = "x"
    wb.save(wide / "wide.xlsx")
    cases.append((f"5 KB workbook, a cell at XFD1048576 ({(wide / 'wide.xlsx').stat().st_size} B)",
                  wide))  # fmt: skip
    commas = folder / "commas"
    commas.mkdir(parents=True, exist_ok=True)
    (commas / "athletes.csv").write_text("athlete_id,name\nA1,Ann Lee\n", encoding="utf-8")
    with open(commas / "commas.csv", "wb") as fh:
        fh.write(b"athlete,date,exercise,prescription\n")
        fh.write(b"," * 50_000_000 + b"\n")
    cases.append(("50 MB CSV of commas (one line)", commas))
    return cases


def _one_row_folder(folder: Path, roster: Path) -> Path:
    """The roster and a log of one entry: what load_dataset costs whatever the data."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "athletes.csv").write_bytes(roster.read_bytes())
    (folder / "log.csv").write_text(
        "Athlete,Date,Exercise,Sets x Reps\nRunner000 Sprint,2026-01-05,A's,3x10\n",
        encoding="utf-8",
    )
    return folder


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=int, default=20_000)
    ap.add_argument("--weeks", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    book = generate(DATA / "squad", args.cells, args.weeks)
    one_row = _one_row_folder(DATA / "one_row", book.parent / "athletes.csv")
    modes = ["calamine", "read_excel", "reader", "hipflex", "openpyxl", "one_row"]
    times: dict[str, list[float]] = {m: [] for m in modes}
    rss: dict[str, float] = {}
    info = {}
    for i in range(args.repeat):
        for mode in modes[i % len(modes) :] + modes[: i % len(modes)]:
            target = {"hipflex": book.parent, "one_row": one_row}.get(mode, book)
            r = child("hipflex" if mode == "one_row" else mode, target)
            times[mode].append(r["seconds"])
            rss[mode] = max(rss.get(mode, 0), r["rss_mb"])
            info[mode] = r["info"]
    base, pandas_read, reader, ours, opx, fixed = (statistics.median(times[m]) for m in modes)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"weekly grid workbook: {info['calamine']} in {args.weeks} sheets "
          f"(load average {load} on {os.cpu_count()} cores; each stage a fresh process, "
          "timed after its imports)")  # fmt: skip
    print(f"  baseline bare calamine read:      {base:6.2f} s  peak {rss['calamine']:6.0f} MB")
    print(f"  pandas.read_excel, calamine:      {pandas_read:6.2f} s  peak "
          f"{rss['read_excel']:6.0f} MB  {pandas_read / base:.2f}x")  # fmt: skip
    print(f"  hipflex reader (read_xlsx_rows):  {reader:6.2f} s  peak {rss['reader']:6.0f} MB"
          f"  {reader / base:.2f}x")  # fmt: skip
    print(f"  hipflex load_dataset:             {ours:6.2f} s  peak {rss['hipflex']:6.0f} MB"
          f"  ({info['hipflex']})")  # fmt: skip
    print(f"  openpyxl read-only read:          {opx:6.2f} s  peak {rss['openpyxl']:6.0f} MB")
    print(f"  load_dataset of the roster and a one-row log: {fixed:6.2f} s (what any folder "
          "costs: the catalog, the empty tables, the reconciliation)")  # fmt: skip
    print("  ratios (target: at most 3x)   against calamine's lists | against read_excel")
    for label, secs in (("the reading (read_xlsx_rows)", reader), ("the whole clean", ours),
                        ("the grid's own share", ours - fixed)):  # fmt: skip
        a, b = secs / base, secs / pandas_read
        print(f"    {label:28s} {a:6.2f}x {'met' if a <= 3 else 'MISSED':6s}"
              f"          | {b:5.2f}x {'met' if b <= 3 else 'MISSED'}")  # fmt: skip
    print("  (the grid's own share: the whole clean less the one-row folder's cost; its "
          "layout detection, reshaping, cleaning and reading)")  # fmt: skip
    print("  (issue 25's target is against the bare read it measured, pandas.read_excel with "
          "calamine; calamine's lists are the floor no reader can go under: a whole clean "
          "pays ~0.08 s for any folder, which a 0.02 s read cannot hide)")  # fmt: skip
    print("hostile files (target: within 10 s and under 1 GB):")
    for label, folder in hostile(DATA / "hostile"):
        t = time.perf_counter()
        r = child("hipflex", folder)
        ok = r["total"] < 10 and r["rss_mb"] < 1024
        print(f"  {label}: {r['total']:.2f} s with imports, peak {r['rss_mb']:.0f} MB, "
              f"{'OK' if ok else 'OVER TARGET'} - {r['info']}")  # fmt: skip
        _ = t


if __name__ == "__main__":
    main()
