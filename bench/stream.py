"""A realistic post stream for benchmarks, generated from the texts in ../shared/datasets.

    python bench/stream.py --posts 100000 --out build/bench/stream-100000.jsonl

Every language in the datasets (umsab: ar, de, en, es, fr, hi, it, pt; SB10k and
GermEval: de; SemEval / TweetEval: en), brand names injected into about 60% of the
posts, about 30% near-duplicates of a recent post (retweets, a changed link or emoji),
timestamps spread over 60 days and every hour, authors and communities drawn with a
long tail. Deterministic for a given seed. Writes JSON lines for a `file` source with
the default column mapping (id, text, created_at, author, community).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
BRANDS = ("Kaffeekraft", "Brühwerk", "Velora")
ALIASES = {"Kaffeekraft": ("KK", "Kaffeekraft"), "Brühwerk": ("Bruehwerk",),
           "Velora": ("Velora",)}
DAYS = 60
BRAND_SHARE = 0.6
DUP_SHARE = 0.3
_COMPLAINTS = {
    "de": ["Die {b} App stürzt seit dem Update ständig ab", "{b} Lieferung kam wieder zu spät",
           "Der Akku vom {b} hält keinen Tag mehr", "{b} Kundenservice antwortet nicht"],
    "en": ["The {b} app keeps crashing since the update", "{b} delivery was late again",
           "My {b} battery dies within a day", "{b} support never answers"],
}


def _umsab(folder: Path) -> Iterator[str]:
    for split in ("train", "val"):
        file = folder / f"{split}_text.txt"
        if file.is_file():
            yield from file.read_text(encoding="utf-8").split("\n")


def _tsv(file: Path, column: int) -> Iterator[str]:
    with file.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) > column:
                yield row[column]


def load_texts(shared: Path = SHARED) -> list[str]:
    """Every text of the labelled datasets (de-duplicated, in a fixed order)."""
    data = shared / "datasets"
    if not data.is_dir():
        raise SystemExit(f"{data} not found: the stream is generated from ../shared/datasets")
    texts: list[str] = []
    for lang_dir in sorted((data / "umsab").iterdir()):
        if lang_dir.is_dir():
            texts.extend(_umsab(lang_dir))
    for file in sorted((data / "sb10k").glob("*.tsv")):
        texts.extend(_tsv(file, 2))
    for file in sorted((data / "semeval2017_task4a_en").glob("*.tsv")):
        texts.extend(_tsv(file, 2))
    for file in sorted((data / "germeval2017").glob("dev*.tsv")):
        texts.extend(_tsv(file, 1))
    val = data / "tweeteval_sentiment" / "val_text.txt"
    if val.is_file():
        texts.extend(val.read_text(encoding="utf-8").split("\n"))
    return list(dict.fromkeys(t.strip() for t in texts if len(t.strip()) > 3))


def _inject(text: str, brand: str, rng: random.Random) -> str:
    name = rng.choice(ALIASES[brand]) if rng.random() < 0.3 else brand
    words = text.split()
    if "@user" in words and rng.random() < 0.5:
        words[words.index("@user")] = f"@{name}"
    else:
        words.insert(rng.randint(0, len(words)), name if rng.random() < 0.8 else f"#{name}")
    return " ".join(words)


def _near_duplicate(text: str, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.5:
        return f"RT @user{rng.randint(1, 9999)}: {text}"
    if r < 0.75:
        return f"{text} https://t.co/{rng.getrandbits(40):x}"
    return f"{text} {rng.choice(['🔥', '😡', '👍', '!!', '#fail', '#love'])}"


def generate(n: int, seed: int = 13, shared: Path = SHARED,
             start: datetime = datetime(2026, 1, 1, tzinfo=UTC)) -> Iterator[dict[str, object]]:
    """`n` posts as file-source rows, oldest first (timestamps jittered by minutes)."""
    rng = random.Random(seed)
    texts = load_texts(shared)
    recent: list[str] = []
    span = DAYS * 86400
    authors = max(50, n // 8)
    for i in range(n):
        if recent and rng.random() < DUP_SHARE:
            text = _near_duplicate(rng.choice(recent[-2000:]), rng)
        else:
            if rng.random() < 0.04:  # a recurring customer problem
                lang = rng.choice(("de", "en"))
                text = rng.choice(_COMPLAINTS[lang]).format(b=rng.choice(BRANDS))
                text += f" {rng.choice(['seriously', 'again', 'wtf', 'echt jetzt', '😡'])}"
            else:
                text = rng.choice(texts)
                if rng.random() < BRAND_SHARE - 0.02:
                    text = _inject(text, rng.choice(BRANDS), rng)
            recent.append(text)
            if len(recent) > 4000:
                del recent[:2000]
        offset = span * i / max(n, 1) + rng.uniform(-600, 600)
        created = start + timedelta(seconds=max(0.0, offset))
        yield {
            "id": f"p{i}",
            "text": text,
            "created_at": created.isoformat(timespec="seconds"),
            "author": f"user{int(rng.paretovariate(1.2)) % authors}",
            "community": f"c{int(rng.paretovariate(1.5)) % 200}",
        }


def write_stream(path: Path, n: int, seed: int = 13, shared: Path = SHARED) -> Path:
    """Write the stream to `path` (kept when it already holds `n` posts of this seed)."""
    marker = path.with_suffix(".meta.json")
    meta = {"posts": n, "seed": seed, "version": 1}
    if path.is_file() and marker.is_file() and json.loads(marker.read_text()) == meta:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for row in generate(n, seed, shared):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    marker.write_text(json.dumps(meta))
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    write_stream(args.out, args.posts, args.seed)
    sys.stdout.write(f"{args.out}\n")


if __name__ == "__main__":
    main()
