"""Benchmark: false findings of the window scan under the null, and effect recovery.

For each seed, writes a synthetic data set with **no** effect (``effect_per_100_reps=0``),
cleans it with :func:`analysis.load_dataset` and runs :func:`analysis.stats.window_scan`
(7…56 days, Benjamini–Hochberg across windows). Counts the seeds with any adjusted
p < 0.05: the issue asks for at most 1 in 20. Then, with the default effect
(−0.08 s per 100 reps), reports how often the 95 % CI of the within-athlete mixed-model
slope covers the truth. Times are printed per stage, with generation as the baseline.

    .venv/bin/python benchmarks/null_fdr.py [--seeds 20] [--athletes 12] [--coverage-seeds 20]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import pandas as pd

import analysis as hf
from analysis.sample import write_sample

TODAY = "2026-11-01"
WINDOWS = range(7, 57, 7)


def _dataset(root: Path, seed: int, athletes: int, effect: float) -> tuple[object, dict, float]:
    t0 = time.perf_counter()
    write_sample(root, athletes=athletes, seed=seed, effect_per_100_reps=effect, today=TODAY)
    t_gen = time.perf_counter() - t0
    ds = hf.load_dataset(root, today=pd.Timestamp(TODAY).date())
    truth = json.loads((root / "truth.json").read_text(encoding="utf-8"))
    return ds, truth, t_gen


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--athletes", type=int, default=12)
    ap.add_argument("--coverage-seeds", type=int, default=20)
    args = ap.parse_args()

    t_gen = t_load = t_scan = 0.0
    hits: list[tuple[int, int, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(args.seeds):
            t0 = time.perf_counter()
            ds, _, g = _dataset(Path(tmp) / f"null{seed}", seed, args.athletes, 0.0)
            t_gen += g
            t_load += time.perf_counter() - t0 - g
            t1 = time.perf_counter()
            scan = hf.stats.window_scan(ds.log, ds.races, ds.fatigue, windows=WINDOWS)
            t_scan += time.perf_counter() - t1
            if (scan["pvalue_adj"] < 0.05).any():
                best = scan.loc[scan["pvalue_adj"].idxmin()]
                hits.append((seed, int(best["window_days"]), float(best["pvalue_adj"])))
        print(
            f"null (effect 0), {args.seeds} seeds x {args.athletes} athletes, windows 7..56 d, BH:"
        )
        print(f"  seeds with any adjusted p < 0.05: {len(hits)} of {args.seeds}  {hits}")
        print(f"  verdict: {'PASS' if len(hits) <= args.seeds // 20 else 'FAIL'} (at most 1 in 20)")
        print(
            f"  time: generate {t_gen:.1f} s (baseline 1.00), load_dataset {t_load:.1f} s "
            f"({t_load / t_gen:.2f}x), window_scan {t_scan:.1f} s ({t_scan / t_gen:.2f}x)"
        )

        covered, est = 0, []
        t0 = time.perf_counter()
        for seed in range(100, 100 + args.coverage_seeds):
            ds, truth, _ = _dataset(Path(tmp) / f"eff{seed}", seed, args.athletes, -0.08)
            feats = hf.race_features(ds.log, ds.races, windows=(28,), require_coverage=False)
            t = feats.merge(ds.fatigue[["race_id", "differential_s"]], on="race_id")
            t = t[t["event_m"] == 400].assign(
                x=pd.to_numeric(t["hf_reps_28d"]).astype("float64") / 100,
                differential_s=pd.to_numeric(t["differential_s"]).astype("float64"),
            )
            mm = hf.stats.mixed_model(t, "differential_s", "x", "athlete_id", decompose=True)
            row = mm.set_index("term").loc["x_within"]
            est.append(float(row["estimate"]))
            covered += bool(row["ci_low"] <= truth["effect_per_100_reps"] <= row["ci_high"])
        n = args.coverage_seeds
        print(f"effect -0.08 s/100 reps, {n} seeds: 95 % CI covers the truth in {covered}/{n}; ")
        print(f"  mean estimate {sum(est) / n:+.4f} s/100 reps; {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
