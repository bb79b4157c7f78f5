"""Unmapped share of the project's log fixtures, before and after the catalog's new families.

"Before" is the catalog as it was (its ``hip_flexor`` and ``mobility`` rows only: the
families it had); "after" is the whole catalog (``hip_extensor``, ``other_strength``,
``sprint`` added). Every test fixture folder with a roster is cleaned with each, plus the
sample (12 athletes, seed 2026).

Run: ``PYTHONPATH=. python benchmarks/catalog_coverage.py``
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import analysis as hf
from analysis.catalog import load_catalog
from analysis.sample import write_sample

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    full = load_catalog()
    before = full[full["family"].isin(["hip_flexor", "mobility"])].reset_index(drop=True)
    folders = sorted({p.parent for p in (ROOT / "tests" / "data").rglob("athletes.csv")})
    tmp = Path(tempfile.mkdtemp()) / "sample"
    write_sample(tmp, athletes=12, seed=2026, today="2026-11-30")
    folders.append(tmp)
    totals = {"before": [0, 0], "after": [0, 0]}
    print(f"{'folder':34s} {'entries':>7s} {'unmapped before':>16s} {'unmapped after':>15s}")
    for folder in folders:
        row = []
        for tag, cat in (("before", before), ("after", full)):
            ds = hf.load_dataset(folder, catalog=cat, today=dt.date(2026, 12, 31))
            n, u = len(ds.log), int((ds.log["family"] == "unmapped").sum())
            totals[tag][0] += n
            totals[tag][1] += u
            row.append((n, u))
        (n, ub), (_, ua) = row
        if n:
            name = folder.name if folder == tmp else str(folder.relative_to(ROOT / "tests"))
            print(
                f"{name:34s} {n:7d} {ub:7d} ({100 * ub / n:5.1f} %) {ua:6d} ({100 * ua / n:5.1f} %)"
            )
    for tag, (n, u) in totals.items():
        print(f"all fixtures {tag}: {u} of {n} entries unmapped ({100 * u / max(n, 1):.1f} %)")


if __name__ == "__main__":
    main()
