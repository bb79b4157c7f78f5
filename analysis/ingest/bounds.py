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


def xml_chunk_tags(
    chunk: bytes, total: int, run: int, label: str, noun: str
) -> tuple[np.ndarray, int, int]:
    """The bounds of one chunk of a zipped spreadsheet's XML (XLSX or ODS), streamed.

    ``total`` is the bytes unpacked so far (refused past
    :data:`analysis.config.MAX_XLSX_XML_BYTES`), ``run`` the bytes since the last ``<``
    (a text between two tags is refused past :data:`analysis.config.MAX_LINE_BYTES`);
    ``noun`` names the file in the message (``workbook``, ``spreadsheet``). Returns the
    positions of the chunk's ``<`` and the new ``total`` and ``run``.
    """
    total += len(chunk)
    if total > config.MAX_XLSX_XML_BYTES:
        raise limit_error(label, f"the size of the {noun} unpacked",
                          config.MAX_XLSX_XML_BYTES, "MAX_XLSX_XML_BYTES")  # fmt: skip
    tags = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 60)
    try:
        run = longest_run(run, tags, len(chunk), config.MAX_LINE_BYTES, label)
    except DataError:
        raise limit_error(label, f"a cell (or a text in the {noun})",
                          config.MAX_LINE_BYTES, "MAX_LINE_BYTES") from None  # fmt: skip
    return tags, total, run


__all__ = [
    "CHUNK",
    "limit_error",
    "longest_run",
    "xml_chunk_tags",
]
