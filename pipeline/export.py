"""Take the data away: a brand's mentions, daily figures, problems and response queue as
pandas DataFrames (`pipeline.api`) or CSV / Parquet files (`stimmung export`).

Every table counts as the report does (duplicates and the brand's official accounts left
out, a human label wins over the model's), streams from the warehouse in batches of
`warehouse.batch_size` rows, and has a fixed column schema (`SCHEMAS`), so an empty
export still has its columns and every Parquet batch has the same types. Times are UTC.
The BI views in `sql/views/` stay the SQL contract; this is the file and notebook one.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pyarrow as pa
from sqlalchemy import Connection, Date, Float, Integer, String, column, select, table

from pipeline.config import Config
from pipeline.nlp.intent_head import configured_intent_identity
from pipeline.nlp.problems import PROBLEM_MODEL
from pipeline.records import utcnow
from pipeline.report.honest import shrunk_net
from pipeline.reputation.metrics import EFFECTIVE_LABEL, counted_mentions
from pipeline.reputation.response_queue import response_queue
from pipeline.reputation.score import reputation
from pipeline.warehouse.schema import daily_brand_metrics, mention, post, sentiment

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FORMATS", "SCHEMAS", "WHAT", "ExportError", "Exported", "Period", "frame",
           "frames", "write_frames"]

What = Literal["mentions", "daily", "problems", "queue"]
Format = Literal["csv", "parquet"]
WHAT: tuple[What, ...] = ("mentions", "daily", "problems", "queue")
FORMATS: tuple[Format, ...] = ("csv", "parquet")
_TS = pa.timestamp("us", tz="UTC")

SCHEMAS: dict[str, pa.Schema] = {
    "mentions": pa.schema([
        ("brand", pa.string()), ("day", pa.date32()), ("post_id", pa.string()),
        ("created_at", _TS), ("source", pa.string()), ("community", pa.string()),
        ("lang", pa.string()), ("author_id", pa.string()), ("url", pa.string()),
        ("title", pa.string()), ("text", pa.string()), ("label", pa.string()),
        ("p_negative", pa.float64()), ("p_neutral", pa.float64()),
        ("p_positive", pa.float64()), ("human_label", pa.bool_()),
        ("model", pa.string()), ("version", pa.string()),
    ]),
    "daily": pa.schema([
        ("brand", pa.string()), ("day", pa.date32()), ("volume", pa.int64()),
        ("negative", pa.int64()), ("neutral", pa.int64()), ("positive", pa.int64()),
        ("unscored", pa.int64()), ("net_sentiment", pa.float64()),
        ("net_sentiment_shrunk", pa.float64()), ("reputation", pa.float64()),
        ("share_of_voice", pa.float64()), ("reach", pa.float64()),
        ("model", pa.string()), ("version", pa.string()),
    ]),
    "problems": pa.schema([
        ("brand", pa.string()), ("problem_id", pa.string()), ("label", pa.string()),
        ("day", pa.date32()), ("posts", pa.int64()), ("negative", pa.int64()),
        ("negative_share", pa.float64()),
    ]),
    "queue": pa.schema([
        ("brand", pa.string()), ("post_id", pa.string()), ("created_at", _TS),
        ("source", pa.string()), ("community", pa.string()), ("url", pa.string()),
        ("title", pa.string()), ("text", pa.string()), ("lang", pa.string()),
        ("intent", pa.string()), ("sentiment", pa.string()), ("reach", pa.float64()),
        ("age_hours", pa.float64()), ("priority", pa.float64()),
    ]),
}

_v_problem_daily = table(
    "v_problem_daily", column("brand", String), column("problem_id", String),
    column("label", String), column("day", Date), column("posts", Integer),
    column("negative", Integer), column("negative_share", Float), column("model", String),
    column("version", String),
)


class ExportError(ValueError):
    """An export that cannot be written (unknown table or format, unwritable file)."""


@dataclass(frozen=True, slots=True)
class Period:
    """A brand and the days [start, end] to export."""

    brand: str
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class Exported:
    path: Path
    rows: int


def _batches(conn: Connection, query: Any, size: int) -> Iterator[list[dict[str, Any]]]:
    result = conn.execute(query.execution_options(yield_per=size))
    for part in result.mappings().partitions(size):
        yield [dict(r) for r in part]


def _mentions(conn: Connection, period: Period, model: str, version: str,
              size: int) -> Iterator[list[dict[str, Any]]]:
    from pipeline.warehouse.schema import sentiment_override

    query = counted_mentions(
        model, version, mention.c.brand, mention.c.day, post.c.post_id, post.c.created_at,
        post.c.source, post.c.community, post.c.lang, post.c.author_id, post.c.url,
        post.c.title, post.c.text, EFFECTIVE_LABEL.label("label"),
        sentiment.c.negative.label("p_negative"), sentiment.c.neutral.label("p_neutral"),
        sentiment.c.positive.label("p_positive"),
        sentiment_override.c.label.isnot(None).label("human_label"),
    ).where(mention.c.brand == period.brand, mention.c.day >= period.start,
            mention.c.day <= period.end).order_by(mention.c.day, post.c.post_id)
    for rows in _batches(conn, query, size):
        for r in rows:
            r["human_label"] = bool(r["human_label"])
            r["model"], r["version"] = model, version
        yield rows


def _daily(conn: Connection, period: Period, prior: float) -> Iterator[list[dict[str, Any]]]:
    m = daily_brand_metrics.c
    query = (select(m.brand, m.day, m.volume, m.negative, m.neutral, m.positive, m.unscored,
                    m.net_sentiment, m.share_of_voice, m.reach, m.rep_sum, m.rep_weight,
                    m.model, m.version)
             .where(m.brand == period.brand, m.day >= period.start, m.day <= period.end)
             .order_by(m.day))
    rows = []
    for r in conn.execute(query).mappings():
        row = dict(r)
        rep_sum, rep_weight = float(row.pop("rep_sum") or 0), float(row.pop("rep_weight") or 0)
        row["reputation"] = reputation(rep_sum, rep_weight, prior)
        row["net_sentiment_shrunk"] = shrunk_net(int(r["positive"]), int(r["negative"]), prior)
        rows.append(row)
    yield rows


def _problems(conn: Connection, period: Period, size: int) -> Iterator[list[dict[str, Any]]]:
    v = _v_problem_daily.c
    model, version = PROBLEM_MODEL
    query = (select(v.brand, v.problem_id, v.label, v.day, v.posts, v.negative,
                    v.negative_share)
             .where(v.brand == period.brand, v.day >= period.start, v.day <= period.end,
                    v.model == model, v.version == version)
             .order_by(v.day, v.problem_id))
    yield from _batches(conn, query, size)


def _queue(conn: Connection, cfg: Config, period: Period, model: str,
           version: str) -> Iterator[list[dict[str, Any]]]:
    now = min(utcnow(), datetime.combine(period.end + timedelta(days=1), time(), UTC))
    items = response_queue(conn, period.brand, now, model, version,
                           *configured_intent_identity(cfg),
                           max_age_days=cfg.reputation.response_queue_days, limit=1_000_000)
    yield [{"brand": period.brand, "post_id": q.post_id, "created_at": q.created_at,
            "source": q.source, "community": q.community, "url": q.url, "title": q.title,
            "text": q.text, "lang": q.lang, "intent": q.intent, "sentiment": q.sentiment,
            "reach": q.reach, "age_hours": q.age_hours, "priority": q.priority}
           for q in items]


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)  # the warehouse keeps UTC (SQLite drops the zone)
    return value


def batches(conn: Connection, cfg: Config, what: str, period: Period, model: str,
            version: str) -> Iterator[pa.RecordBatch]:
    """The table `what` of the period as Arrow record batches of the fixed schema."""
    if what not in SCHEMAS:
        raise ExportError(f"unknown table {what!r}: choose one of {', '.join(WHAT)}")
    size = cfg.warehouse.batch_size
    schema = SCHEMAS[what]
    source: Iterator[list[dict[str, Any]]]
    if what == "mentions":
        source = _mentions(conn, period, model, version, size)
    elif what == "daily":
        source = _daily(conn, period, cfg.reputation.prior_weight)
    elif what == "problems":
        source = _problems(conn, period, size)
    else:
        source = _queue(conn, cfg, period, model, version)
    for rows in source:
        if rows:
            data = {name: [_clean(r.get(name)) for r in rows] for name in schema.names}
            yield pa.RecordBatch.from_pydict(data, schema=schema)


def frames(conn: Connection, cfg: Config, what: str, period: Period, model: str,
           version: str) -> Iterator[pd.DataFrame]:
    """`batches` as pandas DataFrames (nullable dtypes, UTC timestamps)."""
    for batch in batches(conn, cfg, what, period, model, version):
        yield batch.to_pandas(types_mapper=_dtype)


def frame(conn: Connection, cfg: Config, what: str, period: Period, model: str,
          version: str) -> pd.DataFrame:
    """The whole table `what` of the period as one DataFrame (its columns even when empty)."""
    schema = SCHEMAS.get(what)
    if schema is None:
        raise ExportError(f"unknown table {what!r}: choose one of {', '.join(WHAT)}")
    parts = list(batches(conn, cfg, what, period, model, version))
    return pa.Table.from_batches(parts, schema=schema).to_pandas(types_mapper=_dtype)


def _dtype(arrow_type: pa.DataType) -> Any:
    """Nullable pandas dtypes, so a missing count is <NA>, not a float NaN."""
    import pandas as pd

    return {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype(),
            pa.string(): pd.StringDtype()}.get(arrow_type)


def write_frames(parts: Iterator[pa.RecordBatch], schema: pa.Schema, out: Path,
                 fmt: str) -> int:
    """Stream record batches into one CSV or Parquet file (written next to `out`, then
    moved into place, so a failed export leaves no half file); return the row count."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: choose csv or parquet")
    out = Path(out)
    if out.is_dir():
        raise ExportError(f"{out} is a folder: give a file name")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    rows = 0
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            with pq.ParquetWriter(tmp, schema) as writer:
                for part in parts:
                    writer.write_batch(part)
                    rows += part.num_rows
        else:
            with tmp.open("w", encoding="utf-8", newline="") as fh:
                writer_csv = csv.writer(fh)
                writer_csv.writerow(schema.names)
                for part in parts:
                    part.to_pandas(types_mapper=_dtype).to_csv(
                        fh, header=False, index=False, lineterminator="\n",
                        date_format="%Y-%m-%dT%H:%M:%SZ")  # always UTC
                    rows += part.num_rows
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"cannot write {out}: {exc.strerror or exc}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return rows


def export(conn: Connection, cfg: Config, what: str, fmt: str, out: Path, period: Period,
           model: str, version: str) -> Exported:
    """Write the table `what` of the period to `out` as csv or parquet."""
    if what not in SCHEMAS:
        raise ExportError(f"unknown table {what!r}: choose one of {', '.join(WHAT)}")
    rows = write_frames(batches(conn, cfg, what, period, model, version), SCHEMAS[what],
                        out, fmt)
    return Exported(Path(out), rows)
