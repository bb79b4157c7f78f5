"""A plain table read by the fast path: its summary rows and blank rows listed.

A table whose header is on row 1 with nothing else around it is read whole by
:func:`analysis.ingest.raw.read_raw`; :func:`plain_table` then finds its summary rows
(:mod:`.summary`'s rules) vectorised over each column's distinct values, and only where
a column's distinct values say a rule can apply.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .roles import role
from .rows import blank_runs
from .sheet import Layout, Parsed
from .summary import is_aggregate_formula, is_summary_label


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
        col_role = role(col)
        text = pd.Series(s.cat.categories.astype("string"), dtype="string")
        none = np.zeros(len(text) + 1, dtype=bool)
        nan = np.full(len(text) + 1, np.nan)
        free = col_role == "notes" and k >= 3  # free text: no label, formula or number
        label = _flags(text, _LABEL_PREFIX, is_summary_label) if k < 3 and not free else none
        counted = col_role != "notes"
        formula = _flags(text, r"^=", is_aggregate_formula) if counted else none
        numbers = _numbers(text) if counted else nan
        return cls(k, col_role, codes, text.to_numpy(dtype=object), label, formula, numbers,
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


def plain_table(
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
    parsed.not_data.extend(blank_runs(np.append(rows, 1), last))
    parsed.rows_total = last
    parsed.not_data.sort()
    return frame, parsed


__all__ = ["plain_table"]
