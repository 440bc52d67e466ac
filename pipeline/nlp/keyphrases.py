"""Keyphrases (aspects) per post, multilingual, without a parser.

Tokenisation and lemmas come from spaCy blank pipelines with the lookup lemmatizer
(`spacy-lookups-data`), loaded lazily once per language. Candidate phrases are runs of
up to three content lemmas between stop words and punctuation (a noun-chunk stand-in);
each phrase is scored YAKE-like from its words: frequency in the post, an early first
position, capitalisation inside a sentence (German nouns, product names) and, when the
batch is large enough, inverse document frequency within the batch. Scores are in (0, 1].

Without spaCy the module falls back to a regex tokeniser (no lemmas) so it never breaks
the pipeline.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

log = logging.getLogger(__name__)

KEYPHRASE_MODEL = ("stimmung-keyphrases", "1.0.0")
SUPPORTED = ("de", "en")
_MAX_PHRASE = 3
_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"(^|\s)(RT\s+)?@\w+:?")
_WORD = re.compile(r"[^\W\d_][\w\-']*", re.UNICODE)
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
    code = (lang or "").lower()[:2]
    return code if code in SUPPORTED else (code or "en")


@lru_cache(maxsize=16)
def _nlp(lang: str) -> Any:
    """A blank spaCy pipeline with lookup lemmas for `lang`, or None without spaCy."""
    try:
        import spacy
    except ImportError:  # pragma: no cover - spaCy is a core dependency
        log.warning("spaCy is not installed: keyphrases without lemmas")
        return None
    with _lock:
        try:
            nlp = spacy.blank(lang)
        except Exception:  # unknown language code
            nlp = spacy.blank("xx")
        try:
            nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
            nlp.initialize()
        except Exception as e:  # no lookup tables for this language
            log.info("no lookup lemmas for %s (%s): surface forms", lang, type(e).__name__)
            nlp = spacy.blank(lang if lang in SUPPORTED else "xx")
        return nlp


def _stops(lang: str) -> frozenset[str]:
    nlp = _nlp(lang)
    base: set[str] = set(nlp.Defaults.stop_words) if nlp is not None else set()
    return frozenset(base | _EXTRA_STOPS.get(lang, set()))


_stops_cached = lru_cache(maxsize=16)(_stops)


def _clean(text: str) -> str:
    return _HANDLE.sub(" ", _URL.sub(" ", text)).replace("#", " ")


def tokenize(texts: Sequence[str], langs: Sequence[str | None]) -> list[list[Tok]]:
    """Tokens with lemmas for each text (grouped by language, one spaCy pipe per language)."""
    out: list[list[Tok]] = [[] for _ in texts]
    groups: dict[str, list[int]] = {}
    for i, lang in enumerate(langs):
        groups.setdefault(_norm_lang(lang), []).append(i)
    for lang, idx in groups.items():
        nlp = _nlp(lang)
        stops = _stops_cached(lang)
        cleaned = [_clean(texts[i] or "") for i in idx]
        if nlp is None:  # pragma: no cover - fallback without spaCy
            for i, text in zip(idx, cleaned, strict=True):
                out[i] = [Tok(w.lower(), w.lower() not in stops and len(w) > 2, w[0].isupper(),
                              False, w.lower() in stops) for w in _WORD.findall(text)]
            continue
        for i, doc in zip(idx, nlp.pipe(cleaned, batch_size=256), strict=True):
            toks: list[Tok] = []
            prev_end = True
            for t in doc:
                text = t.text
                if not text.strip():
                    continue
                is_word = bool(_WORD.fullmatch(text))
                lemma = (t.lemma_ or text).lower() if is_word else text
                low = text.lower()
                content = is_word and len(text) > 2 and low not in stops and lemma not in stops
                toks.append(Tok(lemma, content, text[:1].isupper(), prev_end,
                                not content))
                prev_end = text in {".", "!", "?", ":", ";", "…"}
            out[i] = toks
    return out


def lemmas(texts: Sequence[str], langs: Sequence[str | None]) -> list[str]:
    """Content lemmas of each text joined by spaces (the input of the problem vectors)."""
    return [" ".join(t.lemma for t in toks if t.content) for toks in tokenize(texts, langs)]


def _candidates(toks: list[Tok]) -> list[tuple[int, tuple[int, ...]]]:
    """(position, token indexes) of each run of content words, split into <= 3-grams."""
    runs: list[list[int]] = []
    cur: list[int] = []
    for i, t in enumerate(toks):
        if t.boundary:
            if cur:
                runs.append(cur)
            cur = []
        else:
            cur.append(i)
    if cur:
        runs.append(cur)
    cands: list[tuple[int, tuple[int, ...]]] = []
    for run in runs:
        for n in range(1, _MAX_PHRASE + 1):
            for s in range(0, len(run) - n + 1):
                cands.append((run[s], tuple(run[s:s + n])))
    return cands


def extract_keyphrases(
    texts: Sequence[str], langs: Sequence[str | None], top_k: int = 5
) -> list[list[tuple[str, float]]]:
    """The `top_k` keyphrases (lemmatised, lower case) with scores in (0, 1] per text."""
    if len(texts) != len(langs):
        raise ValueError("texts and langs must have the same length")
    docs = tokenize(texts, langs)
    n_docs = len(docs)
    df: Counter[str] = Counter()
    use_idf = n_docs >= 20
    if use_idf:
        for toks in docs:
            df.update({t.lemma for t in toks if t.content})
    results: list[list[tuple[str, float]]] = []
    for toks in docs:
        words = [t for t in toks if t.content]
        if not words:
            results.append([])
            continue
        tf = Counter(t.lemma for t in words)
        n_tok = max(len(toks), 1)
        first: dict[str, int] = {}
        for i, t in enumerate(toks):
            if t.content:
                first.setdefault(t.lemma, i)
        weight: dict[str, float] = {}
        for t in words:
            if t.lemma in weight:
                continue
            w = 1.0 + math.log(tf[t.lemma])
            w *= 1.0 + 0.5 * (1.0 - first[t.lemma] / n_tok)  # earlier is better
            if t.capital and not t.sent_start:
                w *= 1.3  # German nouns, names
            w *= min(len(t.lemma), 12) / 8.0
            if use_idf:
                w *= math.log((1 + n_docs) / (1 + df[t.lemma])) + 1.0
            weight[t.lemma] = w
        phrases: dict[str, float] = {}
        for _pos, ids in _candidates(toks):
            lem = [toks[i].lemma for i in ids]
            if len(set(lem)) < len(lem):
                continue
            score = sum(weight[x] for x in lem) / len(lem) * (1.0 + 0.25 * (len(lem) - 1))
            key = " ".join(lem)
            phrases[key] = max(phrases.get(key, 0.0), score)
        ranked = sorted(phrases.items(), key=lambda kv: (-kv[1], kv[0]))
        chosen: list[tuple[str, float]] = []
        for phrase, score in ranked:
            # skip a phrase whose words are all inside an already chosen phrase
            words_p = set(phrase.split())
            if any(words_p <= set(c.split()) or set(c.split()) <= words_p for c, _ in chosen):
                continue
            chosen.append((phrase, score))
            if len(chosen) == top_k:
                break
        top = chosen[0][1] if chosen else 1.0
        results.append([(p, round(s / top, 4)) for p, s in chosen])
    return results
