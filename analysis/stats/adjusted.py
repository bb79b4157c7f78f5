"""Does one more adjustment change the within-athlete answer? (:func:`adjusted_effect`)"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError
from .inputs import as_days, as_float
from .within import EffectResult, within_athlete_effect

__all__ = ["AdjustedEffect", "adjusted_effect"]


def _varies_within(data: pd.DataFrame, column: str, subject: str) -> bool:
    """Whether ``column`` changes within any subject (its deviations from the subject's mean)."""
    v = pd.Series(as_float(data[column]), index=data.index)
    dev = v - v.groupby(data[subject].to_numpy(), sort=False).transform("mean")
    return bool(dev.abs().max() > 1e-12 * max(1.0, float(v.abs().max())))


def _answer(res: EffectResult) -> str:
    """The conclusion an interval supports: ``negative``, ``positive``, ``unclear`` (it
    includes no change) or ``none`` (no interval)."""
    if not (np.isfinite(res.ci_low) and np.isfinite(res.ci_high)):
        return "none"
    if res.ci_high < 0:
        return "negative"
    if res.ci_low > 0:
        return "positive"
    return "unclear"


@dataclass(frozen=True)
class AdjustedEffect:
    """A within-athlete effect with and without one more adjustment (:func:`adjusted_effect`).

    ``unadjusted`` uses every usable row (x, y, the athlete, and the time and shared
    adjustments when given); ``same_rows`` and ``adjusted`` use only the
    rows where the covariate is known, without and with it, so that their difference is
    the adjustment's alone and not a change of sample. ``made`` says whether the adjustment
    could be made (``why`` says why not); ``changes_answer`` whether the conclusion of the
    interval (``answer``: below zero, above zero, or including it) differs between
    ``same_rows`` and ``adjusted`` (None when it was not made).
    """

    covariate: str
    unadjusted: EffectResult
    same_rows: EffectResult
    adjusted: EffectResult
    n_rows: int
    n_known: int
    min_share: float
    made: bool
    why: str = ""
    changes_answer: bool | None = None

    @property
    def share(self) -> float:
        """Share of the usable rows (x, y, athlete, time and shared adjustments known)
        whose covariate is known."""
        return self.n_known / self.n_rows if self.n_rows else 0.0

    @property
    def answer_before(self) -> str:
        return _answer(self.same_rows)

    @property
    def answer_after(self) -> str:
        return _answer(self.adjusted)


def adjusted_effect(
    data: pd.DataFrame,
    x: str,
    y: str,
    subject: str,
    covariate: str,
    *,
    time: str | None = None,
    covariates: Sequence[str] = (),
    min_share: float = 0.5,
    ci: float = 0.95,
) -> AdjustedEffect:
    """Does adjusting for ``covariate`` change the within-athlete answer?

    Fits :func:`within_athlete_effect` of ``y`` on ``x`` three times: on every row with x
    and y (the report's headline), then on the rows where ``covariate`` is known without
    and with it as a further adjustment (only its within-athlete variation counts).

    Parameters
    ----------
    data, x, y, subject, time, ci
        As in :func:`within_athlete_effect`.
    covariate : str
        The adjustment in question (e.g. ``srpe_load_28d``, total session load).
    covariates : sequence of str
        Adjustments used in all three fits.
    min_share : float, default 0.5
        The adjustment is made only when the covariate is known for at least this share
        of the usable rows (x, y, the athlete, and ``time`` and ``covariates`` when
        given, all known: rows the fits leave out anyway do not count): an "adjusted"
        answer from a small part of the races would be another question on another
        sample.

    Returns
    -------
    AdjustedEffect
        The three fits, the row counts, ``made``/``why`` and ``changes_answer``. Never
        raises for data that cannot answer (see ``why``); an unknown column is a
        :class:`DataError`.

    Notes
    -----
    A confounder of the exposure (say, total training load that rises with hip-flexor
    volume and itself worsens the fade) biases the unadjusted within-athlete slope by
    γ·δ, the covariate's effect on y times the within-athlete regression of the
    covariate on x; adjusting removes it if the covariate is measured without error and
    is not itself on the path from x to y (a mediator: adjusting for it would take away
    part of the effect asked about). Whether the answer changes is read from the
    intervals, not from the size of the move alone.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": list("aaabbbccc"), "x": [1, 2, 3, 1, 3, 5, 2, 3, 4],
    ...                    "z": [0, 1, 0, 1, 0, 2, 1, 1, 0],
    ...                    "y": [5.0, 4.1, 2.9, 9.0, 7.2, 4.8, 1.0, 0.1, -1.2]})
    >>> adj = adjusted_effect(df, "x", "y", "a", "z")
    >>> adj.made, adj.n_known, round(float(adj.unadjusted.estimate), 2)
    (True, 9, -1.06)
    """
    covs = list(covariates)
    for c in (x, y, subject, covariate, *covs) + ((time,) if time is not None else ()):
        if c not in data.columns:
            raise DataError(f"data lacks column {c!r}", column=c)
    # the rows the fits can use: x, y, the athlete, the time and every shared adjustment
    usable = np.logical_and.reduce(
        [np.isfinite(as_float(data[c])) for c in (x, y, *covs)]
        + [data[subject].notna().to_numpy(dtype=bool)]
        + ([np.isfinite(as_days(data[time], time))] if time is not None else [])
    )
    known_cov = np.isfinite(as_float(data[covariate]))
    n_rows, n_known = int(usable.sum()), int((usable & known_cov).sum())
    unadjusted = within_athlete_effect(data, x, y, subject, time=time, covariates=covs, ci=ci)
    sub = data.loc[known_cov]
    same = within_athlete_effect(sub, x, y, subject, time=time, covariates=covs, ci=ci)
    adjusted = within_athlete_effect(
        sub, x, y, subject, time=time, covariates=[*covs, covariate], ci=ci
    )
    why = ""
    if n_known == 0:
        why = f"{covariate} is not known for any of the {n_rows} rows"
    elif n_known < min_share * n_rows:
        why = (
            f"{covariate} is known for only {n_known} of the {n_rows} rows "
            f"(less than {min_share:.0%})"
        )
    elif not _varies_within(sub.loc[usable[known_cov]], covariate, subject):
        why = f"{covariate} never changes within an athlete"
    elif not np.isfinite(adjusted.ci_low):
        why = adjusted.note or "the adjusted model cannot be fitted"
    made = not why
    changes = (_answer(same) != _answer(adjusted)) if made else None
    return AdjustedEffect(
        covariate, unadjusted, same, adjusted, n_rows, n_known, float(min_share), made, why,
        changes,
    )  # fmt: skip
