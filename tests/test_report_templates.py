"""Every HTML fragment the package writes comes from an autoescaping template (issue 13).

Hostile text — ``<script>``, ``&``, ``$…$`` and both quotes — is fed through every template
by the functions that render them; it must come out escaped, with the ``$`` literal, and
fragments shown in JupyterLab marked ``tex2jax_ignore``.
"""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

import analysis as hf
from analysis import templating
from analysis.reports.batch import export, index
from analysis.reports.batch.jobs import ReportJob, ReportStatus
from analysis.reports.pages.display import paragraph, synthetic_banner, table_html

EVIL = """<script>alert("x")</script> Fast & 'furious' $x^2$ "q" """
ESCAPED = (
    "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Fast &amp; &#39;furious&#39; $x^2$ &#34;q&#34;"
)


class _Text(HTMLParser):
    """The text of a page and the classes of the elements around each piece of it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.pieces: list[tuple[str, set[str]]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in ("br", "meta"):
            self.stack.append(dict(attrs).get("class") or "")

    def handle_endtag(self, tag):
        if tag not in ("br", "meta") and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        classes = {c for s in self.stack for c in s.split()}
        self.pieces.append((data, classes))


def _check(markup: str, *, maths_guard: bool) -> None:
    assert "<script" not in markup.lower()
    assert ESCAPED in markup or ESCAPED.replace("&#34;", "&quot;") in markup, markup[:2000]
    p = _Text()
    p.feed(markup)
    assert "script" not in p.tags
    hits = [cls for text, cls in p.pieces if "$x^2$" in text]
    assert hits, "the $…$ text is kept literally"
    if maths_guard:
        assert all("tex2jax_ignore" in cls for cls in hits)


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    seen: set[str] = set()
    real = templating.render

    def spy(name, /, **ctx):
        seen.add(name)
        return real(name, **ctx)

    monkeypatch.setattr(templating, "render", spy)
    return seen


def _ds(tmp_path: Path):
    folder = tmp_path / "data $x^2$ & co"
    (folder / "logs").mkdir(parents=True)
    roster = {"athlete_id": ["A1"], "name": [EVIL], "sex": ["F"], "birth_date": ["2004-01-01"],
              "squad": [EVIL]}  # fmt: skip
    pd.DataFrame(roster).to_csv(folder / "athletes.csv", index=False)
    log = {"Athlete": ["A1"], "Date": ["2026-03-02"], "Exercise": [EVIL], "Sets x Reps": ["3x10"]}
    pd.DataFrame(log).to_csv(folder / "logs" / "log.csv", index=False)
    (folder / "SYNTHETIC.md").write_text("x", encoding="utf-8")
    return hf.load_dataset(folder, today=pd.Timestamp("2026-12-01").date())


def test_every_template_escapes_hostile_text(tmp_path: Path, rendered: set[str]) -> None:
    ds = _ds(tmp_path)
    # the Dataset summary JupyterLab shows
    _check(ds._repr_html_(), maths_guard=True)
    # notebook helpers
    _check(paragraph(EVIL).data, maths_guard=True)
    table = table_html(pd.DataFrame({EVIL: [EVIL, 1.5]}), caption=EVIL).data
    _check(table, maths_guard=True)
    assert table.count(ESCAPED) == 3  # header, cell, caption
    assert "SYNTHETIC DATA" in synthetic_banner(ds).data
    # the athlete report's header (name, id and roster details)
    from analysis.reports.pages.athlete import AthleteReport

    rep = AthleteReport.build(str(ds.data_dir), "A1", event=400, window_days=28)
    _check(rep.header().data, maths_guard=True)
    # the failure page and the note put at the top of a notebook that did not finish
    page = export._failure_page(EVIL, "athletes/A1", EVIL)
    _check(page, maths_guard=False)
    assert "href='A1.ipynb'" in page and "href='../index.html'" in page
    import nbformat

    nb = nbformat.v4.new_notebook()
    export._stopped_note(nb, EVIL)
    _check(nb.cells[0].source, maths_guard=True)
    # the index page: folder name, titles, errors and paths from the data
    job = ReportJob("athlete", "A1", EVIL, "nb.ipynb", "athletes/A1", {}, "d")
    sts = [ReportStatus(job, "failed", error=EVIL), ReportStatus(job, "ok")]
    out = tmp_path / "out"
    path = index.write_index(out, sts, {}, ds, Path(ds.data_dir), time.time(), 1.0)
    html = path.read_text(encoding="utf-8")
    _check(html, maths_guard=False)
    assert "href='athletes/A1.ipynb'" in html and "SYNTHETIC DATA" in html
    # the squad report's boxes: its answer, the bullets, the takeaway opening athlete pages
    from analysis.reports.pages import squad

    _check(squad.headline_html(EVIL, EVIL).data, maths_guard=True)
    _check(squad.bullets([EVIL, "plain"]).data, maths_guard=True)
    _check(squad.takeaway_html([EVIL]).data, maths_guard=True)
    box = squad.exploratory_html(EVIL, [EVIL, EVIL]).data
    _check(box, maths_guard=True)
    assert box.count(ESCAPED) == 3
    # the index's opening sections: from the data set, then every field hostile
    from analysis.reports.pages import season

    res = season.season_outputs(ds, out, {"A1": f"athletes/{EVIL}.html"})
    assert not res.problems, res.problems
    assert "<script" not in res.html.lower() and "Needs a look" in res.html
    row = {"who": EVIL, "href": season._href(f"athletes/{EVIL}.html")}
    top = season.season_html(
        attention=[{**row, "kind": EVIL, "what": EVIL}],
        adherence=[
            {
                **row,
                "weeks": EVIL,
                "planned": "1",
                "done": "2",
                "pct": EVIL,
                "low": True,
                "quiet": 0,
            }
        ],
        exports_name=f"exports/{EVIL}.xlsx",
        problems=[EVIL],
        csv_name=EVIL,
    )
    _check(top, maths_guard=False)
    assert top.count(ESCAPED) >= 7  # kind, two names, what, weeks, %, problem, csv, export
    assert "%3Cscript%3E" in top  # links are URL-quoted, then escaped
    html = index.write_index(out, sts, {}, ds, Path(ds.data_dir), time.time(), 1.0,
                             top=top).read_text(encoding="utf-8")  # fmt: skip
    _check(html, maths_guard=False)
    assert "Needs a look" in html and "Plan adherence" in html

    # the explorer panel's pieces (analysis.explorer.panel renders them, one kind each)
    def part(kind: str, **values: object) -> str:
        base = {"text": "", "title": "", "lines": [], "href": None, "shown": None}
        return templating.render("explorer_part.html.j2", kind=kind, **{**base, **values})

    for kind in ("heading", "paragraph", "error"):
        _check(part(kind, text=EVIL), maths_guard=kind != "heading")
    _check(part("intro", title=EVIL, text=EVIL), maths_guard=False)
    _check(part("estimate", lines=[EVIL, "plain"]), maths_guard=True)
    lines = part("lines", lines=[EVIL, "", EVIL])
    _check(lines, maths_guard=True)
    assert lines.count("<br>") == 2
    linked = part("words", text=EVIL, href=f"/reports/{EVIL}.html")
    _check(linked, maths_guard=True)
    assert linked.count(ESCAPED) == 2 and "Open the report page" in linked
    _check(part("words", text="plain", shown=EVIL), maths_guard=True)
    assert rendered == set(templating.template_names()), "a template without a test"


def test_templates_are_package_data_with_autoescape() -> None:
    from jinja2 import UndefinedError

    env = templating.environment()
    names = templating.template_names()
    assert len(names) >= 8 and all(n.endswith(".html.j2") for n in names)
    assert templating.render("paragraph.html.j2", text="<b>", css="") == (
        '<p class="tex2jax_ignore">&lt;b&gt;</p>'
    )
    for name in set(names) - {"synthetic_banner.html.j2"}:
        with pytest.raises(UndefinedError):  # a value left out is an error, not a blank
            env.get_template(name).render()


def test_no_module_of_the_package_builds_html_by_hand() -> None:
    root = Path(hf.__file__).resolve().parent
    tag = re.compile(r"""["'f]<(?:!DOCTYPE|html|div|p|table|tr|td|li|h[1-6])\b""", re.I)
    found = [
        f"{p.relative_to(root)}:{i}"
        for p in sorted(root.rglob("*.py"))
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if tag.search(line) and not line.lstrip().startswith(("#", ">>>"))
    ]
    assert not found, found
