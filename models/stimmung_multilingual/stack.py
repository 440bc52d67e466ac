"""Combine the fine-tuned encoder with the n-gram model, pick the cascade threshold, and
measure everything on the validation files — through the runtime that ships (int8 ONNX).

    python models/stimmung_multilingual/stack.py --eval ../shared/eval

For every validation file it scores: the n-gram model alone, the encoder alone, the
weighted mean of both (encoder share 0.5, 0.65, 0.8 or 1.0), and a stacker (a
multinomial logistic regression on both models' log-probabilities, 12 weights + 3
intercepts). The stacker is fitted on validation files, so its figures are
**leave-one-file-out**: for each file, a stacker fitted on the other files only. The
combiner with the highest mean macro-F1 over the files ships (one choice among five, so
the selection itself hardly overstates); the cascade threshold (the encoder only scores
texts whose n-gram top probability is below it) is the lowest whose mean macro-F1 stays
within 0.005 of sending every text to the encoder. Both go into `config.json`;
`eval.json` keeps every figure for the model card.

German, a first-class language with three validation files of its own (two tweet sets
and GermEval's customer feedback), gets its own threshold and encoder share (`by_lang`
in `config.json`): the pair with the highest mean macro-F1 over the German files, and,
reported beside it, the leave-one-file-out figure (pair chosen on the other German
files, measured on the held-out one).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from evalfiles import load_eval, macro_f1  # noqa: E402

from pipeline.nlp.encoder import MultilingualEncoder  # noqa: E402
from pipeline.nlp.sentiment.linear import LinearSentiment  # noqa: E402
from pipeline.records import LABELS  # noqa: E402

log = logging.getLogger("stack")
WEIGHTS = (0.5, 0.65, 0.8, 0.9, 1.0)  # the encoder's share in the mean
THRESHOLDS = (1.01, 0.95, 0.9, 0.85, 0.8, 0.7)  # above 1: every text is encoded


def features(p_enc: np.ndarray, p_ng: np.ndarray) -> np.ndarray:
    return np.log(np.clip(np.hstack([p_enc, p_ng]), 1e-6, 1.0))


def fit_stacker(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=1.0, max_iter=1000).fit(x, y, sample_weight=w)


def cascade(p_enc: np.ndarray, p_ng: np.ndarray, tau: float, weight: float) -> np.ndarray:
    unsure = p_ng.max(1) < tau
    mixed: np.ndarray = np.where(unsure[:, None], weight * p_enc + (1 - weight) * p_ng, p_ng)
    return mixed


def own_settings(files: list[str], y: dict[str, np.ndarray], p_enc: dict[str, np.ndarray],
                 p_ng: dict[str, np.ndarray]) -> dict[str, Any]:
    """The (threshold, weight) pair with the best mean macro-F1 over one language's files,
    and each file's figure when the pair is chosen on the other files only."""
    grid = [(t, w) for t in THRESHOLDS for w in WEIGHTS]
    score = {(f, g): macro_f1(y[f], cascade(p_enc[f], p_ng[f], *g).argmax(1))
             for f in files for g in grid}

    def best(on: list[str]) -> tuple[float, float]:
        return max(grid, key=lambda g: float(np.mean([score[f, g] for f in on])))

    tau, weight = best(files)
    lofo = {}
    for held in files:
        pick = best([f for f in files if f != held])
        lofo[held] = {"chosen": list(pick), "macro_f1": round(score[held, pick], 4)}
    return {"threshold": tau, "encoder_weight": weight,
            "mean_macro_f1": round(float(np.mean([score[f, (tau, weight)] for f in files])), 4),
            "per_file": {f: round(score[f, (tau, weight)], 4) for f in files},
            "encoded": round(float(np.mean([(p_ng[f].max(1) < tau).mean() for f in files])), 3),
            "leave_one_file_out": lofo}


def apply_oof(path: Path, data: dict[str, Any], p_enc: dict[str, np.ndarray],
              p_ng: dict[str, np.ndarray]) -> list[str]:
    """Replace scores by out-of-fold ones where given; the file's texts must match."""
    import hashlib

    replaced = []
    with np.load(path, allow_pickle=False) as z:
        for key in z.files:
            if ":" not in key:
                continue
            which, name = key.split(":", 1)
            if which not in ("encoder", "ngram"):
                continue
            sha = hashlib.sha256("\n".join(data[name][0]).encode()).hexdigest()
            if str(z[f"texts_sha:{name}"]) != sha:
                raise ValueError(f"{path}: {name} was scored on other texts")
            (p_enc if which == "encoder" else p_ng)[name] = z[key].astype(np.float64)
            replaced.append(f"{path.name}:{key}")
    log.info("out-of-fold scores from %s: %s", path, replaced)
    return replaced


def balanced_weights(y: np.ndarray) -> np.ndarray:
    """Every file weighs the same, classes balanced within it (macro-F1 is the goal)."""
    counts = np.bincount(y, minlength=len(LABELS)).astype(float)
    w = len(y) / (len(LABELS) * np.maximum(counts[y], 1.0))
    return w / w.sum()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval", type=Path, default=REPO.parent / "shared" / "eval")
    ap.add_argument("--model", type=Path, default=REPO / "models" / "stimmung_multilingual")
    ap.add_argument("--ngram", type=Path, default=REPO / "models" / "stimmung_sentiment")
    ap.add_argument("--threshold", type=float, default=None,
                    help="cascade threshold to ship (default: the lowest whose mean "
                         "leave-one-file-out macro-F1 is within 0.005 of sending everything)")
    ap.add_argument("--own-settings", nargs="*", default=["de"],
                    help="languages that get their own threshold and encoder share, chosen "
                         "on their own validation files (at least two files)")
    ap.add_argument("--oof", type=Path, nargs="*", default=[],
                    help="out-of-fold probabilities (`head.py --write`: `encoder:<file>`, "
                         "`ngram:<file>`) that replace the shipped models' scores on files "
                         "that were trained on in cross-validation (GermEval)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    data = load_eval(args.eval)
    ngram = LinearSentiment(args.ngram)
    encoder = MultilingualEncoder(args.model)
    p_enc: dict[str, np.ndarray] = {}
    p_ng: dict[str, np.ndarray] = {}
    speed = {}
    for name, (texts, _, langs) in data.items():
        t0 = time.perf_counter()
        probs, _ = encoder.run(texts, sentiment=True)
        assert probs is not None
        speed[name] = round(len(texts) / (time.perf_counter() - t0), 1)
        p_enc[name] = probs.astype(np.float64)
        p_ng[name] = ngram.predict_proba(texts, langs)
        log.info("%s: encoder %.1f texts/s", name, speed[name])

    replaced = [k for path in args.oof for k in apply_oof(path, data, p_enc, p_ng)]
    names = sorted(data)
    stacked: dict[str, np.ndarray] = {}
    figures: dict[str, dict[str, Any]] = {}
    for held in names:
        y = data[held][1]
        train = [n for n in names if n != held]
        x_tr = np.vstack([features(p_enc[n], p_ng[n]) for n in train])
        y_tr = np.concatenate([data[n][1] for n in train])
        w_tr = np.concatenate([balanced_weights(data[n][1]) for n in train])
        stacked[held] = fit_stacker(x_tr, y_tr, w_tr).predict_proba(
            features(p_enc[held], p_ng[held]))
        figures[held] = {
            "n": len(y),
            "ngram": round(macro_f1(y, p_ng[held].argmax(1)), 4),
            "encoder": round(macro_f1(y, p_enc[held].argmax(1)), 4),
            "stacked_lofo": round(macro_f1(y, stacked[held].argmax(1)), 4),
        }
        for w in WEIGHTS:
            mixed = w * p_enc[held] + (1 - w) * p_ng[held]
            figures[held][f"mean_{w}"] = round(macro_f1(y, mixed.argmax(1)), 4)
    averages = {key: float(np.mean([f[key] for f in figures.values()]))
                for key in ["stacked_lofo", *(f"mean_{w}" for w in WEIGHTS)]}
    best = max(averages, key=lambda k: averages[k])
    method = "stack" if best == "stacked_lofo" else "mean"
    weight = 0.5 if method == "stack" else float(best.removeprefix("mean_"))
    log.info("combiners (mean macro-F1 over the files): %s; chosen %s", averages, best)
    for held in names:
        y = data[held][1]
        combined = (weight * p_enc[held] + (1 - weight) * p_ng[held] if method == "mean"
                    else stacked[held])
        row = figures[held]
        for tau in THRESHOLDS:
            unsure = p_ng[held].max(1) < tau
            mixed = np.where(unsure[:, None], combined, p_ng[held])
            row[f"cascade_{tau}"] = round(macro_f1(y, mixed.argmax(1)), 4)
            row[f"encoded_{tau}"] = round(float(unsure.mean()), 3)
        log.info("%s %s", held, row)

    means = {tau: float(np.mean([figures[n][f"cascade_{tau}"] for n in names]))
             for tau in THRESHOLDS}
    tau = args.threshold
    if tau is None:
        tau = min(t for t in THRESHOLDS if means[t] >= means[1.01] - 0.005)
    combine: dict[str, Any] = {"method": "mean", "encoder_weight": weight}
    if method == "stack":
        x_all = np.vstack([features(p_enc[n], p_ng[n]) for n in names])
        y_all = np.concatenate([data[n][1] for n in names])
        w_all = np.concatenate([balanced_weights(data[n][1]) for n in names])
        final = fit_stacker(x_all, y_all, w_all)
        combine = {"method": "stack", "coef": final.coef_.round(6).tolist(),
                   "intercept": final.intercept_.round(6).tolist(), "fitted_on": names}
    config_path = args.model / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config.pop("stack", None)
    config["combine"] = combine
    config["cascade"] = {"threshold": tau}
    by_lang: dict[str, dict[str, Any]] = {}
    if method == "mean":
        for lang in args.own_settings:
            files = [n for n in names if max(set(data[n][2]), key=data[n][2].count) == lang]
            if len(files) >= 2:
                by_lang[lang] = own_settings(files, {n: data[n][1] for n in files}, p_enc, p_ng)
                log.info("%s: own settings %s", lang, by_lang[lang])
    config["by_lang"] = {lang: {"threshold": v["threshold"], "encoder_weight": v["encoder_weight"]}
                         for lang, v in by_lang.items()}
    config_path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    result = {"per_file": figures, "combine": combine["method"], "encoder_weight": weight,
              "combiner_means": averages, "cascade_mean_macro_f1": means,
              "threshold": tau, "by_lang": by_lang, "encoder_texts_per_s": speed,
              "out_of_fold": replaced}
    (args.model / "eval.json").write_text(json.dumps(result, indent=2) + "\n",
                                          encoding="utf-8")
    log.info("threshold %.2f; wrote %s and eval.json", tau, config_path)


if __name__ == "__main__":
    main()
