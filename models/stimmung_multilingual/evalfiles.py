"""The validation files of shared/eval as arrays, and macro-F1 on label indices; shared by
`train.py` and `stack.py` (no torch here)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pipeline.records import LABELS

EvalSet = tuple[list[str], np.ndarray, list[str]]


def load_eval(folder: Path) -> dict[str, EvalSet]:
    """(texts, label indices, langs) of every sentiment file in `folder`, by file stem."""
    out = {}
    for path in sorted(folder.glob("*.tsv")):
        if "aspects" in path.name:
            continue
        rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()[1:]]
        rows = [r for r in rows if len(r) >= 3 and r[1] in LABELS]
        out[path.stem] = ([r[0] for r in rows], np.array([LABELS.index(r[1]) for r in rows]),
                          [r[2] for r in rows])
    return out


def macro_f1(y: np.ndarray, pred: np.ndarray) -> float:
    f1s = []
    for c in range(len(LABELS)):
        tp = float(np.sum((pred == c) & (y == c)))
        denom = float(np.sum(pred == c) + np.sum(y == c))
        f1s.append(2 * tp / denom if denom else 0.0)
    return float(np.mean(f1s))
