"""A weekly grid's filled day cells reshaped into raw rows: athlete x exercise x day.

:func:`grid_frame` turns the rows under a grid's header (its layout detected by
:mod:`.layout`) into one raw row per filled day cell, with the day's date from its column
header or the week start, and the source cell (``file#sheet!D``). Every row that is not
data -- totals, headings, repeated headers, athlete headings, rows with no entries -- goes
to :attr:`~.sheet.Parsed.not_data` with its reason. The rows that can only be data are
taken a run at a time with numpy (:class:`_GridCells`); the others one at a time, in
order, as each changes what the rows after it mean (:class:`_GridWalk`).
"""

from __future__ import annotations

import bisect
import datetime as _dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from .days import Day, as_date, day_header, day_text
from .headers import header_key
from .reshape import SheetReader, YearOf
from .roles import role
from .sheet import Parsed, Row
from .summary import SUMMARY, is_aggregate_formula, is_summary, is_summary_label


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
    """One entry per filled day cell of a grid, column by column: runs of rows as NumPy
    object arrays (``chunks``), rows read one at a time appended to lists (``pending``,
    made an array before the next run), joined once."""

    chunks: dict[str, list[np.ndarray]] = field(
        default_factory=lambda: {k: [] for k in _GRID_COLUMNS}
    )
    pending: dict[str, list] = field(default_factory=lambda: {k: [] for k in _GRID_COLUMNS})

    def add(self, **columns: np.ndarray) -> None:
        """The entries of a run of rows (arrays of equal length)."""
        self._flush()
        for k, v in columns.items():
            self.chunks[k].append(v)

    def _flush(self) -> None:
        if self.pending["source_row"]:
            for k, v in self.pending.items():
                self.chunks[k].append(
                    np.array(v, dtype=np.int64) if k == "source_row" else _objects(v)
                )
                v.clear()

    def column(self, key: str) -> np.ndarray:
        """All entries' values of one column."""
        self._flush()
        parts = self.chunks[key]
        if not parts:
            return np.empty(0, dtype=np.int64 if key == "source_row" else object)
        return np.concatenate(parts) if len(parts) > 1 else parts[0]

    def __bool__(self) -> bool:
        return bool(self.chunks["source_row"] or self.pending["source_row"])


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
    if any(d is None for wd, d in days.values()) and week is None and entries:
        reader.layout.reason = (
            "weekly grid without a week start: add a 'Week commencing' cell, a date in "
            "the sheet name, or week_start in hipflex.toml"
        )
    data = {
        k: _text_array(entries.column(k)) for k in _GRID_COLUMNS
        if k != "source_row" and (k != "notes" or cols.notes is not None)
    }  # fmt: skip
    data["source_row"] = pd.array(entries.column("source_row"), dtype="Int64")
    return pd.DataFrame(data, copy=False)


def _text_array(values: np.ndarray) -> pd.arrays.ArrowStringArray:
    """Text cells (or None) as a ``string`` column, straight into Arrow: ``pd.array``'s
    inference and checks cost twice as much (8 columns a sheet, 0.3 against 0.6 ms)."""
    return pd.arrays.ArrowStringArray(pa.array(values, pa.large_string(), from_pandas=True))


def _grid_entries(
    reader: SheetReader,
    cols: GridColumns,
    rows: list[Row],
    out: Parsed,
    year_of: YearOf,
    week: Day | None,
) -> tuple[GridEntries, dict, Day | None]:
    """Walk a grid's rows: its entries, its day columns and week start as they end up.

    The rows that can only be data rows (:class:`_GridCells`: no summary label or sum
    formula, fewer than three day headers, a filled day column) are taken a run at a
    time, with numpy (:meth:`_GridWalk.bulk`; a run shorter than :data:`_MIN_RUN` row by
    row, :meth:`_GridWalk.data_row`); every other row -- headings, totals, repeated
    headers, rows with no entries -- is read one at a time (:meth:`_GridWalk.row`), in
    order, as it changes what the rows after it mean (the week, the athlete, the day
    columns).
    """
    walk = _GridWalk(reader, cols, out, year_of, week)
    if not rows:
        return walk.entries, walk.days, walk.week
    grid = _GridCells(rows, len(reader.header), walk.headers, cols)
    special = grid.special(list(walk.days))  # the rows read on their own, in order
    at, i, n = 0, 0, len(rows)
    while i < n:
        k = special[at] if at < len(special) else n
        if k - i >= _MIN_RUN:
            walk.bulk(grid, i, k)
        else:  # a short run: its rows are cheaper taken on their own
            for r, cells in rows[i:k]:
                walk.data_row(r, *walk.padded(cells))
        if k == n:
            break
        days = walk.days
        walk.row(*rows[k])
        i, at = k + 1, at + 1
        if walk.days is not days:  # a repeated header: other day columns, maybe
            special = grid.special(list(walk.days))
            at = bisect.bisect_left(special, i)
    return walk.entries, walk.days, walk.week


#: Data rows in a run shorter than this are taken one at a time (:meth:`_GridWalk.data_row`):
#: a run costs some twenty NumPy calls, ~35 us, a known data row ~3 us (8,000 rows of
#: runs between headings: runs of 8 took 39 ms as runs and 32 ms row by row, runs of
#: 12 28 and 30 ms, runs of 16 24 and 30 ms).
_MIN_RUN = 12


class _GridCells:
    """A grid's rows as one table of cell codes (``pd.factorize``), each row classified.

    ``candidate``: the row might be a summary row (its label reads as one, or it holds a
    sum formula outside the notes; :func:`is_summary` decides); ``headers``: how many of
    its cells read as a day header. Each distinct cell is read once. A grid whose cells
    are not all text has every row read one at a time.
    """

    def __init__(self, rows: list[Row], width: int, headers: _DayHeaders, cols: GridColumns):
        width = max(width, max(len(c) for _, c in rows))
        pad = [None] * width
        cells = np.array([c + pad[len(c) :] for _, c in rows], dtype=object)
        cells = cells.reshape(len(rows), width)
        codes, uniques = pd.factorize(cells.ravel())
        self.cells, self.codes = cells, codes.reshape(cells.shape)
        self.numbers = np.fromiter((r for r, _ in rows), dtype=np.int64, count=len(rows))
        self.filled = self.codes >= 0
        self._special: dict[tuple[int, ...], list[int]] = {}
        if not all(u.__class__ is str for u in uniques):
            self.candidate = np.ones(len(rows), dtype=bool)
            self.headers = np.zeros(len(rows), dtype=np.int64)
            return
        # a lookup table per distinct cell; code -1 (an empty cell) reads the last slot
        is_header = np.array([headers[u] is not None for u in uniques] + [False])
        formula = np.array([u.startswith("=") and is_aggregate_formula(u) for u in uniques]
                           + [False])  # fmt: skip
        self.headers = is_header[self.codes].sum(axis=1)
        outside = np.ones(width, dtype=bool)
        if cols.notes is not None:
            outside[cols.notes] = False
        sums = formula[self.codes[:, outside]].any(axis=1)
        label = np.full(len(rows), -1, dtype=np.int64)
        for j in reversed(range(min(3, width))):
            label = np.where(self.filled[:, j], self.codes[:, j], label)
        labels = np.unique(label[label >= 0])
        is_label = np.zeros(len(uniques) + 1, dtype=bool)
        is_label[labels] = [is_summary_label(uniques[c]) for c in labels]
        self.candidate = sums | is_label[label]

    def special(self, days: list[int]) -> list[int]:
        """The rows read one at a time under these day columns, in order (their indices).

        Worked out once per set of day columns: a header repeated above every week's
        block (the same columns again) costs a lookup, not a pass over the sheet.
        """
        key = tuple(days)
        if key not in self._special:
            entries = self.filled[:, days].any(axis=1) if days else np.zeros(len(self.codes), bool)
            special = self.candidate | (self.headers >= 3) | ~entries
            self._special[key] = np.flatnonzero(special).tolist()
        return self._special[key]


class _GridWalk:
    """What a grid's rows say as they are read: the day columns, week, athlete, entries."""

    def __init__(
        self, reader: SheetReader, cols: GridColumns, out: Parsed, year_of: YearOf,
        week: Day | None,
    ) -> None:  # fmt: skip
        self.reader, self.cols, self.out, self.year_of = reader, cols, out, year_of
        self.week = week
        self.days = dict(reader.days)
        self.athlete = reader.layout.athlete
        self.current_athlete = None
        self.entries = GridEntries()
        self.ctx = dict(reader.ctx)
        # each distinct cell's day-header reading, each day column's date and source: once
        self.headers = _DayHeaders(reader.dayfirst)
        self.col_dates: dict[int, str | None] = {}  # for the current day columns and week
        self.sources: dict[int, str] = {}
        self.width = len(reader.header)

    def _date_and_source(self, j: int) -> tuple[str | None, str]:
        if j not in self.col_dates:
            self.col_dates[j] = _cell_date(*self.days[j], self.week, self.year_of)
        if j not in self.sources:
            self.sources[j] = f"{self.reader.source}!{_col_letter(j)}"
            self.out.entry_sources[self.sources[j]] = self.reader.source
        return self.col_dates[j], self.sources[j]

    def row(self, r: int, cells: list) -> None:
        """One row read on its own: a heading, total, header or empty row, or data."""
        cols, out, reader = self.cols, self.out, self.reader
        cells, js = self.padded(cells)
        if (why := is_summary(cells, is_athlete=reader.is_athlete,
                              text_cols=() if cols.notes is None else (cols.notes,),
                              athlete_cols=() if cols.athlete is None else (cols.athlete,),
                              )) is not None:  # fmt: skip
            out.not_data.append((r, 1, why))
            return
        if self.headers.count(cells) >= 3:
            self.days = {j: d for j, c in enumerate(cells) if (d := self.headers[c])}
            self.col_dates = {}
            out.not_data.append((r, 1, "header row (repeated)"))
            return
        filled = [c for c in cells if c is not None]
        if not js:
            if len(filled) <= 2 and reader.read_context(cells, self.ctx):
                if "week" in self.ctx and self.ctx["week"][0] != self.week:
                    self.week, self.col_dates = self.ctx["week"][0], {}
                if "athlete" in self.ctx:
                    self.athlete = self.ctx["athlete"]
                out.not_data.append((r, 1, "heading: " + " ".join(map(str, filled))))
                return
            if cols.athlete is None and len(filled) == 1 and reader.is_athlete(str(filled[0])):
                self.current_athlete = str(filled[0])
                out.not_data.append((r, 1, "athlete heading"))
                return
            if cols.athlete is not None and cells[cols.athlete] is not None:
                self.current_athlete = cells[cols.athlete]
            out.not_data.append((r, 1, "grid row with no entries"))
            return
        self.data_row(r, cells, js)

    def padded(self, cells: list) -> tuple[list, list[int]]:
        """A row's cells padded to the header's width, and its filled day columns."""
        cells = cells + [None] * max(0, self.width - len(cells))
        return cells, [j for j in self.days if j < len(cells) and cells[j] is not None]

    def data_row(self, r: int, cells: list, js: list[int]) -> None:
        """A row known to be data (:meth:`padded`: its cells and filled day columns ``js``):
        its entries."""
        cols = self.cols
        if cols.athlete is not None and cells[cols.athlete] is not None:
            self.current_athlete = cells[cols.athlete]
        who = self._who()
        dates, sources = self.col_dates, self.sources
        for j in js:
            if j not in dates or j not in sources:
                self._date_and_source(j)
        k = len(js)
        add = self.entries.pending  # list extends: a row read alone is the slow path's unit
        add["athlete"] += [who] * k
        add["date"] += [dates[j] for j in js]
        add["exercise"] += [cells[cols.exercise] if cols.exercise is not None else None] * k
        add["prescription"] += [cells[j] for j in js]
        add["notes"] += [cells[cols.notes] if cols.notes is not None else None] * k
        add["source"] += [sources[j] for j in js]
        add["source_row"] += [r] * k

    def _who(self) -> object:
        if self.cols.athlete is not None or self.current_athlete:
            return self.current_athlete
        return self.athlete

    def bulk(self, grid: _GridCells, lo: int, hi: int) -> None:
        """Rows ``lo:hi``, each a data row (:meth:`_GridCells.special`): the same
        entries as :meth:`row` would give, a run at a time."""
        cols, days = self.cols, list(self.days)
        cells = grid.cells[lo:hi]
        present = grid.filled[lo:hi][:, days]
        at, pos = np.nonzero(present)  # row by row, each row's day columns in order
        used = np.flatnonzero(present.any(axis=0))
        lookup = np.empty((2, len(days)), dtype=object)
        for p in used:
            lookup[:, p] = self._date_and_source(days[p])
        if cols.athlete is not None:
            filled = grid.filled[lo:hi, cols.athlete]
            last = np.maximum.accumulate(np.where(filled, np.arange(hi - lo), -1))
            who = np.where(last >= 0, cells[np.maximum(last, 0), cols.athlete], None)
            who[last < 0] = self.current_athlete
            self.current_athlete = who[-1]
            who = who[at]
        else:
            who = np.full(len(at), self._who(), dtype=object)
        none = np.full(len(at), None, dtype=object)
        self.entries.add(
            athlete=who,
            date=lookup[0, pos],
            exercise=cells[at, cols.exercise] if cols.exercise is not None else none,
            prescription=cells[:, days][at, pos],
            notes=cells[at, cols.notes] if cols.notes is not None else none,
            source=lookup[1, pos],
            source_row=grid.numbers[lo:hi][at],
        )


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


def _objects(values: list) -> np.ndarray:
    """``values`` as a 1-d object array, whatever they hold."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


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
