"""Which files of a data folder are read, and why every other one is not.

:func:`scan_folder` walks a data folder once and sorts every entry under it into the
files hipflex reads and the ones it does not, each of the latter with one plain reason
(the rows of :attr:`analysis.Dataset.skipped`):

* **hipflex's own outputs** are never data. A folder hipflex writes into (``OUT`` of
  ``hipflex report``) holds a marker, :data:`OUTPUT_MARKER` (``OUT/.hipflex/``, where the
  report state lives too); such a folder under the data folder is listed once and never
  entered, so ``hipflex report d --out d/reports`` run every night reads the same data
  every night. A folder passed as ``exclude`` is treated the same, marker or not. When
  the data folder is itself an ``OUT``, its ``attention.csv`` and ``exports/`` are left out.
* **Links** are never followed out of the data folder: a link whose target lies outside
  it, a broken link and a link loop are each listed with why; a link to a file inside
  the folder is listed too (the file is read once, at its own place).
* **Names that are not UTF-8** (``\\xdcbungen.csv`` from a Windows zip) are one skipped
  entry each, shown with the undecodable bytes escaped.
* **Other files** (a PDF, a photo, a file ending hipflex does not read), hidden files and
  folders, Excel lock files and anything that is not a regular file are listed with
  their reason. The readable endings are :func:`readable_suffixes`, the one list (the
  base readers' :data:`analysis.io.RAW_SUFFIXES`, plus what the format registry of
  :mod:`analysis.ingest.formats` reads, when present).

``rows`` of an entry is 0 when nothing that looks like data was left out (a hidden file,
a photo, hipflex's own output), and NA when a file with a data ending could not be read
(a link out of the folder, a broken link, a name that is not UTF-8): the latter count as
a file not read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..io import RAW_SUFFIXES
from .formats import formats

#: The folder hipflex keeps in every ``OUT`` it writes (``OUT/.hipflex/``: the report
#: state, the cache): a folder holding it is hipflex's output, never data.
OUTPUT_MARKER = ".hipflex"

#: The file :func:`mark_output` writes into :data:`OUTPUT_MARKER`, saying what it is.
MARKER_NOTE = "OUTPUT-OF-HIPFLEX.txt"

#: Files of a data folder that hipflex reads for what they say, not as data.
FOLDER_FILES = ("hipflex.toml", "SYNTHETIC.md")

#: What an ``OUT`` holds at its top that has a readable ending (when the data folder is
#: itself an ``OUT``, these are left out).
_OUTPUT_NAMES = ("attention.csv", "exports")


def readable_suffixes() -> frozenset[str]:
    """Every file ending hipflex reads, lower case with the dot (``".csv"``).

    The one list: the base readers' (:data:`analysis.io.RAW_SUFFIXES`) and every ending a
    registered app or timing-system format reads (:mod:`analysis.ingest.formats`).
    """
    out = set(RAW_SUFFIXES)
    try:
        out |= set(formats.suffixes())
    except Exception:  # a broken format module never stops a folder
        pass
    return frozenset(s.lower() for s in out)


def mark_output(out: str | os.PathLike[str]) -> Path:
    """Mark ``out`` as a folder hipflex writes into: it is then never read as data.

    Creates ``out/.hipflex/`` and a short note in it; returns the marker folder.
    """
    marker = Path(out) / OUTPUT_MARKER
    marker.mkdir(parents=True, exist_ok=True)
    note = marker / MARKER_NOTE
    if not note.exists():
        note.write_text(
            "This folder is written by hipflex (reports, exports, attention.csv).\n"
            "hipflex never reads it as data, even when it lies inside a data folder.\n",
            encoding="utf-8",
        )
    return marker


def is_output_folder(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is a folder hipflex writes into (it holds :data:`OUTPUT_MARKER`)."""
    try:
        return (Path(path) / OUTPUT_MARKER).is_dir()
    except OSError:
        return False


def display_name(text: str) -> str:
    """A path as text that can be printed and stored: undecodable bytes escaped (``\\xdc``)."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", errors="backslashreplace")


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass
class FolderFiles:
    """What :func:`scan_folder` found.

    Attributes
    ----------
    files
        The files to read, in a stable order (sorted by path).
    skipped
        ``{"source", "rows", "reason"}`` for every other entry (a folder left out whole is
        one entry), in the same order.
    """

    files: list[Path] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)


def scan_folder(
    directory: str | os.PathLike[str], *, exclude: Iterable[str | os.PathLike[str]] = ()
) -> FolderFiles:
    """Walk a data folder: the files to read, and every other entry with its reason.

    Parameters
    ----------
    directory
        The data folder.
    exclude
        Folders never read (the ``OUT`` of the run), whether or not they hold the marker.

    Returns
    -------
    FolderFiles
        ``files`` (read) and ``skipped`` (listed, with why).
    """
    walk = _Walk(_scope(Path(directory), exclude))
    walk.folder(walk.scope.root, ())
    walk.found.sort(key=lambda t: t[0])
    out = FolderFiles()
    for _, path, entry in walk.found:
        if path is not None:
            out.files.append(path)
        else:
            out.skipped.append(entry)
    return out


@dataclass(frozen=True)
class _Scope:
    """What a walk of one data folder knows before it starts."""

    root: Path
    real_root: Path  # the folder with its links resolved: a link may not leave it
    excluded: frozenset[Path]  # folders never read (resolved)
    suffixes: frozenset[str]  # the endings hipflex reads
    synthetic: bool  # hipflex sample wrote the folder (SYNTHETIC.md), and truth.json


def _real(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def _scope(root: Path, exclude: Iterable[str | os.PathLike[str]]) -> _Scope:
    excluded = set()
    for p in exclude:
        try:
            excluded.add(Path(p).resolve())
        except (OSError, RuntimeError):
            continue
    return _Scope(root, _real(root), frozenset(excluded), readable_suffixes(),
                  (root / "SYNTHETIC.md").is_file())  # fmt: skip


#: the reason given for ``attention.csv`` and ``exports/`` of a data folder that is an OUT
_OWN_OUTPUT = "hipflex's own output (the data folder is also a report OUT): never read as data"


class _Walk:
    """One walk of a data folder: each entry read or skipped, with its parts for sorting."""

    def __init__(self, scope: _Scope) -> None:
        self.scope = scope
        self.found: list[tuple[tuple[str, ...], Path | None, dict | None]] = []

    def skip(self, parts: tuple[str, ...], reason: str, *, data: bool = False) -> None:
        label = display_name(os.path.join(*parts))
        self.found.append((parts, None, {"source": label, "rows": None if data else 0,
                                         "reason": reason}))  # fmt: skip

    def looks_like_data(self, name: str) -> bool:
        return os.path.splitext(name)[1].lower() in self.scope.suffixes

    def folder(self, folder: Path, parts: tuple[str, ...]) -> None:
        """Every entry of ``folder`` (``parts`` below the data folder), folders walked."""
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            if parts:
                self.skip(parts, f"folder cannot be read ({exc.strerror or type(exc).__name__})",
                          data=True)  # fmt: skip
            return
        top_is_output = not parts and is_output_folder(folder)
        for e in entries:
            self.entry(e, (*parts, e.name), top_is_output)

    def entry(self, e: os.DirEntry, here: tuple[str, ...], top_is_output: bool) -> None:
        name = e.name
        if not _utf8(name):
            self.skip(here, "the name is not valid UTF-8 text (rename it, e.g. after unpacking "
                      "a zip made on Windows)", data=self.looks_like_data(name) or
                      _is_dir(e))  # fmt: skip
        elif e.is_symlink():
            self.link(e, here)
        elif e.is_dir(follow_symlinks=False):
            self.subfolder(e, here, top_is_output)
        elif not e.is_file(follow_symlinks=False):
            self.skip(here, "not a regular file (a pipe, socket or device)",
                      data=self.looks_like_data(name))  # fmt: skip
        else:
            self.file(e, here, top_is_output)

    def subfolder(self, e: os.DirEntry, here: tuple[str, ...], top_is_output: bool) -> None:
        path = Path(e.path)
        name = e.name
        if name.startswith("."):
            if name != OUTPUT_MARKER:
                self.skip(here, "hidden folder")
            elif not here[:-1]:
                self.skip(here, "hipflex's state (the data folder is also a report OUT)")
            return
        if top_is_output and len(here) == 1 and name in _OUTPUT_NAMES:
            self.skip(here, _OWN_OUTPUT)
            return
        if _real(path) in self.scope.excluded or is_output_folder(path):
            # one reason either way: the tables do not depend on how OUT was recognised
            self.skip(here, "a hipflex output folder (--out; it holds .hipflex/): hipflex never "
                      "reads its own reports, exports or attention.csv as data")  # fmt: skip
            return
        self.folder(path, here)

    def file(self, e: os.DirEntry, here: tuple[str, ...], top_is_output: bool) -> None:
        name = e.name
        top = not here[:-1]
        if top and (name in FOLDER_FILES or (name == "truth.json" and self.scope.synthetic)):
            return  # read for what it says (hints, the synthetic marker and its answer key)
        if name.startswith("~$"):
            self.skip(here, "an Excel lock file (the workbook is open somewhere)")
        elif name.startswith("."):
            self.skip(here, "hidden file")
        elif top_is_output and len(here) == 1 and name in _OUTPUT_NAMES:
            self.skip(here, _OWN_OUTPUT)
        elif not self.looks_like_data(name):
            ending = os.path.splitext(name)[1].lower() or "no ending"
            known = ", ".join(sorted(self.scope.suffixes))
            self.skip(here, f"not a file hipflex reads ({ending}; it reads {known})")
        else:
            self.found.append((here, Path(e.path), None))

    def link(self, e: os.DirEntry, here: tuple[str, ...]) -> None:
        path = Path(e.path)
        data = self.looks_like_data(e.name)
        try:
            target = path.resolve(strict=True)
        except FileNotFoundError:
            self.skip(here, "a broken link (what it points to does not exist)", data=data)
            return
        except (RuntimeError, OSError) as exc:
            if isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == 40:
                self.skip(here, "a link loop (it points back to itself)", data=data)
            else:
                self.skip(here, f"a link that cannot be followed ({exc.strerror})", data=data)
            return
        real_root = self.scope.real_root
        if not target.is_relative_to(real_root):
            what = "folder" if target.is_dir() else "file"
            self.skip(here, f"a link to a {what} outside the data folder, not followed (copy "
                      "the file into the folder to use it)",
                      data=data or target.is_dir())  # fmt: skip
            return
        rel = display_name(str(target.relative_to(real_root))) or "."
        self.skip(here, f"a link to {rel} inside the data folder: read there, once, not twice")


def _is_dir(e: os.DirEntry) -> bool:
    try:
        return e.is_dir(follow_symlinks=False)
    except OSError:
        return False


__all__ = [
    "FOLDER_FILES",
    "MARKER_NOTE",
    "OUTPUT_MARKER",
    "FolderFiles",
    "display_name",
    "is_output_folder",
    "mark_output",
    "readable_suffixes",
    "scan_folder",
]
