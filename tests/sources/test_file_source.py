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


def _jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


def _row(i: int) -> dict[str, Any]:
    return {"id": f"r{i}", "text": f"post number {i}", "created_at": "2026-10-01T08:00:00"}


def test_appended_rows_are_read_from_the_stored_offset(tmp_path: Path) -> None:
    file = tmp_path / "feed.jsonl"
    file.write_text(_jsonl([_row(i) for i in range(5)]), encoding="utf-8")
    source = _source(tmp_path, path="feed.jsonl")
    state: dict[str, Any] = {}
    assert len(list(source.fetch(state))) == 5
    assert state["offset"] == file.stat().st_size and state["line"] == 5
    with file.open("a", encoding="utf-8") as handle:
        handle.write(_jsonl([_row(5), _row(6)]))
    again = list(source.fetch(state))
    assert [p.external_id for p in again] == ["r5", "r6"]  # only the new rows
    assert state["line"] == 7 and state["rows"] == 7
    assert list(source.fetch(state)) == []


def test_the_offset_only_covers_rows_handed_on(tmp_path: Path) -> None:
    """A consumer that stops after two posts (a failed load) resumes at the third."""
    (tmp_path / "feed.jsonl").write_text(_jsonl([_row(i) for i in range(4)]), encoding="utf-8")
    source = _source(tmp_path, path="feed.jsonl")
    state: dict[str, Any] = {}
    stream = source.fetch(state)
    taken = [next(stream).external_id, next(stream).external_id]
    saved = dict(state)  # what collect stores with the batch it loaded
    stream.close()
    rest = [p.external_id for p in source.fetch(saved)]
    assert taken == ["r0", "r1"] and rest == ["r2", "r3"]


def test_rewritten_or_truncated_file_is_read_again_from_the_start(tmp_path: Path) -> None:
    file = tmp_path / "feed.jsonl"
    file.write_text(_jsonl([_row(i) for i in range(3)]), encoding="utf-8")
    source = _source(tmp_path, path="feed.jsonl")
    state: dict[str, Any] = {}
    list(source.fetch(state))
    rewritten = [_row(9), *(_row(i) for i in range(1, 3)), _row(3)]  # first line changed
    file.write_text(_jsonl(rewritten), encoding="utf-8")
    assert [p.external_id for p in source.fetch(state)] == ["r9", "r1", "r2", "r3"]
    file.write_text(_jsonl([_row(0)]), encoding="utf-8")  # truncated below the offset
    assert [p.external_id for p in source.fetch(state)] == ["r0"]
    assert state["line"] == 1


def test_an_unfinished_last_line_waits_for_the_next_run(tmp_path: Path) -> None:
    file = tmp_path / "feed.jsonl"
    file.write_text(_jsonl([_row(0)]) + '{"id": "r1", "text": "half', encoding="utf-8")
    source = _source(tmp_path, path="feed.jsonl")
    state: dict[str, Any] = {}
    assert [p.external_id for p in source.fetch(state)] == ["r0"]
    assert state["bad_row_count"] == 0
    with file.open("a", encoding="utf-8") as handle:
        handle.write(' written", "created_at": "2026-10-01T09:00:00"}\n')
    [post] = list(source.fetch(state))
    assert post.external_id == "r1" and post.body == "half written"


def test_csv_append_with_a_quoted_multiline_field(tmp_path: Path) -> None:
    file = tmp_path / "posts.csv"
    file.write_text('id,text,created_at\na1,"line one\nline two",2026-10-02 10:00:00\n',
                    encoding="utf-8")
    source = _source(tmp_path, path="posts.csv")
    state: dict[str, Any] = {}
    [first] = list(source.fetch(state))
    assert first.body == "line one\nline two"
    with file.open("a", encoding="utf-8") as handle:
        handle.write('a2,"say ""hi""",2026-10-02 11:00:00\n')
    [second] = list(source.fetch(state))
    assert second.external_id == "a2" and second.body == 'say "hi"' and state["line"] == 3


def test_state_from_before_offsets_is_honoured(tmp_path: Path) -> None:
    import hashlib

    file = tmp_path / "feed.jsonl"
    file.write_text(_jsonl([_row(0)]), encoding="utf-8")
    state: dict[str, Any] = {"sha256": hashlib.sha256(file.read_bytes()).hexdigest()}
    source = _source(tmp_path, path="feed.jsonl")
    assert list(source.fetch(state)) == []  # unchanged since the old full-file digest
    with file.open("a", encoding="utf-8") as handle:
        handle.write(_jsonl([_row(1)]))
    assert [p.external_id for p in source.fetch(state)] == ["r1"]


def test_a_file_source_loads_no_other_source_module() -> None:
    """A run with a file source does not import the HTTP, feed and HTML parsers; an
    unknown kind still finds every kind (and names them)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from pipeline.sources.base import SourceError, source_class\n"
        "assert source_class('file').kind == 'file'\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('pipeline.sources.'))\n"
        "assert loaded == ['pipeline.sources.base', 'pipeline.sources.file'], loaded\n"
        "assert not {'httpx', 'requests', 'bs4', 'feedparser'} & set(sys.modules)\n"
        "try:\n"
        "    source_class('gopher')\n"
        "except SourceError as exc:\n"
        "    assert 'feed' in str(exc) and 'reddit' in str(exc), exc\n"
        "else:\n"
        "    raise AssertionError('gopher is no kind')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
