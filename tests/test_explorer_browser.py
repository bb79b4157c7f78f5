"""The explorer in a real browser: ``hipflex app`` (Voilà) and ``explore.ipynb`` in
JupyterLab, each driven in headless Chromium through Playwright (Debian's chromium, no
browser download).

Each test chooses an athlete and a window, and checks that the views' titles and the
estimate text change to that athlete and window; it screenshots each state. Every request
the page makes is intercepted: one to any host but the local server is aborted and
counted, and the count must be 0 (no request leaves the machine).

Screenshots go to a temporary folder, are copied to ``/tmp/hipflex-screens``, and with
``HIPFLEX_DOCS_IMG=1`` written (reduced to a small palette) to ``docs/img/`` for
docs/jupyterlab.md. Skipped, saying why, where Chromium, Playwright or Voilà is missing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from helpers import free_port, jupyterlab_argv, start_server, stop_server, wait_for_http

from analysis.sample import write_sample

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parent.parent
EXPLORE = ROOT / "notebooks" / "explore.ipynb"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENS = Path("/tmp/hipflex-screens")
DOCS_IMG = ROOT / "docs" / "img"
CHROME_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
LOCAL = ("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:", "about:")


def _playwright():
    if CHROMIUM is None:
        pytest.skip("browser test skipped: no chromium on PATH (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser test skipped: playwright is not installed")
    pytest.importorskip("ipywidgets", reason="the explorer needs pip install 'hipflex[app]'")
    return sync_playwright


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """notebooks/explore.ipynb with a small synthetic sample where it looks."""
    root = tmp_path_factory.mktemp("explorer-browser")
    (root / "notebooks").mkdir()
    shutil.copy(EXPLORE, root / "notebooks" / "explore.ipynb")
    write_sample(root / "data" / "raw" / "sample", athletes=4, seed=1, today="2026-11-01")
    return root


def _athlete(workspace: Path) -> str:
    import pandas as pd

    a = pd.read_csv(workspace / "data" / "raw" / "sample" / "athletes.csv", dtype=str)
    return str(a["name"].iloc[2])


def _athlete_id(workspace: Path) -> str:
    import pandas as pd

    a = pd.read_csv(workspace / "data" / "raw" / "sample" / "athletes.csv", dtype=str)
    return str(a["athlete_id"].iloc[2])


def _guard(page) -> list[str]:
    """Abort and record every request to anything but the local server."""
    outside: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(LOCAL):
            r.continue_()
        else:
            outside.append(url)
            r.abort()

    page.route("**/*", route)
    return outside


def _text(page, css: str) -> str:
    return page.locator(css).first.inner_text()


def _choose(page, athlete: str, window: int) -> None:
    """Pick the athlete by name, then type the window into the slider's readout."""
    page.locator(".hf-athlete select").select_option(label=athlete)
    page.wait_for_function(
        "(n) => document.querySelector('.hf-relation-title').textContent.includes(n)",
        arg=athlete, timeout=30_000,
    )  # fmt: skip
    readout = page.locator(".hf-window .widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(str(window))
    page.keyboard.press("Enter")
    page.wait_for_function(
        """(w) => document.querySelector('.hf-relation-title').textContent.includes(w + ' days')
               && document.querySelector('.hf-relation-estimate').textContent
                  .includes('in the ' + w + ' days before a race')""",
        arg=window, timeout=30_000,
    )  # fmt: skip


def _check_views(page, athlete: str, window: int) -> None:
    relation = _text(page, ".hf-relation-title")
    assert athlete in relation and f"{window} days" in relation, relation
    for view in ("volume", "plan", "fade", "races"):
        assert athlete in _text(page, f".hf-{view}-title"), view
    estimate = _text(page, ".hf-relation-estimate")
    assert f"in the {window} days before a race" in estimate and "You:" in estimate, estimate
    widths = page.locator(".hf-explorer img").evaluate_all("els => els.map(e => e.naturalWidth)")
    assert len(widths) == 4 and all(w > 0 for w in widths), widths  # the race list: a table


def _save(shots: Path, docs_names: dict[str, str]) -> None:
    """Copy the screenshots to /tmp/hipflex-screens, and to docs/img/ when asked."""
    found = list(shots.glob("*.png"))
    if not found:
        return
    SCREENS.mkdir(exist_ok=True)
    for p in found:
        shutil.copy(p, SCREENS / p.name)
    if os.environ.get("HIPFLEX_DOCS_IMG"):
        from PIL import Image

        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        for src, dst in docs_names.items():
            if (shots / src).exists():
                img = Image.open(shots / src).convert("RGB")
                img.quantize(colors=64).save(DOCS_IMG / dst, optimize=True)


def test_hipflex_app_in_chromium_follows_the_athlete_and_the_window(workspace, tmp_path):
    sync_playwright = _playwright()
    pytest.importorskip("voila", reason="hipflex app needs pip install 'hipflex[app]'")
    port = free_port()
    # a reports folder to link to: the squad's page and this athlete's
    reports = workspace / "reports"
    (reports / "athletes").mkdir(parents=True, exist_ok=True)
    (reports / "index.html").write_text("<p>index</p>")
    (reports / "squad.html").write_text("<p>the squad page</p>")
    aid = _athlete_id(workspace)
    (reports / "athletes" / f"{aid}.html").write_text(f"<p>the page of {aid}</p>")
    app = subprocess.Popen(
        [sys.executable, "-m", "analysis.cli", "app", str(workspace / "data" / "raw" / "sample"),
         "--port", str(port), "--no-browser", "--reports", str(reports)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True, text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])},
    )  # fmt: skip
    shots = tmp_path / "screens"
    shots.mkdir()
    athlete = _athlete(workspace)
    try:
        first = app.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in first, first
        assert wait_for_http(f"http://127.0.0.1:{port}/", 60, app), "the app exited"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            outside = _guard(page)
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector(".hf-relation-title h3", timeout=60_000)
            assert "whole squad" in _text(page, ".hf-relation-title")
            assert "in the 28 days before a race" in _text(page, ".hf-relation-estimate")
            assert page.locator(".jp-InputArea, .CodeMirror, .cm-editor").count() == 0  # no code
            page.screenshot(path=str(shots / "app-1-squad.png"))
            _choose(page, athlete, 21)
            _check_views(page, athlete, 21)
            page.locator(".hf-view-relation").scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "app-2-athlete.png"))
            # the link under a view opens the athlete's report page, served locally
            href = page.locator(".hf-relation-words a").get_attribute("href")
            got = page.request.get(f"http://127.0.0.1:{port}/{href}")
            assert got.ok and f"the page of {aid}" in got.text(), href
            # a coach's file, through the upload widget, into a new squad folder
            upload = tmp_path / "Ada's log <1>.csv"
            upload.write_text(
                "Athlete,Date,Exercise,Sets x Reps\nA01,2026-03-02,Hanging knee raise,3x10\n"
            )
            with page.expect_file_chooser() as chooser:  # the widget's own file dialog
                page.locator(".hf-upload").click()
            chooser.value.set_files(str(upload))
            page.locator(".hf-upload-new input").fill("my squad")
            page.locator(".hf-upload-button").click()
            page.wait_for_function(
                "() => document.querySelector('.hf-upload-result').textContent.includes('copied')",
                timeout=30_000,
            )
            result = _text(page, ".hf-upload-result")
            assert "copied to my squad/Ada_s log _1_.csv" in result, result
            saved = workspace / "data" / "raw" / "my squad" / "Ada_s log _1_.csv"
            assert saved.read_bytes() == upload.read_bytes()
            page.locator(".hf-upload-result").scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "app-3-upload.png"))
            browser.close()
        assert outside == [], outside
    finally:
        _save(shots, {"app-1-squad.png": "explorer-app-squad.png",
                      "app-2-athlete.png": "explorer-app-athlete.png",
                      "app-3-upload.png": "explorer-app-upload.png"})  # fmt: skip
        with contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired):
            app.send_signal(signal.SIGTERM)  # as Ctrl-C: Voilà stopped, its folder removed
            app.wait(timeout=30)
        stop_server(app)
    assert not list(reports.glob("hipflex-app-*"))  # the app's notebook folder is gone


def _kernel_name() -> str:
    from jupyter_client.kernelspec import KernelSpecManager

    return "hipflex" if "hipflex" in KernelSpecManager().find_kernel_specs() else "python3"


def test_explore_notebook_in_jupyterlab_follows_the_athlete_and_the_window(workspace, tmp_path):
    sync_playwright = _playwright()
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    token = uuid.uuid4().hex
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
    }
    notes = tmp_path / "settings" / "@jupyterlab" / "apputils-extension"
    notes.mkdir(parents=True)
    (notes / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}'
    )
    lab, port = start_server(
        lambda port: jupyterlab_argv(port, token, workspace / "notebooks"),
        lambda port: f"http://127.0.0.1:{port}/api/status?token={token}",
        seconds=60, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    shots = tmp_path / "screens"
    shots.mkdir()
    athlete = _athlete(workspace)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
            page = browser.new_page(viewport={"width": 1300, "height": 950})
            outside = _guard(page)
            page.goto(f"http://127.0.0.1:{port}/lab/tree/explore.ipynb?token={token}")
            page.wait_for_selector(".jp-NotebookPanel .jp-CodeCell", timeout=60_000)
            page.wait_for_selector(
                ".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000
            )
            # run the explorer cell; "idle" can show before the kernel's channels are up,
            # and a run sent then is lost: run it again until the panel shows (at most 4x)
            cell = page.locator(".jp-NotebookPanel .jp-CodeCell").first
            for _attempt in range(4):
                # a slow machine can leave a JupyterLab dialog (kernel choice or status) over
                # the notebook: take its default answer, which keeps the notebook's kernel
                dialog = page.locator(".jp-Dialog")
                if dialog.count() and dialog.first.is_visible():
                    page.locator(".jp-Dialog .jp-mod-accept").first.click()
                    dialog.first.wait_for(state="detached", timeout=10_000)
                cell.locator(".jp-InputArea-editor").click()
                page.keyboard.press("Control+Enter")
                try:
                    page.wait_for_selector(".hf-relation-title h3", timeout=20_000)
                    break
                except PlaywrightTimeout:
                    continue
            assert "whole squad" in _text(page, ".hf-relation-title")
            page.screenshot(path=str(shots / "lab-1-squad.png"))
            _choose(page, athlete, 21)
            _check_views(page, athlete, 21)
            page.locator(".hf-view-relation").scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "lab-2-athlete.png"))
            errors = page.locator(
                ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
            ).all_inner_texts()
            assert not [e for e in errors if "Traceback" in e or "Error" in e], errors
            browser.close()
        assert outside == [], outside
    finally:
        _save(shots, {"lab-2-athlete.png": "explorer-lab-athlete.png"})
        stop_server(lab)
