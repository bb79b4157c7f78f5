"""HTML helpers shared by the pages hipflex writes itself (the index, a failed report's
page): the house CSS, relative links, an error in one short line without a server path.
"""

from __future__ import annotations

import re
from urllib.parse import quote

INDEX_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:60rem;
margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
h1{margin-bottom:.2rem} .meta{color:#555} table{border-collapse:collapse;width:100%}
td,th{padding:.25rem .6rem;border-bottom:1px solid #ddd;text-align:left}
.ok{color:#2e7d32}.failed{color:#b00020;font-weight:bold}.skipped{color:#555}
.synthetic{background:#fff3cd;border:2px solid #d39e00;padding:.5rem 1rem;font-weight:bold}
.failures{background:#fdecea;border:2px solid #b00020;padding:.5rem 1rem}
.listed{border:1px solid #ccc;padding:.25rem 1rem;color:#444}.listed h2{font-size:1rem}
"""

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

#: An absolute path of two parts or more (``/srv/data/x.csv``, ``C:\\data\\x.csv``).
_ABS_PATH = re.compile(r"(?<![\w.])(?:[A-Za-z]:)?(?:[/\\][^\s/\\'\"<>:]+){2,}[/\\]?")


def href(path: str) -> str:
    """A relative link, URL-quoted (the template escapes it for the attribute).

    Parameters
    ----------
    path : str
        A path relative to the page (``athletes/A01.html``).

    Returns
    -------
    str
        The path, URL-quoted.
    """
    return quote(path)


def no_paths(text: str) -> str:
    """``text`` with every absolute path cut to its last part: no server path in a page.

    Parameters
    ----------
    text : str
        Any text (an error message).

    Returns
    -------
    str
        The text, each absolute path replaced by its last part.
    """
    return _ABS_PATH.sub(lambda m: re.split(r"[/\\]", m.group(0).rstrip("/\\"))[-1], text)


def error_summary(error: str, limit: int = 300) -> str:
    """One short line of an error for a coach: no colour codes, no traceback, no server
    path (a path is cut to its file name), cut at ``limit`` characters.

    Parameters
    ----------
    error : str
        The error as raised (may hold colour codes, new lines, paths).
    limit : int
        Most characters returned.

    Returns
    -------
    str
        One line of at most ``limit`` characters.
    """
    text = no_paths(" ".join(_ANSI.sub("", error or "").split()))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
