"""German → English word table, compound splitter and the `hashed-de-en` problem encoder."""

from __future__ import annotations

import gzip
import importlib.util
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pipeline.nlp.crosslingual import (
    Decompounder,
    Translator,
    WordTable,
    load_table,
    read_table,
    table_digest,
)
from pipeline.nlp.vectors import BilingualHashedEncoder, HashedEncoder

ROOT = Path(__file__).resolve().parents[2]

TABLE = {
    "entkalkung": ["descaling", "decalcification"],
    "warnung": ["warning", "alert"],
    "mahlwerk": ["grinder"],
    "laut": ["loud", "sound"],
    "mühle": ["grinder", "mill"],
    "milch": ["milk"],
    "schaum": ["foam", "froth"],
    "kaffee": ["coffee"],
    "maschine": ["machine"],
    "morgen": ["morning"],
    "wohnung": ["flat", "apartment"],
}


def test_word_table_looks_up_like_a_dict() -> None:
    table = WordTable.from_pairs(TABLE)
    assert len(table) == len(TABLE)
    assert table["mühle"] == ("grinder", "mill")
    assert "warnung" in table and "warn" not in table and "zzz" not in table
    assert sorted(table) == sorted(TABLE)
    with pytest.raises(KeyError):
        table["warnungen"]


def test_read_table_skips_comments(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("# header\nwarnung\twarning alert\nleer\t\nmühle\tgrinder\n")
    table = read_table(path)
    assert dict(table.items()) == {"warnung": ("warning", "alert"), "mühle": ("grinder",)}


def test_table_and_digest_are_kept_in_the_cache_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    monkeypatch.setenv("STIMMUNG_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "t.tsv.gz"
    text = "# header\nwarnung\twarning alert\nmühle\tgrinder\nabfall\twaste\n"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(text)
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    assert table_digest(path) == digest
    first = load_table(path)
    assert sorted((tmp_path / "cache").iterdir()) != []
    again = load_table(path)  # read back from the cache folder
    assert dict(again.items()) == dict(first.items()) == dict(read_table(path).items())
    assert again["warnung"] == ("warning", "alert") and "abfal" not in again
    for file in (tmp_path / "cache").iterdir():  # damaged files are derived again
        file.write_bytes(b"x")
    from pipeline.nlp.crosslingual import _digest

    _digest.cache_clear()
    assert table_digest(path) == digest
    assert dict(load_table(path).items()) == dict(first.items())


def test_decompounder_splits_with_linking_elements() -> None:
    split = Decompounder(set(TABLE)).split
    assert split("entkalkungswarnung") == ("entkalkung", "warnung")
    assert split("milchschaum") == ("milch", "schaum")
    assert split("kaffeemaschinenwarnung") == ("kaffee", "maschine", "warnung")
    assert split("warnung") is None  # short or known words are not split
    assert split("xyzqwertwarnung") is None  # every part must be known


def test_translator_replaces_german_words_and_keeps_unknown_ones() -> None:
    tr = Translator(WordTable.from_pairs(TABLE), keep=1)
    assert tr.translate("firmware entkalkungswarnung") == "firmware descaling warning"
    assert tr.translate("mühle laut") == "grinder loud"
    assert tr.translate("app-milchschaum") == "app milk foam"
    assert Translator(WordTable.from_pairs(TABLE), keep=2).translate("laut") == "loud sound"


def _cos(x: np.ndarray) -> float:
    return float(x[0] @ x[1])


def test_bilingual_encoder_brings_german_and_english_together() -> None:
    tr = Translator(WordTable.from_pairs(TABLE), keep=2)
    de = "Die Mühle ist so laut, dass die ganze Wohnung am Morgen wach ist."
    en = "The grinder is so loud it wakes the whole flat in the morning."
    other = "The milk foam collapses after a minute."
    plain = HashedEncoder().encode([de, en, other], ["de", "en", "en"])
    both = BilingualHashedEncoder(translator=tr).encode([de, en, other], ["de", "en", "en"])
    assert _cos(both[:2]) > _cos(plain[:2]) + 0.3
    assert float(both[0] @ both[2]) < 0.2  # another problem stays apart
    # English texts are encoded exactly as by `hashed`
    assert np.allclose(both[1:], plain[1:])
    assert BilingualHashedEncoder(translator=tr).version.startswith("1.0.0+")


def _build_module() -> Any:
    spec = importlib.util.spec_from_file_location(
        "problem_alignment_build", ROOT / "models" / "problem_alignment" / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _b64(n: int) -> str:
    chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    out = ""
    while True:
        out = chars[n % 64] + out
        n //= 64
        if n == 0:
            return out


def test_build_reads_a_dictd_dictionary_and_ranks_recurring_senses(tmp_path: Path) -> None:
    build = _build_module()
    entries = [
        ("warnung", "Warnung /v/ <fem, n, sg>\nadmonition <n>\n   Synonym: {Rüge}\n"),
        ("warnung", "Warnung /v/ <fem, n, sg>\nwarning <n>\n"),
        ("warnung", "Warnung /v/ <fem, n, sg>\nwarning notification <n>, alert <n>\n"),
        ("etw koppeln", "etw. koppeln /k/ <vt>\nto couple sth. <v>, to link sth.\n"),
        ("laut absprache", "laut Absprache /l/\nas agreed\n"),
    ]
    text = b""
    index = []
    for head, body in entries:
        data = body.encode("utf-8")
        index.append(f"{head}\t{_b64(len(text))}\t{_b64(len(data))}\n")
        text += data
    (tmp_path / f"{build.NAME}.dict.dz").write_bytes(gzip.compress(text))
    (tmp_path / f"{build.NAME}.index").write_text("".join(index), encoding="utf-8")
    read = build.read_entries(tmp_path)
    assert set(read) == {"warnung", "koppeln"}  # multi-word headwords are left out
    ranked = build.rank(read, 2)
    assert ranked["warnung"][0] == "warn"  # two entries beat one (English lemmas)
    assert "sth" not in " ".join(ranked["koppeln"])
    assert set(ranked["koppeln"]) == {"couple", "link"}


def test_bilingual_is_hashed_de_en_with_a_table_and_hashed_without(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.nlp import vectors
    from pipeline.nlp.problems import problem_model

    monkeypatch.setenv("STIMMUNG_MODELS_DIR", str(tmp_path))
    assert vectors.encoder_identity("bilingual") == ("hashed", "1.0.0")
    assert type(vectors._bilingual_or_hashed()) is HashedEncoder
    folder = tmp_path / "problem_alignment"
    folder.mkdir()
    with gzip.open(folder / "de_en.tsv.gz", "wt", encoding="utf-8") as handle:
        handle.write("".join(f"{w}\t{' '.join(t)}\n" for w, t in TABLE.items()))
    name, version = vectors.encoder_identity("bilingual")
    enc = vectors._bilingual_or_hashed()
    assert isinstance(enc, BilingualHashedEncoder)
    assert (name, version) == (enc.name, enc.version) == ("hashed-de-en", enc.version)
    # readers and writers agree on the problem model version without building the encoder
    assert problem_model("bilingual") == problem_model(enc)
    assert problem_model("bilingual") != problem_model("hashed")
