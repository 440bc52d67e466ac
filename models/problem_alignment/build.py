"""Build the German → English word table for cross-lingual problems from FreeDict.

Reads Debian's `dict-freedict-deu-eng` (dictd files under /usr/share/dictd; install with
`apt-get install dict-freedict-deu-eng`) and writes `de_en.tsv.gz`: one German word (lower
case, one token) per line, a tab, then its English translations as the problem encoder's
lemmatiser sees them (content lemmas, most frequent sense first, at most `--keep`).

A word's translations are ranked by a score summed over the dictionary's entries for it
(1 for a one-word translation; of a longer one, `HEAD` for its last word, the English
head, and 1 - `HEAD` for each other word: "Milchaufschäumer" → "milk frother" is a frother;
senses that recur across entries win, "Warnung": warning before admonition) plus `PRIOR` times the
English word's log-probability (spaCy's lookup tables), which breaks the many ties
towards the common word ("Preis": price before award). A German word that is itself a
common English word (log-probability above `SELF`: "app", "update") counts as one
translation of itself.

The table is derived from FreeDict (GPL-3+/AGPL-3+, from Ding, GPL-2+): it is built on
the machine (`make problem-alignment`), not shipped in the package; see MODEL_CARD.md. Only German
words in spaCy's German word list are kept (136k of 282k; the rest are mostly compounds,
which `pipeline.nlp.crosslingual.Decompounder` splits into known parts).

    .venv/bin/python models/problem_alignment/build.py [--out models/problem_alignment/de_en.tsv.gz]
"""

from __future__ import annotations

import argparse
import gzip
import io
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pipeline.nlp.keyphrases import lemmas

DICT_DIR = Path("/usr/share/dictd")
NAME = "freedict-deu-eng"
_B64 = {c: i for i, c in enumerate(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_BRACKETS = re.compile(r"\[[^\]]*\]|<[^>]*>|\([^)]*\)|\{[^}]*\}")
_PLACEHOLDER = re.compile(r"(?<!\w)(?:sth|sb|sb's|sth's|oneself|one's)\.?(?!\w)")
_ENGLISH = re.compile(r"^[a-z][a-z'\-]*$")  # no IPA, digits or abbreviations' dots
_WORD = re.compile(r"^[a-zäöüß][a-zäöüß\-]*$")
# "etw koppeln", "sich beschweren", "mit etw koppeln": the word is the verb
_OBJECT = re.compile(r"^(?:(?:mit|an|auf|für|von|zu|über|um|aus|bei|gegen|nach|in)\s)?"
                     r"(?:(?:etw|sich|jdn|jdm|jds|jd)\s)+(\S+)$")
SELF_WEIGHT = 2.0  # identity beats the usual two or three senses
SELF = -13  # a German word this common in English is one of its own translations
PRIOR = 0.01  # weight of an English word's log-probability (about -3 .. -20)
HEAD = 0.75  # a multi-word translation's last word (its head): "milk frother" is a frother
_SKIP = ("Synonym", "see:", "Note:", "Antonym", '"')


def _b64(value: str) -> int:
    out = 0
    for ch in value:
        out = out * 64 + _B64[ch]
    return out


def read_entries(dict_dir: Path = DICT_DIR) -> dict[str, list[list[str]]]:
    """German headword (lower case, one word) → per entry, its translation candidates."""
    with gzip.open(dict_dir / f"{NAME}.dict.dz") as packed:  # dictzip is gzip-compatible
        raw = packed.read()
    out: dict[str, list[list[str]]] = defaultdict(list)
    with (dict_dir / f"{NAME}.index").open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3:
                continue
            verb = _OBJECT.match(parts[0])
            word = verb.group(1) if verb else parts[0]
            if not _WORD.match(word):
                continue
            start, length = _b64(parts[1]), _b64(parts[2])
            text = raw[start:start + length].decode("utf-8", errors="replace")
            lines = text.split("\n")
            if len(lines) < 2:
                continue
            cands: list[str] = []
            for body in lines[1:]:
                body = body.strip()
                if not body or body.startswith(_SKIP):
                    break
                body = _PLACEHOLDER.sub(" ", _BRACKETS.sub(" ", body))
                cands += [c.strip() for c in re.split(r"[,;]", body) if c.strip()]
            if cands:
                out[word].append(cands)
    return dict(out)


def logprob(lang: str) -> dict[str, float]:
    """Word log-probabilities of `lang` (spaCy's lookup tables, MIT), keys in lower case."""
    import json
    from importlib import resources

    path = resources.files("spacy_lookups_data") / "data" / f"{lang}_lexeme_prob.json.gz"
    with gzip.open(str(path), "rt", encoding="utf-8") as handle:
        table: dict[str, float] = json.load(handle)
    out: dict[str, float] = {}
    for word, value in table.items():
        key = word.lower()
        out[key] = max(value, out.get(key, value))
    return out


def rank(entries: dict[str, list[list[str]]], keep: int,
         head_weight: float = HEAD) -> dict[str, list[str]]:
    """Per German word, its `keep` best English content lemmas (see the module doc)."""
    english = logprob("en")
    flat = sorted({c for senses in entries.values() for cands in senses for c in cands})
    lemma_of = dict(zip(flat, lemmas(flat, ["en"] * len(flat)), strict=True))
    table: dict[str, list[str]] = {}
    for word, senses in entries.items():
        score: dict[str, float] = defaultdict(float)
        first: dict[str, int] = {}
        seen = {t for cands in senses for c in cands for t in lemma_of[c].split()}
        for cands in senses:
            for cand in cands:
                # "milk frothers" (a plural entry the lemmatiser keeps) counts as "frother"
                toks = [t[:-1] if t.endswith("s") and t[:-1] in seen else t
                        for t in lemma_of[cand].split()]
                for i, tok in enumerate(toks):
                    if len(tok) < 2 or not _ENGLISH.match(tok):
                        continue
                    score[tok] += (1.0 if len(toks) == 1 else
                                   head_weight if i == len(toks) - 1 else 1.0 - head_weight)
                    first.setdefault(tok, len(first))
        if english.get(word, -99.0) > SELF:  # "app", "update", "service": kept as is
            score[word] += SELF_WEIGHT
            first.setdefault(word, len(first))
        best = sorted(score, key=lambda t: (-score[t] - PRIOR * english.get(t, -20.0),
                                            first[t]))[:keep]
        if best:
            table[word] = best
    return table


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dict-dir", type=Path, default=DICT_DIR)
    ap.add_argument("--out", type=Path, default=Path(__file__).with_name("de_en.tsv.gz"))
    ap.add_argument("--keep", type=int, default=2)
    ap.add_argument("--head", type=float, default=HEAD,
                    help="share of a multi-word translation's score its last word gets")
    ap.add_argument("--all-words", action="store_true",
                    help="keep German words spaCy's German word list lacks (2x the size)")
    args = ap.parse_args(argv)
    if not (args.dict_dir / f"{NAME}.index").is_file():
        print(f"{args.dict_dir}/{NAME}.index missing: apt-get install dict-freedict-deu-eng",
              file=sys.stderr)
        return 2
    t0 = time.process_time()
    entries = read_entries(args.dict_dir)
    if not args.all_words:  # rarer words (mostly compounds) are split into known parts
        german = logprob("de")
        entries = {w: e for w, e in entries.items() if w in german}
    table = rank(entries, args.keep, args.head)
    tmp = args.out.with_suffix(".tmp")
    # mtime=0: the same dictionary gives the same bytes, so the same digest (the encoder's
    # version) on every machine
    with (open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9,
                                                 mtime=0) as packed,
          io.TextIOWrapper(packed, encoding="utf-8", newline="\n") as handle):
        handle.write(f"# {NAME} (GPL-3+/AGPL-3+), built by models/problem_alignment/build.py"
                     f" --keep {args.keep} --head {args.head}\n")
        for word in sorted(table):
            handle.write(f"{word}\t{' '.join(table[word])}\n")
    tmp.replace(args.out)
    print(f"{len(table)} German words -> {args.out} ({args.out.stat().st_size} bytes, "
          f"{time.process_time() - t0:.1f} CPU-s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
