"""Modules imported on first use: what a report does not use, it does not pay for.

``import analysis`` is on the path of every report kernel. ``scipy.stats`` alone costs
0.6–1 s of CPU to import (its distributions are built at import time) and statsmodels
more; an athlete report needs neither. :func:`lazy_module` gives a stand-in that imports
the real module the first time one of its attributes is read.
"""

from __future__ import annotations

import importlib
import threading
from types import ModuleType
from typing import Any


class _LazyModule(ModuleType):
    """A module stand-in: the first attribute read imports ``name`` and forwards to it."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.__dict__["_hf_module"] = None
        self.__dict__["_hf_lock"] = threading.Lock()

    def _hf_load(self) -> ModuleType:
        mod = self.__dict__["_hf_module"]
        if mod is None:
            with self.__dict__["_hf_lock"]:
                mod = self.__dict__["_hf_module"]
                if mod is None:
                    mod = importlib.import_module(self.__name__)
                    self.__dict__["_hf_module"] = mod
        return mod

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._hf_load(), attr)

    def __dir__(self) -> list[str]:
        return dir(self._hf_load())

    def __repr__(self) -> str:
        state = "imported" if self.__dict__["_hf_module"] is not None else "not imported yet"
        return f"<lazy module {self.__name__!r} ({state})>"


def lazy_module(name: str) -> ModuleType:
    """``name`` imported on first attribute access (the module itself if already imported).

    Parameters
    ----------
    name : str
        Dotted module name, e.g. ``"scipy.stats"``.

    Returns
    -------
    module
        The module, or a stand-in that imports it when first used.

    Examples
    --------
    >>> st = lazy_module("scipy.stats")
    >>> float(st.norm.ppf(0.5))
    0.0
    """
    import sys

    mod = sys.modules.get(name)
    return mod if mod is not None else _LazyModule(name)
