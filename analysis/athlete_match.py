"""``is_athlete(name)``: does a spelling name one roster athlete? (layouts ask it of titles).

Layout detection (:mod:`analysis.ingest`) asks this of titles, sheet names, file names
and summary-looking labels; the answer comes from :func:`analysis.names.roster_index`, built once per roster.
It sits beside :mod:`analysis.names` rather than inside :mod:`analysis.ingest`, so the
reading stage never imports the roster's module (which reads its headers from ingest).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from .names import roster_index


def roster_matcher(athletes: pd.DataFrame | None) -> Callable[[str], bool]:
    """``is_athlete(name)``: the name resolves to one roster athlete (cached per spelling).

    Parameters
    ----------
    athletes
        The roster (:func:`analysis.names.load_roster`), or None: then no name matches.
    """
    if athletes is None:
        return lambda _: False

    index = roster_index(athletes)  # once: a 5,000-athlete roster is not re-read per name

    def is_athlete(name: str) -> bool:
        return index.athlete(name) is not None

    return is_athlete


__all__ = ["roster_matcher"]
