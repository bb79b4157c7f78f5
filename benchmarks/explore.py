"""Benchmark: the explorer (``hf.explore``) on the 12-athlete sample — first open and the
redraw per control change.

Opens the panel on a freshly generated sample (``hipflex sample``, 12 athletes) in a
fresh process, then changes one control at a time the way a coach does — an athlete, the
window, the event, the start of the date range, the exercise families, back to the squad
— and times each redraw (:meth:`ExplorerPanel.refresh`, what a change triggers: the views
whose part of the selection changed, figures drawn to PNG, tables and sentences set on
the widgets; the browser's own painting is not included). Every change is to a
selection not seen before (nothing from the cache), then the same round is repeated
(everything from the cache). Target: median redraw <= 1 s on 2 cores.

    .venv/bin/python benchmarks/explore.py [--athletes 12] [--seed 2026]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path

TARGET_S = 1.0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--athletes", type=int, default=12)
    p.add_argument("--seed", type=int, default=2026)
    args = p.parse_args()

    from analysis.sample import write_sample

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data" / "raw" / "sample"
        write_sample(folder, athletes=args.athletes, seed=args.seed)

        t0 = time.perf_counter()
        import analysis as hf

        panel = hf.explore(folder)
        first_open = time.perf_counter() - t0
        ids = [aid for _, aid in panel.athlete.options if aid]
        lo, _hi = panel.explorer.date_span()

        def changes(i: int):
            aid = ids[i % len(ids)]
            return [
                ("athlete", lambda: setattr(panel.athlete, "value", aid)),
                ("window 21", lambda: setattr(panel.window, "value", 21)),
                ("event 200", lambda: setattr(panel.event, "value", 200)),
                ("from +60 days", lambda: setattr(panel.start, "value", lo + dt.timedelta(60))),
                ("families", lambda: setattr(panel.families, "value", ("hip_flexor",))),
                ("window 35", lambda: setattr(panel.window, "value", 35)),
                ("event 400", lambda: setattr(panel.event, "value", 400)),
                ("whole squad", lambda: setattr(panel.athlete, "value", "")),
            ]

        def run(label: str, rounds: list[int]) -> tuple[list[float], list[float]]:
            wall, cpu = [], []
            for i in rounds:
                panel.start.value = lo
                panel.families.value = tuple(panel.explorer.families())
                for what, change in changes(i):
                    change()
                    wall.append(panel.last_redraw_s)
                    cpu.append(panel.last_redraw_cpu_s)
                    print(
                        f"  {label:<7} {what:<14} {panel.last_redraw_s * 1000:7.0f} ms "
                        f"(CPU {panel.last_redraw_cpu_s * 1000:5.0f} ms)"
                    )
            return wall, cpu

        print(f"explorer on the {args.athletes}-athlete sample")
        fresh, fresh_cpu = run("new", [1, 5])
        cached, _ = run("cached", [1, 5])
    med, worst = statistics.median(fresh), max(fresh)
    print(f"first open (import, load the folder, first drawing): {first_open:.2f} s")
    print(
        f"redraw per control change, selections not seen before: median {med:.2f} s, "
        f"max {worst:.2f} s over {len(fresh)} changes (target median <= {TARGET_S:.0f} s: "
        f"{'met' if med <= TARGET_S else 'NOT met'}); CPU of this process: median "
        f"{statistics.median(fresh_cpu):.2f} s"
    )
    print(f"redraw per control change, from the cache: median {statistics.median(cached):.3f} s")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"machine: {os.cpu_count()} cores, load average {load:.1f} over the last minute "
        "(a wall time above the CPU time is time spent waiting for a core)"
    )


if __name__ == "__main__":
    main()
