"""``bounds.last_separator`` (the probing gap check of a workbook's XML) against the exact
check over every separator's position (``bounds.longest_run``), on generated chunks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.errors import DataError
from analysis.ingest.bounds import last_separator, longest_run


def _exact(chunk: bytes, run: int, limit: int) -> tuple[int, int] | None:
    ends = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == ord("<"))
    try:
        new = longest_run(run, ends, len(chunk), limit, "x")
    except DataError:
        return None
    return (int(ends[-1]) if len(ends) else -1), new


def _probed(chunk: bytes, run: int, limit: int) -> tuple[int, int] | None:
    try:
        return last_separator(chunk, b"<", run, limit)
    except ValueError:
        return None


# runs of text between "<", of lengths around the limit, so both verdicts are reached
_gaps = st.lists(st.integers(0, 400), max_size=30)


@given(_gaps, st.integers(0, 300), st.sampled_from([1, 5, 63, 64, 65, 100, 150, 399]))
def test_the_probes_give_the_exact_verdict(gaps: list[int], run: int, limit: int) -> None:
    chunk = b"<".join(b"x" * g for g in gaps)
    assert _probed(chunk, run, limit) == _exact(chunk, run, limit)


@pytest.mark.parametrize("before", [0, 1, 1_700, 33_333])
def test_one_long_text_anywhere_in_a_chunk_is_refused(before: int) -> None:
    limit = 1_000

    def chunk(text: int) -> bytes:
        return b"<a>" * before + b"<" + b"y" * text + b"<" + b"<a>" * (33_334 - before)

    assert _probed(chunk(limit + 1), 0, limit) is None
    assert _probed(chunk(limit), 0, limit) is not None  # at the limit: kept
    assert _probed(chunk(limit + 1), 0, limit) == _exact(chunk(limit + 1), 0, limit)
    assert _probed(chunk(limit), 0, limit) == _exact(chunk(limit), 0, limit)
