from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from pipeline.cli import app

runner = CliRunner()


def _commands() -> list[list[str]]:
    group = typer.main.get_command(app)
    paths: list[list[str]] = []

    def walk(cmd: object, prefix: list[str]) -> None:
        paths.append(prefix)
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, [*prefix, name])

    walk(group, [])
    return paths


@pytest.mark.parametrize("path", _commands(), ids=lambda p: " ".join(p) or "stimmung")
def test_every_command_has_help_with_an_example(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    if path:
        assert "Example: stimmung" in result.output


def test_query_check_ok_and_error() -> None:
    ok = runner.invoke(app, ["query", "check", '"Kaffee Kraft" AND (app OR maschine)',
                             "--text", "Die Kaffee Kraft App stürzt ab", "--text", "Kaffee"])
    assert ok.exit_code == 0, ok.output
    assert "match: Die Kaffee Kraft App" in ok.output and "no match: Kaffee" in ok.output
    bad = runner.invoke(app, ["query", "check", "Kaffeekraft AND (app OR"])
    assert bad.exit_code == 1
    assert "position" in bad.output and "Traceback" not in bad.output



def test_fetch_failure_is_one_line_exit_1(closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}/x"
    result = runner.invoke(app, ["fetch", "--kind", "feed", url])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output


def test_fetch_unknown_kind_and_bad_option() -> None:
    unknown = runner.invoke(app, ["fetch", "--kind", "gopher", "x"])
    assert unknown.exit_code == 1 and "unknown source kind 'gopher'" in unknown.output
    bad = runner.invoke(app, ["fetch", "--kind", "feed", "http://x", "-o", "nonsense"])
    assert bad.exit_code == 1 and "expected key=value" in bad.output


def test_fetch_prints_json_lines(tmp_path: Path) -> None:
    from pipeline.demo.server import serve_directory

    (tmp_path / "f.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>http://t/</link>'
        "<description>d</description><item><title>Hallo</title><guid isPermaLink=\"false\">1</guid>"
        "<link>http://t/1</link><pubDate>Tue, 06 Oct 2026 10:00:00 GMT</pubDate>"
        "<description>&lt;p&gt;Text&lt;/p&gt;</description></item></channel></rss>",
        encoding="utf-8")
    with serve_directory(tmp_path) as base:
        result = runner.invoke(app, ["fetch", "--kind", "feed", f"{base}/f.xml"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert rows == [{**rows[0], "external_id": "1", "title": "Hallo",
                     "created_at": "2026-10-06T10:00:00+00:00"}]


def test_init_then_sources_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["init", "stimmung.yaml"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "stimmung.yaml").is_file() and (tmp_path / "stimmung.db").is_file()
    again = runner.invoke(app, ["init", "stimmung.yaml"])
    assert "keeping it" in again.output
    listing = runner.invoke(app, ["sources", "--config", "stimmung.yaml"])
    assert listing.exit_code == 0
    # the example's sources ship disabled (placeholders), and the table says so
    assert "kaffeeliebe-forum" in listing.output and "disabled (config)" in listing.output
    enable = runner.invoke(app, ["sources", "enable", "nope", "--config", "stimmung.yaml"])
    assert enable.exit_code == 1 and "no source named 'nope'" in enable.output


def test_bad_config_is_a_clean_error(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("brands: []\n", encoding="utf-8")
    result = runner.invoke(app, ["run", "--config", str(cfg)])
    assert result.exit_code == 1
    assert str(cfg) in result.output and "brands" in result.output
    assert "Traceback" not in result.output
