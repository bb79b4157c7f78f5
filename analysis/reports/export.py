"""From an executed notebook to the files at the pinned paths: the HTML export (nbconvert,
code hidden, no MathJax), the page of a failed report, atomic renames.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

from ..io import write_text_atomic
from .index import INDEX_CSS, _href
from .jobs import REMOVE_TAGS, STATE_DIR

#: The lab template without MathJax: a report never typesets a ``$...$`` of the data
#: (a name, a meet, a cohort value) as maths (nbconvert #1770 / #1551: override the block).
NO_MATHS_TEMPLATE = (
    "{%- extends 'lab/index.html.j2' -%}\n"
    "{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}\n"
)


def _export_html(nb, title: str = "hipflex report", *, maths: bool = False) -> str:
    """HTML of an executed notebook: code hidden, prompts hidden, figures embedded.

    ``maths=False`` (the pinned reports) exports without MathJax; notebooks of your own
    keep it for their prose (hipflex's own outputs in them are marked ``tex2jax_ignore``).
    """
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    c = Config()
    c.TagRemovePreprocessor.remove_cell_tags = set(REMOVE_TAGS)
    c.TagRemovePreprocessor.enabled = True
    template = {}
    if not maths:
        template = {
            "extra_loaders": [DictLoader({"hipflex_no_maths.html.j2": NO_MATHS_TEMPLATE})],
            "template_file": "hipflex_no_maths.html.j2",
        }
    exporter = HTMLExporter(
        config=c,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        **template,
    )
    exporter.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


def _stopped_note(nb, message: str) -> None:
    """Put a visible note at the top of a notebook that did not finish."""
    import nbformat

    from ..templating import render

    cell = nbformat.v4.new_markdown_cell(render("stopped_note.html.j2", message=message))
    cell.metadata["tags"] = ["hipflex-error"]
    nb.cells.insert(0, cell)


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def error_summary(error: str, limit: int = 300) -> str:
    """One short line of an error for a coach: no colour codes, no traceback, cut at
    ``limit`` characters."""
    text = " ".join(_ANSI.sub("", error or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _failure_page(title: str, target: str, error: str) -> str:
    """The HTML page of a report that failed: a short, escaped summary and links to the
    executed notebook (which keeps the full error) and to the index — no traceback."""
    from markupsafe import Markup

    from ..templating import render

    depth = target.count("/")
    return render(
        "failure.html.j2",
        css=Markup(INDEX_CSS),
        title=title,
        error=error_summary(error),
        nb_href=_href(Path(target).name + ".ipynb"),
        nb_name=Path(target).name + ".ipynb",
        index_href=_href("../" * depth + "index.html"),
    )


def _finalize(tmp_nb: Path, out: Path, target: str, spec: dict, error: str | None) -> None:
    """Export HTML and move the executed notebook to its pinned path (both atomically).

    A failed report keeps its executed notebook, error included; its HTML page is a short
    summary with a link to that notebook (:func:`_failure_page`), not a traceback.
    """
    import nbformat

    ipynb = out / (target + ".ipynb")
    ipynb.parent.mkdir(parents=True, exist_ok=True)
    if tmp_nb.is_file():
        try:
            nb = nbformat.read(str(tmp_nb), as_version=4)
        except Exception:
            nb = nbformat.read(spec["notebook"], as_version=4)
    else:
        nb = nbformat.read(spec["notebook"], as_version=4)
    if error and not any(
        "papermill-error-cell-tag" in c.get("metadata", {}).get("tags", []) for c in nb.cells
    ):
        _stopped_note(nb, error)
    title = spec.get("title") or target
    page = (
        _failure_page(title, target, error)
        if error
        else _export_html(nb, title, maths=bool(spec.get("maths", False)))
    )
    write_text_atomic(out / (target + ".html"), page)
    write_text_atomic(ipynb, nbformat.writes(nb))
    with contextlib.suppress(OSError):
        tmp_nb.unlink()


def _tmp_notebook(out: Path, target: str) -> Path:
    return out / STATE_DIR / "tmp" / (target.replace("/", "__") + ".ipynb")
