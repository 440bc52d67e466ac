"""Pseudonymous author ids."""

from __future__ import annotations

import logging
import pickle

import pytest

from pipeline.text.pseudonym import Pseudonymiser, PseudonymKeyMissing

KEY = b"0123456789abcdef-test-key"


def test_deterministic_and_formatted() -> None:
    p = Pseudonymiser(KEY)
    a = p.pseudonymise("reddit", "kaffee_fan")
    assert a == Pseudonymiser(KEY).pseudonymise("reddit", "kaffee_fan")
    assert a is not None
    assert a.startswith("a_")
    assert len(a) == 22
    int(a[2:], 16)


def test_key_source_and_author_dependent() -> None:
    p = Pseudonymiser(KEY)
    a = p.pseudonymise("reddit", "kaffee_fan")
    assert Pseudonymiser(KEY + b"x").pseudonymise("reddit", "kaffee_fan") != a
    assert p.pseudonymise("forum", "kaffee_fan") != a
    assert p.pseudonymise("reddit", "kaffee_fan2") != a
    # the separator prevents ("ab", "c") == ("a", "bc")
    assert p.pseudonymise("ab", "c") != p.pseudonymise("a", "bc")


@pytest.mark.parametrize("author", [None, "", "  ", "[deleted]", "[removed]"])
def test_missing_authors(author: str | None) -> None:
    assert Pseudonymiser(KEY).pseudonymise("reddit", author) is None


def test_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STIMMUNG_PSEUDONYM_KEY", KEY.decode())
    assert Pseudonymiser.from_env().pseudonymise("s", "x") == Pseudonymiser(KEY).pseudonymise(
        "s", "x"
    )


def test_missing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STIMMUNG_PSEUDONYM_KEY", raising=False)
    with pytest.raises(PseudonymKeyMissing) as info:
        Pseudonymiser.from_env()
    assert "export STIMMUNG_PSEUDONYM_KEY=" in str(info.value)
    assert "secrets.token_hex" in str(info.value)


def test_short_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_KEY", "short")
    with pytest.raises(PseudonymKeyMissing, match="too short"):
        Pseudonymiser.from_env("MY_KEY")
    with pytest.raises(PseudonymKeyMissing):
        Pseudonymiser(b"x" * 15)


def test_key_not_exposed(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    p = Pseudonymiser(KEY)
    p.pseudonymise("reddit", "someone")
    for shown in (repr(p), str(p), f"{p}"):
        assert KEY.decode() not in shown
        assert "redacted" in shown
    assert KEY.decode() not in caplog.text
    assert not hasattr(p, "__dict__")
    with pytest.raises(TypeError):
        pickle.dumps(p)
