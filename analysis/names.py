"""Roster loading and athlete name resolution.

Log and result files name athletes by id, full name, ``Last, First`` or an alias from the
roster's ``aliases`` column (``;``-separated). Matching ignores case, accents, extra spaces
and punctuation. Each distinct spelling is resolved once.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
import unicodedata
import warnings
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .dates import parse_dates
from .errors import DataError, DataWarning
from .io import ROSTER_SYNONYMS, canonicalize_columns

ROSTER_REQUIRED = ("athlete_id", "name")

#: Earliest birth date read from a roster (masters athletes are older than the
#: :data:`analysis.config.EARLIEST_DATE` of training and race dates).
EARLIEST_BIRTH_DATE = _dt.date(1900, 1, 1)


_QUOTES_DOTS = re.compile(r"['’`.]")
_NON_WORD = re.compile(r"[^\w]+")


def name_key(text: object) -> str:
    """Matching key of a name: ``"Nuñez, Deirdre "`` -> ``"deirdre nunez"``."""
    s = str(text)
    if s.isascii():
        s = s.lower()  # casefold of ASCII; no accents to take off
    else:
        s = unicodedata.normalize("NFKD", s)
        s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
        s = s.replace("ø", "o").replace("ß", "ss").replace("æ", "ae").replace("ł", "l")
    if "," in s:
        last, _, first = s.partition(",")
        s = f"{first} {last}"
    s = _QUOTES_DOTS.sub("", s)
    s = _NON_WORD.sub(" ", s)
    return " ".join(s.split())


def load_roster(frame: pd.DataFrame, *, source: str = "athletes.csv") -> pd.DataFrame:
    """Validate a raw roster (all strings) into the athletes table.

    Columns: ``athlete_id, name, sex, birth_date`` then any cohort columns as they are
    (``squad``, ``program``, …) and ``aliases``.

    ``birth_date`` is read like every date (:func:`analysis.dates.parse_dates`): ISO,
    ``4 Mar 2004``, Excel serials, or ``dd/mm/yyyy`` / ``mm/dd/yyyy`` with the order
    inferred from the roster's unambiguous values (``25/03/2004``), else
    :data:`analysis.config.DAYFIRST_DEFAULT` (day-first). A birth date that cannot be read
    is left empty, with a :class:`~analysis.errors.DataWarning` naming its rows.

    Raises
    ------
    DataError
        A required column is missing, an id is blank or repeated, or the birth dates
        contradict each other's day/month order.
    """
    df = canonicalize_columns(frame, ROSTER_SYNONYMS)
    for col in ROSTER_REQUIRED:
        if col not in df.columns:
            raise DataError(
                f"roster has no {col!r} column (need athlete_id, name; found {list(frame.columns)})",
                file=source,
                column=col,
            )
    rows = df["source_row"] if "source_row" in df.columns else pd.Series(np.arange(2, len(df) + 2))
    ids = df["athlete_id"].astype("string").str.strip()
    blank = ids.isna()
    if blank.any():
        i = int(np.flatnonzero(blank.to_numpy())[0])
        raise DataError(
            "athlete_id is empty", file=source, row=int(rows.iloc[i]), column="athlete_id"
        )
    dup = ids.duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise DataError(
            f"athlete_id {ids.iloc[i]!r} appears twice",
            file=source,
            row=int(rows.iloc[i]),
            column="athlete_id",
        )
    if df["name"].isna().any():
        i = int(np.flatnonzero(df["name"].isna().to_numpy())[0])
        raise DataError("name is empty", file=source, row=int(rows.iloc[i]), column="name")
    # a name with no letter or digit (":", "--") can match no spelling in a log: it would
    # leave that athlete's rows to be read as nobody's
    wordless = ~df["name"].astype("string").str.contains(r"[^\W_]", regex=True).fillna(False)
    if wordless.any():
        i = int(np.flatnonzero(wordless.to_numpy())[0])
        raise DataError(
            f"name {str(df['name'].iloc[i])!r} has no letter or digit (write the athlete's name)",
            file=source, row=int(rows.iloc[i]), column="name",
        )  # fmt: skip
    out = df.drop(columns=[c for c in ("source", "source_row") if c in df.columns])
    out = out.assign(athlete_id=ids)
    if "sex" not in out.columns:
        out = out.assign(sex=pd.NA)
    sex = out["sex"].astype("string").str.strip().str.upper().str[:1]
    out = out.assign(sex=sex.where(sex.isin(["F", "M", "X"])).astype("string"))
    out = out.assign(birth_date=_birth_dates(out, rows, source))
    if "aliases" not in out.columns:
        out = out.assign(aliases=pd.NA)
    first = ["athlete_id", "name", "sex", "birth_date"]
    rest = [c for c in out.columns if c not in (*first, "aliases")]
    out = out[[*first, *rest, "aliases"]].astype(
        {"athlete_id": "string", "name": "string", "aliases": "string"}
    )
    return out.reset_index(drop=True)


def _birth_dates(roster: pd.DataFrame, rows: pd.Series, source: str) -> pd.Series:
    """The roster's ``birth_date`` column as ``datetime64[ns]`` (NaT where unreadable)."""
    if "birth_date" not in roster.columns:
        return pd.Series(pd.NaT, index=roster.index, dtype="datetime64[ns]")
    raw = roster["birth_date"]
    if pd.api.types.is_datetime64_any_dtype(raw):
        return raw.astype("datetime64[ns]")
    raw = raw.astype("string")
    dates, reasons = parse_dates(
        raw,
        sources=pd.Series(source, index=raw.index, dtype="string"),
        rows=pd.Series(rows.to_numpy(), index=raw.index),
        earliest=EARLIEST_BIRTH_DATE,
        column="birth_date",
    )
    bad = reasons.notna() & raw.notna()
    if bad.any():
        where = ", ".join(
            f"row {int(r)} ({v!r}: {why})"
            for r, v, why in zip(
                rows.to_numpy()[bad.to_numpy()][:5], raw[bad][:5], reasons[bad][:5], strict=True
            )
        )
        warnings.warn(
            f"{source}: birth_date left empty where it cannot be read: {where}",
            DataWarning,
            stacklevel=3,
        )
    return dates


def _lookup(roster: pd.DataFrame) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Map name key -> athlete_id; keys claimed by two athletes map to their ids instead.

    Exact spellings (the id, the full name, ``Last, First``, an alias) are one level and
    the forms derived from a longer name (``Ana López`` for ``Ana María López García``)
    another: an exact spelling of one athlete beats a derived form of another, so a roster
    with ``Ivo Okafor`` and ``Ivo Okafor 148`` resolves ``Ivo Okafor`` to the first. The
    loosest level, tried last, is the words in any order (``OKAFOR Ivo`` as meet results
    print it) and the first initial with a later name (``I. Okafor``, ``Okafor I``).
    """
    exact: dict[str, set[str]] = {}
    derived: dict[str, set[str]] = {}
    loose: dict[str, set[str]] = {}  # words in any order ("OKAFOR Ivo"), initials ("I. Okafor")

    def claim(level: dict[str, set[str]], key: str, aid: str) -> None:
        if key:
            level.setdefault(key, set()).add(aid)

    aliases = (
        roster["aliases"] if "aliases" in roster.columns else pd.Series(pd.NA, index=roster.index)
    )
    for aid, name, alias in zip(roster["athlete_id"], roster["name"], aliases, strict=True):
        aid = str(aid)
        claim(exact, name_key(aid), aid)
        claim(exact, name_key(name), aid)
        # "Last, First" gives the same key as "First Last" (see name_key). A longer name
        # also answers to "First Last" without the middle names ...
        parts = name_key(name).split()
        # ... and, for double surnames (Ana María López García), to the first name with any
        # one of the later names ("Ana López", "Ana García").
        if len(parts) > 2:
            for later in parts[1:]:
                claim(derived, f"{parts[0]} {later}", aid)
        spellings = [name_key(name)]
        if isinstance(alias, str):
            for a in alias.split(";"):
                claim(exact, name_key(a), aid)
                spellings.append(name_key(a))
        # meet results print "OKAFOR Ivo" (surname first, no comma) and "I. Okafor"
        for sp in spellings:
            words = sp.split()
            if len(words) >= 2:
                claim(loose, _order_free(sp), aid)
                for later in {*words[1:], " ".join(words[1:])}:
                    claim(loose, f"{words[0][0]} {later}", aid)
                    claim(loose, _order_free(f"{words[0][0]} {later}"), aid)
    # an exact claim replaces the derived ones of its key, a derived one the loose ones
    claims = {**loose, **derived, **exact}
    table = {k: next(iter(v)) for k, v in claims.items() if len(v) == 1}
    ambiguous = {k: tuple(sorted(v)) for k, v in claims.items() if len(v) > 1}
    return table, ambiguous


def _order_free(key: str) -> str:
    """A name key whose words are sorted: ``okafor ivo`` and ``ivo okafor`` meet."""
    return "~" + " ".join(sorted(key.split()))


@dataclass(frozen=True)
class RosterIndex:
    """Every spelling of a roster, built once (:func:`roster_index`): a name key maps to
    one athlete (``table``) or to the several it could be (``ambiguous``)."""

    table: dict[str, str]
    ambiguous: dict[str, tuple[str, ...]]
    names: dict[str, str]

    def key(self, raw: object) -> str:
        """The key a raw spelling is looked up by (words in any order as a last resort)."""
        key = name_key(raw)
        if key not in self.table and key not in self.ambiguous and " " in key:
            key = _order_free(key)  # "OKAFOR Ivo", "Okafor I."
        return key

    def athlete(self, raw: object) -> str | None:
        """The one athlete a spelling names, or None (unknown, missing or ambiguous)."""
        return self.table.get(self.key(raw))


#: The last few rosters' indexes, by their content (:func:`roster_index`).
_INDEXES: OrderedDict[tuple, RosterIndex] = OrderedDict()
_INDEXES_KEPT = 4


def roster_index(roster: pd.DataFrame) -> RosterIndex:
    """The spellings of a roster as a :class:`RosterIndex` (cost: one pass over the roster).

    Build it once and look names up many times. The last few indexes are kept by the
    roster's content (a 64-bit hash of each of its id, name and alias cells), so the
    layouts' athlete test and the log's athlete column of one ``load_dataset`` share one
    index; a roster changed in place is a new key, never a stale index.
    """
    key = _roster_key(roster)
    index = _INDEXES.get(key)
    if index is None:
        table, ambiguous = _lookup(roster)
        ids, names = roster["athlete_id"].astype(str), roster["name"].astype(str)
        index = RosterIndex(table, ambiguous, dict(zip(ids, names, strict=True)))
        _INDEXES[key] = index
        while len(_INDEXES) > _INDEXES_KEPT:
            _INDEXES.popitem(last=False)
    return index


def _roster_key(roster: pd.DataFrame) -> tuple:
    cols = [c for c in ("athlete_id", "name", "aliases") if c in roster.columns]
    cells = roster[cols].astype(object)
    hashed = pd.util.hash_pandas_object(cells, index=False).to_numpy()
    return tuple(cols), len(roster), hashlib.blake2b(hashed.tobytes(), digest_size=16).digest()


def resolve_athletes(
    values: pd.Series, roster: pd.DataFrame | RosterIndex
) -> tuple[pd.Series, pd.Series]:
    """Resolve raw athlete spellings to roster ids.

    ``roster`` is the roster or its :func:`roster_index` (built once when many calls share
    one roster). Each distinct spelling is looked up once.

    Returns
    -------
    ids, reasons
        ``ids`` holds the athlete_id (``NA`` where unresolved); ``reasons`` is ``NA`` where
        resolved, else ``"missing athlete"``, ``"unknown athlete"`` or ``"ambiguous
        athlete: A04 (Sam Lee) or A05 (Sam Lee)"`` (the candidates, by id and name).
    """
    index = roster if isinstance(roster, RosterIndex) else roster_index(roster)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    ids = np.empty(len(uniques) + 1, dtype=object)
    reasons = np.empty(len(uniques) + 1, dtype=object)
    for i, raw in enumerate(uniques):
        key = index.key(raw)
        if key in index.table:
            ids[i], reasons[i] = index.table[key], pd.NA
        elif key in index.ambiguous:
            who = " or ".join(f"{c} ({index.names.get(c, c)})" for c in index.ambiguous[key])
            ids[i], reasons[i] = pd.NA, f"ambiguous athlete: {who}"
        else:
            ids[i], reasons[i] = pd.NA, "unknown athlete" if key else "missing athlete"
    ids[-1], reasons[-1] = pd.NA, "missing athlete"
    return (
        pd.Series(ids[codes], index=values.index, dtype="string"),
        pd.Series(reasons[codes], index=values.index, dtype="string"),
    )
