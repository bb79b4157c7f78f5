"""Adherence to the coach's plan: planned vs done, per athlete and week (:func:`plan_adherence`).

The plan is read by :func:`analysis.plan.load_plan` (the clean tables); what was done is
the training log's weekly volume (:func:`analysis.volume.weekly_volume`).
"""

from __future__ import annotations

import pandas as pd

from .plan import empty_plan
from .schema import conform, empty
from .volume import weekly_volume

__all__ = ["ADHERENCE_COLUMNS", "expand_plan", "plan_adherence"]

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


def expand_plan(plan: pd.DataFrame, log: pd.DataFrame) -> pd.DataFrame:
    """Planned vs done per athlete and week (the body of :func:`plan_adherence`)."""
    if len(plan) == 0:
        return empty(ADHERENCE_COLUMNS)  # typed by the schema: conform changes nothing
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
        plan = empty_plan()
    return expand_plan(plan, ds.log)
