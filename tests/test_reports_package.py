"""The package's layout shows the design: the report layer is a subpackage of small modules,
imports run one way (io → clean → derive → relate → present), and the old module names
still work as thin re-exports."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import analysis

ROOT = Path(analysis.__file__).resolve().parent

#: Layer of each module (first match of its dotted name inside ``analysis``). A module not
#: listed is taken as a metric or statistics module (layer 3): it may import anything but
#: the present layer.
LAYERS = {
    "_version": 0,
    "errors": 0,
    "config": 0,
    "schema": 0,
    "io": 0,
    "ingest": 0,
    "dates": 0,
    "names": 0,
    "catalog": 0,
    "prescription": 0,
    "sample": 0,
    "resources": 0,
    "exit_status": 0,
    "safe_text": 0,
    "distinct": 0,
    "fingerprint": 2,
    "logs": 1,
    "sprints": 1,
    "injuries": 1,
    "injury_epi": 2,
    "injury_stats": 3,
    "volume": 2,
    "fatigue": 2,
    "dataset": 2,
    "relate": 3,
    "stats": 3,
    "plots": 4,
    "reports": 4,
    "explorer": 4,  # the interactive explorer (hf.explore, hipflex app) presents
    "report": 4,
    "reporting": 4,
    "cli": 4,
    "__init__": 4,  # the package's front door re-exports every layer
}
NAMES = ("ingest → clean → derive → relate → present").split(" → ")


def _module(path: Path, root: Path = ROOT) -> str:
    return ".".join(path.with_suffix("").relative_to(root).parts)


def _imports(path: Path, root: Path = ROOT) -> set[str]:
    """The ``analysis`` modules a source file imports (first component inside the package)."""
    mod = _module(path, root).split(".")
    package = mod if path.name == "__init__.py" else mod[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                parts = base + (node.module.split(".") if node.module else [])
                if node.module is None:
                    found |= {".".join([*parts, a.name]) for a in node.names}
                else:
                    found.add(".".join(parts))
            elif node.module and node.module.split(".")[0] == "analysis":
                found.add(".".join(node.module.split(".")[1:]))
        elif isinstance(node, ast.Import):
            found |= {
                ".".join(a.name.split(".")[1:])
                for a in node.names
                if a.name.split(".")[0] == "analysis"
            }
    return {f.split(".")[0] for f in found if f}


def _layer(name: str) -> int:
    return LAYERS.get(name.split(".")[0], 3)


def _backwards(root: Path) -> list[str]:
    wrong = []
    for path in sorted(root.rglob("*.py")):
        mod = _module(path, root)
        for dep in _imports(path, root):
            if dep in LAYERS and mod.split(".")[0] != dep and _layer(dep) > _layer(mod):
                wrong.append(f"{mod} ({NAMES[min(_layer(mod), 4)]}) imports {dep} "
                             f"({NAMES[_layer(dep)]})")  # fmt: skip
    return wrong


def test_no_import_runs_back_up_the_flow() -> None:
    assert not _backwards(ROOT)


def test_the_import_checker_sees_a_backwards_import(tmp_path: Path) -> None:
    pkg = tmp_path / "analysis"
    (pkg / "ingest").mkdir(parents=True)
    (pkg / "io.py").write_text("from .errors import DataError\n")
    (pkg / "stats.py").write_text("import analysis.plots\n")
    (pkg / "ingest" / "layout.py").write_text("from ..reports.build import build_reports\n")
    (pkg / "volume.py").write_text("from . import relate\n")
    assert _imports(pkg / "ingest" / "layout.py", pkg) == {"reports"}
    assert sorted(_backwards(pkg)) == [
        "ingest.layout (ingest) imports reports (present)",
        "stats (relate) imports plots (present)",
        "volume (derive) imports relate (relate)",
    ]


def test_report_layer_is_a_subpackage_of_small_modules() -> None:
    modules = sorted((ROOT / "reports").glob("*.py"))
    assert {p.stem for p in modules} >= {
        "plan",
        "manifest",
        "kernels",
        "export",
        "worker",
        "runner",
        "index",
        "build",
        "display",
        "words",
        "athlete",
        "cohort",
        "quality",
        "explore",
    }
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in modules}
    assert max(sizes.values()) <= 450, sizes


@pytest.mark.parametrize("old", ["report", "reporting"])
def test_old_modules_are_thin_deprecated_re_exports(old: str) -> None:
    mod = importlib.import_module(f"analysis.{old}")
    text = Path(mod.__file__).read_text(encoding="utf-8")
    assert "Deprecated" in (mod.__doc__ or "")
    assert len(text.splitlines()) < 120
    tree = ast.parse(text)
    defs = [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)]
    assert not defs, "a re-export module defines nothing of its own"
    for name in mod.__all__:
        value = getattr(mod, name)
        if callable(value) and hasattr(value, "__module__"):
            assert value.__module__.startswith(
                ("analysis.reports.", "analysis.stats", "analysis.fingerprint")
            ), name


def test_public_names_keep_working_from_old_and_new_places() -> None:
    from analysis import report, reporting, reports, stats
    from analysis.reports import athlete, build, cohort

    assert report.build_reports is build.build_reports is reports.build_reports
    assert reporting.AthleteReport is athlete.AthleteReport is reports.AthleteReport
    assert reporting.CohortReport is cohort.CohortReport
    assert reporting.within_athlete_estimate is stats.within_athlete_estimate
    assert reporting.Estimate is stats.Estimate is reports.Estimate
    assert analysis.__version__ == importlib.import_module("analysis._version").__version__
    with pytest.raises(AttributeError):
        _ = reports.no_such_name
    assert set(reports.__all__) <= set(dir(reports))
    for name in reports.__all__:
        getattr(reports, name)
