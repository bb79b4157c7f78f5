"""The exercise catalog and tolerant matching of coaches' exercise spellings.

The catalog (``data/reference/exercises.csv``, editable by a coach) has one row per
exercise:

``exercise``
    Canonical id (``cable_knee_drive``), the value of the clean log's ``exercise`` column.
``name``
    Display name.
``family``
    ``hip_flexor``, ``hip_extensor`` (the posterior chain), ``other_strength``, ``sprint``
    or ``mobility``; only ``hip_flexor`` entries count hip-flexion reps.
``unit``
    How the drill is usually prescribed: ``reps``, ``metres`` or ``seconds``.
``reps_per_m``
    Hip-flexion repetitions per metre for distance drills (A's, high knees).
``reps_per_s``
    Hip-flexion repetitions per second for timed sets (optional; empty = unknown).
``laterality``
    ``unilateral`` (one leg per rep: a knee drive) or ``bilateral`` (a leg raise).
``aliases``
    ``;``-separated other spellings and abbreviations (``A's``, ``HLR``, ``KD``).

Matching ignores case, accents, punctuation, plurals (``stretches``, ``raises``, ``As``)
and word order: ``Knee Drives, Cable`` and ``cable knee drive`` are the same exercise;
``sit-ups`` and ``situps`` too.
A spelling that contains the spelling of exactly one exercise matches it (``foam roller
hip flexors`` -> foam rolling). A spelling that matches nothing is kept with family
``unmapped`` (never dropped), so a coach can add it as an alias; :func:`suggest` offers a
"did you mean" (rapidfuzz) for it.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from .catalog_rows import FAMILIES, UNITS, check_catalog_rows, positive_number, read_catalog_csv
from .errors import DataError
from .resources import reference_path

#: Environment variable naming another catalog file (default: the project's).
CATALOG_ENV = "HIPFLEX_CATALOG"

CATALOG_COLUMNS = (
    "exercise",
    "name",
    "family",
    "unit",
    "reps_per_m",
    "reps_per_s",
    "laterality",
    "aliases",
)

_PKG_CATALOG = reference_path("exercises.csv")  # package data (analysis.resources)


def default_catalog_path() -> Path:
    """The catalog in use: ``$HIPFLEX_CATALOG`` if set, else ``data/reference/exercises.csv``."""
    env = os.environ.get(CATALOG_ENV)
    return Path(env) if env else _PKG_CATALOG


@functools.lru_cache(maxsize=8192)
def _tokens(text: str) -> tuple[str, ...]:
    """The normalised words of a spelling (remembered: the catalog's spellings are read
    by every alias table built, the log's by every match)."""
    if text.isascii():
        text = text.lower()  # casefold of ASCII; nothing to take accents off
    else:
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = _POSSESSIVE.sub("", text)  # A's -> a, knee's -> knee
    text = text.replace("&", " and ")
    return tuple(_singular(w) for w in _WORD.findall(text))


_POSSESSIVE = re.compile(r"['’`´]s\b")
_WORD = re.compile(r"[a-z0-9]+")


def _singular(word: str) -> str:
    """English plural to singular, as far as exercise names need it.

    ``raises`` -> ``raise``, ``situps`` -> ``situp``, ``bodies`` -> ``body``,
    ``stretches`` / ``crunches`` / ``pushes`` / ``boxes`` / ``presses`` -> ``stretch`` /
    ``crunch`` / ``push`` / ``box`` / ``press``, ``lunges`` -> ``lunge``; a letter with an
    ``s`` is the plural of the letter drill (``As`` -> ``a``, like ``A's``); ``press``
    stays.
    """
    w = word
    if len(w) == 2 and w[0].isalpha() and w[1] == "s" and w[0] != "s":
        return w[0]
    if len(w) > 3 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("ches", "shes", "sses", "xes", "zzes")):
        return w[:-2]
    if len(w) > 2 and w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w


def exercise_keys(text: object) -> tuple[str, str]:
    """The two match keys of a spelling: sorted words, and all letters run together.

    The first makes word order irrelevant (``knee drive, cable``); the second makes word
    breaks irrelevant (``sit-ups`` = ``situps``).

    >>> exercise_keys("Spread-Eagle Sit-ups")
    ('eagle sit spread up', 'spreadeaglesitup')
    >>> exercise_keys("A's")
    ('a', 'a')
    """
    toks = _tokens(str(text))
    return " ".join(sorted(toks)), "".join(toks)


def load_catalog(path: str | os.PathLike[str] | pd.DataFrame | None = None) -> pd.DataFrame:
    """Read and check the exercise catalog.

    Parameters
    ----------
    path
        A CSV path or an already-read frame; default :func:`default_catalog_path`.

    Returns
    -------
    DataFrame
        The catalog columns, typed (``reps_per_m``/``reps_per_s`` as ``Float64``).

    Raises
    ------
    DataError
        Missing columns, a duplicate id, an unknown family or unit, a distance drill of the
        ``hip_flexor`` family without ``reps_per_m``, or an alias claimed by two exercises.

    Notes
    -----
    A catalog is some tens of rows read by every run: it is read and checked in plain
    Python (the csv module) and made a DataFrame once at the end. With pandas, a dozen
    column operations on 60 rows cost ~20 ms in a fresh process, more than all the
    checks; the alias table built for the check is remembered for
    :func:`match_exercises` (:func:`_alias_table`).
    """
    if path is None:
        path = default_catalog_path()
    if isinstance(path, pd.DataFrame):
        label = "catalog"
        header = [str(c) for c in path.columns]
        body = path.astype("string").fillna("").to_numpy(dtype=object).tolist()
        lines = list(range(2, len(body) + 2))
    else:
        label = Path(path).name
        header, body, lines = read_catalog_csv(path)
    cols = [c.strip().lower() for c in header]
    missing = [c for c in ("exercise", "family", "unit") if c not in cols]
    if missing:
        raise DataError(f"exercise catalog lacks column(s) {missing}", file=label)
    names = list(dict.fromkeys([*cols, *[c for c in _OPTIONAL if c not in cols]]))
    at = {c: cols.index(c) for c in cols[::-1]}  # a name twice: its first column
    table: dict[str, list[str]] = {c: [] for c in names}
    kept_lines = []
    for cells, line in zip(body, lines, strict=True):
        cells = [str(v).strip() for v in cells]
        if cells[at["exercise"]] == "":
            continue
        for c in names:
            table[c].append(cells[at[c]] if c in at else "")
        kept_lines.append(line)
    check_catalog_rows(table, kept_lines, label)
    numbers = {c: [positive_number(v) for v in table[c]] for c in ("reps_per_m", "reps_per_s")}
    table["name"] = [n or e for n, e in zip(table["name"], table["exercise"], strict=True)]
    _alias_table(table, label, kept_lines)  # raises on an alias claimed twice
    order = [*CATALOG_COLUMNS, *[c for c in names if c not in CATALOG_COLUMNS]]
    out = pd.DataFrame(
        {
            c: pd.array(numbers[c], dtype="Float64")
            if c in numbers
            else pd.array(table[c], dtype="string")
            for c in order
        }
    )
    out.attrs["source"] = label
    return out


_OPTIONAL = ("reps_per_m", "reps_per_s", "aliases", "laterality", "name")


def _spellings(table) -> tuple[tuple[str, str, str], ...]:
    """Each exercise's id, display name and aliases (a catalog's columns or a frame's)."""
    return tuple(zip(*(list(table[c]) for c in ("exercise", "name", "aliases")), strict=True))


@functools.lru_cache(maxsize=16)
def _alias_entries(
    spellings: tuple[tuple[str, str, str], ...],
) -> tuple[dict[str, str], tuple[int, str, str, str] | None]:
    """Match key -> exercise id, from ids, display names and aliases, and the first
    conflict ``(row index, spelling, id, other id)`` (None when there is none).

    Remembered by the catalog's spellings: :func:`load_catalog` builds it to check the
    aliases, :func:`match_exercises` uses it again (an unchanged catalog, never rebuilt).
    """
    table: dict[str, str] = {}
    for i, (ex, name, aliases) in enumerate(spellings):
        spelled = [ex, ex.replace("_", " "), name]
        spelled += [a for a in str(aliases).split(";") if a.strip()]
        for s in spelled:
            for key in exercise_keys(s):
                if not key:
                    continue
                other = table.get(key)
                if other is not None and other != ex:
                    return table, (i, s.strip(), ex, other)
                table[key] = ex
    return table, None


def _alias_table(
    catalog: pd.DataFrame | dict[str, list[str]],
    label: str = "catalog",
    lines: list[int] | None = None,
) -> dict[str, str]:
    """Match key -> exercise id, from ids, display names and aliases (a read-only dict:
    remembered for the catalog's spellings, :func:`_alias_entries`).

    An alias claimed by two exercises is a :class:`DataError` naming its row: ``lines[i]``
    (the file's line) when given, else the row a CSV of the frame would have.
    """
    table, conflict = _alias_entries(_spellings(catalog))
    if conflict is not None:
        i, spelling, ex, other = conflict
        raise DataError(
            f"alias {spelling!r} of {ex!r} also matches {other!r}",
            file=label,
            row=lines[i] if lines is not None else i + 2,
            column="aliases",
        )
    return table


def _alias_tokens(catalog: pd.DataFrame) -> list[tuple[tuple[str, ...], str]]:
    """(token sequence, exercise id) of every spelling long enough to be found inside text.

    A spelling counts when it has two words or more, or one word of five letters or more
    (``rolling``): a short abbreviation (``KD``, ``FR``) inside a longer text is too likely
    to be something else.
    """
    seen: set[tuple[tuple[str, ...], str]] = set()
    out = []
    for row in catalog.itertuples(index=False):
        spellings = [row.exercise.replace("_", " "), row.name]
        spellings += [a for a in str(row.aliases).split(";") if a.strip()]
        for sp in spellings:
            toks = tuple(_tokens(sp))
            if (len(toks) >= 2 or (len(toks) == 1 and len(toks[0]) >= 5)) and (
                toks,
                row.exercise,
            ) not in seen:
                seen.add((toks, row.exercise))
                out.append((toks, row.exercise))
    return out


def _contained(text: str, aliases: list[tuple[tuple[str, ...], str]]) -> list[str]:
    """Exercise ids whose spellings appear, as whole words in order, inside ``text``.

    Only the longest finds count: in ``lying cable knee drives on the floor`` the alias
    ``lying cable knee drive`` hides the ``cable knee drive`` and ``knee drive`` inside it.
    """
    toks = _tokens(text)
    finds = []  # (start, end, id)
    for alias, ex in aliases:
        k = len(alias)
        for i in range(len(toks) - k + 1):
            if tuple(toks[i : i + k]) == alias:
                finds.append((i, i + k, ex))
    kept = {
        ex
        for a, b, ex in finds
        if not any(c <= a and b <= d and (d - c) > (b - a) for c, d, _ in finds)
    }
    return sorted(kept)


def _suggestion_table(catalog: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Every spelling of the catalog as one matching text, with its exercise id."""
    texts, ids = [], []
    for row in catalog.itertuples(index=False):
        spellings = [row.exercise.replace("_", " "), row.name]
        spellings += [a for a in str(row.aliases).split(";") if a.strip()]
        for sp in spellings:
            text = " ".join(_tokens(sp))
            if len(text) >= 3:  # "A", "KD": too short to be near anything by chance alone
                texts.append(text)
                ids.append(row.exercise)
    return texts, ids


#: Least rapidfuzz ``token_sort_ratio`` score (0-100) for a "did you mean" suggestion.
SUGGEST_MIN_SCORE = 75.0


def suggest(spelling: object, catalog: pd.DataFrame | None = None) -> str | None:
    """The catalog exercise a spelling most likely means ("did you mean ..."), or None.

    Uses :mod:`rapidfuzz` (``token_sort_ratio`` over the normalised words of every id,
    name and alias, so word order does not matter; at least :data:`SUGGEST_MIN_SCORE`;
    ``WRatio`` was measured to suggest a drill for ``hip thrust`` and ``box jumps``).
    Meant for spellings that do not match (``cable knee drvies`` -> ``cable_knee_drive``):
    a suggestion is never applied, only shown, so a coach can add it as an alias.

    >>> suggest("cable knee drvies")
    'cable_knee_drive'
    >>> suggest("nordic hamstring curl")
    'nordic_curl'
    >>> suggest("javelin throw") is None
    True
    """
    found = suggest_many(pd.Series([spelling], dtype="string"), catalog).iloc[0]
    return None if pd.isna(found) else str(found)


def suggest_many(spellings: pd.Series, catalog: pd.DataFrame | None = None) -> pd.Series:
    """:func:`suggest` for each distinct spelling once, aligned with ``spellings``."""
    from rapidfuzz import fuzz, process

    if catalog is None:
        catalog = load_catalog()
    texts, ids = _suggestion_table(catalog)
    codes, uniques = pd.factorize(spellings, use_na_sentinel=True)
    out = np.full(len(uniques) + 1, None, dtype=object)
    for i, u in enumerate(uniques):
        text = " ".join(_tokens(str(u)))
        best = process.extractOne(
            text, texts, scorer=fuzz.token_sort_ratio, score_cutoff=SUGGEST_MIN_SCORE
        ) if text else None  # fmt: skip
        out[i] = ids[best[2]] if best else None
    return pd.Series(out[np.where(codes < 0, len(uniques), codes)], index=spellings.index,
                     dtype="string")  # fmt: skip


def unmapped_spellings(log: pd.DataFrame, catalog: pd.DataFrame | None = None) -> pd.DataFrame:
    """The exercise spellings a clean log left ``unmapped``, with what they might be.

    Returns
    -------
    DataFrame
        One row per spelling, most entries first: ``exercise_raw``, ``entries``,
        ``athletes`` (how many), ``candidates`` (ids of the two or more exercises the
        spelling contains, ``;``-separated, else NA), ``suggestion`` (the id
        :func:`suggest` offers, else NA) and ``suggestion_name`` (its display name).
    """
    if catalog is None:
        catalog = load_catalog()
    cols = ["exercise_raw", "entries", "athletes", "candidates", "suggestion",
            "suggestion_name"]  # fmt: skip
    u = log.loc[log["family"] == "unmapped"]
    if u.empty:
        return pd.DataFrame({c: pd.Series(dtype="Int64" if c in ("entries", "athletes")
                                           else "string") for c in cols})  # fmt: skip
    g = u.groupby("exercise_raw", sort=False, observed=True)
    out = pd.DataFrame(
        {"entries": g.size(), "athletes": g["athlete_id"].nunique()}
    ).reset_index()  # fmt: skip
    out = out.sort_values(["entries", "exercise_raw"], ascending=[False, True], kind="stable")
    spell = out["exercise_raw"].astype("string").reset_index(drop=True)
    out = out.reset_index(drop=True)
    sugg = suggest_many(spell, catalog)
    names = catalog.set_index("exercise")["name"]
    return pd.DataFrame(
        {
            "exercise_raw": spell,
            "entries": out["entries"].astype("Int64"),
            "athletes": out["athletes"].astype("Int64"),
            "candidates": match_exercises(spell, catalog)["candidates"],
            "suggestion": sugg,
            "suggestion_name": sugg.map(names).astype("string"),
        }
    )


def match_exercises(values: pd.Series, catalog: pd.DataFrame) -> pd.DataFrame:
    """Match raw exercise spellings to catalog ids (each distinct spelling once).

    Parameters
    ----------
    values
        Raw exercise text (``NA`` for an empty cell).
    catalog
        From :func:`load_catalog`.

    Returns
    -------
    DataFrame
        Aligned with ``values``: ``exercise`` (catalog id, ``NA`` when unmapped or
        missing), ``family`` (a catalog family or ``unmapped``, ``NA`` when the
        cell is empty), ``unit``, ``reps_per_m``, ``reps_per_s``, ``laterality``, and
        ``candidates``: for a spelling left unmapped because it contains the spellings of
        two or more exercises, their ids (``"band_knee_drive; lunge_stretch"``), else NA.

    Notes
    -----
    A spelling matches an exercise when its words (case, accents, punctuation, plurals and
    word order ignored) are those of the exercise's id, name or an alias; failing that,
    when it *contains* the words of a spelling of exactly one exercise, in order
    (``foam roller hip flexors`` -> ``foam_rolling``; only the longest finds count, so
    ``lying cable knee drives, slow`` is the lying drill, not the standing one). A
    spelling containing two exercises (``band knee drive + lunge stretch``) stays
    unmapped, with both as candidates.
    """
    table = _alias_table(catalog)
    contains = None
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    ids, candidates = [], []
    for u in uniques:
        k1, k2 = exercise_keys(u)
        found = table.get(k1) or table.get(k2) if (k1 or k2) else None
        cands = None
        if found is None and k1:
            if contains is None:
                contains = _alias_tokens(catalog)
            inside = _contained(str(u), contains)
            if len(inside) == 1:
                found = inside[0]
            elif inside:
                cands = "; ".join(inside)
        ids.append(found)
        candidates.append(cands)
    # each distinct spelling's catalog row (-1: none), then one take per catalog column
    row_of = {ex: i for i, ex in enumerate(catalog["exercise"].tolist())}
    at_u = np.array([row_of.get(i, -1) if i is not None else -1 for i in ids] + [-1])
    blank = np.array([not (exercise_keys(u)[0]) for u in uniques] + [True])
    row_codes = np.where(codes < 0, len(uniques), codes)
    at = at_u[row_codes]
    cand_arr = np.array([*candidates, None], dtype=object)

    def take(col: str, dtype: str) -> pd.Series:
        column = catalog[col].astype(dtype).array
        return pd.Series(column.take(at, allow_fill=True), index=values.index)

    ex = take("exercise", "string")
    fam = take("family", "string")
    fam = fam.mask(ex.isna(), "unmapped").mask(blank[row_codes], pd.NA)
    return pd.DataFrame(
        {
            "exercise": ex,
            "family": fam,
            "unit": take("unit", "string"),
            "reps_per_m": take("reps_per_m", "Float64"),
            "reps_per_s": take("reps_per_s", "Float64"),
            "laterality": take("laterality", "string"),
            "candidates": pd.Series(cand_arr[row_codes], index=values.index, dtype="string"),
        },
        index=values.index,
    )


__all__ = [
    "CATALOG_ENV",
    "FAMILIES",
    "SUGGEST_MIN_SCORE",
    "UNITS",
    "default_catalog_path",
    "exercise_keys",
    "load_catalog",
    "match_exercises",
    "suggest",
    "suggest_many",
    "unmapped_spellings",
]
