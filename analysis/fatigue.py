"""Placeholder: being written (see the open issues)."""
def fatigue_metrics(races, splits):  # placeholder, replaced by the sprints work
    raise NotImplementedError
