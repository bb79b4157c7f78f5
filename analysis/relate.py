"""Placeholder: being written (see the open issues)."""
def race_features(log, races, windows=(7, 14, 28, 42)):  # placeholder
    raise NotImplementedError
