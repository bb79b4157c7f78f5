"""fatigue_metrics and segment_table, pinned to hand arithmetic on published elite splits."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from analysis.errors import DataError
from analysis.fatigue import (
    ELITE_SPLITS_PATH,
    FATIGUE_COLUMNS,
    fatigue_metrics,
    load_elite_splits,
    segment_table,
)
from analysis.names import load_roster
from analysis.schema import RACE_COLUMNS, SPLIT_COLUMNS
from analysis.sprints import clean_sprints


@pytest.fixture(scope="module")
def elite():
    races, splits = load_elite_splits()
    return races, splits, fatigue_metrics(races, splits).set_index("race_id")


def test_bolt_berlin_2009_negative_split(elite):
    # Reuters/IAAF: 9.92 at 100 m, 19.19 final.
    # first = 9.92; second = 19.19 - 9.92 = 9.27; differential = 9.27 - 9.92 = -0.65.
    # v1 = 100/9.92 = 10.08 m/s, v2 = 100/9.27 = 10.79 m/s: the last segment is the fastest,
    # as in nearly every 200 m with one split (the first holds the start), so velocity
    # loss would be 0 whatever the athlete did: it is not shown, and the note says why.
    m = elite[2].loc["bolt-2009-berlin-200"]
    assert m["first_half_s"] == pytest.approx(9.92)
    assert m["second_half_s"] == pytest.approx(9.27)
    assert m["differential_s"] == pytest.approx(-0.65)
    assert pd.isna(m["velocity_loss_pct"])
    assert "two segments only" in m["velocity_loss_note"]
    assert m["fastest_segment"] == "100-200"
    # judged against the published men's 200s instead: Bolt -0.65, Johnson -0.92
    assert m["elite_differential_s"] == pytest.approx((-0.65 - 0.92) / 2, abs=1e-3)


def test_johnson_atlanta_1996(elite):
    # 10.12 at 100 m, 19.32 final: second half 19.32 - 10.12 = 9.20; differential -0.92.
    m = elite[2].loc["johnson-1996-atlanta-200"]
    assert m["differential_s"] == pytest.approx(-0.92)


def test_miller_uibo_eugene_2022_400(elite):
    # T&FN: 11.76 / 23.24 / 35.61 / 49.11.
    # Segments: 11.76, 23.24-11.76 = 11.48, 35.61-23.24 = 12.37, 49.11-35.61 = 13.50.
    # first = 23.24; second = 49.11 - 23.24 = 25.87; differential = 25.87 - 23.24 = 2.63.
    # fastest = 100/11.48 (100-200 m), last = 100/13.50:
    # loss = (1 - 11.48/13.50) * 100 = 2.02/13.50 * 100 = 14.963 %.
    m = elite[2].loc["milleruibo-2022-eugene-400"]
    assert m["first_half_s"] == pytest.approx(23.24)
    assert m["second_half_s"] == pytest.approx(25.87)
    assert m["differential_s"] == pytest.approx(2.63)
    assert m["velocity_loss_pct"] == pytest.approx(14.963, abs=1e-3)
    assert m["fastest_segment"] == "100-200"
    assert m["n_segments"] == 4 and pd.isna(m["missing"])


def test_norman_pre_classic_2022_400(elite):
    # T&FN: 10.9 / 21.3 / 32.1 / 43.60 -> segments 10.9, 10.4, 10.8, 11.5.
    # differential = (43.60 - 21.3) - 21.3 = 22.3 - 21.3 = 1.0.
    # loss = (1 - 10.4/11.5) * 100 = 1.1/11.5 * 100 = 9.565 %.
    m = elite[2].loc["norman-2022-eugene-400"]
    assert m["differential_s"] == pytest.approx(1.0)
    assert m["velocity_loss_pct"] == pytest.approx(9.565, abs=1e-3)


def test_van_niekerk_rio_2016_400_with_vazels_splits(elite):
    # Vazel (via SB Nation / Track Stats): 10.7 / 20.5 / 31.0 / 43.03.
    # Segments 10.7, 9.8, 10.5, 12.03. first = 20.5; second = 43.03 - 20.5 = 22.53;
    # differential = 22.53 - 20.5 = 2.03. Fastest 100-200 m (9.8 s), last 12.03 s:
    # loss = (1 - 9.8/12.03) * 100 = 2.23/12.03 * 100 = 18.537 %.
    m = elite[2].loc["vanniekerk-2016-rio-400"]
    assert m["first_half_s"] == pytest.approx(20.5)
    assert m["differential_s"] == pytest.approx(2.03)
    assert m["velocity_loss_pct"] == pytest.approx(18.537, abs=1e-3)
    assert m["fastest_segment"] == "100-200" and pd.isna(m["missing"])


def test_thomas_2024_trials_womens_200(elite):
    # T&FN: 11.31 at halfway, 21.81 final. second = 21.81 - 11.31 = 10.50;
    # differential = 10.50 - 11.31 = -0.81; the last segment is the fastest: loss 0.
    races, _, m = elite
    assert races.set_index("race_id").loc["thomas-2024-eugene-200", "sex"] == "F"
    m = m.loc["thomas-2024-eugene-200"]
    assert m["first_half_s"] == pytest.approx(11.31)
    assert m["second_half_s"] == pytest.approx(10.50)
    assert m["differential_s"] == pytest.approx(-0.81)
    assert pd.isna(m["velocity_loss_pct"]) and pd.notna(m["velocity_loss_note"])


def test_race_without_halfway_mark_says_so():
    # 100 m at 10.7 and 300 m at 31.0 of 43.03 (no 200 m mark): no half-way metrics,
    # velocity loss from 3 segments: fastest 200/20.3 (100-300 m), last 100/12.03;
    # loss = (1 - (100/12.03)/(200/20.3)) * 100 = (1 - 2030/2406) * 100 = 15.627 %.
    races = _races([{"race_id": "r1", "event_m": 400, "final_s": 43.03, "status": "ok"}])
    splits = pd.DataFrame(
        {"race_id": ["r1"] * 3, "at_m": [100, 300, 400], "cum_s": [10.7, 31.0, 43.03]}
    ).astype(SPLIT_COLUMNS)
    m = fatigue_metrics(races, splits).iloc[0]
    assert pd.isna(m["differential_s"]) and pd.isna(m["first_half_s"])
    assert m["missing"] == "no split at the half-way mark"
    assert m["velocity_loss_pct"] == pytest.approx(15.627, abs=1e-3)
    assert pd.isna(m["velocity_loss_note"])
    # with the 300 m mark only, two segments: not shown, and said
    two = fatigue_metrics(races, splits.iloc[1:]).iloc[0]
    assert pd.isna(two["velocity_loss_pct"]) and "3 or more segments" in two["velocity_loss_note"]


def test_elite_reference_covers_both_sexes_and_events_with_sources(elite):
    races, splits, _ = elite
    assert list(races.columns[: len(RACE_COLUMNS)]) == list(RACE_COLUMNS)
    assert list(splits.columns) == list(SPLIT_COLUMNS)
    assert {(s, e) for s, e in zip(races["sex"], races["event_m"], strict=True)} >= {
        ("M", 200),
        ("M", 400),
        ("F", 200),
        ("F", 400),
    }
    raw = pd.read_csv(ELITE_SPLITS_PATH)
    assert raw["source"].str.contains("https?://", regex=True).all()
    # every race's finish equals its final, and marks increase
    seg = segment_table(races, splits)
    assert (seg["seg_s"] > 0).all()


def test_load_elite_splits_rejects_a_race_without_finish(tmp_path):
    p = tmp_path / "e.csv"
    p.write_text(
        "race,athlete,sex,event_m,date,at_m,cum_s,source\nx,X,M,400,2020-01-01,200,21.0,s\n"
    )
    with pytest.raises(DataError, match="without a finish"):
        load_elite_splits(p)


def test_segment_table_lengths_times_and_velocities(elite):
    races, splits, _ = elite
    seg = segment_table(races, splits)
    n = seg.loc[seg["race_id"] == "norman-2022-eugene-400"]
    assert n["from_m"].tolist() == [0, 100, 200, 300]
    assert n["to_m"].tolist() == [100, 200, 300, 400]
    assert n["seg_s"].tolist() == pytest.approx([10.9, 10.4, 10.8, 11.5])
    assert n["velocity_ms"].tolist() == pytest.approx(
        [100 / 10.9, 100 / 10.4, 100 / 10.8, 100 / 11.5]
    )
    assert n["athlete_id"].eq("Michael Norman").all() and n["event_m"].eq(400).all()


def _races(rows):
    df = pd.DataFrame(rows)
    base = {
        "athlete_id": "a1",
        "date": pd.Timestamp("2026-03-07"),
        "timing": "FAT",
        "wind_ms": None,
        "meet": None,
        "round": None,
        "source": "t",
        "source_row": 2,
    }
    for k, v in base.items():
        if k not in df.columns:
            df[k] = v
    return df.astype({c: t for c, t in RACE_COLUMNS.items() if c in df.columns})


def test_50m_splits_in_a_200_and_dnf_and_finish_only():
    races = _races(
        [
            {"race_id": "r1", "event_m": 200, "final_s": 22.0, "status": "ok"},
            {"race_id": "r2", "event_m": 200, "final_s": None, "status": "DNF"},
            {"race_id": "r3", "event_m": 400, "final_s": 50.0, "status": "ok"},
        ]
    )
    splits = pd.DataFrame(
        {
            "race_id": ["r1"] * 4 + ["r3"],
            "at_m": [50, 100, 150, 200, 400],
            "cum_s": [6.0, 11.0, 16.2, 22.0, 50.0],
        }
    ).astype(SPLIT_COLUMNS)
    m = fatigue_metrics(races, splits)
    assert list(m.columns) == list(FATIGUE_COLUMNS)
    assert m["race_id"].tolist() == ["r1", "r2", "r3"]
    r1 = m.iloc[0]
    # half = 11.0, second = 22.0 - 11.0 = 11.0, differential 0.0
    # segments 6.0, 5.0, 5.2, 5.8 -> fastest 50/5.0 = 10 m/s, last 50/5.8 = 8.621 m/s
    # loss = (1 - 5.0/5.8) * 100 = 13.793 %
    assert r1["differential_s"] == pytest.approx(0.0)
    assert r1["velocity_loss_pct"] == pytest.approx(13.793, abs=1e-3)
    assert r1["fastest_segment"] == "50-100"
    assert m.iloc[1]["missing"] == "DNF" and pd.isna(m.iloc[1]["differential_s"])
    assert m.iloc[2]["missing"].startswith("only one segment")
    assert m.iloc[2]["n_segments"] == 1


def test_metrics_from_cleaned_hand_timed_race():
    roster = load_roster(pd.DataFrame({"athlete_id": ["a1"], "name": ["Ann Lee"]}).astype("string"))
    raw = pd.DataFrame(
        {
            "athlete": ["Ann Lee"],
            "date": ["2026-03-07"],
            "event": ["400"],
            "final": ["52.0h"],
            "splits": ["12.0/24.9/38.0"],
        }
    ).astype("string")
    races, splits, _ = clean_sprints(raw, roster, today=dt.date(2026, 6, 1))
    m = fatigue_metrics(races, splits).iloc[0]
    # +0.14 on every cumulative mark: half 25.04, final 52.14 -> second 27.10, diff 2.06
    assert m["first_half_s"] == pytest.approx(25.04)
    assert m["differential_s"] == pytest.approx(2.06)


def test_empty_inputs_give_empty_metrics():
    races = pd.DataFrame({c: pd.Series(dtype=t) for c, t in RACE_COLUMNS.items()})
    splits = pd.DataFrame({c: pd.Series(dtype=t) for c, t in SPLIT_COLUMNS.items()})
    m = fatigue_metrics(races, splits)
    assert m.empty and list(m.columns) == list(FATIGUE_COLUMNS)


def test_missing_column_is_a_dataerror():
    with pytest.raises(DataError):
        fatigue_metrics(pd.DataFrame({"race_id": ["x"]}), pd.DataFrame())


def test_missing_names_the_reason_splits_were_dropped():
    roster = load_roster(pd.DataFrame({"athlete_id": ["a1"], "name": ["Ann Lee"]}).astype("string"))
    raw = pd.DataFrame(
        {
            "athlete": ["Ann Lee", "Ann Lee"],
            "date": ["2026-03-07", "2026-03-08"],
            "event": ["400", "400"],
            "final": ["56.00", "55.00"],
            "splits": ["12.0/11.5/37.0", None],
        }
    ).astype("string")
    races, splits, rejects = clean_sprints(raw, roster, today=dt.date(2026, 6, 1))
    m = fatigue_metrics(races, splits, rejects=rejects)
    assert m["missing"].tolist() == [
        "splits dropped: splits do not increase",
        "only one segment (no intermediate splits)",
    ]


def test_200_with_one_split_is_judged_against_own_usual_and_elite_profile():
    # one athlete, four 200s timed at 100 m (differentials +0.2, +0.4, +0.3, +0.9), one
    # athlete with two (too few for a usual), a woman whose reference is the women's 200.
    rows = [
        ("a1", 11.5, 23.2), ("a1", 11.4, 23.2), ("a1", 11.5, 23.3), ("a1", 11.3, 23.5),
        ("b2", 12.0, 24.0), ("b2", 12.1, 24.3),
    ]  # fmt: skip
    races = _races(
        [
            {"race_id": f"r{i}", "athlete_id": a, "event_m": 200, "final_s": fin, "status": "ok"}
            for i, (a, _, fin) in enumerate(rows)
        ]
    ).assign(sex=["M", "M", "M", "M", "F", "F"])
    splits = pd.DataFrame(
        {
            "race_id": [f"r{i}" for i in range(6) for _ in (0, 1)],
            "at_m": [100, 200] * 6,
            "cum_s": [v for _, h, fin in rows for v in (h, fin)],
        }
    ).astype(SPLIT_COLUMNS)
    m = fatigue_metrics(races, splits).set_index("race_id")
    assert list(m["differential_s"].round(2)) == [0.2, 0.4, 0.3, 0.9, 0.0, 0.1]
    assert m["velocity_loss_pct"].isna().all()
    # a1's usual: median(0.2, 0.4, 0.3, 0.9) = 0.35; the last race faded 0.55 s more
    assert m.loc["r3", "own_differential_s"] == pytest.approx(0.35)
    assert m.loc["r3", "differential_vs_own_s"] == pytest.approx(0.55)
    assert m.loc[["r4", "r5"], "own_differential_s"].isna().all()  # 2 races: no usual
    # men's 200 reference: mean(-0.65, -0.92) = -0.785; women's: Thomas -0.81
    assert m.loc["r0", "elite_differential_s"] == pytest.approx(-0.785)
    assert m.loc["r4", "elite_differential_s"] == pytest.approx(-0.81)


def test_elite_differential_by_event_and_sex():
    from analysis.fatigue import elite_differential

    assert elite_differential(200, "M") == pytest.approx(-0.785)
    assert elite_differential(400, "F") == pytest.approx(2.63)
    assert elite_differential(400) == pytest.approx((1.0 + 2.03 + 2.63) / 3)
    assert np.isnan(elite_differential(800))
