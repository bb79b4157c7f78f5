"""The reason words of the ``rejects`` table that the cleaners write, as one list.

``rejects.reason`` says in a few words why a row was not taken whole. The synthetic sample
(:mod:`analysis.sample`) writes the faults it plants into ``truth.json`` with these same
words, so that a test or a reader can match each planted fault to the cleaner's reject.
"""

from __future__ import annotations

MISSING_ATHLETE = "missing athlete"
UNKNOWN_ATHLETE = "unknown athlete"
AMBIGUOUS_ATHLETE = "ambiguous athlete"
INVALID_DATE = "invalid date"
UNPARSEABLE_PRESCRIPTION = "unparseable prescription"
IMPLAUSIBLE_REPS = "implausible reps"
DUPLICATE_ENTRY = "duplicate entry"
UNSUPPORTED_EVENT = "unsupported event"
SPLITS_NOT_INCREASING = "splits do not increase"

#: Every reason word above (the cleaners write others too, with details in them).
REASONS = (
    MISSING_ATHLETE,
    UNKNOWN_ATHLETE,
    AMBIGUOUS_ATHLETE,
    INVALID_DATE,
    UNPARSEABLE_PRESCRIPTION,
    IMPLAUSIBLE_REPS,
    DUPLICATE_ENTRY,
    UNSUPPORTED_EVENT,
    SPLITS_NOT_INCREASING,
)
