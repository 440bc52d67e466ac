"""Boolean brand queries: parse once, match many texts.

Syntax (operators are UPPERCASE keywords; ``and``/``or``/``not``/``near`` in lowercase are
ordinary terms)::

    query    := or_expr
    or_expr  := and_expr ("OR" and_expr)*
    and_expr := not_expr (["AND"] not_expr)*          adjacent operands are AND-ed
    not_expr := ("NOT" | "-") not_expr | near_expr     "-" must touch its operand: -kraftwerk
    near_expr:= operand ["NEAR/" n operand]            n >= 1; no chaining
    operand  := term | phrase | "(" or_expr ")"
    term     := ["="] word                             word: anything up to space ( ) "
    phrase   := ["="] '"' words '"'

Precedence, tightest first: ``NEAR/n`` > ``NOT`` > ``AND`` (explicit or implicit) > ``OR``.
So ``a OR b c`` is ``a OR (b AND c)`` and ``NOT a b`` is ``(NOT a) AND b``.

Matching rules:

* Text and query are NFC-normalised and split into word tokens (runs of Unicode letters,
  digits and ``_``). Everything else is a word boundary: ``Kraft`` matches ``Kraft,``,
  ``#Kraft``, ``@Kraft`` and ``Kaffee-Kraft`` but not ``Kraftwerk``. A term that contains
  several words (``coca-cola``, ``o2.de``) is matched as the phrase of those words, so
  ``coca-cola`` also matches "Coca Cola". ``#`` and ``@`` in queries are boundaries, too:
  ``#kaffeekraft`` is the same as ``kaffeekraft``.
* Case-insensitive by default (Unicode casefold, so ``ß`` equals ``ss``; umlauts are exact:
  ``ü`` does not match ``ue``). A ``=`` prefix makes a term or phrase case-sensitive:
  ``=KK``, ``="Apple Music"``.
* ``kaffee*`` is a prefix (at least 2 characters before ``*``), also inside phrases;
  ``*`` is allowed only at the end of a word.
* ``a NEAR/n b``: a and b (terms, phrases, or parenthesised OR-groups of them) occur in
  either order with at most ``n - 1`` other words between them (``NEAR/1`` = adjacent).
* A query needs at least one term that is not negated (``NOT x`` alone is rejected:
  it would match almost every post).

`str(query)` is a canonical form (explicit ``AND``, minimal parentheses) that parses back to
an equal query. `BrandMatcher` matches one text against many queries: the text is tokenised
once, and only queries whose anchor words occur in the text are evaluated.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

logger = logging.getLogger(__name__)

__all__ = [
    "And",
    "BrandMatcher",
    "Near",
    "Not",
    "Or",
    "Phrase",
    "Query",
    "QuerySyntaxError",
    "TokenizedText",
    "Word",
    "brand_query",
    "parse_query",
    "query_from_aliases",
]

_WORD_RE = re.compile(r"\w+")
_QWORD_RE = re.compile(r"(\w+)(\*(?!\w))?")
MIN_PREFIX = 2
MAX_NEAR = 1000  # words; a larger distance is a typo, not a proximity
MAX_NESTING = 50  # parentheses; deeper is never a real query, and the tree stays shallow


def _nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


class QuerySyntaxError(ValueError):
    """A query that cannot be parsed; `position` is a 0-based character offset."""

    def __init__(self, message: str, position: int, query: str | None = None) -> None:
        super().__init__(message, position)
        self.message = message
        self.position = position
        self.query = query

    def __str__(self) -> str:
        head = f"query error at position {self.position}: {self.message}"
        if self.query is None:
            return head
        shown = self.query.replace("\n", " ").replace("\t", " ")
        return f'{head}\n  "{shown}"\n{" " * (3 + self.position)}^'


# --------------------------------------------------------------------------- text side


class TokenizedText:
    """A text split once into word tokens, with position lists for fast lookups."""

    __slots__ = ("_cache", "_orig_positions", "folded", "original", "positions")

    def __init__(self, text: str) -> None:
        self.original: list[str] = _WORD_RE.findall(_nfc(text))
        self.folded: list[str] = [t.casefold() for t in self.original]
        positions: dict[str, list[int]] = {}
        for i, tok in enumerate(self.folded):
            lst = positions.get(tok)
            if lst is None:
                positions[tok] = [i]
            else:
                lst.append(i)
        self.positions = positions
        self._orig_positions: dict[str, list[int]] | None = None
        self._cache: dict[object, list[tuple[int, int]]] = {}

    def original_positions(self) -> dict[str, list[int]]:
        if self._orig_positions is None:
            op: dict[str, list[int]] = {}
            for i, tok in enumerate(self.original):
                op.setdefault(tok, []).append(i)
            self._orig_positions = op
        return self._orig_positions

    def word_positions(self, word: Word, case_sensitive: bool) -> list[int]:
        index = self.original_positions() if case_sensitive else self.positions
        if not word.prefix:
            return index.get(word.text, [])
        found: list[int] = []
        for tok, pos in index.items():
            if tok.startswith(word.text):
                found.extend(pos)
        found.sort()
        return found

    def word_at(self, i: int, word: Word, case_sensitive: bool) -> bool:
        tok = self.original[i] if case_sensitive else self.folded[i]
        return tok.startswith(word.text) if word.prefix else tok == word.text


# --------------------------------------------------------------------------- AST


@dataclass(frozen=True, slots=True)
class Word:
    """One query word (casefolded unless its phrase is case-sensitive); `prefix` = ``word*``."""

    text: str
    prefix: bool = False


class Node:
    """Base of the query syntax tree."""

    __slots__ = ()

    def evaluate(self, doc: TokenizedText) -> bool:
        raise NotImplementedError

    def leaves(self, negated: bool = False) -> Iterator[tuple[Phrase, bool]]:
        raise NotImplementedError

    def anchors(self) -> frozenset[str] | None:
        """Folded words of which at least one must occur for a match (None: unknown)."""
        raise NotImplementedError

    def render(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Phrase(Node):
    """A term or quoted phrase: a sequence of words matched at consecutive positions."""

    words: tuple[Word, ...]
    case_sensitive: bool = False
    display: str = ""

    def spans(self, doc: TokenizedText) -> list[tuple[int, int]]:
        cached = doc._cache.get(self)
        if cached is not None:
            return cached
        first, rest = self.words[0], self.words[1:]
        cs = self.case_sensitive
        starts = doc.word_positions(first, cs)
        n = len(self.words)
        if rest:
            limit = len(doc.original) - n
            starts = [
                s
                for s in starts
                if s <= limit and all(doc.word_at(s + k, w, cs) for k, w in enumerate(rest, 1))
            ]
        spans = [(s, s + n) for s in starts]
        doc._cache[self] = spans
        return spans

    def evaluate(self, doc: TokenizedText) -> bool:
        return bool(self.spans(doc))

    def leaves(self, negated: bool = False) -> Iterator[tuple[Phrase, bool]]:
        yield self, negated

    def anchors(self) -> frozenset[str] | None:
        exact = [w.text for w in self.words if not w.prefix]
        if not exact:
            return None
        best = max(exact, key=len)
        return frozenset({best.casefold() if self.case_sensitive else best})

    def render(self) -> str:
        return self.display


@dataclass(frozen=True, slots=True)
class Not(Node):
    child: Node

    def evaluate(self, doc: TokenizedText) -> bool:
        return not self.child.evaluate(doc)

    def leaves(self, negated: bool = False) -> Iterator[tuple[Phrase, bool]]:
        yield from self.child.leaves(not negated)

    def anchors(self) -> frozenset[str] | None:
        return None

    def render(self) -> str:
        inner = self.child.render()
        return f"NOT ({inner})" if isinstance(self.child, And | Or) else f"NOT {inner}"


@dataclass(frozen=True, slots=True)
class And(Node):
    children: tuple[Node, ...]

    def evaluate(self, doc: TokenizedText) -> bool:
        return all(c.evaluate(doc) for c in self.children)

    def leaves(self, negated: bool = False) -> Iterator[tuple[Phrase, bool]]:
        for c in self.children:
            yield from c.leaves(negated)

    def anchors(self) -> frozenset[str] | None:
        options = [a for a in (c.anchors() for c in self.children) if a is not None]
        return min(options, key=len) if options else None

    def render(self) -> str:
        return " AND ".join(
            f"({c.render()})" if isinstance(c, Or) else c.render() for c in self.children
        )


@dataclass(frozen=True, slots=True)
class Or(Node):
    children: tuple[Node, ...]

    def evaluate(self, doc: TokenizedText) -> bool:
        return any(c.evaluate(doc) for c in self.children)

    def leaves(self, negated: bool = False) -> Iterator[tuple[Phrase, bool]]:
        for c in self.children:
            yield from c.leaves(negated)

    def anchors(self) -> frozenset[str] | None:
        out: set[str] = set()
        for c in self.children:
            a = c.anchors()
            if a is None:
                return None
            out |= a
        return frozenset(out)

    def render(self) -> str:
        return " OR ".join(
            f"({c.render()})" if isinstance(c, And) else c.render() for c in self.children
        )


@dataclass(frozen=True, slots=True)
class Near(Node):
    """Either side (alternatives OR-ed) within `distance` words of the other, either order."""

    left: tuple[Phrase, ...]
    right: tuple[Phrase, ...]
    distance: int

    def evaluate(self, doc: TokenizedText) -> bool:
        lspans = [s for p in self.left for s in p.spans(doc)]
        if not lspans:
            return False
        rspans = [s for p in self.right for s in p.spans(doc)]
        n = self.distance
        for ls, le in lspans:
            for rs, re_ in rspans:
                # gap 1 = adjacent; overlapping spans do not count
                if (le <= rs and rs - le + 1 <= n) or (re_ <= ls and ls - re_ + 1 <= n):
                    return True
        return False

    def leaves(self, negated: bool = False) -> Iterator[tuple[Phrase, bool]]:
        for p in (*self.left, *self.right):
            yield p, negated

    def anchors(self) -> frozenset[str] | None:
        for side in (self.left, self.right):
            a = Or(side).anchors()
            if a is not None:
                return a
        return None

    def render(self) -> str:
        def side(ps: tuple[Phrase, ...]) -> str:
            return (
                ps[0].render() if len(ps) == 1 else "(" + " OR ".join(p.render() for p in ps) + ")"
            )

        return f"{side(self.left)} NEAR/{self.distance} {side(self.right)}"


# --------------------------------------------------------------------------- Query


class Query:
    """A parsed query. Build with `parse_query`, `query_from_aliases` or `brand_query`."""

    __slots__ = ("_anchors", "_leaves", "root", "source")

    def __init__(self, root: Node, source: str | None = None) -> None:
        self.root = root
        self.source = source if source is not None else root.render()
        self._leaves = tuple(root.leaves())
        self._anchors = root.anchors()

    @property
    def terms(self) -> tuple[str, ...]:
        """All positive (not negated) terms and phrases, in query order, without repeats."""
        return tuple(dict.fromkeys(p.display for p, neg in self._leaves if not neg))

    @property
    def anchors(self) -> frozenset[str] | None:
        """Folded words of which at least one must occur in a matching text (None: any)."""
        return self._anchors

    def evaluate(self, doc: TokenizedText) -> bool:
        return self.root.evaluate(doc)

    def matches(self, text: str | TokenizedText) -> bool:
        doc = text if isinstance(text, TokenizedText) else TokenizedText(text)
        return self.root.evaluate(doc)

    def matched_terms(self, text: str | TokenizedText) -> tuple[str, ...]:
        """Positive terms that occur in `text`, if the query matches it; else ``()``."""
        doc = text if isinstance(text, TokenizedText) else TokenizedText(text)
        if not self.root.evaluate(doc):
            return ()
        return self._present_terms(doc)

    def _present_terms(self, doc: TokenizedText) -> tuple[str, ...]:
        return tuple(
            dict.fromkeys(p.display for p, neg in self._leaves if not neg and p.spans(doc))
        )

    def __str__(self) -> str:
        return self.root.render()

    def __repr__(self) -> str:
        return f"Query({self.root.render()!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Query) and self.root == other.root

    def __hash__(self) -> int:
        return hash(self.root)


# --------------------------------------------------------------------------- lexer


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # LP RP AND OR NOT NEAR TERM EOF
    pos: int
    text: str = ""
    node: Phrase | None = None
    n: int = 0


_BARE_STOP = frozenset(' \t\n\r\f\v()"')


def _make_phrase(content: str, case_sensitive: bool, quoted: bool, pos: int, src: str) -> Phrase:
    content = _nfc(content)
    words: list[Word] = []
    for m in _QWORD_RE.finditer(content):
        w = m.group(1)
        prefix = bool(m.group(2))
        if not case_sensitive:
            w = w.casefold()
        if prefix and len(w) < MIN_PREFIX:
            raise QuerySyntaxError(
                f"wildcard needs at least {MIN_PREFIX} characters before '*'", pos, src
            )
        words.append(Word(w, prefix))
    if content.count("*") != sum(w.prefix for w in words):
        star = content.find("*")
        raise QuerySyntaxError(
            "'*' is only allowed at the end of a word (prefix wildcard)",
            pos + (1 if quoted else 0) + (1 if case_sensitive else 0) + max(star, 0),
            src,
        )
    if not words:
        what = "empty phrase" if quoted else f"term {content!r} has no letters or digits"
        raise QuerySyntaxError(what, pos, src)
    shown = " ".join(content.split()) if quoted else content
    display = ("=" if case_sensitive else "") + (f'"{shown}"' if quoted else shown)
    return Phrase(tuple(words), case_sensitive, display)


def _lex(src: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c.isspace():
            i += 1
            continue
        if c == "(":
            toks.append(_Tok("LP", i, "("))
            i += 1
            continue
        if c == ")":
            toks.append(_Tok("RP", i, ")"))
            i += 1
            continue
        start = i
        if c == "-":
            if i + 1 >= n or src[i + 1].isspace() or src[i + 1] == ")":
                raise QuerySyntaxError(
                    "'-' must be directly followed by a term, e.g. -kraftwerk", i, src
                )
            toks.append(_Tok("NOT", i, "-"))
            i += 1
            continue
        cs = False
        if c == "=":
            if i + 1 >= n or src[i + 1] in _BARE_STOP:
                if i + 1 < n and src[i + 1] == '"':
                    cs = True
                    i += 1
                else:
                    raise QuerySyntaxError(
                        "'=' (case-sensitive) must be directly followed by a term or phrase",
                        i,
                        src,
                    )
            else:
                cs = True
                i += 1
        if src[i] == '"':
            end = src.find('"', i + 1)
            if end < 0:
                raise QuerySyntaxError("unterminated quote", i, src)
            phrase = _make_phrase(src[i + 1 : end], cs, True, start, src)
            toks.append(_Tok("TERM", start, src[start : end + 1], phrase))
            i = end + 1
            continue
        j = i
        while j < n and src[j] not in _BARE_STOP:
            j += 1
        word = src[i:j]
        if not cs and word in ("AND", "OR", "NOT"):
            toks.append(_Tok(word, start, word))
        elif not cs and (word == "NEAR" or word.startswith("NEAR/")):
            m = re.fullmatch(r"NEAR/(\d+)", word)
            if m is None or len(m.group(1)) > 6 or not 1 <= int(m.group(1)) <= MAX_NEAR:
                raise QuerySyntaxError(
                    f"NEAR needs a distance in words from 1 to {MAX_NEAR}, e.g. NEAR/5",
                    start, src,
                )
            toks.append(_Tok("NEAR", start, word, n=int(m.group(1))))
        else:
            toks.append(
                _Tok("TERM", start, src[start:j], _make_phrase(word, cs, False, start, src))
            )
        i = j
    toks.append(_Tok("EOF", n))
    return toks


# --------------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, src: str) -> None:
        self.src = src
        self.toks = _lex(src)
        self.i = 0
        self.depth = 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def error(self, message: str, pos: int) -> QuerySyntaxError:
        return QuerySyntaxError(message, pos, self.src)

    def parse(self) -> Node:
        if self.peek().kind == "EOF":
            raise self.error("empty query", 0)
        node = self.or_expr()
        tok = self.peek()
        if tok.kind == "RP":
            raise self.error("unexpected ')' without a matching '('", tok.pos)
        if tok.kind != "EOF":  # pragma: no cover - and_expr consumes everything else
            raise self.error(f"unexpected {tok.text!r}", tok.pos)
        return node

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while self.peek().kind == "OR":
            op = self.take()
            items.append(self.and_expr(after=op))
        return _flat(Or, items)

    def and_expr(self, after: _Tok | None = None) -> Node:
        items = [self.not_expr(after)]
        while True:
            kind = self.peek().kind
            if kind == "AND":
                op = self.take()
                items.append(self.not_expr(op))
            elif kind in ("TERM", "LP", "NOT"):
                items.append(self.not_expr())
            else:
                break
        return _flat(And, items)

    def not_expr(self, after: _Tok | None = None) -> Node:
        # a chain of NOTs is read in a loop (no recursion) and cancels in pairs
        negations = 0
        while self.peek().kind == "NOT":
            after = self.take()
            negations += 1
        node = self.near_expr(after)
        if negations % 2 == 0:
            return node
        return node.child if isinstance(node, Not) else Not(node)  # NOT (NOT x) is x

    def near_expr(self, after: _Tok | None) -> Node:
        left_pos = self.peek().pos
        left = self.operand(after)
        if self.peek().kind != "NEAR":
            return left
        op = self.take()
        right_pos = self.peek().pos
        right = self.operand(op)
        if self.peek().kind == "NEAR":
            raise self.error(
                "NEAR cannot be chained; combine pairs with AND: (a NEAR/3 b) AND (b NEAR/3 c)",
                self.peek().pos,
            )
        return Near(self._near_side(left, left_pos), self._near_side(right, right_pos), op.n)

    def _near_side(self, node: Node, pos: int) -> tuple[Phrase, ...]:
        if isinstance(node, Phrase):
            return (node,)
        if isinstance(node, Or) and all(isinstance(c, Phrase) for c in node.children):
            return tuple(c for c in node.children if isinstance(c, Phrase))
        raise self.error(
            "NEAR operands must be terms, phrases or a (... OR ...) group of them", pos
        )

    def operand(self, after: _Tok | None) -> Node:
        tok = self.peek()
        if tok.kind == "TERM":
            self.take()
            assert tok.node is not None
            return tok.node
        if tok.kind == "LP":
            self.take()
            if self.peek().kind == "RP":
                raise self.error("empty parentheses", self.peek().pos)
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise self.error(f"parentheses nested deeper than {MAX_NESTING}", tok.pos)
            node = self.or_expr()
            self.depth -= 1
            if self.peek().kind != "RP":
                nxt = self.peek()
                what = "end of query" if nxt.kind == "EOF" else repr(nxt.text)
                raise self.error(
                    f"expected ')' to close '(' at position {tok.pos}, found {what}", nxt.pos
                )
            self.take()
            return node
        where = f" after {after.text}" if after is not None else ""
        found = "end of query" if tok.kind == "EOF" else repr(tok.text)
        raise self.error(f"expected a term, a quoted phrase or '('{where}, found {found}", tok.pos)


def _flat(cls: type[And] | type[Or], items: list[Node]) -> Node:
    if len(items) == 1:
        return items[0]
    out: list[Node] = []
    for it in items:
        if isinstance(it, cls):
            out.extend(it.children)
        else:
            out.append(it)
    return cls(tuple(out))


def parse_query(text: str) -> Query:
    """Parse a boolean brand query; raises `QuerySyntaxError` with a position on errors."""
    node = _Parser(text).parse()
    if not any(not neg for _, neg in node.leaves()):
        raise QuerySyntaxError(
            "query needs at least one term that is not negated (NOT x alone matches almost "
            "every post)",
            0,
            text,
        )
    return Query(node, text)


# --------------------------------------------------------------------------- brands


def _alias_phrase(alias: str) -> Phrase | None:
    alias = alias.strip()
    cs = alias.startswith("=")
    content = alias[1:] if cs else alias
    content = content.replace('"', " ").strip()
    try:
        return _make_phrase(content, cs, True, 0, alias)
    except QuerySyntaxError:
        logger.warning("ignoring alias %r: it contains no letters or digits", alias)
        return None


def query_from_aliases(name: str, aliases: Iterable[str] = ()) -> Query:
    """``"name" OR "alias1" OR ...`` as case-insensitive phrases.

    An alias (or the name) starting with ``=`` is case-sensitive, e.g. ``=KK``. Aliases
    without letters or digits are skipped with a warning; repeats are dropped.
    """
    first = _alias_phrase(name)
    if first is None:
        raise QuerySyntaxError(f"brand name {name!r} has no letters or digits", 0, name)
    phrases: dict[tuple[tuple[Word, ...], bool], Phrase] = {
        (first.words, first.case_sensitive): first
    }
    for alias in aliases:
        p = _alias_phrase(alias)
        if p is not None:
            phrases.setdefault((p.words, p.case_sensitive), p)
    nodes: list[Node] = list(phrases.values())
    return Query(_flat(Or, nodes))


def brand_query(name: str, aliases: Iterable[str] = (), query: str | None = None) -> Query:
    """The query for a brand.

    Without `query` (or with a blank one): `query_from_aliases(name, aliases)`. With
    `query`: ``(query) OR "alias1" OR ...`` -- the name itself is *not* OR-ed in, so a
    query can restrict an ambiguous name (``=Apple AND (iphone OR mac)``); list the
    aliases that are unambiguous on their own.
    """
    if query is None or not query.strip():
        return query_from_aliases(name, aliases)
    parsed = parse_query(query)
    extra = [p for p in (_alias_phrase(a) for a in aliases) if p is not None]
    if not extra:
        return parsed
    return Query(_flat(Or, [parsed.root, *extra]))


class BrandMatcher:
    """Match texts against many brand queries; each text is tokenised once.

    Queries are indexed by their anchor words (a word of which at least one must occur
    for the query to match), so a text only evaluates the queries it could match.
    """

    def __init__(self, queries: Mapping[str, Query | str]) -> None:
        self._queries: dict[str, Query] = {
            brand: q if isinstance(q, Query) else parse_query(q) for brand, q in queries.items()
        }
        self._order = {brand: i for i, brand in enumerate(self._queries)}
        self._by_anchor: dict[str, list[str]] = {}
        self._always: list[str] = []
        for brand, q in self._queries.items():
            anchors = q.anchors
            if anchors is None:
                self._always.append(brand)
            else:
                for a in anchors:
                    self._by_anchor.setdefault(a, []).append(brand)

    @property
    def brands(self) -> tuple[str, ...]:
        return tuple(self._queries)

    def query(self, brand: str) -> Query:
        return self._queries[brand]

    def match(self, text: str) -> dict[str, tuple[str, ...]]:
        """Brands whose query matches `text` -> their matched terms (brand order kept)."""
        doc = TokenizedText(text)
        candidates = set(self._always)
        by_anchor = self._by_anchor
        for tok in doc.positions:
            hit = by_anchor.get(tok)
            if hit:
                candidates.update(hit)
        out: dict[str, tuple[str, ...]] = {}
        for brand in sorted(candidates, key=self._order.__getitem__):
            q = self._queries[brand]
            if q.evaluate(doc):
                out[brand] = q._present_terms(doc)
        return out

    def match_many(self, texts: Iterable[str]) -> Iterator[dict[str, tuple[str, ...]]]:
        for text in texts:
            yield self.match(text)

    def __len__(self) -> int:
        return len(self._queries)

    def __repr__(self) -> str:
        return f"BrandMatcher({len(self._queries)} brands)"
