"""The coach's plan and adherence to it: :func:`load_plan`, :func:`plan_adherence`.

An optional ``plan.csv`` or ``plan.xlsx`` in the data folder (pinned names) says what each
squad or athlete should do. One row per exercise and week (or run of weeks), as a coach
writes it in a spreadsheet:

=================  ====================================================================
``week``           the week's Monday (any day of the week is moved to its Monday); or
``date``           a day (the plan is then for that day's week, one session)
``until``          optional last week: the row repeats every week from ``week`` to it
``squad``          a value of the roster's ``squad`` column, or ``all``; or
``athlete``        an athlete (id, name or alias, matched as in the logs)
``exercise``       any catalog spelling (``A's``, ``cable KD``, ...)
``prescription``   per session, in the log grammar (``3x10``, ``3 x 10 m``, ``3x25-30``);
                   ``start`` is the same column
``sessions``       optional sessions per week (default 1)
``step``           optional progression: added to the reps (or metres, seconds) per set
``every``          ... every N weeks (default 1)
``cap``            ... up to this many per set (``50``, ``50 m`` or ``3x50m``)
=================  ====================================================================

The article's A's progression, "start with 3 sets of 10 meters and build up to 50 meters
or more throughout the season", is one row::

    week,until,squad,exercise,prescription,step,every,cap
    2026-01-05,2026-04-27,all,A's,3 x 10 m,10 m,3,50 m

Week k (0, 1, ...) of a row plans ``min(start + step × ⌊k / every⌋, cap)`` per set. A
row's prescription of week k is written back as text (``3x40m``) and read, with the
exercise, by the log cleaner itself (:func:`analysis.logs.clean_training_log`): planned
hip-flexion reps are counted exactly as logged ones (sets × reps, doubled per leg,
distance through the catalog's reps per metre, mobility 0).

Every plan row ends in the plan table or in ``rejects`` (``table = "plan"``) with its
file, row, column and reason.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError
from .io import canonicalize_columns
from .schema import REJECT_COLUMNS, conform, empty, rejects_frame

__all__ = [
    "MAX_PLAN_ROWS",
    "PLAN_COLUMNS",
    "PLAN_FILE_STEMS",
    "expand_plan",
    "is_plan_file",
    "load_plan",
    "plan_adherence",
]

#: File stems recognised as the plan (pinned: ``plan.csv`` / ``plan.xlsx``).
PLAN_FILE_STEMS = ("plan",)

#: Canonical plan column -> accepted header spellings (normalised by ``header_key``).
PLAN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "week": ("week", "week of", "week starting", "week start", "monday", "from", "start week"),
    "date": ("date", "day", "session date"),
    "until": ("until", "to", "end week", "last week", "through", "till"),
    "squad": ("squad", "group", "training group", "team"),
    "athlete": ("athlete", "name", "athlete name", "athlete id", "athlete_id", "who"),
    "exercise": ("exercise", "drill", "exercise name", "movement"),
    "prescription": ("prescription", "start", "sets x reps", "setsxreps", "volume", "dosage"),
    "sessions": ("sessions", "sessions per week", "per week", "times per week", "x per week"),
    "step": ("step", "increase", "add", "progression", "build by"),
    "every": ("every", "every n weeks", "every weeks", "weeks per step"),
    "cap": ("cap", "max", "up to", "build to", "target"),
    "notes": ("notes", "note", "comments", "comment"),
}

#: The expanded plan (one row per athlete, week and plan row).
PLAN_COLUMNS: dict[str, str] = {
    "athlete_id": "string",
    "week": "datetime64[ns]",
    "exercise": "string",
    "family": "string",
    "prescription": "string",
    "sessions": "Int64",
    "hf_reps": "Float64",
    "planned_hf_reps": "Float64",
    "squad": "string",
    "source": "string",
    "source_row": "Int64",
    "exercise_raw": "string",
}

ADHERENCE_COLUMNS: dict[str, str] = {
    "athlete_id": "string",
    "week": "datetime64[ns]",
    "planned_hf_reps": "Float64",
    "done_hf_reps": "Float64",
    "adherence_pct": "Float64",
    "planned_sessions": "Int64",
    "done_sessions": "Int64",
    "days_logged": "Int64",
}

#: Most rows the expanded plan may have (athletes × weeks × plan rows, ~0.5 GB and a few
#: seconds at the limit): a plan beyond it is refused, every row in ``rejects`` with the
#: reason, so a 50,000-athlete roster with a squad-wide plan ends in seconds, not a crash.
MAX_PLAN_ROWS = 1_000_000

_ALL = {"all", "everyone", "squad", "whole squad", "*", "every athlete", "all athletes"}
_AMOUNT = re.compile(r"^\+?\s*(\d+(?:[.,]\d+)?)\s*([a-z\"']*)$")
_CAP = re.compile(r"^(?:\d+\s*x\s*)?(\d+(?:[.,]\d+)?)\s*([a-z\"']*)$")
_UNITS = {
    "": None,
    **dict.fromkeys(("rep", "reps"), "reps"),
    **dict.fromkeys(("m", "meter", "meters", "metre", "metres", "mtr", "mtrs"), "m"),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds", '"'), "s"),
}


def is_plan_file(path: str | Path) -> bool:
    """True for a data-folder file that is the coach's plan (``plan.csv``, ``plan.xlsx``)."""
    p = Path(path)
    return p.stem.strip().lower() in PLAN_FILE_STEMS and p.suffix.lower() in (
        ".csv",
        ".xlsx",
        ".xlsm",
        ".tsv",
        ".txt",
    )


def _empty_plan() -> pd.DataFrame:
    return conform(empty(PLAN_COLUMNS), PLAN_COLUMNS, name="plan")


def _amount(text: object, pattern: re.Pattern) -> tuple[float | None, str | None, bool]:
    """(value, unit, ok) of a step or cap cell; (None, None, True) when empty."""
    if text is None or (not isinstance(text, str) and pd.isna(text)) or not str(text).strip():
        return None, None, True
    t = re.sub(r"\s+", " ", str(text).casefold().replace("×", "x").replace("*", "x")).strip()
    m = pattern.match(t)
    if not m or m.group(2) not in _UNITS:
        return None, None, False
    return float(m.group(1).replace(",", ".")), _UNITS[m.group(2)], True


def _whole(text: object, default: int) -> int | None:
    if text is None or (not isinstance(text, str) and pd.isna(text)) or not str(text).strip():
        return default
    t = str(text).strip().casefold()
    t = re.sub(r"\s*(?:x|times|sessions?|weeks?|wks?)\s*(?:per\s*week|/\s*wk|/\s*week)?$", "", t)
    if re.fullmatch(r"\d+(?:\.0+)?", t) and 1 <= float(t) <= 14:
        return int(float(t))
    return None


def _fmt(value: float) -> str:
    return f"{value:g}"


def _render(p: pd.Series, amount: float, unit: str) -> str:
    """A prescription text for ``p`` (parsed) with ``amount`` per set in ``unit``."""
    suffix = {"reps": "", "m": "m", "s": "s"}[unit]
    text = f"{int(p['sets'])}x{_fmt(amount)}{suffix}"
    if p["per_leg"] is True:
        text += " each leg"
    kind = None if pd.isna(p["load_kind"]) else str(p["load_kind"])
    if kind == "kg" and pd.notna(p["load_kg"]):
        text += f" @ {_fmt(float(p['load_kg']))}kg"
    elif kind == "bodyweight":
        text += " BW"
    elif kind == "band":
        text += " band"
    return text


def _who(plan: pd.DataFrame, roster: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per plan row: the list of athlete ids it applies to, and a reason where it fails."""
    from .names import resolve_athletes

    n = len(plan)
    targets = pd.Series([[] for _ in range(n)], index=plan.index, dtype=object)
    reasons = pd.Series(pd.NA, index=plan.index, dtype="string")
    athlete = plan["athlete"] if "athlete" in plan else pd.Series(pd.NA, index=plan.index)
    squad = plan["squad"] if "squad" in plan else pd.Series(pd.NA, index=plan.index)
    has_ath = athlete.notna() & athlete.astype("string").str.strip().ne("")
    has_squad = squad.notna() & squad.astype("string").str.strip().ne("")
    if has_ath.any():
        ids, why = resolve_athletes(athlete.where(has_ath), roster)
        for i in plan.index[has_ath]:
            if pd.isna(ids[i]):
                reasons[i] = str(why[i])
            else:
                targets[i] = [str(ids[i])]
    roster_squad = (
        roster["squad"].astype("string").str.strip().str.casefold()
        if "squad" in roster
        else pd.Series(pd.NA, index=roster.index, dtype="string")
    )
    everyone = roster["athlete_id"].astype(str).tolist()
    for i in plan.index[has_squad & ~has_ath]:
        key = str(squad[i]).strip().casefold()
        key = key[:-1] if key.endswith("m") and key[:-1].isdigit() else key  # "400m" squad
        if key in _ALL:
            targets[i] = everyone
            continue
        hit = roster.loc[(roster_squad == key).fillna(False), "athlete_id"].astype(str).tolist()
        if not hit:
            hit = roster.loc[(roster_squad == f"{key}m").fillna(False), "athlete_id"]
            hit = hit.astype(str).tolist()
        if hit:
            targets[i] = hit
        else:
            reasons[i] = "no athlete in this squad"
    for i in plan.index[~has_squad & ~has_ath]:
        reasons[i] = "missing squad or athlete"
    return targets, reasons


def load_plan(
    tables: Iterable,
    roster: pd.DataFrame,
    catalog: pd.DataFrame | None = None,
    *,
    dayfirst: bool | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the coach's plan into one row per athlete, week and plan row.

    Parameters
    ----------
    tables : iterable of RawTable
        The plan file's sheets as :func:`analysis.io.read_raw` gives them (cells as text,
        with ``source`` and ``source_row``).
    roster : DataFrame
        The athletes table (its ``squad`` column resolves squad rows).
    catalog : DataFrame, optional
        The exercise catalog; default the project's.
    dayfirst : bool, optional
        Force the day/month order of the plan's dates; default inferred.

    Returns
    -------
    plan : DataFrame
        :data:`PLAN_COLUMNS`: ``athlete_id, week`` (Monday), ``exercise`` (catalog id),
        ``family``, ``prescription`` (that week's, after progression), ``sessions`` (per
        week), ``hf_reps`` (hip-flexion reps of one planned session, counted as the log
        counts them), ``planned_hf_reps`` (= ``hf_reps × sessions``), ``squad`` (as
        written), ``source, source_row`` (the plan row), ``exercise_raw``.
    rejects : DataFrame
        :data:`analysis.schema.REJECT_COLUMNS` with ``table = "plan"``: one row per plan
        row that could not be taken, naming its column and reason.

    Raises
    ------
    DataError
        The plan lacks an exercise column, a prescription column, a week or date column,
        or a squad or athlete column.
    """
    from .catalog import load_catalog
    from .dates import parse_dates
    from .logs import clean_training_log
    from .prescription import parse_entries

    if catalog is None:
        catalog = load_catalog()
    frames = []
    for t in tables:
        f = canonicalize_columns(t.frame, PLAN_SYNONYMS)
        f = f.astype({c: "string" for c in f.columns if c != "source_row"})
        frames.append(f)
    if not frames:
        return _empty_plan(), empty(REJECT_COLUMNS)
    raw = pd.concat(frames, ignore_index=True)
    source = str(raw["source"].iloc[0]) if len(raw) else "plan"
    for need, what in (
        (("exercise",), "an exercise column"),
        (("prescription",), "a prescription (or start) column"),
        (("week", "date"), "a week or date column"),
        (("squad", "athlete"), "a squad or athlete column"),
    ):
        if not any(c in raw.columns for c in need):
            raise DataError(f"plan lacks {what}", file=source)
    if len(raw) == 0:
        return _empty_plan(), empty(REJECT_COLUMNS)
    raw = raw.assign(source_row=pd.to_numeric(raw["source_row"]).astype("Int64"))
    far = pd.Timestamp("2100-01-01").date()

    reason = pd.Series(pd.NA, index=raw.index, dtype="string")
    column = pd.Series(pd.NA, index=raw.index, dtype="string")

    def fail(mask: pd.Series, col: str, why: pd.Series | str) -> None:
        new = mask & reason.isna()
        reason[new] = why[new] if isinstance(why, pd.Series) else why
        column[new] = col

    # who
    targets, who_why = _who(raw, roster)
    fail(who_why.notna(), "squad" if "squad" in raw else "athlete", who_why)
    # when: week (its Monday) or a date; until
    date_col = "week" if "week" in raw else "date"
    when = raw[date_col]
    if "week" in raw and "date" in raw:
        when = raw["week"].fillna(raw["date"])
    days, d_why = parse_dates(
        when, sources=raw["source"], rows=raw["source_row"], dayfirst=dayfirst, today=far,
        column=date_col,
    )  # fmt: skip
    fail(d_why.notna(), date_col, d_why)
    monday = (days - pd.to_timedelta(days.dt.day_of_week, unit="D")).astype("datetime64[ns]")
    if "until" in raw:
        until, u_why = parse_dates(
            raw["until"].where(raw["until"].notna(), when), sources=raw["source"],
            rows=raw["source_row"], dayfirst=dayfirst, today=far, column="until",
        )  # fmt: skip
        fail(u_why.notna(), "until", u_why)
        last = (until - pd.to_timedelta(until.dt.day_of_week, unit="D")).astype("datetime64[ns]")
        fail(last < monday, "until", "until is before the first week")
    else:
        last = monday
    # how often, how it progresses
    sessions = raw["sessions"] if "sessions" in raw else pd.Series(pd.NA, index=raw.index)
    n_sessions = sessions.map(lambda v: _whole(v, 1))
    fail(n_sessions.isna(), "sessions", "sessions per week must be a whole number 1 to 14")
    every = raw["every"] if "every" in raw else pd.Series(pd.NA, index=raw.index)
    n_every = every.map(lambda v: _whole(v, 1))
    fail(n_every.isna(), "every", "every must be a whole number of weeks")
    step_cells = raw["step"] if "step" in raw else pd.Series(pd.NA, index=raw.index)
    cap_cells = raw["cap"] if "cap" in raw else pd.Series(pd.NA, index=raw.index)
    steps = [_amount(v, _AMOUNT) for v in step_cells]
    caps = [_amount(v, _CAP) for v in cap_cells]
    fail(pd.Series([not ok for _, _, ok in steps], index=raw.index), "step", "unparseable step")
    fail(pd.Series([not ok for _, _, ok in caps], index=raw.index), "cap", "unparseable cap")
    # the base prescription, in the log grammar
    parsed = parse_entries({"prescription": raw["prescription"]}, raw.index)
    fail(parsed["error"].notna(), "prescription", parsed["error"])

    # bounded: the expansion (one row per athlete, week and plan row) is counted before it
    # is made; a plan beyond MAX_PLAN_ROWS is refused, each row in rejects with the reason
    ok = reason.isna()
    n_targets = targets.map(len).to_numpy(dtype=np.int64)
    span = ((last - monday).dt.days // 7 + 1).fillna(0).to_numpy(dtype=np.int64, na_value=0)
    expanded = int((np.clip(span, 0, None) * n_targets)[ok.to_numpy()].sum())
    if expanded > MAX_PLAN_ROWS:
        fail(
            ok,
            "squad" if "squad" in raw else "athlete",
            f"the plan expands to {expanded:,} athlete-weeks, over hipflex's limit of "
            f"{MAX_PLAN_ROWS:,} (plan.MAX_PLAN_ROWS): not read; plan fewer weeks or athletes",
        )
    records = []
    for i in raw.index[reason.isna()]:
        p = parsed.loc[i]
        if pd.notna(p["distance_m"]):
            unit, start = "m", float(p["distance_m"])
        elif pd.notna(p["duration_s"]):
            unit, start = "s", float(p["duration_s"])
        else:
            unit, start = "reps", float(p["reps"])
        step, s_unit, _ = steps[raw.index.get_loc(i)]
        cap, c_unit, _ = caps[raw.index.get_loc(i)]
        if any(u is not None and u != unit for u in (s_unit, c_unit)):
            fail(raw.index == i, "step" if s_unit not in (None, unit) else "cap",
                 f"step/cap unit differs from the prescription's ({unit})")  # fmt: skip
            continue
        if cap is not None and step is None:
            step = 0.0
        n_weeks = int((last[i] - monday[i]).days // 7) + 1
        for k in range(n_weeks):
            amount = start
            if step:
                amount = start + step * math.floor(k / int(n_every[i]))
                if cap is not None:
                    amount = min(amount, cap)
            text = str(raw.loc[i, "prescription"]) if amount == start else _render(p, amount, unit)
            records.append((i, monday[i] + pd.Timedelta(weeks=k), text))
    if not records:
        plan = _empty_plan()
    else:
        idx, weeks, texts = zip(*records, strict=True)
        idx = np.asarray(idx)
        per_row = pd.DataFrame(
            {
                "athlete": "",
                "date": [w.date().isoformat() for w in weeks],
                "exercise": raw["exercise"].to_numpy(dtype=object)[raw.index.get_indexer(idx)],
                "prescription": list(texts),
                "source": raw["source"].to_numpy(dtype=object)[raw.index.get_indexer(idx)],
                "source_row": np.arange(len(idx)) + 2,  # a unique row per expanded entry
            }
        ).astype({"athlete": "string", "date": "string", "exercise": "string",
                  "prescription": "string", "source": "string"})  # fmt: skip
        # the log cleaner needs an athlete that resolves: the first target stands in (the
        # volume of an entry depends on its text only)
        first_target = [targets[i][0] for i in idx]
        per_row["athlete"] = pd.array(first_target, dtype="string")
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clean, log_rej = clean_training_log(per_row, roster, catalog, dayfirst=False, today=far)
        bad = pd.Series(False, index=raw.index)
        if len(log_rej):
            rej_rows = log_rej.loc[log_rej["kind"] == "rejected"]
            for r in rej_rows.itertuples(index=False):
                j = idx[int(r.source_row) - 2]
                if not bad[j]:
                    bad[j] = True
                    col = "prescription" if r.column in ("prescription", None) else str(r.column)
                    fail(raw.index == j, col, str(r.reason))
        clean = clean.assign(_k=clean["source_row"].astype("int64") - 2)
        clean = clean.loc[~bad.to_numpy()[raw.index.get_indexer(idx[clean["_k"].to_numpy()])]]
        rows = idx[clean["_k"].to_numpy()]
        pos = raw.index.get_indexer(rows)
        sess = n_sessions.to_numpy()[pos].astype(np.int64)
        squad = raw["squad"] if "squad" in raw else raw["athlete"]
        who = raw["athlete"].fillna(squad) if "athlete" in raw else squad
        base = pd.DataFrame(
            {
                "week": clean["date"].to_numpy(),
                "exercise": clean["exercise"].to_numpy(),
                "family": clean["family"].to_numpy(),
                "prescription": clean["exercise_raw"].to_numpy(),  # replaced below
                "sessions": sess,
                "hf_reps": clean["hf_reps"].to_numpy(dtype=np.float64, na_value=np.nan),
                "squad": who.to_numpy(dtype=object)[pos],
                "source": raw["source"].to_numpy(dtype=object)[pos],
                "source_row": raw["source_row"].to_numpy(dtype=np.int64)[pos],
                "exercise_raw": clean["exercise_raw"].to_numpy(),
                "_targets": [targets[r] for r in rows],
            }
        )
        base["prescription"] = [texts[k] for k in clean["_k"].to_numpy()]
        base["planned_hf_reps"] = base["hf_reps"] * base["sessions"]
        plan = base.explode("_targets").rename(columns={"_targets": "athlete_id"})
        plan = conform(plan[list(PLAN_COLUMNS)], PLAN_COLUMNS, name="plan")
        plan = plan.sort_values(["athlete_id", "week", "source", "source_row"], kind="stable")
        plan = plan.reset_index(drop=True)
    failed = reason.notna()
    value = [
        None if not f or pd.isna(c) or c not in raw else raw.loc[i, c]
        for i, f, c in zip(raw.index, failed, column, strict=True)
    ]
    rejects = rejects_frame(
        raw.loc[failed],
        column=column[failed],
        value=pd.Series(value, index=raw.index, dtype="string")[failed],
        reason=reason[failed],
        table="plan",
    )
    return plan, rejects


def expand_plan(plan: pd.DataFrame, log: pd.DataFrame) -> pd.DataFrame:
    """Planned vs done per athlete and week (the body of :func:`plan_adherence`)."""
    from .volume import weekly_volume

    if len(plan) == 0:
        return conform(empty(ADHERENCE_COLUMNS), ADHERENCE_COLUMNS, name="adherence")
    planned = (
        plan.assign(_h=plan["planned_hf_reps"].astype("Float64"))
        .groupby(["athlete_id", "week"], sort=True, observed=True)
        .agg(planned_hf_reps=("_h", "sum"), planned_sessions=("sessions", "max"))
        .reset_index()
    )
    done = weekly_volume(log)[["athlete_id", "week", "hf_reps", "sessions", "days_logged"]]
    done = done.astype({"athlete_id": "string"})
    out = planned.astype({"athlete_id": "string"}).merge(
        done, on=["athlete_id", "week"], how="left"
    )
    # weeks after the last logged day of the whole data set are not due yet
    last = log["date"].max() if len(log) else pd.NaT
    if pd.notna(last):
        out = out.loc[out["week"] <= last]
    else:
        out = out.iloc[0:0]
    done_reps = out["hf_reps"].astype("Float64").fillna(0.0)
    planned_reps = out["planned_hf_reps"].astype("Float64")
    pct = (done_reps / planned_reps * 100).where(planned_reps > 0)
    result = pd.DataFrame(
        {
            "athlete_id": out["athlete_id"],
            "week": out["week"],
            "planned_hf_reps": planned_reps,
            "done_hf_reps": done_reps,
            "adherence_pct": pct,
            "planned_sessions": out["planned_sessions"],
            "done_sessions": out["sessions"].fillna(0),
            "days_logged": out["days_logged"].fillna(0),
        }
    )
    return conform(result, ADHERENCE_COLUMNS, name="adherence")


def plan_adherence(ds) -> pd.DataFrame:
    """Planned vs done hip-flexion reps and sessions, per athlete and week (pinned).

    Parameters
    ----------
    ds : Dataset
        From :func:`analysis.load_dataset`; its ``plan`` comes from the data folder's
        ``plan.csv`` / ``plan.xlsx`` (:func:`load_plan`).

    Returns
    -------
    DataFrame
        One row per athlete and planned week up to the last logged day of the data set
        (later weeks are not due yet): ``athlete_id, week`` (Monday), ``planned_hf_reps``
        (the week's planned sessions' hip-flexion reps), ``done_hf_reps`` (every
        hip-flexor entry logged that week, planned or not), ``adherence_pct`` (done /
        planned × 100; NA when nothing was planned), ``planned_sessions`` (the most
        sessions any one exercise is planned for that week: a week's exercises are assumed
        done together), ``done_sessions`` (days with hip-flexor work), ``days_logged``
        (days with any log entry: 0 means nothing was written down that week, which the
        adherence cannot tell from a week off). Empty when there is no plan.

    Examples
    --------
    >>> import analysis as hf
    >>> hf.plan_adherence(hf.load_dataset("data/raw/sample")).head()  # doctest: +SKIP
    """
    plan = getattr(ds, "plan", None)
    if plan is None:
        plan = _empty_plan()
    return expand_plan(plan, ds.log)
