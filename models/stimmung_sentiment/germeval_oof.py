"""Cross-validated GermEval figure of the n-gram model trained with GermEval
(`train.py --germeval`): out-of-fold probabilities for the GermEval validation file.

    python models/stimmung_sentiment/germeval_oof.py --data ../shared/datasets \
        --eval ../shared/eval --out build/germeval-oof-ngram.npz

For each of the 5 folds (`train.germeval_fold`: by a hash of the normalised text, so a
text and its duplicates share a fold) the shipped recipe is trained without that fold's
GermEval documents into `build/ngram-fold-<k>/` and scores the validation file's rows of
that fold through the shipped runtime (`LinearSentiment`). The file holds
`ngram:germeval_dev_de` (probabilities, in the file's row order) and its texts' checksum,
as `models/stimmung_multilingual/stack.py --oof` reads it.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

MODEL_DIR = Path(__file__).resolve().parent
REPO = MODEL_DIR.parents[1]
sys.path.insert(0, str(MODEL_DIR))
sys.path.insert(0, str(REPO))

import train as recipe  # noqa: E402

from pipeline.nlp.sentiment.linear import FeatureConfig, LinearSentiment  # noqa: E402
from pipeline.records import LABELS  # noqa: E402

FILE = "germeval_dev_de"
log = logging.getLogger("germeval-oof")


def read_eval(path: Path) -> tuple[list[str], np.ndarray, list[str]]:
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()[1:]]
    rows = [r for r in rows if len(r) >= 3 and r[1] in LABELS]
    return [r[0] for r in rows], np.array([LABELS.index(r[1]) for r in rows]), [r[2] for r in rows]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "datasets")
    ap.add_argument("--eval", type=Path, default=REPO.parent / "shared" / "eval")
    ap.add_argument("--work", type=Path, default=Path("build"))
    ap.add_argument("--out", type=Path, default=Path("build/germeval-oof-ngram.npz"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    texts, y, langs = read_eval(args.eval / f"{FILE}.tsv")
    fold = np.array([recipe.germeval_fold(t) for t in texts])
    lexicon = recipe.load_lexicon(recipe.default_lexicons())
    probs = np.zeros((len(texts), len(LABELS)))
    t0 = time.process_time()
    for k in range(recipe.GERMEVAL_FOLDS):
        out = args.work / f"ngram-fold-{k}"
        if not (out / "weights.npz").is_file():
            recipe.train(args.data, out, FeatureConfig(lang_words=True), 4.0, 0.3, 0.5, lexicon,
                         germeval=True, exclude_fold=k)
        idx = np.flatnonzero(fold == k)
        probs[idx] = LinearSentiment(out).predict_proba([texts[i] for i in idx],
                                                        [langs[i] for i in idx])
        log.info("fold %d: %d rows, %.0f CPU-s so far", k, len(idx), time.process_time() - t0)
    pred = probs.argmax(1)
    f1s = []
    for c in range(len(LABELS)):
        tp = float(np.sum((pred == c) & (y == c)))
        denom = float(np.sum(pred == c) + np.sum(y == c))
        f1s.append(2 * tp / denom if denom else 0.0)
    log.info("GermEval %d-fold CV macro-F1 %.4f", recipe.GERMEVAL_FOLDS, float(np.mean(f1s)))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    saved: dict[str, Any] = {f"ngram:{FILE}": probs, f"texts_sha:{FILE}": np.array(
        hashlib.sha256("\n".join(texts).encode()).hexdigest())}
    np.savez(args.out, **saved)


if __name__ == "__main__":
    main()
