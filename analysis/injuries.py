"""The injury log: :func:`clean_injuries` turns a coach's injury sheet into ``ds.injuries``.

An injury log is read like every other file of a data folder (any layout the ingest
reads, CSV or a workbook sheet): ``injuries.csv`` / ``injuries.xlsx`` (pinned names), or
any file or sheet whose header reads as one (an athlete column, an onset date and a body
location, and no exercise or race-time column). One row per time-loss injury:

=================  ====================================================================
``athlete``        id, name or alias (matched as in the logs)
``onset_date``     the day it happened (``Date``, ``Date of injury``, ``Onset``, ...)
``location``       body location, free text (``L hammy``, ``Achilles tendinopathy``,
                   ``adductor strain``): mapped to :data:`LOCATIONS`
``days_lost``      days of time loss (``14``, ``14 days``, ``2 weeks``); or
``return_date``    the day the athlete returned to full training
``tissue``         optional (``muscle``, ``tendon``, ``ligament``, ``bone``, ...)
``onset``          optional ``sudden`` / ``gradual`` (``acute``, ``overuse``)
``context``        optional ``training`` / ``competition``
``notes``          optional free text (private: shown on the athlete's own page only)
=================  ====================================================================

Locations follow the body regions of the athletics and IOC consensus statements
(Timpka et al. 2014, Br J Sports Med 48:483; Bahr et al. 2020, Br J Sports Med 54:372),
grouped to what a sprint squad needs: ``hamstring`` (posterior thigh), ``hip_groin``
(hip, groin, adductors, iliopsoas / hip flexor), ``calf``, ``achilles``, ``knee``,
``foot_ankle``, ``lower_back`` (lumbar spine, sacroiliac) and ``other``. When a text names
two regions, the first one named wins (``hamstring / lower back`` is a hamstring).

Recurrence (Fuller et al. 2006, Br J Sports Med 40:193, adopted by both consensus
statements): an injury to the same location of the same athlete whose onset falls after
an earlier one's onset and no later than **two months (61 days)** after that injury's
return (an injury whose return is unknown starts no recurrence window).

Every row ends in the table or in ``rejects`` (``table = "injuries"``) with its file, row,
column and reason: an unknown athlete, a missing or impossible date, a missing location,
a return before onset, days lost that are not a number of days, or a copy of an injury
already listed (a ``duplicate``). A row with neither days lost nor a return date is kept
(it counts as an injury; its burden is unknown) and named as ``partial``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .dates import parse_dates
from .errors import DataError
from .ingest.injury_headers import (
    INJURY_FILE_STEMS,
    INJURY_SYNONYMS,
    is_injury_file,
    is_injury_frame,
)
from .io import canonicalize_columns, header_key
from .names import resolve_athletes
from .schema import concat_rejects, conform, empty, rejects_frame

__all__ = [
    "INJURY_COLUMNS",
    "INJURY_FILE_STEMS",
    "INJURY_SYNONYMS",
    "LOCATIONS",
    "RECURRENCE_DAYS",
    "clean_injuries",
    "empty_injuries",
    "is_injury_file",
    "is_injury_frame",
    "map_locations",
]

#: File stems read as the injury log whatever their header (pinned: ``injuries.csv`` /
#: ``injuries.xlsx``).

#: The pinned location vocabulary (Timpka 2014 / Bahr 2020 regions, grouped).
LOCATIONS = (
    "hamstring",
    "hip_groin",
    "calf",
    "achilles",
    "knee",
    "foot_ankle",
    "lower_back",
    "other",
)

#: Days after return within which an injury to the same location is a recurrence.
RECURRENCE_DAYS = 61

#: Longest time loss accepted (days); more is a typing slip, not an injury.
MAX_DAYS_LOST = 730


#: The clean injury table (pinned columns first).
INJURY_COLUMNS: dict[str, str] = {
    "athlete_id": "string",
    "onset_date": "datetime64[ns]",
    "location": "string",
    "days_lost": "Int64",
    "return_date": "datetime64[ns]",
    "recurrence": "boolean",
    "source": "string",
    "source_row": "Int64",
    "location_raw": "string",
    "notes": "string",
    "onset": "string",
    "context": "string",
    "tissue": "string",
}

# location text -> region; patterns on the header_key form (accents, case and
# punctuation gone). The first region *named* in a text wins.
_LOCATION_PATTERNS: dict[str, str] = {
    "achilles": r"achill\w*",
    "hamstring": r"ham\w*|hammies|hammy|biceps femoris|bicep femoris|bf|semitend\w*|semimem\w*"
                 r"|posterior thigh|back of (?:the )?thigh|oberschenkel hinten|isquio\w*",
    "hip_groin": r"hip\w*|groin\w*|adduct\w*|iliopsoas|psoas|iliacus|pubi\w*|inguinal|leiste"
                 r"|hufte|aine|hip flexor\w*",
    "calf": r"calf|calves|gastroc\w*|soleus|wade|mollet|gemelo\w*|polpaccio",
    "knee": r"knee\w*|patell\w*|acl|mcl|lcl|pcl|menisc\w*|itb|it band|iliotibial|knie|genou"
            r"|rodilla|ginocchio",
    "foot_ankle": r"foot|feet|ankle\w*|plantar\w*|metatars\w*|toe\w*|heel\w*|navicular"
                  r"|sesamoid\w*|fuss|sprunggelenk|pied|cheville|tobillo|pie|caviglia",
    "lower_back": r"lower back|low back|back(?! of\b)|lumbar|lumbo\w*|lbp|spine|spinal|sacroiliac|si joint"
                  r"|sij|rucken|dos|espalda|schiena",
}  # fmt: skip
_LOCATION_RE = {k: re.compile(rf"\b(?:{v})\b") for k, v in _LOCATION_PATTERNS.items()}

_ONSET = {"sudden": r"sudden\w*|acute|traumatic|trauma|plotzlich|soudain\w*|subit\w*",
          "gradual": r"gradual\w*|overuse|insidious|chronic|repetitive|allmahlich|progressi\w*"}  # fmt: skip
_CONTEXT = {"competition": r"competition|comp|race|racing|meet|match|championship\w*|wettkampf"
                           r"|competicion|gara",
            "training": r"training|train|practice|practise|session|gym|drill\w*|warm up"
                        r"|warmup|entrainement|entrenamiento|allenamento"}  # fmt: skip
_TISSUE = {"muscle": r"muscle\w*|muscular|strain\w*|tear|torn|pull\w*|tweak\w*|cramp\w*|muskel",
           "tendon": r"tendon\w*|tendin\w*|tendon|enthes\w*|sehne",
           "ligament": r"ligament\w*|sprain\w*|acl|mcl|lcl|pcl",
           "bone": r"bone|fracture\w*|stress reaction|stress fracture|bruise",
           "joint": r"joint|menisc\w*|cartilage|synovi\w*",
           "nerve": r"nerve|sciatic\w*|neural"}  # fmt: skip


def empty_injuries() -> pd.DataFrame:
    """An empty injury table with the pinned schema."""
    return empty(INJURY_COLUMNS)  # typed by the schema: conform would change nothing


def _first_named(texts: pd.Series, patterns: dict[str, re.Pattern], default) -> pd.Series:
    """Per distinct text, the key whose pattern matches earliest in it (else ``default``)."""
    codes, uniques = pd.factorize(texts, use_na_sentinel=True)
    out = np.empty(len(uniques) + 1, dtype=object)
    for i, u in enumerate(uniques):
        key = header_key(u).replace("_", " ")
        best, at = None, None
        for name, pat in patterns.items():
            m = pat.search(key)
            if m and (at is None or m.start() < at):
                best, at = name, m.start()
        out[i] = best if best is not None else (default if key else None)
    out[-1] = None
    return pd.Series(out[np.where(codes < 0, len(uniques), codes)], index=texts.index,
                     dtype="string")  # fmt: skip


def map_locations(texts: pd.Series) -> pd.Series:
    """Free-text body locations mapped to :data:`LOCATIONS` (each distinct text once).

    The first region named in a text wins; a text that names none is ``other``; an empty
    cell is NA.

    >>> map_locations(pd.Series(["L hammy strain", "Achilles", "adductor/groin", "shoulder"]))
    ...     .tolist()  # doctest: +SKIP
    ['hamstring', 'achilles', 'hip_groin', 'other']
    """
    texts = texts.astype("string")
    # rectus femoris is the anterior thigh (Bahr 2020: thigh), not the hip region
    found = _first_named(texts.str.replace(r"(?i)rectus\s+femoris", "quad", regex=True),
                         _LOCATION_RE, "other")  # fmt: skip
    return found


def _compiled(table: dict[str, str]) -> dict[str, re.Pattern]:
    return {k: re.compile(rf"\b(?:{v})\b") for k, v in table.items()}


_ONSET_RE, _CONTEXT_RE, _TISSUE_RE = _compiled(_ONSET), _compiled(_CONTEXT), _compiled(_TISSUE)

_DAYS = re.compile(
    r"^\s*(\d+(?:[.,]\d+)?)\s*(d|day|days|tage?|jours?|dias?|giorni|w|wk|wks|week|weeks|wochen?"
    r"|semaines?|semanas?|settimane|m|mo|month|months|monate?|mois|meses)?\s*$"
)
_UNIT_DAYS = {"w": 7, "wk": 7, "wks": 7, "week": 7, "weeks": 7, "woche": 7, "wochen": 7,
              "semaine": 7, "semaines": 7, "semana": 7, "semanas": 7, "settimane": 7,
              "m": 30, "mo": 30, "month": 30, "months": 30, "monat": 30, "monate": 30,
              "mois": 30, "meses": 30}  # fmt: skip
_ONGOING = re.compile(r"^\s*(ongoing|still out|not returned|tbc|tbd|unknown|\?+|open)\s*$", re.I)


def _days_lost(texts: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Days lost per cell and, where a filled cell is not a number of days, the reason."""
    codes, uniques = pd.factorize(texts.astype("string"), use_na_sentinel=True)
    days = np.full(len(uniques) + 1, np.nan)
    why = np.full(len(uniques) + 1, None, dtype=object)
    for i, u in enumerate(uniques):
        t = str(u).strip().casefold()
        if _ONGOING.match(t):
            continue  # no time loss yet: kept, burden unknown
        m = _DAYS.match(t)
        if not m:
            why[i] = "days lost is not a number of days"
            continue
        value = float(m.group(1).replace(",", ".")) * _UNIT_DAYS.get(m.group(2) or "", 1)
        if value < 0 or value > MAX_DAYS_LOST:
            why[i] = f"implausible days lost (0 to {MAX_DAYS_LOST})"
            continue
        days[i] = round(value)
    take = np.where(codes < 0, len(uniques), codes)
    return (pd.Series(days[take], index=texts.index).astype("Float64").round().astype("Int64"),
            pd.Series(why[take], index=texts.index, dtype="string"))  # fmt: skip


def _text(frame: pd.DataFrame, col: str) -> pd.Series:
    if col not in frame.columns:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    s = frame[col].astype("string").str.strip()
    return s.mask(s == "")


def _parse_dates_per_file(values: pd.Series, sources: pd.Series, rows: pd.Series, *, dayfirst,
                          today, column) -> tuple[pd.Series, pd.Series]:  # fmt: skip
    """Dates and reasons; a file whose dates contradict each other rejects its own rows."""
    dates = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    why = pd.Series(pd.NA, index=values.index, dtype="string")
    for src in sources.unique():
        m = (sources == src).to_numpy(bool)
        try:
            d, w = parse_dates(values[m], sources=sources[m], rows=rows[m], dayfirst=dayfirst,
                               today=today, column=column)  # fmt: skip
        except DataError as exc:
            why[m] = str(exc.message)
            continue
        dates[m] = d.to_numpy(dtype="datetime64[ns]")
        why[m] = w.to_numpy(dtype=object)
    return dates, why


def clean_injuries(
    tables: list[tuple[str, pd.DataFrame]] | pd.DataFrame | None,
    roster: pd.DataFrame,
    *,
    dayfirst: bool | None = None,
    today=None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean injury-log tables into ``ds.injuries`` and its rejects.

    Parameters
    ----------
    tables
        Raw injury tables, as ``(source, frame)`` pairs or one frame with ``source`` and
        ``source_row`` columns; headers as a coach writes them (:data:`INJURY_SYNONYMS`).
    roster
        The clean roster (athletes are matched by id, name or alias).
    dayfirst, today
        As for the training log: day/month order (inferred per file by default) and the
        last accepted date.

    Returns
    -------
    injuries, rejects
        :data:`INJURY_COLUMNS`, sorted by athlete and onset; ``rejects`` with
        ``table = "injuries"``. Rows in = injuries + rejected + duplicates.

    Notes
    -----
    ``days_lost`` is the cell when given, else ``return_date − onset_date`` in days;
    ``return_date`` is the cell when given, else ``onset_date + days_lost``. ``recurrence``
    is True for an injury to the same athlete and location whose onset is after an earlier
    injury's onset and no more than :data:`RECURRENCE_DAYS` days after its return
    (Fuller et al. 2006).
    """
    if tables is None or (isinstance(tables, list) and not tables):
        return empty_injuries(), empty({})
    raw = _raw_injuries(tables)
    cells = _read_cells(raw, roster, dayfirst=dayfirst, today=today)
    verdict = _first_failure(cells)
    ok = verdict.reason.isna().to_numpy(bool)
    rejected = rejects_frame(
        source=cells.source[~ok], source_row=cells.row[~ok], column=verdict.column[~ok],
        value=verdict.value[~ok], reason=verdict.reason[~ok], table="injuries",
        kind="rejected", athlete_id=cells.ids[~ok],
    ) if (~ok).any() else empty({})  # fmt: skip
    kept = _deduplicated(_injury_rows(raw, cells, verdict)[ok])
    clean = kept.clean
    unknown = clean["days_lost"].isna()
    partial = empty({})
    if unknown.any():
        partial = rejects_frame(
            clean[unknown], column="days_lost", value=pd.NA,
            reason="no days lost or return date: counted as an injury, its burden unknown",
            table="injuries", kind="partial", athlete_id=clean.loc[unknown, "athlete_id"],
        )  # fmt: skip
    clean = clean.sort_values(["athlete_id", "onset_date", "source", "source_row"], kind="stable")
    clean = clean.assign(recurrence=_recurrence(clean))
    out = conform(clean, INJURY_COLUMNS, name="injuries")
    return out, concat_rejects(rejected, kept.duplicates, partial)


def _raw_injuries(tables: list[tuple[str, pd.DataFrame]] | pd.DataFrame) -> pd.DataFrame:
    """The injury tables as one frame of text with canonical headers, ``source`` and
    ``source_row``; refused (:class:`DataError`) without an athlete or onset-date column."""
    if isinstance(tables, list):
        frames = []
        for source, f in tables:
            f = canonicalize_columns(f, INJURY_SYNONYMS)
            f = f.loc[:, ~f.columns.duplicated()]
            if "source" not in f.columns:
                f = f.assign(source=source)
            frames.append(f.astype({c: "string" for c in f.columns if c != "source_row"}))
        raw = pd.concat(frames, ignore_index=True)
    else:
        raw = canonicalize_columns(tables, INJURY_SYNONYMS).reset_index(drop=True)
    if "source_row" not in raw.columns:
        raw["source_row"] = np.arange(len(raw)) + 2
    first = str(raw["source"].iloc[0]) if len(raw) else "injuries"
    if "athlete" not in raw.columns:
        raise DataError("injury log lacks an athlete column", file=first)
    if "onset_date" not in raw.columns:
        raise DataError("injury log lacks an onset-date column (Date, Date of injury, Onset)",
                        file=first)  # fmt: skip
    return raw


@dataclass(frozen=True)
class _Cells:
    """Each column of the injury rows read, with the reason a cell is refused (``why_*``)."""

    source: pd.Series
    row: pd.Series
    athlete_raw: pd.Series
    ids: pd.Series
    why_athlete: pd.Series
    onset_raw: pd.Series
    onset: pd.Series
    why_onset: pd.Series
    return_raw: pd.Series
    returned: pd.Series
    why_return: pd.Series
    location_raw: pd.Series
    location: pd.Series
    days_raw: pd.Series
    days: pd.Series
    why_days: pd.Series


def _read_cells(raw: pd.DataFrame, roster: pd.DataFrame, *, dayfirst, today) -> _Cells:
    """Athletes matched, onset and return dates read per file, locations mapped, days lost."""
    src = raw["source"].astype("string")
    row = pd.to_numeric(raw["source_row"], errors="coerce").astype("Int64")
    athlete_raw = _text(raw, "athlete")
    ids, why_ath = resolve_athletes(athlete_raw, roster)
    onset_raw = _text(raw, "onset_date")
    return_raw = _text(raw, "return_date")
    both = pd.concat([onset_raw, return_raw], ignore_index=True)
    dates, why_d = _parse_dates_per_file(
        both, pd.concat([src, src], ignore_index=True), pd.concat([row, row], ignore_index=True),
        dayfirst=dayfirst, today=today, column="onset_date",
    )  # fmt: skip
    n = len(raw)
    onset = pd.Series(dates.iloc[:n].to_numpy(), index=raw.index)
    why_onset = pd.Series(why_d.iloc[:n].to_numpy(), index=raw.index, dtype="string")
    ret = pd.Series(dates.iloc[n:].to_numpy(), index=raw.index)
    why_ret = pd.Series(why_d.iloc[n:].to_numpy(), index=raw.index, dtype="string")
    why_ret = why_ret.mask(return_raw.isna())  # an empty return cell is no error
    ongoing = return_raw.fillna("").str.match(_ONGOING.pattern, case=False)
    why_ret = why_ret.mask(ongoing)
    loc_raw = _text(raw, "location")
    days_raw = _text(raw, "days_lost")
    days, why_days = _days_lost(days_raw)
    return _Cells(
        src, row, athlete_raw, ids, why_ath, onset_raw, onset, why_onset, return_raw, ret,
        why_ret, loc_raw, map_locations(loc_raw), days_raw, days, why_days,
    )  # fmt: skip


@dataclass(frozen=True)
class _Verdict:
    """Per row the first failing column, its value and reason (NA when the row is clean),
    and the return date and days lost, each filled from the other where missing."""

    reason: pd.Series
    column: pd.Series
    value: pd.Series
    returned: pd.Series
    days: pd.Series


def _first_failure(cells: _Cells) -> _Verdict:
    """The first failing column names the row's reason; then a return before onset."""
    index = cells.source.index
    reason = pd.Series(pd.NA, index=index, dtype="string")
    column = pd.Series(pd.NA, index=index, dtype="string")
    value = pd.Series(pd.NA, index=index, dtype="string")
    no_location = np.where(cells.location.isna(), "missing location", None)
    checks = (
        ("athlete", cells.why_athlete, cells.athlete_raw),
        ("onset_date", cells.why_onset, cells.onset_raw),
        ("location", pd.Series(no_location, index=index, dtype="string"), cells.location_raw),
        ("days_lost", cells.why_days, cells.days_raw),
        ("return_date", cells.why_return, cells.return_raw),
    )
    for col, why, val in checks:
        m = reason.isna() & why.notna()
        reason, column, value = reason.mask(m, why), column.mask(m, col), value.mask(m, val)
    onset, days = cells.onset, cells.days
    from_days = onset + pd.to_timedelta(days.astype("Float64").to_numpy(na_value=np.nan), "D")
    ret = cells.returned.where(cells.returned.notna(), from_days)
    span = ((ret - onset).dt.days).astype("Int64")
    before = reason.isna() & (span < 0).fillna(False)
    reason = reason.mask(before, "return before onset")
    column = column.mask(before, "return_date")
    value = value.mask(before, cells.return_raw)
    return _Verdict(reason, column, value, ret, days.where(days.notna(), span))


def _injury_rows(raw: pd.DataFrame, cells: _Cells, verdict: _Verdict) -> pd.DataFrame:
    """Every row as an injury (the caller keeps the clean ones)."""
    loc_raw = cells.location_raw
    return pd.DataFrame(
        {
            "athlete_id": cells.ids,
            "onset_date": cells.onset,
            "location": cells.location,
            "days_lost": verdict.days,
            "return_date": verdict.returned,
            "recurrence": False,
            "source": cells.source,
            "source_row": cells.row,
            "location_raw": loc_raw,
            "notes": _text(raw, "notes"),
            "onset": _first_named(_text(raw, "onset"), _ONSET_RE, "unknown"),
            "context": _first_named(_text(raw, "context"), _CONTEXT_RE, "unknown"),
            "tissue": _first_named(_text(raw, "tissue").fillna(loc_raw), _TISSUE_RE, "unknown"),
        }
    )


@dataclass(frozen=True)
class _Deduplicated:
    """The injuries listed once, and the ``duplicate`` rejects of the copies."""

    clean: pd.DataFrame
    duplicates: pd.DataFrame


def _deduplicated(clean: pd.DataFrame) -> _Deduplicated:
    """The same athlete, onset and location listed twice (any file): the first is kept."""
    dup = clean.duplicated(["athlete_id", "onset_date", "location"], keep="first")
    if not dup.any():
        return _Deduplicated(clean, empty({}))
    first_of = clean[~dup].set_index(["athlete_id", "onset_date", "location"])
    key = pd.MultiIndex.from_frame(clean.loc[dup, ["athlete_id", "onset_date", "location"]])
    kept = first_of.reindex(key)
    dups = rejects_frame(
        source=clean.loc[dup, "source"], source_row=clean.loc[dup, "source_row"],
        column="onset_date", value=clean.loc[dup, "onset_date"].dt.strftime("%Y-%m-%d"),
        reason=pd.Series(
            [f"duplicate of {s} row {r}" for s, r in
             zip(kept["source"], kept["source_row"], strict=True)],
            index=clean.index[dup], dtype="string"),
        table="injuries", kind="duplicate", athlete_id=clean.loc[dup, "athlete_id"],
    )  # fmt: skip
    return _Deduplicated(clean[~dup], dups)


def _recurrence(inj: pd.DataFrame) -> pd.Series:
    """True where an earlier injury of the athlete at the location returned ≤ 61 days before.

    Vectorised as a self-merge on (athlete, location): injuries are few per athlete.
    """
    base = inj[["athlete_id", "location", "onset_date", "return_date"]].reset_index()
    pairs = base.merge(base, on=["athlete_id", "location"], suffixes=("", "_prev"))
    earlier = (pairs["onset_date_prev"] < pairs["onset_date"]) | (
        (pairs["onset_date_prev"] == pairs["onset_date"]) & (pairs["index_prev"] < pairs["index"])
    )
    window = pairs["return_date_prev"] + pd.Timedelta(days=RECURRENCE_DAYS)
    hit = earlier & (pairs["onset_date"] <= window).fillna(False)
    rec = pairs.loc[hit, "index"].unique()
    return pd.Series(inj.index.isin(rec), index=inj.index, dtype="boolean")
