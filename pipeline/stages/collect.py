"""Step 1, collect: every configured source fetched into `raw_post`.

Writes are keyed (source + external id), so re-running an interval never duplicates
rows; a source's cursor advances only with what was stored."""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from pipeline.config import Config, SourceConfig
from pipeline.records import RawPost, utcnow
from pipeline.redact import redact
from pipeline.sources.base import PartialFailure, SourceError, build_source
from pipeline.stages.progress import Progress, no_progress
from pipeline.warehouse import state
from pipeline.warehouse.load import upsert
from pipeline.warehouse.schema import raw_post

log = logging.getLogger(__name__)


@dataclass(slots=True)
class SourceOutcome:
    source: str
    status: str  # ok | failed | skipped
    items: int = 0
    error: str | None = None
    duration_s: float = 0.0


@dataclass(slots=True)
class CollectResult:
    outcomes: list[SourceOutcome] = field(default_factory=list)

    @property
    def items(self) -> int:
        return sum(o.items for o in self.outcomes)

    @property
    def failed(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]


def _raw_row(p: RawPost) -> dict[str, Any]:
    return {
        "post_id": p.post_id, "source": p.source, "external_id": p.external_id, "url": p.url,
        "author": p.author, "community": p.community, "title": p.title, "body": p.body,
        "created_at": p.created_at, "parent_id": p.parent_id, "engagement": p.engagement,
        "payload": p.payload, "fetched_at": p.fetched_at,
    }


def collect_source(
    engine: Engine, config: Config, source_config: SourceConfig, run_id: str,
    *, force: bool = False, progress: Progress = no_progress,
) -> SourceOutcome:
    """Fetch one source into `raw_post`; the cursor advances only with what was loaded."""
    name, kind = source_config.name, source_config.kind
    with engine.connect() as conn:
        health = state.read_health(conn, name)
    skip = health.skip_reason(utcnow()) if health and not force else None
    if not source_config.enabled:
        skip = "disabled in the config"
    if skip:
        with engine.begin() as conn:
            state.record_skip(conn, run_id, name, skip)
        log.info("source %s skipped: %s", name, skip)
        return SourceOutcome(name, "skipped", error=skip)
    cursor: dict[str, Any] = dict(health.cursor) if health else {}
    stored = copy.deepcopy(cursor)  # the cursor as of the last batch that was loaded
    started = utcnow()
    t0 = time.perf_counter()
    items = 0
    pending: list[RawPost] = []

    def flush(*, advance: bool) -> None:
        """Store the pending posts; move the cursor with them only when it covers exactly
        them (a source that failed midway may have moved it further)."""
        nonlocal stored, items
        if not pending and not advance:
            return
        with engine.begin() as conn:
            upsert(conn, raw_post, [_raw_row(p) for p in pending])
            if advance:
                state.save_cursor(conn, name, kind, cursor)
        if advance:
            stored = copy.deepcopy(cursor)
        items += len(pending)
        progress(f"collect {name}", len(pending))
        pending.clear()

    try:
        source = build_source(name, kind, source_config.options, config.source_context())
        try:
            try:
                for item in source.fetch(cursor):
                    pending.append(item)
                    if len(pending) >= config.warehouse.batch_size:
                        flush(advance=True)
            except PartialFailure:
                flush(advance=True)
                raise
            except Exception:
                _flush_what_was_read(flush, name)
                raise
            if pending:
                flush(advance=True)
        finally:
            source.close()
    except Exception as exc:  # any failure of one source is that source's recorded error
        error = source_error_message(exc)
        log.debug("source %s failed", name, exc_info=True)
        with engine.begin() as conn:
            health = state.record_failure(conn, run_id, name, kind, started, items, error,
                                          stored)
        log.error("source %s failed after %d posts: %s", name, items, error)
        return SourceOutcome(name, "failed", items, error, time.perf_counter() - t0)
    with engine.begin() as conn:
        state.record_success(conn, run_id, name, kind, started, items, cursor)
    return SourceOutcome(name, "ok", items, None, time.perf_counter() - t0)


def _flush_what_was_read(flush: Callable[..., None], name: str) -> None:
    """After a source failed: keep the posts it yielded (the cursor stays where it was,
    so the next run reads them again and the keyed upsert makes that harmless)."""
    try:
        flush(advance=False)
    except Exception:  # the source's own error is the one to report
        log.warning("source %s: the posts read before the failure could not be stored",
                    name, exc_info=True)


def source_error_message(exc: BaseException) -> str:
    """One line for a source's failure, with credentials and tokens in URLs redacted."""
    text = str(exc) if isinstance(exc, SourceError) else f"{type(exc).__name__}: {exc}"
    return redact(" ".join(text.split()) or type(exc).__name__)


def collect(
    engine: Engine, config: Config, run_id: str, *, sources: Sequence[str] | None = None,
    force: bool = False, progress: Progress = no_progress,
) -> CollectResult:
    """Fetch every (or the named) source; one failing source never stops the others."""
    chosen = [config.source(n) for n in sources] if sources else config.sources
    result = CollectResult()
    for source_config in chosen:
        result.outcomes.append(
            collect_source(engine, config, source_config, run_id, force=force, progress=progress)
        )
    return result
