"""A coach's own files from the browser: copied into a squad folder under ``data/raw/``
under a safe name, never over an existing file, never outside ``data/raw/``; then what
``hipflex inspect`` finds in them, in words, before anything is trusted.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path, PurePosixPath

from ..errors import DataError

#: File types the upload accepts (the readers of :mod:`analysis.io`).
ACCEPTED = (".csv", ".xlsx")
#: Longest stem kept of a file or folder name.
MAX_STEM = 80


def safe_stem(text: str, *, default: str) -> str:
    """``text`` as a file or folder name anyone can type: letters, digits, ``-``, ``_``,
    ``.``, spaces and brackets (accents dropped to their letter); no leading dot, at most
    :data:`MAX_STEM` characters; ``default`` when nothing is left.

    Examples
    --------
    >>> safe_stem("Zoë's log: week 1/2", default="upload")
    'Zoe_s log_ week 1_2'
    >>> safe_stem("../..", default="upload")
    'upload'
    """
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9 ._()-]+", "_", ascii_text)
    name = re.sub(r"\s+", " ", name).strip(" .")[:MAX_STEM].strip(" .")
    if not name or set(name) <= {".", "_", " "}:
        return default
    return name


def safe_file_name(name: str) -> str:
    """The upload's name made safe: the last path component only, a safe stem, the
    extension lower-cased; raises :class:`DataError` for a type hipflex cannot read.

    Examples
    --------
    >>> safe_file_name("../../etc/Meets 2026.CSV")
    'Meets 2026.csv'
    >>> safe_file_name("C:\\\\Users\\\\coach\\\\log.xlsx")
    'log.xlsx'
    """
    base = PurePosixPath(str(name).replace("\\", "/")).name
    stem, dot, ext = base.rpartition(".")
    ext = f".{ext.lower()}" if dot else ""
    if ext not in ACCEPTED:
        raise DataError(
            f"cannot take {base!r}: hipflex reads {' and '.join(ACCEPTED)} files",
            file=str(base),
        )
    return safe_stem(stem, default="upload") + ext


def squad_folders(raw_root: str | os.PathLike[str]) -> list[str]:
    """The folders directly under ``raw_root`` (the squads a file can go to), sorted."""
    root = Path(raw_root)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def save_upload(
    raw_root: str | os.PathLike[str], folder: str, file_name: str, content: bytes
) -> Path:
    """Copy an uploaded file into ``raw_root/<folder>/`` and return where it landed.

    The folder and file names are made safe (:func:`safe_stem`, :func:`safe_file_name`);
    the folder is created when new. An existing file is never opened for writing: the copy
    takes the first free name ``name (2).csv``, ``name (3).csv``, … (created exclusively,
    so two uploads at once cannot take the same name). Whatever the names, the file lands
    inside ``raw_root`` (checked on the resolved path: a folder that is a link out of it
    is refused).

    Raises
    ------
    DataError
        The type cannot be read, or the resolved target is outside ``raw_root``.
    """
    root = Path(raw_root).resolve()
    name = safe_file_name(file_name)
    target_dir = (root / safe_stem(folder, default="my-squad")).resolve()
    if target_dir.parent != root:
        raise DataError("the folder is not inside data/raw/", file=str(folder))
    target_dir.mkdir(parents=True, exist_ok=True)
    if target_dir.resolve().parent != root:  # a link made between the check and mkdir
        raise DataError("the folder is not inside data/raw/", file=str(folder))
    stem, ext = name[: -len(Path(name).suffix)], Path(name).suffix
    for n in range(1, 1000):
        candidate = target_dir / (name if n == 1 else f"{stem} ({n}){ext}")
        try:
            fd = os.open(
                candidate,
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                0o644,
            )
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        return candidate
    raise DataError("too many files of that name already", file=str(target_dir / name))


def findings(folder: str | os.PathLike[str], saved: Path) -> str:
    """What ``hipflex inspect`` finds in ``saved`` (its part of the folder's inspection),
    with the folder's verdict; a one-line reason when the folder cannot be read yet."""
    from ..ingest.inspect import inspect_folder

    try:
        text, status = inspect_folder(folder)
    except DataError as exc:
        return f"{saved.name} was copied, but the folder cannot be read yet: {exc}"
    rel = saved.name
    blocks = text.split("\n\n")
    mine = [b for b in blocks if b.splitlines() and b.splitlines()[0].split("#")[0] == rel]
    if saved.stem.lower() in ("athletes", "roster"):
        mine = [ln for ln in text.splitlines() if ln.startswith(rel)]
    head = {
        0: "Every file in the folder would be read.",
        1: "Some files in the folder would be skipped (named below, with why).",
        2: "Nothing in the folder would be read yet (it needs an athletes.csv roster and a log "
        "or result file).",
    }[status]
    if "no roster:" in text:
        head = (
            "This folder has no athletes.csv roster yet: add one (upload it here too) before "
            "the folder can be explored; without it no athlete can be matched. " + head
        )
    body = "\n\n".join(mine) if mine else f"{rel}: not mentioned by the inspection."
    return f"{head}\n\n{body}"
