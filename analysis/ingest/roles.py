"""What a header cell names: its role (athlete, date, exercise, final, split, ...).

The header words of every table hipflex reads (:mod:`.headers`), the side columns of meet
exports (place, club, lane) and an injury log's words, each mapped to the role it gives
a column; :func:`role` reads one header cell, :func:`result_roles` a results file's.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .headers import LOG_SYNONYMS, RESULT_SYNONYMS, ROSTER_SYNONYMS, header_key
from .injury_headers import HEADER_WORDS as _INJURY_WORDS


def _keys(*tables: dict[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for table in tables:
        for canon, spellings in table.items():
            for s in (canon, *spellings):
                out.setdefault(s.replace("_", " "), canon)
    return out


#: normalised header -> a role, for scoring header rows
KNOWN = _keys(LOG_SYNONYMS, RESULT_SYNONYMS, ROSTER_SYNONYMS)
#: columns of meet exports that the cleaners keep aside, by what they hold
SIDE = {**dict.fromkeys(("pos", "place", "rank", "pl", "platz", "rang", "puesto", "posizione",
                          "plaats", "plats"), "place"),
         **dict.fromkeys(("club", "team", "verein"), "club"),
         **dict.fromkeys(("lane", "bib", "no"), "lane or bib")}  # fmt: skip
KNOWN.update(SIDE)
# an injury log's header row is found like any other (generic words such as "what", "back"
# or "type" left out so they never make a log's title row a header)
for _w in _INJURY_WORDS:
    KNOWN.setdefault(_w, "injury")
#: the same with the result files' meaning first (``Time`` is a race's final time there)
KNOWN_RESULTS = {**_keys(RESULT_SYNONYMS, LOG_SYNONYMS, ROSTER_SYNONYMS), **SIDE}


@lru_cache(maxsize=65536)
def role(cell: object) -> str | None:
    """The role a header cell gives its column (``athlete``, ``final``, ``split``), or None."""
    if cell is None:
        return None
    key = header_key(cell).replace("_", " ")
    if key in KNOWN:
        return KNOWN[key]
    if re.fullmatch(r"(?:split|cum|at|r\d)?\s?\d{2,3}\s?m?(?: split)?|split \d{2,3}", key):
        return "split"
    return None


def result_roles(columns: dict[str, str]) -> dict[str, str]:
    """``Layout.columns`` as a results file reads them (``Time`` -> ``final``, not duration)."""
    return {
        c: KNOWN_RESULTS.get(header_key(c).replace("_", " "), r) if r != "split" else r
        for c, r in columns.items()
    }


__all__ = [
    "KNOWN",
    "KNOWN_RESULTS",
    "SIDE",
    "result_roles",
    "role",
]
