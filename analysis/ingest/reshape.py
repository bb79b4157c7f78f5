"""A sheet's rows reshaped into the raw rows the cleaners read, once its layout is known.

A table's rows (:func:`table_frame`) keep their columns, with what titles and headings
said (the athlete, a meet, a date, an event) added where no column says it; a weekly
grid's filled cells (:func:`grid_frame`) become one row each: athlete x exercise x day.
Every row that is not data goes to :attr:`~.sheet.Parsed.not_data` with its reason, a
row with more fields than its header to :attr:`~.sheet.Parsed.ragged`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd

from .days import Day, as_date, day_header, day_text
from .headers import header_key
from .roles import role
from .sheet import Hints, Layout, Parsed, Row
from .summary import BARE_NUMBER, SUMMARY, ColumnSums, is_summary, text_and_athlete_cols

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


@dataclass(frozen=True)
class GridColumns:
    """Which columns of a weekly grid hold what (their index in the header, or None)."""

    athlete: int | None
    exercise: int | None
    notes: int | None
    labels: frozenset[int]


def _grid_columns(reader: SheetReader) -> GridColumns:
    """The grid's athlete, exercise and notes columns; the others are marked ignored."""
    header = reader.header
    labels = frozenset(reader.label_cols())
    notes = next(
        (j for j, c in enumerate(header) if role(c) == "notes" and j not in reader.days), None
    )
    ignored = [
        header[j] for j in range(len(header))
        if j not in reader.days and j not in labels and j != notes and header[j]
    ]  # fmt: skip
    for c in ignored:
        reader.layout.columns[c] = "ignored (summary column)" if SUMMARY.match(
            header_key(c)) else "ignored"  # fmt: skip
    return GridColumns(reader.grid_athlete_col(), reader.grid_exercise_col(), notes, labels)


_GRID_COLUMNS = ("athlete", "date", "exercise", "prescription", "notes", "source", "source_row")


@dataclass(frozen=True)
class GridEntries:
    """One entry per filled day cell of a grid (columns of the raw frame)."""

    columns: dict[str, list] = field(default_factory=lambda: {k: [] for k in _GRID_COLUMNS})


def grid_frame(reader: SheetReader, rows: list[Row], out: Parsed, year_of: YearOf) -> pd.DataFrame:
    """The filled day cells of a weekly grid, one raw row each."""
    cols = _grid_columns(reader)
    week = reader.week
    if week is not None and week.year is None:
        start = as_date(week, year_of, monday=True)
        if start is not None:
            reader.layout.week_start = start.isoformat()
            reader.layout.week_from += "; year from the folder's other dates"
    entries, days, week = _grid_entries(reader, cols, rows, out, year_of, week)
    recs = entries.columns
    if any(d is None for wd, d in days.values()) and week is None and recs["date"]:
        reader.layout.reason = (
            "weekly grid without a week start: add a 'Week commencing' cell, a date in "
            "the sheet name, or week_start in hipflex.toml"
        )
    data = {
        k: pd.array(v, dtype="string") for k, v in recs.items()
        if k != "source_row" and (k != "notes" or cols.notes is not None)
    }  # fmt: skip
    data["source_row"] = pd.array(recs["source_row"], dtype="Int64")
    return pd.DataFrame(data)


def _grid_entries(
    reader: SheetReader,
    cols: GridColumns,
    rows: list[Row],
    out: Parsed,
    year_of: YearOf,
    week: Day | None,
) -> tuple[GridEntries, dict, Day | None]:
    """Walk a grid's rows: its entries, its day columns and week start as they end up."""
    header = reader.header
    days = dict(reader.days)
    athlete = reader.layout.athlete
    current_athlete = None
    entries = GridEntries()
    recs = entries.columns
    ctx = dict(reader.ctx)
    # each distinct cell's day-header reading, each day column's date and source: once
    headers = _DayHeaders(reader.dayfirst)
    col_dates: dict[int, str | None] = {}  # for the current day columns and week
    sources: dict[int, str] = {}
    for r, cells in rows:
        cells = cells + [None] * max(0, len(header) - len(cells))
        if (why := is_summary(cells, is_athlete=reader.is_athlete,
                              text_cols=() if cols.notes is None else (cols.notes,),
                              athlete_cols=() if cols.athlete is None else (cols.athlete,),
                              )) is not None:  # fmt: skip
            out.not_data.append((r, 1, why))
            continue
        js = [j for j in days if j < len(cells) and cells[j] is not None]
        if headers.count(cells) >= 3:
            days = {j: d for j, c in enumerate(cells) if (d := headers[c])}
            col_dates = {}
            out.not_data.append((r, 1, "header row (repeated)"))
            continue
        filled = [c for c in cells if c is not None]
        if not js:
            if len(filled) <= 2 and reader.read_context(cells, ctx):
                if "week" in ctx and ctx["week"][0] != week:
                    week, col_dates = ctx["week"][0], {}
                if "athlete" in ctx:
                    athlete = ctx["athlete"]
                out.not_data.append((r, 1, "heading: " + " ".join(map(str, filled))))
                continue
            if cols.athlete is None and len(filled) == 1 and reader.is_athlete(str(filled[0])):
                current_athlete = str(filled[0])
                out.not_data.append((r, 1, "athlete heading"))
                continue
            if cols.athlete is not None and cells[cols.athlete] is not None:
                current_athlete = cells[cols.athlete]
            out.not_data.append((r, 1, "grid row with no entries"))
            continue
        if cols.athlete is not None and cells[cols.athlete] is not None:
            current_athlete = cells[cols.athlete]
        who = current_athlete if (cols.athlete is not None or current_athlete) else athlete
        for j in js:
            if j not in col_dates:
                col_dates[j] = _cell_date(*days[j], week, year_of)
            if j not in sources:
                sources[j] = f"{reader.source}!{_col_letter(j)}"
                out.entry_sources[sources[j]] = reader.source
        k = len(js)
        recs["athlete"] += [who] * k
        recs["date"] += [col_dates[j] for j in js]
        recs["exercise"] += [cells[cols.exercise] if cols.exercise is not None else None] * k
        recs["prescription"] += [cells[j] for j in js]
        recs["notes"] += [cells[cols.notes] if cols.notes is not None else None] * k
        recs["source"] += [sources[j] for j in js]
        recs["source_row"] += [r] * k
    return entries, days, week


class _DayHeaders(dict):
    """Each distinct cell's :func:`day_header` reading, worked out once (``headers[c]``).

    ``seen`` mirrors the keys as a set (measured faster than the keys view here:
    ``issuperset`` takes a row's list as it is) and ``days`` holds those that name a day
    column.
    """

    def __init__(self, dayfirst: bool) -> None:
        super().__init__()
        self.dayfirst = dayfirst
        self.seen: set = set()
        self.days: set = set()

    def __missing__(self, key: object) -> object:
        value = self[key] = day_header(key, self.dayfirst)
        return value

    def count(self, cells: list) -> int:
        """How many of ``cells`` read as a day column's header (each distinct cell read
        once; the usual row, with none, costs a few set operations)."""
        if not self.seen.issuperset(cells):
            for c in set(cells) - self.seen:
                if self[c] is not None:
                    self.days.add(c)
                self.seen.add(c)
        if self.days.isdisjoint(cells):
            return 0
        return sum(c in self.days for c in cells)


def _cell_date(wd: int | None, day: Day | None, week: Day | None, year_of: YearOf) -> str | None:
    """The date of a grid's day cell: its column's date, else its weekday in the week."""
    if day is not None:
        return day_text(day, year_of)
    if week is not None:
        start = as_date(week, year_of, monday=True)
        if start is not None:
            return (start + _dt.timedelta(days=(wd - start.weekday()) % 7)).isoformat()
    return None


def _col_letter(j: int) -> str:
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


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
