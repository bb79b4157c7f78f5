"""Placeholder: being written (see the open issues)."""
def clean_training_log(raw, roster, catalog=None, **kw):  # placeholder
    raise NotImplementedError
