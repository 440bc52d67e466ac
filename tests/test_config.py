from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import ConfigError, load_config, parse_config

REPO = Path(__file__).resolve().parents[1]

MINIMAL = {"brands": [{"name": "Acme"}]}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "stimmung.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_is_valid() -> None:
    config = load_config(REPO / "examples" / "stimmung.yaml")
    assert [b.name for b in config.brands] == ["Kaffeekraft", "Brühwerk", "Velora"]
    assert {s.kind for s in config.sources} == {"feed", "file"}
    assert config.warehouse_url() == f"sqlite:///{(REPO / 'examples' / 'stimmung.db').resolve()}"


def test_missing_file_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="stimmung init"):
        load_config(tmp_path / "nope.yaml")


def test_error_names_file_field_path_and_expectation(tmp_path: Path) -> None:
    path = _write(tmp_path, """
brands:
  - name: Acme
sources:
  - name: blog
    kind: feed
    options: {}
  - name: export
    kind: file
    options: {path: x.jsonl, format: xml}
""")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message
    assert "sources[0] (blog)" in message and "options.url" in message
    assert "sources[1] (export)" in message and "options.format" in message
    assert "'jsonl', 'csv' or 'auto'" in message


def test_query_syntax_error_fails_at_load_with_position(tmp_path: Path) -> None:
    path = _write(tmp_path, 'brands:\n  - name: Acme\n    query: \'"Acme" AND (app OR\'\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "brands[0] (Acme).query" in str(info.value)
    assert "position" in str(info.value)


def test_unknown_competitor_and_duplicate_names_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="competitor 'Nobody'"):
        parse_config({"brands": [{"name": "A", "competitors": ["Nobody"]}]}, base_dir=tmp_path)
    with pytest.raises(ConfigError, match="used twice"):
        parse_config({"brands": [{"name": "A"}, {"name": "A"}]}, base_dir=tmp_path)


def test_unknown_keys_and_kinds_are_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="warehous"):
        parse_config({**MINIMAL, "warehous": {}}, base_dir=tmp_path)
    with pytest.raises(ConfigError, match="unknown source kind 'gopher'"):
        parse_config({**MINIMAL, "sources": [{"name": "g", "kind": "gopher"}]},
                     base_dir=tmp_path)


def test_env_overrides_warehouse_and_secrets_come_from_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = parse_config({**MINIMAL, "notifications": [{"name": "x", "url_env": "HOOK"}]},
                          base_dir=tmp_path)
    monkeypatch.setenv("STIMMUNG_WAREHOUSE_URL", "postgresql://u@h/db")
    assert config.warehouse_url() == "postgresql://u@h/db"
    assert config.notifications[0].resolve_url() is None
    monkeypatch.setenv("HOOK", "json://127.0.0.1:1/x")
    assert config.notifications[0].resolve_url() == "json://127.0.0.1:1/x"
    with pytest.raises(ConfigError, match="exactly one of"):
        parse_config({**MINIMAL, "notifications": [{"name": "x"}]}, base_dir=tmp_path)


def test_user_agent_names_product_and_contact(tmp_path: Path) -> None:
    config = parse_config({**MINIMAL, "http": {"contact": "ops@acme.test"}}, base_dir=tmp_path)
    agent = config.source_context().user_agent
    assert agent.startswith("stimmung/") and "ops@acme.test" in agent
