"""Helpers of ``explore.ipynb``: load a data folder (making the synthetic sample on first use)
and a first table of who trained what.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..dataset import Dataset, load_dataset
from .cohort import hf_reps_per_week


def load_or_sample(data_dir: str | os.PathLike[str]) -> Dataset:
    """Load a data folder; a missing folder named ``sample`` is generated first (synthetic).

    So that ``notebooks/explore.ipynb`` runs on a fresh clone before any data exist.
    """
    path = Path(data_dir)
    if not path.exists() and path.name == "sample":
        from ..sample import write_sample

        write_sample(path)
        print(f"generated the synthetic sample data set in {path}")
    return load_dataset(path)


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
