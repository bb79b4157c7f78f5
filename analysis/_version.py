"""The version of hipflex (one place: the package, the report digests and the wheel read it)."""

__version__ = "0.1.0"
