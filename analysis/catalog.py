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

from .errors import DataError
from .resources import reference_path

#: Environment variable naming another catalog file (default: the project's).
CATALOG_ENV = "HIPFLEX_CATALOG"

FAMILIES = ("hip_flexor", "hip_extensor", "other_strength", "sprint", "mobility")
UNITS = ("reps", "metres", "seconds")
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
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"['’`´]s\b", "", text)  # A's -> a, knee's -> knee
    text = text.replace("&", " and ")
    return tuple(_singular(w) for w in re.findall(r"[a-z0-9]+", text))


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
    """
    if path is None:
        path = default_catalog_path()
    if isinstance(path, pd.DataFrame):
        cat, label = path.copy(), "catalog"
    else:
        label = Path(path).name
        try:
            cat = pd.read_csv(path, dtype="string", keep_default_na=False, encoding="utf-8")
        except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
            raise DataError(f"cannot read the exercise catalog: {exc}", file=str(path)) from None
    cat.columns = [str(c).strip().lower() for c in cat.columns]
    for opt in ("reps_per_m", "reps_per_s", "aliases", "laterality", "name"):
        if opt not in cat.columns:
            cat[opt] = ""
    missing = [c for c in ("exercise", "family", "unit") if c not in cat.columns]
    if missing:
        raise DataError(f"exercise catalog lacks column(s) {missing}", file=label)
    cat = cat.astype("string").fillna("")
    for c in cat.columns:
        cat[c] = cat[c].str.strip()
    cat = cat[cat["exercise"] != ""].reset_index(drop=True)
    dup = cat["exercise"][cat["exercise"].duplicated()]
    if len(dup):
        raise DataError(
            f"exercise id {dup.iloc[0]!r} appears twice",
            file=label,
            row=int(dup.index[0]) + 2,
            column="exercise",
        )
    for col, allowed in (("family", FAMILIES), ("unit", UNITS)):
        bad = cat.index[~cat[col].isin(allowed)]
        if len(bad):
            i = bad[0]
            raise DataError(
                f"{col} {cat.loc[i, col]!r} of {cat.loc[i, 'exercise']!r} is not one of {allowed}",
                file=label,
                row=int(i) + 2,
                column=col,
            )
    for col in ("reps_per_m", "reps_per_s"):
        num = pd.to_numeric(cat[col].replace("", pd.NA), errors="coerce")
        bad = cat.index[(cat[col] != "") & (num.isna() | (num <= 0))]
        if len(bad):
            raise DataError(
                f"{col} must be a positive number, not {cat.loc[bad[0], col]!r}",
                file=label,
                row=int(bad[0]) + 2,
                column=col,
            )
        cat[col] = num.astype("Float64")
    need = (cat["family"] == "hip_flexor") & (cat["unit"] == "metres") & cat["reps_per_m"].isna()
    if need.any():
        i = cat.index[need][0]
        raise DataError(
            f"distance drill {cat.loc[i, 'exercise']!r} needs reps_per_m",
            file=label,
            row=int(i) + 2,
            column="reps_per_m",
        )
    cat["name"] = cat["name"].mask(cat["name"] == "", cat["exercise"])
    _alias_table(cat, label)  # raises on conflicts
    cols = [*CATALOG_COLUMNS, *[c for c in cat.columns if c not in CATALOG_COLUMNS]]
    out = cat[cols].reset_index(drop=True)
    out.attrs["source"] = label
    return out


def _alias_table(catalog: pd.DataFrame, label: str = "catalog") -> dict[str, str]:
    """Match key -> exercise id, from ids, display names and aliases."""
    table: dict[str, str] = {}
    for i, row in enumerate(catalog.itertuples(index=False)):
        spellings = [row.exercise, row.exercise.replace("_", " "), row.name]
        spellings += [a for a in str(row.aliases).split(";") if a.strip()]
        for s in spellings:
            for key in exercise_keys(s):
                if not key:
                    continue
                other = table.get(key)
                if other is not None and other != row.exercise:
                    raise DataError(
                        f"alias {s.strip()!r} of {row.exercise!r} also matches {other!r}",
                        file=label,
                        row=i + 2,
                        column="aliases",
                    )
                table[key] = row.exercise
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
    ids_arr = np.array([*ids, None], dtype=object)
    cand_arr = np.array([*candidates, None], dtype=object)
    blank = np.array([not (exercise_keys(u)[0]) for u in uniques] + [True])
    row_codes = np.where(codes < 0, len(uniques), codes)
    ex = pd.Series(ids_arr[row_codes], index=values.index, dtype="string")
    cat = catalog.set_index("exercise")
    fam = ex.map(cat["family"]).astype("string")
    fam = fam.mask(ex.isna(), "unmapped").mask(blank[row_codes], pd.NA)
    return pd.DataFrame(
        {
            "exercise": ex,
            "family": fam,
            "unit": ex.map(cat["unit"]).astype("string"),
            "reps_per_m": ex.map(cat["reps_per_m"]).astype("Float64"),
            "reps_per_s": ex.map(cat["reps_per_s"]).astype("Float64"),
            "laterality": ex.map(cat["laterality"]).astype("string"),
            "candidates": pd.Series(cand_arr[row_codes], index=values.index, dtype="string"),
        },
        index=values.index,
    )


__all__ = [
    "CATALOG_ENV",
    "SUGGEST_MIN_SCORE",
    "default_catalog_path",
    "exercise_keys",
    "load_catalog",
    "match_exercises",
    "suggest",
    "suggest_many",
    "unmapped_spellings",
]
