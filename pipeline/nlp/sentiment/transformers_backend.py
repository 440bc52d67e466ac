"""Sentiment with any Hugging Face sequence-classification model (id or local folder).

Labels are normalised to negative/neutral/positive from `config.id2label`; long posts
are split into overlapping token windows and their probabilities averaged, weighted by
window length. torch/transformers are imported lazily (the `transformers` extra).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.records import LABELS, SentimentResult

logger = logging.getLogger(__name__)

MISSING_EXTRA = (
    "the transformers backend needs torch and transformers: "
    "install the `transformers` extra: pip install 'stimmung[transformers]'"
)
_STAR = re.compile(r"^\s*([1-5])\s*(?:star|stars|sterne?|⭐)?\s*$", re.IGNORECASE)
_GENERIC = re.compile(r"^label[_ ]?(\d+)$", re.IGNORECASE)
_PREFIX = {"neg": "negative", "neu": "neutral", "pos": "positive"}
_STAR_CLASS = {1: "negative", 2: "negative", 3: "neutral", 4: "positive", 5: "positive"}


def label_mapping(id2label: Mapping[int | str, str]) -> np.ndarray:
    """Matrix M (num_labels x 3): model probabilities @ M = probabilities over LABELS.

    Understands negative/neutral/positive (any case, abbreviations like NEG/NEU/POS,
    German negativ/positiv), generic LABEL_0..2 (read as neg/neu/pos), and 5-star models
    ("1 star".."5 stars" or LABEL_0..4): 1-2 negative, 3 neutral, 4-5 positive.
    """
    items = sorted((int(k), str(v)) for k, v in id2label.items())
    n = len(items)
    if [i for i, _ in items] != list(range(n)):
        raise ValueError(f"id2label ids are not 0..{n - 1}: {dict(items)}")
    names = [v.strip().lower() for _, v in items]
    target: list[str] = []
    if all(_GENERIC.match(x) for x in names):
        if n == 3:
            target = list(LABELS)
        elif n == 5:
            target = [_STAR_CLASS[i + 1] for i in range(5)]
    elif all(_STAR.match(x) for x in names):
        target = [_STAR_CLASS[int(_STAR.match(x).group(1))] for x in names]  # type: ignore[union-attr]
    elif all(x[:3] in _PREFIX for x in names):
        target = [_PREFIX[x[:3]] for x in names]
    if not target:
        raise ValueError(
            f"cannot map model labels {[v for _, v in items]} to {list(LABELS)}; "
            "expected negative/neutral/positive, LABEL_0..2 or 1..5 stars"
        )
    m = np.zeros((n, len(LABELS)), dtype=np.float64)
    for i, lab in enumerate(target):
        m[i, LABELS.index(lab)] = 1.0
    return m


def split_windows(n_tokens: int, window: int, stride: int) -> list[tuple[int, int]]:
    """Overlapping [start, end) windows of at most `window` tokens covering `n_tokens`."""
    if window <= 0:
        raise ValueError("window must be positive")
    if n_tokens <= window:
        return [(0, n_tokens)]
    step = max(1, window - max(0, min(stride, window - 1)))
    spans = []
    start = 0
    while True:
        end = min(start + window, n_tokens)
        spans.append((start, end))
        if end >= n_tokens:
            return spans
        start += step


def _hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


class TransformersSentiment:
    """SentimentBackend over a Hugging Face sequence-classification model."""

    def __init__(
        self,
        model: str,
        device: str = "auto",
        batch_size: int = 32,
        max_length: int | None = None,
        stride: int = 64,
        onnx: bool = False,
        local_files_only: bool | None = None,
    ) -> None:
        try:
            import torch
            import transformers
        except ImportError as e:
            raise ImportError(MISSING_EXTRA) from e
        self.model_id = model
        self.name = f"transformers:{model}"
        self.batch_size = max(1, batch_size)
        self.stride = stride
        folder = Path(model).expanduser()
        is_local = folder.is_dir()
        if local_files_only is None:
            local_files_only = _hub_offline() or is_local
        local_only = local_files_only
        source = str(folder) if is_local else model
        self.tokenizer: Any = transformers.AutoTokenizer.from_pretrained(
            source, local_files_only=local_only
        )
        self.config: Any = transformers.AutoConfig.from_pretrained(
            source, local_files_only=local_only
        )
        self.mapping = label_mapping(self.config.id2label)
        self.max_length = self._max_length(max_length)
        self._prefix, self._suffix = self._special_tokens()
        self.window = self.max_length - len(self._prefix) - len(self._suffix)
        if self.window < 8:
            raise ValueError(f"max_length {self.max_length} leaves no room for text")
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        if device not in {"cpu", "cuda"} and not device.startswith("cuda:"):
            raise ValueError(f"device must be auto, cpu or cuda, not {device!r}")
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise ValueError(f"device {device!r} requested but torch sees no CUDA device")
        self.device = device
        self.onnx = onnx
        self._torch_model: Any = None
        self._session: Any = None
        if onnx:
            self._session = self._onnx_session(source, is_local, local_only)
        else:
            mdl = transformers.AutoModelForSequenceClassification.from_pretrained(
                source, local_files_only=local_only
            )
            self._torch_model = mdl.to(device).eval()
        self.version = self._version(folder if is_local else None)
        self.last_windows: list[int] = []
        logger.info("loaded %s (%s, device=%s, onnx=%s)", self.name, self.version, device, onnx)

    def _special_tokens(self) -> tuple[list[int], list[int]]:
        """Ids the tokenizer puts before and after a single sequence ([CLS] .. [SEP])."""
        probe = "hello world"
        bare = list(self.tokenizer(probe, add_special_tokens=False)["input_ids"])
        full = list(self.tokenizer(probe, add_special_tokens=True)["input_ids"])
        for k in range(len(full) - len(bare) + 1):
            if full[k : k + len(bare)] == bare:
                return full[:k], full[k + len(bare) :]
        raise ValueError("cannot locate special tokens of this tokenizer")

    def _max_length(self, requested: int | None) -> int:
        limits = [512]
        tml = getattr(self.tokenizer, "model_max_length", None)
        if isinstance(tml, int) and 0 < tml < 100_000:
            limits.append(tml)
        mpe = getattr(self.config, "max_position_embeddings", None)
        if isinstance(mpe, int) and mpe > 0:
            # RoBERTa-style models reserve padding_idx + 1 positions
            offset = 2 if getattr(self.config, "model_type", "") in {
                "roberta", "xlm-roberta", "camembert", "bertweet"
            } else 0  # fmt: skip
            limits.append(mpe - offset)
        if requested:
            limits.append(requested)
        return min(limits)

    def _version(self, folder: Path | None) -> str:
        commit = getattr(self.config, "_commit_hash", None)
        if commit:
            return str(commit)[:12]
        if folder is not None:
            h = hashlib.sha256()
            for p in sorted(folder.iterdir()):
                if p.suffix in {".safetensors", ".bin", ".json", ".onnx"} and p.is_file():
                    h.update(p.name.encode())
                    h.update(p.read_bytes())
            return h.hexdigest()[:12]
        return "unknown"

    def _onnx_session(self, source: str, is_local: bool, local_only: bool) -> Any:
        try:
            import onnxruntime as ort
        except ImportError as e:
            raise ImportError(MISSING_EXTRA) from e
        cache = Path(os.environ.get("STIMMUNG_CACHE_DIR", Path.home() / ".cache" / "stimmung"))
        cached = cache / "onnx" / re.sub(r"[^\w.-]+", "__", source) / "model.onnx"
        path = Path(source) / "model.onnx" if is_local else cached
        if not path.is_file() and path != cached and cached.is_file():
            path = cached
        if not path.is_file():
            try:
                self._export_onnx(source, local_only, path)
            except PermissionError:
                if path == cached:
                    raise
                logger.warning("%s is read-only; exporting ONNX to %s", path.parent, cached)
                path = cached
                self._export_onnx(source, local_only, path)
        providers = ["CPUExecutionProvider"]
        if (
            self.device.startswith("cuda")
            and "CUDAExecutionProvider" in ort.get_available_providers()
        ):
            providers.insert(0, "CUDAExecutionProvider")
        return ort.InferenceSession(str(path), providers=providers)

    def _export_onnx(self, source: str, local_only: bool, path: Path) -> None:
        import torch
        import transformers

        logger.info("exporting %s to %s", source, path)
        mdl = transformers.AutoModelForSequenceClassification.from_pretrained(
            source, local_files_only=local_only
        ).eval()
        enc = self.tokenizer(
            ["an example", "another example text"], padding=True, return_tensors="pt"
        )
        names = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in enc]
        axes = {k: {0: "batch", 1: "sequence"} for k in names}
        axes["logits"] = {0: "batch"}

        class _Wrap(torch.nn.Module):
            def __init__(self, inner: Any) -> None:
                super().__init__()
                self.inner = inner

            def forward(self, *args: Any) -> Any:
                return self.inner(**dict(zip(names, args, strict=True))).logits

        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".onnx.tmp")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer warnings of the legacy exporter
            torch.onnx.export(
                _Wrap(mdl),
                tuple(enc[k] for k in names),
                str(tmp),
                input_names=names,
                output_names=["logits"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )
        tmp.replace(path)

    def _logits(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        if self._session is not None:
            wanted = {i.name for i in self._session.get_inputs()}
            feed = {k: v.astype(np.int64) for k, v in batch.items() if k in wanted}
            return np.asarray(self._session.run(["logits"], feed)[0], dtype=np.float64)
        import torch

        with torch.inference_mode():
            inputs = {k: torch.from_numpy(v).to(self.device) for k, v in batch.items()}
            out = self._torch_model(**inputs).logits
            return out.float().cpu().numpy().astype(np.float64)

    def predict_proba(
        self, texts: Sequence[str], langs: Sequence[str | None] | None = None
    ) -> np.ndarray:
        """Probabilities over LABELS, shape (len(texts), 3)."""
        enc = self.tokenizer(
            [t or "" for t in texts], add_special_tokens=False, truncation=False, verbose=False
        )["input_ids"]
        windows: list[tuple[int, list[int]]] = []
        self.last_windows = []
        for i, ids in enumerate(enc):
            spans = split_windows(len(ids), self.window, self.stride)
            self.last_windows.append(len(spans))
            windows.extend((i, ids[s:e]) for s, e in spans)
        order = sorted(range(len(windows)), key=lambda k: len(windows[k][1]))
        sums = np.zeros((len(texts), len(LABELS)))
        weights = np.zeros(len(texts))
        pad_id = self.tokenizer.pad_token_id or 0
        for start in range(0, len(order), self.batch_size):
            chunk = [windows[k] for k in order[start : start + self.batch_size]]
            built = [self._prefix + ids + self._suffix for _, ids in chunk]
            width = max(len(b) for b in built)
            input_ids = np.full((len(built), width), pad_id, dtype=np.int64)
            mask = np.zeros((len(built), width), dtype=np.int64)
            for r, b in enumerate(built):
                input_ids[r, : len(b)] = b
                mask[r, : len(b)] = 1
            batch = {"input_ids": input_ids, "attention_mask": mask}
            if "token_type_ids" in self.tokenizer.model_input_names:
                batch["token_type_ids"] = np.zeros_like(input_ids)
            logits = self._logits(batch)
            z = np.exp(logits - logits.max(axis=1, keepdims=True))
            probs = (z / z.sum(axis=1, keepdims=True)) @ self.mapping
            for (i, ids), p in zip(chunk, probs, strict=True):
                w = max(1, len(ids))
                sums[i] += w * p
                weights[i] += w
        out: np.ndarray = sums / np.maximum(weights, 1e-12)[:, None]
        return out / out.sum(axis=1, keepdims=True)

    def predict(
        self, texts: Sequence[str], langs: Sequence[str | None] | None = None
    ) -> list[SentimentResult]:
        probs = self.predict_proba(texts, langs)
        return [
            SentimentResult(
                label=LABELS[int(np.argmax(row))],
                scores={lab: float(p) for lab, p in zip(LABELS, row, strict=True)},
            )
            for row in probs
        ]
