"""Split figures render to files with labelled axes and one line per race."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from analysis.fatigue import fatigue_metrics, load_elite_splits, segment_table
from analysis.plots import plot_fatigue_trend, plot_velocity_profile
from analysis.plots._style import REFERENCE_COLOR


@pytest.fixture(scope="module")
def elite():
    races, splits = load_elite_splits()
    return races, splits, segment_table(races, splits)


def test_velocity_profile_renders_png_with_reference_in_grey(elite, tmp_path):
    _, _, seg = elite
    others = seg.loc[seg["race_id"] != "milleruibo-2022-eugene-400"]
    ax = plot_velocity_profile(seg, race_ids=["milleruibo-2022-eugene-400"], reference=others)
    out = tmp_path / "profile.png"
    ax.figure.savefig(out)
    assert out.stat().st_size > 1000
    assert ax.get_xlabel() == "distance (m), end of segment"
    assert ax.get_ylabel() == "mean segment velocity (m/s)"
    lines = ax.get_lines()
    # references restricted to the event drawn (the other 400 m races) + the athlete
    n_ref = others.loc[others["event_m"] == 400, "race_id"].nunique()
    assert n_ref >= 2  # Norman and van Niekerk at least
    assert len(lines) == n_ref + 1
    grey = [ln for ln in lines if matplotlib.colors.to_hex(ln.get_color()) == REFERENCE_COLOR]
    assert len(grey) == n_ref
    athlete = next(ln for ln in lines if ln not in grey)
    assert list(athlete.get_xdata()) == [100, 200, 300, 400]
    assert list(athlete.get_ydata()) == pytest.approx(
        [100 / 11.76, 100 / 11.48, 100 / 12.37, 100 / 13.5]
    )
    plt.close(ax.figure)


def test_velocity_profile_draws_on_given_axes_and_handles_no_data(elite):
    _, _, seg = elite
    fig, ax = plt.subplots()
    got = plot_velocity_profile(seg.iloc[0:0], ax=ax)
    assert got is ax and not ax.get_lines()
    plt.close(fig)


def test_fatigue_trend_one_line_per_athlete_and_event(elite, tmp_path):
    races, splits, _ = elite
    m = fatigue_metrics(races, splits)
    ax = plot_fatigue_trend(m, metric="differential_s")
    ax.figure.savefig(tmp_path / "trend.png")
    assert ax.get_ylabel().startswith("second half")
    # one line per athlete and event (each athlete races each event once in the table;
    # velocity loss is not shown for the 200s timed at 100 m only, so draw the differential)
    expected = m.dropna(subset=["differential_s"]).groupby(["athlete_id", "event_m"]).ngroups
    assert expected >= 5
    assert len(ax.get_lines()) == expected + 1  # and the even-pace line at 0
    with pytest.raises(KeyError):
        plot_fatigue_trend(m, metric="nope")
    plt.close(ax.figure)


def test_fatigue_trend_gives_twelve_athletes_twelve_colours_and_names_them_only():
    import pandas as pd

    m = pd.DataFrame(
        {
            "athlete_id": [f"A{i:02d}" for i in range(12) for _ in range(2)],
            "event_m": 400,
            "date": pd.to_datetime(["2026-03-01", "2026-04-01"] * 12),
            "differential_s": [1.5 + 0.1 * i for i in range(24)],
        }
    )
    ax = plot_fatigue_trend(m)
    colours = {matplotlib.colors.to_hex(ln.get_color()) for ln in ax.get_lines()[:12]}
    assert len(colours) == 12  # the house palette has 7: no athlete shares a colour
    assert [t.get_text() for t in ax.get_legend().get_texts()][:2] == ["A00", "A01"]
    both = pd.concat([m, m.assign(event_m=200)])
    labels = [t.get_text() for t in plot_fatigue_trend(both).get_legend().get_texts()]
    assert labels[:2] == ["A00 — 200 m", "A00 — 400 m"]
    plt.close("all")
