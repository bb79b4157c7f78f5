"""Benchmark: clean a generated 1,000,000-row training log.

Writes a messy coach-style CSV (``--rows`` rows, 300 athletes named by id, full name,
``Last, First`` or alias; a dozen exercise spellings; prescriptions in the DESIGN.md forms;
day-first dates; about 1 % bad rows: unknown names, impossible dates,
garbage or implausible prescriptions) to ``benchmarks/.data/``, then measures, each in a fresh
child process so peak memory is that stage's own:

* baseline: ``pandas.read_csv(path)`` of the same file;
* hipflex: ``analysis.io.read_raw(categorical=True)`` + ``clean_training_log`` (the whole
  path ``hipflex clean`` takes for a log file).

Each stage runs ``--repeat`` times (default 6), the stages taking turns in a rotating
order; the medians are compared, since one fresh process on a shared machine can be slow
for reasons of its own.
Prints the time ratio to the baseline and the peak resident memory of the children.
Targets (issue 2): at most 5x the read time; peak memory under 2 GB.

    .venv/bin/python benchmarks/clean_log.py [--rows 1000000] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parent / ".data"

EXERCISES = ["A's", "A skips", "high knees", "High Knees", "box knee drives", "KD",
             "band knee drive", "cable knee drives", "Cable KD", "HLR", "hanging knee raises",
             "Spread-eagle sit-ups", "incline bench leg raise", "lunge stretch", "foam rolling",
             "nordics"]  # fmt: skip
PRESCRIPTIONS = ["3x10", "3 x 10", "3×12 each leg", "3x25-30", "10,10,8", "10/10/8 per leg",
                 "3 x 50 m", "4x20m", "3 sets of 10 reps", "2 sets of 30 metres",
                 "3x10 @ 20kg", "3x8 e/s 45lb", "3x15 BW", "3x12/leg red band", "2 x 30s",
                 "3*10"]  # fmt: skip


def generate(path: Path, rows: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_ath = 300
    ids = [f"A{i:03d}" for i in range(n_ath)]
    first = [f"First{i}" for i in range(n_ath)]
    last = [f"Last{i}" for i in range(n_ath)]
    roster = pd.DataFrame({"athlete_id": ids, "name": [f"{f} {s}" for f, s in zip(first, last, strict=True)],
                           "aliases": [f"F{i} {s}" for i, s in enumerate(last)]})  # fmt: skip
    roster.to_csv(path.parent / "athletes.csv", index=False)
    spellings = np.array(
        ids + list(roster["name"]) + [f"{s}, {f}" for f, s in zip(first, last, strict=True)]
        + list(roster["aliases"]) + ["Zed Unknownson"]
    )  # fmt: skip
    days = pd.date_range("2024-01-01", "2025-12-31", freq="D")
    date_txt = np.array([*days.strftime("%d/%m/%Y").tolist(), "31/02/2025", "01/01/2031"])
    frame = pd.DataFrame(
        {
            "Athlete": spellings[rng.integers(0, len(spellings), rows)],
            "Date": date_txt[
                np.where(
                    rng.random(rows) < 0.005,
                    rng.integers(len(days), len(date_txt), rows),
                    rng.integers(0, len(days), rows),
                )
            ],
            "Exercise": np.array(EXERCISES)[rng.integers(0, len(EXERCISES), rows)],
            "Sets x Reps": np.where(
                rng.random(rows) < 0.005,
                rng.choice(["lots", "1x500", "3x10 -5kg"], rows),
                np.array(PRESCRIPTIONS)[rng.integers(0, len(PRESCRIPTIONS), rows)],
            ),
            "Notes": np.where(rng.random(rows) < 0.02, "felt strong", ""),
        }
    )
    frame.to_csv(path, index=False)


def _child(stage: str, path: str) -> None:
    import resource

    t0 = time.perf_counter()
    if stage == "read_csv":
        df = pd.read_csv(path)
        n = len(df)
        extra = {}
    elif stage == "read_csv_text":
        df = pd.read_csv(path, dtype="string", keep_default_na=False, na_values=[""])
        n = len(df)
        extra = {}
    else:
        from analysis.catalog import load_catalog
        from analysis.io import LOG_SYNONYMS, canonicalize_columns, read_raw
        from analysis.logs import clean_training_log
        from analysis.names import load_roster

        # the roster and the catalog are read first, as load_dataset reads them: fixed
        # costs of a data set, whatever the size of its logs
        roster = load_roster(read_raw(Path(path).parent / "athletes.csv")[0].frame)
        catalog = load_catalog()
        t0 = time.perf_counter()
        # as load_dataset (hipflex clean) reads a log: dictionary-encoded
        raw = canonicalize_columns(read_raw(path, categorical=True)[0].frame, LOG_SYNONYMS)
        t_read = time.perf_counter() - t0
        clean, rejects = clean_training_log(
            raw, roster, catalog, today=pd.Timestamp("2026-01-01").date()
        )
        n = len(clean)
        extra = {"read_s": t_read, "clean_rows": len(clean), "rejects": len(rejects),
                 "rows": len(raw)}  # fmt: skip
    elapsed = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": elapsed, "peak_mb": peak_mb, "n": n, **extra}))


def run(stage: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", stage, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--repeat", type=int, default=6, help="fresh processes per stage (median reported)"
    )
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(*args.child)
        return
    DATA.mkdir(exist_ok=True)
    path = DATA / f"log_{args.rows}_{args.seed}.csv"
    if not path.exists():
        t0 = time.perf_counter()
        generate(path, args.rows, args.seed)
        print(
            f"generated {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f} s"
        )
    # The stages take turns, so a slow spell of the machine touches each of them alike,
    # and the order turns with each round: a process started right after one that used
    # much memory starts faster on some machines (pages the system has just had back), so
    # a fixed order would always hand that start to the same stage.
    stages = ("read_csv", "read_csv_text", "clean")
    runs: dict[str, list[dict]] = {s: [] for s in stages}
    for i in range(args.repeat):
        for stage in stages[i % 3 :] + stages[: i % 3]:
            runs[stage].append(run(stage, path))

    def med(stage: str, key: str = "seconds") -> float:
        return statistics.median(r[key] for r in runs[stage])

    def spread(stage: str) -> str:
        xs = [r["seconds"] for r in runs[stage]]
        return f"(runs {min(xs):.2f}-{max(xs):.2f})"

    ours = runs["clean"][-1]
    base, text, clean = med("read_csv"), med("read_csv_text"), med("clean")
    ratios = [
        o["seconds"] / b["seconds"] for o, b in zip(runs["clean"], runs["read_csv"], strict=True)
    ]
    peak = max(r["peak_mb"] for r in runs["clean"])
    print(f"rows: {ours['rows']:,}  clean: {ours['clean_rows']:,}  rejects: {ours['rejects']:,}")
    print(f"medians of {args.repeat} fresh processes per stage:")
    print(f"  pandas.read_csv (baseline):       {base:5.2f} s {spread('read_csv')}"
          f"  peak {med('read_csv', 'peak_mb'):5.0f} MB")  # fmt: skip
    print(f"  pandas.read_csv(dtype='string'):  {text:5.2f} s {spread('read_csv_text')}"
          f"  peak {med('read_csv_text', 'peak_mb'):5.0f} MB")  # fmt: skip
    print(f"  hipflex read_raw + clean:         {clean:5.2f} s {spread('clean')}  peak {peak:5.0f} MB"
          f"  (read_raw {med('clean', 'read_s'):.2f} s)")  # fmt: skip
    print(f"ratio to read_csv(dtype='string'): {clean / text:.2f}x")
    print(f"ratio to read_csv: {clean / base:.2f}x (per round {min(ratios):.2f}-{max(ratios):.2f}x)"
          f"  target <= 5x: {'met' if clean / base <= 5 else 'MISSED'}")  # fmt: skip
    print(f"peak memory {peak:.0f} MB, target < 2048 MB: {'met' if peak < 2048 else 'MISSED'}")


if __name__ == "__main__":
    main()
