"""Helpers of ``explore.ipynb``: a first table of who trained what (the notebook loads its
data with :func:`analysis.reports.pages.load.load_or_sample`).
"""

from __future__ import annotations

import pandas as pd

from ...dataset import Dataset
from ...volume_weekly import hf_reps_per_week


def who_trained_what(ds: Dataset) -> pd.DataFrame:
    """One row per athlete: entries, hip-flexor reps (total and per week), top exercise, races."""
    log = ds.log
    hf_log = log[log["family"] == "hip_flexor"]
    total = hf_log.groupby("athlete_id")["hf_reps"].sum().astype("float64")
    top = (
        hf_log.groupby(["athlete_id", "exercise"])["hf_reps"].sum().astype("float64")
        .reset_index().sort_values("hf_reps", ascending=False, kind="stable")
        .drop_duplicates("athlete_id").set_index("athlete_id")["exercise"]
    )  # fmt: skip
    out = ds.athletes[["athlete_id", "name"]].set_index("athlete_id")
    out["entries"] = log.groupby("athlete_id").size()
    out["hip-flexor reps"] = total
    out["per week"] = hf_reps_per_week(log, ds.races)
    out["most reps from"] = top
    out["races"] = ds.races.groupby("athlete_id").size()
    out["entries"] = out["entries"].fillna(0).astype("int64")
    out["races"] = out["races"].fillna(0).astype("int64")
    return out.reset_index()
