"""Train the intent model's encoder head (stacking over the rules) and measure it.

    python models/intent/train_head.py               # CV on the real set, then fit and save
    python models/intent/train_head.py --cv-only     # figures only, nothing written
    python models/intent/train_head.py --shared DIR  # where ../shared is

Features per post: the mean-pooled states of multilingual-e5-small's shared lower layers
as the accurate profile's sentiment backend hands them out
(`MultilingualSentiment.predict_with_features`), the rules' class scores and the rules'
label (see `pipeline.nlp.intent_head.head_features`). The head is trained on the vectors
of every training post; in analysis it decides the posts the backend encodes (the
sentiment cascade's and those the rules flag, `wants_features`), the rules the rest: the
CV figure is given for both ("every post" and "as analysis runs").
Training data: `intent_train.tsv` (written for the project) plus the hand-labelled real
posts of `intent_real_labels.tsv` (texts from ../shared). `intent_eval.tsv` is never
trained on. The real-set figure is 5-fold stratified cross-validation (every fold's head
is trained on intent_train plus the other four folds); deterministic (lbfgs, fixed folds).
Writes `intent_head.npz` + `intent_head.json` beside this script.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))

from evaluate import read_tsv  # noqa: E402
from real_posts import DEFAULT_SHARED, RealSetError, read_real_posts  # noqa: E402

from pipeline.nlp.intent import INTENT_MODEL, INTENTS, rule_intents  # noqa: E402
from pipeline.nlp.intent_head import IntentHead, head_features, wants_features  # noqa: E402

C = 4.0
FOLDS = 5
SEEDS = (0, 1)
VERSION = "e5lower8head1"


def encode(texts: list[str], langs: list[str],
           system: bool, cascade_only: bool = False) -> tuple[np.ndarray, np.ndarray, str]:
    """Vectors of the texts as the sentiment backend hands them out: of every text, or
    (`system`) of those analysis encodes (zeros elsewhere; `cascade_only`: of those the
    sentiment cascade encodes); the encoded flags; the kind."""
    from pipeline.nlp.sentiment import load_backend
    from pipeline.nlp.sentiment.base import FeatureBackend

    backend = load_backend("stimmung-multilingual")
    assert isinstance(backend, FeatureBackend)
    also = ([False] * len(texts) if cascade_only else wants_features(texts, langs)) if system \
        else [True] * len(texts)
    _, feats = backend.predict_with_features(texts, langs, also)
    return feats.rows, feats.encoded, feats.kind


def macro_f1(gold: list[str] | np.ndarray, pred: list[str] | np.ndarray) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, pred, labels=list(INTENTS), average="macro", zero_division=0))


def fit(x: np.ndarray, y: np.ndarray) -> IntentHead:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=C, max_iter=5000, class_weight="balanced").fit(x, y)
    classes = tuple(str(c) for c in model.classes_)
    return IntentHead(model.coef_.astype(np.float32), model.intercept_.astype(np.float32),
                      classes, {})


def predict(head: IntentHead, x: np.ndarray) -> np.ndarray:
    return np.array(head.classes)[(x @ head.coef.T + head.intercept).argmax(axis=1)]


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(DEFAULT_SHARED))
    ap.add_argument("--cv-only", action="store_true")
    args = ap.parse_args()
    from sklearn.model_selection import StratifiedKFold

    try:
        real = read_real_posts(Path(args.shared))
    except RealSetError as exc:
        sys.exit(f"error: {exc}")
    tr_texts, tr_gold, tr_langs = read_tsv(HERE / "intent_train.tsv")
    rl_texts = [p.text for p in real]
    rl_gold = np.array([p.label for p in real])
    rl_langs = [p.lang for p in real]
    t0 = time.process_time()
    v_tr, _, kind = encode(tr_texts, tr_langs, system=False)
    v_rl, _, _ = encode(rl_texts, rl_langs, system=False)
    _, rl_encoded, _ = encode(rl_texts, rl_langs, system=True)
    _, rl_cascade, _ = encode(rl_texts, rl_langs, system=True, cascade_only=True)
    x_tr = head_features(tr_texts, tr_langs, v_tr)
    x_rl = head_features(rl_texts, rl_langs, v_rl)
    print(f"encoded {len(tr_texts) + len(rl_texts)} posts in {time.process_time() - t0:.0f} "
          f"CPU-s; analysis would encode {rl_encoded.mean():.0%} of the real posts "
          f"({rl_cascade.mean():.0%} for sentiment)")
    y_tr = np.array(tr_gold)
    langs = np.array(rl_langs)
    rules = np.array(rule_intents(rl_texts, rl_langs))
    print(f"rules on the real set: macro-F1 {macro_f1(rl_gold, rules):.3f} "
          f"(de {macro_f1(rl_gold[langs == 'de'], rules[langs == 'de']):.3f}, "
          f"en {macro_f1(rl_gold[langs == 'en'], rules[langs == 'en']):.3f})")
    figures: dict[str, float] = {}
    for seed in SEEDS:
        pred = np.empty(len(rl_gold), dtype=object)
        folds = StratifiedKFold(FOLDS, shuffle=True, random_state=seed)
        for a, b in folds.split(x_rl, rl_gold):
            head = fit(np.vstack([x_tr, x_rl[a]]), np.concatenate([y_tr, rl_gold[a]]))
            pred[b] = predict(head, x_rl[b])
        system = np.where(rl_encoded, pred, rules)
        cascade = np.where(rl_cascade, pred, rules)
        for name, mask in (("all", langs == langs), ("de", langs == "de"), ("en", langs == "en")):
            figures[f"cv_seed{seed}_{name}"] = round(macro_f1(rl_gold[mask], pred[mask]), 3)
            figures[f"cv_system_seed{seed}_{name}"] = round(
                macro_f1(rl_gold[mask], system[mask]), 3)
            figures[f"cv_cascade_seed{seed}_{name}"] = round(
                macro_f1(rl_gold[mask], cascade[mask]), 3)
        for what, key in (("head on every post", "cv"), ("as analysis runs", "cv_system"),
                          ("sentiment cascade's posts only", "cv_cascade")):
            print(f"rules + head ({what}), {FOLDS}-fold CV seed {seed}: macro-F1 "
                  f"{figures[f'{key}_seed{seed}_all']:.3f} "
                  f"(de {figures[f'{key}_seed{seed}_de']:.3f}, "
                  f"en {figures[f'{key}_seed{seed}_en']:.3f})")
        if seed == SEEDS[0]:
            from sklearn.metrics import classification_report

            print(classification_report(rl_gold, system, labels=list(INTENTS), digits=3,
                                        zero_division=0))
    if args.cv_only:
        return
    head = fit(np.vstack([x_tr, x_rl]), np.concatenate([y_tr, rl_gold]))
    config = {
        "version": VERSION, "rules": f"{INTENT_MODEL[0]} {INTENT_MODEL[1]}",
        "encoder": "multilingual-e5-small lower layers, mean-pooled, L2-normalised "
                   "(MultilingualSentiment.predict_with_features)",
        "feature_kind": kind,
        "embedding_dim": int(x_tr.shape[1] - 2 * len(INTENTS)),
        "features": "embedding | clip(rule scores, -2, 8) / 4 | rule label one-hot",
        "classifier": f"logistic regression, C={C}, class_weight=balanced",
        "trained_on": {"intent_train.tsv": len(tr_texts),
                       "intent_real_labels.tsv": len(rl_texts)},
        "cv_real_macro_f1": figures,
    }
    IntentHead(head.coef, head.intercept, head.classes, config).save(HERE)
    print(f"wrote {HERE / 'intent_head.npz'} and intent_head.json")


if __name__ == "__main__":
    main()
