"""The interactive explorer: ``hf.explore(ds_or_folder)`` in JupyterLab, ``hipflex app``
as a page served by Voilà.

- :mod:`~analysis.explorer.state` — selections in, views out (no browser, no widgets);
- :mod:`~analysis.explorer.panel` — the ipywidgets panel over it;
- :mod:`~analysis.explorer.upload` — a coach's files copied into ``data/raw/`` safely;
- :mod:`~analysis.explorer.app` — ``hipflex app``: the panel served by Voilà.

The panel needs the ``hipflex[app]`` extra (ipywidgets; Voilà for the app).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .state import Explorer, Selection, View

if TYPE_CHECKING:
    from ..dataset import Dataset
    from .panel import ExplorerPanel


def explore(
    ds_or_folder: Dataset | str | os.PathLike[str],
    *,
    raw_root: str | os.PathLike[str] | None = None,
    reports_dir: str | os.PathLike[str] | None = None,
    link_base: str | None = None,
) -> ExplorerPanel:
    """The interactive explorer of a dataset or data folder (an ipywidgets panel).

    An athlete picker (names; "Whole squad" first), the event, the window (7–42 days
    before a race), a date range and the exercise families; under them weekly volume by
    exercise, plan against done, the fade over the season, volume against fade with the
    squad's within-athlete estimate (and the athlete's own, pooled toward it), and the race
    list with PB/SB, each with a "what am I looking at" line and a link to the matching
    report page when there is one. At the end: a folder picker over ``data/raw/`` and an
    upload of a coach's own CSV/XLSX files.

    Parameters
    ----------
    ds_or_folder : Dataset or path
        A loaded dataset or a data folder (a missing ``.../sample`` is generated first).
    raw_root : path, optional
        Folder of squad folders (default: ``data/raw/`` holding the data folder).
    reports_dir : path, optional
        A ``hipflex report`` output folder to link to (default ``reports/`` of the checkout,
        when it has an ``index.html``).
    link_base : str, optional
        The URL ``reports_dir`` is served at (``hipflex app`` sets it); without it, a view
        names its report page by path.

    Returns
    -------
    ExplorerPanel
        Shown by Jupyter when it is a cell's last value; ``.explorer`` is its state.

    Examples
    --------
    >>> import analysis as hf
    >>> hf.explore("../data/raw/sample")    # doctest: +SKIP
    """
    try:
        from .panel import ExplorerPanel
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("the explorer needs ipywidgets: pip install 'hipflex[app]'") from exc
    return ExplorerPanel(
        ds_or_folder, raw_root=raw_root, reports_dir=reports_dir, link_base=link_base
    )


__all__ = ["Explorer", "Selection", "View", "explore"]
