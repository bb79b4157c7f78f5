"""Benchmark: clean_sprints + fatigue_metrics on a large synthetic results table.

Builds ``--rows`` result rows (500 athletes, 200/400 m, a mix of ``splits`` strings,
``segments`` strings and plain finals, hand and FAT times), times the vectorised
``clean_sprints`` and ``fatigue_metrics``, and in the same run times a naive baseline that
parses each cell row by row (``DataFrame.apply(axis=1)`` calling the same per-value
parsers) on ``--naive-rows`` rows, extrapolated to all rows, to print the ratio.

    .venv/bin/python benchmarks/sprints.py [--rows 200000] [--naive-rows 20000] [--seed 0]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np
import pandas as pd

from analysis.fatigue import fatigue_metrics
from analysis.names import load_roster
from analysis.sprints import clean_sprints, parse_time
from analysis.sprints import parse_split_list as _parse_list


def build(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = [f"A{i:04d}" for i in range(500)]
    roster = load_roster(
        pd.DataFrame({"athlete_id": ids, "name": [f"Runner {i}" for i in range(500)]}).astype(
            "string"
        )
    )
    ev = rng.choice([200, 400], n)
    fin = np.where(ev == 200, rng.uniform(21, 28, n), rng.uniform(46, 62, n)).round(2)
    q = fin / 4
    split_txt = pd.Series(
        pd.Series((q * 0.95).round(1)).astype(str)
        + "/"
        + pd.Series((q * 1.95).round(1)).astype(str)
        + "/"
        + pd.Series((q * 2.95).round(1)).astype(str)
    )
    first = (fin * 0.52).round(2)
    seg_txt = pd.Series(first).astype(str) + "/" + pd.Series((fin - first).round(2)).astype(str)
    hand = rng.random(n) < 0.1
    final_txt = pd.Series(fin).astype(str).where(~hand, pd.Series(fin.round(1)).astype(str) + "h")
    dates = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700, n), "D")
    raw = pd.DataFrame(
        {
            "athlete": rng.choice(ids, n),
            "date": dates.strftime("%Y-%m-%d"),
            "event": ev.astype(str),
            "final": final_txt,
            "wind": rng.choice(["+1.2", "-0.4", "NWI", ""], n),
            "splits": split_txt.where(ev == 400, ""),
            "segments": seg_txt.where(ev == 200, ""),
            "round": rng.choice(["heat", "semi", "final"], n),
        }
    ).astype("string")
    raw = raw.mask(raw == "")
    raw["source"] = "bench.csv"
    raw["source_row"] = np.arange(2, n + 2)
    return raw, roster


def naive(raw: pd.DataFrame) -> None:
    """Baseline: every cell parsed in a row-wise apply, no factorize."""

    def row(r: pd.Series) -> tuple:
        t = parse_time(r["final"])
        s = _parse_list(r["splits"]) if pd.notna(r["splits"]) else None
        g = _parse_list(r["segments"]) if pd.notna(r["segments"]) else None
        return t, s, g

    raw.apply(row, axis=1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--naive-rows", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    raw, roster = build(a.rows, a.seed)
    t0 = time.perf_counter()
    races, splits, rejects = clean_sprints(raw, roster, today=dt.date(2026, 6, 1))
    t_clean = time.perf_counter() - t0
    t0 = time.perf_counter()
    fat = fatigue_metrics(races, splits)
    t_fat = time.perf_counter() - t0
    sub = raw.iloc[: a.naive_rows]
    t0 = time.perf_counter()
    naive(sub)
    t_naive = (time.perf_counter() - t0) * len(raw) / len(sub)
    print(
        f"rows {len(raw):,}: races {len(races):,}, split marks {len(splits):,}, "
        f"rejects {len(rejects):,}, metrics {len(fat):,}"
    )
    print(f"clean_sprints   {t_clean:7.2f} s")
    print(f"fatigue_metrics {t_fat:7.2f} s")
    print(f"naive row-wise parse only (extrapolated from {len(sub):,} rows) {t_naive:7.2f} s")
    print(f"ratio naive parse / full clean_sprints: {t_naive / t_clean:5.1f}x")


if __name__ == "__main__":
    main()
