"""The brands' own (official) accounts, as pseudonymous author ids per source.

`brands[].official_accounts` holds handles; posts only carry pseudonyms
(`pipeline.text.pseudonym`), and a pseudonym depends on the source name. So every handle
is pseudonymised for every configured source and stored in `official_account`, which the
metrics, the rankings (`pipeline.reputation.tribes`) and the response queue
(`pipeline.reputation.response_queue`, `v_response_queue`) read.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, select, tuple_

from pipeline.config import Config
from pipeline.records import utcnow
from pipeline.text.pseudonym import Pseudonymiser
from pipeline.warehouse.load import upsert
from pipeline.warehouse.schema import official_account


def sync_official_accounts(conn: Connection, config: Config,
                           pseudonymiser: Pseudonymiser) -> int:
    """(Re)write the official accounts of every configured brand from the config.

    The configured rows are upserted and the configured brands' other rows deleted, so
    tasks that sync at the same time (analysis and metrics in Airflow) never collide on
    a key (idempotent; rows of brands no longer configured are left alone). Returns the
    number of rows written: brands x distinct handles x sources.
    """
    names = [b.name for b in config.brands]
    sources = sorted({s.name for s in config.sources})
    now = utcnow()
    rows: dict[tuple[str, str, str], dict[str, object]] = {}
    for brand in config.brands:
        for handle in brand.official_accounts:
            for source in sources:
                author_id = pseudonymiser.pseudonymise(source, handle.strip())
                if author_id is not None:
                    rows[(brand.name, source, author_id)] = {
                        "brand": brand.name, "source": source, "author_id": author_id,
                        "updated_at": now}
    upsert(conn, official_account, list(rows.values()), update=["updated_at"])
    oa = official_account.c
    stale = [tuple(key) for key in conn.execute(select(oa.brand, oa.source, oa.author_id)
                                                .where(oa.brand.in_(names)))
             if tuple(key) not in rows]
    if stale:
        conn.execute(delete(official_account)
                     .where(tuple_(oa.brand, oa.source, oa.author_id).in_(stale)))
    return len(rows)


def official_author_ids(conn: Connection, brand: str) -> set[str]:
    """The pseudonymous ids of `brand`'s official accounts (all sources)."""
    query = select(official_account.c.author_id).where(official_account.c.brand == brand)
    return {row.author_id for row in conn.execute(query)}
