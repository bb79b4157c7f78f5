"""Placeholder: being written (see the open issues)."""
def clean_sprints(raw, roster, **kw):  # placeholder
    raise NotImplementedError
