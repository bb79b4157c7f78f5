"""Placeholder: being written (see the open issues)."""
def daily_volume(log):  # placeholder
    raise NotImplementedError
