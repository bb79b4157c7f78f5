"""The ``hipflex`` command: a thin shell over the package.

    hipflex sample DIR [--athletes N] [--seed S]   synthetic raw data set (seeded)
    hipflex clean DIR [--out data/processed]        clean tables as Parquet + reconciliation
    hipflex report DIR --out OUT                    every report + OUT/index.html
    hipflex report DIR --out OUT --scheduler tcp://HOST:8786   the same on a Dask cluster
    hipflex demo [--out reports]                    sample + clean + report
    hipflex inspect DIR                             how each file and sheet would be read
    hipflex app [DIR]                               the explorer as a local web page (Voilà)

``clean``, ``report`` and ``demo`` take ``--hand-to-fat-200 S`` / ``--hand-to-fat-400 S``:
the seconds added to a hand time (default +0.24 / +0.14 s, ``analysis.config``).

Exit codes of ``clean`` and ``report``: 0 everything read (and built); 1 some files or
sheets not read, or some reports failed or were not attempted (the rest done, each named);
2 nothing usable, a usage error, a missing or invalid notebook, or a filesystem error (one
line on stderr naming file, row and column, or the file and what the system said).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import warnings
from pathlib import Path

from . import config
from .errors import DataError, DataWarning
from .safe_text import one_line

DEFAULT_PROCESSED = Path("data/processed")
DEFAULT_SAMPLE = Path("data/raw/sample")


def format_reconciliation(ds) -> str:
    """The reconciliation table as aligned text, with a totals line."""
    rec = ds.reconciliation
    cols = ["source", "rows_read", "clean", "rejected", "duplicates", "partial"]
    lines = [f"{'file':<44} {'read':>8} {'clean':>8} {'rejected':>8} {'dupes':>6} {'partial':>7}"]
    from .reports.pages.quality import roll_up_sheets

    for r in roll_up_sheets(rec[cols]).itertuples(index=False):
        lines.append(
            f"{_fit(one_line(r.source), 44):<44} {r.rows_read:>8} {r.clean:>8} {r.rejected:>8} "
            f"{r.duplicates:>6} {r.partial:>7}"
        )
    tot = rec[cols[1:]].sum()
    lines.append(
        f"{'TOTAL':<44} {tot.rows_read:>8} {tot.clean:>8} {tot.rejected:>8} "
        f"{tot.duplicates:>6} {tot.partial:>7}"
    )
    ok = bool(rec["balanced"].all()) if len(rec) else True
    lines.append(
        f"reconciled: {tot.rows_read} read = {tot.clean} clean + {tot.rejected} rejected + "
        f"{tot.duplicates} duplicates" + ("" if ok else "  ** DOES NOT BALANCE **")
    )
    for r in ds.skipped.itertuples(index=False):
        count = f" ({n} rows)" if (n := _count(getattr(r, "rows", None))) else ""
        lines.append(f"skipped {one_line(r.source)}{count}: {one_line(r.reason)}")
    nd = getattr(ds, "not_data", None)
    if nd is not None and len(nd):
        # by kind of row: "heading: Event 12  Men 400m Final" counts as a heading
        kind = nd["reason"].astype("string").str.split(":", n=1).str[0]
        per = nd["rows"].groupby(kind, sort=True).sum()
        lines.append(
            "not data (listed in not_data): "
            + ", ".join(f"{int(n)} {one_line(reason)}" for reason, n in per.items())
        )
    s = ds.summary()
    if s["unmapped_entries"]:
        lines.append(
            f"unmapped exercises: {s['unmapped_entries']} entries in {s['unmapped_spellings']} "
            "spellings (add aliases to data/reference/exercises.csv; see the data-quality report)"
        )
        lines.extend(_unmapped_lines(ds.log))
    return "\n".join(lines)


def _fit(text: str, width: int) -> str:
    """``text`` cut in the middle to ``width`` characters (its start and end stay readable)."""
    if len(text) <= width:
        return text
    head = (width - 1) // 2
    return text[:head] + "…" + text[-(width - 1 - head) :]


def _count(value: object) -> int:
    """A row count from the skipped table (0 when missing)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def clean_status(ds) -> int:
    """Exit code of a clean (:func:`analysis.exit_status.clean_status`: 0 every file that
    holds data read, 1 some not read, 2 nothing usable; docs/scheduling.md)."""
    from .exit_status import clean_status as status

    return status(ds)


def clean_warnings(ds) -> list[str]:
    """What a coach must know before trusting reports (:func:`analysis.dataset.data_warnings`)."""
    from .dataset import data_warnings

    return data_warnings(ds)


def _warning_kind(text: str) -> str:
    """``note`` for a sheet listed as holding no data (a notes tab: never a failure, see
    docs/scheduling.md#exit-codes), ``warning`` for anything else."""
    from .exit_status import NOT_DATA_NOTE

    return "note" if NOT_DATA_NOTE in text else "warning"


def _unmapped_lines(log, limit: int = 8) -> list[str]:
    """The most frequent unmapped spellings, each with a "did you mean" where one fits."""
    from .catalog import unmapped_spellings

    table = unmapped_spellings(log)
    lines = []
    for r in table.head(limit).itertuples(index=False):
        hint = ""
        if isinstance(r.candidates, str):
            hint = f": contains {r.candidates.replace('; ', ' and ')} (split it in two rows)"
        elif isinstance(r.suggestion, str):
            hint = f": did you mean {r.suggestion_name!r} ({r.suggestion})?"
        entries = f"{r.entries} entr{'y' if r.entries == 1 else 'ies'}"
        lines.append(one_line(f"  {r.exercise_raw!r} ({entries}){hint}"))
    if len(table) > limit:
        lines.append(f"  ... and {len(table) - limit} more spellings")
    return lines


def _hand_to_fat(args: argparse.Namespace) -> dict[int, float] | None:
    """The ``--hand-to-fat-<event>`` options given (None: none given)."""
    given = {ev: getattr(args, f"hand_to_fat_{ev}", None) for ev in config.EVENTS_M}
    return {ev: v for ev, v in given.items() if v is not None} or None


def cmd_clean(args: argparse.Namespace) -> int:
    from .dataset import load_dataset, save_dataset

    ds = load_dataset(args.dir, hand_to_fat=_hand_to_fat(args))
    save_dataset(ds, args.out)
    status = args.status = clean_status(ds)
    print(format_reconciliation(ds))
    print(f"clean tables written to {Path(args.out).resolve()}")
    for w in clean_warnings(ds):
        print(f"hipflex: {_warning_kind(w)}: {one_line(w)}", file=sys.stderr)
    if status == 2:
        print(
            "hipflex: error: nothing usable in " + one_line(str(args.dir) + _first_skip(ds)),
            file=sys.stderr,
        )
    return status


def _first_skip(ds) -> str:
    """Every file of a folder with nothing usable, on one line: each skipped file with its
    reason, and each file read whose lines were all not data (a heat with no roster athlete).
    """
    parts = [f"{r['source']}: {r['reason']}" for _, r in ds.skipped.iterrows()]
    rec = ds.reconciliation
    if len(rec) and "not_data" in rec.columns:
        for r in rec[rec["rows_read"] == 0].itertuples(index=False):
            parts.append(f"{r.source}: no data rows ({r.not_data} lines not data)")
    if not parts:
        return " (no training-log or result file in it)"
    more = f"; ... and {len(parts) - 20} more" if len(parts) > 20 else ""
    return " (" + "; ".join(" ".join(p.split()) for p in parts[:20]) + more + ")"


def cmd_inspect(args: argparse.Namespace) -> int:
    from .ingest.inspect import inspect_folder

    text, status = inspect_folder(args.dir, rows=args.rows)
    args.status = status
    print(text)
    return status


def cmd_app(args: argparse.Namespace) -> int:
    from .explorer.app import run_app

    return run_app(args.dir, host=args.host, port=args.port, browser=not args.no_browser,
                   reports_dir=args.reports)  # fmt: skip


def cmd_sample(args: argparse.Namespace) -> int:
    from .sample import write_sample

    paths = write_sample(args.dir, athletes=args.athletes, seed=args.seed)
    print(
        f"synthetic sample data set (seed {args.seed}, {args.athletes} athletes) "
        f"written to {Path(args.dir).resolve()} ({len(paths)} files)"
    )
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .dataset import CACHE_ENV, load_dataset
    from .reports import ReportSettings, build_reports
    from .reports.batch.cluster import connect, scheduler_address
    from .reports.batch.plan import check_notebooks

    args.notebooks = check_notebooks(args.notebooks)  # a bad notebook is named first
    address = scheduler_address(args.scheduler)  # --scheduler, else $DASK_SCHEDULER_ADDRESS
    client = connect(address) if address else None  # unreachable: one line, exit 2
    settings = ReportSettings(
        hand_to_fat=_hand_to_fat(args),
        jobs=args.jobs,
        timeout=args.timeout,
        force=args.force,
        progress=None if not args.quiet else False,
        notebooks_dir=args.notebooks,
        scheduler=client,
        include_health=args.include_health,
    )
    with contextlib.closing(client) if client else contextlib.nullcontext():
        # cleaned once, here, for the whole run: warn before the long part
        cache = os.environ.get(CACHE_ENV) or Path(args.out) / ".hipflex" / "cache"
        _own_output(args.dir, args.out)
        try:
            ds = load_dataset(
                args.dir, cache_dir=cache, exclude=[args.out], hand_to_fat=settings.hand_to_fat
            )
        except DataError:
            ds = None  # the batch names the problem itself
        status = clean_status(ds) if ds is not None else 0
        if status == 2:
            print(
                f"hipflex: error: nothing usable in {one_line(f'{args.dir}{_first_skip(ds)}')}",
                file=sys.stderr,
            )
            return 2
        for w in clean_warnings(ds) if ds is not None else ():
            print(f"hipflex: {_warning_kind(w)}: {one_line(w)}", file=sys.stderr)
        result = build_reports(ds if ds is not None else args.dir, args.out, settings=settings)
    return max(status, 0 if result.ok else 1)


def _own_output(data_dir: Path, out: Path) -> None:
    """Mark OUT as hipflex's (never read as data); one line when it lies in the data folder."""
    from .ingest.files import display_name, mark_output

    mark_output(out)
    with contextlib.suppress(OSError, RuntimeError, ValueError):
        if Path(out).resolve().is_relative_to(Path(data_dir).resolve()):
            print(
                f"hipflex: note: {display_name(str(out))} is inside the data folder "
                f"{display_name(str(data_dir))}: its reports, exports and attention.csv are "
                "never read as data (listed as skipped)",
                file=sys.stderr,
            )


def cmd_demo(args: argparse.Namespace) -> int:
    from .dataset import load_dataset, save_dataset
    from .reports import ReportSettings, build_reports
    from .sample import write_sample

    write_sample(args.data, athletes=args.athletes, seed=args.seed)
    print(f"synthetic sample data set written to {Path(args.data).resolve()}")
    _own_output(args.data, args.out)
    offsets = _hand_to_fat(args)
    ds = load_dataset(args.data, exclude=[args.out], hand_to_fat=offsets)  # cleaned once
    save_dataset(ds, args.processed)
    print(format_reconciliation(ds))
    settings = ReportSettings(
        hand_to_fat=offsets, jobs=args.jobs, timeout=args.timeout, notebooks_dir=args.notebooks
    )
    result = build_reports(ds, args.out, settings=settings)
    print(f"open {(Path(args.out) / 'index.html').resolve()}")
    return 0 if result.ok else 1


def _offset_seconds(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 <= v <= config.MAX_HAND_TO_FAT_S:
        raise argparse.ArgumentTypeError(
            f"must be between 0 and {config.MAX_HAND_TO_FAT_S:g} s, not {text!r}"
        )
    return v


def _hand_opts(q: argparse.ArgumentParser) -> None:
    for ev in config.EVENTS_M:
        q.add_argument(
            f"--hand-to-fat-{ev}",
            type=_offset_seconds,
            default=None,
            metavar="S",
            help=f"seconds added to a hand-timed {ev} m to give its FAT equivalent "
            f"(default {config.HAND_TO_FAT_S[ev]:g}, or ${config.HAND_TO_FAT_ENV})",
        )


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hipflex", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("sample", help="write a realistic synthetic raw data set (seeded)")
    s.add_argument("dir", type=Path)
    s.add_argument("--athletes", type=int, default=12)
    s.add_argument("--seed", type=int, default=2026)
    s.set_defaults(func=cmd_sample)

    c = sub.add_parser("clean", help="clean DIR into data/processed/ and print a reconciliation")
    c.add_argument("dir", type=Path)
    c.add_argument("--out", type=Path, default=DEFAULT_PROCESSED)
    _hand_opts(c)
    c.set_defaults(func=cmd_clean)

    def report_opts(q: argparse.ArgumentParser) -> None:
        q.add_argument(
            "--jobs",
            type=int,
            default=None,
            help="parallel reports (default: the cores, bounded by available memory)",
        )
        q.add_argument(
            "--timeout",
            type=float,
            default=600.0,
            help="seconds one report may take before it is stopped (default 600)",
        )
        q.add_argument(
            "--notebooks",
            type=Path,
            default=None,
            help="folder of the report notebooks (default: the project's notebooks/)",
        )
        _hand_opts(q)

    r = sub.add_parser("report", help="run every report into OUT, with OUT/index.html")
    r.add_argument("dir", type=Path)
    r.add_argument("--out", type=Path, required=True)
    r.add_argument("--force", action="store_true", help="re-run reports even if unchanged")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.add_argument(
        "--scheduler",
        default=None,
        metavar="tcp://HOST:8786",
        help="run the reports on this Dask cluster (default: $DASK_SCHEDULER_ADDRESS, else "
        "locally); needs pip install 'hipflex[dask]'",
    )
    r.add_argument(
        "--include-health",
        action="store_true",
        help="put the injury log in OUT/exports/ (each athlete's own in their workbook); "
        "default: health data stays out of the exports",
    )
    report_opts(r)
    r.set_defaults(func=cmd_report)

    d = sub.add_parser("demo", help="sample + clean + report on the embedded sample")
    d.add_argument("--out", type=Path, default=Path("reports"))
    d.add_argument("--data", type=Path, default=DEFAULT_SAMPLE)
    d.add_argument("--processed", type=Path, default=DEFAULT_PROCESSED)
    d.add_argument("--athletes", type=int, default=12)
    d.add_argument("--seed", type=int, default=2026)
    report_opts(d)
    d.set_defaults(func=cmd_demo)

    i = sub.add_parser("inspect", help="how each file and sheet would be read (a dry run)")
    i.add_argument("dir", type=Path)
    i.add_argument("--rows", type=int, default=3, help="parsed rows shown per sheet (default 3)")
    i.set_defaults(func=cmd_inspect)

    a = sub.add_parser("app", help="the explorer as a local web page (Voilà), no code shown")
    a.add_argument("dir", type=Path, nargs="?", default=DEFAULT_SAMPLE)
    a.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    a.add_argument("--port", type=int, default=8866, help="port (default 8866)")
    a.add_argument("--no-browser", action="store_true", help="do not open a browser")
    a.add_argument("--reports", default=None, help="a hipflex report folder to link to")
    a.set_defaults(func=cmd_app)
    return p


def _os_error(exc: OSError) -> str:
    """One line for a filesystem error: what failed, on which file."""
    what = exc.strerror or str(exc) or type(exc).__name__
    where = exc.filename if exc.filename is not None else ""
    return f"{where}: {what}" if where else what


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # the CLI prints its own summary
        try:
            return int(args.func(args) or 0)
        except BrokenPipeError:
            # `hipflex clean DIR | head`: the reader left; the work is done, stop quietly
            with contextlib.suppress(OSError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            return int(getattr(args, "status", 0) or 0)
        except DataError as exc:
            print(f"hipflex: error: {one_line(exc)}", file=sys.stderr)
            return 2
        except OSError as exc:
            # a read-only or full disk, a folder that vanished: one line, no traceback
            print(f"hipflex: error: {one_line(_os_error(exc))}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print("hipflex: interrupted", file=sys.stderr)
            return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
