"""What is known of one sheet: its hints, its layout, and its rows once parsed."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

Row = tuple[int, list]


@dataclass
class Hints:
    """What a ``hipflex.toml`` says about one file or sheet (see :mod:`.hints`)."""

    header_row: int | None = None
    athlete: str | None = None
    week_start: str | None = None
    date_format: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    skip: bool = False
    meet: str | None = None  # a timing file's meet (its folder or name may not say)
    date: str | None = None  # a timing file's race day


@dataclass
class Layout:
    """How one file or sheet is read (what ``hipflex inspect`` shows)."""

    source: str
    kind: str = "table"  # "table", "grid", "blocks" or "none"
    header_row: int | None = None
    columns: dict[str, str] = field(default_factory=dict)  # header -> role
    athlete: str | None = None
    athlete_from: str = "column"
    week_start: str | None = None
    week_from: str | None = None
    units: dict[str, str] = field(default_factory=dict)
    reason: str | None = None  # why nothing is read (kind "none")
    plain: bool = False
    #: the product whose file this is (:mod:`analysis.ingest.formats`), None for a sheet
    #: read by layout detection
    format: str | None = None
    #: ``"log"`` or ``"results"`` when the reader knows it (a format), else from the columns
    table: str | None = None

    def describe(self) -> str:
        if self.kind == "none":
            return f"skipped: {self.reason}"
        bits = [f"{self.kind}"]
        if self.header_row is not None or not self.format:  # a headerless timing file
            bits.append(f"header row {self.header_row}")
        if self.format:
            bits.insert(0, f"format: {self.format}")
        if self.athlete_from != "column":
            bits.append(f"athlete {self.athlete!r} from the {self.athlete_from}")
        if self.week_start:
            bits.append(f"week starting {self.week_start} (from the {self.week_from})")
        if self.units:
            bits.append("units " + ", ".join(f"{k}={v}" for k, v in self.units.items()))
        return "; ".join(bits)


@dataclass
class Parsed:
    """One sheet read through its layout."""

    layout: Layout
    frame: pd.DataFrame | None  # raw text columns + source + source_row
    #: ``(first row, number of rows, reason)`` of every row that is not data
    not_data: list[tuple[int, int, str]] = field(default_factory=list)
    ragged: list[tuple[int, int, list[str]]] = field(default_factory=list)
    #: entry source (``file#sheet!D`` for a grid cell) -> this sheet's source
    entry_sources: dict[str, str] = field(default_factory=dict)
    rows_total: int = 0


__all__ = [
    "Hints",
    "Layout",
    "Parsed",
    "Row",
]
