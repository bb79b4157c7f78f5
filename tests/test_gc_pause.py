"""load_dataset pauses Python's cyclic garbage collector while it cleans, and only then.

The collector is on again after a clean, after a clean that fails, and stays off when the
caller had turned it off (:func:`analysis.dataset._cycles_collected_after`).
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from helpers import TODAY

import analysis as hf
from analysis.errors import DataError


def _folder(tmp_path: Path, roster: str) -> Path:
    (tmp_path / "athletes.csv").write_text(roster, encoding="utf-8")
    (tmp_path / "log.csv").write_text(
        "athlete,date,exercise,prescription\nAda Okafor,2026-03-02,A's,3x10\n", encoding="utf-8"
    )
    return tmp_path


def test_collector_paused_during_the_clean_and_on_after(tmp_path, monkeypatch) -> None:
    seen = []
    from analysis import dataset

    clean = dataset._clean_dataset

    def watched(*args, **kwargs):
        seen.append(gc.isenabled())
        return clean(*args, **kwargs)

    monkeypatch.setattr(dataset, "_clean_dataset", watched)
    assert gc.isenabled()
    ds = hf.load_dataset(_folder(tmp_path, "athlete_id,name\nA1,Ada Okafor\n"), today=TODAY)
    assert len(ds.log) == 1
    assert seen == [False]
    assert gc.isenabled()


def test_collector_on_after_a_clean_that_fails(tmp_path) -> None:
    folder = _folder(tmp_path, "colour,shoe\nred,42\n")  # a roster without names
    with pytest.raises(DataError):
        hf.load_dataset(folder, today=TODAY)
    assert gc.isenabled()


def test_collector_left_off_when_the_caller_turned_it_off(tmp_path) -> None:
    gc.disable()
    try:
        hf.load_dataset(_folder(tmp_path, "athlete_id,name\nA1,Ada Okafor\n"), today=TODAY)
        assert not gc.isenabled()
    finally:
        gc.enable()
