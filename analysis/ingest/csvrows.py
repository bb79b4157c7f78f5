"""A CSV within the reading limits: checked before it is parsed, and read as rows of text.

A CSV is scanned once before it is parsed: a line longer than
:data:`analysis.config.MAX_LINE_BYTES` or with more than
:data:`analysis.config.MAX_FIELDS` fields is refused with one line naming the file,
the row and the limit (:func:`check_line_limit`, :func:`scan_csv`). The same scan finds
ragged rows (more non-empty fields than the header has columns), which the C parser
would silently cut off.

Rows are ``(row_number, cells)``: the row number a coach sees in the spreadsheet (the
first line is row 1) and the cells as stripped text, ``None`` for an empty cell. Blank
rows are left out (their numbers are simply missing).
"""

from __future__ import annotations

import csv
import io as _io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import config
from ..errors import DataError
from .bounds import CHUNK, limit_error, longest_run

Row = tuple[int, list]


@dataclass
class CsvScan:
    """What one pass over a CSV's bytes found."""

    lines: int = 0
    #: ``(row, n_fields, extra non-empty values)`` of rows with more fields than the header
    ragged: list[tuple[int, int, list[str]]] = field(default_factory=list)


def scan_csv(path: Path, label: str, encoding: str, sep: str) -> CsvScan:
    """Check a CSV against the reading limits and find its ragged rows.

    One pass in NumPy over the bytes (for 8-bit and UTF-8 text): line lengths from the
    newline positions, fields per record from the separator count, separators and
    newlines inside quoted fields left out (the parity of the quotes before them). Only
    the few records with more separators than the header are parsed again, to see whether
    their extra fields hold anything (a trailing comma does not). A UTF-16 file is checked
    line by line with the :mod:`csv` module instead.
    """
    max_fields = config.MAX_FIELDS
    size = path.stat().st_size
    if encoding.startswith("utf-16"):
        return _scan_with_csv(path, label, encoding, sep)
    check_line_limit(path, label, encoding, sep)
    data = np.fromfile(path, dtype=np.uint8) if size else np.zeros(0, np.uint8)
    if len(data) and data[-1] != 10:
        data = np.append(data, np.uint8(10))
    # work on positions, not on a mask per byte: a log has a few million separators
    newlines = np.flatnonzero(data == 10)
    seps = np.flatnonzero(data == ord(sep))
    quotes = np.flatnonzero(data == 34)
    all_newlines = None
    if len(quotes):
        # inside a quoted field when an odd number of quotes came before ("" toggles twice)
        all_newlines = newlines
        newlines = newlines[(np.searchsorted(quotes, newlines) & 1) == 0]
        seps = seps[(np.searchsorted(quotes, seps) & 1) == 0]
    scan = CsvScan(lines=len(newlines))
    if scan.lines > config.MAX_ROWS:
        raise limit_error(label, "the number of rows", config.MAX_ROWS, "MAX_ROWS")
    if not len(newlines):
        return scan
    starts = np.concatenate(([0], newlines[:-1] + 1))
    # separators per record: those before its newline minus those before its start
    before = np.searchsorted(seps, newlines)
    counts = np.diff(before, prepend=0)

    def row_of(i: int) -> int:  # the spreadsheet row: physical lines before the record
        if all_newlines is None:
            return i + 1
        return int(np.searchsorted(all_newlines, starts[i])) + 1

    if counts.max(initial=0) + 1 > max_fields:
        row = row_of(int(np.argmax(counts)))
        raise limit_error(label, "the number of fields in a row", max_fields, "MAX_FIELDS", row)
    header_fields = int(counts[0]) + 1
    candidates = np.flatnonzero(counts + 1 > header_fields)
    if len(candidates):
        # one trailing separator (``...,3x10,``) is an empty extra field: not ragged
        end = newlines[candidates] - 1
        end = np.where((data[end] == 13) & (end > 0), end - 1, end)
        trailing = (counts[candidates] + 1 == header_fields + 1) & (data[end] == ord(sep))
        candidates = candidates[~trailing]
    del data
    for i in candidates[:1000]:
        with open(path, "rb") as fh:
            fh.seek(int(starts[i]))
            raw = fh.read(int(newlines[i] - starts[i]))
        line = raw.decode(encoding, errors="replace")
        fields = next(csv.reader([line.rstrip("\r")], delimiter=sep), [])
        extra = [f.strip() for f in fields[header_fields:] if f.strip()]
        if extra:
            scan.ragged.append((row_of(int(i)), len(fields), extra))
    return scan


def check_line_limit(path: Path, label: str, encoding: str = "utf-8", sep: str = ",") -> None:
    """Refuse a CSV with a line, or a record, longer than :data:`analysis.config.MAX_LINE_BYTES`.

    One pass in chunks (memory bounded by the chunk, whatever the file holds): physical
    lines from the newline positions, and records from the newlines outside quoted fields
    (the parity of the quotes before them), so a 100 MB quoted field split over short lines
    is refused like a 100 MB line. A stray quote inside a field (``5'10"``) can make the
    parity see one long record: only then the file is read again by the :mod:`csv` module
    with the field limit, which refuses a field that really is too long (one line naming
    the row) and passes the rest.
    """
    max_line = config.MAX_LINE_BYTES
    if encoding.startswith("utf-16"):
        max_line *= 2
    if _records_fit(path, max_line):
        return  # the usual file: no record can be longer than the limit
    line = record = 0  # bytes since the last newline / the last newline outside quotes
    quoted = False
    long_record = False
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            data = np.frombuffer(chunk, dtype=np.uint8)
            newlines = np.flatnonzero(data == 10)
            line = longest_run(line, newlines, len(chunk), max_line, label)
            if long_record:
                continue
            quotes = np.flatnonzero(data == 34)
            if len(quotes) or quoted:
                parity = (np.searchsorted(quotes, newlines) + quoted) & 1
                ends = newlines[parity == 0]
                quoted = bool((len(quotes) + quoted) & 1)
            else:
                ends = newlines
            try:
                record = longest_run(record, ends, len(chunk), max_line, label)
            except DataError:
                long_record = True
    if long_record:
        # the exact reading: a field over the limit is refused with its row
        for _ in _csv_rows(path, label, encoding, sep, keep_blank=True):
            pass


def _records_fit(path: Path, limit: int) -> bool:
    """True when every record of the file is at most ``limit`` bytes long (a quick proof).

    A record (or a line) longer than ``limit`` holds ``limit + 1`` bytes without a newline
    outside quotes, and so holds a whole aligned block of ``limit // 2`` bytes without
    one. Each block is asked for its first newline outside quotes (``bytes.find`` and a
    NumPy count of the quotes before it, a few calls a block; the quotes counted once over
    the file, read chunk by chunk into one buffer): when every whole block has one,
    nothing is too long. False leaves the answer to the exact
    scan of :func:`check_line_limit` (a long line, or a stray quote that flips the parity).
    """
    try:
        n_bytes = path.stat().st_size
    except OSError:
        n_bytes = None  # opened below, which names the problem
    if n_bytes is not None and n_bytes <= limit:
        return True  # no record is longer than the file (and no 4 MB buffer to zero)
    block = max(1, limit // 2)
    size = block * max(1, CHUNK // block)
    quoted = 0  # parity of the quotes before ``pos``
    buf = bytearray(size)  # one buffer for every chunk (a buffered readinto fills it)
    with open(path, "rb") as fh:
        while n := fh.readinto(buf):
            chunk = buf if n == size else bytes(memoryview(buf)[:n])
            data = np.frombuffer(chunk, dtype=np.uint8)  # the quotes counted by NumPy
            pos = 0
            for start in range(0, n - block + 1, block):  # whole blocks only
                end = start + block
                at = chunk.find(b"\n", start, end)
                while at >= 0:
                    quoted ^= int(np.count_nonzero(data[pos:at] == 34)) & 1
                    pos = at
                    if not quoted:
                        break
                    at = chunk.find(b"\n", at + 1, end)
                if at < 0:
                    return False
            quoted ^= int(np.count_nonzero(data[pos:] == 34)) & 1
    return True


def _scan_with_csv(path: Path, label: str, encoding: str, sep: str) -> CsvScan:
    scan = CsvScan()
    header_fields = None
    for row, cells in _csv_rows(path, label, encoding, sep, keep_blank=True):
        scan.lines = row
        n = len(cells)
        if header_fields is None:
            header_fields = n
        elif n > header_fields:
            extra = [c for c in cells[header_fields:] if c]
            if extra:
                scan.ragged.append((row, n, extra))
    return scan


def _csv_rows(
    path: Path, label: str, encoding: str, sep: str, *, keep_blank: bool = False
) -> Iterator[tuple[int, list]]:
    """``(row, raw fields)`` of a CSV by the :mod:`csv` module, within the limits."""
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=sep, skipinitialspace=True, strict=True)
        csv.field_size_limit(config.MAX_LINE_BYTES)
        start = 1
        try:
            for fields in reader:
                if len(fields) > config.MAX_FIELDS:
                    raise limit_error(
                        label, "the number of fields in a row", config.MAX_FIELDS,
                        "MAX_FIELDS", start,
                    )  # fmt: skip
                if reader.line_num > config.MAX_ROWS:
                    raise limit_error(label, "the number of rows", config.MAX_ROWS, "MAX_ROWS")
                if keep_blank or any(f.strip() for f in fields):
                    yield start, fields
                start = reader.line_num + 1
        except csv.Error as exc:
            msg = str(exc)
            if "field larger than field limit" in msg:
                raise limit_error(
                    label, "a field", config.MAX_LINE_BYTES, "MAX_LINE_BYTES", start
                ) from None
            if "EOF" in msg or "quote" in msg or "end of data" in msg or "delimiter" in msg:
                raise DataError(
                    f'not a readable CSV file: a quote (") opened in this row is never closed'
                    f" ({msg})",
                    file=label,
                    row=start,
                ) from None
            raise DataError(f"not a readable CSV file ({msg})", file=label, row=start) from None


def read_csv_rows(path: Path, label: str, encoding: str, sep: str) -> list[Row]:
    """Every non-blank row of a CSV as ``(row, cells)``: stripped text, ``None`` if empty."""
    return [
        (row, [f.strip() or None for f in fields])
        for row, fields in _csv_rows(path, label, encoding, sep)
    ]


def head_csv_rows(path: Path, label: str, encoding: str, sep: str, n: int) -> list[Row]:
    """The first ``n`` non-blank rows of a CSV (for layout detection), within the limits.

    The text read is at most ``4 * min(MAX_LINE_BYTES, 1 MiB)`` characters, cut after its
    last newline. A head of 64 KiB is tried first: its rows are taken when the ``n``-th
    ends before the head's last line (the rows of a prefix of lines are those of any
    longer text), else the full head is read (a large log's 4 MiB read once, not per file).
    """
    cap = min(config.MAX_LINE_BYTES, 1 << 20) * 4
    small = min(cap, 1 << 16)
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        text = fh.read(small)
        if len(text) == small < cap:
            rows = _head_rows(text, sep, n, cap=small, sure=True)
            if rows is not None:
                return rows
            text += fh.read(cap - small)
    return _head_rows(text, sep, n, cap=cap, sure=False)


def _head_rows(text: str, sep: str, n: int, *, cap: int, sure: bool) -> list[Row] | None:
    """The first ``n`` non-blank rows of ``text`` (``cap`` characters asked for: cut after
    its last newline when it has them all). With ``sure``: None unless ``n`` rows end
    before the text's last line, without an error of the :mod:`csv` module."""
    last_newline = text.rfind("\n")
    if last_newline > 0 and len(text) >= cap:
        text = text[: last_newline + 1]
    out: list[Row] = []
    reader = csv.reader(_io.StringIO(text), delimiter=sep, skipinitialspace=True)
    start = 1
    try:
        for fields in reader:
            if any(f.strip() for f in fields):
                out.append((start, [f.strip() or None for f in fields]))
                if len(out) >= n:
                    break
            start = reader.line_num + 1
    except csv.Error:
        if sure:
            return None  # the full head decides: it may read past the cut
        # the full read reports it with its row
    if sure and (len(out) < n or reader.line_num >= text.count("\n")):
        return None
    return out


def count_lines(path: Path) -> int | None:
    """Lines of a text file (the row count of a CSV that could not be read), or None."""
    try:
        with open(path, "rb") as fh:
            n = 0
            while chunk := fh.read(1 << 20):
                n += chunk.count(b"\n")
        return n
    except OSError:
        return None


__all__ = [
    "CsvScan",
    "Row",
    "check_line_limit",
    "count_lines",
    "head_csv_rows",
    "read_csv_rows",
    "scan_csv",
]
