"""Draws of the sample's random stream that are cheaper than numpy's general ones.

:func:`pick` is ``rng.choice(seq)`` for a short sequence: the very same draw from the
stream (``Generator.choice`` without weights draws ``integers(0, len(seq))``), without
turning ``seq`` into an array on every call, so a seed gives the same sample either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import numpy as np

__all__ = ["pick"]

T = TypeVar("T")


def pick(rng: np.random.Generator, seq: Sequence[T]) -> T:
    """One element of ``seq``, uniformly: the same draw as ``rng.choice(seq)``.

    Examples
    --------
    >>> import numpy as np
    >>> a, b = np.random.default_rng(1), np.random.default_rng(1)
    >>> pick(a, ("x", "y", "z")) == str(b.choice(("x", "y", "z")))
    True
    """
    return seq[int(rng.integers(0, len(seq)))]
