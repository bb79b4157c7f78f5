"""The index's opening sections (``season.html.j2`` via :func:`season_html`): what is shown
when the attention list is empty, was not made, or something was not written."""

from __future__ import annotations

from analysis.reports.pages.season import season_html


def test_empty_list_says_nothing_needs_a_look_and_names_the_thresholds():
    html = season_html(attention=[], adherence=[], exports_name="")
    assert "Nothing needs a look tonight." in html and "<ul>" not in html
    assert "more than 50% on the week before" in html and "10 days or more" in html
    assert "href='attention.csv'" in html
    assert "Plan adherence" not in html and "Spreadsheets" not in html


def test_a_list_not_made_is_left_out_and_the_failure_named():
    html = season_html(attention=None, problems=["attention list not written: OSError: disk"])
    assert "Needs a look" not in html
    assert "<h2>Not written</h2>" in html and "OSError: disk" in html


def test_rows_link_to_the_athlete_page_and_flag_low_adherence():
    row = {"who": "Ana", "href": "athletes/S1.html", "weeks": "06 Jul – 27 Jul",
           "planned": "2,454", "done": "1,000", "pct": "41%", "low": True, "quiet": 1}  # fmt: skip
    html = season_html(
        attention=[{"who": "Ben", "href": "", "kind": "Not logging", "what": "12 days"}],
        adherence=[row, {**row, "who": "Cy", "pct": "96%", "low": False}],
        exports_name="exports/squad.xlsx",
    )
    assert "<span class='kind'>Not logging</span> Ben: 12 days" in html  # no page: no link
    assert "<a href='athletes/S1.html'>Ana</a>" in html
    assert "<td class='num low'>41%</td>" in html and "<td class='num'>96%</td>" in html
    assert "<td class='weeks'>06 Jul – 27 Jul</td>" in html
    assert "<a href='exports/squad.xlsx'>exports/squad.xlsx</a>" in html
