"""``is_athlete(name)``: does a spelling name one roster athlete? (layouts ask it of titles).

Layout detection (:mod:`analysis.ingest`) asks this of titles, sheet names, file names
and summary-looking labels; the answer comes from :func:`analysis.names.resolve_athletes`.
It sits beside :mod:`analysis.names` rather than inside :mod:`analysis.ingest`, so the
reading stage never imports the roster's module (which reads its headers from ingest).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import pandas as pd

from .names import resolve_athletes


def roster_matcher(athletes: pd.DataFrame | None) -> Callable[[str], bool]:
    """``is_athlete(name)``: the name resolves to one roster athlete (cached per spelling).

    Parameters
    ----------
    athletes
        The roster (:func:`analysis.names.load_roster`), or None: then no name matches.
    """
    if athletes is None:
        return lambda _: False

    @lru_cache(maxsize=4096)
    def is_athlete(name: str) -> bool:
        ids, _ = resolve_athletes(pd.Series([name], dtype="string"), athletes)
        return bool(ids.notna().iloc[0])

    return is_athlete


__all__ = ["roster_matcher"]
