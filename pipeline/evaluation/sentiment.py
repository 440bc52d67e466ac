"""Sentiment and language-id evaluation on TSV files with header `text\tlabel\tlang`."""

from __future__ import annotations

import csv
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.records import LABELS

logger = logging.getLogger(__name__)


class EvalInputError(ValueError):
    """The evaluation file is unreadable or malformed."""


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    lang: str | None


def read_tsv(path: Path, check_labels: bool = True) -> list[Example]:
    """Read an evaluation TSV; raises EvalInputError with a one-line reason."""
    path = Path(path)
    if not path.is_file():
        raise EvalInputError(f"{path}: file not found")
    csv.field_size_limit(sys.maxsize)
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
            header = next(reader, None)
            if header is None:
                raise EvalInputError(f"{path}: empty file")
            cols = [c.strip() for c in header]
            missing = [c for c in ("text", "label") if c not in cols]
            if missing:
                raise EvalInputError(f"{path}: missing column(s) {', '.join(missing)} in header")
            it, il = cols.index("text"), cols.index("label")
            ig = cols.index("lang") if "lang" in cols else None
            rows: list[Example] = []
            for n, row in enumerate(reader, start=2):
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if len(row) <= max(it, il, ig or 0):
                    raise EvalInputError(f"{path}:{n}: expected {len(cols)} columns")
                label = row[il].strip()
                if check_labels and label not in LABELS:
                    raise EvalInputError(
                        f"{path}:{n}: unknown label {label!r} (expected one of {', '.join(LABELS)})"
                    )
                lang = row[ig].strip() or None if ig is not None else None
                rows.append(Example(row[it], label, lang))
    except UnicodeDecodeError as e:
        raise EvalInputError(f"{path}: not UTF-8 ({e.reason})") from None
    if not rows:
        raise EvalInputError(f"{path}: no rows")
    return rows


def f1_scores(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
    """Per-label F1 (0 when a label is neither predicted nor gold)."""
    out: dict[str, float] = {}
    for lab in labels:
        tp = sum(g == lab and p == lab for g, p in zip(gold, pred, strict=True))
        fp = sum(g != lab and p == lab for g, p in zip(gold, pred, strict=True))
        fn = sum(g == lab and p != lab for g, p in zip(gold, pred, strict=True))
        out[lab] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return out


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    per = f1_scores(gold, pred, LABELS)
    return sum(per.values()) / len(per)


def evaluate_sentiment(
    path: Path, model: str = "stimmung-sentiment", **options: Any
) -> dict[str, Any]:
    """Score `path` with backend `model`; metrics as fractions, plus posts/s."""
    from pipeline.nlp.sentiment import load_backend

    rows = read_tsv(path)
    backend = load_backend(model, **options)
    backend.predict(["warm up"], [None])
    texts = [r.text for r in rows]
    langs = [r.lang for r in rows]
    t0 = time.perf_counter()
    preds = backend.predict(texts, langs)
    elapsed = time.perf_counter() - t0
    gold = [r.label for r in rows]
    pred = [p.label for p in preds]
    per_lang: dict[str, float] = {}
    for lang in sorted({r.lang or "unknown" for r in rows}):
        idx = [i for i, r in enumerate(rows) if (r.lang or "unknown") == lang]
        per_lang[lang] = round(macro_f1([gold[i] for i in idx], [pred[i] for i in idx]), 4)
    per_class = f1_scores(gold, pred, LABELS)
    return {
        "model": f"{backend.name} {backend.version}",
        "n": len(rows),
        "macro_f1": round(sum(per_class.values()) / len(per_class), 4),
        "accuracy": round(sum(g == p for g, p in zip(gold, pred, strict=True)) / len(rows), 4),
        "per_class_f1": {k: round(v, 4) for k, v in per_class.items()},
        "per_lang_macro_f1": per_lang,
        "posts_per_s": round(len(rows) / max(elapsed, 1e-9), 1),
    }


def evaluate_language(paths: Sequence[Path]) -> dict[str, Any]:
    """Accuracy of `detect_languages` against the `lang` column of each file."""
    from pipeline.text.language import detect_languages

    rows: list[Example] = []
    for p in paths:
        got = read_tsv(p, check_labels=False)
        if any(r.lang is None for r in got):
            raise EvalInputError(f"{p}: missing column lang or empty lang values")
        rows.extend(got)
    detect_languages(["warm up the detector model"])
    t0 = time.perf_counter()
    pred = detect_languages([r.text for r in rows])
    elapsed = time.perf_counter() - t0
    per: dict[str, list[int]] = {}
    for r, guess in zip(rows, pred, strict=True):
        c = per.setdefault(r.lang or "", [0, 0])
        c[0] += int(guess == r.lang)
        c[1] += 1
    correct = sum(c[0] for c in per.values())
    return {
        "n": len(rows),
        "accuracy": round(correct / len(rows), 4),
        "per_lang_accuracy": {k: round(c[0] / c[1], 4) for k, c in sorted(per.items())},
        "posts_per_s": round(len(rows) / max(elapsed, 1e-9), 1),
    }


def evaluate_demo_sentiment(model: str = "stimmung-sentiment", **options: Any) -> dict[str, Any]:
    """The demo corpus's gold sentiment by language: macro-F1, recall of negatives, and
    the German-English macro-F1 gap (the product's promise: German as well as English)."""
    from pipeline.demo.corpus import generate_corpus
    from pipeline.nlp.sentiment import load_backend
    from pipeline.stages.enrich import post_text

    posts = [p for p in generate_corpus() if not p.gold.official]
    backend = load_backend(model, **options)
    texts = [post_text(p.title, p.body) for p in posts]  # what analysis scores
    preds = [r.label for r in backend.predict(texts, [p.lang for p in posts])]
    per_lang: dict[str, dict[str, float]] = {}
    for lang in sorted({p.lang for p in posts}):
        idx = [i for i, p in enumerate(posts) if p.lang == lang]
        gold = [posts[i].gold.sentiment for i in idx]
        pred = [preds[i] for i in idx]
        negatives = [i for i in idx if posts[i].gold.sentiment == "negative"]
        per_lang[lang] = {
            "n": len(idx),
            "macro_f1": round(macro_f1(gold, pred), 4),
            "negative_recall": round(sum(preds[i] == "negative" for i in negatives)
                                     / max(1, len(negatives)), 4),
        }
    gap = abs(per_lang.get("de", {}).get("macro_f1", 0.0) -
              per_lang.get("en", {}).get("macro_f1", 0.0))
    return {"model": f"{backend.name} {backend.version}", "n": len(posts),
            "per_lang": per_lang, "de_en_gap": round(gap, 4)}
