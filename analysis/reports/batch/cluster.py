"""The report batch on a Dask cluster: ``hipflex report DIR --out OUT --scheduler tcp://HOST:8786``.

Each report is one task on an existing Dask distributed cluster (:func:`cluster_engine`,
which has the signature of :func:`analysis.reports.batch.runner.run_jobs`, so the batch around it
— manifest, incremental runs, failure pages, index — is the local one). Workers need no
shared file system:

* **What goes to the workers** (one *payload* per batch, sent once to each worker that
  runs a report, removed from the workers at the end of the batch): the data folder's
  files, the cleaned tables the kernels read (the run's snapshot, which each kernel gets
  as its ``tables`` parameter; or a dataset cache entry), the notebooks of the batch, the
  catalog named by ``$HIPFLEX_CATALOG``, and ``$HIPFLEX_HAND_TO_FAT`` (what a kernel that
  cleans its folder through the cache needs). Each task also carries its report's
  parameters.
* **On a worker** the payload is written to a private temporary folder; a report runs in a
  child process of the worker (:func:`analysis.reports.batch.worker.run_one`: papermill, then the
  HTML export), with a fresh kernel per report, so an athlete's data are never in another
  athlete's kernel. A report over the time limit has its child process and kernel killed;
  a child whose worker dies kills its kernel and exits.
* **What comes back** is the executed notebook and its HTML page (text); the submitting
  process writes both atomically (temporary file + rename) at the pinned paths.

A worker killed mid-report is replaced by Dask and its report re-run elsewhere (up to the
scheduler's ``allowed-failures``), else that report alone is failed.

``distributed`` is imported only here, only when a scheduler is used: install it with
``pip install 'hipflex[dask]'``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ...errors import DataError
from ...io import write_text_atomic
from ...safe_text import one_line

# the worker side (what runs on a Dask worker), re-exported for callers of this module
from .cluster_worker import (  # noqa: F401
    PLACED,
    TABLES_ENV,
    code_identity,
    hipflex_version,
    identity,
    kernel_cache_key,
    place,
    rekey,
    release,
    report_task,
)
from .export import finalize, tmp_notebook
from .jobs import KERNEL_NAME, START_RETRIES, ReportJob, ReportStatus

#: Environment variable naming the scheduler when ``--scheduler`` is not given (Dask's own).
SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"

#: Seconds to wait for the scheduler to answer, and for a first worker.
CONNECT_TIMEOUT = 10.0

#: Settings of the submitting process the kernels must see too.
FORWARD_ENV = ("HIPFLEX_HAND_TO_FAT",)

EXTRA_MISSING = "the Dask engine needs the optional extra: pip install 'hipflex[dask]'"


class ClusterError(DataError):
    """The cluster cannot be used (no ``distributed``, no scheduler, no workers, other code)."""


# ------------------------------------------------------------------ the submitting side


def scheduler_address(option: str | None = None) -> str | None:
    """The scheduler to use: ``--scheduler``, else ``$DASK_SCHEDULER_ADDRESS``, else None."""
    return (option or os.environ.get(SCHEDULER_ENV) or "").strip() or None


def _distributed():
    try:
        import distributed
    except ImportError:
        raise ClusterError(EXTRA_MISSING) from None
    return distributed


def connect(address: str, *, timeout: float | None = None):
    """A ``distributed.Client`` on ``address`` with at least one worker running our code.

    Raises
    ------
    ClusterError
        ``distributed`` not installed, the scheduler not answering within ``timeout``
        seconds (default :data:`CONNECT_TIMEOUT`), no worker, or a worker running other
        hipflex code than this process.
    """
    distributed = _distributed()
    limit = CONNECT_TIMEOUT if timeout is None else timeout
    try:
        client = distributed.Client(address, timeout=limit, set_as_default=False)
    except Exception as exc:
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise ClusterError(
            f"cannot reach the Dask scheduler at {address} within {limit:g} s ({reason})"
        ) from None
    try:
        try:
            client.wait_for_workers(1, timeout=limit)
        except Exception:
            raise ClusterError(
                f"the Dask scheduler at {address} has no workers "
                "(start one with: dask worker " + address + ")"
            ) from None
        mine = code_identity()
        theirs = client.run(code_identity)
        other = sorted(w for w, ident in theirs.items() if ident != mine)
        if other:
            raise ClusterError(
                f"Dask worker {other[0]} runs other hipflex code than this machine "
                f"(hipflex {hipflex_version()} here): install the same version on every worker"
            )
    except BaseException:
        client.close()
        raise
    return client


def _files(root: Path, include: Sequence[str] | None = None) -> dict[str, bytes]:
    """Every file below ``root`` (or below its children ``include``), by relative POSIX path."""
    out: dict[str, bytes] = {}
    tops = [root / name for name in include] if include is not None else [root]
    for top in tops:
        for p in sorted(top.rglob("*")) if top.is_dir() else [top]:
            if p.is_file():
                out[p.relative_to(root).as_posix()] = p.read_bytes()
    return out


def make_payload(
    jobs: Sequence[ReportJob],
    data_dir: str | os.PathLike[str],
    tables_dir: str | os.PathLike[str],
    *,
    tables_include: Sequence[str] | None = None,
    tables_env: str = TABLES_ENV,
    tables_param: bool = False,
) -> dict[str, Any]:
    """What every worker needs for this batch, as bytes (see the module notes)."""
    data = Path(data_dir).resolve()
    notebooks = {}
    for nb in sorted({j.notebook for j in jobs}):
        nb_id = hashlib.sha1(nb.encode()).hexdigest()[:10] + "-" + Path(nb).name
        notebooks[nb] = (nb_id, Path(nb).read_bytes())
    env = {k: os.environ[k] for k in FORWARD_ENV if os.environ.get(k)}
    catalog = os.environ.get("HIPFLEX_CATALOG")
    payload: dict[str, Any] = {
        "data_dir": str(data),
        "data": _files(data),
        "tables": _files(Path(tables_dir), tables_include),
        # the run's snapshot reaches each kernel as its ``tables`` parameter, not by a variable
        "tables_env": "" if tables_param else tables_env,
        "tables_param": bool(tables_param),
        # the cache scheme: the entry is keyed by a fingerprint that holds install paths
        "tables_key": (
            tables_include[0]
            if tables_include and tables_env == TABLES_ENV and not tables_param
            else ""
        ),
        "notebooks": notebooks,
        "env": env,
        "catalog": Path(catalog).read_bytes() if catalog else None,
        "code": code_identity(),
    }
    h = hashlib.sha256()
    for part in ("data", "tables"):
        for k, v in payload[part].items():
            h.update(f"{part}/{k}".encode() + b"\0" + hashlib.sha256(v).digest())
    for nb_id, body in payload["notebooks"].values():
        h.update(nb_id.encode() + hashlib.sha256(body).digest())
    h.update(json.dumps([env, payload["tables_env"], tables_param, payload["data_dir"]]).encode())
    h.update(payload["catalog"] or b"")
    payload["key"] = h.hexdigest()[:16] + "-" + uuid.uuid4().hex[:8]
    return payload


def cluster_engine(
    scheduler: Any,
    data_dir: str | os.PathLike[str],
    tables_dir: str | os.PathLike[str],
    *,
    tables_include: Sequence[str] | None = None,
    tables_env: str = TABLES_ENV,
    tables_param: bool = False,
) -> Callable[..., list[ReportStatus]]:
    """A :func:`~analysis.reports.batch.runner.run_jobs` that runs the reports on a Dask cluster.

    Parameters
    ----------
    scheduler : str or distributed.Client
        Scheduler address (``tcp://HOST:8786``) or a connected client.
    data_dir : path
        The data folder (its files go to the workers; ``data_dir`` parameters point to
        the workers' copy).
    tables_dir : path
        Folder of the cleaned tables the kernels read, placed on each worker at the path
        named by ``$<tables_env>``.
    tables_include : sequence of str, optional
        Only these children of ``tables_dir`` (the cache entry of this run); None: all.
    tables_env : str
        The variable the kernels find it by (the dataset cache, ``$HIPFLEX_CACHE_DIR``:
        a kernel that loads its ``data_dir`` finds the entry of its fingerprint there).
    tables_param : bool
        ``tables_dir`` is the run's snapshot (:func:`analysis.reports.build_reports`): each
        kernel gets its part of the workers' copy as its ``tables`` parameter, and no
        variable is set.
    """

    def engine(
        jobs: Sequence[ReportJob],
        out: str | os.PathLike[str],
        *,
        workers: int | None = None,
        timeout: float | None = 600.0,
        kernel_name: str = KERNEL_NAME,
        cache_dir: Any = None,
        retries: int = START_RETRIES,
        on_done: Callable[[ReportStatus], None] | None = None,
    ) -> list[ReportStatus]:
        del cache_dir  # the tables are given above
        payload = make_payload(
            jobs,
            data_dir,
            tables_dir,
            tables_include=tables_include,
            tables_env=tables_env,
            tables_param=tables_param,
        )
        return run_on_cluster(
            jobs,
            out,
            scheduler=scheduler,
            payload=payload,
            timeout=timeout,
            kernel_name=kernel_name,
            retries=retries,
            on_done=on_done,
            max_in_flight=workers,
        )

    return engine


def run_on_cluster(
    jobs: Sequence[ReportJob],
    out: str | os.PathLike[str],
    *,
    scheduler: Any,
    payload: dict[str, Any],
    timeout: float | None = 600.0,
    kernel_name: str = KERNEL_NAME,
    retries: int = START_RETRIES,
    on_done: Callable[[ReportStatus], None] | None = None,
    max_in_flight: int | None = None,
) -> list[ReportStatus]:
    """Run ``jobs`` as Dask tasks and write their pages into ``out``; statuses in job order.

    ``max_in_flight`` (``hipflex report --jobs N --scheduler …``): at most that many
    reports submitted at once, the next one as soon as one is done, so one batch leaves
    room on a shared cluster; None: all at once, and the cluster's workers decide.
    """
    distributed = _distributed()
    out = Path(out)
    client = connect(scheduler) if isinstance(scheduler, str) else scheduler
    own_client = isinstance(scheduler, str)
    limit = float(timeout) if timeout else None
    results: list[ReportStatus | None] = [None] * len(jobs)
    key = payload["key"]
    futures: dict[Any, tuple[int, ReportJob, dict, float]] = {}
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        # the payload is a task of its own: held once by the scheduler, sent once to each
        # worker, and re-made if the worker holding it dies. Its graph is the snapshot's
        # size by design (52 MB at 2,000 athletes): distributed's "Sending large graph"
        # warning, whose advice (data in one task, futures after) is what this does, is
        # not printed on the coach's terminal for it.
        import dask

        with dask.config.set({"distributed.admin.large-graph-warning-threshold": "64GB"}):
            shared = client.submit(identity, payload, key=f"hipflex-payload-{key}", pure=False)
        queue = list(enumerate(jobs))
        queue.reverse()  # pop() takes them in job order

        def submit_next() -> Any:
            i, job = queue.pop()
            spec = job.spec(out, kernel_name=kernel_name, timeout=limit, retries=retries)
            fut = client.submit(
                report_task,
                shared,
                spec,
                key=f"hipflex-{job.target}-{uuid.uuid4().hex[:8]}",
                pure=False,
            )
            futures[fut] = (i, job, spec, time.perf_counter())
            return fut

        first = len(queue) if not max_in_flight else max(1, int(max_in_flight))
        pending = distributed.as_completed(
            [submit_next() for _ in range(min(first, len(queue)))], loop=client.loop
        )
        for fut in pending:
            if queue:  # one done: the next one goes in
                pending.add(submit_next())
            i, job, spec, t0 = futures[fut]
            try:
                res = fut.result()
            except distributed.KilledWorker as exc:
                res = {"status": "failed", "error": f"worker died ({_one_line(exc)})"}
            except Exception as exc:
                res = {"status": "failed", "error": f"{type(exc).__name__}: {_one_line(exc)}"}
            error = _write_pages(out, job, spec, res)
            st = ReportStatus(
                job,
                "failed" if error else "ok",
                seconds=round(time.perf_counter() - t0, 3),
                error=error,
                attempts=int(res.get("attempts", 1) or 1),
            )
            results[i] = st
            if on_done is not None:
                on_done(st)
            fut.release()
    finally:
        for fut in futures:
            fut.cancel()
        with contextlib.suppress(Exception):
            client.run(release, key)  # kills what still runs, removes the data
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if own_client:
            client.close()
    return [r for r in results if r is not None]


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__


def _terminate(signum: int, frame: Any) -> None:  # pragma: no cover - signal handler
    raise SystemExit(128 + signum)


def _write_pages(out: Path, job: ReportJob, spec: dict, res: dict) -> str:
    """Write a task's page and notebook at the pinned paths; return the error ('' if ok)."""
    error = res.get("error", "") if res.get("status") != "ok" else ""
    html, ipynb = res.get("html"), res.get("ipynb")
    if html is not None and ipynb is not None:
        write_text_atomic(out / (job.target + ".html"), html)
        write_text_atomic(out / (job.target + ".ipynb"), ipynb)
        return error
    error = error or "the worker returned no page"
    try:  # the notebook as submitted, with the error on top, and the failure page
        finalize(tmp_notebook(out, job.target), out, job.target, spec, error)
    except Exception as exc:
        print(
            one_line(f"hipflex: could not write the page of {job.target}: {exc}"), file=sys.stderr
        )
    return error


__all__ = [
    "SCHEDULER_ENV",
    "TABLES_ENV",
    "ClusterError",
    "cluster_engine",
    "connect",
    "kernel_cache_key",
    "make_payload",
    "run_on_cluster",
    "scheduler_address",
]
