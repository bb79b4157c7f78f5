"""Clean coaches' 200 m / 400 m results into the pinned ``races`` and ``splits`` tables.

Accepted raw forms (docs/architecture.md, pinned): final times ``52.34``, ``0:52.34``, ``1:02.5``, a
trailing ``h`` for hand timing (or a ``timing`` column ``FAT``/``hand``), ``DNF``/``DNS``/
``DQ``; events ``200``, ``200m``, ``400 m``; wind ``+1.2``, ``-0.4``, ``NWI``; splits as
cumulative ``split_<m>`` columns, one ``splits`` string of cumulative times at equal
intervals, or one ``segments`` string of segment times.

Every distinct raw value is parsed once (``factorize`` then map back); the rest is
vectorised pandas.

The package, by concern:

- :mod:`~analysis.sprints.limits`: hand-to-FAT offsets, plausible times, speeds, wind;
- :mod:`~analysis.sprints.marks`: the grammar of a time cell (:func:`parse_mark`);
- :mod:`~analysis.sprints.race_cells`: event, wind, timing and reaction cells;
- :mod:`~analysis.sprints.headers`: split headers as meet exports spell them, the frame
  made ready to clean;
- :mod:`~analysis.sprints.splits`: split cells to long marks;
- :mod:`~analysis.sprints.split_checks`: marks checked against the event and the final;
- :mod:`~analysis.sprints.rows`: the cells of each row read (keys, finals, optional);
- :mod:`~analysis.sprints.tables`: the races and splits tables;
- :mod:`~analysis.sprints.clean`: :func:`clean_sprints`, its phases named.
"""

from __future__ import annotations

from .clean import clean_sprints
from .headers import split_header
from .limits import (
    HAND_TO_FAT_S,
    HAND_TO_FAT_SOURCE,
    MAX_WIND_MS,
    PLAUSIBLE_FINAL_S,
    SEGMENT_SPEED_MS,
    SPLIT_TOLERANCE_S,
)
from .marks import MARK_FLAGS, Mark, parse_mark, parse_split_list, parse_time

__all__ = [
    "HAND_TO_FAT_S",
    "HAND_TO_FAT_SOURCE",
    "MARK_FLAGS",
    "MAX_WIND_MS",
    "PLAUSIBLE_FINAL_S",
    "SEGMENT_SPEED_MS",
    "SPLIT_TOLERANCE_S",
    "Mark",
    "clean_sprints",
    "parse_mark",
    "parse_split_list",
    "parse_time",
    "split_header",
]
