"""The sample's roster: fictional athletes with names met once, cohorts and aliases."""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from .vocabulary import FIRST_NAMES_F, FIRST_NAMES_M, LAST_NAMES

__all__ = ["last_first", "roman", "sample_roster"]


def roman(k: int) -> str:
    """``k`` (1–3999) in Roman numerals: the suffix of a name met again (``III``)."""
    out = ""
    for value, numeral in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                           (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                           (4, "IV"), (1, "I")):  # fmt: skip
        n, k = divmod(k, value)
        out += numeral * n
    return out


def sample_roster(n: int, season_start: _dt.date, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` fictional athletes: id, name, sex, birth date, squad, program, aliases.

    The first is always Deirdre Nuñez (alias ``Dee Nunez``: an accent the reader must
    match); a name met again gets ``Jr``, then Roman numerals.
    """
    rows = []
    used: set[str] = set()
    order = rng.permutation(len(LAST_NAMES))
    for i in range(n):
        if i == 0:
            first, last = "Deirdre", "Nuñez"
        else:
            pool = FIRST_NAMES_F if i % 2 == 0 else FIRST_NAMES_M
            first = pool[(i // 2 + int(rng.integers(0, 3))) % len(pool)]
            last = LAST_NAMES[order[i % len(LAST_NAMES)]]
            if f"{first} {last}" in used or last == "Nuñez":
                last = f"{last}-{LAST_NAMES[(i * 5) % len(LAST_NAMES)]}"
        name = base = f"{first} {last}"
        k = 1
        while name in used:  # very large rosters: Jr, then III, IV, ... (a short name)
            name, k = (f"{base} Jr" if k == 1 else f"{base} {roman(k + 1)}"), k + 1
        used.add(name)
        sex = "F" if i % 2 == 0 else "M"
        year = int(rng.integers(1997, 2010))
        birth = _dt.date(year, int(rng.integers(1, 13)), int(rng.integers(1, 29)))
        age = (
            season_start.year
            - birth.year
            - ((season_start.month, season_start.day) < (birth.month, birth.day))
        )
        aliases = ""
        if i == 0:
            aliases = "Dee Nunez"
        elif i % 5 == 3:
            aliases = f"{first[0]}. {last.split('-')[0]}"
        rows.append(
            {
                "athlete_id": f"A{i + 1:02d}",
                "name": name,
                "sex": sex,
                "birth_date": birth.isoformat(),
                "squad": "200" if i % 3 == 1 else "400",
                "program": "hf_emphasis" if i % 4 in (1, 2) else "standard",
                "age_category": "U20" if age < 20 else "senior",
                "aliases": aliases,
            }
        )
    return pd.DataFrame(rows)


def last_first(name: str) -> str:
    """``First Rest`` as ``Rest, First`` (how coach B writes names)."""
    first, _, last = name.partition(" ")
    return f"{last}, {first}"
