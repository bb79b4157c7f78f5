"""The settings of one report batch: :class:`ReportSettings`, one frozen object handed from
``hipflex report`` to :func:`~analysis.reports.batch.build.build_reports` and down to the
planner and the engines (no positional relay, no environment variable that changes data).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...config import PRIMARY_WINDOW_DAYS
from .jobs import KERNEL_NAME, START_RETRIES


@dataclass(frozen=True)
class ReportSettings:
    """How a batch of reports is made.

    Attributes
    ----------
    window_days : int
        Volume window (days before race day) of the squad, athlete and cohort reports:
        :data:`analysis.config.PRIMARY_WINDOW_DAYS`, the pre-specified primary window.
    hand_to_fat : mapping of int to float, optional
        Hand-to-FAT offsets (s per event) used when :func:`build_reports` cleans a folder
        itself; events left out keep :func:`analysis.config.hand_to_fat`. A
        :class:`~analysis.dataset.Dataset` handed in was cleaned with its own offsets.
    jobs : int, optional
        Reports run in parallel (default: the CPUs available, bounded by the memory:
        :func:`analysis.reports.batch.procs.default_workers`).
    timeout : float, optional
        Seconds one report may take before it is stopped and failed (None: no limit).
    force : bool
        Re-run every report even if its inputs are unchanged.
    progress : bool, optional
        True: progress bar; False: silent; None: a bar on a terminal, one line per report
        otherwise (cron).
    notebooks_dir : path, optional
        Where the notebooks are (default: the project's ``notebooks/``).
    kernel_name : str
        Jupyter kernel (default ``python3``, started with this interpreter).
    retries : int
        Attempts for a kernel that fails to start.
    scheduler : str or distributed.Client, optional
        Run the reports as tasks on this Dask cluster (:mod:`analysis.reports.batch.cluster`);
        default: local worker processes.
    include_health : bool
        Put the injury log in ``OUT/exports/``; default: health data stays out.
    """

    window_days: int = PRIMARY_WINDOW_DAYS
    hand_to_fat: Mapping[int, float] | None = None
    jobs: int | None = None
    timeout: float | None = 600.0
    force: bool = False
    progress: bool | None = None
    notebooks_dir: str | os.PathLike[str] | None = None
    kernel_name: str = KERNEL_NAME
    retries: int = START_RETRIES
    scheduler: Any = None
    include_health: bool = False

    def with_options(self, **options: Any) -> ReportSettings:
        """These settings with ``options`` (field names) replaced.

        Raises
        ------
        TypeError
            An option that is not a field of :class:`ReportSettings`.
        """
        fields = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(options) - fields)
        if unknown:
            raise TypeError(f"not a report setting: {', '.join(unknown)}")
        return dataclasses.replace(self, **options) if options else self


__all__ = ["ReportSettings"]
