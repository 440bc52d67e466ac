"""The warehouse schema (SQLAlchemy Core). Changes go through Alembic migrations."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()
Json = JSON().with_variant(JSONB(), "postgresql")
TS = DateTime(timezone=True)

run = Table(
    "run",
    metadata,
    Column("run_id", String(32), primary_key=True),
    Column("command", String(32), nullable=False),
    Column("started_at", TS, nullable=False),
    Column("finished_at", TS),
    Column("status", String(16), nullable=False),
    Column("stats", Json),
)

source_state = Table(
    "source_state",
    metadata,
    Column("source", String(200), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("cursor", Json),
    Column("status", String(16), nullable=False),  # ok | failed | disabled
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("retry_after", TS),  # back-off: skip the source until then
    Column("last_run_at", TS),
    Column("last_success_at", TS),
    Column("last_items", Integer),
    Column("last_duration_s", Float),
    Column("last_error", Text),
)

dirty_day = Table(  # days that received posts since the last aggregate / alert pass
    "dirty_day",
    metadata,
    Column("stage", String(16), primary_key=True),  # aggregate | alert
    Column("day", Date, primary_key=True),
    Column("marked_at", TS, nullable=False),
)

source_run = Table(
    "source_run",
    metadata,
    Column("run_id", String(32), primary_key=True),
    Column("source", String(200), primary_key=True),
    Column("started_at", TS, nullable=False),
    Column("finished_at", TS),
    Column("status", String(16), nullable=False),  # ok | failed | skipped
    Column("items", Integer, nullable=False, default=0),
    Column("duration_s", Float),
    Column("error", Text),
)

raw_post = Table(
    "raw_post",
    metadata,
    Column("post_id", String(24), primary_key=True),
    Column("source", String(200), nullable=False),
    Column("external_id", String(512), nullable=False),
    Column("url", Text),
    Column("author", Text),  # raw author: never leaves the raw layer
    Column("community", Text),
    Column("title", Text),
    Column("body", Text, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("parent_id", String(512)),
    Column("engagement", Json),
    Column("payload", Json),
    Column("fetched_at", TS, nullable=False),
    UniqueConstraint("source", "external_id", name="uq_raw_post_source_external_id"),
    Index("ix_raw_post_created_at_post_id", "created_at", "post_id"),
)

author = Table(
    "author",
    metadata,
    Column("author_id", String(32), primary_key=True),  # pseudonym (keyed hash)
    Column("source", String(200), nullable=False),
    Column("first_seen_at", TS, nullable=False),
)

community = Table(
    "community",
    metadata,
    Column("community_id", String(24), primary_key=True),
    Column("source", String(200), nullable=False),
    Column("name", Text, nullable=False),
    Column("first_seen_at", TS, nullable=False),
)

post = Table(
    "post",
    metadata,
    Column("post_id", String(24), primary_key=True),
    Column("source", String(200), nullable=False),
    Column("external_id", String(512), nullable=False),
    Column("url", Text),
    Column("author_id", String(32)),
    Column("community", Text),
    Column("title", Text),
    Column("text", Text, nullable=False),
    Column("lang", String(8)),
    Column("created_at", TS, nullable=False),
    Column("day", Date, nullable=False),
    Column("engagement", Json),
    Column("parent_post_id", String(24)),
    Column("content_hash", String(40), nullable=False),
    Column("simhash", BigInteger, nullable=False),
    Column("duplicate_of", String(24)),
    Column("processed_at", TS, nullable=False),
    Index("ix_post_day", "day"),
    Index("ix_post_parent_post_id", "parent_post_id"),
    Index("ix_post_author_id", "author_id"),
)

brand = Table(
    "brand",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("query", Text, nullable=False),
    Column("competitors", Json),
    Column("updated_at", TS, nullable=False),
)

mention = Table(
    "mention",
    metadata,
    Column("post_id", String(24), primary_key=True),
    Column("brand", String(200), primary_key=True),
    Column("day", Date, nullable=False),
    Column("matched", Json),
    Index("ix_mention_brand_day", "brand", "day"),
)

sentiment = Table(
    "sentiment",
    metadata,
    Column("post_id", String(24), primary_key=True),
    Column("model", String(200), primary_key=True),
    Column("version", String(64), primary_key=True),
    Column("label", String(8), nullable=False),
    Column("negative", Float, nullable=False),
    Column("neutral", Float, nullable=False),
    Column("positive", Float, nullable=False),
    Column("scored_at", TS, nullable=False),
)

sentiment_override = Table(
    "sentiment_override",
    metadata,
    Column("post_id", String(24), primary_key=True),
    Column("label", String(8), nullable=False),
    Column("note", Text),
    Column("created_at", TS, nullable=False),
)

daily_brand_metrics = Table(
    "daily_brand_metrics",
    metadata,
    Column("brand", String(200), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("model", String(200), nullable=False),
    Column("version", String(64), nullable=False),
    Column("volume", Integer, nullable=False),
    Column("negative", Integer, nullable=False),
    Column("neutral", Integer, nullable=False),
    Column("positive", Integer, nullable=False),
    Column("unscored", Integer, nullable=False),
    Column("net_sentiment", Float),
    Column("share_of_voice", Float),
    Column("computed_at", TS, nullable=False),
    # reputation (pipeline.reputation.score): 100 * rep_sum / (rep_weight + prior weight)
    Column("reach", Float),
    Column("rep_sum", Float),
    Column("rep_weight", Float),
    Column("reputation", Float),
)

# the same figures per hour (dimension "all", for hourly alerts) and per day and
# source / community / language
brand_metrics_slice = Table(
    "brand_metrics_slice",
    metadata,
    Column("brand", String(200), primary_key=True),
    Column("grain", String(8), primary_key=True),  # day | hour
    Column("period_start", TS, primary_key=True),
    Column("dimension", String(16), primary_key=True),  # all | source | community | lang
    Column("value", String(300), primary_key=True),  # "" for dimension "all"
    Column("model", String(200), nullable=False),
    Column("version", String(64), nullable=False),
    Column("volume", Integer, nullable=False),
    Column("negative", Integer, nullable=False),
    Column("neutral", Integer, nullable=False),
    Column("positive", Integer, nullable=False),
    Column("unscored", Integer, nullable=False),
    Column("net_sentiment", Float),
    Column("reach", Float, nullable=False),
    Column("rep_sum", Float, nullable=False),
    Column("rep_weight", Float, nullable=False),
    Column("reputation", Float),
    Column("share_of_voice", Float),  # against the competitors in the same slice
    Column("computed_at", TS, nullable=False),
    Index("ix_brand_metrics_slice_period", "grain", "period_start"),
)

# pseudonymous ids of the brands' own accounts (config `official_accounts`), per source
official_account = Table(
    "official_account",
    metadata,
    Column("brand", String(200), primary_key=True),
    Column("source", String(200), primary_key=True),
    Column("author_id", String(32), primary_key=True),
    Column("updated_at", TS, nullable=False),
)

alert = Table(
    "alert",
    metadata,
    Column("alert_id", String(300), primary_key=True),  # rule:brand:day
    Column("rule", String(100), nullable=False),
    Column("brand", String(200), nullable=False),
    Column("day", Date, nullable=False),
    Column("severity", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # open | acknowledged | resolved
    Column("value", Float, nullable=False),
    Column("baseline", Float, nullable=False),
    Column("score", Float, nullable=False),
    Column("message", Text, nullable=False),
    Column("details", Json),
    Column("created_at", TS, nullable=False),
    Column("notified_at", TS),
    Column("delivery", Json),  # per channel: ok | error text | skipped reason
    Column("freq", String(1), nullable=False, server_default="D"),  # D | H
    Column("period_start", TS),  # the hour of an hourly alert, midnight of a daily one
    Index("ix_alert_brand_day", "brand", "day"),
)

# intent, keyphrases and customer problems (written by pipeline.nlp.problem_store)

intent = Table(
    "intent",
    metadata,
    Column("post_id", String(24), primary_key=True),
    Column("model", String(200), primary_key=True),
    Column("version", String(64), primary_key=True),
    Column("label", String(16), nullable=False),
    Column("scored_at", TS, nullable=False),
)

keyphrase = Table(
    "keyphrase",
    metadata,
    Column("post_id", String(24), primary_key=True),
    Column("model", String(200), primary_key=True),
    Column("version", String(64), primary_key=True),
    Column("phrases", Json, nullable=False),  # [[phrase, score], ...] best first
    Column("extracted_at", TS, nullable=False),
)

problem = Table(
    "problem",
    metadata,
    Column("problem_id", String(32), primary_key=True),
    Column("brand", String(200), nullable=False),
    Column("model", String(200), nullable=False),
    Column("version", String(64), nullable=False),
    Column("label", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # active | merged
    Column("merged_into", String(32)),
    Column("centroid", Json, nullable=False),  # {hashed feature: weight}
    Column("terms", Json, nullable=False),  # {term: weight}
    Column("examples", Json, nullable=False),  # [{post_id, similarity, text}] x 3
    Column("first_day", Date, nullable=False),
    Column("last_day", Date, nullable=False),
    Column("updated_at", TS, nullable=False),
    Index("ix_problem_brand_model", "brand", "model", "version"),
)

post_problem = Table(
    "post_problem",
    metadata,
    Column("post_id", String(24), primary_key=True),
    Column("brand", String(200), primary_key=True),
    Column("model", String(200), primary_key=True),
    Column("version", String(64), primary_key=True),
    Column("problem_id", String(32)),  # NULL: pending, no problem fits yet
    Column("similarity", Float, nullable=False),
    Column("negative", Boolean, nullable=False),
    Column("day", Date, nullable=False),
    Column("assigned_at", TS, nullable=False),
    Index("ix_post_problem_brand_day", "brand", "day"),
    Index("ix_post_problem_problem", "problem_id"),
)

problem_merge = Table(
    "problem_merge",
    metadata,
    Column("from_id", String(32), primary_key=True),
    Column("into_id", String(32), nullable=False),
    Column("brand", String(200), nullable=False),
    Column("model", String(200), nullable=False),
    Column("version", String(64), nullable=False),
    Column("similarity", Float, nullable=False),
    Column("day", Date, nullable=False),
    Column("merged_at", TS, nullable=False),
)
