"""House style for hipflex figures."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.axes import Axes

STYLE_FILE = Path(__file__).with_name("hipflex.mplstyle")

#: Colours: athlete / cohort series first, world-class reference in grey.
PALETTE = ["#1f5fa8", "#d1495b", "#2e933c", "#edae49", "#66468c", "#00798c", "#8d6a9f"]
REFERENCE_COLOR = "#8a8a8a"


@contextlib.contextmanager
def house_style() -> Iterator[None]:
    """Apply the house style within a ``with`` block, leaving global rcParams untouched after."""
    with mpl.rc_context(fname=str(STYLE_FILE)):
        yield


def new_axes(ax: Axes | None = None, *, figsize: tuple[float, float] = (7.0, 4.0)) -> Axes:
    """Return ``ax`` or the Axes of a new figure in the house style."""
    if ax is not None:
        return ax
    with house_style():
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax
