"""Import posts from a JSONL or CSV file with a configurable column mapping.

The mapping names, for each post field, the column that holds it. Defaults:

| field | default column | notes |
| --- | --- | --- |
| external_id | `id` | required; unique within the source |
| body | `text` | required; plain text or HTML |
| created_at | `created_at` | required; ISO 8601 (naive = UTC) or Unix seconds |
| author | `author` | optional |
| community | `community` | optional |
| title | `title` | optional |
| url | `url` | optional |
| parent_id | `parent_id` | optional |
| engagement | (none) | `engagement: {score: likes, comments: replies}` maps columns to metrics |

A row that misses a required field or has an unreadable date is skipped with a warning
(line number and reason kept in the source state as `bad_rows`); the others load. The
file is re-read only when its content hash changes; keys make re-reads idempotent.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from pipeline.records import RawPost, utcnow
from pipeline.sources.base import Source, SourceError, SourceOptions, register_source

log = logging.getLogger(__name__)

_MAX_BAD_ROWS_KEPT = 20


class FileOptions(SourceOptions):
    path: str
    format: Literal["jsonl", "csv", "auto"] = "auto"
    mapping: dict[str, str] = Field(default_factory=dict)
    engagement: dict[str, str] = Field(default_factory=dict)
    community: str | None = None
    encoding: str = "utf-8"


_DEFAULT_MAPPING = {
    "external_id": "id",
    "body": "text",
    "created_at": "created_at",
    "author": "author",
    "community": "community",
    "title": "title",
    "url": "url",
    "parent_id": "parent_id",
}


class BadRow(ValueError):
    """A row that cannot become a post."""


@register_source("file")
class FileSource(Source):
    Options = FileOptions
    options: FileOptions

    @property
    def path(self) -> Path:
        path = Path(self.options.path).expanduser()
        return path if path.is_absolute() else Path(self.context.base_dir) / path

    def fetch(self, state: dict[str, Any]) -> Iterator[RawPost]:
        path = self.path
        if not path.is_file():
            raise SourceError(f"file source {self.name}: {path} does not exist")
        digest = _file_digest(path)
        if state.get("sha256") == digest:
            log.info("file %s: unchanged since the last run", path)
            return
        bad: list[str] = []
        rows = 0
        fetched_at = utcnow()
        for line_no, row in self._rows(path):
            try:
                yield self._to_post(row, fetched_at)
                rows += 1
            except BadRow as exc:
                bad.append(f"line {line_no}: {exc}")
                log.warning("file %s line %d skipped: %s", path, line_no, exc)
        state["sha256"] = digest
        state["rows"] = rows
        state["bad_rows"] = bad[:_MAX_BAD_ROWS_KEPT]
        state["bad_row_count"] = len(bad)

    def _rows(self, path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
        fmt = self.options.format
        if fmt == "auto":
            fmt = "csv" if path.suffix.lower() in {".csv", ".tsv"} else "jsonl"
        with path.open(encoding=self.options.encoding, newline="") as handle:
            if fmt == "csv":
                dialect = "excel-tab" if path.suffix.lower() == ".tsv" else "excel"
                for index, csv_row in enumerate(csv.DictReader(handle, dialect=dialect), 2):
                    yield index, dict(csv_row)
                return
            for index, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    log.warning("file %s line %d is not JSON: %s", path, index, exc)
                    yield index, {"__error__": f"not JSON ({exc.msg})"}
                    continue
                yield index, value if isinstance(value, dict) else {"__error__": "not an object"}

    def _to_post(self, row: dict[str, Any], fetched_at: datetime) -> RawPost:
        if "__error__" in row:
            raise BadRow(row["__error__"])
        mapping = {**_DEFAULT_MAPPING, **self.options.mapping}

        def col(field: str) -> Any:
            value = row.get(mapping[field])
            return None if value in ("", None) else value

        external_id, body, created = col("external_id"), col("body"), col("created_at")
        if external_id is None:
            raise BadRow(f"no id in column {mapping['external_id']!r}")
        if body is None:
            raise BadRow(f"no text in column {mapping['body']!r}")
        if created is None:
            raise BadRow(f"no date in column {mapping['created_at']!r}")
        engagement: dict[str, float] = {}
        for metric, column in self.options.engagement.items():
            try:
                engagement[metric] = float(row[column])
            except (KeyError, TypeError, ValueError):
                continue
        community = self.options.community or col("community")
        return RawPost(
            source=self.name,
            external_id=str(external_id),
            body=str(body),
            created_at=parse_timestamp(created),
            url=_opt_str(col("url")),
            author=_opt_str(col("author")),
            community=_opt_str(community),
            title=_opt_str(col("title")),
            engagement=engagement,
            parent_id=_opt_str(col("parent_id")),
            fetched_at=fetched_at,
            payload=dict(row),
        )


def parse_timestamp(value: Any) -> datetime:
    """ISO 8601 (naive means UTC) or Unix seconds, as an aware UTC datetime."""
    if isinstance(value, int | float) or (isinstance(value, str) and _is_number(value)):
        return datetime.fromtimestamp(float(value), tz=UTC)
    try:
        parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadRow(f"unreadable date {value!r} (expected ISO 8601 or Unix seconds)") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _file_digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()
