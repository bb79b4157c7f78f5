"""The funnel plot of athletes' own slopes (issue 25, "pages that scale"): limits that hold
the athletes' slopes as often as they claim, the extremes named, every name drawn as written.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from analysis.plots.funnel import (
    Z_INNER,
    funnel_extremes,
    funnel_limits,
    plot_slope_funnel,
)
from analysis.stats import athlete_slopes, within_athlete_effect


def _squad(athletes: int, *, slope_sd: float = 0.0, seed: int = 0, outliers=()) -> pd.DataFrame:
    """4–12 races per athlete, one true slope −0.05 (± ``slope_sd`` between athletes);
    ``outliers``: (index, slope) pairs planted."""
    rng = np.random.default_rng(seed)
    k = rng.integers(4, 13, athletes)
    a = np.repeat(np.arange(athletes), k)
    slope = -0.05 + rng.normal(0, slope_sd, athletes) if slope_sd else np.full(athletes, -0.05)
    for i, s in outliers:
        slope[i] = s
    x = rng.normal(4, 1.2, len(a))
    y = rng.normal(0, 0.3, athletes)[a] + slope[a] * x + rng.normal(0, 0.15, len(a))
    return pd.DataFrame({"athlete_id": [f"A{i:03d}" for i in a], "x": x, "y": y})


def _fit(d: pd.DataFrame):
    res = within_athlete_effect(d, "x", "y", "athlete_id")
    return res, athlete_slopes(d, "x", "y", "athlete_id", pooled=res)


def test_limits_hold_about_95_percent_of_slopes_when_athletes_share_one():
    res, s = _fit(_squad(600, seed=1))
    assert s["tau"].iloc[0] < 0.04  # no real spread between athletes (an estimate: not 0)
    inside = (s["slope"] - res.estimate).abs() <= funnel_limits(s, s["n"].to_numpy(), Z_INNER)
    assert 0.92 <= inside.mean() <= 0.98


def test_limits_allow_for_athletes_who_differ():
    res, s = _fit(_squad(600, slope_sd=0.08, seed=2))
    assert s["tau"].iloc[0] > 0.05
    inside = (s["slope"] - res.estimate).abs() <= funnel_limits(s, s["n"].to_numpy(), Z_INNER)
    assert 0.90 <= inside.mean() <= 0.99
    narrow = funnel_limits(s.assign(tau=0.0), np.array([8]))
    assert funnel_limits(s, np.array([8]))[0] > narrow[0]


def test_extremes_are_the_planted_athletes_on_each_side():
    res, s = _fit(_squad(300, seed=3, outliers=[(7, -0.6), (21, 0.5), (40, -0.45)]))
    ext = funnel_extremes(s, res, k=2)
    assert list(ext["athlete_id"][ext["side"] == "below"]) == ["A007", "A040"]
    assert ext.loc[ext["side"] == "above", "athlete_id"].iloc[0] == "A021"
    assert ext["outside"].iloc[0] and len(ext) <= 4
    assert (ext["z"].abs() > Z_INNER).all()


def test_nobody_named_without_a_squad_estimate_or_slopes():
    res, s = _fit(_squad(50, seed=4))
    nan = type(res)(*[np.nan] * 6, 0, 0, "")
    assert funnel_extremes(s, nan).empty
    assert funnel_extremes(s.assign(slope=np.nan), res).empty


def test_plot_of_500_athletes_names_the_extremes_as_written():
    d = _squad(500, seed=5, outliers=[(11, -0.6), (12, 0.55)])
    d.loc[d["athlete_id"] == "A013", "x"] = 4.0  # no change in volume: no own slope
    res, s = _fit(d)
    labels = {a: f"Ann $x^2$ <b>{a}</b>" for a in s["athlete_id"]}
    fig, ax = plt.subplots()
    out = plot_slope_funnel(s, res, labels=labels, ax=ax, k=2)
    assert out is ax
    fig.savefig(io.BytesIO(), format="png")  # drawing parses the text
    named = [t.get_text() for t in ax.texts]
    ext = funnel_extremes(s, res, k=2)
    assert len(named) == len(ext) and 1 <= len(named) <= 4
    assert "Ann \\$x^2\\$ <b>A011</b>" in named and "Ann \\$x^2\\$ <b>A012</b>" in named
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("499 athletes; 1 without a slope of their own" in t for t in legend)
    dots = [line for line in ax.lines if len(line.get_xdata()) == 499]
    assert len(dots) == 1
    plt.close(fig)


def test_plot_without_any_slope_still_draws():
    d = _squad(6, seed=6).assign(x=1.0)
    res, s = _fit(d)
    ax = plot_slope_funnel(s, res)
    ax.figure.savefig(io.BytesIO(), format="png")
    assert not ax.texts
    plt.close(ax.figure)


@pytest.mark.parametrize("athletes", [1, 2])
def test_tiny_squads_draw(athletes):
    res, s = _fit(_squad(athletes, seed=7))
    ax = plot_slope_funnel(s, res)
    ax.figure.savefig(io.BytesIO(), format="png")
    plt.close(ax.figure)
