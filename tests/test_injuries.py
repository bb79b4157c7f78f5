"""The injury log (analysis.injuries), its epidemiology and the privacy of its pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from helpers import TODAY, examples
from hypothesis import given, settings
from hypothesis import strategies as st

import analysis as hf
from analysis.injuries import LOCATIONS, clean_injuries, map_locations
from analysis.injury_epi import (
    flexor_extensor_balance,
    injury_rates,
    suppress_small_cells,
)

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def ds():
    return hf.load_dataset(DATA / "injuries", today=TODAY)


def test_injury_logs_in_three_layouts_read_exactly(ds) -> None:
    got = ds.injuries[["athlete_id", "onset_date", "location", "days_lost", "return_date",
                       "recurrence", "source", "source_row"]]  # fmt: skip
    rows = [
        [r.athlete_id, r.onset_date.date().isoformat(), r.location,
         None if pd.isna(r.days_lost) else int(r.days_lost),
         None if pd.isna(r.return_date) else r.return_date.date().isoformat(),
         bool(r.recurrence), r.source, int(r.source_row)]
        for r in got.itertuples(index=False)
    ]  # fmt: skip
    assert rows == [
        ["A1", "2026-01-10", "hamstring", 14, "2026-01-24", False, "injuries.csv", 2],
        # 36 days after the first one's return: a recurrence
        ["A1", "2026-03-01", "hamstring", 21, "2026-03-22", True, "injuries.csv", 3],
        # 71 days after the second's return: a new injury
        ["A1", "2026-06-01", "hamstring", 10, "2026-06-11", False, "injuries.csv", 4],
        ["A2", "2026-02-02", "achilles", 14, "2026-02-16", False, "injuries.csv", 5],  # 2 weeks
        ["A2", "2026-02-20", "hip_groin", 5, "2026-02-25", False, "injuries.csv", 6],
        # iliopsoas: hip/groin again, 39 days after return (a title row above the header)
        ["A2", "2026-04-05", "hip_groin", 14, "2026-04-19", True, "medical.xlsx#Physio", 5],
        ["A3", "2026-01-15", "other", 3, "2026-01-18", False, "injuries.csv", 7],
        ["A3", "2026-02-11", "hamstring", None, None, False, "injuries.csv", 8],  # ongoing
        ["A3", "2026-04-20", "lower_back", 7, "2026-04-27", False, "medical.xlsx#Physio", 6],
        # German headers, dd.mm.yyyy, a return date instead of days
        ["A4", "2026-01-14", "foot_ankle", 7, "2026-01-21", False, "physio_log.csv", 2],
        ["A4", "2026-02-22", "knee", None, None, False, "medical.xlsx#Physio", 7],
    ]
    a1 = ds.injuries[ds.injuries["athlete_id"] == "A1"]
    assert a1["onset"].tolist() == ["sudden"] * 3
    assert a1["context"].tolist() == ["training", "competition", "competition"]
    assert a1["tissue"].iloc[0] == "muscle"


def test_injury_rows_rejected_with_reasons_and_conserved(ds) -> None:
    rej = ds.rejects[ds.rejects["table"] == "injuries"]
    got = (
        rej[["source", "source_row", "column", "reason", "kind"]].astype(object).to_numpy().tolist()
    )
    assert got == [
        ["injuries.csv", 8, "days_lost",
         "no days lost or return date: counted as an injury, its burden unknown", "partial"],
        ["injuries.csv", 9, "location", "missing location", "rejected"],
        ["injuries.csv", 10, "athlete", "unknown athlete", "rejected"],
        ["injuries.csv", 11, "onset_date", "invalid date", "rejected"],
        ["injuries.csv", 12, "days_lost", "days lost is not a number of days", "rejected"],
        ["medical.xlsx#Physio", 4, "onset_date", "duplicate of injuries.csv row 2", "duplicate"],
        ["medical.xlsx#Physio", 7, "days_lost",
         "no days lost or return date: counted as an injury, its burden unknown", "partial"],
        ["physio_log.csv", 3, "return_date", "return before onset", "rejected"],
    ]  # fmt: skip
    rec = ds.reconciliation[ds.reconciliation["table"] == "injuries"]
    assert rec["balanced"].all()
    assert rec["rows_read"].sum() == len(ds.injuries) + 6  # 5 rejected + 1 duplicate
    # the read-me sheet is named, not read silently
    assert "medical.xlsx#Read me" in set(ds.skipped["source"])


@pytest.mark.parametrize(
    ("text", "location"),
    [
        ("L hammy strain", "hamstring"), ("biceps femoris", "hamstring"),
        ("back of thigh", "hamstring"), ("hamstring / lower back", "hamstring"),
        ("adductor strain", "hip_groin"), ("Hip flexor (iliopsoas)", "hip_groin"),
        ("groin", "hip_groin"), ("calf (gastroc)", "calf"), ("soleus", "calf"),
        ("Achilles tendinopathy", "achilles"), ("patellar tendon", "knee"), ("ITB", "knee"),
        ("back of knee", "knee"),
        ("ankle sprain", "foot_ankle"), ("plantar fascia", "foot_ankle"),
        ("low back pain", "lower_back"), ("lumbar", "lower_back"),
        ("rectus femoris", "other"), ("shoulder", "other"),
    ],
)  # fmt: skip
def test_free_text_locations_map_to_the_consensus_regions(text, location) -> None:
    assert map_locations(pd.Series([text])).iloc[0] == location


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=20), min_size=1, max_size=10))
def test_any_location_text_maps_into_the_vocabulary_or_na(texts) -> None:
    out = map_locations(pd.Series(texts, dtype="string"))
    assert out.dropna().isin(LOCATIONS).all()


@settings(max_examples=examples(40), deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Kwame Asante", "A2", "Zed", ""]),
                          st.sampled_from(["2026-03-01", "01/03/2026", "x", "", "2099-01-01"]),
                          st.sampled_from(["hamstring", "", "calf", "knee"]),
                          st.sampled_from(["7", "2 weeks", "", "lots", "-3", "ongoing"])),
                min_size=1, max_size=15))  # fmt: skip
def test_injury_rows_are_conserved_whatever_the_cells(rows) -> None:
    roster = pd.read_csv(DATA / "injuries" / "athletes.csv", dtype="string")
    from analysis.names import load_roster

    roster = load_roster(roster, source="athletes.csv")
    raw = pd.DataFrame(rows, columns=["Athlete", "Date", "Body part", "Days lost"])
    raw = raw.assign(source="f.csv", source_row=range(2, len(raw) + 2)).astype(
        {"source_row": "int64"}
    )
    clean, rej = clean_injuries(raw, roster, today=TODAY)
    dropped = rej[rej["kind"].isin(["rejected", "duplicate"])] if len(rej) else rej
    assert len(clean) + len(dropped) == len(raw)


def test_catalog_maps_posterior_chain_and_strength_work_of_the_messy_logs() -> None:
    ds = hf.load_dataset(DATA / "logs" / "strength", today=TODAY)
    fam = dict(zip(ds.log["exercise_raw"], ds.log["family"], strict=True))
    assert fam["Nordic Hamstring Curls"] == fam["nordics"] == fam["RDLs"] == "hip_extensor"
    assert fam["Hip Thrust (Barbell)"] == fam["SL RDL"] == fam["KB swings"] == "hip_extensor"
    assert fam["Squat (Barbell)"] == fam["Bench Press (Barbell)"] == "other_strength"
    assert fam["flying 30s"] == fam["block starts"] == fam["accels"] == "sprint"
    # 36 of the 37 entries are mapped (the old catalog: 2 of 37); "stir the pot" is not
    assert (ds.log["family"] == "unmapped").sum() == 1
    assert ds.log.loc[ds.log["family"] == "hip_extensor", "hf_reps"].eq(0).all()


def test_flexor_extensor_balance_counts_reps_per_week() -> None:
    log = hf.load_dataset(DATA / "logs" / "strength", today=TODAY).log
    b = flexor_extensor_balance(log).set_index(["athlete_id", "week"])
    # Lea Roux, week of 12 Jan: A's 3x30 m (90) + hanging knee raises 3x10 (30) = 120
    # flexion reps; GHR 3x6 (18) + single-leg bridge 3x12 each leg (72) = 90 extension
    row = b.loc[("A4", pd.Timestamp("2026-01-12"))]
    assert (row["flexor_reps"], row["extensor_reps"]) == (120.0, 90.0)
    assert row["ratio"] == pytest.approx(120 / 90)
    # a week with no posterior-chain work has no ratio (not infinity)
    assert pd.isna(flexor_extensor_balance(log[log["family"] == "hip_flexor"])["ratio"]).all()


def test_incidence_and_burden_are_injuries_and_days_over_exposure(ds) -> None:
    r = injury_rates(ds, by=None).iloc[0]
    assert r["injuries"] == 11 and r["athletes_injured"] == 4 and r["recurrences"] == 2
    assert r["per_1000_days"] == pytest.approx(11 / r["athlete_days"] * 1000)
    assert r["burden_per_1000_days"] == pytest.approx(r["days_lost"] / r["athlete_days"] * 1000)


def test_small_cells_are_suppressed_with_a_second_one_to_protect_the_total() -> None:
    rates = pd.DataFrame({"group": ["a", "b", "c", "d"], "athletes": [20] * 4,
                          "athletes_injured": [5, 2, 4, 0], "injuries": [7, 2, 5, 0],
                          "per_1000_days": [1.0, 0.5, 0.8, 0.0]})  # fmt: skip
    s = suppress_small_cells(rates)
    assert s["suppressed"].tolist() == [False, True, True, False]
    assert s["injuries"].isna().tolist() == [False, True, True, False]


# ------------------------------------------------------------------ privacy of the pages


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The squad and athlete views of a folder whose athletes all have injuries."""
    from analysis.reports.pages import injuries as inj

    ds = hf.load_dataset(DATA / "injuries", today=TODAY)
    squad = " ".join(
        [inj.squad_injury_text(ds), inj.balance_text(ds), inj.hazard_text(ds)]
        + [t.to_html() for t in inj.squad_injury_tables(ds).values()]
    )
    athletes = {
        aid: inj.athlete_injury_table(ds, aid).to_html() + inj.athlete_injury_text(ds, aid)
        for aid in ds.athletes["athlete_id"]
    }
    return ds, squad, athletes


def test_no_other_athletes_injury_reaches_an_athlete_page(pages) -> None:
    ds, _, athletes = pages
    inj = ds.injuries
    for aid, page in athletes.items():
        own = inj[inj["athlete_id"] == aid]
        for r in inj[inj["athlete_id"] != aid].itertuples(index=False):
            if r.location_raw not in set(own["location_raw"]):
                assert r.location_raw not in page, (aid, r.location_raw)
            if pd.notna(r.notes):
                assert r.notes not in page, (aid, r.notes)
            day = r.onset_date.strftime("%d %b %Y")
            if day not in set(own["onset_date"].dt.strftime("%d %b %Y")):
                assert day not in page, (aid, day)
        for r in own.itertuples(index=False):  # and the athlete's own are there
            assert r.onset_date.strftime("%d %b %Y") in page


def test_squad_page_shows_no_suppressed_cell_and_no_single_injury(pages) -> None:
    ds, squad, _ = pages
    # four athletes: every group is smaller than the rule allows, so every count is hidden
    from analysis.reports.pages import injuries as inj

    for name, table in inj.squad_injury_tables(ds).items():
        assert (table["injuries"] == "hidden").all(), name
    assert "11 time-loss" not in squad
    from analysis.plots.injuries import location_label

    labels = {location_label(x).casefold() for x in LOCATIONS}
    for r in ds.injuries.itertuples(index=False):
        if r.location_raw.casefold() not in labels:  # "lower back" is also a row label
            assert r.location_raw not in squad
        if pd.notna(r.notes):
            assert r.notes not in squad
        assert r.onset_date.strftime("%d %b %Y") not in squad


def test_hazard_answer_says_not_estimated_without_the_model(pages, monkeypatch) -> None:
    from analysis import stats
    from analysis.reports.pages.injuries import hazard_text

    ds = pages[0]
    monkeypatch.delattr(stats, "injury_hazard", raising=False)
    assert "Not estimated" in hazard_text(ds)


@pytest.mark.slow  # writes and cleans a 12-athlete sample
def test_sample_injury_log_reads_as_truth_json_says(tmp_path) -> None:
    import json

    from analysis.sample import write_sample

    write_sample(tmp_path, athletes=12, seed=2026, today="2026-11-30")
    truth = json.loads((tmp_path / "truth.json").read_text())
    ds = hf.load_dataset(tmp_path, today=dt.date(2026, 11, 30))
    got = ds.injuries.sort_values(["athlete_id", "onset_date"])
    want = pd.DataFrame(truth["injuries"]).sort_values(["athlete_id", "onset_date"])
    assert got["location"].tolist() == want["location"].tolist()
    assert got["days_lost"].astype(int).tolist() == want["days_lost"].tolist()
    assert got["onset_date"].dt.strftime("%Y-%m-%d").tolist() == want["onset_date"].tolist()
    assert truth["injury_model"]["hr_per_100"] == 0.97
    # the posterior chain is logged, so the balance has a value for every athlete
    b = flexor_extensor_balance(ds.log)
    assert b.loc[b["ratio"].notna(), "athlete_id"].nunique() == 12


def test_exports_leave_injuries_out_unless_health_is_asked_for(ds, tmp_path) -> None:
    from openpyxl import load_workbook

    from analysis.reports.pages.workbooks import write_exports

    def cells(path: Path) -> tuple[set[str], str]:
        wb = load_workbook(path, read_only=True)
        text = " ".join(
            str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
            for v in row if v is not None
        )  # fmt: skip
        return set(wb.sheetnames), text

    plain = write_exports(ds, tmp_path / "plain")
    for path in plain:
        sheets, text = cells(path)
        assert "injuries" not in sheets
        assert "felt it on the 3rd flying 30" not in text and "L hammy strain" not in text
    # the squad book's rejects name the injury-log rows without their values
    sheets, text = cells(tmp_path / "plain" / "exports" / "squad.xlsx")
    assert "(health data: see the injury log)" in text and "2026-13-45" not in text
    health = write_exports(ds, tmp_path / "health", include_health=True)
    names = {p.name: p for p in health}
    sheets, text = cells(names["A1.xlsx"])
    assert "injuries" in sheets and "felt it on the 3rd flying 30" in text
    assert "Achilles tendinopathy" not in text  # A2's injury never in A1's book


def test_data_quality_rejects_carry_no_injury_values(ds) -> None:
    from analysis.reports import mask_health_rejects

    shown = mask_health_rejects(ds.rejects)
    inj = shown[shown["table"] == "injuries"]
    assert (inj["value"] == "(health data: see the injury log)").all()
    assert inj["athlete_id"].isna().all()
    assert not inj["reason"].str.contains("injuries.csv row").any()
    assert shown[shown["table"] != "injuries"].equals(ds.rejects[ds.rejects["table"] != "injuries"])


@pytest.mark.slow
def test_rendered_pages_keep_injuries_private(tmp_path) -> None:
    """The whole batch on a sample with injuries: an athlete page's injury table holds that
    athlete's rows only and no other athlete's note appears on it; no note, and no location
    row from fewer than 3 athletes, appears on the squad, cohort, quality or index pages."""
    import html as html_mod
    import re

    from analysis import reports as rp
    from analysis.sample import write_sample

    data, out = tmp_path / "data", tmp_path / "out"
    write_sample(data, athletes=8, seed=5, today="2026-11-30")
    ds = hf.load_dataset(data, today=dt.date(2026, 11, 30))
    assert ds.injuries["notes"].notna().sum() >= 3
    result = rp.build_reports(data, out, jobs=2, timeout=300, progress=False)
    assert result.ok, result
    inj = ds.injuries

    def forms(note: str) -> set[str]:
        return {note, html_mod.escape(note, quote=True), html_mod.escape(note, quote=False)}

    def table_rows(page: str, caption: str) -> list[list[str]]:
        m = re.search(re.escape(caption) + r".*?</table>", page, re.S)
        if m is None:
            return []
        rows = re.findall(r"<tr>(.*?)</tr>", m.group(0), re.S)
        cells = [[html_mod.unescape(c.strip()) for c in re.findall(r"<td[^>]*>(.*?)</td>", r,
                                                                    re.S)] for r in rows]  # fmt: skip
        return [c for c in cells if c]

    for aid in ds.athletes["athlete_id"]:
        page = (out / "athletes" / f"{aid}.html").read_text(encoding="utf-8")
        own = inj[inj["athlete_id"] == aid]
        rows = table_rows(page, "Injuries, newest first")
        assert sorted(r[0] for r in rows) == sorted(own["onset_date"].dt.strftime("%d %b %Y"))
        for note in inj.loc[inj["athlete_id"] != aid, "notes"].dropna():
            if note not in set(own["notes"].dropna()):
                assert not any(f in page for f in forms(note)), (aid, note)
    shared = [out / "squad.html", out / "index.html", out / "data_quality.html",
              *sorted((out / "cohorts").glob("*.html"))]  # fmt: skip
    for path in shared:
        page = path.read_text(encoding="utf-8")
        for note in inj["notes"].dropna():
            assert not any(f in page for f in forms(note)), (path.name, note)
    squad = (out / "squad.html").read_text(encoding="utf-8")
    for caption in ("By body location", "By squad", "By sex", "All injuries"):
        for r in table_rows(squad, caption):
            # columns: group, athletes, injuries, athletes injured, ...
            assert r[2] == "hidden" or int(r[2]) == 0 or int(r[3]) >= 3, (caption, r)


def test_a_file_named_injuries_is_the_log_even_with_few_header_words(tmp_path) -> None:
    import shutil

    from openpyxl import Workbook

    shutil.copy(DATA / "injuries" / "athletes.csv", tmp_path / "athletes.csv")
    wb = Workbook()
    ws = wb.active
    ws.title = "2026"
    ws.append(["Name", "Date", "What", "Days"])  # nothing here says "injury" but the name
    ws.append(["Mia Jensen", dt.datetime(2026, 5, 4), "calf", 6])
    ws.append(["Tom Berg", "12/05/2026", "Hamstring", "1 week"])
    wb.save(tmp_path / "injuries.xlsx")
    ds = hf.load_dataset(tmp_path, today=TODAY)
    got = ds.injuries[["athlete_id", "location", "days_lost"]].astype(object).to_numpy().tolist()
    assert got == [["A2", "calf", 6], ["A3", "hamstring", 7]]
    assert ds.log.empty and ds.injuries["source"].eq("injuries.xlsx#2026").all()


def test_inspect_names_the_injury_log_without_showing_its_rows() -> None:
    from analysis.ingest.inspect import inspect_folder

    text, _ = inspect_folder(DATA / "injuries")
    assert text.count("reads as: the injury log") == 3
    assert "hammy" not in text and "felt it" not in text


def test_family_volume_over_the_days_before_counts_each_family_in_its_unit() -> None:
    from analysis.injury_epi import family_window_volume

    log = hf.load_dataset(DATA / "logs" / "strength", today=TODAY).log
    at = pd.DataFrame({"athlete_id": ["A1", "A4"], "date": pd.to_datetime(["2026-01-13",
                                                                           "2026-01-14"])})  # fmt: skip
    got = family_window_volume(log, at, window_days=7).set_index("athlete_id")
    # A1, 6-12 Jan: flying 30s 4 x 30 m + block starts 6 x 20 m on the 12th; the squats of
    # 5 Jan are outside the window; nordics 3x6 + RDLs 3x6 on the 12th
    assert got.loc["A1", "sprint_7d"] == 240.0
    assert got.loc["A1", "other_strength_7d"] == 0.0
    assert got.loc["A1", "hip_extensor_7d"] == 36.0
    # A4, 7-13 Jan: power clean 5x3 + calf raise 3x15 (8th), box jumps 4x5 + bench 3x8
    # (13th); the timed Copenhagen planks have no reps. A's 3 x 30 m = 90 hip-flexion reps
    # + hanging knee raises 3x10
    assert got.loc["A4", "other_strength_7d"] == 15 + 45 + 20 + 24
    assert got.loc["A4", "hip_flexor_7d"] == 120.0
    assert got.loc["A4", "sprint_7d"] == 360.0  # hill sprints 6 x 60 m


def test_hazard_answer_uses_stats_injury_hazard_once_it_exists(ds, monkeypatch) -> None:
    from dataclasses import dataclass

    from analysis import stats
    from analysis.reports.pages.injuries import hazard_text

    @dataclass(frozen=True)
    class Result:
        hazard_ratio: float
        ci_low: float
        ci_high: float
        pvalue: float
        n_events: int
        n_athletes: int
        method: str = "Cox, counting process, clustered by athlete"
        note: str = ""

    calls = []

    def fake(ds, *, exposure="hf_reps", window_days=28, locations=None):
        calls.append((exposure, window_days, tuple(locations)))
        return Result(0.91, 0.70, 1.18, 0.47, 9, 8)

    monkeypatch.setattr(stats, "injury_hazard", fake, raising=False)
    text = hazard_text(ds, window_days=21)
    assert calls == [("hf_reps", 21, ("hamstring", "hip_groin"))]
    assert "0.91 (95 % CI 0.70 to 1.18" in text and "cannot tell a link from chance" in text

    def too_few(ds, **kw):
        return Result(float("nan"), float("nan"), float("nan"), float("nan"), 3, 3,
                      note="fewer than 10 injuries: too few to estimate")  # fmt: skip

    monkeypatch.setattr(stats, "injury_hazard", too_few, raising=False)
    assert "Not estimated: fewer than 10 injuries" in hazard_text(ds)


def _weekly_log(pairs: list[tuple[float, float]]) -> pd.DataFrame:
    """One athlete, one flexor and one extensor entry per week (flexor reps, extensor reps)."""
    rows = []
    for k, (f, e) in enumerate(pairs):
        day = pd.Timestamp("2026-01-05") + pd.Timedelta(weeks=k)
        rows.append(["A1", day, "hip_flexor", 1, f, False, f])
        rows.append(["A1", day, "hip_extensor", 1, e, False, 0.0])
    df = pd.DataFrame(rows, columns=["athlete_id", "date", "family", "sets", "reps", "per_leg",
                                     "hf_reps"])  # fmt: skip
    return df.assign(distance_m=pd.NA).astype({"sets": "Int64", "reps": "Float64",
                                               "per_leg": "boolean", "hf_reps": "Float64",
                                               "distance_m": "Float64"})  # fmt: skip


def test_balance_far_from_usual_needs_a_doubling_outside_the_athletes_spread() -> None:
    steady = [(100, 50), (110, 50), (90, 50), (100, 55), (100, 45)]  # about 2 : 1
    b = flexor_extensor_balance(_weekly_log([*steady, (100, 10)]))
    assert b["usual_ratio"].iloc[-1] == pytest.approx(2.0)
    assert b["far_from_usual"].tolist() == [False] * 5 + [True]  # 10 : 1
    assert not flexor_extensor_balance(_weekly_log([*steady, (150, 50)]))["far_from_usual"].any()
    # an athlete whose ratio always jumps (1 : 1 to 8 : 1) is not flagged for another jump
    jumpy = [(50, 50), (400, 50), (50, 50), (400, 50), (60, 50)]
    assert not flexor_extensor_balance(_weekly_log([*jumpy, (400, 50)]))["far_from_usual"].any()


def test_attention_names_an_athlete_back_from_a_hamstring_or_hip_injury(ds) -> None:
    from analysis.attention import attention_list

    att = attention_list(ds, as_of="2026-04-25")
    back = att[att["kind"] == "back_from_injury"]
    # A2's hip flexor (iliopsoas) injury: back on 19 Apr; A3's lower back is not listed
    assert back[["athlete_id", "value"]].astype(object).to_numpy().tolist() == [["A2", 6.0]]
    assert "iliopsoas" not in " ".join(att["what"])  # the body text is not copied


def test_a_new_injury_reruns_its_athletes_page_and_the_squad_page_only(ds, tmp_path) -> None:
    import dataclasses

    from analysis.reports.batch.plan import plan_reports

    before = {(j.kind, j.key): j.digest for j in plan_reports(ds, DATA / "injuries")}
    fewer = dataclasses.replace(ds, injuries=ds.injuries[ds.injuries["source_row"] != 4])
    after = {(j.kind, j.key): j.digest for j in plan_reports(fewer, DATA / "injuries")}
    changed = {k for k in before if before[k] != after[k]}
    # A1's row 4 gone: A1's page and the squad's (its injury section); cohorts read the
    # squad's tables too; nobody else's page
    assert ("athlete", "A1") in changed and ("squad", "") in changed
    assert not {("athlete", a) for a in ("A2", "A3", "A4")} & changed
