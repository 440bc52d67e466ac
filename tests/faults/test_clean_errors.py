"""Bad input at the CLI: one clear line on stderr, exit 1, no traceback, nothing lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

runner = CliRunner()

BRANDS = "brands: [{name: Acme}]\n"


def check(args: list[str], *expected: str) -> str:
    result = runner.invoke(app, args)
    output = result.output
    assert result.exit_code == 1, output
    assert "Traceback" not in output, output
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    lines = [line for line in output.splitlines() if line.strip()]
    assert lines[0].startswith("error:"), output
    for text in expected:
        assert text in output, output
    return output


def write(tmp_path: Path, content: str | bytes) -> str:
    path = tmp_path / "stimmung.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def test_config_not_utf8(tmp_path: Path) -> None:
    config = write(tmp_path, b"brands:\n  - name: Caf\xe9\n")
    out = check(["sources", "--config", config], "not UTF-8 text (byte 0xe9 at offset 21)")
    assert len(out.strip().splitlines()) == 1


def test_config_nested_deeply(tmp_path: Path) -> None:
    config = write(tmp_path, "brands: " + "[" * 5000 + "]" * 5000 + "\n")
    check(["sources", "--config", config], "nested too deeply")


def test_config_nested_within_yaml_limits_but_deeper_than_ours(tmp_path: Path) -> None:
    config = write(tmp_path, BRANDS + "sources: " + "[" * 30 + "]" * 30 + "\n")
    check(["sources", "--config", config], "nested deeper than 20 levels")


def test_config_alias_bomb(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 7)]
    config = write(tmp_path, BRANDS + "\n".join(lines) + "\n")
    check(["sources", "--config", config], "more than 200,000 values")


@pytest.mark.parametrize(("url", "message"), [
    ("notaurl", "is not a database URL"),
    ("postgresql://u@127.0.0.1:99999/db", "port 99999 is not between 1 and 65535"),
    ("postgresql://u@127.0.0.1:abc/db", "is not a database URL"),
    ("mysql://u@127.0.0.1/db", "mysql is not supported"),
])
def test_bad_warehouse_urls(tmp_path: Path, url: str, message: str) -> None:
    config = write(tmp_path, f'warehouse: {{url: "{url}"}}\n' + BRANDS)
    check(["sources", "--config", config], "warehouse.url", message)


def test_bad_warehouse_url_from_the_environment(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STIMMUNG_WAREHOUSE_URL", "mysql+pymysql://u:pw@127.0.0.1/db")
    config = write(tmp_path, BRANDS)
    out = check(["sources", "--config", config], "mysql is not supported")
    assert "pw" not in out


@pytest.mark.postgres
def test_unknown_postgres_role(tmp_path: Path, pg_server: str,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    host = pg_server.split("@", 1)[1]
    monkeypatch.setenv("STIMMUNG_WAREHOUSE_URL", f"postgresql://nobody_here:s3cret@{host}")
    config = write(tmp_path, BRANDS)
    out = check(["sources", "--config", config], "cannot connect to the warehouse",
                'role "nobody_here" does not exist')
    assert "s3cret" not in out and len(out.strip().splitlines()) == 1


@pytest.mark.parametrize(("query", "message"), [
    ("(" * 200 + "a" + ")" * 200, "parentheses nested deeper than 50"),
    ("a NEAR/" + "9" * 5000 + " b", "NEAR needs a distance in words from 1 to 1000"),
    ("a NEAR/0 b", "from 1 to 1000"),
])
def test_hostile_queries(query: str, message: str) -> None:
    check(["query", "check", query], message)


def test_not_chain_parses_without_recursion() -> None:
    result = runner.invoke(app, ["query", "check", "a AND " + "NOT " * 1001 + "b"])
    assert result.exit_code == 0 and "ok: a AND NOT b" in result.output


def test_brand_query_in_config_nested_deeply(tmp_path: Path) -> None:
    query = "(" * 300 + "Acme" + ")" * 300
    config = write(tmp_path, f"brands: [{{name: Acme, query: '{query}'}}]\n")
    check(["sources", "--config", config], "brands[0]", "nested deeper than 50")


def test_query_starting_with_a_dash_after_double_dash() -> None:
    result = runner.invoke(app, ["query", "check", "--", "-Hotel Velora"])
    assert result.exit_code == 0 and "ok: NOT Hotel AND Velora" in result.output


def test_an_unexpected_error_is_one_redacted_line(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever slips through the domain errors still ends as one line, exit 1."""
    import pipeline.stages.base

    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("https://bob:hunter2@example.org/feed?token=abc")

    monkeypatch.setattr(pipeline.stages.base, "open_warehouse", boom)
    config = write(tmp_path, BRANDS)
    out = check(["run", "--config", config], "RuntimeError", "run with -v for the traceback")
    assert "hunter2" not in out and "token=abc" not in out
