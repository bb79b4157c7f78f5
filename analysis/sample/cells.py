"""Files written cell by cell (:class:`Cells`), the helpers the coach layouts share, and
what the reader must find in each file (:func:`file_truth`).

Each moved row keeps its truth: the files the rows leave are renumbered
(:func:`renumber`) and the deliberate faults of ``truth.json`` follow their rows. For every
file and sheet, :func:`file_truth` writes down its rows, the data rows, the entries handed
to the cleaners, the clean, rejected and duplicate ones, and every row that is not data
with its reason (``rows in = clean + rejected + duplicates``; ``raw rows = data rows +
not-data rows``).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import reasons as R

__all__ = [
    "CLUB",
    "Cells",
    "fault_rows",
    "file_truth",
    "kg_bare",
    "parse_date",
    "renumber",
    "seconds",
    "time_text",
]

#: the sample's club, in the results exports and the timing system's files
CLUB = "Harbour AC"


@dataclass(frozen=True)
class Cells:
    """A CSV or a workbook sheet written cell by cell (titles, units, grids, blocks).

    Attributes
    ----------
    rows
        The rows from row 1, each a tuple of cells (``None``: an empty cell; an empty
        tuple: a blank row).
    sep
        Field separator when written as CSV.
    not_data
        ``(first row, rows, reason)`` of every row that is not data, as the reader
        lists them.
    entries
        Entries the rows hold (a grid row holds one per filled day cell).
    data_rows, columns, layout
        Rows holding entries; the (first) header; what the reader should call the
        layout (``table``, ``grid`` or ``blocks``).
    """

    rows: tuple[tuple, ...]
    sep: str = ","
    not_data: tuple[tuple[int, int, str], ...] = ()
    entries: int = 0
    data_rows: int = 0
    columns: tuple[str, ...] = field(default=())
    layout: str = "table"
    #: how the CSV is written (a timing system's file: ``cp1252`` and ``\r\n``)
    encoding: str = "utf-8"
    lineterminator: str = "\n"


# ------------------------------------------------------------------ helpers


def renumber(frame: pd.DataFrame, move: np.ndarray, source: str, faults: dict) -> pd.DataFrame:
    """``frame`` without the rows in ``move``; the faults of ``source`` follow their rows."""
    kept = ~move
    new_row = np.cumsum(kept) + 1  # row 1 is the header
    for group in ("rejected", "duplicate", "results"):
        for f in faults.get(group, []):
            if f["source"] == source:
                old = f["source_row"] - 2
                assert kept[old], f"a deliberate fault row of {source} was moved"
                f["source_row"] = int(new_row[old])
    return frame.loc[kept].reset_index(drop=True)


def fault_rows(faults: dict, source: str) -> set[int]:
    """0-based rows of ``source`` that hold a deliberate fault (they never move)."""
    return {
        f["source_row"] - 2
        for group in ("rejected", "duplicate", "results")
        for f in faults.get(group, [])
        if f["source"] == source
    }


def seconds(text: str) -> float:
    """A written time (``52.34``, ``1:02.50``) in seconds."""
    t = str(text).strip()
    m, _, s = t.rpartition(":")
    return (int(m) * 60 if m else 0) + float(s)


def time_text(t: float) -> str:
    """Seconds as a results export prints them (``52.34``, ``1:02.50``)."""
    if t >= 60:
        m, s = divmod(round(t, 2), 60)
        return f"{int(m)}:{s:05.2f}"
    return f"{t:.2f}"


def parse_date(text: object) -> _dt.date:
    """A meets-file date (ISO or ``31 Jan 2026``)."""
    s = str(text).strip()
    try:
        return _dt.date.fromisoformat(s)
    except ValueError:
        return _dt.datetime.strptime(s, "%d %b %Y").date()


def kg_bare(load: str, decimal_comma: bool = False) -> str:
    """A load in kilograms as a bare number (``10kg`` -> ``10``); other loads unchanged."""
    s = str(load).strip()
    low = s.lower().replace(" ", "")
    if low.endswith("kg") and low[:-2].replace(".", "", 1).isdigit():
        num = low[:-2]
        return num.replace(".", ",") if decimal_comma else num
    if decimal_comma and low.endswith("lb"):
        return low[:-2] + " lb"
    return s


def file_truth(frames: dict, faults: dict) -> list[dict]:
    """What the reader must find in each file and sheet of the sample (module notes).

    One record per file or sheet read (the roster and the skipped sheets left out):
    ``source, layout, raw_rows, data_rows, not_data, rows_read, clean, rejected,
    duplicates`` and ``not_data_rows`` (``[first row, rows, reason]``).
    """
    skipped = set(faults.get("skipped", []))
    rejected: dict[str, int] = {}
    for f in faults.get("rejected", []):
        rejected[f["source"]] = rejected.get(f["source"], 0) + 1
    for f in faults.get("results", []):
        if f.get("reason") == R.UNSUPPORTED_EVENT:
            rejected[f["source"]] = rejected.get(f["source"], 0) + 1
    dups: dict[str, int] = {}
    for f in faults.get("duplicate", []):
        dups[f["source"]] = dups.get(f["source"], 0) + 1

    def one(source: str, frame, layout: str) -> dict:
        if isinstance(frame, Cells):
            nd = [list(x) for x in frame.not_data]
            raw, data, entries = len(frame.rows), frame.data_rows, frame.entries
        else:
            nd = [[1, 1, "header row"]]
            raw, data, entries = len(frame) + 1, len(frame), len(frame)
        rej, dup = rejected.get(source, 0), dups.get(source, 0)
        return {"source": source, "layout": layout, "raw_rows": raw, "data_rows": data,
                "not_data": sum(n for _, n, _ in nd), "rows_read": entries,
                "clean": entries - rej - dup, "rejected": rej, "duplicates": dup,
                "not_data_rows": nd}  # fmt: skip

    out = []
    for rel, frame in frames.items():
        if rel == "athletes.csv":
            continue
        if isinstance(frame, dict):
            for sheet, df in frame.items():
                source = f"{rel}#{sheet}"
                if source in skipped:
                    continue
                out.append(one(source, df, df.layout if isinstance(df, Cells) else "table"))
            continue
        out.append(one(rel, frame, frame.layout if isinstance(frame, Cells) else "table"))
    return out
