"""What a brand manager reads about a problem: a phrase and the examples it fits.

A problem keeps a pool of candidate examples, the most central members per language
(`example_pool`). `describe(problem, lang)` then

1. ranks the pool by cosine to the problem's current centroid (re-encoded when the
   problem's encoder is given; else the similarity stored when the member joined, which
   ages as the centroid moves), and keeps the members in the report's language when the
   problem has any (a German report: German examples and a German phrase);
2. takes as candidates the phrases (runs of up to three content words, as written) of the
   most central members, and chooses the one that fits most of the central members (every
   word, or its stem, occurs in the text), then the one the problem's members weigh most
   in their key phrases, then the longer;
3. shows as examples the most central members the phrase fits, so the label fits every
   example shown.

An English label may also lean on the problem's German key terms put into English (the
`bilingual` encoder's word table, `translate`): a problem reported mostly in German shows
"Pricing", not the place an English member happened to name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from pipeline.nlp.keyphrases import extract_keyphrases, surface_tokens

__all__ = ["EXAMPLES", "POOL_PER_LANG", "Description", "brand_pattern", "common_words",
           "describe", "example_pool", "fits", "translator_of"]

EXAMPLES = 3  # examples shown
POOL_PER_LANG = 4  # candidate examples kept per language
POOL_MAX = 12
CANDIDATE_MEMBERS = 3  # the most central members whose phrases are candidates
JUDGED_MEMBERS = 6  # the most central members a candidate is measured on
MAX_CONTENT = 3  # content words in a label
MAX_TOKENS = 6  # words and numbers in a label
TOP_TERMS = 20  # a problem's key terms that `common_words` counts
LENGTH_COST = 0.08  # weight a label loses per word beyond the first


class _Problem(Protocol):
    problem_id: str
    brand: str
    centroid: np.ndarray
    terms: dict[str, float]
    examples: list[dict[str, Any]]


class _Encoder(Protocol):
    dim: int

    def encode(self, texts: Sequence[str], langs: Sequence[str | None]) -> np.ndarray: ...


@dataclass(frozen=True, slots=True)
class Description:
    label: str
    examples: list[dict[str, Any]]  # the pool's dicts: {"post_id", "similarity", "text", ...}


def brand_pattern(brand: str) -> re.Pattern[str]:
    """The brand's name (each word, optional '#') as a case-insensitive pattern."""
    words = [re.escape(w) for w in re.split(r"[\s\-]+", brand) if w]
    return re.compile(r"(?i)(?<!\w)#?(?:" + "|".join(words or [re.escape(brand)]) + r")(?!\w)")


def example_pool(examples: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The candidates kept: the `POOL_PER_LANG` most similar members per language (then
    by post id), at most `POOL_MAX`, most similar first."""
    ranked = sorted(examples, key=lambda e: (-float(e["similarity"]), str(e["post_id"])))
    seen: set[str] = set()
    per_lang: dict[str, int] = {}
    out: list[dict[str, Any]] = []
    for e in ranked:
        lang = str(e.get("lang") or "")
        if e["post_id"] in seen or per_lang.get(lang, 0) >= POOL_PER_LANG:
            continue
        seen.add(e["post_id"])
        per_lang[lang] = per_lang.get(lang, 0) + 1
        out.append(e)
    return out[:POOL_MAX]


def _stem(word: str) -> str:
    low = word.lower()
    return low[: max(4, len(low) - 2)]


def fits(phrase: str, text: str) -> bool:
    """Every word of `phrase` occurs in `text`, inflected or not (its stem: all but the
    last two letters, at least four)."""
    low = text.lower()
    return all(_stem(w) in low for w in phrase.split())


_LINES = re.compile(r"\s*\n\s*|(?<=[.!?…])\s+")  # a phrase stays within a line and sentence
_INNER = re.compile(r"[^\W_][\w\-'.,]*", re.UNICODE)  # a word or number a phrase may hold


def _phrases(text: str, lang: str | None, brand: re.Pattern[str]) -> list[tuple[str, str, int]]:
    """(phrase as written, its content lemmas, position) of each span of a clause that
    starts and ends with a content word: at most `MAX_CONTENT` content words and
    `MAX_TOKENS` tokens (stop words and numbers inside: "Mahlwerk zu laut", "descaling
    warning since firmware 3.2"); the brand's name ends a span."""
    out: list[tuple[str, str, int]] = []
    for line in _LINES.split(text):
        out += _clause_phrases(surface_tokens(line, lang), brand, len(out))
    return out


def _clause_phrases(toks: list[tuple[str, Any]], brand: re.Pattern[str],
                    offset: int) -> list[tuple[str, str, int]]:
    out: list[tuple[str, str, int]] = []
    for i, (_, first) in enumerate(toks):
        if not first.content or brand.fullmatch(toks[i][0]):
            continue
        content: list[str] = []
        for j in range(i, min(i + MAX_TOKENS, len(toks))):
            word, tok = toks[j]
            if not _INNER.fullmatch(word) or brand.fullmatch(word):
                break
            if tok.content:
                content.append(tok.lemma)
                if len(content) > MAX_CONTENT:
                    break
                out.append((" ".join(w for w, _ in toks[i:j + 1]), " ".join(content),
                            offset + i))
    return out


def _centrality(problem: _Problem, pool: list[dict[str, Any]],
                encoder: _Encoder | None) -> list[float]:
    centroid = np.asarray(problem.centroid, dtype=np.float32)
    if encoder is None or centroid.shape[0] != encoder.dim or not np.any(centroid):
        return [float(e["similarity"]) for e in pool]
    brand = brand_pattern(problem.brand)
    vecs = encoder.encode([brand.sub(" ", str(e["text"])) for e in pool],
                          [e.get("lang") for e in pool])
    return [float(s) for s in vecs @ centroid]


def common_words(problems: Sequence[_Problem], share: float = 0.3) -> frozenset[str]:
    """Lemmas among the key terms of at least `share` of a brand's problems (and of 3):
    product names and the like, which tell one problem from another poorly."""
    counts: dict[str, int] = {}
    for p in problems:
        top = sorted(p.terms.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_TERMS]
        for w in {w for t, _ in top for w in t.split()}:
            counts[w] = counts.get(w, 0) + 1
    need = max(3.0, share * len(problems))
    return frozenset(w for w, n in counts.items() if n >= need)


def describe(problem: _Problem, lang: str | None = None, encoder: _Encoder | None = None,
             shown: int = EXAMPLES, common: frozenset[str] = frozenset(),
             translate: Callable[[str], str] | None = None) -> Description:
    """The label and the examples shown for `problem` in a report in `lang` (None: the
    language of the most central member); see the module doc. A label neither starts nor
    ends with one of the `common` lemmas (`common_words` of the brand's problems)."""
    pool = [e for e in problem.examples if str(e.get("text") or "").strip()]
    if not pool:
        return Description(problem.problem_id, [])
    sims = _centrality(problem, pool, encoder)
    ranked = [e for _, e in sorted(zip(sims, pool, strict=True),
                                   key=lambda se: (-se[0], str(se[1]["post_id"])))]
    lang = lang or ranked[0].get("lang")
    group = [e for e in ranked if e.get("lang") == lang] or ranked
    brand = brand_pattern(problem.brand)
    judged = group[:JUDGED_MEMBERS]
    top_term = max(problem.terms.values(), default=0.0) or 1.0
    # an English label may lean on the German members' key terms put into English
    across: dict[str, float] = {}
    if translate is not None and str(group[0].get("lang") or "").startswith("en"):
        for t, w in problem.terms.items():
            for word in set(translate(t).split()) - set(t.split()):
                across[word] = across.get(word, 0.0) + w
    best: tuple[tuple[Any, ...], str] | None = None
    members = group[:CANDIDATE_MEMBERS]
    own = extract_keyphrases([str(e["text"]) for e in members],
                             [e.get("lang") for e in members], top_k=10)
    for rank, (member, kps) in enumerate(zip(members, own, strict=True)):
        for phrase, lemma, pos in _phrases(str(member["text"]), member.get("lang"), brand):
            lemmas = lemma.split()
            if lemmas[0] in common or lemmas[-1] in common:
                continue
            fit = sum(1 for e in judged if fits(phrase, str(e["text"])))
            words = set(lemmas) - common
            # how much of what the members' key phrases name (problem-wide, then this
            # member's own) the phrase holds
            weight = (sum(w for t, w in problem.terms.items() if set(t.split()) <= words)
                      / top_term
                      + sum(across.get(w, 0.0) for w in words) / top_term
                      + max((w for t, w in kps if set(t.split()) <= words), default=0.0)
                      - LENGTH_COST * (len(phrase.split()) - 1))
            key = (min(fit, shown), round(weight, 3), -len(phrase.split()), -rank, -pos)
            if best is None or key > best[0]:
                best = (key, phrase)
    if best is None:
        return Description(problem.problem_id, _distinct(group)[:shown])
    phrase = best[1]
    examples = _distinct([e for e in group if fits(phrase, str(e["text"]))])[:shown]
    return Description(phrase[:1].upper() + phrase[1:], examples)


def _distinct(examples: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Examples without repeated texts (case and spacing ignored)."""
    seen: set[str] = set()
    out = []
    for e in examples:
        key = " ".join(str(e["text"]).lower().split())
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def translator_of(encoder: object) -> Callable[[str], str] | None:
    """The German → English lemma translation of a `bilingual` encoder, else None."""
    translator = getattr(encoder, "_translator", None)
    return getattr(translator, "translate", None)
