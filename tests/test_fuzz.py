"""Fuzzing in the suite: a small, fixed (derandomized) sample of hostile inputs for every parser,
the generic extractor, ``understand()``, dates and links. Nothing may raise, and nothing may run
past a generous time budget (a hang fails the test instead of stalling the suite).

The large random run is ``python -m benchmarks.fuzz`` (benchmarks/README.md).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from crawler.scraping.budget import time_budget
from tests.fuzzing import TARGETS

EXAMPLES = 25
HANG = 20.0  # seconds per input: what no input may take


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_no_input_crashes_or_hangs(target: str) -> None:
    check, strategy = TARGETS[target]

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(args: tuple) -> None:
        with time_budget(HANG):
            check(*args)

    run()
