"""Row numbers: the runs of blank rows a sheet's numbered rows leave out."""

from __future__ import annotations

import numpy as np


def blank_runs(numbers: np.ndarray, last: int) -> list[tuple[int, int, str]]:
    """``(first row, n, "blank rows")`` for each run of row numbers 1..last not in ``numbers``."""
    present = np.zeros(last + 2, dtype=bool)
    present[numbers] = True
    present[0] = True
    present[last + 1] = True
    missing = ~present
    edges = np.flatnonzero(np.diff(missing.astype(np.int8)))
    starts, ends = edges[0::2] + 1, edges[1::2] + 1
    return [(int(a), int(b - a), "blank row" if b - a == 1 else "blank rows")
            for a, b in zip(starts, ends, strict=True)]  # fmt: skip


__all__ = ["blank_runs"]
