"""The modules that read what users give never ``assert`` (issue 13)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import analysis as hf

ROOT = Path(hf.__file__).resolve().parent

#: Modules that read what users give: they raise DataError (or ValueError), never assert
#: (``python -O`` strips asserts, and an AssertionError is a traceback, not a message).
INPUT_MODULES = (
    "io",
    "dates",
    "names",
    "catalog",
    "prescription",
    "logs",
    "sprints",
    "dataset",
    "config",
    "schema",
)


@pytest.mark.parametrize("name", INPUT_MODULES)
def test_input_modules_never_assert(name: str) -> None:
    # a module, or a package of modules (analysis/sprints/): every file of it
    paths = [ROOT / f"{name}.py"] if (ROOT / f"{name}.py").exists() else (ROOT / name).rglob("*.py")
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        lines = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Assert)]
        assert not lines, f"{path.name}: assert on lines {lines}"
