"""Fuzzing the text cleaners: any text, HTML or not, gives text back, never an error."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given
from hypothesis import strategies as st

from pipeline.text.clean import (
    html_to_text,
    looks_like_html,
    normalise_for_hash,
    normalise_whitespace,
)

TAGS = st.sampled_from([
    "<p>", "</p>", "<br>", "<div>", "</div>", "<script>", "</script>", "<style>", "<b>",
    "<!--", "-->", "<![CDATA[", "]]>", "<?xml version='1.0' encoding='latin-1'?>", "&amp;",
    "&#0;", "&#x110000;", "&nbsp;", "&lt;", "<a href='x'>", "</a>", "<table><tr><td>",
    "<li>", "<img src=x onerror=alert(1)>", "\x00", "\x0b", "\ufeff", "\u200b", "<",
    ">", "<!DOCTYPE html>", "<html>", "<body>", "<h1>", "\r\n", "Käse", "日本語",
])
HTML = st.lists(st.one_of(TAGS, st.text(max_size=12)), max_size=80).map("".join)
DEEP = st.integers(0, 3000).map(lambda n: "<div>" * n + "x" + "</div>" * n)


def _check(text: str) -> None:
    out = html_to_text(text)
    assert isinstance(out, str) and "\x00" not in out
    assert isinstance(looks_like_html(text), bool)
    once = normalise_whitespace(text)
    assert normalise_whitespace(once) == once
    assert isinstance(normalise_for_hash(out), str)


@given(text=st.text(max_size=400))
def test_any_text(tried: Callable[[], None], text: str) -> None:
    tried()
    _check(text)


@given(text=HTML)
def test_html_soup(tried: Callable[[], None], text: str) -> None:
    tried()
    _check(text)


@given(text=DEEP)
def test_deeply_nested_html(tried: Callable[[], None], text: str) -> None:
    tried()
    assert "x" in html_to_text(text)
