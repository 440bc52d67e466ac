"""Measure the intent model: per-class precision/recall, macro-F1, speed.

    python models/intent/evaluate.py                    # rules on intent_eval.tsv
    python models/intent/evaluate.py --file intent_train.tsv
    python models/intent/evaluate.py --compare          # + linear model trained on intent_train.tsv
    python models/intent/evaluate.py --real             # the real-post set (texts from ../shared)
    python models/intent/evaluate.py --real --shared DIR
    python models/intent/evaluate.py --demo             # the demo corpus's gold intents
    python models/intent/evaluate.py --head             # + rules with the encoder head, as
                                                        #   the accurate profile runs it

The linear comparison model (TF-IDF word+char n-grams, logistic regression) is trained
only on `intent_train.tsv`, never on the evaluation file.
"""

from __future__ import annotations

import argparse
import csv
import logging
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from pipeline.nlp.intent import INTENT_MODEL, INTENTS, classify_intents  # noqa: E402

sys.path.insert(0, str(HERE))
from real_posts import DEFAULT_SHARED, RealSetError, read_real_posts  # noqa: E402


def read_tsv(path: Path) -> tuple[list[str], list[str], list[str]]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines()
             if ln and not ln.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [r["text"] for r in rows], [r["label"] for r in rows], [r["lang"] for r in rows]


def report(name: str, gold: Sequence[str], pred: Sequence[str], langs: Sequence[str],
           secs: float) -> str:
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    p, r, f, n = precision_recall_fscore_support(gold, pred, labels=list(INTENTS),
                                                 zero_division=0)
    out = [f"### {name}", "", "| class | precision | recall | F1 | n |",
           "| --- | --- | --- | --- | --- |"]
    for i, c in enumerate(INTENTS):
        out.append(f"| {c} | {p[i]:.3f} | {r[i]:.3f} | {f[i]:.3f} | {n[i]} |")
    macro = f1_score(gold, pred, labels=list(INTENTS), average="macro", zero_division=0)
    acc = sum(g == q for g, q in zip(gold, pred, strict=True)) / len(gold)
    out.append("")
    out.append(f"macro-F1 **{macro:.3f}**, accuracy {acc:.3f}, n = {len(gold)}, "
               f"{len(gold) / secs:,.0f} posts/s")
    for lg in sorted(set(langs)):
        idx = [i for i, x in enumerate(langs) if x == lg]
        m = f1_score([gold[i] for i in idx], [pred[i] for i in idx], labels=list(INTENTS),
                     average="macro", zero_division=0)
        out.append(f"- macro-F1 [{lg}] {m:.3f} (n = {len(idx)})")
    return "\n".join(out)


def linear_model(train: Path) -> Callable[[list[str], list[str]], list[str]]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    texts, labels, _ = read_tsv(train)
    model = make_pipeline(
        make_union(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                   TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        LogisticRegression(C=10.0, max_iter=2000),
    )
    model.fit(texts, labels)
    return lambda t, _langs: [str(x) for x in model.predict(t)]


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", default=str(HERE / "intent_eval.tsv"))
    ap.add_argument("--compare", action="store_true")
    ap.add_argument("--errors", action="store_true")
    ap.add_argument("--real", action="store_true",
                    help="evaluate on intent_real_labels.tsv (texts read from --shared)")
    ap.add_argument("--shared", default=str(DEFAULT_SHARED),
                    help="the shared folder holding datasets/ (default: ../shared)")
    ap.add_argument("--demo", action="store_true",
                    help="evaluate on the demo corpus's gold intents (title + body)")
    ap.add_argument("--head", action="store_true",
                    help="also rules + the bundled encoder head as the accurate profile runs "
                         "it: the head where the sentiment backend encodes the post")
    ap.add_argument("--cascade-only", action="store_true",
                    help="with --head: the head only where the sentiment cascade encodes the "
                         "post (what analysis would cost without encoding for intent)")
    args = ap.parse_args()
    if args.demo:
        from pipeline.demo.corpus import generate_corpus
        from pipeline.stages.enrich import post_text

        demo = generate_corpus()
        path = Path("demo corpus gold intents")
        texts = [post_text(p.title, p.body) for p in demo]
        gold = [p.gold.intent for p in demo]
        langs = [p.lang for p in demo]
    elif args.real:
        path = HERE / "intent_real_labels.tsv"
        try:
            posts = read_real_posts(Path(args.shared), path)
        except RealSetError as exc:
            sys.exit(f"error: {exc}")
        texts = [p.text for p in posts]
        gold = [p.label for p in posts]
        langs = [p.lang for p in posts]
    else:
        path = Path(args.file)
        if not path.is_absolute() and not path.exists():
            path = HERE / path
        texts, gold, langs = read_tsv(path)
    systems: list[tuple[str, Callable[[list[str], list[str]], list[str]]]] = [
        (f"rules {INTENT_MODEL[0]} {INTENT_MODEL[1]}",
         lambda t, lg: classify_intents(t, list(lg)))]
    if args.head:
        from pipeline.nlp.intent_head import head_for, wants_features
        from pipeline.nlp.sentiment import load_backend
        from pipeline.nlp.sentiment.base import FeatureBackend

        backend = load_backend("stimmung-multilingual")
        assert isinstance(backend, FeatureBackend)
        head = head_for(backend.feature_kind)
        if head is None:
            sys.exit("error: no intent head for this encoder in models/intent/ "
                     "(run models/intent/train_head.py)")
        t0 = time.process_time()
        wanted = [False] * len(texts) if args.cascade_only else wants_features(texts, langs)
        _, feats = backend.predict_with_features(texts, langs, wanted)
        print(f"sentiment + features: {time.process_time() - t0:.1f} CPU-s, "
              f"{feats.encoded.mean():.0%} of the posts encoded "
              f"({getattr(backend, 'encoded', '?')} for sentiment, "
              f"{getattr(backend, 'feature_only', '?')} for intent only)\n")
        note = " (trained on this file: not a fair test)" if args.real else ""
        where = ", sentiment cascade only" if args.cascade_only else ""
        systems.append((f"rules + encoder head {head.version}{where}{note}"
                        " (speed without encoding)",
                        lambda t, lg: classify_intents(t, list(lg), feats)))
    if args.compare:
        systems.append(("linear TF-IDF + logistic regression (trained on intent_train.tsv)",
                        linear_model(HERE / "intent_train.tsv")))
    for name, fn in systems:
        reps = 20 if name.startswith("rules") else 1
        t0 = time.perf_counter()
        for _ in range(reps):
            pred = fn(texts, langs)
        secs = (time.perf_counter() - t0) / reps
        print(report(f"{name} on {path.name}", gold, pred, langs, secs))
        print()
        if args.errors:
            for t, g, q in zip(texts, gold, pred, strict=True):
                if g != q:
                    print(f"  gold={g:10s} pred={q:10s} {t}")


if __name__ == "__main__":
    main()
