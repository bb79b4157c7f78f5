"""Result-file headers: split and reaction columns as meet exports spell them, and the
result frame made ready to clean (canonical names, text cells, every base column).

The pinned accepted raw forms are listed in :mod:`analysis.sprints` (docs/architecture.md).
"""

from __future__ import annotations

import re
import unicodedata
import warnings

import numpy as np
import pandas as pd

from ..errors import DataWarning
from ..io import RESULT_SYNONYMS, canonicalize_columns

__all__ = ["BASE_COLUMNS", "prepare_results", "split_column_names", "split_header"]

#: The columns a prepared result frame always has (NA where the file has none).
BASE_COLUMNS: tuple[str, ...] = (
    "athlete",
    "date",
    "event",
    "final",
    "wind",
    "reaction",
    "meet",
    "round",
    "timing",
    "splits",
    "segments",
    "notes",
)
_SPLIT_COL = re.compile(r"^split_(\d+)$")
_SEG_COL = re.compile(r"^seg_(\d+)$")
_CUM_WORDS = (
    r"split|splits|split time|split at|cum|cumulative|at|zwischenzeit|zz|passage|"
    r"temps de passage|temps passage|parcial|paso|intermedio|tussentijd|mellantid|mellantider"
)
_SEG_WORDS = r"segment|segments|seg|section|lap|abschnitt|tramo|troncon|sezione|sectie|etapp"
_METRES = r"\s*(?:m|meters?|metres?|mtr)?"
_SECONDS_TAIL = re.compile(r"\s*[(\[]?\s*(?:s|sec|secs|seconds?|time)\s*[)\]]?$")
_RUN_PREFIX = re.compile(r"^(?:r|run|rep|lap|leg)\s?\d{1,2}\s+(?=\d)")
_CUM_HEADER = re.compile(
    rf"^(?:(?:{_CUM_WORDS})\s*@?\s*)?(\d{{2,3}}){_METRES}(?:\s*(?:{_CUM_WORDS}))?$"
)
_SEG_HEADER = re.compile(
    rf"^(?:(?:{_SEG_WORDS}|{_CUM_WORDS})\s*)?(\d{{1,3}}){_METRES}\s*(?:-|–|to)\s*(\d{{2,3}}){_METRES}"
    rf"(?:\s*(?:{_SEG_WORDS}))?$"
)
_REACTION_HEADER = re.compile(
    r"^(?:reaction|reaction time|react|rt|r t|rxn|reaktion|reaktionszeit|"
    r"temps de reaction|tiempo de reaccion|reaccion|tempo di reazione|reazione|"
    r"reactietijd|reaktionstid)$"
)
_SPLITLIKE = re.compile(rf"(?:^|\s)(?:{_CUM_WORDS}|{_SEG_WORDS}|split\w*|\d{{2,3}}\s*m)(?:\s|$)")


def split_header(header: object) -> tuple[str, int] | None:
    """What a result-file header says about splits, as meet exports spell them.

    Returns ``("cum", m)`` for a cumulative time at ``m`` metres (``100m split``, ``Split
    100``, ``100 m``, ``100``, ``R1 100m``, ``300m``, ``at 200 m``, ``Zwischenzeit 100``,
    ``passage 200m``), ``("seg", m)`` for a segment time ending at ``m`` (``100-200m``,
    ``Lap 200-300``, ``0-100 m``), ``("reaction", 0)`` (``Reaction``, ``RT``, ``R.T.``),
    ``("unusable", 0)`` for a header that looks like splits but names no distance
    (``Split 1``, ``Lap``), or None.

    >>> split_header("100m split"), split_header("R1 100m"), split_header("100-200 m")
    (('cum', 100), ('cum', 100), ('seg', 200))
    """
    t = unicodedata.normalize("NFKD", str(header))
    t = "".join(c for c in t if not unicodedata.combining(c)).casefold()
    t = re.sub(r"[_.:#]", " ", t)
    t = " ".join(t.split())
    if _REACTION_HEADER.match(t) or _REACTION_HEADER.match(_SECONDS_TAIL.sub("", t)):
        return "reaction", 0
    t = _SECONDS_TAIL.sub("", t) if not re.fullmatch(r"\d+\s*s", t) else t
    t = _RUN_PREFIX.sub("", t)
    if m := _SEG_HEADER.match(t):
        return "seg", int(m.group(2))
    if m := _CUM_HEADER.match(t):
        return "cum", int(m.group(1))
    if _SPLITLIKE.search(t):
        return "unusable", 0
    return None


def split_column_names(columns: pd.Index) -> list[str]:
    """The split columns of a prepared frame: ``split_<m>`` and ``seg_<m>``, in frame order.

    Parameters
    ----------
    columns : Index
        A prepared result frame's columns (:func:`prepare_results`).

    Returns
    -------
    list of str
    """
    return [c for c in columns if _SPLIT_COL.match(str(c)) or _SEG_COL.match(str(c))]


def _rename_split_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Rename split and reaction headers that meet exports use (see :func:`split_header`).

    Cumulative columns become ``split_<m>``, segment columns ``seg_<m>``; a header that
    looks like splits but cannot be used is named in a :class:`DataWarning` (never
    silently dropped).
    """
    known = set(RESULT_SYNONYMS) | {"source", "source_row"}
    unusable: list[str] = []
    merged: dict[str, pd.Series] = {}
    drop: list[str] = []
    for col in df.columns:
        if col in known or _SPLIT_COL.match(str(col)) or _SEG_COL.match(str(col)):
            continue
        role = split_header(col)
        if role is None:
            continue
        kind, at = role
        target = {"cum": f"split_{at}", "seg": f"seg_{at}", "reaction": "reaction"}.get(kind)
        if target is None or (kind != "reaction" and at < 10):
            unusable.append(str(col))
            continue
        # sheets stacked into one frame spell one column two ways ("100 m" in one sheet,
        # "100m split" in another): each row takes the cell it has
        have = merged.get(target, df[target] if target in df.columns else None)
        cell = df[col].astype("string")
        if have is not None:
            both = have.notna() & cell.notna() & (have.astype("string") != cell)
            if both.any():
                unusable.append(str(col))
                continue
            cell = have.astype("string").fillna(cell)
        merged[target] = cell
        drop.append(col)
    if unusable:
        src = df["source"].dropna().astype(str).unique()[:3] if "source" in df else []
        where = f"{', '.join(src)}: " if len(src) else ""
        warnings.warn(
            f"{where}result column(s) {', '.join(map(repr, unusable))} look like splits but "
            "name no distance (or repeat one with other values): not used. Name them like '100m split', "
            "'split_100' or '100-200m' (a segment).",
            DataWarning,
            stacklevel=4,
        )
    if not merged:
        return df
    return df.drop(columns=drop).assign(**merged)


def prepare_results(raw: pd.DataFrame) -> pd.DataFrame:
    """Make a raw result frame ready to clean.

    Headers are canonicalised (:func:`analysis.io.canonicalize_columns`, idempotent) and
    split headers renamed (``split_<m>``, ``seg_<m>``, ``reaction``; an unusable one is
    named in a :class:`~analysis.errors.DataWarning`); the index is reset; ``source``
    and ``source_row`` are added when missing; every cell becomes stripped text (NA when
    empty), ``source_row`` an ``Int64``; every column of :data:`BASE_COLUMNS` exists.

    Parameters
    ----------
    raw : DataFrame
        Result rows as read (:func:`analysis.io.read_raw`) or straight from a sheet.

    Returns
    -------
    DataFrame
    """
    df = canonicalize_columns(raw, RESULT_SYNONYMS, keep_split_columns=True)
    df = _rename_split_columns(df)
    df = df.reset_index(drop=True)
    if df.columns.duplicated().any():
        df = df.loc[:, ~df.columns.duplicated()]
    if "source" not in df.columns:
        df = df.assign(source="<data>")
    if "source_row" not in df.columns:
        df = df.assign(source_row=np.arange(2, len(df) + 2))
    out = {}
    for c in df.columns:
        if c == "source_row":
            out[c] = pd.to_numeric(df[c], errors="coerce").astype("Int64")
            continue
        s = df[c]
        if s.dtype != "string":
            s = s.astype("string")
        s = s.str.strip()
        out[c] = s.mask(s == "")
    df = pd.DataFrame(out, index=df.index)
    for c in BASE_COLUMNS:
        if c not in df.columns:
            df[c] = pd.Series(pd.NA, index=df.index, dtype="string")
    return df
