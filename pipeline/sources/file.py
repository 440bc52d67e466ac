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
(line number and reason kept in the source state as `bad_rows`); the others load.

Incremental: the source state keeps the byte offset after the last row handed on and
the SHA-256 of the bytes before it. The next run checks that prefix and reads only what
was appended after it; a file whose prefix changed (rewritten, truncated, replaced) is
read again from the start (keys make re-reads idempotent). A last line without a
newline that does not parse yet (a writer mid-line) is left for the next run.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Literal

from pydantic import Field

from pipeline.records import RawPost, utcnow
from pipeline.sources.base import (
    Source,
    SourceError,
    SourceOptions,
    as_number,
    json_safe,
    register_source,
)

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


class _Blank(Exception):
    """An empty line or the CSV header: no post, no error."""


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
        fmt = self.options.format
        if fmt == "auto":
            fmt = "csv" if path.suffix.lower() in {".csv", ".tsv"} else "jsonl"
        with path.open("rb") as handle:
            hasher, start = self._resume(path, handle, state)
            if start == 0:
                state.update({"offset": 0, "line": 0, "rows": 0, "bad_rows": [],
                              "bad_row_count": 0})
            else:  # also turns a pre-offset state (full-file digest) into an offset
                state["offset"], state["prefix_sha256"] = start, hasher.hexdigest()
                state.setdefault("line", int(state.get("rows") or 0)
                                 + int(state.get("bad_row_count") or 0))
            state.pop("sha256", None)  # the pre-offset format
            bad: list[str] = list(state.get("bad_rows") or [])
            fetched_at = utcnow()
            rows = int(state.get("rows") or 0)
            n_bad = int(state.get("bad_row_count") or 0)
            read = self._csv_rows if fmt == "csv" else self._jsonl_rows
            for line_no, row, end, raw in read(path, handle, int(state.get("line") or 0)):
                hasher.update(raw)
                state["offset"], state["line"] = end, line_no
                state["prefix_sha256"] = hasher.hexdigest()
                try:
                    post = self._to_post(row, fetched_at)
                except _Blank:
                    continue
                except BadRow as exc:
                    n_bad += 1
                    bad = [*bad, f"line {line_no}: {exc}"][-_MAX_BAD_ROWS_KEPT:]
                    state["bad_rows"], state["bad_row_count"] = bad, n_bad
                    log.warning("file %s line %d skipped: %s", path, line_no, exc)
                    continue
                rows += 1
                state["rows"] = rows
                yield post
        if state.get("offset", 0) == start:
            log.info("file %s: nothing new since the last run", path)

    def _resume(self, path: Path, handle: BinaryIO,
                state: dict[str, Any]) -> tuple[Any, int]:
        """(hasher over the verified prefix, offset to read from): the stored offset when
        the bytes before it are unchanged, else 0 (the file is read from the start)."""
        offset = int(state.get("offset") or 0)
        expected = state.get("prefix_sha256")
        if not offset and state.get("sha256"):  # state written before offsets existed
            offset, expected = path.stat().st_size, state["sha256"]
        hasher = hashlib.sha256()
        if offset <= 0 or not expected:
            return hasher, 0
        remaining = offset
        while remaining > 0:
            chunk = handle.read(min(remaining, 1 << 20))
            if not chunk:
                break
            hasher.update(chunk)
            remaining -= len(chunk)
        if remaining == 0 and hasher.hexdigest() == expected:
            return hasher, offset
        log.warning("file %s changed before the stored offset %d (rewritten or truncated): "
                    "reading it again from the start", path, offset)
        handle.seek(0)
        return hashlib.sha256(), 0

    def _jsonl_rows(self, path: Path, handle: BinaryIO, line_no: int
                    ) -> Iterator[tuple[int, dict[str, Any], int, bytes]]:
        """(line number, row, offset after the line, the line's bytes) per JSON line."""
        offset = handle.tell()
        for raw in iter(handle.readline, b""):
            line_no += 1
            end = offset + len(raw)
            text = raw.decode(self.options.encoding, errors="replace")
            if not text.strip():
                offset = end
                yield line_no, {"__skip__": True}, end, raw
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                if not raw.endswith(b"\n"):
                    return  # an unfinished last line: read it next time
                log.warning("file %s line %d is not JSON: %s", path, line_no, exc)
                value = {"__error__": f"not JSON ({exc.msg})"}
            except RecursionError:
                value = {"__error__": "JSON nested too deeply"}
            offset = end
            row = value if isinstance(value, dict) else {"__error__": "not an object"}
            yield line_no, row, end, raw

    def _csv_rows(self, path: Path, handle: BinaryIO, line_no: int
                  ) -> Iterator[tuple[int, dict[str, Any], int, bytes]]:
        """(line number, row, offset after the record, its bytes) per CSV record; a quoted
        field may span lines (a record ends where the quotes balance)."""
        dialect = "excel-tab" if path.suffix.lower() == ".tsv" else "excel"
        enc = self.options.encoding
        offset = handle.tell()
        handle.seek(0)
        header_raw = handle.readline()
        try:
            header = header_raw.decode(enc)
        except UnicodeDecodeError as exc:
            raise SourceError(f"file source {self.name}: the header of {path} is not {enc} "
                              f"(byte 0x{header_raw[exc.start]:02x} at offset {exc.start}); "
                              "set options.encoding") from None
        fields = next(csv.reader([header.lstrip("\ufeff")], dialect=dialect), [])
        if offset == 0:
            offset = len(header_raw)
            line_no = 1
            yield line_no, {"__skip__": True}, offset, header_raw
        else:
            handle.seek(offset)
        pending = b""
        for raw in iter(handle.readline, b""):
            pending += raw
            if pending.count(b'"') % 2 or not pending.endswith(b"\n"):
                if raw.endswith(b"\n"):
                    continue  # inside a quoted field
                return  # an unfinished last record: read it next time
            line_no += 1
            end = offset + len(pending)
            record, pending, offset = pending, b"", end
            values = next(csv.reader(io.StringIO(record.decode(enc, errors="replace"),
                                                 newline=""), dialect=dialect), [])
            if not values:
                yield line_no, {"__skip__": True}, end, record
                continue
            yield line_no, dict(zip(fields, values, strict=False)), end, record

    def _to_post(self, row: dict[str, Any], fetched_at: datetime) -> RawPost:
        if "__skip__" in row:
            raise _Blank
        if "__error__" in row:
            raise BadRow(row["__error__"])
        mapping = self._mapping
        get = row.get
        # the mapped columns in _FIELDS order, empty strings as missing
        (external_id, body, created, author, community, title, url, parent_id) = [
            None if value in ("", None) else value
            for value in [get(column) for column in self._columns]]
        if external_id is None:
            raise BadRow(f"no id in column {mapping['external_id']!r}")
        if body is None:
            raise BadRow(f"no text in column {mapping['body']!r}")
        if created is None:
            raise BadRow(f"no date in column {mapping['created_at']!r}")
        engagement: dict[str, float] = {}
        for metric, column in self.options.engagement.items():
            try:
                number = as_number(float(row[column]))
            except (KeyError, TypeError, ValueError, OverflowError):
                continue
            if number is not None:
                engagement[metric] = number
        community = self.options.community or community
        return RawPost(
            source=self.name,
            external_id=str(external_id),
            body=str(body),
            created_at=parse_timestamp(created),
            url=_opt_str(url),
            author=_opt_str(author),
            community=_opt_str(community),
            title=_opt_str(title),
            engagement=engagement,
            parent_id=_opt_str(parent_id),
            fetched_at=fetched_at,
            payload=_payload(row),
        )

    @functools.cached_property
    def _mapping(self) -> dict[str, str]:
        return {**_DEFAULT_MAPPING, **self.options.mapping}

    @functools.cached_property
    def _columns(self) -> list[str]:
        return [self._mapping[field] for field in _FIELDS]


_FIELDS = ("external_id", "body", "created_at", "author", "community", "title", "url",
           "parent_id")
_PLAIN = frozenset({str, int, bool, type(None)})
_STR = frozenset({str})


def _payload(row: dict[str, Any]) -> Any:
    """`json_safe(row)`; a flat row of strings, integers, booleans and nulls (every CSV
    row, most JSON lines) is already JSON-safe and only copied."""
    if _PLAIN.issuperset(map(type, row.values())) and _STR.issuperset(map(type, row)):
        return dict(row)
    return json_safe(dict(row))


def parse_timestamp(value: Any) -> datetime:
    """ISO 8601 (naive means UTC) or Unix seconds, as an aware UTC datetime."""
    # (a number never holds ":", an ISO time always does: no float() attempt for it)
    if isinstance(value, int | float) or (isinstance(value, str) and ":" not in value
                                          and _is_number(value)):
        try:
            return datetime.fromtimestamp(float(value), tz=UTC)
        except (OverflowError, OSError, ValueError):  # NaN, inf, year 300,000
            raise BadRow(f"unreadable date {str(value)[:40]!r} (Unix seconds out of "
                         "range)") from None
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
