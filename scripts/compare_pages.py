"""Compare two report folders page by page: did a refactor change what a coach reads?

    python scripts/compare_pages.py BEFORE AFTER [--figures]

``BEFORE`` and ``AFTER`` are two ``OUT`` folders of ``hipflex demo --out`` (or ``hipflex
report``) on the same data, e.g. one made on the commit before a refactor and one after it.
Every page a coach opens is compared:

* HTML pages (``index.html``, ``squad.html``, ``athletes/*.html``, ``cohorts/*.html``,
  ``data_quality.html``): byte for byte after masking only what varies from run to run by
  design — the run's clock (``2026-12-07 14:24 UTC``), its duration (``in 23.0 s``), the random
  id papermill gives the injected-parameters cell and the parameters' values (paths of the
  run, hidden from the reader). Figures (inline ``data:image`` PNG/SVG) are compared too and
  counted separately: with ``--figures`` a differing figure fails the comparison, without it
  it is reported (matplotlib's bytes may vary across library versions or platforms, while the
  numbers of the page may not).
* CSV files (``attention.csv``): byte for byte.
* Workbooks (``exports/*.xlsx``): every sheet's cell values (a workbook's zip bytes carry
  timestamps).

The executed notebooks (``*.ipynb``) and the run's state (``.hipflex/``) are not pages and
are not compared. Exit status: 0 when every page is equal, 1 otherwise (each difference
named with its first differing line), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

#: What varies between two runs of the same data by design (masked before comparing).
MASKS = [
    (re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})? UTC"), "<time UTC>"),
    (re.compile(r"\bin \d+(?:\.\d+)? s\b"), "in <n> s"),
    (re.compile(r'id="cell-id=[0-9a-f-]+"'), 'id="cell-id"'),
]
#: The injected-parameters cell: its input (paths of the run) is hidden from the reader.
PARAMS = re.compile(
    r'(<div class="[^"]*celltag_injected-parameters[^"]*"[^>]*>).*?(?=<div class="jp-Cell |\Z)',
    re.S,
)
FIGURE = re.compile(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+")


def _pages(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file()
        and p.suffix in {".html", ".csv", ".xlsx"}
        and _is_page(p.relative_to(root).parts)
    }


def _is_page(parts: tuple[str, ...]) -> bool:
    """A page of the report (pinned paths), not something else kept in the folder."""
    return len(parts) == 1 or (len(parts) == 2 and parts[0] in {"athletes", "cohorts", "exports"})


def _mask(text: str) -> str:
    text = PARAMS.sub(r"\1<parameters>", text)
    for pattern, repl in MASKS:
        text = pattern.sub(repl, text)
    return text


def _first_difference(a: str, b: str) -> str:
    """The first place two texts differ: ``before … | after …`` around it (pages are long lines)."""
    i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    start = max(0, i - 60)
    return f"before …{a[start : i + 80]!r}… | after …{b[start : i + 80]!r}…"


def compare_html(a: str, b: str) -> tuple[str | None, int, int]:
    """``(text difference or None, figures compared, figures differing)`` of two pages."""
    fa, fb = FIGURE.findall(a), FIGURE.findall(b)
    ta, tb = _mask(FIGURE.sub("<figure>", a)), _mask(FIGURE.sub("<figure>", b))
    text = None if ta == tb else _first_difference(ta, tb)
    if len(fa) != len(fb) and text is None:
        text = f"{len(fa)} figures before, {len(fb)} after"
    return text, len(fa), sum(x != y for x, y in zip(fa, fb, strict=False))


def _xlsx_values(path: Path) -> dict[str, list[list[object]]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def compare(before: Path, after: Path, *, figures: bool = False) -> list[str]:
    """Every difference a coach could see between two report folders (empty: equal)."""
    problems: list[str] = []
    pa, pb = _pages(before), _pages(after)
    problems += [f"{p}: only before" for p in sorted(pa - pb)]
    problems += [f"{p}: only after" for p in sorted(pb - pa)]
    n_fig = n_fig_diff = 0
    for rel in sorted(pa & pb):
        a, b = before / rel, after / rel
        if rel.endswith(".html"):
            text, n, d = compare_html(a.read_text("utf-8"), b.read_text("utf-8"))
            n_fig, n_fig_diff = n_fig + n, n_fig_diff + d
            if text:
                problems.append(f"{rel}: {text}")
            if d and figures:
                problems.append(f"{rel}: {d} of {n} figures differ")
        elif rel.endswith(".csv"):
            if a.read_bytes() != b.read_bytes():
                problems.append(
                    f"{rel}: " + _first_difference(a.read_text("utf-8"), b.read_text("utf-8"))
                )
        elif _xlsx_values(a) != _xlsx_values(b):
            problems.append(f"{rel}: cell values differ")
    print(
        f"{len(pa & pb)} pages compared; {n_fig} figures, {n_fig_diff} with different bytes"
        + ("" if figures else " (not counted as a difference; --figures to count them)")
    )
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--figures", action="store_true", help="a differing figure fails too")
    args = ap.parse_args(argv)
    for d in (args.before, args.after):
        if not (d / "index.html").is_file():
            print(f"{d}: not a report folder (no index.html)", file=sys.stderr)
            return 2
    problems = compare(args.before, args.after, figures=args.figures)
    for p in problems:
        print(p)
    print("equal" if not problems else f"{len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
