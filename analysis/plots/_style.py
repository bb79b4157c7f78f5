"""House style for hipflex figures."""

from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

STYLE_FILE = Path(__file__).with_name("hipflex.mplstyle")

#: Colours: athlete / cohort series first, world-class reference in grey.
PALETTE = ["#1f5fa8", "#d1495b", "#2e933c", "#edae49", "#66468c", "#00798c", "#8d6a9f"]
REFERENCE_COLOR = "#8a8a8a"


def series_colour(i: int) -> str:
    """A distinct colour for series ``i``: the house palette, then matplotlib's tab20
    (a squad of 12 athletes or a catalog of 10 exercises gets no repeated colour)."""
    if i < len(PALETTE):
        return PALETTE[i]
    return mpl.colors.to_hex(mpl.colormaps["tab20"]((i - len(PALETTE)) % 20))


def literal(text: object) -> str:
    r"""``text`` as matplotlib shows it literally: no mathtext from data.

    matplotlib reads a string with an even number of unescaped ``$`` as maths
    (``$\frac$`` in a name is a parse error; ``$x^2$`` is typeset). Every ``$`` is
    escaped as ``\$``, which matplotlib draws as a plain ``$``. Every text that comes
    from the data (athlete ids, cohort values and column names, exercise names) goes
    through this before it reaches a title, label, tick label or legend.

    Examples
    --------
    >>> print(literal("<b>std</b> $x^2$"))
    <b>std</b> \$x^2\$
    """
    return str(text).replace("$", r"\$")


def title_text(text: object, width: int = 64) -> str:
    """A title that holds data text: :func:`literal`, wrapped at ``width`` characters so
    that a long name cannot push it off the figure (lines break at spaces only)."""
    lines = textwrap.wrap(literal(text), width, break_long_words=False, break_on_hyphens=False)
    return "\n".join(lines)


@contextlib.contextmanager
def house_style() -> Iterator[None]:
    """Apply the house style within a ``with`` block, leaving global rcParams untouched after."""
    with mpl.rc_context(fname=str(STYLE_FILE)):
        yield


def week_bars(
    ax: Axes,
    weeks: pd.DatetimeIndex,
    heights: np.ndarray,
    *,
    width_days: float = 5.5,
    offset_days: float = 0.0,
    bottom: np.ndarray | None = None,
    keep_zero: bool = True,
    **style: Any,
):
    """Bars on a date axis as one :class:`~matplotlib.collections.PolyCollection`.

    What ``ax.bar(weeks, heights, width=…, align="edge")`` draws, as one artist instead of
    one Rectangle per bar: a season of weekly bars is laid out and drawn once, not 30 or 400
    times (most of a report's figure time). The axis becomes a date axis and starts at 0 as
    a bar chart's does; ``style`` goes to the collection (``facecolors``, ``edgecolors``,
    ``linewidths``, ``label``, ``zorder``: a labelled collection is in the legend as a
    patch). ``keep_zero=False`` leaves zero-height bars out (a stack's empty layers).
    """
    import matplotlib.dates as mdates
    from matplotlib.collections import PolyCollection

    ax.xaxis.update_units(weeks)  # a date axis, as ax.bar on the weeks would set
    x0 = mdates.date2num(pd.DatetimeIndex(weeks).to_pydatetime()) + offset_days
    x1 = x0 + width_days
    h = np.asarray(heights, dtype=float)
    y0 = np.zeros(len(h)) if bottom is None else np.asarray(bottom, dtype=float)
    y1 = y0 + h
    verts = np.stack(
        [np.column_stack([x0, y0]), np.column_stack([x0, y1]),
         np.column_stack([x1, y1]), np.column_stack([x1, y0])],
        axis=1,
    )  # fmt: skip
    if not keep_zero:
        verts = verts[h != 0]
    bars = PolyCollection(verts, **style)
    bars.sticky_edges.y.append(0.0)
    ax.add_collection(bars)
    if len(h):
        finite = np.isfinite(np.concatenate([y0, y1]))
        ys = np.concatenate([y0, y1])[finite]
        lo, hi = (float(ys.min()), float(ys.max())) if len(ys) else (0.0, 0.0)
        ax.update_datalim(np.array([[x0.min(), min(lo, 0.0)], [x1.max(), max(hi, 0.0)]]))
        ax.autoscale_view()
    return bars


def new_axes(ax: Axes | None = None, *, figsize: tuple[float, float] = (7.0, 4.0)) -> Axes:
    """Return ``ax`` or the Axes of a new figure in the house style."""
    if ax is not None:
        return ax
    with house_style():
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax
