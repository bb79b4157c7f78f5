"""The sprints cleaner as a package cut by concern: its public names stay importable from
``analysis.sprints``, its phases hand each other frozen dataclasses, its examples run."""

from __future__ import annotations

import dataclasses
import doctest
import importlib
import pkgutil

import pytest

import analysis.sprints as sprints
from analysis.sprints import clean, rows, split_checks, splits

#: Names other modules, tests, benchmarks and notebooks import from ``analysis.sprints``.
PUBLIC = (
    "HAND_TO_FAT_S",
    "HAND_TO_FAT_SOURCE",
    "MARK_FLAGS",
    "PLAUSIBLE_FINAL_S",
    "SEGMENT_SPEED_MS",
    "SPLIT_TOLERANCE_S",
    "Mark",
    "clean_sprints",
    "parse_mark",
    "parse_split_list",
    "parse_time",
    "split_header",
)

MODULES = sorted(m.name for m in pkgutil.iter_modules(sprints.__path__))


@pytest.mark.parametrize("name", PUBLIC)
def test_public_names_are_importable_from_the_package(name: str) -> None:
    assert name in sprints.__all__
    assert getattr(sprints, name) is not None


def test_the_package_docstring_keeps_the_pinned_raw_forms() -> None:
    doc = sprints.__doc__ or ""
    assert "docs/architecture.md" in doc
    for form in ("52.34", "0:52.34", "NWI", "split_<m>", "segments"):
        assert form in doc


@pytest.mark.parametrize(
    "cls",
    [
        rows.RaceKeys,
        rows.FinalTimes,
        rows.OptionalCells,
        rows.Failure,
        clean.Screened,
        clean.SplitVerdict,
        splits.SplitMarks,
        split_checks.ResolvedMarks,
        split_checks.CheckedMarks,
    ],
)
def test_each_phase_hands_on_a_frozen_dataclass(cls: type) -> None:
    assert dataclasses.is_dataclass(cls)
    assert cls.__dataclass_params__.frozen


@pytest.mark.parametrize("module", MODULES)
def test_the_examples_in_each_module_run(module: str) -> None:
    mod = importlib.import_module(f"analysis.sprints.{module}")
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_a_list_of_times_is_read_as_the_benchmark_reads_it() -> None:
    assert sprints.parse_split_list("10.9/21.3/32.1") == (10.9, 21.3, 32.1)
    assert sprints.parse_split_list("11.0 22.5 34.1") == (11.0, 22.5, 34.1)
    assert sprints.parse_split_list("10.9/DNF") is None
