"""HTML to text and hash normalisation."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.text.clean import html_to_text, looks_like_html, normalise_for_hash


def test_broken_html_unclosed_tags() -> None:
    html = "<div><p>Erster Absatz <b>fett<p>Zweiter <i>Absatz<li>Punkt"
    text = html_to_text(html)
    assert "Erster Absatz fett" in text
    assert "Zweiter Absatz" in text
    assert text.splitlines()[-1] == "Punkt"
    assert "<" not in text


def test_scripts_styles_noscript_dropped_and_tails_kept() -> None:
    html = (
        "<p>vorher<script>var x = '<b>nope</b>';</script> nachher</p>"
        "<style>p { color: red }</style><noscript>JS aus</noscript><!-- Kommentar -->Ende"
    )
    assert html_to_text(html) == "vorher nachher\n\nEnde"


def test_entities_unescaped() -> None:
    assert html_to_text("<p>Caf&eacute; &amp; Kaffee &#8364;5 &lt;3 &uuml;ber</p>") == (
        "Café & Kaffee €5 <3 über"
    )
    assert html_to_text("Tom &amp; Jerry") == "Tom & Jerry"  # plain text with entities


def test_block_structure_as_newlines() -> None:
    html = "<h1>Titel</h1><p>eins\n  zwei</p><p>drei<br>vier</p><ul><li>a</li><li>b</li></ul>"
    assert html_to_text(html) == "Titel\n\neins zwei\n\ndrei\nvier\n\na\nb"


def test_links_keep_text_not_url() -> None:
    text = html_to_text('<p>Siehe <a href="https://example.com/x">hier</a>.<img src="y.png"></p>')
    assert text == "Siehe hier."


def test_table_cells_and_pre() -> None:
    text = html_to_text("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>")
    assert text == "a b\nc"
    assert html_to_text("<pre>zeile 1\nzeile 2</pre>") == "zeile 1\nzeile 2"


def test_plain_text_passthrough_only_whitespace() -> None:
    assert html_to_text("Ich <3 Kaffee, a < b und c > d") == "Ich <3 Kaffee, a < b und c > d"
    assert html_to_text("  a \t b  \r\n\r\n\r\n\n c ") == "a b\n\nc"
    assert not looks_like_html("x<y")
    assert looks_like_html("text <br/> more")


def test_entity_escaped_html_is_parsed() -> None:
    escaped = (
        "&lt;div class=&quot;md&quot;&gt;&lt;p&gt;Hallo &amp;amp; tsch&#252;ss&lt;/p&gt;"
        "&lt;/div&gt;"
    )
    assert html_to_text(escaped) == "Hallo & tschüss"
    assert html_to_text("Ich schrieb &lt;b&gt; ins Forum") == "Ich schrieb <b> ins Forum"


def test_odd_inputs() -> None:
    assert html_to_text("") == ""
    assert html_to_text("<p></p>") == ""
    assert html_to_text('<?xml version="1.0" encoding="utf-8"?><p>hi</p>') == "hi"
    assert html_to_text("<p>a\x00b\u200bc</p>") == "abc"


def test_normalise_for_hash() -> None:
    a = normalise_for_hash("Schaut mal: https://t.co/abc?x=1 @KaffeeKraft ist TOLL!!! 😀")
    b = normalise_for_hash("schaut   mal www.example.org @Someone ist toll.")
    assert a == b == "schaut mal @user ist toll"
    assert normalise_for_hash("u/spez sagt: Straße") == "@user sagt strasse"
    assert normalise_for_hash("ﬁne_tuning") == "fine tuning"


SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CASSETTES = SHARED / "fixtures" / "reddit_cassettes"


def _reddit_pairs() -> list[tuple[str, str]]:
    """(markdown body, body_html) pairs from the recorded Reddit API responses."""
    pairs: list[tuple[str, str]] = []

    def walk(obj: object) -> None:
        if isinstance(obj, dict):
            for md, html in (("body", "body_html"), ("selftext", "selftext_html")):
                if isinstance(obj.get(md), str) and isinstance(obj.get(html), str):
                    pairs.append((obj[md], obj[html]))
            for v in obj.values():
                walk(v)
        elif isinstance(obj, list):
            for v in obj:
                walk(v)

    for path in sorted(CASSETTES.glob("*.json")):
        for interaction in json.loads(path.read_text(encoding="utf-8"))["interactions"]:
            body = interaction["response"]["body"].get("string", "")
            if body.startswith(("{", "[")):
                walk(json.loads(body))
    return pairs


@pytest.mark.shared
@pytest.mark.skipif(not CASSETTES.is_dir(), reason="../shared/fixtures is not available")
def test_real_reddit_html_keeps_the_words_of_the_markdown() -> None:
    pairs = _reddit_pairs()
    assert len(pairs) > 100
    scores = []
    for md, html in pairs:
        text = html_to_text(html)
        assert "SC_OFF" not in text
        assert '<div class="md">' not in text
        md_words = set(normalise_for_hash(re.sub(r"\]\([^)]*\)", "] ", md)).split())
        text_words = set(normalise_for_hash(text).split())
        if md_words or text_words:
            scores.append(len(md_words & text_words) / len(md_words | text_words))
    assert sum(scores) / len(scores) > 0.98
    assert min(scores) > 0.7
