"""Hip-flexor training volume: daily and weekly roll-ups, acute/chronic load, monotony, strain.

Everything here works on the clean training log (``schema.LOG_COLUMNS``) and only counts
entries of the ``hip_flexor`` family: mobility and unmapped entries mark a day as *logged*
but add no volume.

Acute:chronic workload ratios are offered because coaches ask for them, with the caveats
the literature attaches (see :func:`training_load`). The formulas follow the ``acwr``
package (PyPI, Garg 2026) exactly — its conventions are the published ones — but are
evaluated here on the whole squad at once with grouped rolling windows, because that
package's panel helper (``acwr.by_athlete``) runs a Python loop over athletes. The tests
check every column against ``acwr`` athlete by athlete.
"""

from __future__ import annotations

from .workload import acwr_null_check, acwr_rescaling_check, training_load
from .daily import (
    DAILY_COLUMNS,
    HF_FAMILY,
    daily_volume,
    day_numbers,
    exercise_progression,
    require_columns,
    session_variety,
    weekly_volume,
)

__all__ = [
    "DAILY_COLUMNS",
    "HF_FAMILY",
    "acwr_null_check",
    "acwr_rescaling_check",
    "daily_volume",
    "day_numbers",
    "exercise_progression",
    "require_columns",
    "session_variety",
    "training_load",
    "weekly_volume",
]
