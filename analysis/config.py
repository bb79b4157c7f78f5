"""Project settings, with documented defaults.

Settings are plain module-level constants so notebooks and the CLI share them; functions
that depend on a setting also take it as a keyword argument, which wins over the default.
"""

from __future__ import annotations

import datetime as _dt

#: Day/month order assumed for a file whose dates are all ambiguous (``03/04/2026``).
#: Coaches outside North America write day first, so that is the default.
DAYFIRST_DEFAULT: bool = True

#: Earliest date accepted in any log or result file.
EARLIEST_DATE = _dt.date(1950, 1, 1)

#: Events (metres) the fatigue analysis is about. Other events are reported as rejects.
EVENTS_M: tuple[int, ...] = (200, 400)

#: Pounds to kilograms.
LB_TO_KG: float = 0.45359237


def today() -> _dt.date:
    """The date used to reject future-dated rows (a function so tests can pass their own)."""
    return _dt.date.today()
