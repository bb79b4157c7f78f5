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


def last_separator(chunk: bytes, sep: bytes, run: int, limit: int) -> tuple[int, int]:
    """The last ``sep`` of ``chunk`` and the bytes since it, refusing a longer gap.

    ``run`` is the bytes since the last ``sep`` before ``chunk``. Raises ``ValueError``
    when a run of bytes without ``sep`` (carried into the chunk, inside it, or left at
    its end) is longer than ``limit``; returns the position of the chunk's last ``sep``
    (-1 if none) and the run carried to the next chunk. The same verdict as
    :func:`longest_run` over every separator's position, without listing them: a gap
    longer than ``limit`` holds one of the probes set ``limit`` bytes apart, and each
    probe looks only as far as the separators on either side of it.
    """
    n = len(chunk)
    first = chunk.find(sep)
    if first < 0:
        run += n
        if run > limit:
            raise ValueError("a gap exceeds the limit")
        return -1, run
    if run + first > limit:
        raise ValueError("a gap exceeds the limit")
    last = chunk.rfind(sep)
    if limit < 64:  # probes this close would cost more than listing the separators
        ends = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == sep[0])
        if int(np.diff(ends).max(initial=1)) - 1 > limit:
            raise ValueError("a gap exceeds the limit")
    else:
        for probe in range(first + limit, last, limit):
            before = chunk.rfind(sep, first, probe + 1)
            if chunk.find(sep, probe + 1, last + 1) - before - 1 > limit:
                raise ValueError("a gap exceeds the limit")
    run = n - last - 1
    if run > limit:
        raise ValueError("a gap exceeds the limit")
    return last, run


def xml_chunk_tags(
    chunk: bytes, total: int, run: int, label: str, noun: str
) -> tuple[int, int, int]:
    """The bounds of one chunk of a zipped spreadsheet's XML (XLSX or ODS), streamed.

    ``total`` is the bytes unpacked so far (refused past
    :data:`analysis.config.MAX_XLSX_XML_BYTES`), ``run`` the bytes since the last ``<``
    (a text between two tags is refused past :data:`analysis.config.MAX_LINE_BYTES`);
    ``noun`` names the file in the message (``workbook``, ``spreadsheet``). Returns the
    position of the chunk's last ``<`` (-1 if none) and the new ``total`` and ``run``.
    """
    total += len(chunk)
    if total > config.MAX_XLSX_XML_BYTES:
        raise limit_error(label, f"the size of the {noun} unpacked",
                          config.MAX_XLSX_XML_BYTES, "MAX_XLSX_XML_BYTES")  # fmt: skip
    try:
        last, run = last_separator(chunk, b"<", run, config.MAX_LINE_BYTES)
    except ValueError:
        raise limit_error(label, f"a cell (or a text in the {noun})",
                          config.MAX_LINE_BYTES, "MAX_LINE_BYTES") from None  # fmt: skip
    return last, total, run


__all__ = [
    "CHUNK",
    "last_separator",
    "limit_error",
    "longest_run",
    "xml_chunk_tags",
]
