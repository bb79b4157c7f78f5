"""Issue 26, item 12: the squad statistics read the rows they are given as they are meant.

Dates that come back from ``read_csv`` as text (pandas 3), the season trend of
``athlete_slopes`` in days over the rows it fits, ``adjusted_effect``'s share over the
rows its fits can use, and the CR2 shortcut's docstring naming the corrigendum of the
theorem it rests on.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from analysis.errors import DataError
from analysis.stats import adjusted_effect, athlete_slopes, within_athlete_effect
from analysis.stats import within as stats


def _season(athletes: int = 14, seed: int = 2) -> pd.DataFrame:
    """Races every 1–3 weeks from March 2026; volume ramps up through the season while the
    fade improves for other reasons; a within-athlete effect of −0.0004 s per rep."""
    rng = np.random.default_rng(seed)
    rows = []
    for a in range(athletes):
        k = int(rng.integers(5, 10))
        day = np.cumsum(rng.integers(7, 22, k)).astype(float)
        reps = 250 + 1.8 * day + rng.normal(0, 80, k)
        load = rng.normal(0, 1, k)
        fade = 1.2 - 0.0004 * reps - 0.002 * day + 0.05 * load + rng.normal(0, 0.05, k)
        rows.append(pd.DataFrame({"athlete_id": f"A{a:02d}", "day": day, "reps": reps,
                                  "load": load, "fade": fade}))  # fmt: skip
    d = pd.concat(rows, ignore_index=True)
    return d.assign(date=pd.Timestamp("2026-03-02") + pd.to_timedelta(d["day"], "D"))


def _round_trip(d: pd.DataFrame) -> pd.DataFrame:
    buf = io.StringIO()
    d.to_csv(buf, index=False)
    return pd.read_csv(io.StringIO(buf.getvalue()))


def test_dates_read_back_from_csv_as_text_give_the_same_effect_as_dates():
    d = _season()
    back = _round_trip(d)
    assert not pd.api.types.is_datetime64_any_dtype(back["date"])  # text, as pandas 3 reads
    by_text = within_athlete_effect(back, "reps", "fade", "athlete_id", time="date")
    by_date = within_athlete_effect(d, "reps", "fade", "athlete_id", time="date")
    by_day = within_athlete_effect(d, "reps", "fade", "athlete_id", time="day")
    assert np.isfinite(by_text.estimate) and by_text.n_obs == len(d)
    assert "non-numeric" not in by_text.note
    for field in ("estimate", "se", "ci_low", "ci_high", "pvalue", "dof"):
        assert getattr(by_text, field) == pytest.approx(getattr(by_date, field), rel=1e-12)
        assert getattr(by_text, field) == pytest.approx(getattr(by_day, field), rel=1e-9)


def test_date_text_with_times_blanks_and_object_dtype_is_read():
    d = _season()
    text = d["date"].dt.strftime("%Y-%m-%d").astype(object)
    text.iloc[3] = "  "  # a blank cell is a missing time, that row left out and counted
    text.iloc[4] = str(d["date"].iloc[4].strftime("%Y-%m-%dT00:00:00"))
    res = within_athlete_effect(d.assign(date=text), "reps", "fade", "athlete_id", time="date")
    ref = within_athlete_effect(d.drop(index=3), "reps", "fade", "athlete_id", time="day")
    assert res.estimate == pytest.approx(ref.estimate, rel=1e-12)
    assert res.n_obs == len(d) - 1 and "1 rows with a missing" in res.note


def test_days_as_text_of_numbers_are_days():
    d = _season()
    res = within_athlete_effect(
        d.assign(day=d["day"].map(lambda v: f"{v:g}").astype("str")),
        "reps", "fade", "athlete_id", time="day",
    )  # fmt: skip
    ref = within_athlete_effect(d, "reps", "fade", "athlete_id", time="day")
    assert res.estimate == pytest.approx(ref.estimate, rel=1e-12)


def test_time_text_that_is_no_date_is_one_clear_dataerror():
    d = _season().assign(date=lambda f: f["date"].dt.strftime("%Y-%m-%d").astype("str"))
    d.loc[5, "date"] = "after the break"
    with pytest.raises(DataError) as err:
        within_athlete_effect(d, "reps", "fade", "athlete_id", time="date")
    msg = str(err.value)
    assert "column 'date'" in msg and "'after the break'" in msg and "yyyy-mm-dd" in msg
    assert "\n" not in msg
    with pytest.raises(DataError, match="column 'date'"):
        athlete_slopes(d, "reps", "fade", "athlete_id", time="date")


def test_athlete_slopes_accept_dates_as_text():
    d = _season()
    by_text = athlete_slopes(_round_trip(d), "reps", "fade", "athlete_id", time="date")
    by_day = athlete_slopes(d, "reps", "fade", "athlete_id", time="day")
    assert by_text["slope"].notna().all()
    np.testing.assert_allclose(by_text["slope"], by_day["slope"], rtol=1e-9)


def test_athlete_slopes_remove_the_season_trend_in_days_over_the_rows_they_fit():
    # An athlete with a single race, long after the others, is left out of the pooled fit:
    # the season coefficient is per unit of the spread of the dates of the rows it uses,
    # so that spread (not the one including the left-out race) turns it back into days.
    d = _season()
    solo = pd.DataFrame({"athlete_id": ["late"], "day": [400.0], "reps": [900.0],
                         "load": [0.0], "fade": [0.4]})  # fmt: skip
    d = pd.concat([d, solo], ignore_index=True)
    got = athlete_slopes(d, "reps", "fade", "athlete_id", time="day").set_index("athlete_id")
    # reference: the within-athlete regression of fade on reps and day (days unscaled)
    # over the athletes with two races or more; each athlete's slope after removing it
    multi = d[d.groupby("athlete_id")["day"].transform("size") > 1]
    cen = multi[["reps", "day", "fade"]] - multi.groupby("athlete_id")[
        ["reps", "day", "fade"]
    ].transform("mean")
    per_day = np.linalg.lstsq(cen[["reps", "day"]].to_numpy(), cen["fade"].to_numpy(),
                              rcond=None)[0][1]  # fmt: skip
    for a, g in multi.groupby("athlete_id"):
        y = g["fade"] - per_day * g["day"]
        ref = np.polyfit(g["reps"], y, 1)[0]
        assert got.loc[a, "slope"] == pytest.approx(ref, rel=1e-9), a
    assert np.isnan(got.loc["late", "slope"]) and got.loc["late", "n"] == 1


def test_adjusted_effect_share_counts_only_rows_its_fits_can_use():
    # The covariate is known on 90 rows, but 60 of them have no date or no athlete: the
    # fits can use 30 of the 100 usable rows with it, which is under the 50 % asked for.
    d = _season(athletes=30, seed=7).iloc[:160].reset_index(drop=True)
    load = d["load"].where(d.index < 90)
    day = d["day"].where(~d.index.isin(range(0, 50)))
    athlete = d["athlete_id"].where(~d.index.isin(range(50, 60)))
    d = d.assign(load=load, day=day, athlete_id=athlete)
    adj = adjusted_effect(d, "reps", "fade", "athlete_id", "load", time="day")
    assert (adj.n_rows, adj.n_known) == (100, 30)
    assert adj.share == pytest.approx(0.3)
    assert not adj.made and "only 30 of the 100" in adj.why
    # with every row usable the counts are the rows with x and y, as before
    full = _season(athletes=30, seed=7).iloc[:160]
    adj = adjusted_effect(full, "reps", "fade", "athlete_id", "load", time="day")
    assert (adj.n_rows, adj.n_known) == (160, 160) and adj.made


def test_adjusted_effect_share_without_time_ignores_missing_dates():
    d = _season(athletes=30, seed=7).iloc[:100].reset_index(drop=True)
    d = d.assign(day=d["day"].where(d.index >= 40))
    adj = adjusted_effect(d, "reps", "fade", "athlete_id", "load")
    assert (adj.n_rows, adj.n_known) == (100, 100)


def test_cr2_shortcut_docstring_cites_the_paper_and_its_corrigendum():
    doc = " ".join(stats._within_fit.__doc__.split())
    assert "Pustejovsky JE, Tipton E (2018)" in doc and "36(4):672-683" in doc
    assert "Corrigendum" in doc and "10.1080/07350015.2023.2174123" in doc
    assert "ordinary least squares" in doc  # the condition under which it holds
