"""Files that apps and timing systems write, recognised by their signature: a registry.

The way papermill keeps its engines and I/O handlers: each product is one small module
in this package that builds a :class:`FileFormat` and passes it to :func:`register`;
:func:`detect` asks every registered format whether a file is one of its own (its
header, banner lines, extension) and :func:`analysis.ingest.read_file` reads a claimed
file with that format's reader instead of the layout detector. A file no format claims
is read as a coach's spreadsheet, as before. Adding a product is one module and its
fixture (and its file ending in :data:`CLAIMED_SUFFIXES` if no format reads it yet).

A reader returns one :class:`~analysis.ingest.layout.Parsed` per table it finds, as the
layout detector does: raw text columns named as the cleaners read them (``athlete``,
``date``, ``exercise``, ``sets``, ``reps``, ``load``, ``distance``, ``duration``, ``rpe``,
``session_min``, ``notes`` for a training log; ``athlete``, ``date``, ``event``,
``final``, ``wind``, ``reaction``, ``meet``, ``round``, ``timing``, ``split_…`` for
results) plus ``source`` and ``source_row``, and the rows that are not data listed in
``not_data`` with their reason, so rows in = clean + rejected + duplicates + not data.
Its :class:`~analysis.ingest.layout.Layout` names the format (``format``) and the
table it holds (``table``: ``"log"`` or ``"results"``).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the ingest package imports this one: types only, no import circle
    from ..hints import Hints
    from ..layout import Parsed

#: bytes of a file's head a format's signature test sees
HEAD_BYTES = 64 * 1024

#: The prefix of the not-data reason of a result row whose athlete is not in the roster
#: (the CLI and the data-quality page count rows by the words before the colon).
NOT_IN_ROSTER = "not in the roster"


@dataclass(frozen=True)
class Head:
    """What a signature test sees of a file: its path, label and first bytes."""

    path: Path
    label: str
    data: bytes

    @property
    def suffix(self) -> str:
        return self.path.suffix.lower()

    def text(self) -> str:
        """The head as text: UTF-8 (BOM dropped), else Windows-1252, never an error."""
        data = self.data
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start >= len(data) - 3:  # a character cut at the end of the head
                return data[: exc.start].decode("utf-8")
            return data.decode("cp1252", errors="replace")

    def lines(self, n: int = 20) -> list[str]:
        """The first ``n`` lines of the head, without line ends."""
        return self.text().splitlines()[:n]


@dataclass
class FormatContext:
    """What a reader knows beside the file itself."""

    label: str  # the file relative to the data folder (every ``source`` starts with it)
    root: Path
    hints: Hints
    is_athlete: Callable[[str], bool] = lambda _: False
    dayfirst: bool = True

    def path_names(self) -> list[tuple[str, str]]:
        """Where the athlete of an app export may be named: ``(text, where)``, nearest first.

        The file's stem, then each folder between the data folder and the file (the
        per-athlete folder ``logs/Maya Lindqvist/strong.csv``), innermost first.
        """
        parts = Path(self.label).parts
        out = [(Path(self.label).stem, "file name")]
        out += [(p, "folder name") for p in reversed(parts[:-1])]
        return out

    def athlete_from_path(self) -> tuple[str, str] | None:
        """The athlete an export belongs to: ``hipflex.toml``'s, else the first roster name
        in :meth:`path_names`; None when neither names one."""
        if self.hints.athlete:
            return self.hints.athlete, "hipflex.toml"
        for text, where in self.path_names():
            if self.is_athlete(text):
                return text, where
        return None


@dataclass(frozen=True)
class FileFormat:
    """One product's file format.

    Attributes
    ----------
    name
        What ``hipflex inspect`` and the data-quality page call it (``"Strong export"``).
    table
        ``"log"`` or ``"results"``.
    suffixes
        File endings it may have, lower case with the dot (``(".csv",)``).
    sniff
        ``sniff(head) -> bool``: is this file one of this format's? Sees only the
        :class:`Head`; must never raise.
    read
        ``read(path, ctx) -> list[Parsed]``: the file's tables. Raises
        :class:`analysis.DataError` (one line, naming file and row) when the file cannot be
        read at all.
    evidence
        The documentation, public exports or importer code the reader was built from.
    """

    name: str
    table: str
    suffixes: tuple[str, ...]
    sniff: Callable[[Head], bool]
    read: Callable[[Path, FormatContext], list[Parsed]]
    evidence: str = ""


#: Every file ending a format module of this package reads, lower case with the dot:
#: known without importing the modules (~18 ms in a fresh process), so that a folder of
#: workbooks, which no format claims, never loads them. A module that reads a new ending
#: adds it here (tests/test_formats_registry.py checks the two agree).
CLAIMED_SUFFIXES: frozenset[str] = frozenset({".csv", ".txt", ".htm", ".html", ".lif", ".evt"})


@dataclass
class Registry:
    """The known file formats, in the order they were registered.

    ``claimed``: the endings its formats read, when known without loading them (the
    package's :data:`CLAIMED_SUFFIXES`); None: worked out from the formats, loaded.
    """

    _formats: dict[str, FileFormat] = field(default_factory=dict)
    _loaded: bool = False
    claimed: frozenset[str] | None = None

    def register(self, fmt: FileFormat) -> FileFormat:
        if fmt.table not in ("log", "results"):
            raise ValueError(f"{fmt.name}: table must be 'log' or 'results', not {fmt.table!r}")
        self._formats[fmt.name] = fmt
        if self.claimed is not None:  # a format registered at run time: its endings too
            self.claimed |= frozenset(s.lower() for s in fmt.suffixes)
        return fmt

    def _load(self) -> None:
        """Import every module of this package once: each registers its formats."""
        if self._loaded:
            return
        self._loaded = True
        for mod in pkgutil.iter_modules(__path__):
            if not mod.name.startswith("_"):
                importlib.import_module(f"{__name__}.{mod.name}")

    def all(self) -> list[FileFormat]:
        self._load()
        return list(self._formats.values())

    def suffixes(self) -> frozenset[str]:
        """Every file ending some format reads."""
        if self.claimed is not None:
            return self.claimed
        return frozenset(s.lower() for f in self.all() for s in f.suffixes)

    def detect(self, path: Path, label: str) -> FileFormat | None:
        """The format that claims ``path``, or None (a file that cannot be opened: None).

        A file whose ending no format reads (a workbook) loads no format module.
        """
        suffix = path.suffix.lower()
        if suffix not in self.suffixes():
            return None
        candidates = [f for f in self.all() if suffix in f.suffixes]
        if not candidates:
            return None
        try:
            with open(path, "rb") as fh:
                head = Head(path, label, fh.read(HEAD_BYTES))
        except OSError:
            return None
        for fmt in candidates:
            try:
                if fmt.sniff(head):
                    return fmt
            except Exception:  # a signature test never stops a folder
                continue
        return None


#: the registry :func:`analysis.ingest.read_file` asks
formats = Registry(claimed=CLAIMED_SUFFIXES)


def register(fmt: FileFormat) -> FileFormat:
    """Add ``fmt`` to :data:`formats` (call it at a product module's top level)."""
    return formats.register(fmt)


def detect(path: Path, label: str) -> FileFormat | None:
    """The registered format that claims ``path``, or None."""
    return formats.detect(path, label)


__all__ = ["CLAIMED_SUFFIXES", "HEAD_BYTES", "NOT_IN_ROSTER", "FileFormat", "FormatContext",
           "Head", "Registry", "detect", "formats", "register"]  # fmt: skip
