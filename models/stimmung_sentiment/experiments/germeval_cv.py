"""How much would in-domain data help GermEval? 3-fold cross-validation on GermEval dev.

    python models/stimmung_sentiment/experiments/germeval_cv.py --data ../shared/datasets

Trains the bundled recipe plus two thirds of the relevant GermEval 2017 dev documents
and scores the remaining third, three times. Not used for the shipped model (its
GermEval figure stays a clean out-of-domain validation figure); it measures what the
missing GermEval train split would be worth.
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

MODEL_DIR = Path(__file__).resolve().parents[1]  # models/stimmung_sentiment: train.py
REPO = MODEL_DIR.parents[1]
sys.path.insert(0, str(MODEL_DIR))
sys.path.insert(0, str(REPO))

import train as recipe  # noqa: E402

from pipeline.evaluation.sentiment import macro_f1  # noqa: E402
from pipeline.nlp.sentiment.linear import FeatureConfig, Featurizer, compute_idf  # noqa: E402
from pipeline.records import LABELS  # noqa: E402


def germeval_dev(root: Path) -> list[tuple[str, str]]:
    rows = []
    for doc in ET.parse(root / "germeval2017" / "dev-2017-09-15.xml").getroot().iter("Document"):
        text = " ".join((doc.findtext("text") or "").split())
        if doc.findtext("relevance") == "true" and text and text != "null":
            rows.append((text, doc.findtext("sentiment") or ""))
    return [r for r in rows if r[1] in LABELS]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "datasets")
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--C", type=float, default=4.0)
    args = ap.parse_args()
    base = recipe.load_training(args.data)
    germ = germeval_dev(args.data)
    rng = np.random.default_rng(recipe.SEED)
    fold = rng.permutation(len(germ)) % args.folds
    cfg = FeatureConfig(lang_words=True)
    feat = Featurizer(cfg)
    gold: list[str] = []
    pred: list[str] = []
    for k in range(args.folds):
        extra = [(t, y, "de", "germeval") for (t, y), f in zip(germ, fold, strict=True) if f != k]
        test = [(t, y) for (t, y), f in zip(germ, fold, strict=True) if f == k]
        rows = base + extra
        texts = [r[0] for r in rows]
        langs: list[str | None] = [r[2] for r in rows]
        xc, xw = feat.counts(texts, langs)
        idf_c, idf_w = compute_idf(xc), compute_idf(xw)
        x = feat.transform(texts, idf_c, idf_w, langs)
        y = np.array([LABELS.index(r[1]) for r in rows])
        clf = LogisticRegression(C=args.C, max_iter=300, random_state=recipe.SEED)
        clf.fit(x, y, sample_weight=recipe.sample_weights(rows, 0.5))
        xt = feat.transform([t for t, _ in test], idf_c, idf_w, ["de"] * len(test))
        p = [LABELS[i] for i in clf.predict(xt)]
        f1 = macro_f1([y for _, y in test], p)
        print(f"fold {k}: n={len(test)} macro-F1={f1:.3f}", flush=True)
        gold += [y for _, y in test]
        pred += p
    print(f"germeval dev {args.folds}-fold CV macro-F1 {macro_f1(gold, pred):.3f} (n={len(gold)})")


if __name__ == "__main__":
    main()
