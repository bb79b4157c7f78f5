"""Benchmark: the squad statistics at federation size, linear in athletes (issue 25).

Simulates a season of ``--races`` races per athlete (every 7–21 days, volume ramping up
through the season, a between-athlete confounder, differing slopes) for each squad size in
``--athletes`` (default 500 and 5,000), then times, in this one process, ``--repeat``
times each (median):

* ``within_athlete_effect(..., time="date")``: within-athlete OLS with a season trend,
  CR2 and Satterthwaite degrees of freedom (the squad page's headline);
* ``athlete_slopes(..., time="date")``: the pooled fit again plus every athlete's own
  slope, partially pooled (the squad page's forest plot and table).

Prints seconds per call, the ratio to the smallest squad (linear is the ratio of the
sizes: 10× for 500 → 5,000; target ≤ 15×), the peak memory each call allocated
(``tracemalloc``, numpy's arrays included) and the process's peak resident memory.
Target: 5,000 athletes × 10 races under 500 MB. (Before issue 25 the degrees of
freedom went through a races × athletes matrix: 0.09 s at 500 athletes, 24.4 s and
+2.3 GB at 5,000 — 260×.)

    .venv/bin/python benchmarks/stats_scale.py [--athletes 500 5000] [--races 10] [--repeat 5]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
import tracemalloc

import numpy as np
import pandas as pd

from analysis.stats import athlete_slopes, within_athlete_effect


def season(athletes: int, races: int, seed: int = 0) -> pd.DataFrame:
    """A row per race: ``athlete_id, date, x100`` (hip-flexor reps / 100) and
    ``differential_s``; a planted within-athlete effect of −0.05 s per 100 reps."""
    rng = np.random.default_rng(seed)
    n = athletes * races
    athlete = np.repeat(np.arange(athletes), races)
    gaps = rng.integers(7, 22, size=(athletes, races))
    gaps[:, 0] = rng.integers(0, 30, athletes)
    day = np.cumsum(gaps, axis=1).ravel().astype(np.float64)
    level = rng.normal(0, 150, athletes)
    reps = 400 + level[athlete] + rng.normal(0, 120, n) + 1.8 * day
    slope = -0.05 + rng.normal(0, 0.08, athletes)
    fade = (
        1.0
        + 0.04 * level[athlete] / 100
        + slope[athlete] * reps / 100
        - 0.0025 * day
        + rng.normal(0, 0.15, n)
    )
    return pd.DataFrame(
        {
            "athlete_id": pd.Series([f"A{i:05d}" for i in range(athletes)]).to_numpy()[athlete],
            "date": pd.Timestamp("2026-01-05") + pd.to_timedelta(day, "D"),
            "x100": reps / 100,
            "differential_s": fade,
        }
    )


def measure(fn, repeat: int) -> tuple[float, float]:
    """Median seconds of ``repeat`` calls, and the peak bytes one call allocated."""
    fn()  # warm-up: imports (scipy.stats), caches
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    try:
        fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return statistics.median(times), peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--athletes", type=int, nargs="+", default=[500, 5000])
    ap.add_argument("--races", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    sizes = sorted(args.athletes)
    calls = {
        "within_athlete_effect": lambda t: within_athlete_effect(
            t, "x100", "differential_s", "athlete_id", time="date"
        ),
        "athlete_slopes": lambda t: athlete_slopes(
            t, "x100", "differential_s", "athlete_id", time="date"
        ),
    }
    rows = []
    for g in sizes:
        t = season(g, args.races)
        res = calls["within_athlete_effect"](t)
        for name, fn in calls.items():
            sec, peak = measure(lambda fn=fn, t=t: fn(t), args.repeat)
            rows.append({"call": name, "athletes": g, "races": len(t), "seconds": sec,
                         "peak_MB": peak / 1e6, "dof": res.dof, "estimate": res.estimate})  # fmt: skip
    out = pd.DataFrame(rows)
    base = out.groupby("call")["seconds"].transform("first")
    out["ratio"] = out["seconds"] / base
    out["linear"] = out["athletes"] / sizes[0]
    pd.set_option("display.width", 140)
    print(out.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    big = out[out["athletes"] == sizes[-1]]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"process peak resident memory: {rss:.0f} MB")
    if len(sizes) > 1:
        worst = float(big["ratio"].max())
        ok_time = worst <= 15 * (sizes[-1] / sizes[0]) / 10
        ok_mem = float(big["peak_MB"].max()) <= 500
        print(
            f"{sizes[-1]} vs {sizes[0]} athletes: worst ratio {worst:.1f}x "
            f"(linear {sizes[-1] / sizes[0]:.0f}x, target <= 15x for 10x the athletes): "
            f"{'met' if ok_time else 'NOT met'}; peak allocated "
            f"{float(big['peak_MB'].max()):.0f} MB (target <= 500 MB): "
            f"{'met' if ok_mem else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
