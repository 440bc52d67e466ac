"""What every stage uses: the warehouse opened at the newest schema, the identity of
the configured sentiment model, the days with data, the brands' official accounts."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, select

from pipeline.config import Config
from pipeline.nlp.sentiment import load_backend
from pipeline.nlp.sentiment.base import SentimentBackend
from pipeline.reputation.metrics import mention_day_range
from pipeline.reputation.official import sync_official_accounts
from pipeline.text.pseudonym import Pseudonymiser
from pipeline.warehouse.db import current_revision, make_engine, migrate
from pipeline.warehouse.schema import official_account
from pipeline.warehouse.views import apply_views, missing_views


def open_warehouse(config: Config, *, refresh_views: bool = False) -> Engine:
    """Connect and migrate to the newest schema; (re)create the BI views when the schema
    moved, a view is missing, or `refresh_views` is set."""
    engine = make_engine(config.warehouse_url())
    before = current_revision(engine)
    migrate(engine)
    if refresh_views or before != current_revision(engine) or missing_views(engine):
        apply_views(engine)
    return engine


def model_identity(config: Config, backend: SentimentBackend | None = None) -> tuple[str, str]:
    backend = backend or load_backend(config.sentiment_model())
    return backend.name, backend.version


def data_range(engine: Engine) -> tuple[date, date] | None:
    with engine.connect() as conn:
        return mention_day_range(conn)


def sync_official(engine: Engine, config: Config) -> set[tuple[str, str]]:
    """Store the pseudonyms of the brands' official accounts; (brand, author id) pairs."""
    pseudonymiser = Pseudonymiser.from_env(config.privacy.pseudonym_key_env)
    with engine.begin() as conn:
        sync_official_accounts(conn, config, pseudonymiser)
        rows = conn.execute(select(official_account.c.brand, official_account.c.author_id))
        return {(r.brand, r.author_id) for r in rows}
