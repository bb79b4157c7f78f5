"""The ingest stage: reading coaches' files, whatever their layout, into raw tables.

``cells``
    Bounded reading: a CSV or a workbook sheet as rows of text cells, within the limits
    of :mod:`analysis.config` (a declared dimension is never trusted).
``layout``
    Layout detection per file and sheet (header row, titles, units and summary rows,
    weekly grids, block files, the athlete from a title, sheet or file name) and the
    reshaping of each layout into the raw rows the cleaners read.
``hints``
    The optional ``hipflex.toml`` of a data folder.
``inspect``
    ``hipflex inspect DIR``: how each file and sheet would be read.

:func:`read_file` is the stage's entry point: one file in, one :class:`SheetRead` per
sheet out (the sheet's layout, and a way to parse it once the folder's years are known).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..errors import DataError
from .csvfile import RaggedRowsError, sniff_csv
from .csvrows import check_line_limit, count_lines, head_csv_rows, read_csv_rows
from .formats import FormatContext
from .formats import detect as detect_format
from .frames import RawTable, frame_from_rows
from .hints import FILE_NAME, HintsFile, load_hints
from .layout import (
    Day,
    Layout,
    Parsed,
    SheetReader,
    _role,
    is_aggregate_formula,
    is_summary_label,
    year_chooser,
    years_in,
)
from .raw import read_raw
from .workbook import WORKBOOK_SUFFIXES, read_workbook_rows


@dataclass
class SheetRead:
    """One file or sheet: its layout, and its rows once parsed."""

    reader: SheetReader | None
    layout: Layout
    parsed: Parsed | None = None
    years: Counter = field(default_factory=Counter)

    def parse(self, year_of: Callable[[Day, bool], int] | None = None) -> Parsed:
        if self.parsed is None:
            self.parsed = self.reader.parse(year_of)
        return self.parsed


def _blank_runs(numbers: np.ndarray, last: int) -> list[tuple[int, int, str]]:
    """``(first row, n, "blank rows")`` for each run of row numbers 1..last not in ``numbers``."""
    present = np.zeros(last + 2, dtype=bool)
    present[numbers] = True
    present[0] = True
    present[last + 1] = True
    missing = ~present
    edges = np.flatnonzero(np.diff(missing.astype(np.int8)))
    starts, ends = edges[0::2] + 1, edges[1::2] + 1
    return [(int(a), int(b - a), "blank row" if b - a == 1 else "blank rows")
            for a, b in zip(starts, ends, strict=True)]  # fmt: skip


def _summary_rows(
    frame: pd.DataFrame, is_athlete: Callable[[str], bool] | None = None
) -> np.ndarray:
    """Rows of a plain table that are summary rows (:func:`~.layout.is_summary`'s rules).

    Vectorized over the distinct values of each column: the label is a row's first
    non-empty cell among its first three columns; formulas count outside the notes
    columns; a row whose label or athlete cell is a roster name is never a summary row.
    Each rule is looked at only where its distinct values say it can apply: a column
    with no label word, no formula and no bare number costs no pass over its rows.
    """
    cols = [c for c in frame.columns if c not in ("source", "source_row")]
    n = len(frame)
    columns = [_SummaryColumn.of(frame[col], k, col) for k, col in enumerate(cols)]
    labels = [c for c in columns if c.k < 3]
    counted = [c for c in columns if c.role != "notes"]
    if not any(c.label.any() for c in labels) and not any(
        c.formula.any() or c.number_any for c in counted
    ):
        return np.zeros(n, dtype=bool)  # no rule can apply (the usual log)
    label_hit = np.zeros(n, dtype=bool)
    label_seen = np.zeros(n, dtype=bool)
    label_code = np.full(n, -1, dtype=np.int64)  # which of the first columns holds the label
    for c in labels:
        present = c.codes >= 0
        here = present & ~label_seen
        if c.label.any():
            label_hit |= here & c.label[c.codes]
        label_code[here] = c.k
        label_seen |= present
    mask = label_hit
    if any(c.formula.any() for c in counted):
        formulas = np.zeros(n, dtype=np.int64)
        filled = np.zeros(n, dtype=np.int64)
        for c in counted:
            filled += c.codes >= 0
            formulas += c.formula[c.codes]
        mask = mask | ((formulas > 0) & (formulas >= np.maximum(1, filled // 2)))
    athlete_cols = [c.k for c in columns if c.role in ("athlete", "name")]
    codes_of = {c.k: c.codes for c in columns if c.k < 3 or c.k in athlete_cols}
    cats_of = {c.k: c.cats for c in columns if c.k < 3 or c.k in athlete_cols}
    if is_athlete is not None and mask.any():
        _roster_wins(mask, is_athlete, label_code, codes_of, cats_of, athlete_cols)
    numbers = {c.k: c.numbers[c.codes] for c in counted if c.number_any}
    if not numbers:
        return mask
    not_number = np.zeros(n, dtype=bool)  # a filled cell (notes aside) that is no number
    for c in counted:
        not_number |= (c.codes >= 0) & np.isnan(c.numbers)[c.codes]
    sums = _sum_rows(mask, {k: v for k, v in numbers.items() if not np.isnan(v).all()},
                     not_number)  # fmt: skip
    if is_athlete is not None and sums.any():
        _roster_wins(sums, is_athlete, label_code, codes_of, cats_of, athlete_cols)
    return mask | sums


@dataclass(frozen=True)
class _SummaryColumn:
    """One column of a plain table, as the summary-row rules see its distinct values."""

    k: int  # the column's position
    role: str | None
    codes: np.ndarray  # each row's distinct value (-1: empty)
    cats: np.ndarray  # the distinct values (text)
    label: np.ndarray  # per distinct value (+1 for NA): a summary label
    formula: np.ndarray  # per distinct value (+1 for NA): a summing formula
    numbers: np.ndarray  # per distinct value (+1 for NA): its bare number, else NaN
    number_any: bool

    @classmethod
    def of(cls, s: pd.Series, k: int, col: object) -> _SummaryColumn:
        if not isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype("category")
        codes = s.cat.codes.to_numpy()
        role = _role(col)
        text = pd.Series(s.cat.categories.astype("string"), dtype="string")
        none = np.zeros(len(text) + 1, dtype=bool)
        nan = np.full(len(text) + 1, np.nan)
        free = role == "notes" and k >= 3  # free text: no label, formula or number
        label = _flags(text, _LABEL_PREFIX, is_summary_label) if k < 3 and not free else none
        counted = role != "notes"
        formula = _flags(text, r"^=", is_aggregate_formula) if counted else none
        numbers = _numbers(text) if counted else nan
        return cls(k, role, codes, text.to_numpy(dtype=object), label, formula, numbers,
                   bool(counted and not np.isnan(numbers).all()))  # fmt: skip


#: Text that may be a summary label (the words of :data:`~.layout._SUMMARY`, by their first
#: letters): only these, and text that is not plain ASCII (accents are ignored in labels),
#: are looked at one by one.
_LABEL_PREFIX = (
    r"(?i)^[^a-z0-9]*(?:gra|sub|tot|sum|av|mea|mit|dur|ges|ins|som|moy|pro|med|gem|gen)"
    r"|[^\x00-\x7f]"
)


def _flags(text: pd.Series, prefilter: str, test: Callable[[str], bool]) -> np.ndarray:
    """``test`` of each distinct value, in Arrow first (``prefilter``) and Python only for
    the few it lets through; one more ``False`` at the end for the NA code ``-1``."""
    out = np.zeros(len(text) + 1, dtype=bool)
    maybe = text.str.contains(prefilter, regex=True).fillna(False).to_numpy(dtype=bool)
    if maybe.any():
        values = text.to_numpy(dtype=object)
        for i in np.flatnonzero(maybe):
            out[i] = test(str(values[i]))
    return out


def _numbers(text: pd.Series) -> np.ndarray:
    """Each distinct value as a bare number (``12``, ``12,5``), NaN otherwise; one more NaN
    at the end for the NA code ``-1``."""
    bare = text.str.fullmatch(r"[+-]?\d+(?:[.,]\d+)?").fillna(False)
    values = pd.to_numeric(text.where(bare).str.replace(",", ".", regex=False), errors="coerce")
    return np.append(values.to_numpy(dtype=float, na_value=np.nan), np.nan)


def _sum_rows(mask: np.ndarray, numbers: dict[int, np.ndarray], not_number: np.ndarray):
    """Rows of numbers only, each the sum of its column over the 2+ data rows above it
    (since the last summary row): a ``Total`` row without its label
    (:class:`~.layout.ColumnSums`, vectorized)."""
    import bisect

    n = len(mask)
    out = np.zeros(n, dtype=bool)
    if not numbers:
        return out
    has_number = np.zeros(n, dtype=bool)
    for v in numbers.values():
        has_number |= ~np.isnan(v)
    candidates = np.flatnonzero(has_number & ~not_number & ~mask)
    if not len(candidates):
        return out
    sums = {k: np.concatenate(([0.0], np.cumsum(np.nan_to_num(v)))) for k, v in numbers.items()}
    counts = {k: np.concatenate(([0], np.cumsum(~np.isnan(v)))) for k, v in numbers.items()}
    resets = list(np.flatnonzero(mask))
    for i in candidates:
        at = bisect.bisect_left(resets, i)
        start = resets[at - 1] + 1 if at else 0
        if i - start < 2:
            continue
        ok = True
        for k, v in numbers.items():
            if np.isnan(v[i]):
                continue
            seen = counts[k][i] - counts[k][start]
            total = sums[k][i] - sums[k][start]
            if not seen or abs(total - v[i]) > 1e-9 * max(1.0, abs(v[i])):
                ok = False
                break
        if ok:
            out[i] = True
            bisect.insort(resets, int(i))
    return out


def _roster_wins(mask, is_athlete, label_code, codes_of, cats_of, athlete_cols) -> None:
    """Unflag rows whose label or athlete cell is a roster name (the few flagged, one by one)."""
    for i in np.flatnonzero(mask):
        names = []
        if label_code[i] >= 0:
            k = int(label_code[i])
            names.append(cats_of[k][codes_of[k][i]])
        for k in athlete_cols:
            if k in codes_of and codes_of[k][i] >= 0:
                names.append(cats_of[k][codes_of[k][i]])
        if any(is_athlete(name) for name in names):
            mask[i] = False


def _plain(
    frame: pd.DataFrame,
    layout: Layout,
    last_row: int | None,
    is_athlete: Callable[[str], bool] | None = None,
) -> tuple[pd.DataFrame, Parsed]:
    """A plain table read by the fast path, with its summary and blank rows listed."""
    parsed = Parsed(layout, frame)
    parsed.not_data.append((1, 1, "header row"))
    summary = _summary_rows(frame, is_athlete) if len(frame) else np.zeros(0, dtype=bool)
    rows = frame["source_row"].to_numpy(dtype=np.int64)
    if summary.any():
        for i in np.flatnonzero(summary):
            parsed.not_data.append((int(rows[i]), 1, "summary row"))
        frame = frame.loc[~summary].reset_index(drop=True)
        parsed.frame = frame
    last = int(rows.max()) if len(rows) else 1
    if last_row is not None:
        last = max(last, last_row)
    parsed.not_data.extend(_blank_runs(np.append(rows, 1), last))
    parsed.rows_total = last
    parsed.not_data.sort()
    return frame, parsed


def read_file(
    path: Path,
    root: Path,
    *,
    hints: HintsFile | None = None,
    is_athlete: Callable[[str], bool] = lambda _: False,
    dayfirst: bool | None = None,
    categorical: bool = True,
) -> list[SheetRead]:
    """Read one raw file: one :class:`SheetRead` per sheet (one for a CSV).

    A plain table (header on row 1, nothing else in its first rows) is read by the fast
    path of :func:`analysis.io.read_raw` and comes parsed; any other layout is read as
    cells and parsed by :meth:`SheetRead.parse`, once the folder's years are known.

    Raises
    ------
    DataError
        The file cannot be read at all (its sheets are then not read either).
    """
    hints = hints or HintsFile()
    label = str(path.relative_to(root))
    stem = path.stem
    df = True if dayfirst is None else dayfirst
    if (fmt := detect_format(path, label)) is not None:
        ctx = FormatContext(label, root, hints.for_source(label), is_athlete, df)
        return [SheetRead(None, p.layout, p) for p in fmt.read(path, ctx)]
    out: list[SheetRead] = []
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        for sheet in read_workbook_rows(path, label):
            source = f"{label}#{sheet.name}"
            reader = SheetReader(
                source, sheet.rows, file_stem=stem, sheet=sheet.name,
                hints=hints.for_source(label, sheet.name), is_athlete=is_athlete, dayfirst=df,
            )  # fmt: skip
            lay = reader.layout
            if lay.plain and len(sheet.rows) >= 2 and not _ragged(sheet.rows):
                frame = frame_from_rows(sheet.rows, source, categorical)
                _, parsed = _plain(frame, lay, sheet.rows[-1][0], is_athlete)
                out.append(SheetRead(None, lay, parsed))
            else:
                out.append(SheetRead(reader, lay, years=_years(reader)))
        return out
    encoding, sep = sniff_csv(path, label)
    check_line_limit(path, label, encoding, sep)
    file_hints = hints.for_source(label)
    head = head_csv_rows(path, label, encoding, sep, config.LAYOUT_SCAN_ROWS)
    probe = SheetReader(label, head, file_stem=stem, sheet=None, hints=file_hints,
                        is_athlete=is_athlete, dayfirst=df)  # fmt: skip
    if probe.layout.plain:
        try:
            (table,) = read_raw(path, root=root, categorical=categorical, check=False)
        except RaggedRowsError:
            pass  # read as cells below: the ragged rows are rejected, the rest kept
        else:
            _, parsed = _plain(table.frame, probe.layout, None, is_athlete)
            return [SheetRead(None, probe.layout, parsed)]
    rows = read_csv_rows(path, label, encoding, sep)
    reader = SheetReader(label, rows, file_stem=stem, sheet=None, hints=file_hints,
                         is_athlete=is_athlete, dayfirst=df)  # fmt: skip
    return [SheetRead(reader, reader.layout, years=_years(reader))]


@dataclass
class FolderRead:
    """Every file of a folder through :func:`read_file`, before parsing (:func:`read_sheets`).

    Attributes
    ----------
    sheets
        One :class:`SheetRead` per sheet read, in file order.
    failed
        ``(path, label, lines, reason)`` of each file that could not be read at all
        (``lines``: its line count for a CSV, None for a workbook).
    year_of
        How a date written without its year gets one: the folder's most common year
        (:func:`analysis.ingest.layout.year_chooser`).
    """

    sheets: list[SheetRead]
    failed: list[tuple[Path, str, int | None, str]]
    year_of: Callable[[Day, bool], int]


def roster_matcher(athletes: pd.DataFrame | None) -> Callable[[str], bool]:
    """``is_athlete(name)``: the name resolves to one roster athlete (cached per spelling)."""
    from functools import lru_cache

    from ..names import resolve_athletes

    if athletes is None:
        return lambda _: False

    @lru_cache(maxsize=4096)
    def is_athlete(name: str) -> bool:
        ids, _ = resolve_athletes(pd.Series([name], dtype="string"), athletes)
        return bool(ids.notna().iloc[0])

    return is_athlete


def read_sheets(
    root: Path,
    files: list[Path],
    *,
    hints: HintsFile | None = None,
    is_athlete: Callable[[str], bool] = lambda _: False,
    dayfirst: bool | None = None,
    categorical: bool = True,
) -> FolderRead:
    """Read ``files`` of a folder: their sheets, the files that failed, the folder's years.

    A file that cannot be read is listed in ``failed`` and never stops the others; the
    years written in every sheet read (titles, headers, sheet names, plain date columns)
    choose the year of dates written without one.
    """
    sheets: list[SheetRead] = []
    failed: list[tuple[Path, str, int | None, str]] = []
    years: Counter = Counter()
    for path in files:
        label = str(path.relative_to(root))
        try:
            read = read_file(path, root, hints=hints, is_athlete=is_athlete, dayfirst=dayfirst,
                             categorical=categorical)  # fmt: skip
        except DataError as exc:
            lines = count_lines(path) if path.suffix.lower() not in WORKBOOK_SUFFIXES else None
            failed.append((path, label, lines, one_line(exc, label)))
            continue
        for sheet in read:
            years.update(sheet.years)
            if sheet.parsed is not None and sheet.parsed.frame is not None:
                years.update(plain_frame_years(sheet.parsed.frame))
        sheets.extend(read)
    return FolderRead(sheets, failed, year_chooser(years))


def one_line(exc: Exception, label: str) -> str:
    """An error's message without its leading ``label: `` (the file is named beside it)."""
    text = str(exc)
    return text[len(label) + 2 :] if text.startswith(label + ": ") else text


def _ragged(rows: list) -> bool:
    width = len(rows[0][1])
    return any(any(c is not None for c in cells[width:]) for _, cells in rows[1:])


def _years(reader: SheetReader) -> Counter:
    texts = [c for cells in getattr(reader, "titles", []) for c in cells if c is not None]
    texts += [c for c in getattr(reader, "header", []) if c is not None]
    if reader.sheet:
        texts.append(reader.sheet)
    return years_in(texts)


def plain_frame_years(frame: pd.DataFrame) -> Counter:
    """Years written in a plain table's date column (its distinct values only)."""
    for col in frame.columns:
        if col in ("date", "Date") or str(col).strip().casefold() in ("date", "datum", "fecha"):
            s = frame[col]
            values = s.cat.categories if isinstance(s.dtype, pd.CategoricalDtype) else s.unique()
            return years_in(v for v in values if v is not None and v is not pd.NA)
    return Counter()


__all__ = [
    "FILE_NAME",
    "FolderRead",
    "HintsFile",
    "Layout",
    "Parsed",
    "RawTable",
    "SheetRead",
    "load_hints",
    "one_line",
    "plain_frame_years",
    "read_file",
    "read_sheets",
    "roster_matcher",
]
