"""Fuzzing the brand query parser: any text either parses or raises QuerySyntaxError
(with a position), and what parses can be rendered, re-parsed and evaluated."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given
from hypothesis import strategies as st

from pipeline.text.query import QuerySyntaxError, parse_query

ATOMS = st.sampled_from([
    "AND", "OR", "NOT", "(", ")", '"', "NEAR/3", "NEAR/", "NEAR/0", "NEAR/1000",
    "NEAR/" + "9" * 40, "-", "=", "*", "Acme", "kaffee*", '"a b"', '"Kaffee Kraft"', "=KK",
    "ß", "é", "\u0301", "Ⅻ", "#tag", "@user", "coca-cola", "and", "or", "\u200b", "\x00",
])
SOUP = st.lists(ATOMS, max_size=60).map(" ".join)
NESTED = st.tuples(st.integers(0, 400), st.sampled_from(["(", "NOT ", "-", "NOT ("])).map(
    lambda t: "a AND " + t[1] * t[0] + "b" + (")" * t[0] if "(" in t[1] else ""))
TEXTS = st.text(max_size=120)


def _check(query: str, text: str) -> None:
    try:
        parsed = parse_query(query)
    except QuerySyntaxError as exc:
        assert 0 <= exc.position <= len(query)
        return
    assert parse_query(str(parsed)) == parsed  # the canonical form means the same
    assert isinstance(parsed.matches(text), bool)
    assert all(isinstance(t, str) for t in parsed.matched_terms(text))


@given(query=st.text(max_size=300), text=TEXTS)
def test_any_text(tried: Callable[[], None], query: str, text: str) -> None:
    tried()
    _check(query, text)


@given(query=SOUP, text=st.lists(ATOMS, max_size=20).map(" ".join))
def test_token_soup(tried: Callable[[], None], query: str, text: str) -> None:
    tried()
    _check(query, text)


@given(query=NESTED)
def test_deep_nesting_is_an_error_or_parses(tried: Callable[[], None], query: str) -> None:
    tried()
    _check(query, "a b")
