"""Text from the data is drawn literally in every figure: never parsed as mathtext.

matplotlib reads a string with an even number of unescaped ``$`` as maths: a cohort value
``<b>std</b> $\\frac$`` made savefig raise ParseSyntaxException, and ``$x^2$`` in an id
was typeset. Every figure is saved (drawing is what parses the text) and every text
artist is checked to be plain text that shows the data as written.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib import cbook

from analysis.fatigue import fatigue_metrics, load_elite_splits, segment_table
from analysis.plots import (
    plot_cohort_metric,
    plot_cohort_profiles,
    plot_fatigue_trend,
    plot_velocity_profile,
    plot_volume_vs_fatigue,
    plot_weekly_volume,
)
from analysis.plots._style import literal, title_text

EVIL = '<script>alert("x")</script> & $\\frac$'
MATHS = "Ann $x^2$ Lee"


def _texts(ax) -> list[str]:
    """Every text of the figure as it would be drawn (matplotlib turns ``\\$`` into ``$``)."""
    fig = ax.figure
    out = []
    for t in fig.findobj(matplotlib.text.Text):
        s = t.get_text()
        if s:
            assert not cbook.is_math_text(s), s  # would be parsed as maths
            out.append(s.replace(r"\$", "$").replace("\n", " "))  # titles wrap at spaces
    return out


def _drawn(ax, tmp_path) -> list[str]:
    ax.figure.savefig(tmp_path / "fig.png")  # raises on a mathtext parse error
    texts = _texts(ax)
    plt.close(ax.figure)
    return texts


def test_literal_escapes_every_dollar_and_nothing_else():
    assert literal(EVIL) == '<script>alert("x")</script> & \\$\\frac\\$'
    assert literal("no maths") == "no maths"
    assert not cbook.is_math_text(literal("$a$ $b$"))
    assert not cbook.is_math_text(literal("a \\$ b $c$"))  # an escaped $ in the data too


def test_title_text_wraps_long_data_at_spaces_only():
    t = title_text("Weekly hip-flexor volume, " + "x" * 80 + " " + EVIL, width=40)
    assert "x" * 80 in t  # a long word is not cut
    assert all(not cbook.is_math_text(line) for line in t.split("\n"))


@pytest.fixture(scope="module")
def elite():
    races, splits = load_elite_splits()
    return races, splits, segment_table(races, splits)


def test_cohort_figures_draw_a_cohort_value_with_html_and_dollars_literally(tmp_path):
    means = pd.DataFrame(
        {
            "athlete_id": ["a", "b", "c", "d"],
            "cohort": [EVIL, EVIL, "plain", "plain"],
            "hf_reps_per_week": [100.0, 120.0, 80.0, 90.0],
        }
    )
    texts = _drawn(
        plot_cohort_metric(means, "hf_reps_per_week", cohort_label="squad $\\frac$"), tmp_path
    )
    assert EVIL in texts
    assert any("squad $\\frac$" in t for t in texts)


def test_cohort_profiles_draw_cohort_values_literally(elite, tmp_path):
    _, _, seg = elite
    seg = seg[seg["event_m"] == 400]
    cohort = pd.Series({a: (EVIL if "Norman" in a else MATHS) for a in seg["athlete_id"].unique()})
    texts = _drawn(plot_cohort_profiles(seg, cohort, cohort_label=MATHS), tmp_path)
    assert any(t.startswith(EVIL + " (") for t in texts)
    assert f"Velocity profile by {MATHS}" in texts


def test_split_figures_draw_athlete_ids_literally(elite, tmp_path):
    races, splits, seg = elite
    evil_seg = seg.assign(athlete_id=seg["athlete_id"].where(seg["event_m"] != 400, EVIL))
    texts = _drawn(plot_velocity_profile(evil_seg, reference=seg), tmp_path)
    assert any(t.startswith(EVIL + " ") for t in texts)
    m = fatigue_metrics(races.assign(athlete_id=MATHS), splits)
    texts = _drawn(plot_fatigue_trend(m), tmp_path)
    assert any(t.startswith(MATHS + " — ") for t in texts)


def _log(athlete: str) -> pd.DataFrame:
    days = pd.to_datetime(["2026-01-05", "2026-01-06", "2026-01-13"])
    return pd.DataFrame(
        {
            "athlete_id": [athlete] * 3,
            "date": days,
            "exercise": ["high_knees", "a$b$", "high_knees"],
            "family": ["hip_flexor"] * 3,
            "hf_reps": [10.0, 15.0, 7.0],
            "hf_load_kg": [0.0, 0.0, 0.0],
        }
    )


def test_weekly_volume_shows_exercise_display_names_and_the_athlete_literally(tmp_path):
    ax = plot_weekly_volume(
        _log(EVIL), athlete_id=EVIL, exercise_names={"high_knees": "High knees"}
    )
    texts = _drawn(ax, tmp_path)
    assert "High knees" in texts and "a$b$" in texts  # unnamed ids as they are
    assert "high_knees" not in texts
    assert any(EVIL in t for t in texts)


def test_volume_vs_fatigue_title_is_in_words_not_column_names(tmp_path):
    table = pd.DataFrame({"hf_reps_28d": [100.0, 200.0, 300.0], "differential_s": [1.2, 1.0, 1.1]})
    ax = plot_volume_vs_fatigue(table, "hf_reps_28d", "differential_s")
    title = ax.get_title()
    assert "hf_reps_28d" not in title and "differential_s" not in title
    assert "Second-half fade" in title and "28 days" in title and "3 races" in title
    assert ax.get_ylabel() == "second half − first half (s)"
    texts = _drawn(
        plot_volume_vs_fatigue(table, "hf_reps_28d", "differential_s", title=EVIL), tmp_path
    )
    assert EVIL in texts
