"""The coach's plan: :func:`load_plan` (adherence to it: :func:`analysis.adherence.plan_adherence`).

An optional ``plan.csv`` or ``plan.xlsx`` in the data folder (pinned names) says what each
squad or athlete should do. One row per exercise and week (or run of weeks), as a coach
writes it in a spreadsheet:

=================  ====================================================================
``week``           the week's Monday (any day of the week is moved to its Monday); or
``date``           a day (the plan is then for that day's week, one session)
``until``          optional last week: the row repeats every week from ``week`` to it
``squad``          a value of the roster's ``squad`` column, or ``all``; or
``athlete``        an athlete (id, name or alias, matched as in the logs)
``exercise``       any catalog spelling (``A's``, ``cable KD``, ...)
``prescription``   per session, in the log grammar (``3x10``, ``3 x 10 m``, ``3x25-30``);
                   ``start`` is the same column
``sessions``       optional sessions per week (default 1)
``step``           optional progression: added to the reps (or metres, seconds) per set
``every``          ... every N weeks (default 1)
``cap``            ... up to this many per set (``50``, ``50 m`` or ``3x50m``)
=================  ====================================================================

The article's A's progression, "start with 3 sets of 10 meters and build up to 50 meters
or more throughout the season", is one row::

    week,until,squad,exercise,prescription,step,every,cap
    2026-01-05,2026-04-27,all,A's,3 x 10 m,10 m,3,50 m

Week k (0, 1, ...) of a row plans ``min(start + step × ⌊k / every⌋, cap)`` per set. A
row's prescription of week k is written back as text (``3x40m``) and read, with the
exercise, by the log cleaner itself (:func:`analysis.logs.clean_training_log`): planned
hip-flexion reps are counted exactly as logged ones (sets × reps, doubled per leg,
distance through the catalog's reps per metre, mobility 0).

Every plan row ends in the plan table or in ``rejects`` (``table = "plan"``) with its
file, row, column and reason.
"""

from __future__ import annotations

from .load import (
    MAX_PLAN_ROWS,
    PLAN_COLUMNS,
    PLAN_FILE_STEMS,
    PLAN_SYNONYMS,
    empty_plan,
    is_plan_file,
    load_plan,
)

__all__ = [
    "MAX_PLAN_ROWS",
    "PLAN_COLUMNS",
    "PLAN_FILE_STEMS",
    "PLAN_SYNONYMS",
    "empty_plan",
    "is_plan_file",
    "load_plan",
]
