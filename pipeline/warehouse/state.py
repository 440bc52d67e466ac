"""Source cursors and health, and run records."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select, update

from pipeline.records import as_date, as_utc, utcnow
from pipeline.redact import redact
from pipeline.warehouse.load import upsert
from pipeline.warehouse.schema import dirty_day, run, source_run, source_state

FAILURES_BEFORE_DISABLE = 5
BACKOFF_BASE = timedelta(minutes=5)
BACKOFF_MAX = timedelta(hours=6)


@dataclass(slots=True)
class SourceHealth:
    source: str
    kind: str
    status: str
    consecutive_failures: int
    retry_after: datetime | None
    last_run_at: datetime | None
    last_success_at: datetime | None
    last_items: int | None
    last_duration_s: float | None
    last_error: str | None
    cursor: dict[str, Any]

    def skip_reason(self, now: datetime) -> str | None:
        if self.status == "disabled":
            return (f"disabled after {self.consecutive_failures} consecutive failures "
                    f"(re-enable with `stimmung sources enable {self.source}`)")
        if self.retry_after is not None and as_utc(self.retry_after) > now:
            return f"backing off until {as_utc(self.retry_after):%Y-%m-%d %H:%M} UTC"
        return None



def new_run_id() -> str:
    return uuid.uuid4().hex


def start_run(engine: Engine, command: str) -> str:
    run_id = new_run_id()
    with engine.begin() as conn:
        conn.execute(run.insert().values(
            run_id=run_id, command=command, started_at=utcnow(), status="running", stats={}
        ))
    return run_id


def finish_run(engine: Engine, run_id: str, status: str, stats: dict[str, Any]) -> None:
    with engine.begin() as conn:
        conn.execute(update(run).where(run.c.run_id == run_id).values(
            finished_at=utcnow(), status=status, stats=stats
        ))


def read_health(conn: Connection, source: str) -> SourceHealth | None:
    row = conn.execute(select(source_state).where(source_state.c.source == source)).first()
    if row is None:
        return None
    return SourceHealth(
        source=row.source, kind=row.kind, status=row.status,
        consecutive_failures=row.consecutive_failures or 0,
        retry_after=row.retry_after, last_run_at=row.last_run_at,
        last_success_at=row.last_success_at, last_items=row.last_items,
        last_duration_s=row.last_duration_s, last_error=row.last_error,
        cursor=dict(row.cursor or {}),
    )


def all_health(conn: Connection) -> list[SourceHealth]:
    names = conn.execute(select(source_state.c.source).order_by(source_state.c.source)).scalars()
    return [h for n in list(names) if (h := read_health(conn, n)) is not None]


def save_cursor(conn: Connection, source: str, kind: str, cursor: dict[str, Any]) -> None:
    """Persist the cursor (after the posts it covers are loaded)."""
    upsert(conn, source_state, [{
        "source": source, "kind": kind, "cursor": cursor, "status": "ok",
        "consecutive_failures": 0,
    }], update=["cursor"])


def record_success(conn: Connection, run_id: str, source: str, kind: str,
                   started: datetime, items: int, cursor: dict[str, Any]) -> None:
    now = utcnow()
    save_cursor(conn, source, kind, cursor)
    conn.execute(update(source_state).where(source_state.c.source == source).values(
        status="ok", consecutive_failures=0, retry_after=None, last_run_at=now,
        last_success_at=now, last_items=items,
        last_duration_s=(now - started).total_seconds(), last_error=None,
    ))
    _record_source_run(conn, run_id, source, started, now, "ok", items, None)


def record_failure(conn: Connection, run_id: str, source: str, kind: str,
                   started: datetime, items: int, error: str,
                   cursor: dict[str, Any]) -> SourceHealth:
    """Count the failure, back off, disable after the threshold.

    The next run always retries after a first failure; from the second consecutive
    failure on, the source waits 5 min, 10 min, 20 min, ... (at most 6 h) between tries.
    """
    now = utcnow()
    error = redact(error)  # stored errors are shown by `stimmung sources` and the report
    save_cursor(conn, source, kind, cursor)
    health = read_health(conn, source)
    failures = (health.consecutive_failures if health else 0) + 1
    retry_after = backoff_until(now, failures)
    status = "disabled" if failures >= FAILURES_BEFORE_DISABLE else "failed"
    conn.execute(update(source_state).where(source_state.c.source == source).values(
        status=status, consecutive_failures=failures, retry_after=retry_after,
        last_run_at=now, last_items=items,
        last_duration_s=(now - started).total_seconds(), last_error=error[:2000],
    ))
    _record_source_run(conn, run_id, source, started, now, "failed", items, error)
    result = read_health(conn, source)
    assert result is not None
    return result


def backoff_until(now: datetime, failures: int) -> datetime | None:
    if failures < 2:
        return None
    return now + min(BACKOFF_MAX, BACKOFF_BASE * (2 ** (failures - 2)))


def record_skip(conn: Connection, run_id: str, source: str, reason: str) -> None:
    now = utcnow()
    _record_source_run(conn, run_id, source, now, now, "skipped", 0, reason)


def enable_source(conn: Connection, source: str) -> bool:
    result = conn.execute(update(source_state).where(source_state.c.source == source).values(
        status="ok", consecutive_failures=0, retry_after=None
    ))
    return bool(result.rowcount)


def _record_source_run(conn: Connection, run_id: str, source: str, started: datetime,
                       finished: datetime, status: str, items: int, error: str | None) -> None:
    upsert(conn, source_run, [{
        "run_id": run_id, "source": source, "started_at": started, "finished_at": finished,
        "status": status, "items": items, "duration_s": (finished - started).total_seconds(),
        "error": redact(error) if error else None,
    }], update=["finished_at", "status", "items", "duration_s", "error"])


# --------------------------------------------------------------------------- dirty days

DIRTY_STAGES = ("aggregate", "alert")


@dataclass(frozen=True, slots=True)
class DirtyDays:
    """The days one stage still has to (re)compute, and the newest mark it saw."""

    stage: str
    days: tuple[date, ...]
    seen_until: datetime | None

    def ranges(self) -> list[tuple[date, date]]:
        """Consecutive runs of days as inclusive (start, end) ranges."""
        out: list[tuple[date, date]] = []
        for day in self.days:
            if out and day - out[-1][1] == timedelta(days=1):
                out[-1] = (out[-1][0], day)
            else:
                out.append((day, day))
        return out


def mark_dirty(conn: Connection, days: Iterable[date]) -> None:
    """Record in the caller's transaction that `days` received posts or lost some, so
    the next aggregate and alert passes recompute them whatever crashes in between."""
    now = utcnow()
    upsert(conn, dirty_day, [{"stage": stage, "day": day, "marked_at": now}
                             for day in sorted(set(days)) for stage in DIRTY_STAGES],
           update=["marked_at"])


def dirty_days(conn: Connection, stage: str) -> DirtyDays:
    rows = conn.execute(select(dirty_day.c.day, dirty_day.c.marked_at)
                        .where(dirty_day.c.stage == stage).order_by(dirty_day.c.day)).all()
    seen = max((r.marked_at for r in rows), default=None)
    return DirtyDays(stage, tuple(as_date(r.day) for r in rows), seen)


def clear_dirty(conn: Connection, done: DirtyDays) -> None:
    """Forget the days `done` covered, unless they were marked again since it was read."""
    if not done.days or done.seen_until is None:
        return
    conn.execute(delete(dirty_day).where(
        dirty_day.c.stage == done.stage, dirty_day.c.day.in_(done.days),
        dirty_day.c.marked_at <= done.seen_until))


def clear_dirty_range(conn: Connection, stage: str, start: date, end: date,
                      *, marked_before: datetime) -> None:
    """Forget `stage`'s marks on [start, end] made before `marked_before` (the start of
    the pass that just recomputed those days; later marks stay for the next pass)."""
    conn.execute(delete(dirty_day).where(
        dirty_day.c.stage == stage, dirty_day.c.day >= start, dirty_day.c.day <= end,
        dirty_day.c.marked_at < marked_before))


def dirty_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(dirty_day)).scalar() or 0)
