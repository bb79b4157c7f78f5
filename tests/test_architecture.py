"""The house holds (docs/architecture.md): imports run one way, no circles, small modules.

The package's own imports are read with :mod:`ast` (every ``import`` and ``from … import``,
at the top of a module or inside a function) into a graph of modules. The tests fail on

* a module the layer table below does not list (a new module is placed on purpose);
* an import that runs back up the flow ``ingest → clean → derive → relate → present``
  (bottom utilities may be imported from anywhere and import only each other);
* any circle of imports, a hidden one inside a function included;
* a ``_private`` name taken from another module;
* a module over 500 lines or a function body over 120 lines (its docstring aside).

Each check is shown to fail on a small made-up package (the ``*_sees_*`` tests).
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

import analysis

ROOT = Path(analysis.__file__).resolve().parent

BOTTOM, INGEST, CLEAN, DERIVE, RELATE, PRESENT = -1, 0, 1, 2, 3, 4
NAMES = {BOTTOM: "bottom", INGEST: "ingest", CLEAN: "clean", DERIVE: "derive",
         RELATE: "relate", PRESENT: "present"}  # fmt: skip

#: The layer of every module of the package, by dotted name inside ``analysis`` (the longest
#: listed prefix decides: ``ingest`` covers ``ingest.workbook``). A module whose name no entry
#: covers fails :func:`test_every_module_is_placed_in_a_layer` — place new modules here and in
#: docs/architecture.md.
LAYERS: dict[str, int] = {
    # bottom utilities: any layer may import them; they import only each other
    "_version": BOTTOM,
    "_lazy": BOTTOM,
    "errors": BOTTOM,
    "config": BOTTOM,
    "schema": BOTTOM,
    "safe_text": BOTTOM,
    "exit_status": BOTTOM,
    "distinct": BOTTOM,
    "atomic": BOTTOM,
    "reasons": BOTTOM,
    "resources": BOTTOM,
    "templating": BOTTOM,
    # ingest: files and cells in, raw text tables out
    "io": INGEST,
    "athlete_match": INGEST,
    "ingest": INGEST,
    "dates": INGEST,
    "names": INGEST,
    "catalog": INGEST,
    "catalog_rows": INGEST,
    "prescription": INGEST,
    "sample": INGEST,  # writes a data folder in the shapes ingest reads
    # clean: the clean tables and their rejects
    "logs": CLEAN,
    "sprints": CLEAN,
    "injuries": CLEAN,
    "plan": CLEAN,
    "dataset": DERIVE,  # the Dataset carries its fatigue table (derived on first use)
    "folder_tables": CLEAN,
    "fingerprint": DERIVE,  # keys caches by every input, the elite splits of fatigue included
    # derive: measures of work, fade, bests
    "volume": DERIVE,
    "fatigue": DERIVE,
    "season": DERIVE,
    "agegrade": DERIVE,
    "injury_epi": DERIVE,
    "attention": DERIVE,
    "adherence": DERIVE,
    "volume_weekly": DERIVE,
    "srpe": DERIVE,
    # relate: features joined to races, statistics
    "relate": RELATE,
    "stats": RELATE,
    "injury_stats": RELATE,
    "injury_exposure": RELATE,
    "cox": RELATE,
    # present: figures, pages, the batch, the explorer, the command
    "plots": PRESENT,
    "reports": PRESENT,
    "explorer": PRESENT,
    "cli": PRESENT,
    "": PRESENT,  # the package's front door re-exports every layer
}


def _modules(root: Path) -> dict[str, Path]:
    out = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _targets(
    node: ast.AST, module: str, is_package: bool, known: dict[str, Path]
) -> list[tuple[str, str, bool]]:
    """``(name imported, package module it comes from, the name is itself a module)`` for
    each name of one import statement that loads a module of the package."""
    if isinstance(node, ast.Import):
        found = []
        for alias in node.names:
            parts = alias.name.split(".")
            if parts[0] == "analysis":
                name = ".".join(parts[1:])
                while name and name not in known:
                    name = name.rpartition(".")[0]
                found.append((alias.name, name, True))
        return found
    assert isinstance(node, ast.ImportFrom)
    if node.level:
        base = module.split(".") if module else []
        base = base if is_package else base[:-1]
        base = base[: len(base) - (node.level - 1)]
        parts = base + (node.module.split(".") if node.module else [])
    elif node.module and node.module.split(".")[0] == "analysis":
        parts = node.module.split(".")[1:]
    else:
        return []
    name = ".".join(parts)
    found = []
    for alias in node.names:
        sub = ".".join([*parts, alias.name])
        found.append((alias.name, sub, True) if sub in known else (alias.name, name, False))
    return found


def import_graph(root: Path = ROOT) -> tuple[dict[str, set[str]], list[str]]:
    """``(module -> modules it imports, private names taken across modules)``."""
    known = _modules(root)
    graph: dict[str, set[str]] = {}
    private: list[str] = []
    for module, path in sorted(known.items()):
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for name, target, is_module in _targets(
                    node, module, path.name == "__init__.py", known
                ):
                    deps.add(target)
                    if (not is_module and target != module and name.startswith("_")
                            and not name.startswith("__")):  # fmt: skip
                        private.append(f"{module or 'analysis'} takes {name} from "
                                       f"{target or 'analysis'}")  # fmt: skip
        graph[module] = deps - {module}
    return graph, private


def layer_of(module: str, layers: dict[str, int] = LAYERS) -> int | None:
    parts = module.split(".") if module else []
    for k in range(len(parts), -1, -1):
        key = ".".join(parts[:k])
        if key in layers and (k or module == ""):
            return layers[key]
    return None


def unplaced(graph: dict[str, set[str]], layers: dict[str, int] = LAYERS) -> list[str]:
    return sorted(m for m in graph if layer_of(m, layers) is None)


def upward(graph: dict[str, set[str]], layers: dict[str, int] = LAYERS) -> list[str]:
    wrong = []
    for module, deps in sorted(graph.items()):
        mine = layer_of(module, layers)
        for dep in sorted(deps):
            theirs = layer_of(dep, layers)
            if mine is None or theirs is None:
                continue
            if (mine == BOTTOM and theirs != BOTTOM) or (theirs != BOTTOM and theirs > mine):
                wrong.append(f"{module or 'analysis'} ({NAMES[mine]}) imports "
                             f"{dep or 'analysis'} ({NAMES[theirs]})")  # fmt: skip
    return wrong


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = itertools.count()

    def visit(v: str) -> None:
        index[v] = low[v] = next(counter)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w or "analysis")
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


#: House limits (issue 23): lines of a module, lines of a function body (docstring aside).
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 500, 120


def oversized(root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(root.parent).as_posix()
        if (n := text.count("\n")) > MAX_MODULE_LINES:
            found.append(f"{rel}: {n} lines (at most {MAX_MODULE_LINES})")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                body = node.body
                first = body[0]
                if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                        and isinstance(first.value.value, str) and len(body) > 1):  # fmt: skip
                    first = body[1]
                length = node.end_lineno - first.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(f"{rel}:{node.lineno} {node.name}: body of {length} lines "
                                 f"(at most {MAX_FUNCTION_LINES})")  # fmt: skip
    return found


# ----------------------------------------------------------------------------- the package


GRAPH, PRIVATE = import_graph()


def test_every_module_is_placed_in_a_layer() -> None:
    assert not unplaced(GRAPH), "place these in LAYERS and docs/architecture.md"


def test_no_import_runs_back_up_the_flow() -> None:
    assert not upward(GRAPH)


def test_no_circle_of_imports_not_even_inside_a_function() -> None:
    assert not cycles(GRAPH)


def test_no_private_name_is_taken_across_modules() -> None:
    assert not PRIVATE


def test_no_module_over_500_lines_and_no_function_over_120() -> None:
    assert not oversized()


# ------------------------------------------------------------- the checks can fail


@pytest.fixture
def made_up(tmp_path: Path) -> Path:
    pkg = tmp_path / "analysis"
    for sub in ("ingest", "reports"):
        (pkg / sub).mkdir(parents=True)
        (pkg / sub / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("from .dataset import load_dataset\n")
    (pkg / "errors.py").write_text("class DataError(Exception): ...\n")
    (pkg / "io.py").write_text("from .errors import DataError\n")
    (pkg / "dataset.py").write_text("from .io import DataError\n\ndef load_dataset(): ...\n")
    return pkg


def test_the_checker_sees_a_module_it_does_not_list(made_up: Path) -> None:
    graph, _ = import_graph(made_up)
    assert unplaced(graph) == []
    (made_up / "shiny.py").write_text("from .io import DataError\n")
    (made_up / "reports" / "batch").mkdir()
    (made_up / "reports" / "batch" / "__init__.py").write_text("")
    graph, _ = import_graph(made_up)
    assert unplaced(graph) == ["shiny"]  # reports.batch is covered by "reports"


def test_the_checker_sees_an_upward_import_and_a_bottom_module_reaching_up(made_up: Path) -> None:
    (made_up / "ingest" / "layout.py").write_text("from ..reports import build_reports\n")
    (made_up / "config.py").write_text("from . import io\n")
    graph, _ = import_graph(made_up)
    assert upward(graph) == [
        "config (bottom) imports io (ingest)",
        "ingest.layout (ingest) imports reports (present)",
    ]


def test_the_checker_sees_a_circle_hidden_inside_a_function(made_up: Path) -> None:
    (made_up / "io.py").write_text(
        "from .errors import DataError\n\ndef read():\n    from .ingest.cells import scan\n"
    )
    (made_up / "ingest" / "cells.py").write_text("from ..io import DataError\n")
    graph, _ = import_graph(made_up)
    assert cycles(graph) == [["ingest.cells", "io"]]


def test_the_checker_sees_a_private_name_taken_across_modules(made_up: Path) -> None:
    (made_up / "io.py").write_text("_ATHLETE = 'athlete'\n")
    (made_up / "names.py").write_text("from .io import _ATHLETE\nfrom . import _version\n")
    (made_up / "_version.py").write_text("__version__ = '0'\n")
    _, private = import_graph(made_up)
    assert private == ["names takes _ATHLETE from io"]


def test_the_size_checker_sees_a_long_function_and_a_long_module(made_up: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(121))
    (made_up / "long.py").write_text(f'def f():\n    """Doc."""\n{body}\n' + "\n" * 400)
    found = oversized(made_up)
    assert found == [
        "analysis/long.py: 523 lines (at most 500)",
        "analysis/long.py:1 f: body of 121 lines (at most 120)",
    ]
