"""Test-wide settings and the fixtures that many test modules share.

Hypothesis' default 200 ms deadline per example measures the machine, not the code: on a
loaded 2-core CI runner a parser example can take longer and fail a correct test. Speed is
measured in benchmarks/, so the suite runs without per-example deadlines.

The synthetic sample (:func:`analysis.sample.write_sample`) is written once per session for
each set of arguments (:func:`sample_folder`); the days the tests call "today" and the small
helpers are in ``helpers.py``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import SAMPLE_TODAY
from hypothesis import settings

settings.register_profile("hipflex", deadline=None)
# CI (CI=true, as .ci/run is called) draws the same examples on every run: a submission is
# judged on the examples its own full run passed; a developer's run keeps drawing new ones
settings.register_profile("ci", deadline=None, derandomize=True)
BASE_PROFILE = "ci" if os.environ.get("CI") else "hipflex"
# make test-fast (--hypothesis-profile=fast): the same settings; the property tests that are
# slow for their example count draw a tenth of them there (helpers.examples)
settings.register_profile("fast", settings.get_profile(BASE_PROFILE))
settings.load_profile(BASE_PROFILE)


@pytest.fixture(scope="session")
def sample_folder(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """The synthetic sample's data folder, written once per session for each arguments.

    Call it as ``sample_folder(athletes=3, seed=1, today=SAMPLE_TODAY)``: every test that
    asks for the same arguments gets the same folder (``.../raw``). The tests only read it;
    one that changes a file copies the folder first (``shutil.copytree``).
    """
    from analysis.sample import write_sample

    made: dict[tuple[int, int, str], Path] = {}

    def make(athletes: int = 3, seed: int = 1, today: str = SAMPLE_TODAY) -> Path:
        key = (athletes, seed, str(today))
        if key not in made:
            d = tmp_path_factory.mktemp(f"sample-{athletes}-{seed}") / "raw"
            write_sample(d, athletes=athletes, seed=seed, today=today)
            made[key] = d
        return made[key]

    return make
