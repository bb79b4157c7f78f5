"""The exit-code contract of ``hipflex clean`` and ``hipflex report`` (stated once, in
docs/scheduling.md, "Exit codes"):

* **0** — every report built and every file that holds data read. A sheet or file with no
  data (a notes or comments tab, an empty sheet, one skipped by ``hipflex.toml``) is
  listed, never a failure.
* **1** — some report failed or was not attempted, or some file that looks like data
  could not be read (the rest done, each named).
* **2** — nothing usable, or a usage error.

Whether a sheet that was not read "looks like data" is decided from its cells when the
reader finds no header (:func:`looks_like_data`): rows with dates and numbers are data a
coach expects to see; a tab of text (``Week``, ``Author``, ``Comment``) is not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

__all__ = ["NOT_DATA_NOTE", "all_rejected", "clean_status", "looks_like_data", "unread_data"]

#: Added to the reason of a sheet that was not read because it holds no data.
NOT_DATA_NOTE = "not data: text only, like a notes or comments tab"

#: Reasons of skipped sheets that hold no data (listed, never a failure).
_NO_DATA = re.compile(
    r"^(?:empty sheet|no rows|skipped by hipflex\.toml)|" + re.escape(NOT_DATA_NOTE), re.I
)

_NUMBER = re.compile(
    r"^[+-]?(?:\d+(?:[.,:]\d+)*|\d*[.,]\d+)(?:\s*[x×]\s*\d+(?:[.,]\d+)?)?"
    r"\s*(?:s|sec|kg|lb|lbs|m|min|%)?$",
    re.I,
)
_DATE = re.compile(
    r"\b(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}\s+[a-z]{3,9}\.?\s+\d{2,4})\b",
    re.I,
)


def _data_row(cells: Iterable[object]) -> bool:
    """A row of a training log or a result sheet: a date and a number, or three numbers."""
    numbers = dates = 0
    for c in cells:
        if c is None:
            continue
        text = str(c).strip()
        if not text or len(text) > 64:
            continue
        if _DATE.search(text):
            dates += 1
        elif _NUMBER.match(text):
            numbers += 1
    return (dates >= 1 and numbers >= 1) or numbers >= 3


def looks_like_data(rows: Iterable[tuple[int, list]], limit: int = 200) -> bool:
    """Whether the rows of a sheet that was not read look like data a coach expects read.

    A row looks like data when it holds a date and a number (a session, a race) or three
    numbers (sets, reps, load); a sheet does when two of its first ``limit`` rows do (or
    its only row does). A notes tab — a week number, an author and a comment per row — does
    not.

    Parameters
    ----------
    rows : iterable of (row number, cells)
        The sheet's rows as the reader holds them (cells as text or None).
    limit : int
        Rows looked at.

    Returns
    -------
    bool
    """
    seen = hits = 0
    for _, cells in rows:
        seen += 1
        if _data_row(cells):
            hits += 1
            if hits >= 2:
                return True
        if seen >= limit:
            break
    return hits >= 1 and seen == 1


def unread_data(skipped: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``ds.skipped`` that count against the exit code: files or sheets that
    hold (or may hold) data and were not read. Empty sheets, sheets skipped by
    ``hipflex.toml`` and text-only tabs are left out (they are listed, never a failure)."""
    if not len(skipped):
        return skipped
    keep = pd.Series(True, index=skipped.index)
    if "rows" in skipped.columns:
        keep &= skipped["rows"].fillna(1).astype("int64") > 0
    reason = skipped["reason"].astype("string").fillna("")
    keep &= ~reason.str.contains(_NO_DATA, regex=True).astype(bool)
    return skipped[keep]


def all_rejected(ds) -> list[tuple[str, str]]:
    """``(file, reason)`` of each file or sheet whose data rows were all rejected.

    Such a file counts as not read (exit code 1 of ``hipflex clean``): the reason names its
    most frequent reject reasons (``all 3 rows rejected: unsupported event (3)``).
    """
    rec = ds.reconciliation
    if rec.empty or "clean" not in rec.columns:
        return []
    bad = rec[(rec["rows_read"] > 0) & (rec["clean"] == 0) & (rec["rejected"] > 0)]
    out = []
    for r in bad.itertuples(index=False):
        rej = ds.rejects[ds.rejects["source"].astype("string").str.split("!", n=1).str[0]
                         == r.source]  # fmt: skip
        top = rej["reason"].value_counts().head(3)
        why = ", ".join(f"{k} ({v})" for k, v in top.items())
        out.append(
            (str(r.source), f"all {r.rows_read} rows rejected" + (f": {why}" if why else ""))
        )
    return out


def clean_status(ds) -> int:
    """Exit code of a clean: 0 every file that holds data read, 1 some not read, 2 nothing
    usable.

    A file that looks like data but is not read (:func:`unread_data`), or whose data rows
    were all rejected (:func:`all_rejected`), gives 1 even when nothing
    else came in: the coach is told which file to look at. A folder from which no
    training entry and no race comes in, and in which no such file is, gives 2.
    """
    if len(unread_data(ds.skipped)) or all_rejected(ds):
        return 1
    return 2 if len(ds.log) == 0 and len(ds.races) == 0 else 0
