"""Benchmark: clean a generated 1,000,000-row training log.

Writes a messy coach-style CSV (``--rows`` rows, 300 athletes named by id, full name,
``Last, First`` or alias; a dozen exercise spellings; prescriptions in the DESIGN.md forms;
day-first dates; about 1 % bad rows: unknown names, impossible dates,
garbage or implausible prescriptions) to ``benchmarks/.data/``, then measures, each in a fresh
child process so peak memory is that stage's own:

* baseline: ``pandas.read_csv(path)`` of the same file;
* hipflex: ``analysis.io.read_raw`` + ``clean_training_log`` (the whole path ``hipflex
  clean`` takes for a log file).

Prints the time ratio to the baseline and the peak resident memory of each child.
Targets (issue 2): at most 5x the read time; peak memory under 2 GB.

    .venv/bin/python benchmarks/clean_log.py [--rows 1000000] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
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
        from analysis.io import LOG_SYNONYMS, canonicalize_columns, read_raw
        from analysis.logs import clean_training_log
        from analysis.names import load_roster

        roster = load_roster(read_raw(Path(path).parent / "athletes.csv")[0].frame)
        t0 = time.perf_counter()
        raw = canonicalize_columns(read_raw(path)[0].frame, LOG_SYNONYMS)
        t_read = time.perf_counter() - t0
        clean, rejects = clean_training_log(raw, roster, today=pd.Timestamp("2026-01-01").date())
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
    base = run("read_csv", path)
    text = run("read_csv_text", path)
    ours = run("clean", path)
    ratio = ours["seconds"] / base["seconds"]
    print(f"rows: {ours['rows']:,}  clean: {ours['clean_rows']:,}  rejects: {ours['rejects']:,}")
    print(f"pandas.read_csv (baseline):   {base['seconds']:6.2f} s  peak {base['peak_mb']:7.0f} MB")
    print(
        f"pandas.read_csv(dtype='string'): {text['seconds']:4.2f} s  peak {text['peak_mb']:7.0f} MB"
    )
    print(f"hipflex read_raw + clean:     {ours['seconds']:6.2f} s  peak {ours['peak_mb']:7.0f} MB"
          f"  (read_raw {ours['read_s']:.2f} s)")  # fmt: skip
    print(f"ratio to read_csv(dtype='string'): {ours['seconds'] / text['seconds']:.2f}x")
    print(f"ratio to read_csv: {ratio:.2f}x  (target <= 5x)   peak memory target < 2048 MB: "
          f"{'met' if ours['peak_mb'] < 2048 else 'MISSED'}")  # fmt: skip


if __name__ == "__main__":
    main()
