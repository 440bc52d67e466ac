from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pipeline.sources.base import SourceContext, SourceError, build_source


def _source(tmp_path: Path, **options: Any):  # type: ignore[no-untyped-def]
    return build_source("export", "file", options, SourceContext(base_dir=str(tmp_path)))


def test_jsonl_with_mapping_engagement_and_bad_rows(tmp_path: Path) -> None:
    rows = [
        {"id": 1, "text": "<p>Kaffeekraft rocks</p>", "created": "2026-10-01T08:00:00+02:00",
         "author": "anna", "channel": "forum/a", "likes": 5, "replies": "2"},
        {"id": 2, "text": "no date here"},
        {"id": 3, "text": "Unix seconds", "created": 1767225600, "likes": "n/a"},
    ]
    lines = [json.dumps(r) for r in rows]
    lines.insert(1, "{not json")
    (tmp_path / "export.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    source = _source(tmp_path, path="export.jsonl",
                     mapping={"body": "text", "created_at": "created", "community": "channel"},
                     engagement={"score": "likes", "comments": "replies"})
    state: dict[str, Any] = {}
    posts = list(source.fetch(state))
    assert [p.external_id for p in posts] == ["1", "3"]
    first = posts[0]
    assert first.created_at == datetime(2026, 10, 1, 6, 0, tzinfo=UTC)
    assert first.community == "forum/a" and first.author == "anna"
    assert first.engagement == {"score": 5.0, "comments": 2.0}
    assert first.payload["likes"] == 5  # raw row kept as fetched
    assert posts[1].engagement == {}  # unreadable metric skipped, row kept
    assert state["bad_row_count"] == 2
    assert state["bad_rows"][0].startswith("line 2: not JSON")
    assert "no date" in state["bad_rows"][1]
    # unchanged file: nothing new
    assert list(source.fetch(state)) == []


def test_csv_default_columns(tmp_path: Path) -> None:
    (tmp_path / "posts.csv").write_text(
        "id,text,created_at,author\na1,Hallo Welt,2026-10-02 10:00:00,bob\n", encoding="utf-8")
    posts = list(_source(tmp_path, path="posts.csv").fetch({}))
    assert len(posts) == 1
    assert posts[0].body == "Hallo Welt"
    assert posts[0].created_at == datetime(2026, 10, 2, 10, 0, tzinfo=UTC)  # naive = UTC


def test_missing_file_is_a_clear_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        list(_source(tmp_path, path="nope.jsonl").fetch({}))


def test_options_are_validated(tmp_path: Path) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        _source(tmp_path, path="x", format="xml")
