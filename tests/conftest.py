"""Test-wide settings.

Hypothesis' default 200 ms deadline per example measures the machine, not the code: on a
loaded 2-core CI runner a parser example can take longer and fail a correct test. Speed is
measured in benchmarks/, so the suite runs without per-example deadlines.
"""

from hypothesis import settings

settings.register_profile("hipflex", deadline=None)
settings.load_profile("hipflex")
