"""Statistics that respect repeated measures per athlete (pingouin-style API).

Tidy in, tidy out: every function takes a DataFrame and column names and returns a frozen
dataclass or a small DataFrame whose fields are named as the literature names them
(``r, dof, pvalue, ci_low, ci_high, n``). Every result carries its sample size and its
uncertainty, and a plain-words ``note`` when the sample is too small to lean on.

scipy and statsmodels do the heavy lifting (t/U tests, bootstrap, Fisher-z CIs, mixed
models, Benjamini–Hochberg); the repeated-measures correlation is a few lines of numpy
(see :func:`rm_corr` for why not pingouin's), pinned in the tests to the published values
of its reference paper and cross-checked against ``pingouin.rm_corr``.

One module per family, as pingouin does:

- ``correlation``: :func:`rm_corr`, :func:`within_between`;
- ``within``: :func:`within_athlete_effect` (CR2 errors, Satterthwaite dof; the pieces in
  ``cr2``), :func:`athlete_slopes` (partial pooling in ``shrinkage``);
- ``adjusted``: :func:`adjusted_effect`;
- ``mixed``: :func:`mixed_model`;
- ``effects``: :func:`hedges_g`, :func:`hedges_g_ci`, :func:`compare_groups`;
- ``multiplicity``: :func:`fdr_bh`, max-T and Holm adjustments;
- ``windows``: :func:`window_scan`, the sensitivity analysis over trailing windows;
- ``athlete_slope``: one athlete's slope and its caveat (the athlete report);
- ``inputs``: what every statistic does to its columns first.

:func:`injury_hazard` (the Andersen–Gill Cox model) lives in :mod:`analysis.injury_stats`
and is re-exported here.
"""

from __future__ import annotations

from ..injury_stats import injury_hazard
from .adjusted import AdjustedEffect, adjusted_effect
from .athlete_slope import (
    SMALL_DOF,
    WIDE_CI_S,
    Estimate,
    estimate_caveat,
    within_athlete_estimate,
)
from .correlation import MIN_DOF, CorrResult, rm_corr, within_between
from .effects import MIN_GROUP_N, compare_groups, hedges_g, hedges_g_ci
from .inputs import MIN_SUBJECTS
from .mixed import mixed_model
from .multiplicity import fdr_bh
from .windows import WINDOW_SCAN_WARNING, window_scan
from .within import EffectResult, athlete_slopes, within_athlete_effect

__all__ = [
    "MIN_DOF",
    "MIN_GROUP_N",
    "MIN_SUBJECTS",
    "SMALL_DOF",
    "WIDE_CI_S",
    "WINDOW_SCAN_WARNING",
    "AdjustedEffect",
    "CorrResult",
    "EffectResult",
    "Estimate",
    "adjusted_effect",
    "athlete_slopes",
    "compare_groups",
    "estimate_caveat",
    "fdr_bh",
    "hedges_g",
    "hedges_g_ci",
    "injury_hazard",
    "mixed_model",
    "rm_corr",
    "window_scan",
    "within_athlete_effect",
    "within_athlete_estimate",
    "within_between",
]
