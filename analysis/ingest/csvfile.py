"""A CSV file's text encoding and separator, and its cells read by pandas' C parser.

:func:`sniff_csv` finds the encoding (UTF-8, UTF-16 with or without a byte-order mark,
Windows-1252, Latin-1) and the separator (``,``, ``;``, tab or ``|``) once;
:func:`read_csv_text` then reads every cell as written, as text.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pandas as pd

from ..errors import DataError


def _sniff_text(path: Path, label: str) -> str:
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536)
    except OSError as exc:
        raise DataError(f"cannot read file ({exc.strerror})", file=label) from None
    if not head.strip():
        raise DataError("file is empty", file=label)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if (bom_less := _utf16_without_bom(head)) is not None:
        return bom_less
    if b"\x00" in head:
        raise DataError("file is binary, not a CSV text file (save it as CSV or .xlsx)", file=label)
    for enc in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            # incremental: a character cut in two at the end of the sample is not an error
            codecs.getincrementaldecoder(enc)().decode(head, final=False)
            return enc
        except UnicodeDecodeError:
            continue
    raise DataError("unknown text encoding (save it as UTF-8 CSV)", file=label)  # pragma: no cover


def _utf16_without_bom(head: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` for UTF-16 text saved without a byte-order mark.

    Text in a Latin script saved as UTF-16 has a zero byte in every other position (the
    high byte of each character): odd positions for little-endian, even for big-endian.
    """
    sample = head[: len(head) - len(head) % 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    for enc, zeros, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros.count(0) >= 0.4 * len(zeros) and other.count(0) <= 0.05 * len(other):
            try:
                codecs.getincrementaldecoder(enc)().decode(sample, final=False)
            except UnicodeDecodeError:
                continue
            return enc
    return None


def _sniff_delimiter(path: Path, encoding: str) -> str:
    """The delimiter of a CSV: the candidate most frequent in its header line.

    Coaches' CSVs come from Excel in comma or (in many European locales) semicolon form;
    sniffing the header once lets the fast C parser read the rest.
    """
    candidates = (",", ";", "\t", "|")
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        header = fh.readline(1 << 20)  # a longer line is refused by the scan anyway
        counts = {c: header.count(c) for c in candidates}
        best = max(counts, key=lambda c: (counts[c], c == ","))
        if counts[best]:
            return best
        # a title line above the header (``Gym log``): the separator the most of the next
        # non-blank lines hold (a ``;`` file's decimal commas are not in its header)
        lines = [ln for ln in (fh.readline(1 << 20) for _ in range(40)) if ln.strip()][:20]
    if not lines:
        return ","
    held = {c: (sum(c in ln for ln in lines), sum(ln.count(c) for ln in lines)) for c in candidates}
    best = max(held, key=lambda c: (*held[c], c == ","))
    return best if held[best][0] else ","


def sniff_csv(path: Path, label: str) -> tuple[str, str]:
    """The text encoding and the field separator of a CSV file."""
    encoding = _sniff_text(path, label)
    sep = "\t" if path.suffix.lower() == ".tsv" else _sniff_delimiter(path, encoding)
    return encoding, sep


class RaggedRowsError(DataError):
    """A CSV row has more non-empty fields than its header has columns."""


class MaybeRagged(Exception):
    """The fast read saw more fields than headers somewhere: look closer."""


def ragged_error(label: str, ragged: list[tuple[int, int, list[str]]]) -> RaggedRowsError:
    """One line naming the first row with more fields than the header (and how many such)."""
    row, n, extra = ragged[0]
    more = f" ({len(ragged)} such rows)" if len(ragged) > 1 else ""
    shown = ", ".join(repr(v) for v in extra[:3])
    return RaggedRowsError(
        f"row has {n} fields, more than the header's columns: extra {shown} would be lost{more}",
        file=label,
        row=row,
    )


def read_csv_text(
    path: Path, label: str, encoding: str, sep: str, *, index_col: bool | None = None
) -> pd.DataFrame:
    """Every cell of a CSV as text, exactly as written (NA for an empty cell).

    pandas reads text columns fastest when it infers their type itself (``dtype=str``
    costs several times more on a large log), so the file is read with inference and only
    the columns pandas took for numbers or booleans are read again as text: no cell loses
    its spelling (``007``, ``4.50``, ``TRUE``).
    """
    kw = {
        "keep_default_na": False,
        "na_values": [""],
        "encoding": encoding,
        "sep": sep,
        "engine": "c",
        "skipinitialspace": True,
        "skip_blank_lines": False,  # keep row numbers those of the file; finish_frame drops them
        # None first: a row with more fields than the header is then an error or a shifted
        # index, never cut off silently; False (the fields checked) for trailing commas
        "index_col": index_col,
    }
    try:
        df = pd.read_csv(path, **kw)
        if index_col is None and not isinstance(df.index, pd.RangeIndex):
            raise MaybeRagged
        other = [i for i, dt in enumerate(df.dtypes) if not isinstance(dt, pd.StringDtype)]
        if other:
            text = pd.read_csv(path, usecols=other, dtype=str, **kw)
            for j, i in enumerate(other):
                df.isetitem(i, text.iloc[:, j].to_numpy(dtype=object))
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        first = " ".join(str(exc).split())[:160]
        if index_col is None and re.search(r"Expected \d+ fields in line \d+", first):
            raise MaybeRagged from None
        if m := re.search(r"EOF inside string starting at row (\d+)", first):
            # the C parser counts data rows from 0 after the header: spreadsheet row + 1
            raise DataError(
                'not a readable CSV file: a quote (") opened in this row is never closed',
                file=label,
                row=int(m[1]) + 1,
            ) from None
        raise DataError(f"not a readable CSV file ({first})", file=label) from None
    except pd.errors.EmptyDataError:
        raise DataError("file has no header row", file=label) from None
    return df


__all__ = [
    "MaybeRagged",
    "RaggedRowsError",
    "ragged_error",
    "read_csv_text",
    "sniff_csv",
]
