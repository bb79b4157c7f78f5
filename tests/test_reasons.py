"""The reason words of the ``rejects`` table (issue 13): one list, written by the cleaners,
planted by the synthetic sample in ``truth.json``, read by the data-quality report."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

import analysis as hf
from analysis import reports as rp
from analysis.names import resolve_athletes


@pytest.mark.slow  # writes and cleans a 12-athlete sample
def test_sample_truth_uses_the_cleaners_reason_words(tmp_path: Path) -> None:
    from analysis.reasons import REASONS
    from analysis.sample import write_sample

    write_sample(tmp_path / "s")
    truth = json.loads((tmp_path / "s" / "truth.json").read_text(encoding="utf-8"))
    faults = [
        f for group in ("rejected", "results") for f in truth["faults"][group] if "reason" in f
    ]
    assert faults and {f["reason"] for f in faults} <= set(REASONS)
    ds = hf.load_dataset(tmp_path / "s", today=pd.Timestamp("2026-12-01").date())
    rej = ds.rejects.astype({"source_row": "int64"})
    for f in faults:
        said = rej.loc[
            (rej["source"] == f["source"]) & (rej["source_row"] == f["source_row"]), "reason"
        ]
        assert f["reason"] in set(said), (f, said.tolist())


def test_reason_words_are_one_list_the_cleaners_use() -> None:
    from analysis import reasons

    assert len(set(reasons.REASONS)) == len(reasons.REASONS)
    assert (
        reasons.UNPARSEABLE_PRESCRIPTION
        == importlib.import_module("analysis.prescription").UNPARSEABLE
    )
    # the names cleaner writes the list's words, and the data-quality report lists the
    # names it could not resolve by those same words
    roster = pd.DataFrame({"athlete_id": ["A01", "A02"], "name": ["Ann Lee", "Ann Lee"]})
    raw = pd.Series(["Nobody Known", pd.NA, "Ann Lee"], dtype="string")
    _, said = resolve_athletes(raw, roster)
    assert said.iloc[0] == reasons.UNKNOWN_ATHLETE
    assert said.iloc[1] == reasons.MISSING_ATHLETE
    assert said.iloc[2].startswith(reasons.AMBIGUOUS_ATHLETE + ": ")
    rejects = pd.DataFrame(
        {"value": raw.iloc[[0, 2]], "reason": said.iloc[[0, 2]], "source": ["log.csv"] * 2}
    )
    listed = rp.unknown_names(SimpleNamespace(rejects=rejects))
    assert sorted(listed["reason"]) == sorted(said.iloc[[0, 2]])
