"""From an executed notebook to the files at the pinned paths: the HTML export (nbconvert,
code hidden, no MathJax, nothing loaded from outside the page), the page of a failed report,
atomic renames that only the run still writing into ``OUT`` may make.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import threading
from pathlib import Path

from ..pages.html import INDEX_CSS, error_summary, href
from .jobs import REMOVE_TAGS, RUN_FILE, STATE_DIR, report_parameters

#: The lab template with nothing fetched from outside the page: no require.js, no
#: mermaid, no widget manager from a CDN (a coach opens reports offline or on a locked-down
#: laptop; the CSS is inlined by nbconvert, figures are embedded).
_SELF_CONTAINED = (
    "{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}\n"
    "{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}\n"
    "{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}\n"
)

#: ... and without MathJax (a CDN script): no page typesets a ``$...$`` of the data (a
#: name, a meet, a cohort value) as maths (nbconvert #1770 / #1551: override the block).
#: Notebooks of your own get the same page: maths in their prose shows as its TeX source,
#: which is the price of a page that loads nothing from outside its file.
TEMPLATE = (
    "{%- extends 'lab/index.html.j2' -%}\n"
    + _SELF_CONTAINED
    + "{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}\n"
)


class StaleRun(RuntimeError):
    """A newer ``hipflex report`` run owns ``OUT``: this (older) one must not write into it."""


_EXPORT_LOCK = threading.Lock()


@functools.lru_cache(maxsize=1)
def _exporter():
    """The HTML exporter of a worker, built once (its Jinja templates
    are compiled on first use and kept: building one per report compiled ~10 templates
    each time). It keeps no state between notebooks; resources are per call."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    c = Config()
    c.TagRemovePreprocessor.remove_cell_tags = set(REMOVE_TAGS)
    c.TagRemovePreprocessor.enabled = True
    loader = DictLoader({"hipflex.html.j2": TEMPLATE})
    template = {"extra_loaders": [loader], "template_file": "hipflex.html.j2"}
    exporter = HTMLExporter(
        config=c,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        **template,
    )
    exporter.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
    return exporter


def _export_html(nb, title: str = "hipflex report") -> str:
    """HTML of an executed notebook: code hidden, prompts hidden, figures embedded, nothing
    loaded from outside the page (no require.js, mermaid, widgets or MathJax)."""
    with _EXPORT_LOCK:  # the exporter registers a filter per call: one export at a time
        body, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


def _stopped_note(nb, message: str) -> None:
    """Put a visible note at the top of a notebook that did not finish."""
    import nbformat

    from ...templating import render

    cell = nbformat.v4.new_markdown_cell(render("stopped_note.html.j2", message=message))
    cell.metadata["tags"] = ["hipflex-error"]
    nb.cells.insert(0, cell)


def _failure_page(title: str, target: str, error: str) -> str:
    """The HTML page of a report that failed: a short, escaped summary and links to the
    executed notebook (which keeps the full error) and to the index — no traceback."""
    from markupsafe import Markup

    from ...templating import render

    depth = target.count("/")
    return render(
        "failure.html.j2",
        css=Markup(INDEX_CSS),
        title=title,
        error=error_summary(error),
        nb_href=href(Path(target).name + ".ipynb"),
        nb_name=Path(target).name + ".ipynb",
        index_href=href("../" * depth + "index.html"),
    )


def _current_run(out: Path) -> str | None:
    """The id of the run that owns ``OUT`` now (``OUT/.hipflex/run``); None when no run
    claimed that folder (a private output folder, e.g. on a cluster worker)."""
    try:
        return (out / STATE_DIR / RUN_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError:
        return ""


def _owned_by_other(out: Path, run_id: str) -> bool:
    """Whether a run other than ``run_id`` owns ``OUT`` (then ``run_id`` must not write)."""
    if not run_id:
        return False
    current = _current_run(out)
    return current is not None and current != run_id


def _write_owned(target: Path, data: bytes, out: Path, run_id: str) -> str:
    """Write ``data`` to ``target`` atomically, as run ``run_id``; return its SHA-256.

    The temporary file carries the run id; the rename happens only if ``run_id`` still owns
    ``OUT`` (a worker of a killed run that outlived its parent can never replace a newer
    run's page). Any failure removes the temporary file and leaves the old page intact.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.{run_id or 'x'}.{os.getpid()}.tmp"
    try:
        tmp.write_bytes(data)  # created with the umask in effect (0666 & ~umask)
        if _owned_by_other(out, run_id):
            raise StaleRun(f"a newer run owns {out.name}; {target.name} not written")
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return hashlib.sha256(data).hexdigest()


def finalize(tmp_nb: Path, out: Path, target: str, spec: dict, error: str | None) -> str:
    """Export HTML and move the executed notebook to its pinned path (both atomically);
    return the SHA-256 of the page written.

    A failed report keeps its executed notebook, error included; its HTML page is a short
    summary with a link to that notebook (:func:`_failure_page`), not a traceback. Nothing
    is written once a newer run owns ``OUT`` (:class:`StaleRun`).
    """
    import nbformat

    run_id = str(spec.get("run_id") or "")
    if _owned_by_other(out, run_id):
        raise StaleRun(f"a newer run owns {out.name}; {target} not written")
    ipynb = out / (target + ".ipynb")
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
        _stopped_note(nb, error_summary(error))
    no_server_paths(nb, spec)
    title = spec.get("title") or target
    page = _failure_page(title, target, error) if error else _export_html(nb, title)
    digest = _write_owned(out / (target + ".html"), page.encode("utf-8"), out, run_id)
    _write_owned(ipynb, nbformat.writes(nb).encode("utf-8"), out, run_id)
    with contextlib.suppress(OSError):
        tmp_nb.unlink()
    return digest


def no_server_paths(nb, spec: dict) -> None:
    """Take the server's paths out of an executed notebook, as the pages do: the data
    folder shows as its name only (``data_dir = "season-2026"``) in the injected
    parameters, the outputs and papermill's metadata, whose notebook paths keep their file
    names only; the run's snapshot (the ``tables`` parameter, removed after the run) shows
    as ``None``. ``spec["data_name"]``, when given, is the name shown (a cluster worker's
    copy of the folder shows as the coach's folder)."""
    data_dir = str((spec.get("parameters") or {}).get("data_dir") or "")
    name = str(spec.get("data_name") or Path(data_dir).name) if data_dir else ""
    tables = str(report_parameters(spec).get("tables") or "") if spec.get("parameters") else ""
    if tables:  # the run's snapshot is gone after the run: the notebook reads data_dir
        for cell in nb["cells"]:
            if cell.get("cell_type") == "code" and tables in cell.get("source", ""):
                cell["source"] = cell["source"].replace(f'"{tables}"', "None")
    if data_dir and name != data_dir:
        for cell in nb["cells"]:
            if data_dir in cell.get("source", ""):
                cell["source"] = cell["source"].replace(data_dir, name)
            for output in cell.get("outputs", ()):
                if isinstance(output.get("text"), str) and data_dir in output["text"]:
                    output["text"] = output["text"].replace(data_dir, name)
                if isinstance(output.get("evalue"), str):
                    output["evalue"] = output["evalue"].replace(data_dir, name)
                if isinstance(output.get("traceback"), list):
                    output["traceback"] = [
                        t.replace(data_dir, name) if isinstance(t, str) else t
                        for t in output["traceback"]
                    ]
                for key, value in (output.get("data") or {}).items():
                    if isinstance(value, str) and data_dir in value:
                        output["data"][key] = value.replace(data_dir, name)
    meta = nb.get("metadata", {}).get("papermill")
    if isinstance(meta, dict):
        params = meta.get("parameters")
        if isinstance(params, dict) and data_dir and params.get("data_dir") == data_dir:
            params["data_dir"] = name
        if isinstance(params, dict) and tables and params.get("tables") == tables:
            params["tables"] = None
        for key in ("input_path", "output_path"):
            if isinstance(meta.get(key), str):
                meta[key] = re.split(r"[/\\]", meta[key])[-1]


def tmp_notebook(out: Path, target: str, run_id: str = "") -> Path:
    """Where papermill writes a report's notebook while it runs (one folder per run)."""
    return out / STATE_DIR / "tmp" / (run_id or "run") / (target.replace("/", "__") + ".ipynb")


#: The old name (tests and scripts use it).
_finalize = finalize
