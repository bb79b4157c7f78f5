"""The report layer is a subpackage cut by concern: ``reports/batch`` (plan, run, kernels,
workers, cluster, manifest) and ``reports/pages`` (athlete, squad, cohort, quality, season,
words, html); pages never import the batch. The layers of the whole package and their
import rules are checked in ``test_architecture.py``."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import analysis

ROOT = Path(analysis.__file__).resolve().parent


def test_report_layer_is_cut_into_batch_and_pages_of_small_modules() -> None:
    batch = {p.stem for p in (ROOT / "reports" / "batch").glob("*.py")}
    pages = {p.stem for p in (ROOT / "reports" / "pages").glob("*.py")}
    assert batch >= {"plan", "manifest", "kernels", "export", "worker", "runner", "index",
                     "build", "cluster", "settings"}  # fmt: skip
    assert pages >= {"athlete", "squad", "cohort", "quality", "season", "words", "display",
                     "html"}  # fmt: skip
    sizes = {
        p.relative_to(ROOT).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
        for p in (ROOT / "reports").rglob("*.py")
    }
    assert max(sizes.values()) <= 500, sizes


def test_pages_never_import_the_batch() -> None:
    for path in (ROOT / "reports" / "pages").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert "batch" not in node.module.split("."), f"{path.name}: {node.module}"


@pytest.mark.parametrize("old", ["report", "reporting"])
def test_the_deprecated_shims_are_gone(old: str) -> None:
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(f"analysis.{old}")


def test_public_names_keep_working_from_the_package() -> None:
    from analysis import reports, stats
    from analysis.reports.batch import build
    from analysis.reports.pages import athlete, cohort

    assert build.build_reports is reports.build_reports
    assert athlete.AthleteReport is reports.AthleteReport
    assert cohort.CohortReport is reports.CohortReport
    assert stats.Estimate is reports.Estimate
    assert reports.ReportSettings.__dataclass_params__.frozen
    assert analysis.__version__ == importlib.import_module("analysis._version").__version__
    with pytest.raises(AttributeError):
        _ = reports.no_such_name
    assert set(reports.__all__) <= set(dir(reports))
    for name in reports.__all__:
        getattr(reports, name)
