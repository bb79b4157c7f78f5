"""The reading limits' shared pieces: the one-line refusal and the longest run of bytes.

Every reader of raw bytes (a CSV's lines, a workbook's XML) refuses what exceeds a
limit of :mod:`analysis.config` with :func:`limit_error`: one line naming the file, the
row when known, the limit and the setting that holds it.
"""

from __future__ import annotations

import numpy as np

from .. import config
from ..errors import DataError

#: Bytes read at a time by the limit checks.
CHUNK = 1 << 22


def limit_error(
    label: str, what: str, limit: int, setting: str, row: int | None = None
) -> DataError:
    """``refused: <what> exceeds the limit of <limit> (analysis.config.<setting>)``."""
    return DataError(
        f"refused: {what} exceeds the limit of {limit:,} (analysis.config.{setting})",
        file=label,
        row=row,
    )


def longest_run(run: int, ends: np.ndarray, size: int, limit: int, label: str) -> int:
    """Carry the length of the current line past a chunk; refuse one longer than ``limit``."""
    if not len(ends):
        run += size
    else:
        longest = max(run + int(ends[0]), int(np.diff(ends).max(initial=1)) - 1)
        if longest > limit:
            raise limit_error(label, "a line", config.MAX_LINE_BYTES, "MAX_LINE_BYTES")
        run = size - int(ends[-1]) - 1
    if run > limit:
        raise limit_error(label, "a line", config.MAX_LINE_BYTES, "MAX_LINE_BYTES")
    return run


__all__ = [
    "CHUNK",
    "limit_error",
    "longest_run",
]
