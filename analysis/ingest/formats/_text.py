"""A product file's text and its header line, as every reader of this package sees them.

Not a product module (its name starts with ``_``: the registry does not import it as
one). The apps (Strong, Hevy, FitNotes, JEFIT) and the timing and meet software
(FinishLynx, Hy-Tek) write UTF-8, with or without a BOM, or Windows-1252:
:func:`decode` is the one way their bytes become text.
"""

from __future__ import annotations

import csv

from . import Head


def decode(data: bytes) -> str:
    """A file's text: UTF-8 (BOM dropped) when it is valid UTF-8, else Windows-1252.

    FinishLynx and Hy-Tek write Windows-1252; a file re-saved by an editor may be UTF-8.
    Never raises: a byte Windows-1252 leaves undefined becomes U+FFFD.

    >>> decode(b"\\xef\\xbb\\xbfDate"), decode(b"\\xdcbungen")
    ('Date', 'Übungen')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def header_line(head: Head) -> str:
    """The first non-blank line of a file's head (BOM dropped), for a signature test."""
    for line in head.lines(5):
        if line.strip():
            return line.lstrip("\ufeff")
    return ""


def head_cells(head: Head) -> list[str]:
    """The cells of a file's header line (:func:`header_line`), unquoted, lower case."""
    return header_cells(header_line(head))


def header_cells(line: str) -> list[str]:
    """The cells of a header line, split on its most frequent separator, unquoted, lower.

    >>> header_cells('"Date";"Exercise Name";"Set Order"')
    ['date', 'exercise name', 'set order']
    """
    sep = max((",", ";", "\t"), key=line.count)
    cells = next(csv.reader([line], delimiter=sep), [])
    return [c.strip().strip('"').strip().casefold() for c in cells]


__all__ = ["decode", "head_cells", "header_cells", "header_line"]
