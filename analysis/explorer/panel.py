"""The explorer as an ipywidgets panel (the Jupyter standard widgets, no JavaScript of our
own): the controls on top, the views under them, "your own files" at the end.

The panel only wires widgets to :class:`~analysis.explorer.state.Explorer`; every number,
title and sentence comes from there. Every text from the data is escaped before it reaches
an HTML widget; dropdown labels are shown as text by the widgets themselves.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import ipywidgets as w

from .. import templating
from ..dataset import Dataset
from ..errors import DataError
from .state import VIEWS, WINDOW_MAX, WINDOW_MIN, Explorer, Selection
from .upload import findings, save_upload, squad_folders

NEW_FOLDER = "(a new folder)"
#: Views shown as a table (the others are figures).
TABLE_VIEWS = ("races",)


def _part(kind: str, **values: object) -> str:
    """One piece of the panel as HTML from ``explorer_part.html.j2``: ``heading``,
    ``intro``, ``estimate``, ``words``, ``error``, ``lines`` or ``paragraph``; every value
    escaped by the template."""
    return templating.render("explorer_part.html.j2", kind=kind,
                  **{"text": "", "title": "", "lines": [], "href": None, "shown": None,
                     **values})  # fmt: skip


def _load(folder: str | os.PathLike[str]) -> Dataset:
    from ..reports.pages.load import load_or_sample

    return load_or_sample(folder)


def _raw_root(folder: Path) -> Path | None:
    """``data/raw/`` holding ``folder``: its parent when that is named ``raw``."""
    parent = folder.resolve().parent
    return parent if parent.name == "raw" else None


class ExplorerPanel:
    """The interactive explorer of a data folder (or of a loaded :class:`Dataset`).

    Parameters
    ----------
    source : Dataset or path
        A loaded dataset or a data folder (``sample`` is made on first use).
    raw_root : path, optional
        The folder of squad folders the folder picker and the upload offer; default the
        parent of the data folder when it is named ``raw`` (``data/raw/``).
    reports_dir : path, optional
        Where ``hipflex report`` wrote its pages (for the links under the views).
    link_base : str, optional
        The URL the server serves ``reports_dir`` at (``hipflex app``: ``voila/files/
        reports/``); without it a report page is named by its path (a browser does not
        follow a link from a served page to a file on disk).
    """

    def __init__(
        self,
        source: Dataset | str | os.PathLike[str],
        *,
        raw_root: str | os.PathLike[str] | None = None,
        reports_dir: str | os.PathLike[str] | None = None,
        link_base: str | None = None,
    ) -> None:
        ds = source if isinstance(source, Dataset) else _load(source)
        self.folder_path = Path(ds.data_dir or str(source))
        self.raw_root = Path(raw_root) if raw_root else _raw_root(self.folder_path)
        self.reports_dir = reports_dir
        self.link_base = link_base
        self._datasets: dict[str, Dataset] = {str(self.folder_path.resolve()): ds}
        self.explorer = Explorer(ds, reports_dir=reports_dir)
        self._last: Selection | None = None
        self._quiet = False
        #: Seconds of the last redraw (the benchmark and the status line read it).
        self.last_redraw_s = 0.0
        #: CPU seconds of this process in the last redraw (the wall time less the waits for
        #: a core on a shared machine).
        self.last_redraw_cpu_s = 0.0
        self._build()
        self._set_choices()
        self.refresh()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        wide = {"description_width": "initial"}
        self.folder = w.Dropdown(description="Data folder", style=wide)
        self.athlete = w.Dropdown(description="Athlete", style=wide)
        self.event = w.ToggleButtons(description="Event", style=wide)
        self.window = w.IntSlider(
            value=28, min=WINDOW_MIN, max=WINDOW_MAX, step=1, continuous_update=False,
            description="Window (days before a race)", style=wide,
            layout=w.Layout(width="420px"),
        )  # fmt: skip
        self.start = w.DatePicker(description="From", style=wide)
        self.end = w.DatePicker(description="To", style=wide)
        self.families = w.SelectMultiple(description="Exercise families", rows=3, style=wide)
        self.status = w.HTML()
        for name, widget in (("folder", self.folder), ("athlete", self.athlete),
                             ("event", self.event), ("window", self.window),
                             ("start", self.start), ("end", self.end),
                             ("families", self.families), ("status", self.status)):  # fmt: skip
            widget.add_class(f"hf-{name}")
        self.folder.observe(self._on_folder, names="value")
        for c in (self.athlete, self.event, self.window, self.start, self.end, self.families):
            c.observe(self._on_change, names="value")

        self.parts: dict[str, dict[str, w.Widget]] = {}
        boxes = []
        for v in VIEWS:
            # the race list is a table, every other view a figure (no empty image anywhere)
            shown = w.HTML() if v in TABLE_VIEWS else w.Image(format="png")
            part = {"title": w.HTML(), "table" if v in TABLE_VIEWS else "figure": shown,
                    "estimate": w.HTML(), "words": w.HTML()}  # fmt: skip
            for k, x in part.items():
                x.add_class(f"hf-{v}-{k}")
            self.parts[v] = part
            box = w.VBox(list(part.values()))
            box.add_class(f"hf-view-{v}")
            boxes.append(box)
        controls = w.VBox([
            w.HBox([self.folder, self.athlete]),
            w.HBox([self.event, self.window]),
            w.HBox([self.start, self.end, self.families]),
            self.status,
        ])  # fmt: skip
        self.widget = w.VBox([controls, *boxes, self._build_upload()])
        self.widget.add_class("hf-explorer")

    def _build_upload(self) -> w.Widget:
        self.upload = w.FileUpload(accept=".csv,.xlsx", multiple=True, description="Choose files")
        self.upload_folder = w.Dropdown(
            description="Copy into", style={"description_width": "initial"}
        )
        self.upload_new = w.Text(placeholder="name of the new folder", description="New folder")
        self.upload_button = w.Button(description="Copy into the folder")
        self.upload_result = w.HTML()
        for name, x in (("upload", self.upload), ("upload-folder", self.upload_folder),
                        ("upload-new", self.upload_new), ("upload-button", self.upload_button),
                        ("upload-result", self.upload_result)):  # fmt: skip
            x.add_class(f"hf-{name}")
        self.upload_button.on_click(lambda _b: self._on_upload())
        # typing a new folder's name chooses "a new folder"
        self.upload_new.observe(self._on_new_folder_name, names="value")
        intro = w.HTML(
            _part(
                "intro",
                title="Your own files",
                text="Choose CSV or Excel files and a squad folder under data/raw/ (or name a "
                "new one). A copy is made under a safe name; a file already there is never "
                "changed or replaced. What hipflex finds in the copy is shown below before "
                "anything is used: choose the folder above to explore it.",
            )
        )
        return w.VBox([intro, w.HBox([self.upload, self.upload_folder, self.upload_new]),
                       self.upload_button, self.upload_result])  # fmt: skip

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # ------------------------------------------------------------------ choices
    def _folders(self) -> list[tuple[str, str]]:
        here = str(self.folder_path.resolve())
        if self.raw_root is None:
            return [(self.folder_path.name, here)]
        out = [(n, str((self.raw_root / n).resolve())) for n in squad_folders(self.raw_root)]
        if here not in [v for _, v in out]:
            out.append((self.folder_path.name, here))
        return out

    def _set_choices(self) -> None:
        """Options of every control from the current dataset (no redraw while setting)."""
        ex = self.explorer
        self._quiet = True
        try:
            self.folder.options = self._folders()
            self.folder.value = str(self.folder_path.resolve())
            self.athlete.options = ex.athlete_options()
            self.athlete.value = ""
            self.event.options = [(f"{e} m", e) for e in ex.events()]
            self.event.value = 400 if 400 in ex.events() else ex.events()[0]
            lo, hi = ex.date_span()
            self.start.value, self.end.value = lo, hi
            fams = ex.families()
            self.families.options = [(f.replace("_", " "), f) for f in fams]
            self.families.value = tuple(fams)
            squads = squad_folders(self.raw_root) if self.raw_root else []
            self.upload_folder.options = [*squads, NEW_FOLDER]
            self.upload_folder.value = (
                self.folder_path.name if self.folder_path.name in squads else NEW_FOLDER
            )
        finally:
            self._quiet = False
        self._last = None

    def selection(self) -> Selection:
        """The controls' current values as a :class:`Selection`."""
        lo, hi = self.explorer.date_span()
        fams = tuple(self.families.value)
        return Selection(
            athlete_id=self.athlete.value or None,
            event=int(self.event.value),
            window_days=int(self.window.value),
            start=None if self.start.value in (None, lo) else _date(self.start.value),
            end=None if self.end.value in (None, hi) else _date(self.end.value),
            families=() if set(fams) == set(self.explorer.families()) else fams,
        )

    # ------------------------------------------------------------------ events
    def _on_change(self, _change=None) -> None:
        if not self._quiet:
            self.refresh()

    def _on_folder(self, change) -> None:
        if self._quiet or not change["new"]:
            return
        path = Path(change["new"])
        try:
            ds = self._datasets.get(str(path))
            if ds is None:
                ds = _load(path)
                self._datasets[str(path)] = ds
        except DataError as exc:
            self.status.value = _part("error", text=f"{path.name}: {exc}")
            return
        self.folder_path = path
        self.explorer = Explorer(ds, reports_dir=self.reports_dir)
        self._set_choices()
        self.refresh()

    def refresh(self) -> float:
        """Redraw the views whose part of the selection changed; returns the seconds taken."""
        t0, c0 = time.perf_counter(), time.process_time()
        sel = self.selection()
        first = self._last is None
        stale = self.explorer.stale(self._last, sel)
        for name in stale:
            self._show(self.explorer.view(name, sel))
        self._last = sel
        self.last_redraw_s = time.perf_counter() - t0
        self.last_redraw_cpu_s = time.process_time() - c0
        n = len(self.explorer.ds.athletes)
        synth = " — SYNTHETIC sample data" if self.explorer.ds.synthetic else ""
        self.status.value = _part(
            "paragraph",
            text=f"{self.folder_path.name}: {n} athletes{synth}. "
            f"Showing {self.explorer.name(sel.athlete_id)}, {sel.event} m, "
            f"{sel.window_days}-day window. {'Drawn' if first else 'Redrawn'} in "
            f"{self.last_redraw_s:.1f} s.",
        )
        return self.last_redraw_s

    def _show(self, view) -> None:
        from ..reports.pages.display import table_html

        part = self.parts[view.name]
        if "figure" in part:
            part["figure"].value = view.png or b""
        else:
            part["table"].value = table_html(view.table).data if view.table is not None else ""
        part["estimate"].value = (
            _part("estimate", lines=list(view.estimate)) if view.estimate else ""
        )
        href, shown = self._link(view.link)
        part["words"].value = _part("words", text=view.words, href=href, shown=shown)
        # the title last: the browser applies updates in order, so a new title means the
        # whole view is drawn
        part["title"].value = _part("heading", text=view.title)

    def _link(self, page: str | None) -> tuple[str | None, str | None]:
        """``(href, None)`` of a report page when the server serves the reports, else
        ``(None, its path)`` to show; ``(None, None)`` without a page."""
        if not page:
            return None, None
        reports = self.explorer.reports_dir
        if self.link_base is not None and reports is not None:
            from urllib.parse import quote

            rel = Path(page).relative_to(Path(reports).resolve()).as_posix()
            return self.link_base + quote(rel), None
        shown = Path(page)
        if reports is not None:  # reports/athletes/A01.html, not a server's full path
            shown = shown.relative_to(Path(reports).resolve().parent)
        return None, shown.as_posix()

    def _on_new_folder_name(self, change) -> None:
        if str(change["new"]).strip():
            self.upload_folder.value = NEW_FOLDER

    def _on_upload(self) -> None:
        if self.raw_root is None:
            self.upload_result.value = _part(
                "paragraph",
                text="Uploads go into a squad folder under data/raw/: open the explorer on a "
                "folder there (e.g. data/raw/sample).",
            )
            return
        files = list(self.upload.value)
        if not files:
            self.upload_result.value = _part(
                "paragraph", text="Choose one or more CSV or Excel files first."
            )
            return
        folder = self.upload_folder.value
        if folder == NEW_FOLDER:
            folder = self.upload_new.value.strip()
            if not folder:
                self.upload_result.value = _part("paragraph", text="Name the new folder first.")
                return
        found = self.copy_files(folder, [(f["name"], bytes(f["content"])) for f in files])
        self.upload_result.value = _part("lines", lines="\n\n".join(found).split("\n"))
        self.upload.value = ()

    def copy_files(self, folder: str, files: list[tuple[str, bytes]]) -> list[str]:
        """Copy ``(name, content)`` pairs into ``folder`` under data/raw/ and return, per
        file, where it landed and what ``hipflex inspect`` finds in it (plain text)."""
        out = []
        for name, content in files:
            try:
                saved = save_upload(self.raw_root, folder, name, content)
            except DataError as exc:
                out.append(f"{name}: not copied: {exc}")
                continue
            where = f"{saved.parent.name}/{saved.name}"
            renamed = "" if saved.name == name else f" (as {saved.name})"
            out.append(f"{name} copied to {where}{renamed}.\n{findings(saved.parent, saved)}")
        self._quiet = True
        try:
            self.folder.options = self._folders()
            self.folder.value = str(self.folder_path.resolve())
            squads = squad_folders(self.raw_root)
            self.upload_folder.options = [*squads, NEW_FOLDER]
        finally:
            self._quiet = False
        return out


def _date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
