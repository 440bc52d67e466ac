"""Progress of a run that a person can follow: rich bars on a terminal, log lines elsewhere.

Stages report with `progress(stage, n)` (n more items done) and, when they know it,
`announce_total(progress, stage, total)`. `RichProgress` shows a bar with done/total,
rate and ETA per stage with a total, a spinner with the count otherwise.
`PlainProgress` (not a terminal: cron, Airflow, CI logs) writes one line per stage at
most every `interval` seconds and a summary line when the stage ends.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import (
    Progress as RichBars,
)
from rich.text import Text

__all__ = ["PlainProgress", "Progress", "RichProgress", "announce_total", "no_progress"]

Progress = Callable[[str, int], None]


def no_progress(_stage: str, _n: int) -> None:
    return None


def announce_total(progress: Callable[[str, int], None], stage: str, total: int) -> None:
    """Tell `progress` how many items `stage` will handle (ignored by plain callables)."""
    set_total = getattr(progress, "set_total", None)
    if callable(set_total):
        set_total(stage, total)


def _rate(done: int, seconds: float) -> str:
    return f"{done / seconds:,.0f}/s" if seconds > 0 else "–"


@dataclass(slots=True)
class _Stage:
    started: float
    done: int = 0
    total: int | None = None
    last_line: float = 0.0


@dataclass
class PlainProgress:
    """Log lines: `analyze: 12,000/100,000 (2,150/s, ETA 41 s)`, then a summary per stage."""

    write: Callable[[str], None]
    interval: float = 5.0
    clock: Callable[[], float] = time.monotonic
    _stages: dict[str, _Stage] = field(default_factory=dict)

    def _stage(self, stage: str) -> _Stage:
        if stage not in self._stages:
            now = self.clock()
            self._stages[stage] = _Stage(started=now, last_line=now)
        return self._stages[stage]

    def set_total(self, stage: str, total: int) -> None:
        self._stage(stage).total = total

    def __call__(self, stage: str, n: int) -> None:
        st = self._stage(stage)
        st.done += n
        now = self.clock()
        if now - st.last_line >= self.interval:
            st.last_line = now
            self.write(self._line(stage, st, now))

    def _line(self, stage: str, st: _Stage, now: float) -> str:
        elapsed = now - st.started
        if st.total:
            eta = (st.total - st.done) * elapsed / st.done if st.done else None
            eta_text = f", ETA {eta:,.0f} s" if eta is not None else ""
            return (f"{stage}: {st.done:,}/{st.total:,} ({_rate(st.done, elapsed)}"
                    f"{eta_text})")
        return f"{stage}: {st.done:,} ({_rate(st.done, elapsed)})"

    def close(self) -> None:
        now = self.clock()
        for stage, st in self._stages.items():
            elapsed = now - st.started
            self.write(f"{stage}: done, {st.done:,} in {elapsed:,.1f} s "
                       f"({_rate(st.done, elapsed)})")


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f}/s" if speed else "", style="progress.data.speed")


class RichProgress:
    """rich bars (total known: done/total, rate, ETA) or spinners (count, rate)."""

    def __init__(self, console: Console) -> None:
        self._bar = RichBars(SpinnerColumn(), TextColumn("{task.description:<18}"),
                             BarColumn(), MofNCompleteColumn(), _RateColumn(),
                             TimeRemainingColumn(), TimeElapsedColumn(),
                             console=console, transient=False)
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> RichProgress:
        self._bar.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        for task_id in self._tasks.values():
            task = self._bar.tasks[task_id]
            if task.total is None:  # a spinner: stop it at its count
                self._bar.update(task_id, total=task.completed)
        self._bar.stop()

    def _task(self, stage: str) -> Any:
        if stage not in self._tasks:
            self._tasks[stage] = self._bar.add_task(stage, total=None)
        return self._tasks[stage]

    def set_total(self, stage: str, total: int) -> None:
        self._bar.update(self._task(stage), total=total)

    def __call__(self, stage: str, n: int) -> None:
        self._bar.advance(self._task(stage), n)
