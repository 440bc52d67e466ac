"""`stimmung fetch --kind reddit` through the CLI, with real praw against the replay server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from pipeline.cli import app


@pytest.mark.shared
@pytest.mark.usefixtures("reddit_env")
def test_fetch_reddit_prints_json_lines(cassette_server: Any) -> None:
    server, _ = cassette_server("TestSubredditListings.test_new")
    result = CliRunner().invoke(app, [
        "fetch", "--kind", "reddit", "askreddit", "-o", f"base_url={server.url}",
        "-o", "limit=100", "-o", "comments=false", "--limit", "3",
    ])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert len(rows) == 3
    assert all(r["external_id"].startswith("t3_") and r["community"] == "r/AskReddit"
               for r in rows)
    assert all("score" in r["engagement"] for r in rows)
