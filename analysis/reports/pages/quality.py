"""The data-quality report (``data_quality.ipynb``): rejects by reason, unmapped exercises,
unknown names and the reconciliation totals.
"""

from __future__ import annotations

import pandas as pd

from ...catalog import unmapped_spellings
from ...dataset import Dataset

#: A workbook with more sheets read than this is rolled up (a sheet per week: 25 lines).
SHEETS_SHOWN = 6

_PROBLEMS = ("rejected", "duplicates", "partial")


def roll_up_sheets(rec: pd.DataFrame, *, keep_problem_sheets: bool = False) -> pd.DataFrame:
    """Reconciliation lines with a workbook of many sheets as one line, counts summed.

    A workbook with more than :data:`SHEETS_SHOWN` sheets read becomes
    ``file.xlsx (25 sheets)``. With ``keep_problem_sheets`` (the data-quality page) a sheet
    with a rejected, duplicate or doubtful row keeps its own line and only the sheets whose
    every row is clean are summed (``file.xlsx (22 other sheets, every row clean)``). The
    per-sheet lines stay in ``Dataset.reconciliation``. Numeric columns are summed and
    ``balanced`` is true only when every summed sheet balances.
    """
    if rec.empty:
        return rec
    src = rec["source"].astype("string")
    file = src.str.split("#", n=1).str[0]
    sheets = file.map(file.value_counts())
    many = (sheets > SHEETS_SHOWN) & src.str.contains("#", regex=False)
    if keep_problem_sheets:
        problems = rec[[c for c in _PROBLEMS if c in rec.columns]].sum(axis=1) > 0
        many &= ~problems
    if not many.any():
        return rec
    groups = file.where(many, src)
    numeric = rec.select_dtypes("number").columns
    agg = {c: "sum" for c in numeric}
    agg.update({c: "first" for c in rec.columns if c not in numeric and c != "source"})
    if "balanced" in rec.columns:
        agg["balanced"] = "all"
    out = rec.groupby(groups.to_numpy(), sort=False).agg(agg).reset_index(names="source")
    n = groups[many].value_counts()
    kept = file[~many & src.str.contains("#", regex=False)].value_counts()
    label = {}
    for f, k in n.items():
        if keep_problem_sheets and kept.get(f, 0):
            label[f] = f"{f} ({k} other sheets, every row clean)"
        elif keep_problem_sheets:
            label[f] = f"{f} ({k} sheets, every row clean)"
        else:
            label[f] = f"{f} ({k} sheets)"
    out["source"] = out["source"].map(lambda s: label.get(s, s))
    return out[rec.columns]


_RECONCILIATION_WORDS = {
    "source": "file (sheet)",
    "table": "holds",
    "layout": "layout",
    "format": "read as",
    "raw_rows": "lines",
    "not_data": "not data (header, titles, units, totals)",
    "rows_read": "entries read",
    "clean": "clean",
    "rejected": "rejected",
    "duplicates": "duplicates",
    "partial": "kept, one value doubtful",
    "balanced": "adds up",
}


def reconciliation_table(ds: Dataset) -> pd.DataFrame:
    """Every file and sheet read, in words, for the data-quality page: a workbook of many
    sheets whose rows are all clean is one line (:func:`roll_up_sheets`); a sheet with a
    problem keeps its own. ``entries read = clean + rejected + duplicates`` on each line
    ("adds up"); a grid row can hold several entries (one per day)."""
    rec = roll_up_sheets(ds.reconciliation, keep_problem_sheets=True)
    cols = [c for c in _RECONCILIATION_WORDS if c in rec.columns]
    out = rec[cols].rename(columns=_RECONCILIATION_WORDS)
    if "read as" in out.columns:  # the product's format (Strong export, ...), else a sheet
        out["read as"] = out["read as"].astype("string").fillna("spreadsheet")
    if "adds up" in out.columns:
        out["adds up"] = out["adds up"].map({True: "yes", False: "NO"}).astype("string")
    return out.reset_index(drop=True)


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


def not_in_roster(ds: Dataset) -> pd.DataFrame:
    """Athletes of result files who are not in the roster (other clubs' athletes in the
    same heat): ``athlete``, ``lines``, ``files``. Their lines are not data (never
    invented as athletes); a spelling of a roster athlete here needs an alias."""
    from ...ingest.formats._timing import NOT_IN_ROSTER

    nd = ds.not_data
    prefix = NOT_IN_ROSTER + ": "
    hit = nd[nd["reason"].astype("string").str.startswith(prefix).fillna(False)]
    if hit.empty:
        return pd.DataFrame(columns=["athlete", "lines", "files"])
    name = hit["reason"].astype("string").str.slice(len(prefix))
    return (
        hit.assign(athlete=name)
        .groupby("athlete")
        .agg(lines=("rows", "sum"), files=("source", lambda s: ", ".join(sorted(set(s)))))
        .reset_index()
        .sort_values(["lines", "athlete"], ascending=[False, True], kind="stable")
        .reset_index(drop=True)
    )


def formats_read(ds: Dataset) -> list[str]:
    """The app and timing-system formats of the files read (:mod:`analysis.ingest.formats`)."""
    rec = ds.reconciliation
    if "format" not in rec.columns:
        return []
    return sorted(rec["format"].dropna().astype(str).unique())


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
        "formats": formats_read(ds),
        "not_in_roster": int(not_in_roster(ds)["lines"].sum()) if len(ds.not_data) else 0,
    }
