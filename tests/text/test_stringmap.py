"""The memory-mapped string map answers as the dict it was built from."""

from __future__ import annotations

import random
from pathlib import Path

from pipeline.text.stringmap import StringMap


def _mapping(n: int, seed: int = 0) -> dict[str, str]:
    rng = random.Random(seed)
    letters = "abcdefghäöüßé😀"
    return {"".join(rng.choice(letters) for _ in range(rng.randint(1, 12))): f"v{i}"
            for i in range(n)} | {"Häuser": "Haus", "": "empty key", "x": ""}


def test_get_many_equals_dict_get_before_and_after_saving(tmp_path: Path) -> None:
    mapping = _mapping(5000)
    queries = [*mapping, "absent", "Häuser", "häuser", "", "x", "zzz😀", *["nope"] * 3]
    want = [mapping.get(q) for q in queries]
    built = StringMap.build(mapping)
    assert len(built) == len(mapping)
    assert built.get_many(queries) == want
    built.save(tmp_path / "map")
    loaded = StringMap.load(tmp_path / "map")
    assert loaded is not None and loaded.get_many(queries) == want
    assert loaded.get_many([]) == []


def test_colliding_slots_are_probed() -> None:
    # a tiny table: many keys share slots, lookups walk the probe sequence
    mapping = {f"k{i}": str(i) for i in range(12)}
    table = StringMap.build(mapping)
    assert len(table._slots) == 32
    assert table.get_many([f"k{i}" for i in range(14)]) == [str(i) for i in range(12)] + [
        None, None]


def test_missing_or_damaged_folder_loads_as_none(tmp_path: Path) -> None:
    assert StringMap.load(tmp_path / "absent") is None
    StringMap.build({"a": "b"}).save(tmp_path / "map")
    (tmp_path / "map" / "slots.npy").write_bytes(b"garbage")
    assert StringMap.load(tmp_path / "map") is None


def test_empty_map() -> None:
    assert StringMap.build({}).get_many(["a", ""]) == [None, None]
