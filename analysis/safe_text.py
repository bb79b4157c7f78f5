"""Text from the data, made safe where it leaves hipflex: one line on a terminal or in a
log (:func:`one_line`), never a live formula in a CSV file (:func:`csv_safe`,
:func:`write_csv`).

A coach's files are not trusted: a roster name can hold a newline and ANSI colour codes
(which would print a forged ``FAILED …`` line in a cron log), a note can start with
``=HYPERLINK(…)`` (live when the CSV is opened in a spreadsheet program). Every value
from the data printed by the CLI or the report runner goes through :func:`one_line`, and
every CSV hipflex writes through :func:`write_csv` (the XLSX exports quote-prefix the same
prefixes, :mod:`analysis.reports.pages.workbooks`).

References
----------
OWASP, "CSV Injection" (https://owasp.org/www-community/attacks/CSV_Injection): cells
beginning with ``=``, ``+``, ``-``, ``@``, tab or carriage return are prefixed with a single
quote.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .atomic import write_atomic

__all__ = ["DANGEROUS_PREFIXES", "csv_safe", "one_line", "write_csv"]

#: Text starting with one of these is what spreadsheet programs read as a formula.
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_DANGEROUS = re.compile(r"^[=+\-@\t\r]")

#: C0 and C1 control characters, DEL, and the Unicode line/paragraph separators and
#: bidirectional overrides (which reorder what a terminal shows).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(m: re.Match[str]) -> str:
    ch = m.group(0)
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(value: object, limit: int | None = None) -> str:
    """``value`` as text on one line, every control character escaped.

    A newline is shown as ``\\n``, ESC as ``\\x1b`` (so an ANSI colour code prints as text
    and colours nothing), a Unicode line separator or bidirectional override as ``\\u2028``
    …; anything else is kept as it is.

    Parameters
    ----------
    value : object
        What to show (``str(value)`` is escaped).
    limit : int, optional
        Cut the result to this many characters (an ellipsis marks the cut).

    Returns
    -------
    str
        Text without control characters.

    Examples
    --------
    >>> one_line("Ada\\n\\x1b[31mFAILED athletes/A01.html")
    'Ada\\\\n\\\\x1b[31mFAILED athletes/A01.html'
    """
    text = value if isinstance(value, str) else str(value)
    if _CONTROL.search(text):
        text = _CONTROL.sub(_escape, text)
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + "…"
    return text


def _csv_text(value: object) -> object:
    if isinstance(value, str) and _DANGEROUS.match(value):
        return "'" + value
    return value


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every text cell that a spreadsheet would read as a formula made inert.

    A text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a
    leading single quote (OWASP's CSV-injection guidance; what the XLSX exports do with
    the quote prefix). Numbers, dates and booleans are left alone, so ``-0.4`` in a
    numeric column stays a number. The column names are treated the same way.

    Parameters
    ----------
    df : DataFrame
        The table to write.

    Returns
    -------
    DataFrame
        A copy, text columns neutralised (only their distinct values are inspected).
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_datetime64_any_dtype(s.dtype):
            continue
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        fixed = [_csv_text(u) for u in uniques]
        if all(a is b for a, b in zip(fixed, uniques, strict=True)):
            continue
        values = np.array([*fixed, None], dtype=object)[codes]  # code -1 (missing): None
        out[col] = pd.array(values, dtype="string" if s.dtype == "string" else object)
    out.columns = [_csv_text(c) if isinstance(c, str) else c for c in out.columns]
    return out


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``df`` as UTF-8 CSV (CRLF, RFC 4180) atomically, its text made inert
    (:func:`csv_safe`).

    Every CSV hipflex writes for a coach (``OUT/attention.csv``) goes through here.

    Parameters
    ----------
    df : DataFrame
        The table (no index written).
    path : path
        Where to write it (a temporary file renamed into place).

    Returns
    -------
    Path
        ``path``.
    """
    safe = csv_safe(df)

    def write(tmp: Path) -> None:
        # CRLF, as RFC 4180 has it: a cell holding a lone CR or LF is then quoted (with a
        # bare LF terminator a CR inside a cell would split its row for a CSV reader)
        safe.to_csv(tmp, index=False, lineterminator="\r\n", encoding="utf-8")

    return write_atomic(path, write)
