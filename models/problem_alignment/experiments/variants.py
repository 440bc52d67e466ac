"""Experiments behind MODEL_CARD.md "Tried and not kept" (demo gold topics, seed 7).

    .venv/bin/python models/problem_alignment/experiments/variants.py translation
    .venv/bin/python models/problem_alignment/experiments/variants.py thresholds

`translation`: the translation step's variants (the German word kept beside its
translations, the first translation twice, 1 translation). `thresholds`: the online
model's assign x create x merge thresholds with 1 or 2 translations per word. Needs the built
table (`models/problem_alignment/build.py`).
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from problems_demo import demo_problem_posts, score_brand  # noqa: E402

from pipeline.nlp.crosslingual import Translator, read_table, table_digest  # noqa: E402
from pipeline.nlp.problems import ProblemModel  # noqa: E402
from pipeline.nlp.vectors import BilingualHashedEncoder, HashedEncoder  # noqa: E402


class KeepGerman(Translator):
    def _translate_word(self, word: str) -> str:
        out = super()._translate_word(word)
        return out if out == word else f"{word} {out}"


class FirstTwice(Translator):
    def _translate_word(self, word: str) -> str:
        out = super()._translate_word(word)
        return out if out == word else f"{out.split()[0]} {out}"


def score(data: dict[str, Any], encoder: Any, **kwargs: float) -> str:
    for items in data.values():
        for post, _ in items:
            post.vector = None
            post.keyphrases = None
    rs = [score_brand(ProblemModel(b, encoder=encoder, **kwargs), items, 5)  # type: ignore[arg-type]
          for b, items in sorted(data.items())]
    n = sum(r["assigned"] for r in rs)
    counts = {k: sum(len(r["topics"][k]) for r in rs)
              for k in ("once", "split", "split_by_language", "missed")}
    return f"purity {sum(r['purity'] * r['assigned'] for r in rs) / n:.3f} assigned {n} {counts}"


def main() -> int:
    what = sys.argv[1] if len(sys.argv) > 1 else "translation"
    path = ROOT / "models" / "problem_alignment" / "de_en.tsv.gz"
    table = read_table(path)
    digest = table_digest(path)
    data = demo_problem_posts()
    if what == "translation":
        for name, tr in [("shipped (2 translations)", Translator(table, digest=digest)),
                         ("German word kept too", KeepGerman(table, digest=digest)),
                         ("first translation twice", FirstTwice(table, digest=digest)),
                         ("1 translation", Translator(table, keep=1, digest=digest))]:
            print(f"{name}: {score(data, BilingualHashedEncoder(translator=tr))}", flush=True)
    else:
        encoders: dict[str, Any] = {"hashed": HashedEncoder()}
        for k in (1, 2):
            encoders[f"keep{k}"] = BilingualHashedEncoder(
                translator=Translator(table, keep=k, digest=digest))
        for (name, enc), a, c, m in itertools.product(
                encoders.items(), (0.25, 0.30, 0.35), (0.24, 0.28, 0.32), (0.6, 0.7, 0.8)):
            if c <= a + 0.03:
                print(name, a, c, m, score(data, enc, assign_threshold=a, create_threshold=c,
                                           merge_threshold=m), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
