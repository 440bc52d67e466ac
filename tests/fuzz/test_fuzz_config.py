"""Fuzzing the config loader: any file content and any YAML-shaped value either loads or
raises ConfigError (one message naming the file), never another exception."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import ConfigError, load_config, parse_config

EXAMPLES = settings.default.max_examples

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30),
                    st.floats(allow_nan=True), st.text(max_size=20),
                    st.sampled_from(["notaurl", "sqlite:///x.db", "postgresql://u@h:99999/d",
                                     "mysql://u@h/d", "feed", "file", "reddit", "html",
                                     "discourse", "nope", "(((a", "a NEAR/0 b", "Acme",
                                     "-1", "1e999", "http://x", "D", "H"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=25)
KEYS = st.sampled_from(["warehouse", "http", "brands", "sources", "sentiment", "alerts",
                        "notifications", "privacy", "report", "reputation", "analysis",
                        "url", "name", "kind", "options", "query", "aliases", "rules",
                        "timeout_s", "deadline_s", "max_body_mb", "batch_size", "enabled"])
SHAPED = st.recursive(
    SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                     st.dictionaries(KEYS, inner, max_size=5)),
    max_leaves=30).map(lambda v: v if isinstance(v, dict) else {"brands": v})
DIR = Path(tempfile.mkdtemp(prefix="stimmung-fuzz-config-"))


def _load(content: bytes) -> None:
    path = DIR / "stimmung.yaml"
    path.write_bytes(content)
    try:
        load_config(path)
    except ConfigError as exc:
        assert str(path) in str(exc)


@given(content=st.binary(max_size=300))
def test_any_bytes(tried: Callable[[], None], content: bytes) -> None:
    tried()
    _load(content)


@given(value=st.one_of(VALUES, SHAPED))
def test_any_yaml_value(tried: Callable[[], None], value: Any) -> None:
    tried()
    _load(yaml.safe_dump(value, allow_unicode=True).encode())


@given(value=SHAPED)
def test_any_mapping(tried: Callable[[], None], value: dict[str, Any]) -> None:
    tried()
    with contextlib.suppress(ConfigError):
        parse_config(value, base_dir=DIR)


@settings(max_examples=max(10, EXAMPLES // 10))  # each example parses up to 1,500 levels
@given(depth=st.integers(1, 1500), opener=st.sampled_from(["[", "{a: ", "- "]))
def test_deep_yaml(tried: Callable[[], None], depth: int, opener: str) -> None:
    tried()
    closer = {"[": "]", "{a: ": "}", "- ": ""}[opener]
    body = ("brands: " + opener * depth + "x" + closer * depth + "\n") if opener != "- " \
        else "brands:\n" + "".join("  " * i + "- \n" for i in range(1, depth)) + "x\n"
    _load(body.encode())
