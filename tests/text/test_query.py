"""Brand query language: parsing, matching, errors, BrandMatcher."""

from __future__ import annotations

import pytest

from pipeline.text.query import (
    BrandMatcher,
    QuerySyntaxError,
    brand_query,
    parse_query,
    query_from_aliases,
)


def m(query: str, text: str) -> bool:
    return parse_query(query).matches(text)


# --------------------------------------------------------------------------- precedence


def test_and_binds_tighter_than_or() -> None:
    q = parse_query("a OR b AND c")
    assert str(q) == "a OR (b AND c)"
    assert q.matches("a")
    assert not q.matches("b")
    assert q.matches("c b")


def test_implicit_and_between_adjacent_terms() -> None:
    assert str(parse_query("kaffee kraft")) == "kaffee AND kraft"
    assert m("kaffee kraft", "Kraft im Kaffee")
    assert not m("kaffee kraft", "nur Kaffee")


def test_not_binds_tighter_than_and() -> None:
    q = parse_query("NOT a b")
    assert str(q) == "NOT a AND b"
    assert q.matches("b")
    assert not q.matches("a b")


def test_parentheses_override_precedence() -> None:
    q = parse_query("(a OR b) AND c")
    assert str(q) == "(a OR b) AND c"
    assert q.matches("b c")
    assert not q.matches("a")
    q2 = parse_query("x NOT (y OR z)")
    assert q2.matches("x")
    assert not q2.matches("x z")


def test_minus_prefix_is_not() -> None:
    q = parse_query("kraft -kraftwerk")
    assert q == parse_query("kraft AND NOT kraftwerk")
    assert q.matches("Kraft!")
    assert not q.matches("Kraft im Kraftwerk")


def test_lowercase_operators_are_terms() -> None:
    q = parse_query("rock and roll")
    assert q.terms == ("rock", "and", "roll")
    assert not q.matches("rock roll")
    assert q.matches("rock and roll")


def test_canonical_form_round_trips() -> None:
    for src in [
        "a OR b c -d",
        '(a OR "b c") NEAR/3 =KK',
        "NOT (a OR b) c",
        "xy* AND (y OR (z AND w))",
        "NOT a NEAR/2 b c",
    ]:
        q = parse_query(src)
        again = parse_query(str(q))
        assert again == q
        assert str(again) == str(q)


# --------------------------------------------------------------------------- terms


def test_phrases() -> None:
    q = parse_query('"kaffee kraft"')
    assert q.matches("Die Kaffee-Kraft GmbH")
    assert q.matches("kaffee   KRAFT")
    assert not q.matches("Kraft Kaffee")
    assert not q.matches("kaffee und kraft")


def test_hyphenated_term_is_a_phrase() -> None:
    q = parse_query("coca-cola")
    assert q.matches("Coca Cola light")
    assert q.matches("COCA-COLA")
    assert not q.matches("cola coca")


def test_word_boundaries() -> None:
    assert m("Kraft", "Die Kraft, die wirkt")
    assert m("Kraft", "Kaffee-Kraft")
    assert not m("Kraft", "Kraftwerk")
    assert not m("Kraft", "Wasserkraft")


def test_hash_and_at_are_boundaries() -> None:
    assert m("kaffeekraft", "Heute #kaffeekraft getrunken")
    assert m("kaffeekraft", "danke @KaffeeKraft!")
    assert m("#kaffeekraft", "kaffeekraft")
    assert not m("kaffeekraft", "#kaffeekraftwerk")


def test_umlauts_and_sharp_s() -> None:
    assert m("Müller", "MÜLLER macht's")
    assert not m("Müller", "Mueller")
    assert m("straße", "STRASSE")  # casefold: ß == ss
    assert m("Straße", "Hauptstraße 1 und Straße 2")
    assert not m("Straße", "Hauptstraße")
    # NFD text (combining diaeresis) matches an NFC query
    assert m("müller", "Mu\u0308ller")


def test_case_sensitive_marker() -> None:
    q = parse_query("=KK")
    assert q.matches("Die KK hat angerufen")
    assert not q.matches("kk")
    assert not q.matches("Kk")
    qp = parse_query('="Apple Music"')
    assert qp.matches("Ich mag Apple Music")
    assert not qp.matches("apple music")
    assert str(qp) == '="Apple Music"'
    assert m("apple", "APPLE")  # default is case-insensitive


def test_wildcard() -> None:
    q = parse_query("kaffee*")
    assert q.matches("Kaffeemaschine kaputt")
    assert q.matches("kaffee")
    assert not q.matches("Eiskaffee")
    assert parse_query('"kaffee* kraft"').matches("kaffeeweiß kraft")
    assert not parse_query('"kaffee* kraft"').matches("kaffeeweiß macht kraft")


# --------------------------------------------------------------------------- NEAR


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kaffee kraft", True),
        ("kraft kaffee", True),
        ("kaffee ist voller kraft", True),  # 2 words between -> distance 3
        ("kraft gibt der kaffee", True),
        ("kaffee ist heute voller kraft", False),  # 3 words between -> distance 4
        ("kraft gibt mir der kaffee", False),
        ("kaffee", False),
    ],
)
def test_near_distance_both_orders(text: str, expected: bool) -> None:
    assert parse_query("kaffee NEAR/3 kraft").matches(text) is expected


def test_near_one_means_adjacent() -> None:
    q = parse_query("a NEAR/1 b")
    assert q.matches("b a")
    assert not q.matches("a x b")


def test_near_with_phrases_and_groups() -> None:
    q = parse_query('"kaffee kraft" NEAR/2 (lecker OR gut)')
    assert q.matches("gut ist Kaffee Kraft")  # one word between: distance 2
    assert q.matches("Kaffee Kraft ist gut")
    assert not q.matches("Kaffee Kraft ist wirklich sehr gut")


def test_near_needs_distinct_positions() -> None:
    q = parse_query("kaffee NEAR/2 kaffee*")
    assert not q.matches("kaffee")
    assert q.matches("kaffee kaffeebohne")


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("query", "position", "fragment"),
    [
        ("", 0, "empty query"),
        ("   ", 0, "empty query"),
        ("Kaffeekraft AND (a OR b", 23, "expected ')'"),
        ("(a OR b", 7, "expected ')'"),
        ("a OR b)", 6, "unexpected ')'"),
        ("Kaffeekraft AND", 15, "after AND"),
        ("a OR OR b", 5, "after OR"),
        ("AND a", 0, "expected a term"),
        ("NOT", 3, "after NOT"),
        ('kraft "kaffee', 6, "unterminated quote"),
        ("kaffee NEAR kraft", 7, "NEAR needs a distance"),
        ("kaffee NEAR/ kraft", 7, "NEAR needs a distance"),
        ("kaffee NEAR/0 kraft", 7, "NEAR needs a distance"),
        ("(a AND b) NEAR/2 c", 0, "NEAR operands"),
        ("a NEAR/2 b NEAR/2 c", 11, "chained"),
        ("ka*ffee", 2, "'*'"),
        ("k*", 0, "wildcard"),
        ('""', 0, "empty phrase"),
        ("()", 1, "empty parentheses"),
        ("a -", 2, "'-'"),
        ("NOT kraftwerk", 0, "not negated"),
    ],
)
def test_error_positions(query: str, position: int, fragment: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(query)
    err = info.value
    assert err.position == position
    assert fragment in err.message


def test_error_message_points_at_position() -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse_query("Kaffeekraft AND (a OR")
    lines = str(info.value).splitlines()
    assert lines[0].startswith("query error at position 21: ")
    assert lines[1] == '  "Kaffeekraft AND (a OR"'
    assert lines[2].index("^") == 3 + 21
    assert isinstance(info.value, ValueError)


# --------------------------------------------------------------------------- terms API


def test_terms_and_matched_terms() -> None:
    q = parse_query('(Kaffeekraft OR "kaffee kraft" OR =KK) -kraftwerk')
    assert q.terms == ("Kaffeekraft", '"kaffee kraft"', "=KK")
    assert q.matched_terms("Die KK und #kaffeekraft") == ("Kaffeekraft", "=KK")
    assert q.matched_terms("KK im Kraftwerk") == ()
    assert q.matched_terms("nichts") == ()


# --------------------------------------------------------------------------- brands


def test_query_from_aliases() -> None:
    q = query_from_aliases("Kaffee Kraft", ["KaffeeKraft", "=KK", "kaffee kraft", "!!"])
    assert str(q) == '"Kaffee Kraft" OR "KaffeeKraft" OR ="KK"'
    assert q.matches("ich liebe kaffee kraft")
    assert q.matches("KK rocks")
    assert not q.matches("kk rocks")


def test_brand_query_with_query_ors_aliases_but_not_name() -> None:
    q = brand_query("Apple", ["iPhone"], "=Apple AND (mac OR ipad)")
    assert q.matches("Apple mac")
    assert q.matches("my iphone broke")
    assert not q.matches("Apple pie")  # the name alone is not OR-ed in
    assert brand_query("Apple", ["iPhone"], None) == query_from_aliases("Apple", ["iPhone"])
    assert brand_query("Apple", [], "  ") == query_from_aliases("Apple")


def test_brand_matcher_matches_many_brands() -> None:
    matcher = BrandMatcher(
        {
            "kaffeekraft": brand_query("Kaffee Kraft", ["KaffeeKraft"], None),
            "apple": "=Apple AND (iphone OR mac*)",
            "bahn": "(bahn OR db) NEAR/3 (verspätung OR streik*) -modellbahn",
            "only_negative_anchor": "NOT xy* OR kaffee*",
        }
    )
    text = "Die Bahn hat wieder Verspätung, zum Glück gibt es #KaffeeKraft und mein Apple Macbook"
    got = matcher.match(text)
    assert list(got) == ["kaffeekraft", "apple", "bahn", "only_negative_anchor"]
    assert got["kaffeekraft"] == ('"KaffeeKraft"',)
    assert got["apple"] == ("=Apple", "mac*")
    assert got["bahn"] == ("bahn", "verspätung")
    assert matcher.match("apple macbook") == {"only_negative_anchor": ()}
    # results agree with evaluating each query on its own
    for t in [text, "Modellbahn Streik bahn", "db streikt heute", "x-ray"]:
        expected = {b: matcher.query(b).matched_terms(t) for b in matcher.brands}
        assert matcher.match(t) == {
            b: v for b, v in expected.items() if matcher.query(b).matches(t)
        }
