"""Run every report notebook with papermill into a folder of HTML reports: :func:`build_reports`.

``hipflex report DIR --out OUT`` writes, at the pinned paths,

- ``OUT/athletes/<athlete_id>.html`` — one per athlete in the roster,
- ``OUT/cohorts/<column>.html`` — one per cohort column of the roster,
- ``OUT/data_quality.html``,
- ``OUT/extra/<name>.html`` — any notebook of your own in the notebooks folder,
- ``OUT/index.html`` linking them all,

each with the executed notebook beside it (``.ipynb``). How it is fast, safe and robust:

* **Once-only cleaning.** The parent cleans the data once into a Parquet cache
  (``OUT/.hipflex/cache``, or ``$HIPFLEX_CACHE_DIR``) and passes that cache to the kernels,
  so each notebook's ``load_dataset(data_dir)`` is a cache hit.
* **Parallel workers.** ``jobs`` long-lived worker processes (default: the cores), each in
  its own session, run one report at a time: papermill, then the HTML export in-process
  (nbconvert, code hidden, figures embedded). A worker keeps its imports between reports;
  every report still gets a fresh kernel.
* **Kernels that cannot collide.** Kernels talk over IPC sockets (Unix domain sockets
  with unique names), not TCP ports, so parallel launches never race for a port (the
  ``ZMQError: Address already in use`` of papermill #511 / snakemake #3689). A kernel that
  still fails to start or to answer in time (papermill #239) is retried with back-off.
* **Nothing left behind.** A report that exceeds ``timeout`` seconds is stopped: its
  worker, the worker's process group and every descendant (the kernel, which jupyter
  starts in a session of its own) are killed, so no kernel outlives the command
  (papermill #478). ipykernel's parent poller is a second line: a kernel whose parent
  dies exits by itself.
* **Failures stay contained.** A failed report keeps its executed notebook, error
  included, at its pinned ``.ipynb`` path; the index names it; the command exits
  non-zero. Every pinned file is written to a temporary file in ``OUT`` and renamed.
* **Incremental.** ``OUT/.hipflex/manifest.json`` stores, per report, a digest of its
  inputs: notebook bytes, package version and source, parameters and the data the report
  reads — for an athlete report only that athlete's rows. An unchanged report is skipped.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import glob
import hashlib
import html
import json
import os
import queue
import re
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__
from .io import write_text_atomic

__all__ = [
    "BatchResult",
    "ReportJob",
    "ReportStatus",
    "build_reports",
    "default_notebooks_dir",
    "plan_reports",
    "run_jobs",
]

#: The pinned notebooks: kind -> file name.
NOTEBOOKS = {
    "athlete": "athlete_report.ipynb",
    "cohort": "cohort_comparison.ipynb",
    "data_quality": "data_quality.ipynb",
}
#: Notebooks of the folder that are never run as reports.
NOT_REPORTS = frozenset({*NOTEBOOKS.values(), "explore.ipynb"})

STATE_DIR = ".hipflex"
MANIFEST = "manifest.json"
KERNEL_NAME = "python3"
START_TIMEOUT = 60
START_RETRIES = 3
DEFAULT_WINDOW = 28
REMOVE_TAGS = ("remove-cell", "remove_cell")


def default_notebooks_dir() -> Path:
    """The project's ``notebooks/`` folder (beside the ``analysis`` package)."""
    return Path(__file__).resolve().parent.parent / "notebooks"


# --------------------------------------------------------------------------- jobs


@dataclass(frozen=True)
class ReportJob:
    """One report to produce.

    Attributes
    ----------
    kind : str
        ``athlete``, ``cohort``, ``data_quality`` or ``extra``.
    key : str
        Athlete id, cohort column, or notebook name.
    title : str
        Link text in the index (plain text; escaped when written).
    notebook : str
        Path of the notebook run.
    target : str
        Output path relative to ``OUT`` without suffix, POSIX style (``athletes/A01``).
    parameters : dict
        Papermill parameters.
    digest : str
        Hash of every input of the report (see :func:`plan_reports`).
    """

    kind: str
    key: str
    title: str
    notebook: str
    target: str
    parameters: dict
    digest: str = ""


@dataclass
class ReportStatus:
    """What happened to one report: ``status`` is ``ok``, ``failed`` or ``skipped``."""

    job: ReportJob
    status: str
    seconds: float = 0.0
    error: str = ""
    attempts: int = 0

    @property
    def html_path(self) -> str:
        """Relative path of the HTML report."""
        return self.job.target + ".html"

    @property
    def ipynb_path(self) -> str:
        """Relative path of the executed notebook."""
        return self.job.target + ".ipynb"


@dataclass
class BatchResult:
    """The outcome of :func:`build_reports`."""

    out: Path
    reports: list[ReportStatus] = field(default_factory=list)
    index: Path | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when no report failed."""
        return not self.failures

    @property
    def failures(self) -> list[ReportStatus]:
        """The failed reports."""
        return [r for r in self.reports if r.status == "failed"]

    @property
    def ran(self) -> list[ReportStatus]:
        """Reports executed in this run (ok or failed)."""
        return [r for r in self.reports if r.status != "skipped"]

    @property
    def skipped(self) -> list[ReportStatus]:
        """Reports whose inputs had not changed."""
        return [r for r in self.reports if r.status == "skipped"]

    def summary(self) -> str:
        """One line per failure and a totals line."""
        lines = [
            f"FAILED {r.html_path}: {r.error} (executed notebook: {self.out / r.ipynb_path})"
            for r in self.failures
        ]
        n_ok = sum(r.status == "ok" for r in self.reports)
        lines.append(
            f"{len(self.reports)} reports: {n_ok} ran, {len(self.skipped)} unchanged, "
            f"{len(self.failures)} failed, in {self.seconds:.1f} s; index: {self.index}"
        )
        return "\n".join(lines)


# ------------------------------------------------------------------------ hashing


def _sha(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for p in parts:
        b = p.encode() if isinstance(p, str) else p
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()


def reference_files() -> list[Path]:
    """The reference tables every report may read: the world-class splits drawn in each
    athlete report and the exercise catalog in use (``$HIPFLEX_CATALOG`` or
    ``data/reference/exercises.csv``: its display names label the volume charts)."""
    from . import fatigue
    from .catalog import default_catalog_path

    return [Path(fatigue.ELITE_SPLITS_PATH), Path(default_catalog_path())]


def code_digest() -> str:
    """Hash of the package version, every source and data file of the package, and the
    reference tables of :func:`reference_files` (a missing one hashes as missing)."""
    root = Path(__file__).resolve().parent
    parts: list[bytes | str] = [__version__]
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix in {".py", ".csv", ".mplstyle", ".json"}:
            parts += [str(p.relative_to(root)), p.read_bytes()]
    for p in reference_files():
        try:
            parts += [str(p), p.read_bytes()]
        except OSError:
            parts += [str(p), b"missing"]
    return _sha(*parts)


def _row_hashes(df: pd.DataFrame) -> Any:
    """uint64 hash per row (column names and dtypes hashed separately)."""
    if len(df) == 0:
        return pd.util.hash_array(pd.Series([], dtype="int64").to_numpy())
    return pd.util.hash_pandas_object(df, index=False).to_numpy()


def _schema(df: pd.DataFrame) -> str:
    return json.dumps([[str(c), str(t)] for c, t in df.dtypes.items()])


class _TableHasher:
    """Digests of whole tables, and of the rows of one athlete, from one hashing pass."""

    def __init__(self, tables: dict[str, pd.DataFrame], owner: dict[str, pd.Series]) -> None:
        self.tables = tables
        self.hashes = {k: _row_hashes(v) for k, v in tables.items()}
        self.schema = {k: _schema(v) for k, v in tables.items()}
        self.groups = {
            k: pd.Series(range(len(o)), dtype="int64").groupby(o.to_numpy(), sort=False).indices
            for k, o in owner.items()
        }

    def whole(self, *names: str) -> str:
        return _sha(*[x for n in names for x in (n, self.schema[n], self.hashes[n].tobytes())])

    def athlete(self, athlete_id: str, *names: str) -> str:
        parts: list[bytes | str] = [athlete_id]
        for n in names:
            idx = self.groups[n].get(athlete_id)
            rows = self.hashes[n][idx] if idx is not None else self.hashes[n][:0]
            parts += [n, self.schema[n], rows.tobytes()]
        return _sha(*parts)


# ----------------------------------------------------------------------- planning


def _slug(text: str) -> str:
    """A file name for an id or column: kept if already safe, else made safe and unique."""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,80}", text) and not text.endswith("."):
        return text
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._")[:60] or "x"
    return f"{safe}-{hashlib.sha1(text.encode()).hexdigest()[:8]}"


def _main_event(fatigue: pd.DataFrame) -> int:
    """The event with most races that have a fade metric (ties: the longer; default 400)."""
    d = fatigue.loc[fatigue["differential_s"].notna()] if len(fatigue) else fatigue
    if not len(d):
        d = fatigue
    counts = d["event_m"].dropna().astype("int64").value_counts() if len(d) else None
    if counts is None or counts.empty:
        return 400
    return int(counts[counts == counts.max()].index.max())


def plan_reports(
    ds,
    data_dir: str | os.PathLike[str],
    notebooks_dir: str | os.PathLike[str] | None = None,
    *,
    window_days: int = DEFAULT_WINDOW,
) -> list[ReportJob]:
    """The reports of a dataset, each with the digest of its inputs.

    Parameters
    ----------
    ds : Dataset
        The cleaned dataset.
    data_dir : path
        Its data folder (passed to the notebooks as ``data_dir``, made absolute).
    notebooks_dir : path, optional
        Folder holding ``athlete_report.ipynb``, ``cohort_comparison.ipynb``,
        ``data_quality.ipynb`` and any notebooks of your own; default
        :func:`default_notebooks_dir`.
    window_days : int
        ``window_days`` parameter of the athlete and cohort reports.

    Returns
    -------
    list of ReportJob
        Data quality and cohorts first (they take longest), then athletes in roster order,
        then notebooks of your own.

    Notes
    -----
    ``digest`` = SHA-256 of (notebook bytes, package version and source, parameters,
    data). The data part of an athlete report is that athlete's rows of the roster, log,
    races, splits and rejects (exactly what ``ds.athlete(id)`` shows the notebook); of a
    cohort report the roster, log, races and splits; of the data-quality report and of
    your own notebooks every table.
    """
    from .reporting import cohort_columns, column_label

    nb_dir = Path(notebooks_dir) if notebooks_dir is not None else default_notebooks_dir()
    data_dir = str(Path(data_dir).resolve())
    code = code_digest()
    athletes = ds.athletes
    race_owner = ds.races.set_index("race_id")["athlete_id"]
    tables = {
        "athletes": athletes,
        "log": ds.log,
        "races": ds.races,
        "splits": ds.splits,
        "rejects": ds.rejects,
        "reconciliation": ds.reconciliation,
        "skipped": ds.skipped,
    }
    owner = {
        "athletes": athletes["athlete_id"].astype("string").fillna(""),
        "log": ds.log["athlete_id"].astype("string").fillna(""),
        "races": ds.races["athlete_id"].astype("string").fillna(""),
        "splits": ds.splits["race_id"].map(race_owner).astype("string").fillna(""),
        "rejects": ds.rejects["athlete_id"].astype("string").fillna(""),
    }
    hasher = _TableHasher(tables, owner)
    synthetic = f"synthetic={bool(ds.synthetic)}"
    everything = hasher.whole(*tables) + synthetic
    squad = hasher.whole("athletes", "log", "races", "splits") + synthetic

    def job(kind: str, key: str, title: str, nb: Path, target: str, params: dict, data: str):
        digest = _sha(
            nb.read_bytes(), code, json.dumps(params, sort_keys=True, default=str), data, target
        )
        return ReportJob(kind, key, title, str(nb), target, params, digest)

    jobs: list[ReportJob] = []
    nb = nb_dir / NOTEBOOKS["data_quality"]
    jobs.append(
        job(
            "data_quality",
            "",
            "Data quality",
            nb,
            "data_quality",
            {"data_dir": data_dir},
            everything,
        )
    )
    event = _main_event(ds.fatigue)
    nb = nb_dir / NOTEBOOKS["cohort"]
    for col in cohort_columns(athletes):
        params = {
            "data_dir": data_dir,
            "cohort_column": col,
            "event": event,
            "window_days": int(window_days),
        }
        jobs.append(
            job(
                "cohort",
                col,
                f"Cohorts by {column_label(col).lower()}",
                nb,
                f"cohorts/{_slug(col)}",
                params,
                squad,
            )
        )
    fat = ds.fatigue
    by_athlete = {k: g for k, g in fat.groupby("athlete_id", sort=False)} if len(fat) else {}
    nb = nb_dir / NOTEBOOKS["athlete"]
    names = dict(zip(athletes["athlete_id"], athletes["name"], strict=True))
    for aid in athletes["athlete_id"]:
        aid = str(aid)
        ev = _main_event(by_athlete[aid]) if aid in by_athlete else event
        params = {
            "data_dir": data_dir,
            "athlete_id": aid,
            "event": ev,
            "window_days": int(window_days),
        }
        data = hasher.athlete(aid, "athletes", "log", "races", "splits", "rejects") + synthetic
        title = f"{names.get(aid, aid)} ({aid})"
        jobs.append(job("athlete", aid, title, nb, f"athletes/{_slug(aid)}", params, data))
    for extra in sorted(nb_dir.glob("*.ipynb")):
        if extra.name in NOT_REPORTS or extra.name.startswith("."):
            continue
        jobs.append(
            job(
                "extra",
                extra.stem,
                extra.stem.replace("_", " "),
                extra,
                f"extra/{_slug(extra.stem)}",
                {"data_dir": data_dir},
                everything,
            )
        )
    return jobs


# ----------------------------------------------------------------------- manifest


def _read_manifest(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data.get("reports", {}) if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_manifest(path: Path, reports: dict) -> None:
    write_text_atomic(
        path, json.dumps({"version": 1, "reports": reports}, indent=1, sort_keys=True)
    )


# --------------------------------------------------------------- kernel manager


def _kernel_manager_class():
    """An AsyncKernelManager over IPC sockets with unique names, running this interpreter.

    IPC transport: each kernel's five channels are Unix sockets named
    ``<tmp>/hfk-<worker pid>-<random>-<n>``, so parallel launches cannot collide (TCP
    ports are picked by binding port 0, closing it and handing the number to the kernel:
    two launches can get the same port, papermill #511). A ``python3`` kernel is started
    with ``sys.executable`` so it always runs in the same environment as hipflex.
    """
    from jupyter_client.manager import AsyncKernelManager

    class HipflexKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.transport = "ipc"
            self.ip = os.path.join(
                tempfile.gettempdir(), f"hfk-{os.getpid()}-{uuid.uuid4().hex[:10]}"
            )

        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            cmd = super().format_kernel_cmd(extra_arguments)
            if "ipykernel_launcher" in cmd or "ipykernel" in cmd:
                cmd[0] = sys.executable
            return cmd

    return HipflexKernelManager


def _is_start_failure(exc: BaseException) -> bool:
    """Whether an exception says the kernel failed to start or to answer at start-up."""
    try:
        import zmq

        if isinstance(exc, zmq.error.ZMQError):
            return True
    except ImportError:  # pragma: no cover
        pass
    msg = str(exc)
    markers = (
        "Kernel died before replying to kernel_info",
        "didn't respond",
        "Address already in use",
        "Kernel didn't respond",
    )
    return isinstance(exc, RuntimeError | TimeoutError | OSError) and any(m in msg for m in markers)


# ------------------------------------------------------------------ export / files


#: The lab template without MathJax: a report never typesets a ``$...$`` of the data
#: (a name, a meet, a cohort value) as maths (nbconvert #1770 / #1551: override the block).
NO_MATHS_TEMPLATE = (
    "{%- extends 'lab/index.html.j2' -%}\n"
    "{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}\n"
)


def _export_html(nb, title: str = "hipflex report", *, maths: bool = False) -> str:
    """HTML of an executed notebook: code hidden, prompts hidden, figures embedded.

    ``maths=False`` (the pinned reports) exports without MathJax; notebooks of your own
    keep it for their prose (hipflex's own outputs in them are marked ``tex2jax_ignore``).
    """
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    c = Config()
    c.TagRemovePreprocessor.remove_cell_tags = set(REMOVE_TAGS)
    c.TagRemovePreprocessor.enabled = True
    template = {}
    if not maths:
        template = {
            "extra_loaders": [DictLoader({"hipflex_no_maths.html.j2": NO_MATHS_TEMPLATE})],
            "template_file": "hipflex_no_maths.html.j2",
        }
    exporter = HTMLExporter(
        config=c,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        **template,
    )
    exporter.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


def _stopped_note(nb, message: str) -> None:
    """Put a visible note at the top of a notebook that did not finish."""
    import nbformat

    cell = nbformat.v4.new_markdown_cell(
        f"<div style='color:#a00;font-weight:bold'>hipflex: this report did not finish: "
        f"{html.escape(message)}</div>"
    )
    cell.metadata["tags"] = ["hipflex-error"]
    nb.cells.insert(0, cell)


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def error_summary(error: str, limit: int = 300) -> str:
    """One short line of an error for a coach: no colour codes, no traceback, cut at
    ``limit`` characters."""
    text = " ".join(_ANSI.sub("", error or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _failure_page(title: str, target: str, error: str) -> str:
    """The HTML page of a report that failed: a short, escaped summary and links to the
    executed notebook (which keeps the full error) and to the index — no traceback."""
    e = html.escape
    depth = target.count("/")
    nb_href = _href(Path(target).name + ".ipynb")
    index_href = _href("../" * depth + "index.html")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{e(title)} — report failed</title><style>{INDEX_CSS}</style></head><body>"
        f"<h1>{e(title)}</h1><div class='failures'>"
        f"<p><b>This report did not finish.</b> {e(error_summary(error))}</p>"
        f"<p>The executed notebook, with the full error, is "
        f"<a href='{nb_href}'>{e(Path(target).name)}.ipynb</a>. Fix the data or the "
        "notebook and run the reports again; only this report will be re-run.</p></div>"
        f"<p><a href='{index_href}'>All reports</a></p></body></html>"
    )


def _finalize(tmp_nb: Path, out: Path, target: str, spec: dict, error: str | None) -> None:
    """Export HTML and move the executed notebook to its pinned path (both atomically).

    A failed report keeps its executed notebook, error included; its HTML page is a short
    summary with a link to that notebook (:func:`_failure_page`), not a traceback.
    """
    import nbformat

    ipynb = out / (target + ".ipynb")
    ipynb.parent.mkdir(parents=True, exist_ok=True)
    if tmp_nb.is_file():
        try:
            nb = nbformat.read(str(tmp_nb), as_version=4)
        except Exception:
            nb = nbformat.read(spec["notebook"], as_version=4)
    else:
        nb = nbformat.read(spec["notebook"], as_version=4)
    if error and not any(
        "papermill-error-cell-tag" in c.get("metadata", {}).get("tags", []) for c in nb.cells
    ):
        _stopped_note(nb, error)
    title = spec.get("title") or target
    page = (
        _failure_page(title, target, error)
        if error
        else _export_html(nb, title, maths=bool(spec.get("maths", False)))
    )
    write_text_atomic(out / (target + ".html"), page)
    write_text_atomic(ipynb, nbformat.writes(nb))
    with contextlib.suppress(OSError):
        tmp_nb.unlink()


def _tmp_notebook(out: Path, target: str) -> Path:
    return out / STATE_DIR / "tmp" / (target.replace("/", "__") + ".ipynb")


# ------------------------------------------------------------------------- worker


def run_one(spec: dict, *, sleep: Callable[[float], None] = time.sleep) -> dict:
    """Execute one report in this process (called by a worker): papermill, export, rename.

    Parameters
    ----------
    spec : dict
        ``notebook, out, target, parameters, kernel_name, timeout, start_timeout,
        retries``.
    sleep : callable
        Back-off sleep (replaceable in tests).

    Returns
    -------
    dict
        ``target, status`` (``ok``/``failed``), ``error``, ``attempts``, ``seconds``.

    Notes
    -----
    A kernel that fails to start (``ZMQError``, "Kernel died before replying to
    kernel_info", start-up timeout) is retried up to ``retries`` times, waiting 0.5, 1,
    2 … s; an error raised by a cell is not retried.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    t0 = time.perf_counter()
    out = Path(spec["out"])
    target = spec["target"]
    tmp_nb = _tmp_notebook(out, target)
    tmp_nb.parent.mkdir(parents=True, exist_ok=True)
    km_class = _kernel_manager_class()
    retries = max(1, int(spec.get("retries", START_RETRIES)))
    error: str | None = None
    attempts = 0
    for attempt in range(1, retries + 1):
        attempts = attempt
        try:
            pm.execute_notebook(
                spec["notebook"],
                str(tmp_nb),
                parameters=spec["parameters"],
                kernel_name=spec.get("kernel_name", KERNEL_NAME),
                progress_bar=False,
                # one save at the end (and papermill's 30 s autosave in a long cell):
                # saving after every cell re-serialises the figures each time
                request_save_on_cell_execute=False,
                start_timeout=int(spec.get("start_timeout", START_TIMEOUT)),
                execution_timeout=spec.get("timeout"),
                cwd=str(Path(spec["notebook"]).parent),
                kernel_manager_class=km_class,
            )
            error = None
            break
        except PapermillExecutionError as exc:
            error = f"{exc.ename}: {exc.evalue} (cell {exc.exec_count})"
            break
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            if _is_start_failure(exc) and attempt < retries:
                print(
                    f"hipflex: {target}: kernel failed to start ({error}); retry {attempt}",
                    file=sys.stderr,
                )
                sleep(0.5 * 2 ** (attempt - 1))
                continue
            break
    try:
        _finalize(tmp_nb, out, target, spec, error)
    except Exception as exc:
        error = (error + "; " if error else "") + f"export failed: {type(exc).__name__}: {exc}"
    return {
        "target": target,
        "status": "failed" if error else "ok",
        "error": error or "",
        "attempts": attempts,
        "seconds": round(time.perf_counter() - t0, 3),
    }


def _worker_main() -> int:
    """Worker loop: one JSON job per stdin line, one JSON result per line on fd 3 → stdout."""
    proto = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)  # anything else printed (and the kernels' inherited stdout) goes to stderr
    sys.stdout = sys.stderr
    for line in sys.stdin:
        if not line.strip():
            continue
        spec = json.loads(line)
        try:
            res = run_one(spec)
        except Exception as exc:
            res = {
                "target": spec.get("target"),
                "status": "failed",
                "error": f"{type(exc).__name__}: {exc}",
                "attempts": 0,
                "seconds": 0.0,
            }
        proto.write(json.dumps(res) + "\n")
        proto.flush()
    return 0


def _descendants(pid: int) -> list[int]:
    """Every descendant of ``pid`` (children first), from /proc or psutil."""
    try:
        import psutil

        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except Exception:
        return []


class _Worker:
    """A worker process in its own session, with its jobs on stdin and results on stdout."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from analysis.report import _worker_main; _worker_main()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            env=env,
            start_new_session=True,
        )
        self.buf = b""

    def send(self, spec: dict) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps(spec) + "\n").encode())
        self.proc.stdin.flush()

    def receive(self, deadline: float) -> dict | None:
        """The next result line, or None at the deadline; raises EOFError if the worker died."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise EOFError("worker exited")
                self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def kill(self) -> None:
        """Kill the worker, its process group and every descendant (kernels included)."""
        pid = self.proc.pid
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGSTOP)  # no new kernels while we collect them
        victims = _descendants(pid)
        groups = {pid}
        for v in victims:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                groups.add(os.getpgid(v))
        for g in groups:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(g, signal.SIGKILL)
        for v in [pid, *victims]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(v, signal.SIGKILL)
        with contextlib.suppress(Exception):
            self.proc.wait(timeout=10)
        for v in victims:  # reap nothing (not our children) but make sure they are gone
            for _ in range(50):
                try:
                    os.kill(v, 0)
                except (ProcessLookupError, PermissionError):
                    break
                time.sleep(0.02)
        for f in glob.glob(os.path.join(tempfile.gettempdir(), f"hfk-{pid}-*")):
            with contextlib.suppress(OSError):
                os.unlink(f)
        self.close()

    def close(self) -> None:
        """Close the pipes; the worker exits when its stdin closes."""
        for s in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(Exception):
                s.close()
        with contextlib.suppress(Exception):
            self.proc.wait(timeout=30)
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()


def _worker_env(cache_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["HIPFLEX_CACHE_DIR"] = str(cache_dir)
    # one thread per kernel: the parallelism is across reports
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    env.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


class _Progress:
    """tqdm on a terminal, plain log lines otherwise, nothing when disabled."""

    def __init__(self, total: int, mode: bool | None) -> None:
        self.total, self.done = total, 0
        self.bar = None
        self.lines = mode is not False
        self.lock = threading.Lock()
        if mode is True or (mode is None and sys.stderr.isatty()):
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="report", file=sys.stderr, dynamic_ncols=True)
            self.lines = False

    def update(self, st: ReportStatus) -> None:
        with self.lock:
            self.done += 1
            if self.bar is not None:
                self.bar.set_postfix_str(f"{st.html_path} {st.status}", refresh=False)
                self.bar.update(1)
                if st.status == "failed":
                    self.bar.write(f"FAILED {st.html_path}: {st.error}")
            elif self.lines:
                extra = f" ({st.error})" if st.status == "failed" else ""
                print(
                    f"[{self.done}/{self.total}] {st.html_path} {st.status} "
                    f"{st.seconds:.1f}s{extra}",
                    file=sys.stderr,
                    flush=True,
                )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run_jobs(
    jobs: Sequence[ReportJob],
    out: str | os.PathLike[str],
    *,
    workers: int = 2,
    timeout: float | None = 600.0,
    kernel_name: str = KERNEL_NAME,
    cache_dir: str | os.PathLike[str] | None = None,
    retries: int = START_RETRIES,
    on_done: Callable[[ReportStatus], None] | None = None,
) -> list[ReportStatus]:
    """Run reports on ``workers`` worker processes; return their statuses in job order.

    Parameters
    ----------
    jobs : sequence of ReportJob
        Reports to run.
    out : path
        Output folder (pinned paths are relative to it).
    workers : int
        Parallel worker processes (each runs one kernel at a time).
    timeout : float, optional
        Seconds one report may take, from when a worker takes it; then the worker and its
        kernel are killed and the report is failed. None: no limit.
    kernel_name : str
        Kernel to run the notebooks with.
    cache_dir : path, optional
        Dataset cache the kernels read (``HIPFLEX_CACHE_DIR``).
    retries : int
        Attempts for a kernel that fails to start.
    on_done : callable, optional
        Called with each :class:`ReportStatus` as it completes (from a worker thread).
    """
    out = Path(out)
    state = out / STATE_DIR
    (state / "logs").mkdir(parents=True, exist_ok=True)
    env = _worker_env(Path(cache_dir) if cache_dir else state / "cache")
    todo: queue.Queue[tuple[int, ReportJob]] = queue.Queue()
    for i, j in enumerate(jobs):
        todo.put((i, j))
    results: list[ReportStatus | None] = [None] * len(jobs)
    limit = float(timeout) if timeout else None

    def slot(n: int) -> None:
        worker: _Worker | None = None
        try:
            while True:
                try:
                    i, job = todo.get_nowait()
                except queue.Empty:
                    return
                spec = {
                    "title": job.title,
                    "notebook": job.notebook,
                    "out": str(out),
                    "target": job.target,
                    "parameters": job.parameters,
                    "kernel_name": kernel_name,
                    "timeout": limit,
                    "start_timeout": START_TIMEOUT,
                    "retries": retries,
                    "maths": job.kind == "extra",
                }
                t0 = time.perf_counter()
                if worker is None:
                    worker = _Worker(env, state / "logs" / f"worker-{n}.log")
                try:
                    worker.send(spec)
                    res = worker.receive(time.monotonic() + limit if limit else float("inf"))
                except (EOFError, BrokenPipeError, OSError, ValueError) as exc:
                    res = {"status": "failed", "error": f"worker died ({exc})", "attempts": 1}
                    worker.kill()
                    worker = None
                    _salvage(out, job, spec, res["error"])
                if res is None:
                    worker.kill()
                    worker = None
                    msg = f"stopped after the time limit of {limit:g} s"
                    res = {"status": "failed", "error": msg, "attempts": 1}
                    _salvage(out, job, spec, msg)
                st = ReportStatus(
                    job,
                    res["status"],
                    seconds=round(time.perf_counter() - t0, 3),
                    error=res.get("error", ""),
                    attempts=int(res.get("attempts", 1)),
                )
                results[i] = st
                if on_done is not None:
                    on_done(st)
        finally:
            if worker is not None:
                worker.close()

    n = max(1, min(int(workers), len(jobs)))
    threads = [threading.Thread(target=slot, args=(k,), daemon=True) for k in range(n)]
    previous = None
    if threading.current_thread() is threading.main_thread():
        # cron/systemd stop a job with SIGTERM: end like Ctrl-C, workers and kernels killed
        previous = signal.signal(signal.SIGTERM, _terminate)
    for t in threads:
        t.start()
    try:
        for t in threads:
            while t.is_alive():
                t.join(0.2)
    except BaseException:
        _kill_all_workers()
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return [r for r in results if r is not None]


def _terminate(signum: int, frame: Any) -> None:  # pragma: no cover - signal handler
    raise SystemExit(128 + signum)


def _kill_all_workers() -> None:
    """Kill every process this one started (workers and their kernels)."""
    import psutil

    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(Exception):
            child.kill()


def _salvage(out: Path, job: ReportJob, spec: dict, message: str) -> None:
    """Keep what a killed worker left (its partial notebook) at the pinned path."""
    try:
        _finalize(_tmp_notebook(out, job.target), out, job.target, spec, message)
    except Exception as exc:
        print(f"hipflex: could not keep the notebook of {job.target}: {exc}", file=sys.stderr)


# -------------------------------------------------------------------------- index


def _fmt_time(ts: float | None) -> str:
    if ts is None:
        return "—"
    return _dt.datetime.fromtimestamp(ts, tz=_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _href(path: str) -> str:
    from urllib.parse import quote

    return html.escape(quote(path), quote=True)


INDEX_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:60rem;
margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
h1{margin-bottom:.2rem} .meta{color:#555} table{border-collapse:collapse;width:100%}
td,th{padding:.25rem .6rem;border-bottom:1px solid #ddd;text-align:left}
.ok{color:#2e7d32}.failed{color:#b00020;font-weight:bold}.skipped{color:#555}
.synthetic{background:#fff3cd;border:2px solid #d39e00;padding:.5rem 1rem;font-weight:bold}
.failures{background:#fdecea;border:2px solid #b00020;padding:.5rem 1rem}
"""


def write_index(
    out: Path,
    statuses: Iterable[ReportStatus],
    manifest: dict,
    ds,
    data_dir: Path,
    started: float,
    seconds: float,
) -> Path:
    """Write ``OUT/index.html``: every report, run time, data freshness, failures."""
    e = html.escape
    statuses = list(statuses)
    s = ds.summary()
    from .io import iter_raw_files

    mtimes = [p.stat().st_mtime for p in iter_raw_files(data_dir)]
    newest = max(mtimes) if mtimes else None
    failed = [r for r in statuses if r.status == "failed"]
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>hipflex reports — {e(data_dir.name)}</title><style>{INDEX_CSS}</style></head><body>",
    ]
    if ds.synthetic:
        parts.append(
            "<p class='synthetic'>SYNTHETIC DATA — generated by <code>hipflex sample</code>; "
            "no real athlete is described in these reports.</p>"
        )
    n_run = sum(r.status != "skipped" for r in statuses)
    parts.append("<h1>hipflex reports</h1>")
    parts.append(
        "<p class='meta'>"
        f"Data folder <code>{e(str(data_dir))}</code>: {s['athletes']} athletes, "
        f"{s['log_rows']} training-log entries, {s['races']} races; latest date in the data "
        f"<b>{e(str(s['last_date']))}</b>, files last changed {e(_fmt_time(newest))}.<br>"
        f"Run {e(_fmt_time(started))} in {seconds:.1f} s: {n_run} reports ran, "
        f"{len(statuses) - n_run} unchanged, {len(failed)} failed. "
        f"hipflex {e(__version__)}.</p>"
    )
    if failed:
        items = "".join(
            f"<li><b>{e(r.job.title)}</b>: {e(r.error)} — executed notebook "
            f"<a href='{_href(r.ipynb_path)}'>{e(r.ipynb_path)}</a></li>"
            for r in failed
        )
        parts.append(f"<div class='failures'><h2>Failed reports</h2><ul>{items}</ul></div>")

    def row(r: ReportStatus) -> str:
        m = manifest.get(r.job.target, {})
        when = m.get("finished", "")
        status = "failed" if r.status == "failed" else "ok"
        label = {"failed": "failed", "ok": "updated", "skipped": "unchanged"}[r.status]
        extra = (
            f" · <a href='{_href(r.ipynb_path)}'>notebook with the error</a>"
            if r.status == "failed"
            else f" · <a href='{_href(r.ipynb_path)}'>notebook</a>"
        )
        return (
            f"<tr><td><a href='{_href(r.html_path)}'>{e(r.job.title)}</a>{extra}</td>"
            f"<td class='{status}'>{label}</td><td>{e(when)}</td></tr>"
        )

    sections = [
        ("Data quality", "data_quality"),
        ("Cohorts", "cohort"),
        ("Athletes", "athlete"),
        ("Your notebooks", "extra"),
    ]
    for title, kind in sections:
        rows = [row(r) for r in statuses if r.job.kind == kind]
        if rows:
            parts.append(
                f"<h2>{e(title)}</h2><table><tr><th>report</th><th>this run</th>"
                f"<th>last produced</th></tr>{''.join(rows)}</table>"
            )
    parts.append("</body></html>")
    return write_text_atomic(out / "index.html", "\n".join(parts))


# -------------------------------------------------------------------------- build


def build_reports(
    data_dir: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    jobs: int | None = None,
    timeout: float | None = 600.0,
    force: bool = False,
    progress: bool | None = None,
    notebooks_dir: str | os.PathLike[str] | None = None,
    window_days: int = DEFAULT_WINDOW,
    kernel_name: str = KERNEL_NAME,
    retries: int = START_RETRIES,
) -> BatchResult:
    """Run every report of a data folder into ``out`` and write ``out/index.html``.

    Parameters
    ----------
    data_dir : path
        The coach's data folder (``athletes.csv``, logs, results).
    out : path
        Output folder; pinned paths ``index.html``, ``athletes/<athlete_id>.html``,
        ``cohorts/<column>.html``, ``data_quality.html`` (executed ``.ipynb`` beside each).
    jobs : int, optional
        Reports run in parallel (default: the CPUs available).
    timeout : float, optional
        Seconds one report may take before it is stopped and marked failed (None: no
        limit).
    force : bool
        Re-run every report even if its inputs are unchanged.
    progress : bool, optional
        True: progress bar; False: silent; None: a bar on a terminal, one line per report
        otherwise (cron).
    notebooks_dir : path, optional
        Where the notebooks are (default: the project's ``notebooks/``).
    window_days : int
        Volume window of the athlete and cohort reports.
    kernel_name : str
        Jupyter kernel (default ``python3``, started with this interpreter).
    retries : int
        Attempts for a kernel that fails to start.

    Returns
    -------
    BatchResult
        ``.ok`` is False when any report failed; ``.failures``, ``.ran``, ``.skipped``.

    Raises
    ------
    DataError
        The data folder cannot be read at all (no roster, unreadable file, ...).
    """

    t0 = time.perf_counter()
    started = time.time()
    out = Path(out)
    data_dir = Path(data_dir)
    state = out / STATE_DIR
    state.mkdir(parents=True, exist_ok=True)
    with _exclusive(state / "lock"):
        return _build(data_dir, out, state, t0, started, jobs, timeout, force, progress,
                      notebooks_dir, window_days, kernel_name, retries)  # fmt: skip


@contextlib.contextmanager
def _exclusive(path: Path):
    """Hold an exclusive lock on ``path``: two runs into one folder would trample each other."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    with open(path, "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            from .errors import DataError

            raise DataError(
                "another hipflex report is writing into this folder; try again when it is done",
                file=str(path.parent.parent),
            ) from None
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _build(data_dir, out, state, t0, started, jobs, timeout, force, progress,
           notebooks_dir, window_days, kernel_name, retries) -> BatchResult:  # fmt: skip
    from .dataset import CACHE_ENV, load_dataset

    cache_dir = Path(os.environ.get(CACHE_ENV) or state / "cache")
    ds = load_dataset(data_dir, cache_dir=cache_dir)
    planned = plan_reports(ds, data_dir, notebooks_dir, window_days=window_days)
    manifest_path = state / MANIFEST
    manifest = _read_manifest(manifest_path)

    # reports no longer planned (an athlete left the roster): remove what we wrote for them
    wanted = {j.target for j in planned}
    for target in [t for t in manifest if t not in wanted]:
        for suffix in (".html", ".ipynb"):
            with contextlib.suppress(OSError):
                (out / (target + suffix)).unlink()
        del manifest[target]

    def unchanged(j: ReportJob) -> bool:
        m = manifest.get(j.target)
        return (
            not force
            and m is not None
            and m.get("digest") == j.digest
            and m.get("status") == "ok"
            and (out / (j.target + ".html")).is_file()
            and (out / (j.target + ".ipynb")).is_file()
        )

    statuses: dict[str, ReportStatus] = {}
    todo = []
    for j in planned:
        if unchanged(j):
            statuses[j.target] = ReportStatus(j, "skipped")
        else:
            todo.append(j)
    bar = _Progress(len(planned), progress)
    for st in statuses.values():
        bar.update(st)
    lock = threading.Lock()

    def done(st: ReportStatus) -> None:
        with lock:
            statuses[st.job.target] = st
            manifest[st.job.target] = {
                "digest": st.job.digest,
                "status": st.status,
                "error": st.error,
                "seconds": st.seconds,
                "attempts": st.attempts,
                "kind": st.job.kind,
                "title": st.job.title,
                "finished": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            }
            _write_manifest(manifest_path, manifest)
        bar.update(st)

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    n_workers = jobs or cpus or 1
    try:
        if todo:
            run_jobs(
                todo,
                out,
                workers=n_workers,
                timeout=timeout,
                kernel_name=kernel_name,
                cache_dir=cache_dir,
                retries=retries,
                on_done=done,
            )
    finally:
        bar.close()
    _write_manifest(manifest_path, manifest)
    ordered = [statuses[j.target] for j in planned if j.target in statuses]
    result = BatchResult(out=out, reports=ordered, seconds=time.perf_counter() - t0)
    result.index = write_index(out, ordered, manifest, ds, data_dir, started, result.seconds)
    result.seconds = time.perf_counter() - t0
    if progress is not False or not result.ok:
        print(result.summary(), file=sys.stderr if not result.ok else sys.stdout)
    return result


if __name__ == "__main__":  # pragma: no cover
    sys.exit(_worker_main())
