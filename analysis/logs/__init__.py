"""Clean coaches' training logs into the pinned training-log table: :func:`clean_training_log`.

Every raw row ends in exactly one place: the clean table, or ``rejects`` as ``rejected``
(with the first reason found, in the order athlete, date, exercise, prescription,
plausibility) or as ``duplicate`` (the same entry already taken from another file).
Rows kept with one doubtful derived value are also named in ``rejects`` as ``partial``.

How it stays fast: coach logs repeat a handful of spellings millions of times, so every
column is factorised once (or comes dictionary-encoded from
:func:`analysis.io.read_raw` with ``categorical=True``, as :func:`analysis.load_dataset`
reads it) and each parser (names, dates per file, exercises, prescription combinations,
plausibility) runs on the distinct values only. Everything an entry's text decides
(catalog id, family, parsed prescription, ``hf_reps``, what is wrong with it) is computed
once per distinct (prescription, exercise) pair. Row-level work is integer arithmetic on
the codes and one gather per output column; text is materialised once, at the end, from
the distinct values. On a large log the four parsers, the rejects and the columns run on
a thread pool (NumPy gathers and Arrow takes release the GIL).
"""

from __future__ import annotations

from .clean import clean_training_log
from .parsers import (
    MAX_DISTANCE_M,
    MAX_DURATION_S,
    MAX_LOAD_KG,
    MAX_REPS_PER_SET,
    MAX_SETS,
    PRESCRIPTION_COLUMNS,
)

__all__ = [
    "MAX_DISTANCE_M",
    "MAX_DURATION_S",
    "MAX_LOAD_KG",
    "MAX_REPS_PER_SET",
    "MAX_SETS",
    "PRESCRIPTION_COLUMNS",
    "clean_training_log",
]
