"""Every HTML fragment hipflex writes comes from a Jinja2 template with autoescape on:
:func:`render`.

The templates are package data (``analysis/templates/*.html.j2``), read through
``importlib.resources`` so an installed wheel has them. Values passed in are escaped
(``<``, ``>``, ``&`` and both quotes) unless they are :class:`markupsafe.Markup`; a fragment
shown in JupyterLab is marked ``tex2jax_ignore`` by its template, so a ``$...$`` in a name
stays text. The HTML export of executed notebooks is nbconvert's own template.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

#: The folder of the templates inside the package.
TEMPLATES = "templates"


@cache
def environment():
    """The Jinja2 environment: package templates, autoescape, undefined names raise."""
    from jinja2 import DictLoader, Environment, StrictUndefined, select_autoescape

    root = files("analysis").joinpath(TEMPLATES)
    sources = {
        p.name: p.read_text(encoding="utf-8") for p in root.iterdir() if p.name.endswith(".j2")
    }
    return Environment(
        loader=DictLoader(sources),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=False,
    )


def template_names() -> list[str]:
    """Every template of the package."""
    return sorted(environment().list_templates())


def render(name: str, /, **context: Any) -> str:
    """Render template ``name`` (``index.html.j2``…) with ``context``, every value escaped."""
    return environment().get_template(name).render(**context).strip()


__all__ = ["TEMPLATES", "environment", "render", "template_names"]
