"""``hipflex app [DIR]``: the explorer served by Voilà as a page with no code, on
127.0.0.1 by default.

A one-cell notebook (``hf.explore(DIR)``) is written to a temporary folder and served by
Voilà with its sources stripped; the kernel runs the installed ``analysis``. The page is
Voilà's ``lab`` template less its two style sheets from a CDN (the ``hipflex`` template
shipped in ``analysis/explorer/jupyter/``): nothing is asked of any other host.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from ..errors import DataError

#: The Jupyter data folder holding the ``hipflex`` Voilà template (put on JUPYTER_PATH).
JUPYTER_DATA = Path(__file__).with_name("jupyter")
#: Voilà's own default port.
DEFAULT_PORT = 8866


#: Where the report pages are served, relative to the page (Voilà's files handler, whose
#: root is the reports folder).
LINK_BASE = "voila/files/"


def app_notebook(
    data_dir: str | os.PathLike[str], reports_dir: str | os.PathLike[str] | None = None
):
    """The notebook Voilà serves: one cell that shows the explorer of ``data_dir`` (with
    ``reports_dir``, its views link to the report pages, served beside the notebook)."""
    args = json.dumps(str(Path(data_dir).resolve()))
    if reports_dir:
        args += f", reports_dir={json.dumps(str(Path(reports_dir).resolve()))}"
        args += f", link_base={json.dumps(LINK_BASE)}"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}  # fmt: skip
    nb.cells = [nbformat.v4.new_code_cell(f"import analysis as hf\n\nhf.explore({args})")]
    return nb


def voila_command(
    notebook: Path, *, host: str, port: int, browser: bool, reports: Path | None = None
) -> list[str]:
    """The Voilà command line (no port retries: the address printed is the one served).

    With ``reports`` (the reports folder), Voilà's root is that folder and its HTML pages
    and images are served (Voilà serves no file it is not told to; notebooks never)."""
    allow = (
        [
            f"--Voila.root_dir={reports}",
            "--VoilaConfiguration.file_allowlist=.*\\.(html|png|svg|css)",
        ]
        if reports
        else []
    )
    return [
        sys.executable, "-m", "voila", str(notebook), f"--Voila.ip={host}", f"--port={port}",
        "--Voila.port_retries=0", "--template=hipflex", "--strip_sources=True", "--show_tracebacks=False",
        *allow, *([] if browser else ["--no-browser"]),
    ]  # fmt: skip


def _raise_interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def _spawn(cmd: list[str], env: dict[str, str]) -> subprocess.Popen:
    """Start Voilà (one place, so a test can stand in for it)."""
    return subprocess.Popen(cmd, env=env)


def voila_env() -> dict[str, str]:
    """This environment with the ``hipflex`` template's folder first on JUPYTER_PATH."""
    env = dict(os.environ)
    paths = [str(JUPYTER_DATA), *filter(None, env.get("JUPYTER_PATH", "").split(os.pathsep))]
    env["JUPYTER_PATH"] = os.pathsep.join(paths)
    return env


def run_app(
    data_dir: str | os.PathLike[str],
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    browser: bool = True,
    reports_dir: str | None = None,
) -> int:
    """Serve the explorer of ``data_dir`` until Ctrl-C; returns Voilà's exit code.

    Raises
    ------
    DataError
        The folder does not exist (a missing ``sample`` folder is generated first), or
        Voilà is not installed.
    """
    path = Path(data_dir)
    if not path.is_dir():
        if path.name != "sample":
            raise DataError("data folder not found", file=str(path))
        from ..sample import write_sample

        write_sample(path)
        print(f"generated the synthetic sample data set in {path}")
    try:
        import ipywidgets  # noqa: F401
        import voila  # noqa: F401
    except ImportError as exc:
        raise DataError(
            f"hipflex app needs Voilà and ipywidgets: pip install 'hipflex[app]' ({exc.name} "
            "is missing)"
        ) from None
    from .state import find_reports

    reports = Path(reports_dir) if reports_dir else find_reports(str(path))
    if reports is not None and not reports.is_dir():
        raise DataError("reports folder not found", file=str(reports))
    # Voilà serves files from the notebook's folder only: with reports to link to, the
    # one-cell notebook sits in a temporary folder inside them (removed on exit)
    where = None
    if reports is not None and os.access(reports, os.W_OK):
        where = reports.resolve()
    elif reports is not None:
        print(f"hipflex app: {reports} cannot be written to: the views will not link to it")
        reports = None
    with tempfile.TemporaryDirectory(prefix="hipflex-app-", dir=where) as tmp:
        nb_path = Path(tmp) / "hipflex.ipynb"
        nbformat.write(app_notebook(path, reports), nb_path)
        shown = f"[{host}]" if ":" in host else host
        print(
            f"hipflex app: the explorer of {path.resolve()} at http://{shown}:{port}/ "
            "(Ctrl-C stops it)",
            flush=True,
        )
        cmd = voila_command(nb_path, host=host, port=port, browser=browser, reports=where)
        proc = _spawn(cmd, voila_env())
        # a SIGTERM (a service manager, a test) ends the wait like Ctrl-C, so that Voilà is
        # stopped and the temporary folder removed
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            return proc.wait()
        finally:
            signal.signal(signal.SIGTERM, previous)
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=20)
