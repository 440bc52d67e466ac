"""Fixtures for NLP tests: a tiny BERT classifier built locally (no model hub)."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared"

_CORPUS = [
    "the service was great and i love it",
    "worst service ever totally broken",
    "das ist großartig ich liebe es",
    "der zug hat wieder verspätung schrecklich",
    "it is okay nothing special",
    "the train was late again and the staff was rude",
    "tolles produkt gerne wieder",
    "neutral statement about the weather today",
] * 20


def _build_tiny(folder: Path, id2label: dict[int, str]) -> Path:
    pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(
        vocab_size=500, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    )
    tok.train_from_iterator(_CORPUS, trainer=trainer)
    cls_id, sep_id = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B [SEP]",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=32,
    )
    import torch

    torch.manual_seed(0)
    config = transformers.BertConfig(
        vocab_size=fast.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
        num_labels=len(id2label),
        id2label=id2label,
        label2id={v: k for k, v in id2label.items()},
    )
    model = transformers.BertForSequenceClassification(config)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    fast.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_model_3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3-class tiny BERT (NEG/NEU/POS) saved to a temp folder."""
    return _build_tiny(tmp_path_factory.mktemp("tiny3") / "model", {0: "NEG", 1: "NEU", 2: "POS"})


@pytest.fixture(scope="session")
def tiny_model_5(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 5-star tiny BERT ("1 star".."5 stars") saved to a temp folder."""
    labels = {i: f"{i + 1} star" + ("s" if i else "") for i in range(5)}
    return _build_tiny(tmp_path_factory.mktemp("tiny5") / "model", labels)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is absent")
    return SHARED
