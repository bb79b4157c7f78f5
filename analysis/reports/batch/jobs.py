"""What a report batch is made of: the pinned notebooks, :class:`ReportJob` (one report to
produce), :class:`ReportStatus` (what happened to it) and :class:`BatchResult`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...safe_text import one_line

#: The pinned notebooks: kind -> file name.
NOTEBOOKS = {
    "squad": "squad_report.ipynb",
    "athlete": "athlete_report.ipynb",
    "cohort": "cohort_comparison.ipynb",
    "data_quality": "data_quality.ipynb",
}


#: Notebooks of the folder that are never run as reports.
NOT_REPORTS = frozenset({*NOTEBOOKS.values(), "explore.ipynb"})


STATE_DIR = ".hipflex"


MANIFEST = "manifest.json"


#: ``OUT/.hipflex/run``: the id of the run that owns ``OUT`` (only it renames pages there).
RUN_FILE = "run"


#: Where a run's snapshot of the cleaned tables lives (``OUT/.hipflex/snapshots/<run id>``);
#: every kernel gets its part of it as the notebook parameter ``tables``.
SNAPSHOTS_DIR = "snapshots"


#: Memory one report takes at its peak (worker + kernel + export), in bytes: measured ~0.58 GB
#: on the sample (issue 14); ``$HIPFLEX_JOB_MEMORY_MB`` overrides it.
JOB_MEMORY = 600 * 2**20


KERNEL_NAME = "python3"


START_TIMEOUT = 60


START_RETRIES = 3


#: Kernel options of the pinned reports: figures shown at the size they are drawn
#: (IPython's inline default, ``bbox_inches="tight"``, draws every figure twice to find
#: its box; hipflex's figures use constrained layout, which keeps them inside the figure).
HOUSE_KERNEL_ARGUMENTS = ("--InlineBackend.print_figure_kwargs={'bbox_inches': None}",)


REMOVE_TAGS = ("remove-cell", "remove_cell")


def default_notebooks_dir() -> Path:
    """The report notebooks shipped with the package (the project's ``notebooks/``)."""
    from ...resources import notebooks_dir

    return notebooks_dir()


def report_parameters(spec: dict) -> dict:
    """The parameters a report's notebook is run with: the job's own, and ``tables``, the
    part of the run's snapshot its kernel reads (``spec["snapshot"]`` joined with
    ``spec["tables"]``: an athlete report's kernel gets that athlete's tables only).

    The kernel's :func:`analysis.dataset.load_dataset` reads its tables from this
    parameter and from nothing else; without a snapshot (a plan run by hand) no ``tables``
    is passed and the notebook reads its ``data_dir``.

    Parameters
    ----------
    spec : dict
        What the batch hands a worker (:meth:`~analysis.reports.batch.jobs.ReportJob.spec`).

    Returns
    -------
    dict
        Papermill parameters.
    """
    params = dict(spec["parameters"])
    snapshot = str(spec.get("snapshot") or "")
    if snapshot:
        sub = str(spec.get("tables") or "")
        params["tables"] = str(Path(snapshot) / sub) if sub else snapshot
    return params


@dataclass(frozen=True)
class ReportJob:
    """One report to produce.

    Attributes
    ----------
    kind : str
        ``squad``, ``athlete``, ``cohort``, ``data_quality`` or ``extra``.
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
    tables : str
        Sub-folder of the run's snapshot the kernel reads (set by the batch: an athlete
        report's kernel gets that athlete's tables only).
    """

    kind: str
    key: str
    title: str
    notebook: str
    target: str
    parameters: dict
    digest: str = ""
    #: The part of the run's snapshot this report's kernel reads, relative to it
    #: (``athletes/<name>``: one athlete's tables only); ``""``: the whole snapshot.
    tables: str = ""

    def spec(
        self,
        out: str | os.PathLike[str],
        *,
        kernel_name: str,
        timeout: float | None,
        retries: int,
        **extra: Any,
    ) -> dict:
        """What a worker needs to run this report (:func:`analysis.reports.batch.worker.run_one`),
        the same for the local runner and the Dask engine; ``extra`` adds keys (``run_id``)."""
        return {
            "title": self.title,
            "notebook": self.notebook,
            "out": str(out),
            "target": self.target,
            "parameters": self.parameters,
            "kernel_name": kernel_name,
            "timeout": timeout,
            "start_timeout": START_TIMEOUT,
            "retries": retries,
            # hipflex's own figures are laid out by matplotlib's constrained layout: shown
            # as drawn (no "tight" box, which draws each figure twice); a notebook of your
            # own keeps IPython's default
            "kernel_arguments": [] if self.kind == "extra" else list(HOUSE_KERNEL_ARGUMENTS),
            "tables": self.tables,
            **extra,
        }


@dataclass
class ReportStatus:
    """What happened to one report: ``status`` is ``ok``, ``failed`` or ``skipped``."""

    job: ReportJob
    status: str
    seconds: float = 0.0
    error: str = ""
    attempts: int = 0
    #: SHA-256 of the page this run wrote ('' if it wrote none): the manifest keeps it, and a
    #: page on disk that differs is re-run, whoever replaced it.
    html_sha: str = ""

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
    #: Batch outputs besides the reports that failed (attention list, exports), one line each.
    problems: list[str] = field(default_factory=list)
    #: Reports never started because the batch stopped (a full disk), and why it stopped.
    not_attempted: list[ReportJob] = field(default_factory=list)
    stopped: str = ""

    @property
    def ok(self) -> bool:
        """True when no report failed or was left out (and the attention list and exports
        were written)."""
        return not self.failures and not self.problems and not self.not_attempted

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
            one_line(
                f"FAILED {r.html_path}: {r.error} (executed notebook: {self.out / r.ipynb_path})"
            )
            for r in self.failures
        ]
        lines += [f"FAILED {one_line(p)}" for p in self.problems]
        if self.stopped:
            left = ", ".join(one_line(j.target) + ".html" for j in self.not_attempted[:10])
            more = (
                f" and {len(self.not_attempted) - 10} more" if len(self.not_attempted) > 10 else ""
            )
            lines.append(
                f"STOPPED: {one_line(self.stopped)}; {len(self.not_attempted)} report(s) not attempted"
                + (f": {left}{more}" if left else "")
                + " (their old pages, if any, are kept)"
            )
        n_ok = sum(r.status == "ok" for r in self.reports)
        lines.append(
            f"{len(self.reports)} reports: {n_ok} ran, {len(self.skipped)} unchanged, "
            f"{len(self.failures)} failed, in {self.seconds:.1f} s; index: {self.index}"
        )
        return "\n".join(lines)
