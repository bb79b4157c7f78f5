"""Files that ship inside the package, found through :mod:`importlib.resources`.

The exercise catalog and the reference tables (``data/reference/*.csv``) and the report
notebooks (``notebooks/*.ipynb``) stay where users and docs/architecture.md expect them, at the top
of the repository; the package reaches them through two symbolic links,
``analysis/data/reference -> ../../data/reference`` and
``analysis/notebooks -> ../notebooks``. Building a wheel copies the files behind the links
into it as real files (setuptools reads through links), so an installed hipflex has its
catalog, reference tables and notebooks without a checkout. The plot style lives in the
package itself (``analysis/plots/hipflex.mplstyle``); templates in ``analysis/templates``.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def package_path(*parts: str) -> Path:
    """A file or folder of the installed package as a path (``package_path("notebooks")``)."""
    return Path(str(files("analysis").joinpath(*parts)))


def reference_path(name: str) -> Path:
    """A reference table shipped with the package: ``reference_path("exercises.csv")``."""
    return package_path("data", "reference", name)


def notebooks_dir() -> Path:
    """The report notebooks shipped with the package."""
    return package_path("notebooks")


__all__ = ["notebooks_dir", "package_path", "reference_path"]
