"""``hipflex.toml``: what a data folder's layout cannot tell by itself.

An optional file in the data folder (pinned name). Every key is optional::

    # for every file
    date_format = "%d.%m.%Y"        # how dates are written (strftime codes)
    header_row = 1                  # the header's row number (1 = the first row)

    [columns]                       # header as written -> role
    "Übungsname" = "exercise"
    "Kommentar intern" = "ignore"

    [units]                         # header -> unit of its bare numbers (kg, lb, m, s)
    "Last" = "kg"

    [athletes]                      # file or file#sheet -> athlete (id, name or alias)
    "logs/gym.xlsx#Week 1" = "Ada Okafor"
    "logs/ada.csv" = "Ada Okafor"

    [files."logs/Ada*.xlsx"]        # per file or file#sheet (a glob): any key above,
    header_row = 4                  # and week_start, athlete, skip
    week_start = "2026-01-05"
    skip = false

    [files."results/lynx/*.lif"]    # timing files that do not say their meet or day
    meet = "Harbour City Open"
    date = "2026-06-13"

A ``[files]`` entry wins over the top level; the most specific pattern (the longest)
wins among entries. ``hipflex inspect DIR`` proposes such a file.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError
from .headers import LOG_SYNONYMS, RESULT_SYNONYMS, ROSTER_SYNONYMS
from .layout import Hints

FILE_NAME = "hipflex.toml"
ROLES = frozenset({*LOG_SYNONYMS, *RESULT_SYNONYMS, *ROSTER_SYNONYMS, "ignore"})
_KEYS = {"date_format", "header_row", "columns", "units", "athletes", "files", "week_start",
         "athlete", "skip", "meet", "date"}  # fmt: skip
_UNITS = {"kg", "lb", "m", "s"}


@dataclass
class HintsFile:
    """The parsed ``hipflex.toml`` of a data folder (empty when there is none)."""

    top: dict = field(default_factory=dict)
    files: dict[str, dict] = field(default_factory=dict)
    athletes: dict[str, str] = field(default_factory=dict)
    path: str | None = None

    def for_source(self, label: str, sheet: str | None = None) -> Hints:
        """The hints for one file (``label``, relative to the folder) or one of its sheets."""
        source = f"{label}#{sheet}" if sheet is not None else label
        merged = {k: v for k, v in self.top.items() if k not in ("files", "athletes")}
        merged["columns"] = dict(self.top.get("columns", {}))
        merged["units"] = dict(self.top.get("units", {}))
        for pattern in sorted(self.files, key=len):
            if fnmatch.fnmatchcase(source, pattern) or fnmatch.fnmatchcase(label, pattern):
                entry = self.files[pattern]
                for k, v in entry.items():
                    if k in ("columns", "units"):
                        merged[k].update(v)
                    else:
                        merged[k] = v
        athlete = self.athletes.get(source) or self.athletes.get(label) or merged.get("athlete")
        return Hints(
            header_row=merged.get("header_row"),
            athlete=athlete,
            week_start=merged.get("week_start"),
            date_format=merged.get("date_format"),
            columns=dict(merged["columns"]),
            units=merged["units"],
            skip=bool(merged.get("skip", False)),
            meet=str(merged["meet"]) if merged.get("meet") is not None else None,
            date=str(merged["date"]) if merged.get("date") is not None else None,
        )


def _check(table: dict, where: str, label: str) -> None:
    for key, value in table.items():
        if key not in _KEYS:
            raise DataError(f"unknown key {key!r} in {where} (known: {', '.join(sorted(_KEYS))})",
                            file=label)  # fmt: skip
        if key == "header_row" and (not isinstance(value, int) or value < 1):
            raise DataError(f"{where}: header_row must be a row number from 1", file=label)
        if key == "columns":
            for col, role in value.items():
                if role not in ROLES:
                    raise DataError(
                        f"{where}: column {col!r} has role {role!r}; roles are "
                        + ", ".join(sorted(ROLES)),
                        file=label,
                    )
        if key == "units":
            for col, unit in value.items():
                if unit not in _UNITS:
                    raise DataError(f"{where}: unit {unit!r} of {col!r} is not one of kg, lb, m, s",
                                    file=label)  # fmt: skip
        if key == "skip" and not isinstance(value, bool):
            raise DataError(f"{where}: skip must be true or false", file=label)


def load_hints(data_dir: str | Path) -> HintsFile:
    """Read ``DIR/hipflex.toml`` (an empty :class:`HintsFile` when there is none).

    Raises
    ------
    DataError
        The file is not valid TOML, or names an unknown key, role or unit.
    """
    path = Path(data_dir) / FILE_NAME
    if not path.is_file():
        return HintsFile()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"not valid TOML ({exc})", file=FILE_NAME) from None
    _check(data, "the top level", FILE_NAME)
    files = data.get("files", {})
    for pattern, entry in files.items():
        if not isinstance(entry, dict):
            raise DataError(f"[files.{pattern!r}] must be a table", file=FILE_NAME)
        _check(entry, f"[files.{pattern!r}]", FILE_NAME)
    return HintsFile(top=data, files=files, athletes=dict(data.get("athletes", {})), path=str(path))


__all__ = ["FILE_NAME", "HintsFile", "load_hints"]
