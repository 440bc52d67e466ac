"""Refit the linear head of `stimmung-multilingual` on the fine-tuned pooled states, with
GermEval 2017 customer feedback in the training mix, and measure GermEval by
cross-validation.

    python models/stimmung_multilingual/head.py --data ../shared/datasets --eval ../shared/eval
    python models/stimmung_multilingual/head.py ... --write   # ship the head trained on all

The fine-tuned top layers stay as `train.py` left them; only the head (384 x 3 weights and
3 biases) is refitted, a multinomial logistic regression on the mean-pooled output of the
tuned layers, computed through the int8 ONNX runtime that ships (so the features are the
ones the head sees at run time) and cached under `--cache`.

Training rows: `train.py`'s rows (same selection, same class and language weights) plus
the relevant GermEval 2017 dev + trial documents (`--germeval`: `none`, `de` = counted as
German rows, `own` = a weighting group of their own, classes balanced within it).
GermEval's figure is **cross-validated**: the documents fall into 5 folds by a hash of
their normalised text (a text and its duplicates share a fold); for each fold a head
fitted without that fold's documents scores the validation file's rows of that fold.
The other validation files are scored by the head fitted on everything (none of their
texts is trained on). `--write` puts the head fitted on everything into `weights.npz`
and the out-of-fold GermEval probabilities into `build/` for `stack.py --oof`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from evalfiles import load_eval, macro_f1  # noqa: E402
from rows import Row, cap_english, ngram_training  # noqa: E402

from pipeline.records import LABELS  # noqa: E402

log = logging.getLogger("head")
GERMEVAL_FILE = "germeval_dev_de"
CHUNK = 1024


def pooled_states(model_dir: Path, texts: list[str], cache: Path,
                  threads: int | None) -> np.ndarray:
    """Mean-pooled output of the tuned top layers [N, H], int8 ONNX as at run time;
    computed in chunks of similar length, each chunk cached (a rerun resumes)."""
    from pipeline.nlp.e5_graph import layers_graph, quantize, session
    from pipeline.nlp.encoder import MultilingualEncoder

    weights_path = model_dir / "weights.npz"
    with np.load(weights_path, allow_pickle=False) as z:
        tuned = {k: z[k] for k in z.files if not k.startswith(("head.", "anchor."))}
    digest = hashlib.sha256(json.dumps(
        [sorted((k, hashlib.sha256(v.tobytes()).hexdigest()) for k, v in tuned.items()),
         texts]).encode()).hexdigest()[:12]
    folder = cache / f"pooled-{digest}"
    folder.mkdir(parents=True, exist_ok=True)
    order = np.argsort([len(t) for t in texts], kind="stable")
    chunks = [order[s:s + CHUNK] for s in range(0, len(order), CHUNK)]
    out = np.zeros((len(texts), 384), dtype=np.float32)
    encoder = None
    sess = None
    t0 = time.perf_counter()
    for c, idx in enumerate(chunks):
        part = folder / f"part-{c:04d}.npy"
        if part.is_file():
            out[idx] = np.load(part)
            continue
        if encoder is None:
            encoder = MultilingualEncoder(model_dir, threads=threads)
            h = encoder._ckpt.header  # the base checkpoint's shape
            sess = session(quantize(layers_graph(
                tuned, range(encoder.frozen, h.layers), hidden=h.hidden, heads=h.heads,
                eps=h.eps, output="states")), threads)
        assert sess is not None
        block = np.zeros((len(idx), 384), dtype=np.float32)
        for s in range(0, len(idx), 32):
            enc = encoder.lower([texts[i] for i in idx[s:s + 32]])
            states = sess.run(None, {"x": enc.states, "mask": enc.mask})[0]
            m = enc.mask[..., None]
            block[s:s + 32] = (states * m).sum(1) / np.maximum(m.sum(1), 1.0)
        np.save(part, block)
        out[idx] = block
        log.info("pooled states: chunk %d/%d (%.0f s)", c + 1, len(chunks),
                 time.perf_counter() - t0)
    return out


def fit_head(x: np.ndarray, y: np.ndarray, w: np.ndarray, c: float) -> tuple[np.ndarray,
                                                                            np.ndarray]:
    """Multinomial logistic regression on standardised features, folded back into one
    weight matrix [3, H] and bias [3] on the raw pooled states."""
    from sklearn.linear_model import LogisticRegression

    mu, sd = x.mean(0), x.std(0) + 1e-6
    clf = LogisticRegression(C=c, max_iter=2000, tol=1e-6)
    clf.fit((x - mu) / sd, y, sample_weight=w / w.mean())
    coef = clf.coef_ / sd
    return coef.astype(np.float32), (clf.intercept_ - coef @ mu).astype(np.float32)


def fit_anchored(x: np.ndarray, y: np.ndarray, w: np.ndarray, anchor: tuple[np.ndarray,
                 np.ndarray], lam: float) -> tuple[np.ndarray, np.ndarray]:
    """Weighted cross-entropy plus `lam`/2 * |W - W0|^2: the head moves away from the
    fine-tuned one (W0, b0) only as far as the new rows ask for (L-BFGS, float64)."""
    from scipy.optimize import minimize

    w0, b0 = anchor[0].astype(np.float64), anchor[1].astype(np.float64)
    k, h = w0.shape
    onehot = np.eye(k)[y]
    sw = w / w.sum()

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        wm, b = theta[: k * h].reshape(k, h), theta[k * h:]
        z = x @ wm.T + b
        z -= z.max(1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(1, keepdims=True))
        d = wm - w0
        value = float(-(sw * (onehot * logp).sum(1)).sum() + 0.5 * lam * (d * d).sum())
        g = (np.exp(logp) - onehot) * sw[:, None]
        grad = np.concatenate([(g.T @ x + lam * d).ravel(), g.sum(0)])
        return value, grad

    res = minimize(loss, np.concatenate([w0.ravel(), b0]), jac=True, method="L-BFGS-B",
                   options={"maxiter": 500})
    return (res.x[: k * h].reshape(k, h).astype(np.float32),
            res.x[k * h:].astype(np.float32))


def softmax_head(x: np.ndarray, coef: np.ndarray, bias: np.ndarray) -> np.ndarray:
    z = x @ coef.T + bias
    z -= z.max(1, keepdims=True)
    e = np.exp(z)
    out: np.ndarray = e / e.sum(1, keepdims=True)
    return out


def weights_for(ngram: Any, rows: list[Row], mode: str) -> np.ndarray:
    """train.py's weights (classes balanced per language, a language ∝ sqrt of its size);
    `own`: GermEval a group of its own."""
    if mode == "own":
        rows = [(t, y, "de-germeval" if src == "germeval" else lg, src)
                for t, y, lg, src in rows]
    w: np.ndarray = ngram.sample_weights(rows, 0.5)
    return w


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "datasets")
    ap.add_argument("--eval", type=Path, default=REPO.parent / "shared" / "eval")
    ap.add_argument("--model", type=Path, default=REPO / "models" / "stimmung_multilingual")
    ap.add_argument("--cache", type=Path, default=Path("build/e5-cache"))
    ap.add_argument("--germeval", nargs="+", default=["none", "de", "own"],
                    choices=["none", "de", "own"],
                    help="variants to measure; with --write the first one ships")
    ap.add_argument("--C", type=float, nargs="+", default=[1.0])
    ap.add_argument("--anchor", type=float, nargs="*", default=[],
                    help="instead of a plain refit: stay near the fine-tuned head, "
                         "penalty lam/2 * |W - W0|^2 for each lam given")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--oof-out", type=Path, default=Path("build/germeval-oof.npz"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    t_start = time.process_time()

    ngram = ngram_training()
    config = json.loads((args.model / "config.json").read_text(encoding="utf-8"))
    tr = config["training"]
    base = cap_english(ngram.load_training(args.data), int(tr["max_english"]),
                       int(tr["per_lang"]["en"]))
    germ = ngram.load_germeval(args.data)
    log.info("rows: %d public (%s), %d GermEval", len(base),
             dict(sorted(Counter(r[2] for r in base).items())), len(germ))
    evals = load_eval(args.eval)
    names = sorted(evals)

    texts = list(dict.fromkeys([r[0] for r in base] + [r[0] for r in germ] +
                               [t for n in names for t in evals[n][0]]))
    where = {t: i for i, t in enumerate(texts)}
    x_all = pooled_states(args.model, texts, args.cache, args.threads)

    def feats(ts: list[str]) -> np.ndarray:
        return x_all[[where[t] for t in ts]]

    x_eval = {n: feats(evals[n][0]) for n in names}
    g_texts, g_y = evals[GERMEVAL_FILE][0], evals[GERMEVAL_FILE][1]
    g_fold = np.array([ngram.germeval_fold(t) for t in g_texts])
    row_fold = np.array([ngram.germeval_fold(r[0]) for r in germ])
    folds = int(ngram.GERMEVAL_FOLDS)

    # the head as fine-tuned by train.py (kept as `anchor.*` once a refit is written):
    # the reference, and what --anchor stays near
    with np.load(args.model / "weights.npz", allow_pickle=False) as z:
        part = "anchor" if "anchor.w" in z.files else "head"
        old = (z[f"{part}.w"].astype(np.float32), z[f"{part}.b"].astype(np.float32))
    results: dict[str, dict[str, Any]] = {"fine_tuned_head": {
        n: round(macro_f1(evals[n][1], softmax_head(x_eval[n], *old).argmax(1)), 4)
        for n in names}}
    heads: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    oof: dict[str, np.ndarray] = {}
    for mode in args.germeval:
        for c in (args.anchor or args.C):
            key = f"{mode}_{'anchor' if args.anchor else 'C'}{c}"
            rows = base + (germ if mode != "none" else [])
            x = feats([r[0] for r in rows])
            y = np.array([LABELS.index(r[1]) for r in rows])
            w = weights_for(ngram, rows, mode)

            def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray,
                    c: float = c) -> tuple[np.ndarray, np.ndarray]:
                return fit_anchored(x, y, w, old, c) if args.anchor else fit_head(x, y, w, c)

            heads[key] = fit(x, y, w)
            res = {n: round(macro_f1(evals[n][1], softmax_head(x_eval[n], *heads[key])
                                     .argmax(1)), 4) for n in names}
            if mode != "none":
                probs = np.zeros((len(g_texts), len(LABELS)))
                is_germ = np.array([r[3] == "germeval" for r in rows])
                fold_of_row = np.full(len(rows), -1)
                fold_of_row[is_germ] = row_fold
                for k in range(folds):
                    keep = fold_of_row != k
                    head_k = fit(x[keep], y[keep], w[keep])
                    probs[g_fold == k] = softmax_head(x_eval[GERMEVAL_FILE][g_fold == k],
                                                      *head_k)
                oof[key] = probs
                res[GERMEVAL_FILE] = round(macro_f1(g_y, probs.argmax(1)), 4)
                res["germeval_in_sample"] = round(macro_f1(
                    g_y, softmax_head(x_eval[GERMEVAL_FILE], *heads[key]).argmax(1)), 4)
            res["mean"] = round(float(np.mean([res[n] for n in names])), 4)
            res["mean_de"] = round(float(np.mean(
                [res[n] for n in names if n.endswith("_de") or "_de_" in n])), 4)
            results[key] = res
            log.info("%s: %s", key, res)
    print(json.dumps(results, indent=1))
    if args.write:
        key = (f"{args.germeval[0]}_anchor{args.anchor[0]}" if args.anchor
               else f"{args.germeval[0]}_C{args.C[0]}")
        coef, bias = heads[key]
        with np.load(args.model / "weights.npz", allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        arrays.setdefault("anchor.w", arrays["head.w"])
        arrays.setdefault("anchor.b", arrays["head.b"])
        arrays["head.w"], arrays["head.b"] = coef, bias
        np.savez_compressed(args.model / "weights.npz", **arrays)
        config["version"] = "1.1"
        config["head"] = {
            "refit_by": "models/stimmung_multilingual/head.py",
            "germeval": args.germeval[0],
            **({"anchor_lambda": args.anchor[0]} if args.anchor else {"C": args.C[0]}),
            "n_rows": len(base) + (len(germ) if args.germeval[0] != "none" else 0),
            "germeval_rows": len(germ) if args.germeval[0] != "none" else 0,
            "germeval_folds": folds, "validation": results[key],
            "cpu_seconds": round(time.process_time() - t_start, 1),
        }
        (args.model / "config.json").write_text(json.dumps(config, indent=2) + "\n",
                                                encoding="utf-8")
        if key in oof:
            args.oof_out.parent.mkdir(parents=True, exist_ok=True)
            saved: dict[str, Any] = {
                f"encoder:{GERMEVAL_FILE}": oof[key],
                f"texts_sha:{GERMEVAL_FILE}": np.array(
                    hashlib.sha256("\n".join(g_texts).encode()).hexdigest())}
            np.savez(args.oof_out, **saved)
        log.info("wrote the %s head into %s", key, args.model / "weights.npz")


if __name__ == "__main__":
    main()
