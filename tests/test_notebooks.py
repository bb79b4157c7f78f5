"""The report notebooks executed by papermill on a small fixture, through ``build_reports``.

Fixture: ``write_sample(athletes=3, seed=1)`` with a roster cut down to two cohort columns
(``sex``: A01 and A03 are F, A02 is M; ``squad``: A01 and A03 share a value full of HTML
and mathtext), athlete A01 renamed to a name full of HTML and a ``$\\frac$`` (their old
spellings kept as aliases, so the logs still resolve), one meet renamed likewise, and one
log row naming an unknown athlete written as an HTML tag. One batch runs 7 reports (the
squad's answer, data quality, two cohorts, three athletes); the tests read the numbers each notebook recorded
(display outputs of type ``application/vnd.hipflex.results+json``) and the HTML pages.

The package is edited by others while these tests run: the code part of the report
digests is frozen for this module, so that "unchanged" means unchanged data.
"""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pandas as pd
import pytest

import analysis as hf
from analysis import fingerprint as hf_fp
from analysis import reports as rp
from analysis.cli import main as cli_main
from analysis.sample import write_sample

pytestmark = pytest.mark.slow

RESULTS_MIME = "application/vnd.hipflex.results+json"
EVIL_NAME = '<script>alert("x")</script> Nuñez & Co $\\frac$'
EVIL_COHORT = "<b>std</b> $\\frac$ & <script>x</script>"
EVIL_MEET = "Meet <script>alert(2)</script> & $\\frac{1}{2}$"
EVIL_UNKNOWN = "<img src=x onerror=alert(1)>"


def _make_data(d: Path) -> Path:
    write_sample(d, athletes=3, seed=1, today="2026-11-01")
    roster = pd.read_csv(d / "athletes.csv", dtype=str, keep_default_na=False)
    roster = roster[["athlete_id", "name", "sex", "birth_date", "aliases"]]
    roster.loc[0, "aliases"] = "Deirdre Nuñez;Dee Nunez"
    roster.loc[0, "name"] = EVIL_NAME
    roster.insert(4, "squad", [EVIL_COHORT, "plain", EVIL_COHORT])
    roster.to_csv(d / "athletes.csv", index=False)
    plan = pd.read_csv(d / "plan.csv", dtype=str, keep_default_na=False)
    plan.assign(Group="All").to_csv(d / "plan.csv", index=False)  # the squads were renamed
    meets = d / "results" / "meets_2026.csv"
    text = meets.read_text(encoding="utf-8")
    assert any(  # a race of A01 at the meet that gets the evil name
        line.startswith("Deirdre Nuñez,") and ",Regional Championships," in line
        for line in text.splitlines()
    )
    meets.write_text(text.replace("Regional Championships", EVIL_MEET), encoding="utf-8")
    with open(d / "logs" / "coach_a_2026.csv", "a", encoding="utf-8") as f:
        f.write(f'"{EVIL_UNKNOWN}",12/01/2026,High Knees,2 x 50 m,\n')
    return d


def _recorded(path: Path) -> dict:
    nb = nbformat.read(path, as_version=4)
    out: dict = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            value = o.get("data", {}).get(RESULTS_MIME)
            if value is not None:
                out.update(json.loads(value) if isinstance(value, str) else value)
    return out


def _text(path: Path) -> str:
    """An HTML page without its embedded images (base64 may spell anything)."""
    html = path.read_text(encoding="utf-8")
    return re.sub(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=\s]+", "data:image", html)


@pytest.fixture(scope="module", autouse=True)
def _frozen_code():
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(hf_fp, "code_digest", lambda: "package source frozen for these tests")
        yield


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("reports")
    data = _make_data(root / "raw")
    out = root / "out"
    result = rp.build_reports(data, out, jobs=2, timeout=300, progress=False)
    return data, out, result


def test_the_batch_produces_every_pinned_report(batch):
    _, out, result = batch
    assert result.ok, result.summary()
    assert sorted(r.html_path for r in result.reports) == [
        "athletes/A01.html",
        "athletes/A02.html",
        "athletes/A03.html",
        "cohorts/sex.html",
        "cohorts/squad.html",
        "data_quality.html",
        "squad.html",
    ]
    for r in result.reports:
        assert (out / r.html_path).is_file() and (out / r.ipynb_path).is_file()
    assert (out / "index.html").is_file()
    assert not list((out / ".hipflex" / "tmp").glob("*.ipynb"))  # every temp file renamed


def test_athlete_report_records_its_own_athlete_only(batch):
    data, out, _ = batch
    ds = hf.load_dataset(data).athlete("A02")
    rec = _recorded(out / "athletes/A02.ipynb")
    assert rec["athlete_id"] == "A02"
    assert rec["athletes_in_data"] == ["A02"]
    assert rec["log_rows"] == len(ds.log)
    assert rec["races"] == len(ds.races)
    # the sample's A02 is its 200 m athlete (squad "200" in the generated roster): the
    # report is about the event they race most, not the default 400
    assert rec["event"] == 200
    html = _text(out / "athletes/A02.html")
    for other in ("Deirdre", "Nuñez", "Marisol", "A01", "A03"):
        assert other not in html, other


def test_athlete_page_opens_with_the_squad_takeaway_its_kernel_did_not_compute(batch):
    # hipflex report passes the lines it computed once for the batch (the kernel never
    # loads or fits the squad): they are the ones the notebook computes on its own
    data, out, result = batch
    job = next(r.job for r in result.reports if r.job.key == "A03")
    ev = job.parameters["event"]
    lines = rp.athlete_takeaway(str(data), "A03", event=ev, window_days=28)
    assert job.parameters["takeaway"] == lines
    page = unescape(_text(out / "athletes/A03.html"))
    for line in lines:
        assert line in page
    nb = nbformat.read(out / "athletes/A03.ipynb", as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "takeaway = [" in code  # given as a parameter, not made in the kernel


def test_athlete_report_states_the_estimate_with_its_interval(batch):
    _, out, _ = batch
    rec = _recorded(out / "athletes/A03.ipynb")
    assert rec["n"] >= 3
    assert rec["ci_low"] < rec["slope_per_100"] < rec["ci_high"]
    html = (out / "athletes/A03.html").read_text(encoding="utf-8")
    assert "95" in html and "per 100" in html


def test_cohort_report_records_the_groups_of_the_roster_column(batch):
    _, out, _ = batch
    rec = _recorded(out / "cohorts/sex.ipynb")
    assert rec["column"] == "sex"
    assert {k: v["athletes"] for k, v in rec["cohorts"].items()} == {"F": 2, "M": 1}


def test_data_quality_report_records_the_planted_faults(batch):
    data, out, _ = batch
    rec = _recorded(out / "data_quality.ipynb")
    truth = json.loads((data / "truth.json").read_text(encoding="utf-8"))
    planted_log = truth["faults"]["rejected"]  # 4 log rows, one of them an unknown athlete
    assert len(planted_log) == 4
    # + our unknown name + the generator's one result row with an unsupported event (100 m)
    assert rec["rejected"] == 4 + 1 + 1
    assert rec["reasons"]["unknown athlete"] == 2
    assert rec["duplicates"] == len(truth["faults"]["duplicate"]) == 1
    assert rec["balanced"] is True
    assert rec["skipped"] == truth["faults"]["skipped"]
    assert set(rec["unmapped"]) == {"stir the pot", "hurdle walkovers"}
    html = (out / "data_quality.html").read_text(encoding="utf-8")
    assert EVIL_UNKNOWN not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_html_reports_hide_code_and_escape_names(batch):
    _, out, _ = batch
    html = (out / "athletes/A01.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html
    assert re.search(
        r"&lt;script&gt;alert\((&quot;|&#34;|\")x(&quot;|&#34;|\")\)&lt;/script&gt; Nuñez &amp; Co \$\\frac\$",
        html,
    )
    assert "<title>&lt;script&gt;" in html  # the page title is the (escaped) report title
    pages = ("athletes/A01.html", "cohorts/sex.html", "cohorts/squad.html", "data_quality.html")
    for page in pages:
        text = (out / page).read_text(encoding="utf-8")
        assert "load_dataset(" not in text and "import " not in text, page  # no code shown
        assert "data:image/png;base64," in text or page == "data_quality.html"
        assert "SYNTHETIC" in text
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in index and "SYNTHETIC DATA" in index


def test_names_cohorts_and_meets_with_html_and_dollars_show_literally(batch):
    # before: the squad report failed (matplotlib mathtext ParseSyntaxException on
    # "$\\frac$"), and MathJax typeset "$...$" of the HTML tables as maths
    _, out, result = batch
    assert result.ok, result.summary()
    squad = _text(out / "cohorts/squad.html")
    literal_cohort = "&lt;b&gt;std&lt;/b&gt; $\\frac$ &amp; &lt;script&gt;x&lt;/script&gt;"
    assert literal_cohort in squad and "<script>x" not in squad
    assert {
        k: v["athletes"] for k, v in _recorded(out / "cohorts/squad.ipynb")["cohorts"].items()
    } == {
        EVIL_COHORT: 2,
        "plain": 1,
    }
    a01 = _text(out / "athletes/A01.html")
    assert "Meet &lt;script&gt;alert(2)&lt;/script&gt; &amp; $\\frac{1}{2}$" in a01
    assert "Squad: " + literal_cohort in a01
    assert "<script>alert" not in a01
    for r in result.reports:  # no page loads MathJax: no "$...$" of the data becomes maths
        assert "mathjax" not in (out / r.html_path).read_text(encoding="utf-8").lower()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links += [v for k, v in attrs if k == "href" and v]


def _index_links(out: Path) -> list[str]:
    parser = _Links()
    parser.feed((out / "index.html").read_text(encoding="utf-8"))
    return parser.links


def test_every_link_of_the_index_resolves_to_a_file(batch):
    _, out, result = batch
    links = _index_links(out)
    # each report: its HTML and its notebook (the attention list links athlete pages again)
    wanted = {r.html_path for r in result.reports} | {r.ipynb_path for r in result.reports}
    assert wanted <= set(links) and len(set(links) - wanted) <= 2  # attention.csv, squad book
    for href in links:
        u = urlparse(href)
        assert not u.scheme and not u.netloc, href
        assert (out / unquote(u.path)).is_file(), href


def test_unchanged_rerun_skips_all_and_a_changed_log_reruns_only_its_dependents(batch):
    # runs last in this module: it changes the fixture's data
    data, out, _ = batch
    again = rp.build_reports(data, out, jobs=2, timeout=300, progress=False)
    assert again.ok and again.ran == []
    assert len(again.skipped) == 7

    # one new training entry for A03 (Marisol), appended so no other row moves
    with open(data / "logs" / "coach_a_2026.csv", "a", encoding="utf-8") as f:
        f.write("Marisol Ní Bhriain,14/01/2026,Hanging knee raise,3 x 12,\n")
    third = rp.build_reports(data, out, jobs=2, timeout=300, progress=False)
    assert third.ok, third.summary()
    assert sorted(r.job.target for r in third.ran) == [
        "athletes/A03",
        "cohorts/sex",
        "cohorts/squad",
        "data_quality",
        "squad",  # the squad's answer; A01/A02's takeaway text did not move: not rerun
    ]
    assert _recorded(out / "athletes/A03.ipynb")["log_rows"] == len(
        hf.load_dataset(data).athlete("A03").log
    )
    forced = rp.build_reports(data, out, jobs=2, timeout=300, progress=False, force=True)
    assert len(forced.ran) == 7


def test_cli_a_broken_athlete_report_fails_alone_and_the_exit_code_says_so(batch, tmp_path, capsys):
    data, _, _ = batch
    nb_dir = tmp_path / "nbs"
    nb_dir.mkdir()
    for name in rp.NOTEBOOKS.values():
        shutil.copy(rp.default_notebooks_dir() / name, nb_dir / name)
    nb = nbformat.read(nb_dir / "athlete_report.ipynb", as_version=4)
    i = next(k for k, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(
        i + 2,
        nbformat.v4.new_code_cell(
            'if athlete_id == "A02":\n    raise ValueError("corrupt log for " + athlete_id)'
        ),
    )
    nbformat.write(nb, nb_dir / "athlete_report.ipynb")
    out = tmp_path / "out"
    code = cli_main(
        ["report", str(data), "--out", str(out), "--notebooks", str(nb_dir), "--jobs", "2"]
    )
    assert code != 0
    err = capsys.readouterr().err
    assert "athletes/A02.html" in err and "corrupt log for A02" in err
    for ok in ("athletes/A01", "athletes/A03", "cohorts/sex", "cohorts/squad", "data_quality"):
        assert (out / f"{ok}.html").is_file(), ok
        assert "did not finish" not in (out / f"{ok}.html").read_text(encoding="utf-8"), ok
    # the failed report keeps its executed notebook, error included, linked from the index
    failed = nbformat.read(out / "athletes/A02.ipynb", as_version=4)
    errors = [
        o for c in failed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"
    ]
    assert errors and errors[0]["evalue"] == "corrupt log for A02"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Failed reports" in index and "corrupt log for A02" in index
    assert re.search(r"href='athletes/A02\.ipynb'", index)
    # its HTML page: a short summary and the link to the notebook, no traceback
    page = (out / "athletes/A02.html").read_text(encoding="utf-8")
    assert "did not finish" in page and "ValueError: corrupt log for A02" in page
    assert "href='A02.ipynb'" in page
    assert "Traceback" not in page and ".venv" not in page and "site-packages" not in page
    assert all((out / unquote(h)).is_file() for h in _index_links(out))
    # a failed report is never taken as up to date: the next run retries it, and only it
    capsys.readouterr()
    code = cli_main(["report", str(data), "--out", str(out), "--notebooks", str(nb_dir), "--quiet"])
    assert code == 1
    manifest = json.loads((out / ".hipflex" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["reports"]["athletes/A02"]["status"] == "failed"
    assert "7 reports: 0 ran, 6 unchanged, 1 failed" in capsys.readouterr().err
