"""Seconds per stage of one run (`stimmung run --timings FILE`), at no cost when unused.

    with collect_timings() as timings:
        with timed("analyze.sentiment"):
            ...
    timings.seconds  # {"analyze.sentiment": 1.23, ...}: wall seconds
    timings.cpu      # the same stages in CPU seconds of this process (on a busy machine
                     # the wall seconds grow with the load, these much less)
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

__all__ = ["Timings", "collect_timings", "timed"]


@dataclass(slots=True)
class Timings:
    """Accumulated wall seconds, CPU seconds (user + system of this process, its threads
    included, forked workers not) and call counts per stage name."""

    seconds: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)

    def add(self, stage: str, elapsed: float, cpu: float = 0.0) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + elapsed
        self.cpu[stage] = self.cpu.get(stage, 0.0) + cpu
        self.calls[stage] = self.calls.get(stage, 0) + 1

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 3) for k, v in sorted(self.seconds.items())}

    def cpu_dict(self) -> dict[str, float]:
        return {k: round(v, 3) for k, v in sorted(self.cpu.items())}


_current: ContextVar[Timings | None] = ContextVar("stimmung_timings", default=None)


@contextmanager
def collect_timings() -> Iterator[Timings]:
    """Collect the `timed` stages run inside this block."""
    timings = Timings()
    token = _current.set(timings)
    try:
        yield timings
    finally:
        _current.reset(token)


@contextmanager
def timed(stage: str) -> Iterator[None]:
    """Add the block's wall time to `stage` when timings are being collected."""
    timings = _current.get()
    if timings is None:
        yield
        return
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        timings.add(stage, time.perf_counter() - t0, time.process_time() - c0)
