"""The numbers a race is checked against: hand-to-FAT offsets, plausible times, speeds, wind.

The pinned accepted raw forms are in :mod:`analysis.sprints` (docs/architecture.md).
"""

from __future__ import annotations

from .. import config

__all__ = [
    "HAND_TO_FAT_S",
    "HAND_TO_FAT_SOURCE",
    "MAX_WIND_MS",
    "PLAUSIBLE_FINAL_S",
    "SEGMENT_SPEED_MS",
    "SPLIT_TOLERANCE_S",
]

#: Seconds added to a hand time to obtain its FAT equivalent, per event (metres): the
#: project setting :data:`analysis.config.HAND_TO_FAT_S` (the same dict), with its source
#: in :data:`HAND_TO_FAT_SOURCE`. :func:`~analysis.sprints.clean_sprints` reads the setting
#: in effect through :func:`analysis.config.hand_to_fat` (defaults, ``$HIPFLEX_HAND_TO_FAT``,
#: then its ``hand_to_fat`` argument).
HAND_TO_FAT_S: dict[int, float] = config.HAND_TO_FAT_S

#: Where :data:`HAND_TO_FAT_S` comes from.
HAND_TO_FAT_SOURCE = config.HAND_TO_FAT_SOURCE

#: Plausible FAT-equivalent final times (s) per event: outside them a time is a typo.
PLAUSIBLE_FINAL_S: dict[int, tuple[float, float]] = {200: (19.0, 60.0), 400: (43.0, 120.0)}

#: Segment velocities (m/s) a human runs: outside them a split is a typo or a missed mark.
SEGMENT_SPEED_MS: tuple[float, float] = (2.0, 12.5)

#: Tolerance (s) for "the last split equals the final" and "segments add up to the final".
#: Hand splits are read to 0.1 s and the final to 0.01 s, so 0.05 s is half a tenth.
SPLIT_TOLERANCE_S: float = 0.05

#: Wind readings beyond this (m/s) are not anemometer readings.
MAX_WIND_MS: float = 10.0
