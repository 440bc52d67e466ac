"""Keyphrases (aspects) per post, multilingual, without a parser.

Tokens come from one regular expression (words, numbers, punctuation) for every
language. Lemmas come from the lookup tables of `spacy-lookups-data` for the languages
in `LEMMA_LANGS` (German and English: a surface form -> lemma dictionary, the same
table spaCy's lookup lemmatizer reads), loaded once per process and only when a post in
that language arrives; other languages keep their lower-cased surface forms. Stop
words are spaCy's lists for every language spaCy knows, read from their source files
without importing spaCy (which would pull in its ML stack: ~1.5 s and ~250 MB).
Candidate phrases are runs of up to three content lemmas between stop words and
punctuation (a noun-chunk stand-in); each phrase is scored YAKE-like from its words:
frequency in the post, an early first position, capitalisation inside a sentence
(German nouns, product names) and, when the batch is large enough, inverse document
frequency within the batch. Scores are in (0, 1].
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import logging
import marshal
import math
import os
import re
import sys
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from pathlib import Path

from pipeline.text.cache import cache_dir

log = logging.getLogger(__name__)

KEYPHRASE_MODEL = ("stimmung-keyphrases", "1.1.0")
#: languages with lookup lemmas (each table costs ~0.1-0.3 s and 10-110 MB, once)
LEMMA_LANGS = ("de", "en")
SUPPORTED = LEMMA_LANGS
_MAX_PHRASE = 3
_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"(^|\s)(RT\s+)?@\w+:?")
_WORD = re.compile(r"[^\W\d_][\w\-']*", re.UNICODE)
_TOKEN = re.compile(r"[^\W\d_][\w\-']*[\w]|[^\W\d_]|\d[\d.,]*|[^\w\s]", re.UNICODE)
_SENT_END = frozenset({".", "!", "?", ":", ";", "…"})
_lock = threading.Lock()

# a few social-media fillers the spaCy stop lists lack
_EXTRA_STOPS = {
    "de": {"mal", "halt", "echt", "eigentlich", "einfach", "ja", "nein", "bzw", "usw", "gerade",
           "seit", "heute", "gestern", "morgen", "immer", "schon", "wieder", "jemand", "ihr",
           "euch", "leute", "hallo", "danke", "bitte", "bei", "ganz", "total", "ständig",
           "jeden", "jede", "jeder", "dauernd", "sein", "haben", "werden", "gehen", "machen",
           "kommen", "geben", "lassen", "wissen", "bekommen", "sagen", "obwohl", "trotzdem",
           "weil", "deshalb", "leider"},
    "en": {"just", "really", "also", "anyone", "guys", "hi", "hey", "thanks", "please", "lol",
           "since", "today", "yesterday", "tomorrow", "still", "again", "every", "get", "got",
           "keep", "keeps", "make", "go", "be", "have", "do", "know", "say", "even", "ever",
           "way", "thing", "things", "one"},
}


@dataclass(frozen=True, slots=True)
class Tok:
    """One token: its lemma (lower case), whether it is a content word, and its casing."""

    lemma: str
    content: bool
    capital: bool
    sent_start: bool
    boundary: bool  # punctuation or stop word: ends a candidate phrase


def _norm_lang(lang: str | None) -> str:
    return (lang or "").lower()[:2] or "xx"


def _package_dir(package: str) -> Path | None:
    """The folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


#: the parsed lemma tables' cache entries (bump when their layout changes)
_LEMMA_CACHE = "1"


@cache
def _lemma_table(lang: str) -> dict[str, str]:
    """Surface form -> lemma for `lang` (empty for languages outside `LEMMA_LANGS`).

    spaCy's lookup file is parsed once and kept in `marshal` form in the cache folder
    (`pipeline.text.cache`), which later processes read in about half the time of the
    gzipped JSON (German: 355k entries)."""
    if lang not in LEMMA_LANGS:
        return {}
    folder = _package_dir("spacy_lookups_data")
    file = folder / "data" / f"{lang}_lemma_lookup.json.gz" if folder else None
    if file is None or not file.is_file():
        log.warning("no lookup lemmas for %s (install spacy-lookups-data): surface forms", lang)
        return {}
    key = hashlib.sha256(file.read_bytes() + f"{_LEMMA_CACHE}|{sys.version}".encode())
    cached = cache_dir() / f"lemmas-{lang}-{key.hexdigest()[:20]}.marshal"
    with _lock:
        try:
            table = marshal.loads(cached.read_bytes())
            if isinstance(table, dict):
                return table
        except (OSError, EOFError, ValueError, TypeError):
            pass  # not cached yet, or damaged: parsed and written again
        with gzip.open(file, "rt", encoding="utf-8") as handle:
            table = json.load(handle)
        log.info("loaded %d lookup lemmas for %s", len(table), lang)
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(marshal.dumps(table))
            os.replace(tmp, cached)
        except OSError as exc:  # a read-only home: parse the file every time
            log.debug("lemma table not cached in %s: %s", cached, exc)
    return table


@cache
def _stops(lang: str) -> frozenset[str]:
    """spaCy's stop words for `lang` (its `lang/<code>/stop_words.py`) plus our fillers."""
    words: set[str] = set()
    folder = _package_dir("spacy")
    file = folder / "lang" / lang / "stop_words.py" if folder and lang.isalpha() else None
    if file is not None and file.is_file():
        spec = importlib.util.spec_from_file_location(f"_stimmung_stops_{lang}", file)
        if spec is not None and spec.loader is not None:
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)  # plain data: a set literal, no imports
            words = {w.lower() for w in getattr(module, "STOP_WORDS", set())}
    return frozenset(words | _EXTRA_STOPS.get(lang, set()))


def _clean(text: str) -> str:
    return _HANDLE.sub(" ", _URL.sub(" ", text)).replace("#", " ")


#: tokens remembered per language (a `Tok` depends on its text and on whether a sentence
#: ends before it); bounded over all languages (~35 MB): a full memo starts over
_TOKEN_MEMO_SIZE = 100_000
_token_memo: dict[str, dict[tuple[str, bool], Tok]] = {}


def _tok(text_: str, prev_end: bool, table: dict[str, str], stops: frozenset[str]) -> Tok:
    if _WORD.fullmatch(text_):
        low = text_.lower()
        lemma = table.get(text_) or table.get(low) or low
        lemma = lemma.lower()
        content = len(text_) > 2 and low not in stops and lemma not in stops
    else:
        lemma, content = text_, False
    return Tok(lemma, content, text_[:1].isupper(), prev_end, not content)


def _tokens(text: str, table: dict[str, str], stops: frozenset[str],
            memo: dict[tuple[str, bool], Tok] | None = None) -> list[Tok]:
    memo = {} if memo is None else memo
    toks: list[Tok] = []
    get, append = memo.get, toks.append
    prev_end = True
    for text_ in _TOKEN.findall(text):
        key = (text_, prev_end)
        tok = get(key)
        if tok is None:
            tok = memo[key] = _tok(text_, prev_end, table, stops)
        append(tok)
        prev_end = text_ in _SENT_END
    return toks


def tokenize(texts: Sequence[str], langs: Sequence[str | None]) -> list[list[Tok]]:
    """Tokens with lemmas for each text."""
    out: list[list[Tok]] = []
    for text, lang in zip(texts, langs, strict=True):
        code = _norm_lang(lang)
        memo = _token_memo.setdefault(code, {})
        if len(memo) > _TOKEN_MEMO_SIZE // max(len(_token_memo), 1):
            memo.clear()
        out.append(_tokens(_clean(text or ""), _lemma_table(code), _stops(code), memo))
    return out


def surface_tokens(text: str, lang: str | None) -> list[tuple[str, Tok]]:
    """Each token of `text` as written, beside its `Tok` (what `tokenize` returns)."""
    return list(zip(_TOKEN.findall(_clean(text or "")), tokenize([text], [lang])[0],
                    strict=True))


def lemmas(texts: Sequence[str], langs: Sequence[str | None]) -> list[str]:
    """Content lemmas of each text joined by spaces (the input of the problem vectors)."""
    return [" ".join(t.lemma for t in toks if t.content) for toks in tokenize(texts, langs)]


def _runs(toks: list[Tok]) -> list[list[str]]:
    """The lemmas of each run of content words (between boundaries)."""
    runs: list[list[str]] = []
    cur: list[str] = []
    for t in toks:
        if t.boundary:
            if cur:
                runs.append(cur)
                cur = []
        else:
            cur.append(t.lemma)
    if cur:
        runs.append(cur)
    return runs


def _phrase_scores(toks: list[Tok], weight: dict[str, float]) -> dict[str, float]:
    """Each candidate phrase (a run of content words split into <= 3-grams) without a
    repeated lemma, with the best score it gets: its words' mean weight, +25% per word
    beyond the first."""
    phrases: dict[str, float] = {}
    get = phrases.get
    for run in _runs(toks):
        ws = [weight[x] for x in run]
        for a, wa in zip(run, ws, strict=True):
            if wa > get(a, 0.0):
                phrases[a] = wa
            elif a not in phrases:
                phrases[a] = 0.0
        for s in range(len(run) - 1):
            a, b = run[s], run[s + 1]
            if a != b:
                key, score = f"{a} {b}", (ws[s] + ws[s + 1]) / 2 * 1.25
                if score > get(key, 0.0):
                    phrases[key] = score
                elif key not in phrases:
                    phrases[key] = 0.0
        for s in range(len(run) - 2):
            a, b, c = run[s], run[s + 1], run[s + 2]
            if a != b and b != c and a != c:
                key, score = f"{a} {b} {c}", (ws[s] + ws[s + 1] + ws[s + 2]) / 3 * 1.5
                if score > get(key, 0.0):
                    phrases[key] = score
                elif key not in phrases:
                    phrases[key] = 0.0
    return phrases


def extract_keyphrases(
    texts: Sequence[str], langs: Sequence[str | None], top_k: int = 5
) -> list[list[tuple[str, float]]]:
    """The `top_k` keyphrases (lemmatised, lower case) with scores in (0, 1] per text."""
    if len(texts) != len(langs):
        raise ValueError("texts and langs must have the same length")
    # a post's keyphrases depend on its text, language and the batch (idf): re-shared
    # posts of one batch are tokenized and scored once
    where: dict[tuple[str, str], int] = {}
    index = [where.setdefault((text or "", _norm_lang(lang)), len(where))
             for text, lang in zip(texts, langs, strict=True)]
    docs = tokenize([t for t, _ in where], [lg for _, lg in where])
    n_docs = len(texts)
    df: Counter[str] = Counter()
    use_idf = n_docs >= 20
    if use_idf:
        for toks, times in zip(docs, Counter(index).values(), strict=True):
            for lemma in {t.lemma for t in toks if t.content}:
                df[lemma] += times
    results = [_top_phrases(toks, top_k, n_docs, df if use_idf else None) for toks in docs]
    return [list(results[i]) for i in index]


def _top_phrases(toks: list[Tok], top_k: int, n_docs: int,
                 df: Counter[str] | None) -> list[tuple[str, float]]:
    """The `top_k` keyphrases of one tokenized post (`df`: document frequencies of the
    batch of `n_docs` posts, None without idf)."""
    tf: dict[str, int] = {}
    first: dict[str, int] = {}
    first_tok: dict[str, Tok] = {}
    for i, t in enumerate(toks):
        if t.content:
            if t.lemma in tf:
                tf[t.lemma] += 1
            else:
                tf[t.lemma], first[t.lemma], first_tok[t.lemma] = 1, i, t
    if not tf:
        return []
    n_tok = max(len(toks), 1)
    weight: dict[str, float] = {}
    for lemma, t in first_tok.items():
        w = 1.0 + math.log(tf[lemma])
        w *= 1.0 + 0.5 * (1.0 - first[lemma] / n_tok)  # earlier is better
        if t.capital and not t.sent_start:
            w *= 1.3  # German nouns, names
        w *= min(len(lemma), 12) / 8.0
        if df is not None:
            w *= math.log((1 + n_docs) / (1 + df[lemma])) + 1.0
        weight[lemma] = w
    phrases = _phrase_scores(toks, weight)
    # best score first, ties by phrase: a stable sort by score after one by phrase
    ranked = sorted(phrases.items())
    ranked.sort(key=itemgetter(1), reverse=True)
    chosen: list[tuple[str, float]] = []
    chosen_words: list[set[str]] = []
    for phrase, score in ranked:
        # skip a phrase whose words are all inside an already chosen phrase
        words_p = set(phrase.split())
        if any(words_p <= c or c <= words_p for c in chosen_words):
            continue
        chosen.append((phrase, score))
        chosen_words.append(words_p)
        if len(chosen) == top_k:
            break
    top = chosen[0][1] if chosen else 1.0
    return [(p, round(s / top, 4)) for p, s in chosen]
