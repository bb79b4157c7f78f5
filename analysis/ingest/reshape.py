"""A sheet's rows reshaped into the raw rows the cleaners read, once its layout is known.

A table's rows (:func:`table_frame`) keep their columns, with what titles and headings
said (the athlete, a meet, a date, an event) added where no column says it; a weekly
grid's filled cells become one row each: athlete x exercise x day (:mod:`.grid`).
Every row that is not data goes to :attr:`~.sheet.Parsed.not_data` with its reason, a
row with more fields than its header to :attr:`~.sheet.Parsed.ragged`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd

from .days import Day, day_text
from .roles import role
from .sheet import Hints, Layout, Parsed, Row
from .summary import (
    BARE_NUMBER,
    ColumnSums,
    is_summary,
    text_and_athlete_cols,
)

YearOf = Callable[[Day, bool], int]


class SheetReader(Protocol):
    """What reshaping reads of a sheet whose layout is detected (:class:`.layout.SheetReader`)."""

    source: str
    header: list
    ctx: dict
    units: dict[int, str]
    days: dict[int, tuple[int | None, Day | None]]
    week: Day | None
    layout: Layout
    hints: Hints
    dayfirst: bool

    def is_athlete(self, name: str) -> bool:
        """The name resolves to a roster athlete."""

    def read_context(self, cells: list, ctx: dict) -> bool:
        """Update ``ctx`` from a title or heading line; True if it said anything."""

    def label_cols(self) -> list[int]:
        """A grid's columns left of its first day column."""

    def grid_athlete_col(self) -> int | None:
        """A grid's athlete column, or None."""

    def grid_exercise_col(self) -> int | None:
        """A grid's exercise column, or None."""


@dataclass(frozen=True)
class TableRows:
    """A table's data rows as records, each with its row number and the context it had."""

    records: list[dict] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    contexts: list[dict] = field(default_factory=list)


def table_frame(reader: SheetReader, rows: list[Row], out: Parsed, year_of: YearOf) -> pd.DataFrame:
    """The data rows of a table (or block file) under its header, as a raw text frame."""
    found = _table_rows(reader, rows, out)
    return _table_columns(reader, found, year_of)


def _table_rows(reader: SheetReader, rows: list[Row], out: Parsed) -> TableRows:
    """Walk the rows under the header: data rows kept, the others listed with their reason."""
    header = list(reader.header)
    names = _names(header)
    ctx = dict(reader.ctx)
    found = TableRows()
    units = dict(reader.units)
    text_cols, athlete_cols = text_and_athlete_cols(header)
    sums = ColumnSums()
    for r, cells in rows:
        if _looks_like_header(cells):
            header, names, units = list(cells), _names(cells), {}
            text_cols, athlete_cols = text_and_athlete_cols(header)
            out.not_data.append((r, 1, "header row (repeated)"))
            sums.reset()
            continue
        if (why := is_summary(cells, is_athlete=reader.is_athlete, text_cols=text_cols,
                              athlete_cols=athlete_cols)) is not None:  # fmt: skip
            out.not_data.append((r, 1, why))
            sums.reset()
            continue
        if sums.is_sum_row(cells, text_cols) and not any(
            cells[j] is not None and reader.is_athlete(str(cells[j]))
            for j in athlete_cols if j < len(cells)
        ):  # fmt: skip
            out.not_data.append((r, 1, "summary row (sums of the rows above)"))
            sums.reset()
            continue
        filled = sum(c is not None for c in cells)
        if filled <= 2 and reader.read_context(cells, ctx):
            out.not_data.append((r, 1, "heading: " + " ".join(str(c) for c in cells if c)))
            continue
        width = len(header)
        extra = [c for c in cells[width:] if c is not None]
        if extra:
            out.ragged.append((r, len(cells), [str(c) for c in extra]))
            continue
        row = (cells + [None] * width)[:width]
        for j, u in units.items():
            v = row[j]
            if v is not None and BARE_NUMBER.match(v):
                row[j] = f"{v} {u}"
        sums.add(cells)
        found.records.append(dict(zip(names, row, strict=True)))
        found.numbers.append(r)
        found.contexts.append(dict(ctx))
    return found


def _table_columns(reader: SheetReader, found: TableRows, year_of: YearOf) -> pd.DataFrame:
    """The records as a frame, with the context's athlete, meet, round, event and date."""
    records, contexts = found.records, found.contexts
    columns = list(dict.fromkeys([*_names(reader.header), *(k for d in records for k in d)]))
    df = (
        pd.DataFrame.from_records(records, columns=columns)
        if records
        else pd.DataFrame(columns=columns, dtype=object)
    )
    roles = {role(c) for c in columns}
    add: dict[str, list] = {}
    if reader.layout.athlete_from != "column":
        add["athlete"] = [reader.layout.athlete] * len(df)
    for key in ("meet", "round", "event"):
        if key not in roles and any(key in c for c in contexts):
            add[key] = [c.get(key) for c in contexts]
    if "date" not in roles and any("date" in c for c in contexts):
        add["date"] = [day_text(c["date"], year_of) if "date" in c else None for c in contexts]
    for k, v in add.items():
        df[k] = v
    if reader.hints.date_format:
        df = _reformat_dates(df, reader.hints.date_format)
    df = _strings(df)
    df["source"] = pd.Series([reader.source] * len(df), dtype="string")
    df["source_row"] = pd.array(found.numbers, dtype="Int64")
    return df


def _names(header: list) -> list[str]:
    """Column names of a header row (an empty header cell: ``column_<n>``)."""
    names, seen = [], set()
    for j, c in enumerate(header):
        name = str(c) if c is not None else f"column_{j + 1}"
        while name in seen:
            name += "_"
        seen.add(name)
        names.append(name)
    return names


def _looks_like_header(cells: list) -> bool:
    """A header row again (block files repeat theirs per event, often with other columns)."""
    filled = [c for c in cells if c is not None]
    known = sum(role(c) is not None for c in filled)
    return known >= 2 and known >= 0.6 * len(filled)


def _strings(df: pd.DataFrame) -> pd.DataFrame:
    return df.astype({c: "string" for c in df.columns if c not in ("source_row",)})


def _reformat_dates(df: pd.DataFrame, fmt: str) -> pd.DataFrame:
    """Dates written in the hipflex.toml ``date_format`` rewritten as ISO (others kept)."""
    for col in df.columns:
        if role(col) != "date":
            continue
        s = df[col].astype("string")
        uniq = s.dropna().unique()
        parsed = pd.to_datetime(pd.Series(uniq, dtype=object), format=fmt, errors="coerce")
        table = {
            u: (p.date().isoformat() if pd.notna(p) else u)
            for u, p in zip(uniq, parsed, strict=True)
        }
        df[col] = s.map(table)
    return df
