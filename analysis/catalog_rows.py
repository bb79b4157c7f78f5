"""The exercise catalog's file read and checked row by row (:func:`analysis.catalog.load_catalog`).

A catalog is some tens of rows read by every run: it is read with the csv module and
checked in plain Python, and :func:`~analysis.catalog.load_catalog` makes it a DataFrame
once at the end (a dozen pandas column operations on 60 rows cost ~20 ms in a fresh
process, more than all the checks). Errors name the file's line, blank lines counted.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .errors import DataError

#: The exercise families (only ``hip_flexor`` entries count hip-flexion reps).
FAMILIES = ("hip_flexor", "hip_extensor", "other_strength", "sprint", "mobility")
#: How a drill is prescribed.
UNITS = ("reps", "metres", "seconds")


def read_catalog_csv(path: str | os.PathLike[str]) -> tuple[list[str], list[list[str]], list[int]]:
    """A catalog CSV's header, its non-blank rows (padded to the header) and their line
    numbers; a row longer than the header, or a file that is not UTF-8 text, is refused."""
    import csv

    rows, lines = [], []
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            for cells in reader:
                if any(v.strip() for v in cells):  # blank lines are no rows (as in pandas)
                    rows.append(cells)
                    lines.append(reader.line_num)  # the line the row ends on
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"cannot read the exercise catalog: {exc}", file=str(path)) from None
    if not rows:
        raise DataError("cannot read the exercise catalog: no columns", file=str(path))
    header, body, lines = rows[0], rows[1:], lines[1:]
    for cells, line in zip(body, lines, strict=True):
        if len(cells) > len(header):
            raise DataError(
                f"cannot read the exercise catalog: expected {len(header)} fields, "
                f"saw {len(cells)}",
                file=Path(path).name,
                row=line,
            )
        cells += [""] * (len(header) - len(cells))
    return header, body, lines


def check_catalog_rows(table: dict[str, list[str]], lines: list[int], label: str) -> None:
    """Refuse a duplicate id, an unknown family or unit, and a bad or missing factor."""
    seen: set[str] = set()
    for i, ex in enumerate(table["exercise"]):
        if ex in seen:
            raise DataError(
                f"exercise id {ex!r} appears twice", file=label, row=lines[i], column="exercise"
            )
        seen.add(ex)
    for col, allowed in (("family", FAMILIES), ("unit", UNITS)):
        for i, v in enumerate(table[col]):
            if v not in allowed:
                raise DataError(
                    f"{col} {v!r} of {table['exercise'][i]!r} is not one of {allowed}",
                    file=label,
                    row=lines[i],
                    column=col,
                )
    for col in ("reps_per_m", "reps_per_s"):
        for i, v in enumerate(table[col]):
            if v != "" and positive_number(v) is None:
                raise DataError(
                    f"{col} must be a positive number, not {v!r}",
                    file=label,
                    row=lines[i],
                    column=col,
                )
    for i, (fam, unit, rpm) in enumerate(
        zip(table["family"], table["unit"], table["reps_per_m"], strict=True)
    ):
        if fam == "hip_flexor" and unit == "metres" and rpm == "":
            raise DataError(
                f"distance drill {table['exercise'][i]!r} needs reps_per_m",
                file=label,
                row=lines[i],
                column="reps_per_m",
            )


NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def positive_number(text: str) -> float | None:
    """A catalog factor: a finite number above 0, else None (empty text: None too)."""
    if not NUMBER.fullmatch(text):
        return None
    value = float(text)
    return value if 0 < value < float("inf") else None


__all__ = ["FAMILIES", "UNITS", "check_catalog_rows", "positive_number", "read_catalog_csv"]
