"""The data-quality report (``data_quality.ipynb``): rejects by reason, unmapped exercises,
unknown names and the reconciliation totals.
"""

from __future__ import annotations

import pandas as pd

from ..dataset import Dataset


def rejects_by_reason(ds: Dataset) -> pd.DataFrame:
    r = ds.rejects
    if r.empty:
        return pd.DataFrame(columns=["table", "kind", "reason", "rows"])
    return (
        r.groupby(["table", "kind", "reason"], dropna=False)
        .size()
        .rename("rows")
        .reset_index()
        .sort_values("rows", ascending=False, kind="stable")
        .reset_index(drop=True)
    )


def unmapped_exercises(ds: Dataset) -> pd.DataFrame:
    log = ds.log
    u = log.loc[log["family"] == "unmapped"]
    if u.empty:
        return pd.DataFrame(
            columns=["exercise_raw", "entries", "athletes", "files", "did_you_mean"]
        )
    out = (
        u.groupby("exercise_raw")
        .agg(
            entries=("athlete_id", "size"),
            athletes=("athlete_id", "nunique"),
            files=("source", lambda s: ", ".join(sorted(set(s)))),
        )
        .reset_index()
        .sort_values("entries", ascending=False, kind="stable")
        .reset_index(drop=True)
    )
    # what each spelling may be (analysis.catalog.unmapped_spellings: rapidfuzz suggestion,
    # or the two exercises it contains)
    from ..catalog import unmapped_spellings

    hints = unmapped_spellings(u).set_index("exercise_raw")
    contains = hints["candidates"].str.replace("; ", " + ", regex=False)
    named = hints["suggestion_name"] + " (" + hints["suggestion"] + ")"
    hint = ("contains " + contains).fillna(named)
    return out.assign(did_you_mean=out["exercise_raw"].map(hint).astype("string"))


def unknown_names(ds: Dataset) -> pd.DataFrame:
    r = ds.rejects
    u = r[r["reason"].isin(["unknown athlete"]) | r["reason"].str.startswith("ambiguous athlete")]
    if u.empty:
        return pd.DataFrame(columns=["value", "reason", "rows", "files"])
    return (
        u.groupby(["value", "reason"])
        .agg(rows=("source", "size"), files=("source", lambda s: ", ".join(sorted(set(s)))))
        .reset_index()
        .sort_values("rows", ascending=False, kind="stable")
        .reset_index(drop=True)
    )


def quality_results(ds: Dataset) -> dict:
    rec = ds.reconciliation
    return {
        "files": len(rec),
        "rows_read": int(rec["rows_read"].sum()),
        "clean": int(rec["clean"].sum()),
        "rejected": int(rec["rejected"].sum()),
        "duplicates": int(rec["duplicates"].sum()),
        "balanced": bool(rec["balanced"].all()),
        "unmapped": unmapped_exercises(ds)["exercise_raw"].tolist(),
        "reasons": rejects_by_reason(ds).set_index("reason")["rows"].to_dict()
        if len(ds.rejects)
        else {},
        "skipped": ds.skipped["source"].tolist(),
    }
