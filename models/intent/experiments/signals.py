"""Research run: which encoder signal should the intent head use in the accurate profile?

    python models/intent/experiments/signals.py features   # encode all sets once -> /tmp cache
    python models/intent/experiments/signals.py heads      # train/evaluate heads per signal

Signals per text (all from one `MultilingualEncoder.lower` pass):
* `lower8`: masked mean of the shared lower layers' states (no extra layers), L2-normalised
* `e5`: the original e5 top (4 more layers) -> the e5 passage embedding
* `senttop`: the sentiment top's pooled state (what its linear head sees), L2-normalised
* `sent`: the stimmung-multilingual backend's probabilities (3 numbers, every text)
and `encoded`: whether the backend's cascade sends the text to the encoder.

Sets: intent_train (193) and the real posts (542) for training; intent_eval (422) and the
demo corpus's gold intents (2,045, title + body as analysis sees them) for testing; the
real posts are also measured by 5-fold CV. "system" = head where `encoded`, rules elsewhere
(what the accurate profile can afford); "full" = head on every text.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))
sys.path.insert(0, str(HERE.parent))

from evaluate import read_tsv  # noqa: E402
from real_posts import DEFAULT_SHARED, read_real_posts  # noqa: E402

from pipeline.nlp.intent import INTENTS, rule_intents  # noqa: E402

CACHE = Path("/tmp/intent_signals.npz")
SIGNALS = ("lower8", "e5", "senttop")


def load_sets() -> dict[str, tuple[list[str], list[str], list[str]]]:
    from pipeline.demo.corpus import generate_corpus
    from pipeline.stages.enrich import post_text

    real = read_real_posts(DEFAULT_SHARED)
    demo = generate_corpus()
    return {
        "train": read_tsv(HERE.parent / "intent_train.tsv"),
        "real": ([p.text for p in real], [p.label for p in real], [p.lang for p in real]),
        "eval": read_tsv(HERE.parent / "intent_eval.tsv"),
        "demo": ([post_text(p.title, p.body) for p in demo], [p.gold.intent for p in demo],
                 [p.lang for p in demo]),
    }


def features() -> None:
    from pipeline.nlp.e5_graph import layers_graph, quantize, session
    from pipeline.nlp.sentiment import load_backend
    from pipeline.nlp.vectors import l2_normalise

    backend = load_backend("stimmung-multilingual")
    enc = backend.encoder  # type: ignore[attr-defined]
    h = enc._ckpt.header
    senttop = session(quantize(layers_graph(enc._tuned, range(enc.frozen, h.layers),
                                            hidden=h.hidden, heads=h.heads, eps=h.eps,
                                            output="embedding")))
    out: dict[str, np.ndarray] = {}
    for name, (texts, _, langs) in load_sets().items():
        t0 = time.process_time()
        probs = backend.ngram.predict_proba(texts, langs)  # type: ignore[attr-defined]
        thr, _ = backend._settings(langs, len(texts))  # type: ignore[attr-defined]
        out[f"{name}.encoded"] = probs.max(axis=1) < thr
        out[f"{name}.sent"] = np.array([[r.scores[k] for k in ("negative", "neutral", "positive")]
                                        for r in backend.predict(texts, langs)], np.float32)
        feats = {s: np.zeros((len(texts), h.hidden), np.float32) for s in SIGNALS}
        order = np.argsort([len(t) for t in texts], kind="stable")
        for s in range(0, len(texts), 32):
            idx = order[s:s + 32]
            e = enc.lower([texts[i] for i in idx])
            m = e.mask[:, :, None]
            feats["lower8"][idx] = l2_normalise((e.states * m).sum(1) / m.sum(1))
            feats["e5"][idx] = enc.embedding(e)
            feats["senttop"][idx] = senttop.run(None, {"x": e.states, "mask": e.mask})[0]
        for s in SIGNALS:
            out[f"{name}.{s}"] = feats[s]
        print(f"{name}: {len(texts)} texts, {out[f'{name}.encoded'].mean():.2f} encoded by the "
              f"cascade, {time.process_time() - t0:.0f} CPU-s", flush=True)
    np.savez(CACHE, **out)


def macro(gold: np.ndarray, pred: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, pred, labels=list(INTENTS), average="macro", zero_division=0))


def heads() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    from pipeline.nlp.intent_head import head_features

    z = np.load(CACHE)
    sets = load_sets()
    gold = {k: np.array(v[1]) for k, v in sets.items()}
    rules = {k: np.array(rule_intents(v[0], v[2])) for k, v in sets.items()}
    langs = {k: np.array(v[2]) for k, v in sets.items()}
    print("rules:", {k: round(macro(gold[k], rules[k]), 3) for k in ("real", "eval", "demo")})
    for k in ("real", "eval", "demo"):
        print(f"  {k}: encoded share {z[f'{k}.encoded'].mean():.2f}")

    def x_of(sig: str, k: str) -> np.ndarray:
        texts, _, lg = sets[k]
        parts = [z[f"{k}.{s}"] for s in sig.split("+") if s != "none"]
        emb = np.hstack(parts) if parts else np.zeros((len(texts), 0), np.float32)
        return head_features(texts, lg, emb)

    grid = [(sig, c) for sig in ("none", "sent", "lower8", "lower8+sent", "e5", "e5+sent",
                                 "senttop", "senttop+sent")
            for c in ((1.0, 4.0) if sig not in ("none", "sent") else (1.0,))]
    if len(sys.argv) > 2:  # e.g. lower8:2,4,8
        grid = [(sig, float(c)) for arg in sys.argv[2:]
                for sig, cs in [arg.split(":")] for c in cs.split(",")]
    for sig, c in grid:
        xs = {k: x_of(sig, k) for k in sets}

        def fit(x: np.ndarray, y: np.ndarray, c: float = c) -> LogisticRegression:
            return LogisticRegression(C=c, max_iter=5000, class_weight="balanced").fit(x, y)

        row = []
        for seed in (0, 1):
            pred = np.empty(len(gold["real"]), dtype=object)
            for a, b in StratifiedKFold(5, shuffle=True, random_state=seed).split(
                    xs["real"], gold["real"]):
                m = fit(np.vstack([xs["train"], xs["real"][a]]),
                        np.concatenate([gold["train"], gold["real"][a]]))
                pred[b] = m.predict(xs["real"][b])
            enc = z["real.encoded"]
            sysp = np.where(enc, pred, rules["real"])
            sys2 = np.where(enc | (rules["real"] != "other"), pred, rules["real"])
            row.append((macro(gold["real"], pred), macro(gold["real"], sysp),
                        macro(gold["real"], sys2)))
        m = fit(np.vstack([xs["train"], xs["real"]]), np.concatenate([gold["train"], gold["real"]]))
        res = []
        for k in ("eval", "demo"):
            p = m.predict(xs[k])
            sysp = np.where(z[f"{k}.encoded"], p, rules[k])
            sys2 = np.where(z[f"{k}.encoded"] | (rules[k] != "other"), p, rules[k])
            res.append((macro(gold[k], p), macro(gold[k], sysp), macro(gold[k], sys2)))
        de = langs["demo"] == "de"
        p = m.predict(xs["demo"])
        sysp = np.where(z["demo.encoded"], p, rules["demo"])
        print(f"{sig:14s} C={c:<4} real CV full {row[0][0]:.3f}/{row[1][0]:.3f} "
              f"system {row[0][1]:.3f}/{row[1][1]:.3f} | eval full {res[0][0]:.3f} "
              f"system {res[0][1]:.3f} | demo full {res[1][0]:.3f} system {res[1][1]:.3f} "
              f"(de {macro(gold['demo'][de], sysp[de]):.3f} en "
              f"{macro(gold['demo'][~de], sysp[~de]):.3f}) | +rules!=other: real "
              f"{row[0][2]:.3f}/{row[1][2]:.3f} eval {res[0][2]:.3f} demo {res[1][2]:.3f}",
              flush=True)


if __name__ == "__main__":
    {"features": features, "heads": heads}[sys.argv[1]]()
