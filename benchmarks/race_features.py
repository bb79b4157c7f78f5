"""Benchmark: race_features on 10,000 athletes x 2 years of daily logs and 100,000 races.

Builds a log-shaped frame (one hip-flexor entry per athlete per day, ~7.3 M rows) with
vectorised numpy, times ``analysis.relate.race_features`` on all races, and times a naive
per-race boolean-mask loop on a subset of races in the same run, extrapolating its cost to
all races to print the ratio.

    .venv/bin/python benchmarks/race_features.py [--athletes 10000] [--days 730]
        [--races 100000] [--naive-races 1000] [--seed 0]
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd

from analysis.relate import race_features
from analysis.volume import daily_volume, training_load

WINDOWS = (7, 14, 28, 42)


def build(
    n_athletes: int, n_days: int, n_races: int, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = np.array([f"ATH{i:05d}" for i in range(n_athletes)], dtype=object)
    start = np.datetime64("2024-01-01", "ns")
    day_ns = np.timedelta64(1, "D").astype("timedelta64[ns]")
    n = n_athletes * n_days
    reps = rng.poisson(20, n).astype(np.float64)
    reps[rng.random(n) < 0.5] = 0.0  # rest days: half the days carry no hip-flexor reps
    log = pd.DataFrame(
        {
            "athlete_id": pd.array(np.repeat(ids, n_days), dtype="string"),
            "date": start + np.tile(np.arange(n_days), n_athletes) * day_ns,
            "family": pd.Categorical.from_codes(
                (rng.random(n) < 0.1).astype(np.int8), categories=["hip_flexor", "mobility"]
            ).astype("string"),
            "hf_reps": pd.array(reps, dtype="Float64"),
            "hf_load_kg": pd.array(reps * 5.0, dtype="Float64"),
        }
    )
    races = pd.DataFrame(
        {
            "race_id": pd.array([f"R{i:06d}" for i in range(n_races)], dtype="string"),
            "athlete_id": pd.array(ids[rng.integers(0, n_athletes, n_races)], dtype="string"),
            "date": start + rng.integers(0, n_days, n_races) * day_ns,
            "event_m": pd.array(rng.choice([200, 400], n_races), dtype="Int64"),
        }
    )
    return log, races


def naive(log: pd.DataFrame, races: pd.DataFrame) -> pd.DataFrame:
    """The obvious loop: one boolean mask over the whole log per race and window."""
    hf = log[log["family"] == "hip_flexor"]
    out = {f"hf_reps_{w}d": [] for w in WINDOWS}
    for athlete, date in zip(races["athlete_id"], races["date"], strict=True):
        mine = hf[hf["athlete_id"] == athlete]
        for w in WINDOWS:
            mask = (mine["date"] >= date - pd.Timedelta(days=w)) & (mine["date"] < date)
            out[f"hf_reps_{w}d"].append(float(mine.loc[mask, "hf_reps"].sum()))
    return pd.DataFrame(out, index=races.index)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--athletes", type=int, default=10_000)
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--races", type=int, default=100_000)
    ap.add_argument("--naive-races", type=int, default=1_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    t0 = time.perf_counter()
    log, races = build(args.athletes, args.days, args.races, args.seed)
    t_build = time.perf_counter() - t0
    print(
        f"built log {len(log):,} rows x {args.athletes:,} athletes, {len(races):,} races in {t_build:.1f} s"
    )

    t0 = time.perf_counter()
    fast = race_features(log, races, WINDOWS, require_coverage=False)
    t_fast = time.perf_counter() - t0
    print(
        f"race_features: {t_fast:.2f} s for {len(races):,} races ({t_fast / len(races) * 1e6:.1f} us/race)"
    )

    t0 = time.perf_counter()
    daily = daily_volume(log)
    t_daily = time.perf_counter() - t0
    t0 = time.perf_counter()
    training_load(daily)
    t_load = time.perf_counter() - t0
    print(
        f"(context) daily_volume: {t_daily:.2f} s -> {len(daily):,} rows; training_load: {t_load:.2f} s"
    )
    del daily

    sub = races.iloc[: args.naive_races]
    t0 = time.perf_counter()
    slow = naive(log, sub)
    t_naive = time.perf_counter() - t0
    per_race = t_naive / len(sub)
    extrapolated = per_race * len(races)
    print(
        f"naive per-race mask loop: {t_naive:.2f} s for {len(sub):,} races "
        f"({per_race * 1e3:.1f} ms/race) -> extrapolated {extrapolated / 60:.1f} min for {len(races):,}"
    )
    print(f"speed-up (extrapolated naive / race_features): {extrapolated / t_fast:,.0f}x")
    for w in WINDOWS:
        col = f"hf_reps_{w}d"
        np.testing.assert_allclose(
            fast[col].iloc[: len(sub)].to_numpy(dtype=float), slow[col].to_numpy()
        )
    print("naive and fast results agree on the subset")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:,.0f} MB")


if __name__ == "__main__":
    main()
