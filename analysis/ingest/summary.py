"""Rows that are not data under a header: summary rows (``Total``, sums) and units rows.

A summary row is a ``Total``-style label where a label belongs, formulas that sum up the
rows above, or (with no label) numbers equal to their columns' sums over the rows above
(:class:`ColumnSums`); a roster name always wins over a summary word. A units row
(``kg``, ``m``, ``s``) under a header gives its column's bare numbers their unit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from functools import lru_cache

from .headers import header_key
from .roles import role

SUMMARY = re.compile(
    r"^(grand total|sub ?total|totals?|sums?|average|averages|avg|mean|summe|gesamt|insgesamt|"
    r"durchschnitt|mittelwert|somme|moyenne|suma|promedio|media|totale|somma|totaal|som|"
    r"gemiddelde|summa|medel|medelvarde|genomsnitt)\b"
)


#: A summary label: the summary word alone, or followed by what it sums (``Total``,
#: ``Totals:``, ``Grand total``, ``Sum week 3``, ``Average kg``) -- never a word that merely
#: starts a name (``Suma Nuñez``, ``Mean Green``, ``Media Pérez``).
_SUMMARY_LABEL = re.compile(
    SUMMARY.pattern[:-3]
    + r")(?:\s+(?:of|for|per|in|all|the|this|week|weeks|wk|wks|w|kw|woche|semaine|semana|"
    r"settimana|vecka|month|monat|mois|mes|season|block|phase|cycle|squad|team|group|day|days|"
    r"session|sessions|reps|sets|volume|load|distance|time|kg|lb|lbs|m|s|hf|\d+)\b.*)?$"
)


#: A spreadsheet formula as text (``=SUM(D2:D9)``).
_FORMULA = re.compile(r"^=\s*[A-Za-z]+\(")


#: A formula that sums up the rows above (``=SUM(...)``, ``=SUBTOTAL(...)``, in the
#: languages of the synonyms); ``=HYPERLINK(...)`` and the like are not summaries.
_AGGREGATE = re.compile(
    r"^=\s*(?:_xlfn\.)?(?:sum|sumif|sumifs|sumproduct|subtotal|aggregate|average|averagea|"
    r"averageif|averageifs|avg|mean|median|count|counta|countif|countifs|min|max|"
    r"summe|summewenn|teilergebnis|mittelwert|anzahl|anzahl2|somme|somme\.si|sous\.total|"
    r"moyenne|nb|suma|sumar\.si|subtotales|promedio|contar|somma|somma\.se|subtotale|"
    r"media|conta|som|subtotaal|gemiddelde|aantal|summa|delsumma|medel|antal)\s*\(",
    re.I,
)


_UNITS = {"kg": "kg", "kgs": "kg", "kilo": "kg", "kilos": "kg", "lb": "lb", "lbs": "lb",
          "pounds": "lb", "m": "m", "metres": "m", "meters": "m", "meter": "m", "s": "s",
          "sec": "s", "secs": "s", "seconds": "s", "sek": "s", "reps": None, "sets": None,
          "x": None, "min": None, "mins": None, "%": None, "wdh": None, "n": None,
          "date": None, "text": None}  # fmt: skip


BARE_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def is_summary(
    cells: list,
    *,
    is_athlete: Callable[[str], bool] | None = None,
    text_cols: Collection[int] = (),
    athlete_cols: Collection[int] = (),
) -> str | None:
    """The reason a row is a summary row (a ``Total`` label, sum formulas), else None.

    Only the right cells are looked at:

    * the **label**: the row's first non-empty cell among its first three, when it is a
      summary word alone or followed by what it sums (``Total``, ``Sum week 3``,
      ``Average kg``); a word that only starts a name (``Suma Nuñez``) is not a label;
    * **formulas**: cells outside the free-text columns (``text_cols``: notes, comments)
      holding a formula that sums up rows (``=SUM(…)``, ``=SUBTOTAL(…)``, …), half the
      row's other cells or more; ``=HYPERLINK(…)`` in a note never makes a summary row.

    A roster name always wins: a row whose label, or whose cell in an athlete column
    (``athlete_cols``), resolves to an athlete (``is_athlete``) is never a summary row.
    """
    filled = [c for j, c in enumerate(cells) if c is not None and j not in text_cols]
    if not filled:
        return None
    label = next((c for c in cells[:3] if c is not None), None)
    why = None
    if label is not None and _summary_label(str(label)):
        why = f"summary row ({label})"
    else:
        texts = [t for c in filled if (t := str(c)).startswith("=")]  # formulas only
        formulas = sum(bool(_AGGREGATE.match(t)) for t in texts)
        if formulas and formulas >= max(1, len(filled) // 2):
            why = "summary row (formulas)"
    if why is None or is_athlete is None:
        return why
    names = [label, *(cells[j] for j in athlete_cols if j < len(cells))]
    if any(n is not None and is_athlete(str(n)) for n in names):
        return None  # a roster name always wins over a summary word
    return why


@lru_cache(maxsize=4096)
def _summary_label(text: str) -> bool:
    """``text`` reads as a summary label (``Total``, ``Grand total``, ``Sum week 3``)."""
    return bool(_SUMMARY_LABEL.match(header_key(text)))


def is_aggregate_formula(text: str) -> bool:
    """``text`` is a formula summing up rows (``=SUM(D2:D9)``), not ``=HYPERLINK(...)``."""
    return bool(_AGGREGATE.match(str(text)))


def is_summary_label(text: str) -> bool:
    """``text`` is a summary label where a label belongs (``Total``), not a name."""
    return _summary_label(str(text))


def _number(text: object) -> float | None:
    """A bare number cell as a float (``12``, ``12,5``), else None."""
    if text is None or not BARE_NUMBER.match(str(text)):
        return None
    return float(str(text).replace(",", "."))


class ColumnSums:
    """Running sums of each column's bare numbers since the last summary row.

    A row whose every filled cell (free text left out) is a number equal to its column's
    sum over the two or more data rows above it (since the last summary row) is a summary
    row without a label (``, , , 30, 120`` under the rows it adds up).
    """

    def __init__(self) -> None:
        self.sums: dict[int, float] = {}
        self.rows = 0

    def reset(self) -> None:
        """A summary or header row: the sums start again below it."""
        self.sums, self.rows = {}, 0

    def add(self, cells: list) -> None:
        """Count a data row."""
        self.rows += 1
        for j, c in enumerate(cells):
            if (v := _number(c)) is not None:
                self.sums[j] = self.sums.get(j, 0.0) + v

    def is_sum_row(self, cells: list, text_cols: Collection[int] = ()) -> bool:
        """The row's numbers are the sums of the rows above (and it holds nothing else)."""
        if self.rows < 2:
            return False
        values = {j: c for j, c in enumerate(cells) if c is not None and j not in text_cols}
        if not values:
            return False
        for j, c in values.items():
            v = _number(c)
            if v is None or j not in self.sums:
                return False
            if abs(self.sums[j] - v) > 1e-9 * max(1.0, abs(v)):
                return False
        return True


def text_and_athlete_cols(header: list) -> tuple[frozenset[int], frozenset[int]]:
    """Columns of free text (notes) and of athlete names, by their headers' roles."""
    roles = [role(c) if c is not None else None for c in header]
    return (
        frozenset(j for j, r in enumerate(roles) if r == "notes"),
        frozenset(j for j, r in enumerate(roles) if r in ("athlete", "name")),
    )


def units_of(cells: list, width: int) -> dict[int, str | None] | None:
    """``{column: unit}`` when the row is a units row, else None."""
    filled = {i: c for i, c in enumerate(cells[:width]) if c is not None}
    if not filled:
        return None
    out: dict[int, str | None] = {}
    for i, c in filled.items():
        key = str(c).strip().strip("()[]").strip().casefold()
        if key not in _UNITS:
            return None
        out[i] = _UNITS[key]
    return out


__all__ = [
    "BARE_NUMBER",
    "SUMMARY",
    "ColumnSums",
    "is_aggregate_formula",
    "is_summary",
    "is_summary_label",
    "text_and_athlete_cols",
    "units_of",
]
