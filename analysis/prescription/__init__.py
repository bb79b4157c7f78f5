"""The training-prescription grammar of docs/architecture.md, parsed once per distinct spelling.

Accepted forms (case-insensitive; ``x``, ``X``, ``×`` and ``*`` are the same):

====================================  ==============================================
``3x10``, ``3 x 10``, ``3*10``         3 sets of 10 reps
``3 sets of 10``, ``3 sets of 10 reps``
``3x25-30``                           a range: the midpoint, 27.5 reps per set
``10,10,8``, ``10/10/8``              reps per set: 3 sets, 28 reps (mean 9.33)
``3x10m``, ``3 x 50 m``               3 sets of a distance (metres)
``3 sets of 10 meters`` / ``metres``
``3x30s``, ``2 x 30 sec``, ``1x1min``  timed sets (seconds)
``each leg``, ``per leg``, ``/leg``,  the reps are per leg (hip-flexion reps doubled)
``e/s``, ``each side``
``@ 20kg``, ``20 kg``, ``45lb``,      external load (pounds converted to kg)
``45 lbs``
``BW``, ``bodyweight``                no external load (``load_kg`` = 0)
``band``, ``red band``                band resistance, no kg (``load_kg`` missing)
``bands: green``, ``band (green)``
``2x(10+10)``                         a pair per set: 2 sets of 20 reps (10 + 10,
                                      e.g. left then right: 20 hip flexions a set)
``3x10 L/R``, ``L+R``, ``left & right`` the reps are per leg (as ``each leg``)
``3x10 +5kg``, ``BW+10kg``            the external load (5 kg, 10 kg)
``@ 2x10kg``                          two implements: 20 kg in all
``10kg DB``                           one dumbbell, as written: 10 kg
``10kg DBs``, ``10kg each hand``      a dumbbell in each hand: 20 kg in all
``@ 20``                              a bare number after ``@``: kg
``EMOM 10 min``                       10 sets (one a minute); ``EMOM 10 min x 6``:
                                      6 reps each; without reps: ``partial``
``3 x 30 sec``, ``3 x 30 s``          timed sets
====================================  ==============================================

A bare number (``12``) is one set. A minus before a count, a distance or a duration
(``-3x10``, ``3x-10``, ``-3 sets of 10``, ``-30s``) is rejected as ``negative sets`` /
``negative reps`` / ``negative distance`` / ``negative duration``, never read as its
absolute value. Text whose reps are readable but whose load is not (``3x10 @ heavy``,
``4x8 @ 20kg/15kg``) keeps the reps and says ``warning="unreadable load"`` (the
cleaner keeps the row as ``partial``); so does a readable volume followed by words
(``2x30m build-ups``, ``3x10 slow``: ``warning="unread words in prescription"``).
Anything else is ``unparseable prescription``.
"""

from __future__ import annotations

from .entries import combine, parse_entries, parse_entry_codes
from .grammar import (
    NO_REPS,
    UNPARSEABLE,
    UNREAD_WORDS,
    UNREADABLE_LOAD,
    Prescription,
    parse_load,
    parse_prescription,
)

__all__ = [
    "NO_REPS",
    "UNPARSEABLE",
    "UNREADABLE_LOAD",
    "UNREAD_WORDS",
    "Prescription",
    "combine",
    "parse_entries",
    "parse_entry_codes",
    "parse_load",
    "parse_prescription",
]
