"""Linear mixed model with a random intercept per athlete (statsmodels), as a tidy table."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from .._lazy import lazy_module
from .inputs import MIN_SUBJECTS, finite_rows, join_notes

st = lazy_module("scipy.stats")  # imported on first use

__all__ = ["mixed_model"]


def mixed_model(
    data: pd.DataFrame,
    y: str,
    x: str | Sequence[str],
    group: str,
    covariates: Iterable[str] = (),
    *,
    decompose: bool = False,
    ci: float = 0.95,
    reml: bool = True,
) -> pd.DataFrame:
    """Linear mixed model with a random intercept per group (athlete), as a tidy table.

    Parameters
    ----------
    data : DataFrame
        Long data. Rows with NA in any used column are dropped, and rows with ±inf (which
        statsmodels refuses) or non-numeric text in a numeric column, counted in ``note``.
    y : str
        Outcome column (e.g. ``differential_s``).
    x : str or sequence of str
        Predictor column(s) of interest (e.g. ``hf_reps_28d``).
    group : str
        Grouping column (athlete).
    covariates : iterable of str
        Further numeric fixed-effect columns.
    decompose : bool, default False
        If True, each ``x`` is split into ``{x}_within`` (x minus the athlete's mean:
        the within-athlete effect) and ``{x}_between`` (the athlete's mean: the
        between-athlete effect), the within–between ("hybrid"/Mundlak) model. When
        every athlete has the same mean of x the between term cannot be estimated: its
        row is NaN and ``note`` says so (the within term is still fitted).
    ci : float, default 0.95
        Confidence level of the Wald intervals.
    reml : bool, default True
        REML (statsmodels' default) or ML.

    Returns
    -------
    DataFrame
        One row per fixed effect (``Intercept``, predictors), then ``Group Var`` (random
        intercept variance) and ``Residual Var``: ``term, estimate, se, z, ci_low,
        ci_high, pvalue, n_obs, n_groups, note``.

    Notes
    -----
    y_ij = β0 + β·x_ij + u_j + ε_ij, u_j ~ N(0, τ²), ε_ij ~ N(0, σ²), fitted by
    ``statsmodels.regression.mixed_linear_model.MixedLM``; Wald z tests and intervals.

    References
    ----------
    Seabold S, Perktold J (2010). statsmodels: econometric and statistical modeling with
    Python. Proc 9th Python in Science Conference.
    Bell A, Jones K (2015). Explaining fixed effects: random effects modeling of
    time-series cross-sectional and panel data. Political Science Research and Methods
    3(1):133-153.
    """
    from statsmodels.regression.mixed_linear_model import MixedLM

    xs = [x] if isinstance(x, str) else list(x)
    covs = list(covariates)
    d, dropped = finite_rows(data, (y, *xs, *covs), group)
    exog = pd.DataFrame({"Intercept": np.ones(len(d))})
    for c in xs:
        if decompose:
            mean = d.groupby(group, sort=False, observed=True)[c].transform("mean")
            exog[f"{c}_within"] = d[c] - mean
            exog[f"{c}_between"] = mean
        else:
            exog[c] = d[c]
    for c in covs:
        exog[c] = d[c]
    n_obs, n_groups = len(d), int(d[group].nunique())
    notes = [dropped]
    if n_groups < MIN_SUBJECTS:
        notes.append(
            f"fewer than {MIN_SUBJECTS} athletes: the random-intercept variance is unreliable"
        )
    if n_obs <= exog.shape[1] + 1 or n_groups < 2:
        cols = [
            "term",
            "estimate",
            "se",
            "z",
            "ci_low",
            "ci_high",
            "pvalue",
            "n_obs",
            "n_groups",
            "note",
        ]
        return pd.DataFrame(
            [[t, *[np.nan] * 6, n_obs, n_groups, join_notes(*notes, "too few observations to fit")] for t in exog.columns],
            columns=cols,
        )  # fmt: skip
    # a between term with no spread (every athlete has the same mean of x, e.g. a
    # balanced design) is the intercept again: fitting it would make the design singular
    flat = [
        c for c in exog.columns[1:]
        if c.endswith("_between") and np.ptp(exog[c].to_numpy()) <= 1e-12 * max(1.0, float(exog[c].abs().max()))
    ]  # fmt: skip
    if flat:
        notes.append(
            "no between-athlete estimate for "
            + ", ".join(c[: -len("_between")] for c in flat)
            + " (every athlete has the same mean): the within-athlete estimate stands alone"
        )
    all_terms = list(exog.columns)
    exog = exog.drop(columns=flat)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = MixedLM(d[y].to_numpy(), exog, groups=d[group].to_numpy()).fit(reml=reml)
    if not fit.converged:
        notes.append("the model did not converge: treat the estimates with caution")
    if any(
        "boundary" in str(w.message).lower() or "singular" in str(w.message).lower() for w in caught
    ):
        notes.append("between-athlete variance estimated at or near zero")
    names = list(exog.columns)
    fe = fit.fe_params.to_numpy()
    se = fit.bse_fe.to_numpy()
    zcrit = st.norm.ppf(0.5 + ci / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = fe / se
    table = pd.DataFrame(
        {
            "term": names,
            "estimate": fe,
            "se": se,
            "z": z,
            "ci_low": fe - zcrit * se,
            "ci_high": fe + zcrit * se,
            "pvalue": 2 * st.norm.sf(np.abs(z)),
        }
    )
    if flat:  # the dropped terms keep their rows, as NaN
        table = table.set_index("term").reindex(all_terms).rename_axis("term").reset_index()
    var = pd.DataFrame(
        {
            "term": ["Group Var", "Residual Var"],
            "estimate": [float(np.asarray(fit.cov_re)[0, 0]), float(fit.scale)],
        }
    )
    return pd.concat([table, var], ignore_index=True).assign(
        n_obs=n_obs, n_groups=n_groups, note=join_notes(*notes)
    )
