"""What the batch and the pages share about ``OUT``: the pinned file name of each page
(:func:`page_names`, unique across case and slugging) and the one line saying a state file
was not valid and is rebuilt (:func:`discarded`).
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

from ..safe_text import one_line

#: Names Windows (and an SMB share) reserve for devices, whatever follows the first dot:
#: ``CON``, ``nul.txt``, ``COM1``, ``LPT9``, also with the superscript digits Windows accepts.
_DEVICE = re.compile(r"(?i)(?:CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|(?:COM|LPT)[0-9¹²³])\s*")


def _device(name: str) -> bool:
    return _DEVICE.fullmatch(name.split(".")[0]) is not None


def slug(text: str) -> str:
    """A file name for an id or column: kept if already safe, else made safe and unique.

    A name Windows reserves for a device (``CON``, ``NUL``, ``AUX``, ``COM1``…, with any
    extension) is not safe: a copy of ``OUT`` on a Windows or SMB disk could not hold it,
    so it gets the digest of its id like any other unsafe name (``CON-<digest>``)."""
    if (
        re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,80}", text)
        and not text.endswith(".")
        and not _device(text)
    ):
        return text
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._")[:60] or "x"
    if _device(safe):  # "nul.txt" -> "nul_txt-<digest>": no device name before a dot
        safe = safe.replace(".", "_")
    return f"{safe}-{hashlib.sha1(text.encode()).hexdigest()[:8]}"


def page_names(ids) -> dict[str, str]:
    """A file name per id, unique across case and slugging, the same on every run.

    An id that is a safe file name keeps it (``athletes/<athlete_id>.html``); any other is
    made safe with a digest of the id (:func:`slug`). When two names would still be one
    file on a case-insensitive disk (``A01`` and ``a01``, or ``x y`` and an id spelled like
    its slug), each of them gets the digest of its own id added — so the names depend only
    on the ids that collide, never on roster order.
    """
    ids = list(dict.fromkeys(str(i) for i in ids))
    names = {i: slug(i) for i in ids}
    for _ in range(8):
        groups: dict[str, list[str]] = {}
        for i, name in names.items():
            groups.setdefault(name.casefold(), []).append(i)
        clashes = [g for g in groups.values() if len(g) > 1]
        if not clashes:
            return names
        for group in clashes:
            for i in group:
                names[i] = f"{names[i]}-{hashlib.sha1(i.encode()).hexdigest()[:8]}"
    raise RuntimeError("could not give every athlete a page name of their own")  # pragma: no cover


def discarded(path: Path, why: str) -> None:
    """The one line saying a state file was not valid and is rebuilt."""
    print(
        one_line(f"hipflex: {path.parent.name}/{path.name} was not valid ({why}); rebuilt"),
        file=sys.stderr,
    )


def squad_workbook_name(ds) -> str:
    """The squad workbook's file name in ``OUT/exports/``: ``squad.xlsx``, or
    ``squad-all.xlsx`` should an athlete's own workbook be named ``squad``."""
    pages = page_names(ds.athletes["athlete_id"].astype(str))
    taken = {pages[aid].lower() for aid in ds.athletes["athlete_id"].astype(str)}
    return "squad.xlsx" if "squad" not in taken else "squad-all.xlsx"


__all__ = ["discarded", "page_names", "slug", "squad_workbook_name"]
