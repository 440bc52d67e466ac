"""The language model cache: written once, then memory-mapped, ranking as py3langid does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from pipeline.text import langid_model
from pipeline.text.langid_batch import BatchRanker
from pipeline.text.language import DEFAULT_LANGUAGES

LANGS = list(DEFAULT_LANGUAGES)
TEXTS = ["Die App stürzt seit dem Update ständig ab", "worst delivery ever", "",
         "Le service client ne répond jamais", "ok", "😀 Il treno è in ritardo",
         "Não recebi o pedido", "x" * 5000 + " und das ist noch ein deutscher Satz"]


@pytest.fixture
def reference() -> LanguageIdentifier:
    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)
    ident.set_languages(LANGS)
    return ident


def test_cached_model_ranks_as_py3langid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        reference: LanguageIdentifier) -> None:
    monkeypatch.setenv("STIMMUNG_CACHE_DIR", str(tmp_path))
    first = langid_model.load_identifier(LANGS)  # loads py3langid's file, writes the cache
    folders = list(tmp_path.glob("py3langid-*"))
    assert len(folders) == 1 and sorted(p.name for p in folders[0].iterdir()) == sorted(
        f"{name}.npy" for name in langid_model._ARRAYS)
    second = langid_model.load_identifier(LANGS)  # mapped from the cache
    assert isinstance(second.tk_nextmove, np.memmap)
    assert second.nb_classes == reference.nb_classes
    for ident in (first, second):
        assert [ident.rank(t) for t in TEXTS] == [reference.rank(t) for t in TEXTS]
    assert BatchRanker(second).rank_many(TEXTS) == [reference.rank(t) for t in TEXTS]
    # another language set is another cache entry
    langid_model.load_identifier(["de", "en"])
    assert len(list(tmp_path.glob("py3langid-*"))) == 2


def test_unwritable_cache_still_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      reference: LanguageIdentifier) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("STIMMUNG_CACHE_DIR", str(blocker / "cache"))
    ident = langid_model.load_identifier(LANGS)
    assert [ident.rank(t) for t in TEXTS[:3]] == [reference.rank(t) for t in TEXTS[:3]]


def test_a_damaged_cache_entry_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           reference: LanguageIdentifier) -> None:
    monkeypatch.setenv("STIMMUNG_CACHE_DIR", str(tmp_path))
    langid_model.load_identifier(LANGS)
    folder = next(tmp_path.glob("py3langid-*"))
    (folder / "ptc.npy").write_bytes(b"truncated")
    ident = langid_model.load_identifier(LANGS)
    assert [ident.rank(t) for t in TEXTS[:3]] == [reference.rank(t) for t in TEXTS[:3]]
    assert isinstance(langid_model.load_identifier(LANGS).tk_nextmove, np.memmap)  # rewritten
