"""The reconciliation's reject counts: one per (source, row, kind), per sheet, as pandas counts them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.folder_tables import reconcile
from analysis.schema import rejects_frame


def _pandas_counts(rejects: pd.DataFrame, entry_sources: dict[str, str]) -> pd.DataFrame:
    rej = rejects.drop_duplicates(["source", "source_row", "kind"])
    sheet = rej["source"].map(lambda s: entry_sources.get(s, s)).astype("string")
    return rej.assign(source=sheet).groupby(["source", "kind"]).size().unstack(fill_value=0)


@pytest.mark.parametrize("seed", range(8))
def test_reject_counts_match_a_pandas_drop_duplicates_and_groupby(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 300
    sources = np.array(["a.csv", "b.xlsx#Week 1!C", "b.xlsx#Week 1!D", None], dtype=object)
    rows = rng.integers(2, 30, n).astype(object)
    rows[rng.random(n) < 0.05] = None
    rejects = rejects_frame(
        source=pd.Series(sources[rng.integers(0, len(sources), n)], dtype="string"),
        source_row=pd.Series(rows, dtype="Int64"),
        column="date",
        value="x",
        reason="why",
        kind="rejected",
    )
    rejects["kind"] = pd.Series(
        np.array(["rejected", "duplicate", "partial"])[rng.integers(0, 3, n)], dtype="string"
    )
    entry_sources = {"b.xlsx#Week 1!C": "b.xlsx#Week 1", "b.xlsx#Week 1!D": "b.xlsx#Week 1"}
    counts = pd.DataFrame(
        {"source": ["a.csv", "b.xlsx#Week 1", "c.csv"], "table": "log", "layout": "plain",
         "rows_read": 0, "raw_rows": 0, "data_rows": 0, "not_data": 0, "format": None}
    )  # fmt: skip
    rec = reconcile(counts, {}, rejects, entry_sources)
    expected = _pandas_counts(rejects, entry_sources)
    for kind, col in (
        ("rejected", "rejected"),
        ("duplicate", "duplicates"),
        ("partial", "partial"),
    ):
        want = counts["source"].map(expected[kind]).fillna(0).astype("int64")
        assert rec[col].tolist() == want.tolist()
