"""Property-based fuzzing (hypothesis): a fixed seed and a bounded number of examples per
test keep the suite fast and repeatable; `STIMMUNG_FUZZ_EXAMPLES=5000` digs deeper.
Each test counts the examples it tried; the counts are printed at the end of the run."""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

set_hypothesis_home_dir(tempfile.mkdtemp(prefix="stimmung-hypothesis-"))  # not in the repo

EXAMPLES = int(os.environ.get("STIMMUNG_FUZZ_EXAMPLES", "300"))

settings.register_profile(
    "stimmung-fuzz", max_examples=EXAMPLES, deadline=None, derandomize=True,
    database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)
settings.load_profile("stimmung-fuzz")

TRIED: Counter[str] = Counter()


@pytest.fixture
def tried(request: pytest.FixtureRequest) -> Callable[[], None]:
    """Call once per example: counts the examples a test ran."""
    name = request.node.nodeid.removeprefix("tests/fuzz/")

    def count() -> None:
        TRIED[name] += 1

    return count


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not TRIED:
        return
    terminalreporter.section("fuzz: examples tried")
    for name, n in sorted(TRIED.items()):
        terminalreporter.write_line(f"{n:6d}  {name}")
    terminalreporter.write_line(f"{sum(TRIED.values()):6d}  in total")
