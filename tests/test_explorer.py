"""The explorer's state without a browser: a selection in, the views' titles, words,
estimate and tables out; privacy and escaping in the panel; the upload path.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import analysis as hf
from analysis.errors import DataError
from analysis.explorer import Explorer, Selection
from analysis.explorer.state import VIEWS, WHOLE_SQUAD
from analysis.explorer.upload import safe_file_name, save_upload
from analysis.sample import write_sample

EVIL = '<img src=x onerror="alert(1)"> & $x^2$ Okafor'


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    """data/raw/ with a 6-athlete synthetic squad whose first athlete's name is HTML."""
    root = tmp_path_factory.mktemp("explorer") / "data" / "raw"
    write_sample(root / "squad", athletes=6, seed=3, today="2026-11-01")
    roster = root / "squad" / "athletes.csv"
    a = pd.read_csv(roster, dtype=str, keep_default_na=False)
    a.loc[0, "name"], a.loc[0, "aliases"] = EVIL, ""
    a.to_csv(roster, index=False)
    return root


@pytest.fixture(scope="module")
def ex(raw) -> Explorer:
    return Explorer(hf.load_dataset(raw / "squad"))


def _other_ids(ex: Explorer, aid: str) -> set[str]:
    return set(ex.ds.athletes["athlete_id"]) - {aid}


def test_athlete_picker_lists_names_with_the_whole_squad_first(ex):
    opts = ex.athlete_options()
    assert opts[0] == (WHOLE_SQUAD, "")
    labels = [label for label, _ in opts[1:]]
    assert set(labels) == set(ex.ds.athletes["name"])
    assert {aid for _, aid in opts[1:]} == set(ex.ds.athletes["athlete_id"])


@pytest.mark.slow  # long-running
def test_a_name_two_athletes_share_carries_the_id(raw):
    ds = hf.load_dataset(raw / "squad")
    a = ds.athletes.copy()
    a.loc[1, "name"] = a.loc[2, "name"]
    import dataclasses

    labels = [lab for lab, _ in Explorer(dataclasses.replace(ds, athletes=a)).athlete_options()]
    shared = [lab for lab in labels if lab.startswith(str(a.loc[2, "name"]))]
    assert len(shared) == 2 and all(
        f"({a.loc[i, 'athlete_id']})" in " ".join(shared) for i in (1, 2)
    )


@pytest.mark.slow  # long-running
def test_choosing_an_athlete_gives_that_athletes_rows_only(ex):
    aid = str(ex.ds.athletes["athlete_id"].iloc[1])
    t = ex.tables(Selection(athlete_id=aid))
    for name, df in t.items():
        assert len(df), name
        assert set(df["athlete_id"]) == {aid}, name
    races = ex.view("races", Selection(athlete_id=aid)).table
    assert "athlete" not in races.columns  # the athlete's own list
    others = set(ex.ds.athletes.loc[ex.ds.athletes["athlete_id"] != aid, "name"])
    text = " ".join(
        v.title + v.words + " ".join(v.estimate) for v in ex.views(Selection(athlete_id=aid))
    )
    assert not [n for n in others if n in text]


def test_the_whole_squad_shows_every_athlete(ex):
    t = ex.tables(Selection())
    assert set(t["log"]["athlete_id"]) == set(ex.ds.athletes["athlete_id"])
    assert "athlete" in ex.view("races", Selection()).table.columns


def test_titles_and_estimate_follow_the_athlete_and_the_window(ex):
    aid = str(ex.ds.athletes["athlete_id"].iloc[1])
    name = ex.name(aid)
    squad = ex.view("relation", Selection(window_days=28))
    one = ex.view("relation", Selection(athlete_id=aid, window_days=21))
    assert "whole squad" in squad.title and "28 days" in squad.title
    assert name in one.title and "21 days" in one.title
    assert squad.estimate[0].startswith("The squad: per 100 more hip-flexor reps in the 28 days")
    assert one.estimate[0].startswith("The squad: per 100 more hip-flexor reps in the 21 days")
    assert one.estimate[1].startswith("You:")  # the athlete's own, pooled toward the squad
    assert name in ex.view("volume", Selection(athlete_id=aid)).title
    assert "200 m" in ex.view("fade", Selection(athlete_id=aid, event=200)).title
    assert all(v.words for v in ex.views(Selection(athlete_id=aid)))
    assert all(v.png.startswith(b"\x89PNG") for v in ex.views(Selection()) if v.name != "races")


def test_the_estimate_is_the_squad_reports_number(ex):
    from analysis.reports.pages.squad import SquadReport
    from analysis.reports.pages.squad_words import headline_words

    rep = SquadReport.from_dataset(ex.ds, event=400, window_days=35)
    words = headline_words(rep.effect(400), event=400, window_days=35)
    assert (
        ex.estimate_lines(Selection(window_days=35))[0]
        == "The squad: " + words[:1].lower() + words[1:]
    )


def test_a_window_change_redraws_only_the_views_that_use_the_window(ex):
    a, b = Selection(window_days=28), Selection(window_days=14)
    assert ex.stale(a, b) == ["relation", "races"]
    assert ex.stale(a, Selection(athlete_id="x")) == list(VIEWS)
    assert ex.stale(None, a) == list(VIEWS)
    assert ex.view("volume", a) is ex.view("volume", b)  # cached: same object
    assert ex.view("races", a) is not ex.view("races", b)
    assert "HF reps, 14 d before" in ex.view("races", b).table.columns


def test_the_date_range_keeps_races_and_days_inside_it(ex):
    lo, hi = ex.date_span()
    mid = lo + (hi - lo) / 2
    t = ex.tables(Selection(start=mid))
    assert len(t["races"]) and (pd.to_datetime(t["races"]["date"]).dt.date >= mid).all()
    assert (pd.to_datetime(t["log"]["date"]).dt.date >= mid).all()
    early = ex.tables(Selection(end=mid))
    assert len(early["races"]) + len(t["races"]) >= len(ex.tables(Selection())["races"])
    v = ex.view("relation", Selection(start=mid))
    assert f"{mid:%d %b %Y}" in v.title
    assert v.estimate != ex.view("relation", Selection()).estimate  # fewer races


def test_the_family_filter_keeps_those_families_in_the_volume_view(ex):
    t = ex.tables(Selection(families=("mobility",)))
    assert set(t["log"]["family"]) == {"mobility"}
    assert "Families shown: mobility" in ex.view("volume", Selection(families=("mobility",))).words


@pytest.mark.slow  # long-running
def test_a_view_links_to_the_report_page_that_exists(raw, tmp_path):
    ds = hf.load_dataset(raw / "squad")
    aid = str(ds.athletes["athlete_id"].iloc[1])
    (tmp_path / "athletes").mkdir()
    (tmp_path / "athletes" / f"{aid}.html").write_text("x")
    ex = Explorer(ds, reports_dir=tmp_path)
    assert ex.view("volume", Selection(athlete_id=aid)).link.endswith(f"athletes/{aid}.html")
    assert ex.view("relation", Selection()).link is None  # no squad.html there


# ---------------------------------------------------------------- the panel (no browser)
@pytest.mark.slow  # builds the whole panel
def test_the_panel_escapes_names_and_redraws_on_a_control_change(raw):
    pytest.importorskip("ipywidgets")
    panel = hf.explore(raw / "squad")
    evil_id = str(panel.explorer.ds.athletes["athlete_id"].iloc[0])
    panel.athlete.value = evil_id
    title = panel.parts["relation"]["title"].value
    assert "<img" not in title and "&lt;img src=x" in title
    assert "&amp;" in panel.status.value or "&lt;img" in panel.status.value
    assert "You:" in panel.parts["relation"]["estimate"].value
    panel.window.value = 14
    assert "14 days" in panel.parts["relation"]["title"].value
    assert panel.last_redraw_s < 30
    races = panel.parts["races"]["table"].value
    assert "<img" not in races


@pytest.mark.slow  # builds the whole panel
def test_the_panel_offers_the_squad_folders_of_data_raw(raw):
    pytest.importorskip("ipywidgets")
    (raw / "empty-squad").mkdir(exist_ok=True)
    panel = hf.explore(raw / "squad")
    assert [label for label, _ in panel.folder.options] == ["empty-squad", "squad"]
    panel.folder.value = str((raw / "empty-squad").resolve())  # no roster: said, not raised
    assert "empty-squad" in panel.status.value
    assert panel.folder_path.name == "squad"


@pytest.mark.slow  # builds the whole panel
def test_typing_a_new_folder_name_chooses_a_new_folder(raw):
    pytest.importorskip("ipywidgets")
    from analysis.explorer.panel import NEW_FOLDER

    panel = hf.explore(raw / "squad")
    assert panel.upload_folder.value == "squad"
    panel.upload_new.value = "juniors"
    assert panel.upload_folder.value == NEW_FOLDER


@pytest.mark.slow  # builds the whole panel
def test_the_panel_copies_an_upload_and_shows_what_inspect_finds(raw):
    pytest.importorskip("ipywidgets")
    panel = hf.explore(raw / "squad")
    roster = (raw / "squad" / "athletes.csv").read_bytes()
    log = b"Athlete,Date,Exercise,Sets x Reps\nA01,2026-03-02,Hanging knee raise,3x10\n"
    out = panel.copy_files("new squad", [("athletes.csv", roster), ("my log.csv", log)])
    assert (raw / "new squad" / "my log.csv").read_bytes() == log
    assert "reads as: training log" in out[1]
    assert "new squad" in [label for label, _ in panel.folder.options]
    assert "no athletes.csv roster" not in out[1]
    alone = panel.copy_files("no roster yet", [("log.csv", log)])[0]
    assert "no athletes.csv roster yet" in alone


# ---------------------------------------------------------------- the upload path
def test_an_upload_lands_in_the_chosen_folder_under_a_safe_name(tmp_path):
    p = save_upload(tmp_path, "squad", "Zoë's log: week 1.CSV", b"a,b\n")
    assert p == tmp_path.resolve() / "squad" / "Zoe_s log_ week 1.csv"
    assert p.read_bytes() == b"a,b\n"


def test_an_existing_file_is_never_overwritten(tmp_path):
    (tmp_path / "squad").mkdir()
    old = tmp_path / "squad" / "log.csv"
    old.write_bytes(b"the coach's own\n")
    p2 = save_upload(tmp_path, "squad", "log.csv", b"new\n")
    p3 = save_upload(tmp_path, "squad", "log.csv", b"newer\n")
    assert old.read_bytes() == b"the coach's own\n"
    assert (p2.name, p3.name) == ("log (2).csv", "log (3).csv")
    assert p2.read_bytes() == b"new\n"


@pytest.mark.parametrize(
    ("folder", "name"),
    [("../../outside", "x.csv"), ("squad", "../../../etc/passwd.csv"), ("/etc", "x.csv"),
     ("..", "..\\..\\x.csv"), ("squad/../../up", "x.xlsx"), (".", ".csv"), ("", "a.csv")],
)  # fmt: skip
def test_a_hostile_name_cannot_escape_data_raw(tmp_path, folder, name):
    raw = tmp_path / "raw"
    raw.mkdir()
    p = save_upload(raw, folder, name, b"x")
    assert p.resolve().parent.parent == raw.resolve()
    assert p.suffix in (".csv", ".xlsx")
    assert not list(tmp_path.glob("*.csv")) and sorted(tmp_path.iterdir()) == [raw]


def test_a_folder_that_links_out_of_data_raw_is_refused(tmp_path):
    raw, outside = tmp_path / "raw", tmp_path / "outside"
    raw.mkdir()
    outside.mkdir()
    os.symlink(outside, raw / "linked")
    with pytest.raises(DataError, match="not inside data/raw"):
        save_upload(raw, "linked", "x.csv", b"x")
    assert not list(outside.iterdir())


def test_a_file_hipflex_cannot_read_is_refused_with_a_reason():
    with pytest.raises(DataError, match=r"reads \.csv and \.xlsx"):
        safe_file_name("notes.exe")


@given(folder=st.text(max_size=40), name=st.text(max_size=60))
def test_any_names_land_inside_data_raw_or_are_refused(tmp_path_factory, folder, name):
    raw = tmp_path_factory.mktemp("h") / "raw"
    raw.mkdir()
    try:
        p = save_upload(raw, folder, name + ".csv", b"x")
    except DataError:
        return
    assert p.resolve().parent.parent == raw.resolve() and p.read_bytes() == b"x"


# ---------------------------------------------------------------- hipflex app
def test_hipflex_app_listens_on_localhost_and_says_where(monkeypatch, tmp_path, capsys):
    from analysis.explorer import app

    seen = {}

    class FakeVoila:
        def __init__(self, cmd, env):
            seen["cmd"], seen["env"] = cmd, env

        def wait(self):
            return 0

        def poll(self):
            return 0

    monkeypatch.setattr(app, "_spawn", FakeVoila)
    (tmp_path / "sq").mkdir()
    from analysis.cli import main

    assert main(["app", str(tmp_path / "sq"), "--port", "8999", "--no-browser"]) == 0
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8999/" in out
    cmd = seen["cmd"]
    assert "--Voila.ip=127.0.0.1" in cmd and "--port=8999" in cmd and "--no-browser" in cmd
    assert "--Voila.port_retries=0" in cmd and "--strip_sources=True" in cmd
    # the template without the CDN style sheets, found through JUPYTER_PATH
    assert "--template=hipflex" in cmd
    assert not [c for c in cmd if "allowlist" in c or "root_dir" in c]  # no reports: no files
    first = Path(seen["env"]["JUPYTER_PATH"].split(os.pathsep)[0])
    page = (first / "voila" / "templates" / "hipflex" / "index.html.j2").read_text()
    assert "extends 'lab/index.html.j2'" in page and "cdn.jsdelivr.net" in page


def test_hipflex_app_serves_the_report_pages_and_never_a_notebook(tmp_path):
    from analysis.explorer.app import app_notebook, voila_command

    cmd = voila_command(tmp_path / "nb.ipynb", host="127.0.0.1", port=1, browser=False,
                        reports=tmp_path)  # fmt: skip
    assert f"--Voila.root_dir={tmp_path}" in cmd
    allow = [c.split("=", 1)[1] for c in cmd if "file_allowlist" in c]
    import re

    assert allow and re.fullmatch(allow[0], "athletes/A01.html")
    assert not re.fullmatch(allow[0], "hipflex-app-x/hipflex.ipynb")
    code = app_notebook(tmp_path / "sq", tmp_path).cells[0].source
    assert 'link_base="voila/files/"' in code and "reports_dir=" in code


def test_hipflex_app_on_a_missing_folder_is_one_line_and_exit_2(tmp_path, capsys):
    from analysis.cli import main

    assert main(["app", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "data folder not found" in err


def test_explore_notebook_opens_on_the_explorer_cell():
    import nbformat

    nb = nbformat.read(Path(__file__).parent.parent / "notebooks" / "explore.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].source == 'import analysis as hf\n\nhf.explore("../data/raw/sample")'


def test_date_helpers_accept_dates(ex):
    lo, hi = ex.date_span()
    assert isinstance(lo, dt.date) and lo <= hi
