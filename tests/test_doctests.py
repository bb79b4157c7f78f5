"""The examples in the package's docstrings run and print what they say.

A docstring example that drifted from the code (``suggest("nordic hamstring curl")`` was
still shown as None after the catalog gained ``nordic_curl``) fails here, not in a
reader's session.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import analysis


def _modules_with_examples() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(analysis.__path__, "analysis."):
        tests = doctest.DocTestFinder().find(importlib.import_module(info.name))
        if any(t.examples for t in tests):
            names.append(info.name)
    return names


@pytest.mark.parametrize("name", _modules_with_examples())
def test_the_docstring_examples_hold(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
