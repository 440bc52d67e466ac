"""GermEval 2017 in the sentiment training mix: the cross-validation folds keep a text and
its duplicates on one side, and a fold left out is really left out (the GermEval figures
in the multilingual model card are out-of-fold)."""

from __future__ import annotations

import importlib.util
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def recipe() -> Any:
    spec = importlib.util.spec_from_file_location(
        "ngram_train_for_test", REPO / "models" / "stimmung_sentiment" / "train.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_group_key_joins_copies(recipe: Any) -> None:
    a = 'RT @kryoriaa: und die Bahn so "woah, long chilli cheese für 1,99!" https://t.co/x'
    b = '"""RT @Kryoriaa: und die Bahn so """"woah, long chilli cheese für 1,99!"""" http"""'
    assert recipe.group_key(a) == recipe.group_key(b)
    assert recipe.germeval_fold(a) == recipe.germeval_fold(b)
    assert recipe.group_key(a) != recipe.group_key("und die Bahn so")


def test_folds_cover_the_validation_file_and_leave_a_fold_out(
        recipe: Any, shared_dir: Path) -> None:
    rows = recipe.load_germeval(shared_dir / "datasets")
    keys = [recipe.group_key(r[0]) for r in rows]
    assert len(keys) == len(set(keys)) > 2000  # one row per group
    assert {r[2] for r in rows} == {"de"} and {r[3] for r in rows} == {"germeval"}
    sizes = Counter(recipe.germeval_fold(r[0]) for r in rows)
    assert sorted(sizes) == list(range(recipe.GERMEVAL_FOLDS))
    assert max(sizes.values()) < 1.3 * min(sizes.values())
    # every row of the validation file is a GermEval training text of the same fold
    # (but the few whose copies carry contradictory labels: never trained on)
    fold_of = {k: recipe.germeval_fold(r[0]) for k, r in zip(keys, rows, strict=True)}
    lines = (shared_dir / "eval" / "germeval_dev_de.tsv").read_text(encoding="utf-8")
    evals = [line.split("\t")[0] for line in lines.splitlines()[1:]]
    by_fold: dict[int, set[str]] = defaultdict(set)
    missing = set()
    for text in evals:
        key = recipe.group_key(text)
        if key not in fold_of:
            missing.add(key)
            continue
        assert fold_of[key] == recipe.germeval_fold(text)
        by_fold[fold_of[key]].add(key)
    assert len(missing) <= 3, missing
    train = recipe.load_training(shared_dir / "datasets", germeval=True, exclude_fold=2)
    trained = {recipe.group_key(r[0]) for r in train}
    assert not trained & by_fold[2]
    assert not trained & missing
    assert by_fold[1] <= trained
    assert len(train) == len(recipe.load_training(shared_dir / "datasets")) + len(rows) \
        - sizes[2]


def test_bundled_ngram_model_is_trained_on_every_germeval_fold(
        recipe: Any, shared_dir: Path) -> None:
    """The shipped n-gram model (1.1) saw all GermEval documents, so its card's GermEval
    figure must be the out-of-fold one (`germeval_oof.py`), never its own score."""
    config = json.loads((REPO / "models" / "stimmung_sentiment" / "config.json")
                        .read_text(encoding="utf-8"))
    training = config["training"]
    assert config["version"] == recipe.VERSION
    assert training["germeval"] is True and training["germeval_excluded_fold"] is None
    assert training["sources"]["germeval"] == len(recipe.load_germeval(shared_dir / "datasets"))
