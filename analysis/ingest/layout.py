"""Layout detection: where a sheet's table is, and how its rows become raw data rows.

A coach's sheet is rarely a table with its header on row 1. This stage looks at the
first rows of each CSV or workbook sheet (:data:`analysis.config.LAYOUT_SCAN_ROWS`) and
finds:

* the **header row** anywhere in those rows (the row naming the most known columns, in
  any of the languages of :mod:`.headers`); the rows above it are
  **titles**, read for what they say (``Athlete: Ada Okafor``, ``Week commencing
  05/01/2026``, ``Harriers Spring Open - 25/04/2026``, ``Event 12  Men 400m Final``);
* a **units row** under the header (``kg``, ``lb``, ``m``, ``s``: applied to the bare
  numbers of its column) and **summary rows** (``Total``, ``Sum``, ``Average``, formulas);
* a **weekly grid** (three or more weekday or date columns), reshaped to one row per
  filled cell: athlete x exercise (or exercise only) x day;
* **block files** (meet-manager exports): heading lines carry meet, date, event and round
  for the rows under them, and the header may come again for each event;
* the **athlete** when no column names one: a title cell, the sheet name or the file
  name, matched against the roster like any other spelling.

Every row of the sheet ends somewhere: in the data handed to the cleaners, or in
:attr:`Parsed.not_data` with its reason (title, header, units, summary, heading, a grid
row with no entries), or (a row with more fields than the header) in
:attr:`Parsed.rejects`.

A plain table (header on row 1, nothing else to see in its first rows) is recognised as
such and read by the fast path of :func:`analysis.ingest.raw.read_raw`; only its summary rows are
looked for afterwards, among the distinct values of its first columns.

The stage is cut by concern: header roles (:mod:`.roles`), days in titles and headers
(:mod:`.days`), summary and units rows (:mod:`.summary`), the layout's record
(:mod:`.sheet`), the detection here, and the reshaping of the rows (:mod:`.reshape`).
Their public names are re-exported here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .days import (
    Day,
    day_header,
    default_year,
    find_date,
    header_key_keep_digits,
    weekday_of,
    year_chooser,
    years_in,
)
from .grid import grid_frame
from .reshape import table_frame
from .roles import result_roles, role
from .rows import blank_runs
from .sheet import Hints, Layout, Parsed, Row
from .summary import ColumnSums, is_aggregate_formula, is_summary, is_summary_label, units_of

_ATHLETE_LABEL = re.compile(
    r"^(athlete|athlet|athletin|name|runner|sportler|sportlerin|nom|nombre|atleta|nome|naam|"
    r"atleet|namn|idrottare)\s*[:\-=]\s*(.+)$"
)


_ATHLETE_WORD = re.compile(
    r"^(athlete|athlet|athletin|name|runner|sportler|nom|nombre|atleta|nome|naam|atleet|namn)"
    r"\s*:?$"
)


_WEEK_LABEL = re.compile(
    r"^(week commencing|week beginning|week starting|week of|w/c|wc|w c|woche ab|woche vom|"
    r"woche|kw|semaine du|semaine|semana del|semana|settimana del|settimana|week van|week|"
    r"vecka|veckan)\b\s*[:\-=]?\s*(.*)$"
)


_EVENT = re.compile(r"(?<![\d.:])(\d{2,3})\s?(?:m|metres|meters|meter|metros|metri)\b", re.I)


_ROUND = re.compile(
    r"\b(final|finals|a final|b final|heat\s*\d*|semi(?:[- ]?final)?\s*\d*|prelim\w*|"
    r"round\s*\d+|r\d|finale|vorlauf|zwischenlauf|lauf\s*\d*|serie\s*\d*|s[eé]rie\s*\d*|"
    r"final[ae]?|eliminatoria|batteria|halve finale|series\s*\d*)\b",
    re.I,
)


_GENERIC_SHEET = re.compile(
    r"^(sheet|tabelle|feuil|feuille|hoja|foglio|blad|planilha|ark|tabell|data|log|logs|"
    r"training|results?|week|woche|semaine|semana|settimana|vecka|kw|wk|w)\s*\d*$",
    re.I,
)


def _label_value(cells: list, pattern: re.Pattern, word: re.Pattern | None = None):
    """``(label cell index, value)`` of ``Label: value`` in one cell or two cells."""
    filled = [(i, c) for i, c in enumerate(cells) if c is not None]
    for k, (i, c) in enumerate(filled):
        key = header_key_keep_digits(str(c))
        m = pattern.match(key)
        if m and m.group(2).strip():
            return i, _tail(c, m)
        if (m or (word is not None and word.match(key))) and k + 1 < len(filled):
            return i, filled[k + 1][1]
    return None


def _tail(cell: object, m: re.Match) -> str:
    """The value after ``Label:`` in a cell, in its original spelling."""
    text = str(cell)
    parts = re.split(r"[:=]", text, maxsplit=1)
    if len(parts) == 2 and parts[1].strip():
        return parts[1].strip()
    n = len(m.group(2))
    return text[-n:].strip() if n else ""


def _score(cells: list) -> tuple[int, int]:
    """(known header cells, day columns) of a candidate header row."""
    known = sum(role(c) is not None for c in cells)
    days = sum(day_header(c) is not None for c in cells)
    return known, days


def find_header(rows: list[Row], hints: Hints) -> int | None:
    """Index (in ``rows``) of the header row among the first rows, or None."""
    if hints.header_row is not None:
        for i, (r, _) in enumerate(rows):
            if r == hints.header_row:
                return i
        return None
    best, best_score, first = None, 0, None
    for i, (_, cells) in enumerate(rows[:40]):
        if hints.columns:
            named = sum(c is not None and (c in hints.columns) for c in cells)
        else:
            named = 0
        known, days = _score(cells)
        score = known + named + (days if days >= 3 else 0)
        if days >= 3 and known + named == 0:
            score += 1  # a grid whose label column has no header
        if score > best_score and (score >= 2):
            best, best_score = i, score
        filled = sum(c is not None for c in cells)
        if first is None and score >= 2 and (days >= 3 or known + named >= 0.6 * filled):
            first = i
    # the first row that reads as a header: a block file's first event may have fewer
    # columns than a later one (``Pos, Name, Time`` before ``..., 100m split``), and its
    # rows must not become titles above the wider header
    return first if first is not None else best


def _athlete_candidates(text: str) -> list[str]:
    t = text.strip()
    out = [t, re.sub(r"[_]+", " ", t).strip()]
    for sep in (" - ", " – ", "_-_", " (", ","):
        if sep in t:
            out.append(t.split(sep)[0].strip())
    return [c for c in dict.fromkeys(out) if c]


def choose_athlete(
    title: str | None,
    sheet: str | None,
    file_stem: str,
    is_athlete: Callable[[str], bool],
    hint: str | None = None,
) -> tuple[str, str]:
    """``(athlete, where from)`` for a sheet without an athlete column."""
    if hint:
        return hint, "hipflex.toml"
    if title:
        return title, "title cell"
    for name, where in ((sheet, "sheet name"), (file_stem, "file name")):
        if name:
            for cand in _athlete_candidates(name):
                if is_athlete(cand):
                    return cand, where
    if sheet and not _GENERIC_SHEET.match(sheet.strip()) and find_date(sheet) is None:
        return _athlete_candidates(sheet)[-1], "sheet name (not in the roster)"
    return _athlete_candidates(file_stem)[-1], "file name (not in the roster)"


def _renamed(cell: object, columns: dict[str, str]) -> object:
    """A header cell renamed to the role hipflex.toml gives it (``ignore``: kept aside)."""
    if cell is None or cell not in columns:
        return cell
    role = columns[cell]
    return f"(ignored) {cell}" if role == "ignore" else role


def _heading(cells: list, dayfirst: bool) -> dict | None:
    """What a heading line of a block file says (meet, date, event, round), or None."""
    filled = [str(c) for c in cells if c is not None]
    if len(filled) != 1:
        return None
    text = filled[0]
    out: dict = {}
    ev = _EVENT.search(text)
    day = find_date(text, dayfirst=dayfirst)
    if ev and not day:
        out["event"] = f"{ev.group(1)}m"
        rnd = _ROUND.search(text[ev.end() :]) or _ROUND.search(text)
        if rnd:
            out["round"] = rnd.group(0).strip().title()
        return out
    if day:
        meet = re.split(r"\s+[-–|,]\s+|\s*[-–|]\s*(?=\d)", text)[0].strip(" -–|,")
        if meet and find_date(meet) is None:
            out["meet"] = meet
        out["date"] = day
        return out
    return None


@dataclass(frozen=True)
class Units:
    """A units row under the header and ``hipflex.toml``'s units: column -> unit."""

    by_col: dict[int, str]  # column index -> unit
    by_header: dict[str, str]  # header cell -> unit (what ``hipflex inspect`` shows)
    row: bool  # the row under the header is a units row


def _units(rows: list[Row], h: int, header: list, kind: str, hints: Hints) -> Units:
    units = units_of(rows[h + 1][1], len(header)) if h + 1 < len(rows) else None
    by_col: dict[int, str] = {}
    by_header: dict[str, str] = {}
    if units and kind != "grid":
        for j, u in units.items():
            if u and j < len(header) and header[j] is not None:
                by_col[j] = u
                by_header[header[j]] = u
    for col, u in hints.units.items():
        if col in header:
            by_col[header.index(col)] = u
            by_header[col] = u
    return Units(by_col, by_header, units is not None)


def _no_header(lay: Layout, rows: list[Row], hints: Hints) -> int | None:
    """The header row's index, or None with ``lay`` saying why nothing is read."""
    if hints.skip:
        lay.kind, lay.reason = "none", "skipped by hipflex.toml"
        return None
    if not rows:
        lay.kind, lay.reason = "none", "no rows"
        return None
    h = find_header(rows, hints)
    if h is None:
        lay.kind = "none"
        lay.reason = (
            f"no header row found in the first {min(len(rows), 40)} rows (need columns "
            "such as athlete, date, exercise or event, time; or weekday columns)"
        )
    return h


def _one_filled(cells: list) -> bool:
    return len(cells) - cells.count(None) == 1


class SheetReader:
    """Detects the layout of one sheet's rows and turns them into raw data rows."""

    def __init__(
        self,
        source: str,
        rows: list[Row],
        *,
        file_stem: str,
        sheet: str | None,
        hints: Hints | None = None,
        is_athlete: Callable[[str], bool] = lambda _: False,
        dayfirst: bool = True,
    ) -> None:
        self.source = source
        self.rows = rows
        self.file_stem = file_stem
        self.sheet = sheet
        self.hints = hints or Hints()
        self.is_athlete = is_athlete
        self.dayfirst = dayfirst
        self.layout = self._detect()

    # -------------------------------------------------------------- detection
    def _detect(self) -> Layout:
        lay = Layout(self.source)
        rows = self.rows
        h = _no_header(lay, rows, self.hints)
        if h is None:
            return lay
        self.h = h
        header_row, header = rows[h]
        lay.header_row = header_row
        header = [_renamed(c, self.hints.columns) for c in header]
        self.header = header
        days = {j: d for j, c in enumerate(header) if (d := day_header(c, self.dayfirst))}
        self.titles = [cells for _, cells in rows[:h]]
        ctx = self._context(self.titles)
        self.ctx = ctx
        roles = {c: (role(c) or "") for c in header if c is not None}
        lay.columns = {c: r or "?" for c, r in roles.items()}
        has_athlete = any(r in ("athlete", "athlete_id", "name") for r in roles.values())
        if len(days) >= 3:
            lay.kind = "grid"
            self.days = days
            for j, (_wd, day) in days.items():
                lay.columns[header[j]] = "day" if day is None else f"day {day.text()}"
            ws = self._week_start(ctx)
            if ws is not None:
                lay.week_start, lay.week_from = ws[0].text(), ws[1]
            self.week = ws[0] if ws else None
        elif ctx.get("event") or any(
            _one_filled(cells) and self._is_heading_row(cells) for _, cells in rows[h + 1 :]
        ):
            lay.kind = "blocks"
        units = _units(rows, h, header, lay.kind, self.hints)
        self.units, self.units_row = units.by_col, units.row
        lay.units.update(units.by_header)
        grid_label = lay.kind == "grid" and not any(
            roles.get(header[j]) in ("athlete", "name") for j in self.label_cols()
        )
        grid_athlete = lay.kind == "grid" and self.grid_athlete_col() is not None
        if (not has_athlete or grid_label) and not grid_athlete:
            lay.athlete, lay.athlete_from = choose_athlete(
                ctx.get("athlete"), self.sheet, self.file_stem, self.is_athlete,
                self.hints.athlete,
            )  # fmt: skip
        lay.plain = (
            h == 0
            and header_row == 1
            and lay.kind == "table"
            and not self.units_row
            and not self.hints.units
            and not self.hints.columns
            and not self.hints.date_format
            and has_athlete
        )
        return lay

    def _context(self, titles: list[list]) -> dict:
        ctx: dict = {}
        for cells in titles:
            self.read_context(cells, ctx)
        return ctx

    def read_context(self, cells: list, ctx: dict) -> bool:
        """Update ``ctx`` from a title or heading line; True if it said anything."""
        said = False
        if (a := _label_value(cells, _ATHLETE_LABEL, _ATHLETE_WORD)) is not None:
            ctx["athlete"] = str(a[1]).strip()
            said = True
        if (w := _label_value(cells, _WEEK_LABEL)) is not None:
            day = find_date(w[1], dayfirst=self.dayfirst, date_format=self.hints.date_format)
            if day is not None:
                ctx["week"] = (day, "week-commencing cell")
                said = True
        if not said and (hd := _heading(cells, self.dayfirst)) is not None:
            if "event" in hd:
                ctx.pop("round", None)
            ctx.update(hd)
            said = True
        return said

    def _is_heading_row(self, cells: list) -> bool:
        hd = _heading(cells, self.dayfirst)
        return bool(hd and "event" in hd)

    def _week_start(self, ctx: dict) -> tuple[Day, str] | None:
        if self.hints.week_start:
            d = find_date(self.hints.week_start, date_format=self.hints.date_format)
            if d:
                return d, "hipflex.toml"
        if "week" in ctx:
            return ctx["week"]
        dated = [(j, d) for j, (wd, d) in self.days.items() if d is not None]
        if dated:
            return None  # the columns carry their own dates
        if self.sheet and (d := find_date(self.sheet, dayfirst=self.dayfirst)) is not None:
            return d, "sheet name"
        if "date" in ctx:
            return ctx["date"], "title cell"
        return None

    def label_cols(self) -> list[int]:
        """A grid's columns left of its first day column (athlete, exercise labels)."""
        first_day = min(self.days)
        return [j for j in range(first_day) if j < len(self.header)]

    def grid_athlete_col(self) -> int | None:
        """A grid's athlete column, or None (the athlete comes from elsewhere)."""
        labels = self.label_cols()
        for j in labels:
            if role(self.header[j]) in ("athlete", "name"):
                return j
        if len(labels) >= 2 and all(role(self.header[j]) is None for j in labels[:2]):
            return labels[0]
        return None

    def grid_exercise_col(self) -> int | None:
        """A grid's exercise column, or None."""
        labels = self.label_cols()
        ath = self.grid_athlete_col()
        for j in labels:
            if role(self.header[j]) == "exercise":
                return j
        rest = [j for j in labels if j != ath and role(self.header[j]) not in ("notes",)]
        return rest[0] if rest else None

    # -------------------------------------------------------------- reading
    def parse(self, year_of: Callable[[Day, bool], int] | None = None) -> Parsed:
        """The sheet's data rows as a raw frame, and every other row with its reason."""
        lay = self.layout
        out = Parsed(lay, None, rows_total=len(self.rows))
        if lay.kind == "none":
            return out
        year_of = year_of or default_year
        for r, _ in self.rows[: self.h]:
            out.not_data.append((r, 1, "title row"))
        out.not_data.append((self.rows[self.h][0], 1, "header row"))
        start = self.h + 1
        if self.units_row and start < len(self.rows):
            out.not_data.append((self.rows[start][0], 1, "units row"))
            start += 1
        reshape = grid_frame if lay.kind == "grid" else table_frame
        out.frame = reshape(self, self.rows[start:], out, year_of)
        numbers = [r for r, _ in self.rows]
        out.rows_total = numbers[-1]
        out.not_data.extend(blank_runs(np.asarray(numbers, dtype=np.int64), numbers[-1]))
        out.not_data.sort()
        return out


__all__ = [
    "ColumnSums",
    "Day",
    "Hints",
    "Layout",
    "Parsed",
    "SheetReader",
    "choose_athlete",
    "day_header",
    "find_date",
    "find_header",
    "header_key_keep_digits",
    "is_aggregate_formula",
    "is_summary",
    "is_summary_label",
    "result_roles",
    "units_of",
    "weekday_of",
    "year_chooser",
    "years_in",
]
