"""The worker side of the Dask engine (:mod:`analysis.reports.batch.cluster`): what runs on a
Dask worker — the batch's payload placed in a private folder (:func:`place`), one report
per task in a pooled child process with a fresh kernel (:func:`report_task`), its pages
returned as text with the worker's paths replaced by the submitter's, and everything
removed at the end of the batch (:func:`release`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from .export import finalize, no_server_paths, tmp_notebook
from .runner import Worker, with_report_defaults
from .worker import worker_main

#: The variable through which kernels find the cleaned tables. Today the dataset cache
#: (``HIPFLEX_CACHE_DIR``, one entry per fingerprint); a per-run snapshot passes its own
#: name (and ``tables_include=None``) to :func:`cluster_engine`.
TABLES_ENV = "HIPFLEX_CACHE_DIR"


def hipflex_version() -> str:
    from ... import __version__

    return __version__


def code_identity() -> str:
    """Version and contents of the package's files, wherever it is installed."""
    root = Path(__file__).resolve().parents[2]
    h = hashlib.sha256(hipflex_version().encode())
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix in {".py", ".csv", ".mplstyle", ".json", ".j2", ".ipynb"}:
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def identity(x: Any) -> Any:
    return x


# ------------------------------------------------------------------------ the worker side

_LOCK = threading.Lock()
PLACED: dict[str, Path] = {}
_IDLE: dict[str, list[_Child]] = {}
_ALL: dict[str, set[_Child]] = {}


def place(payload: dict[str, Any]) -> Path:
    """Write the payload into a private folder of this worker process (once per batch)."""
    key = payload["key"]
    with _LOCK:
        if key in PLACED:
            return PLACED[key]
        if payload["code"] != code_identity():
            raise RuntimeError(
                "this worker runs other hipflex code than the submitting machine: "
                "install the same hipflex version on every worker"
            )
        root = Path(tempfile.mkdtemp(prefix=f"hipflex-{key[:8]}-", dir=_scratch()))
        for part in ("data", "tables"):
            for rel, body in payload[part].items():
                p = root / part / rel
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_bytes(body)
        (root / "data").mkdir(exist_ok=True)
        (root / "tables").mkdir(exist_ok=True)
        for nb_id, body in payload["notebooks"].values():
            p = root / "notebooks" / nb_id
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(body)
        if payload.get("catalog") is not None:
            (root / "catalog.csv").write_bytes(payload["catalog"])
        (root / "out").mkdir()
        (root / "logs").mkdir()
        PLACED[key] = root
        return root


def _scratch() -> str | None:
    """The Dask worker's own folder: Dask removes it when a killed worker is replaced."""
    try:
        from distributed import get_worker

        return get_worker().local_directory
    except Exception:
        return None


def _child_env(payload: dict[str, Any], root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(payload.get("env", {}))
    if payload.get("tables_env"):  # the cache scheme (a snapshot is a parameter instead)
        env[payload["tables_env"]] = str(root / "tables")
    if payload.get("catalog") is not None:
        env["HIPFLEX_CATALOG"] = str(root / "catalog.csv")
    if payload.get("tables_key"):
        env["HIPFLEX_CLUSTER_REKEY"] = payload["tables_key"] + os.pathsep + str(root / "data")
    return with_report_defaults(env)


def report_task(payload: dict[str, Any], spec: dict) -> dict:
    """One report on a worker: run it in a child process, return its notebook and page."""
    root = place(payload)
    key = payload["key"]
    local_data = str(root / "data")
    nb_id = payload["notebooks"][spec["notebook"]][0]
    params = {
        k: (local_data if v == payload["data_dir"] else v) for k, v in spec["parameters"].items()
    }
    local = {
        **spec,
        "notebook": str(root / "notebooks" / nb_id),
        "out": str(root / "out"),
        "parameters": params,
        "data_name": Path(payload["data_dir"]).name,  # the notebook shows the coach's folder
    }
    if payload.get("tables_param"):  # the kernel's ``tables``: its part of the snapshot
        local["snapshot"] = str(root / "tables")
    limit = spec.get("timeout")
    child = _acquire(key, payload, root)
    t0 = time.perf_counter()
    try:
        child.send(local)
        res = child.receive(time.monotonic() + limit if limit else float("inf"))
    except (EOFError, BrokenPipeError, OSError, ValueError) as exc:
        child.kill()
        res = {"status": "failed", "error": f"worker died ({exc})", "attempts": 1}
        child = None
    if res is None:
        child.kill()
        child = None
        res = {
            "status": "failed",
            "error": f"stopped after the time limit of {limit:g} s",
            "attempts": 1,
        }
    if child is not None:
        _give_back(key, child)
    res["seconds"] = round(time.perf_counter() - t0, 3)
    html_p = root / "out" / (spec["target"] + ".html")
    nb_p = root / "out" / (spec["target"] + ".ipynb")
    if not nb_p.is_file():  # killed before anything was kept: the partial notebook
        with contextlib.suppress(Exception):
            tmp = tmp_notebook(root / "out", spec["target"])
            finalize(tmp, root / "out", spec["target"], local, res["error"] or "stopped")
    if html_p.is_file() and nb_p.is_file():
        res["html"] = _unlocalize(html_p.read_text(encoding="utf-8"), local_data,
                                  payload["data_dir"], html=True)  # fmt: skip
        res["ipynb"] = _as_submitted(nb_p.read_text(encoding="utf-8"), spec, local_data, payload)
        html_p.unlink()
        nb_p.unlink()
    return res


def _as_submitted(text: str, spec: dict, local_data: str, payload: dict) -> str:
    """The executed notebook as the local runner writes it: the submitter's paths."""
    nb = _unlocalize(json.loads(text), local_data, payload["data_dir"])
    pm = nb.get("metadata", {}).get("papermill")
    if isinstance(pm, dict):
        pm["parameters"] = dict(spec["parameters"])
        if payload.get("tables_param"):  # as the local runner leaves it: the snapshot is gone
            pm["parameters"]["tables"] = None
        pm["input_path"] = spec["notebook"]
        pm["output_path"] = str(tmp_notebook(Path(spec["out"]), spec["target"]))
    no_server_paths(nb, spec)  # as the local runner writes it: no server path
    import nbformat

    return nbformat.writes(nbformat.from_dict(nb))


def _unlocalize(obj: Any, local: str, original: str, html: bool = False) -> Any:
    """``obj`` with the worker's copy of the data folder named as on the submitting machine
    (escaped inside HTML): a page shows the folder the coach knows."""
    if isinstance(obj, str):
        if local not in obj:
            return obj
        from markupsafe import escape

        return obj.replace(local, str(escape(original)) if html else original)
    if isinstance(obj, list):
        return [_unlocalize(v, local, original, html) for v in obj]
    if isinstance(obj, dict):
        return {
            k: _unlocalize(v, local, original, html or k == "text/html") for k, v in obj.items()
        }
    return obj


def _acquire(key: str, payload: dict, root: Path) -> _Child:
    with _LOCK:
        idle = _IDLE.setdefault(key, [])
        while idle:
            child = idle.pop()
            if child.proc.poll() is None:
                return child
            _ALL.get(key, set()).discard(child)
        n = len(_ALL.setdefault(key, set()))
        child = _Child(_child_env(payload, root), root / "logs" / f"child-{os.getpid()}-{n}.log")
        _ALL[key].add(child)
        return child


def _give_back(key: str, child: _Child) -> None:
    with _LOCK:
        if key in _ALL:
            _IDLE.setdefault(key, []).append(child)
        else:  # the batch was released meanwhile
            child.kill()


def release(key: str) -> int:
    """End a batch on this worker: its child processes (and kernels) stopped, its data removed."""
    with _LOCK:
        children = _ALL.pop(key, set())
        idle = set(_IDLE.pop(key, []))
        root = PLACED.pop(key, None)
    for child in children:
        if child in idle:
            child.close()
        else:
            child.kill()
    if root is not None:
        shutil.rmtree(root, ignore_errors=True)
    return len(children)


class _Child(Worker):
    """A child process running reports (one at a time) for one batch on a Dask worker: the
    local runner's worker process (JSON lines both ways, dies with its parent, killed with
    its kernel), started through :func:`_child_main`."""

    COMMAND = "from analysis.reports.batch.cluster_worker import _child_main; _child_main()"


def kernel_cache_key(data_dir: str | os.PathLike[str]) -> str:
    """The dataset-cache key a kernel computes for ``data_dir`` in this environment
    (what :func:`analysis.load_dataset` computes with no option given)."""
    from ... import config
    from ... import fingerprint as _fp
    from ...catalog import default_catalog_path
    from ...io import iter_raw_files

    root = Path(data_dir)
    settings = _fp.effective_settings(
        root,
        catalog=default_catalog_path(),
        hand_to_fat=config.hand_to_fat(None),
        dayfirst=None,
        today=config.today(),
    )
    return _fp.fingerprint(list(iter_raw_files(root)), root=root, settings=settings).key


def rekey(tables: Path) -> None:
    """Make the shipped cache entry the one this machine's kernels look for.

    The key holds install paths (catalog, reference tables) and the date, which may differ
    from the submitting machine's: the tables are the submitter's either way.
    """
    spec = os.environ.get("HIPFLEX_CLUSTER_REKEY", "")
    if not spec:
        return
    shipped, data_dir = spec.split(os.pathsep, 1)
    key = kernel_cache_key(data_dir)
    if key != shipped and (tables / shipped).is_dir():
        with contextlib.suppress(FileExistsError):
            os.symlink(shipped, tables / key, target_is_directory=True)


def _child_main() -> int:
    """A report process on a worker: exits (its kernel killed) when the worker dies."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                import psutil

                for p in psutil.Process().children(recursive=True):
                    with contextlib.suppress(psutil.Error):
                        p.kill()
                os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
    rekey(Path(os.environ.get(TABLES_ENV, "")))

    return worker_main()


__all__ = ["TABLES_ENV", "kernel_cache_key"]
