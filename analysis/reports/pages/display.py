"""What the report notebooks show: tables, numbers and sentences, built from the package.

The notebooks in ``notebooks/`` hold prose, parameters and calls to this package only, so
that every number a coach reads is computed (and tested) here. Every text that comes from
the data (names, notes, file names, exercise spellings) is HTML-escaped before display,
and every block of it is marked ``tex2jax_ignore`` so that MathJax (JupyterLab, or an HTML
export that loads it) never typesets a ``$...$`` in a name as maths; figures get the same
treatment through :func:`analysis.plots._style.literal`.

Each report also records its key numbers with :func:`record` as a machine-readable output
(``application/vnd.hipflex.results+json``) that tests read from the executed notebook; the
cell is removed from the HTML export.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from ...dataset import Dataset

RESULTS_MIME = "application/vnd.hipflex.results+json"


#: Class that tells MathJax (2 and 3, JupyterLab included) to leave a block alone.
NO_MATHS = "tex2jax_ignore"


def esc(value: object) -> str:
    """HTML-escape any value for display (``None``/NA as an empty string)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return html.escape(str(value), quote=True)


def _text(value: object) -> str:
    """Any value as plain text (``None``/NA as an empty string); templates escape it."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def html_output(markup: str):
    from IPython.display import HTML

    return HTML(markup)


def paragraph(text: str, *, css: str = "") -> object:
    """An escaped paragraph for display in a notebook (never typeset as maths)."""
    from ...templating import render

    return html_output(render("paragraph.html.j2", text=_text(text), css=css))


def _format_column(col: pd.Series, float_format: str) -> pd.Series:
    """Display text of one column: integers without decimals, floats rounded, NA as a dash."""
    if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
        return col.astype("object").map(lambda v: "–" if v is None or pd.isna(v) else str(v))
    values = col.astype("Float64")
    whole = values.dropna()
    integral = pd.api.types.is_integer_dtype(col) or (
        len(whole) > 0 and bool((whole % 1 == 0).all()) and bool((whole.abs() >= 100).all())
    )
    fmt = "{:.0f}" if integral else float_format
    return values.astype("object").map(lambda v: "–" if pd.isna(v) else fmt.format(v))


def table_html(df: pd.DataFrame, *, caption: str = "", float_format: str = "{:.2f}") -> object:
    """A DataFrame as an HTML table: every cell escaped, numbers rounded, NA shown as a dash."""
    from ...templating import render

    shown = pd.DataFrame(
        {c: _format_column(df[c], float_format) for c in df.columns}, index=df.index
    )
    return html_output(
        render(
            "table.html.j2",
            caption=caption,
            columns=[str(c) for c in df.columns],
            rows=shown.astype("object").to_numpy().tolist(),
        )
    )


def record(results: dict) -> None:
    """Display ``results`` as machine-readable output (read by tests; hidden in HTML)."""
    from IPython.display import display

    clean = {k: _jsonable(v) for k, v in results.items()}
    display({RESULTS_MIME: clean, "text/plain": "hipflex results recorded"}, raw=True)


def _jsonable(v: object) -> object:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, np.integer | int) and not isinstance(v, bool):
        return int(v)
    if isinstance(v, np.floating | float):
        return float(v)
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat()
    return v if isinstance(v, str | bool) else str(v)


def synthetic_banner(ds: Dataset) -> object:
    """A prominent notice when the data are synthetic (``hipflex sample``), else nothing."""
    from ...templating import render

    return html_output(render("synthetic_banner.html.j2") if ds.synthetic else "")
