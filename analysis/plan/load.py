"""Reading the coach's plan: :func:`load_plan`, phase by phase.

Each plan row is checked (who, when, how often, how it progresses, the prescription),
bounded, expanded into one row per week and counted by the log cleaner itself; every row
ends in the plan table or in ``rejects``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..catalog import load_catalog
from ..dates import parse_dates
from ..errors import DataError
from ..ingest.plan_file import PLAN_FILE_STEMS, is_plan_file
from ..io import canonicalize_columns
from ..logs import clean_training_log
from ..prescription import parse_entries
from ..schema import REJECT_COLUMNS, conform, empty, rejects_frame
from .cells import AMOUNT, CAP, amount, plan_targets, render, whole

__all__ = [
    "MAX_PLAN_ROWS",
    "PLAN_COLUMNS",
    "PLAN_FILE_STEMS",
    "PLAN_SYNONYMS",
    "empty_plan",
    "is_plan_file",
    "load_plan",
]

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

#: Most rows the expanded plan may have (athletes × weeks × plan rows, ~0.5 GB and a few
#: seconds at the limit): a plan beyond it is refused, every row in ``rejects`` with the
#: reason, so a 50,000-athlete roster with a squad-wide plan ends in seconds, not a crash.
MAX_PLAN_ROWS = 1_000_000


def empty_plan() -> pd.DataFrame:
    """An empty plan with the pinned columns (:data:`PLAN_COLUMNS`)."""
    return empty(PLAN_COLUMNS)  # typed by the schema: conform would change nothing


#: The last date a plan may name (its dates may be in the future).
_FAR = pd.Timestamp("2100-01-01").date()


class _Reasons:
    """The first reason each plan row fails and the column it names (NA while it holds)."""

    def __init__(self, index: pd.Index) -> None:
        self.reason = pd.Series(pd.NA, index=index, dtype="string")
        self.column = pd.Series(pd.NA, index=index, dtype="string")

    def fail(self, mask: pd.Series | np.ndarray, col: str, why: pd.Series | str) -> None:
        """Rows of ``mask`` that hold so far fail at ``col`` for ``why``."""
        new = mask & self.reason.isna()
        self.reason[new] = why[new] if isinstance(why, pd.Series) else why
        self.column[new] = col

    @property
    def ok(self) -> pd.Series:
        """Rows that hold so far."""
        return self.reason.isna()


@dataclass(frozen=True)
class _Weeks:
    """Per plan row its first week's Monday and its last week's."""

    monday: pd.Series
    last: pd.Series


@dataclass(frozen=True)
class _Progression:
    """Per plan row: sessions per week, weeks per step, and step and cap as
    ``(value, unit, ok)`` (:func:`analysis.plan.cells.amount`)."""

    sessions: pd.Series
    every: pd.Series
    steps: list[tuple[float | None, str | None, bool]]
    caps: list[tuple[float | None, str | None, bool]]


@dataclass(frozen=True)
class _Expanded:
    """One record per plan row and week: the row's label, the week, the prescription."""

    rows: tuple
    weeks: tuple
    texts: tuple


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
    if catalog is None:
        catalog = load_catalog()
    raw = _raw_plan(tables)
    if raw is None:
        return empty_plan(), empty(REJECT_COLUMNS)
    reasons = _Reasons(raw.index)
    targets, who_why = plan_targets(raw, roster)
    reasons.fail(who_why.notna(), "squad" if "squad" in raw else "athlete", who_why)
    weeks = _weeks(raw, reasons, dayfirst)
    progression = _progression(raw, reasons)
    # the base prescription, in the log grammar
    parsed = parse_entries({"prescription": raw["prescription"]}, raw.index)
    reasons.fail(parsed["error"].notna(), "prescription", parsed["error"])
    _bound(raw, reasons, targets, weeks)
    expanded = _expand(raw, reasons, parsed, weeks, progression)
    if not expanded.rows:
        plan = empty_plan()
    else:
        plan = _count(raw, reasons, expanded, targets, progression, roster, catalog)
    return plan, _plan_rejects(raw, reasons)


def _raw_plan(tables: Iterable) -> pd.DataFrame | None:
    """The plan's sheets as one frame of text with canonical headers (None when empty);
    refused (:class:`DataError`) without the columns a plan needs."""
    frames = []
    for t in tables:
        f = canonicalize_columns(t.frame, PLAN_SYNONYMS)
        f = f.astype({c: "string" for c in f.columns if c != "source_row"})
        frames.append(f)
    if not frames:
        return None
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
        return None
    return raw.assign(source_row=pd.to_numeric(raw["source_row"]).astype("Int64"))


def _weeks(raw: pd.DataFrame, reasons: _Reasons, dayfirst: bool | None) -> _Weeks:
    """When: the week (its Monday) or a date, and the optional last week (``until``)."""
    date_col = "week" if "week" in raw else "date"
    when = raw[date_col]
    if "week" in raw and "date" in raw:
        when = raw["week"].fillna(raw["date"])
    days, d_why = parse_dates(
        when, sources=raw["source"], rows=raw["source_row"], dayfirst=dayfirst, today=_FAR,
        column=date_col,
    )  # fmt: skip
    reasons.fail(d_why.notna(), date_col, d_why)
    monday = (days - pd.to_timedelta(days.dt.day_of_week, unit="D")).astype("datetime64[ns]")
    if "until" not in raw:
        return _Weeks(monday, monday)
    until, u_why = parse_dates(
        raw["until"].where(raw["until"].notna(), when), sources=raw["source"],
        rows=raw["source_row"], dayfirst=dayfirst, today=_FAR, column="until",
    )  # fmt: skip
    reasons.fail(u_why.notna(), "until", u_why)
    last = (until - pd.to_timedelta(until.dt.day_of_week, unit="D")).astype("datetime64[ns]")
    reasons.fail(last < monday, "until", "until is before the first week")
    return _Weeks(monday, last)


def _progression(raw: pd.DataFrame, reasons: _Reasons) -> _Progression:
    """How often (sessions per week) and how it progresses (step, every, cap)."""

    def cells(col: str) -> pd.Series:
        return raw[col] if col in raw else pd.Series(pd.NA, index=raw.index)

    n_sessions = cells("sessions").map(lambda v: whole(v, 1))
    reasons.fail(n_sessions.isna(), "sessions", "sessions per week must be a whole number 1 to 14")
    n_every = cells("every").map(lambda v: whole(v, 1))
    reasons.fail(n_every.isna(), "every", "every must be a whole number of weeks")
    steps = [amount(v, AMOUNT) for v in cells("step")]
    caps = [amount(v, CAP) for v in cells("cap")]
    reasons.fail(
        pd.Series([not ok for _, _, ok in steps], index=raw.index), "step", "unparseable step"
    )
    reasons.fail(
        pd.Series([not ok for _, _, ok in caps], index=raw.index), "cap", "unparseable cap"
    )
    return _Progression(n_sessions, n_every, steps, caps)


def _bound(raw: pd.DataFrame, reasons: _Reasons, targets: pd.Series, weeks: _Weeks) -> None:
    """The expansion (one row per athlete, week and plan row) is counted before it is
    made; a plan beyond :data:`MAX_PLAN_ROWS` is refused, each row in rejects with the
    reason."""
    ok = reasons.ok
    n_targets = targets.map(len).to_numpy(dtype=np.int64)
    span = ((weeks.last - weeks.monday).dt.days // 7 + 1).fillna(0)
    span = span.to_numpy(dtype=np.int64, na_value=0)
    expanded = int((np.clip(span, 0, None) * n_targets)[ok.to_numpy()].sum())
    if expanded > MAX_PLAN_ROWS:
        reasons.fail(
            ok,
            "squad" if "squad" in raw else "athlete",
            f"the plan expands to {expanded:,} athlete-weeks, over hipflex's limit of "
            f"{MAX_PLAN_ROWS:,} (plan.MAX_PLAN_ROWS): not read; plan fewer weeks or athletes",
        )


def _expand(
    raw: pd.DataFrame,
    reasons: _Reasons,
    parsed: pd.DataFrame,
    weeks: _Weeks,
    progression: _Progression,
) -> _Expanded:
    """Each row that holds, week by week: ``min(start + step × ⌊k / every⌋, cap)`` per set."""
    monday, last = weeks.monday, weeks.last
    records = []
    for i in raw.index[reasons.ok]:
        p = parsed.loc[i]
        if pd.notna(p["distance_m"]):
            unit, start = "m", float(p["distance_m"])
        elif pd.notna(p["duration_s"]):
            unit, start = "s", float(p["duration_s"])
        else:
            unit, start = "reps", float(p["reps"])
        step, s_unit, _ = progression.steps[raw.index.get_loc(i)]
        cap, c_unit, _ = progression.caps[raw.index.get_loc(i)]
        if any(u is not None and u != unit for u in (s_unit, c_unit)):
            reasons.fail(raw.index == i, "step" if s_unit not in (None, unit) else "cap",
                         f"step/cap unit differs from the prescription's ({unit})")  # fmt: skip
            continue
        if cap is not None and step is None:
            step = 0.0
        n_weeks = int((last[i] - monday[i]).days // 7) + 1
        for k in range(n_weeks):
            value = start
            if step:
                value = start + step * math.floor(k / int(progression.every[i]))
                if cap is not None:
                    value = min(value, cap)
            text = str(raw.loc[i, "prescription"]) if value == start else render(p, value, unit)
            records.append((i, monday[i] + pd.Timedelta(weeks=k), text))
    if not records:
        return _Expanded((), (), ())
    idx, week, texts = zip(*records, strict=True)
    return _Expanded(idx, week, texts)


def _count(
    raw: pd.DataFrame,
    reasons: _Reasons,
    expanded: _Expanded,
    targets: pd.Series,
    progression: _Progression,
    roster: pd.DataFrame,
    catalog: pd.DataFrame,
) -> pd.DataFrame:
    """The expanded rows counted by the log cleaner (hip-flexion reps exactly as logged);
    a row the cleaner rejects fails with the cleaner's reason. One row per athlete."""
    idx, texts = np.asarray(expanded.rows), expanded.texts
    per_row = pd.DataFrame(
        {
            "athlete": "",
            "date": [w.date().isoformat() for w in expanded.weeks],
            "exercise": raw["exercise"].to_numpy(dtype=object)[raw.index.get_indexer(idx)],
            "prescription": list(texts),
            "source": raw["source"].to_numpy(dtype=object)[raw.index.get_indexer(idx)],
            "source_row": np.arange(len(idx)) + 2,  # a unique row per expanded entry
        }
    ).astype({"athlete": "string", "date": "string", "exercise": "string",
              "prescription": "string", "source": "string"})  # fmt: skip
    # the log cleaner needs an athlete that resolves: the first target stands in (the
    # volume of an entry depends on its text only)
    per_row["athlete"] = pd.array([targets[i][0] for i in idx], dtype="string")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean, log_rej = clean_training_log(per_row, roster, catalog, dayfirst=False, today=_FAR)
    bad = pd.Series(False, index=raw.index)
    if len(log_rej):
        rej_rows = log_rej.loc[log_rej["kind"] == "rejected"]
        for r in rej_rows.itertuples(index=False):
            j = idx[int(r.source_row) - 2]
            if not bad[j]:
                bad[j] = True
                col = "prescription" if r.column in ("prescription", None) else str(r.column)
                reasons.fail(raw.index == j, col, str(r.reason))
    clean = clean.assign(_k=clean["source_row"].astype("int64") - 2)
    clean = clean.loc[~bad.to_numpy()[raw.index.get_indexer(idx[clean["_k"].to_numpy()])]]
    rows = idx[clean["_k"].to_numpy()]
    pos = raw.index.get_indexer(rows)
    sess = progression.sessions.to_numpy()[pos].astype(np.int64)
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
    return plan.reset_index(drop=True)


def _plan_rejects(raw: pd.DataFrame, reasons: _Reasons) -> pd.DataFrame:
    """One reject per plan row that failed, naming its column, cell and reason."""
    reason, column = reasons.reason, reasons.column
    failed = reason.notna()
    value = [
        None if not f or pd.isna(c) or c not in raw else raw.loc[i, c]
        for i, f, c in zip(raw.index, failed, column, strict=True)
    ]
    return rejects_frame(
        raw.loc[failed],
        column=column[failed],
        value=pd.Series(value, index=raw.index, dtype="string")[failed],
        reason=reason[failed],
        table="plan",
    )
