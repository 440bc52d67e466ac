"""Train the bundled `stimmung-sentiment` model from the training splits in shared/datasets.

    python models/stimmung_sentiment/train.py --data ../shared/datasets --germeval \
        --out models/stimmung_sentiment

Training data: UMSAB train (8 languages), SemEval 2013-2016 task 4A English (deduplicated)
and SB10k train; every one of their texts whose normalised form equals a validation text
(TweetEval val, UMSAB val, SB10k dev, GermEval dev) is dropped, so those figures are not
leaked. `--germeval` (the shipped 1.1) adds the relevant GermEval 2017 dev + trial
documents: GermEval's figure then comes from cross-validation (`germeval_oof.py`).
Deterministic: fixed seed, single thread order.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import logging
import re
import string
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from pipeline.nlp.sentiment.linear import (  # noqa: E402
    CONFIG_FILE,
    NAME,
    WEIGHTS_FILE,
    FeatureConfig,
    Featurizer,
    compute_idf,
)
from pipeline.records import LABELS  # noqa: E402

logger = logging.getLogger("train")

SEED = 13
GERMEVAL_FOLDS = 5
VERSION = "1.1"
UMSAB_LANGS = {
    "arabic": "ar",
    "english": "en",
    "french": "fr",
    "german": "de",
    "hindi": "hi",
    "italian": "it",
    "portuguese": "pt",
    "spanish": "es",
}
NUM2LABEL = {"0": "negative", "1": "neutral", "2": "positive"}

_URL = re.compile(r"(?:https?://|www\.)\S*|\bhttps?\b", re.IGNORECASE)
_MENTION = re.compile(r"@\w+")
_PUNCT = re.compile(f"[{re.escape(string.punctuation)}\\s]+")
_UESC = re.compile(r"\\u([0-9a-fA-F]{4})")


def leak_key(text: str) -> str:
    """Normalisation of the datasets README leakage check (lowercase, no urls, @user, ...)."""
    import html

    t = html.unescape(_UESC.sub(lambda m: chr(int(m.group(1), 16)), text)).lower()
    t = _URL.sub(" ", t)
    t = _MENTION.sub("@user", t)
    t = re.sub(r"^\s*rt\b", " ", t)
    return _PUNCT.sub(" ", t).strip()


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def load_umsab(root: Path, split: str) -> list[tuple[str, str, str, str]]:
    rows = []
    for folder, lang in UMSAB_LANGS.items():
        texts = _lines(root / "umsab" / folder / f"{split}_text.txt")
        labels = _lines(root / "umsab" / folder / f"{split}_labels.txt")
        if texts and texts[-1] == "" and labels[-1] == "":
            texts, labels = texts[:-1], labels[:-1]
        for t, y in zip(texts, labels, strict=True):
            rows.append((t, NUM2LABEL[y.strip()], lang, f"umsab_{lang}"))
    return rows


def load_tsv3(path: Path, lang: str, source: str) -> list[tuple[str, str, str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        parts = line.split("\t")
        if len(parts) >= 3 and parts[1] in LABELS:
            rows.append(("\t".join(parts[2:]), parts[1], lang, source))
    return rows


def validation_keys(root: Path) -> set[str]:
    """Normalised texts of every validation split (never trained on)."""
    keys: set[str] = set()
    for t, *_ in load_umsab(root, "val"):
        keys.add(leak_key(t))
    for t in _lines(root / "tweeteval_sentiment" / "val_text.txt"):
        keys.add(leak_key(t))
    for t, *_ in load_tsv3(root / "sb10k" / "dev.tsv", "de", "sb10k"):
        keys.add(leak_key(t))
    germ = root / "germeval2017"
    if (germ / "dev_v1.4.tsv").is_file():
        with (germ / "dev_v1.4.tsv").open(encoding="utf-8", newline="") as f:
            for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                if len(row) > 1:
                    keys.add(leak_key(row[1]))
    if (germ / "dev-2017-09-15.xml").is_file():
        for el in ET.parse(germ / "dev-2017-09-15.xml").getroot().iter("text"):
            keys.add(leak_key(el.text or ""))
    keys.discard("")
    return keys


def group_key(text: str) -> str:
    """A text and its copies (retweets, re-quoted, re-spaced) share this key."""
    return re.sub(r"^rt\b\s*", "", leak_key(text))


def germeval_fold(text: str, folds: int = GERMEVAL_FOLDS) -> int:
    """The cross-validation fold of a GermEval text: by its group key, so a text and its
    duplicates always sit in the same fold (stable across runs and machines)."""
    return int(hashlib.sha256(group_key(text).encode("utf-8")).hexdigest(), 16) % folds


def load_germeval(root: Path) -> list[tuple[str, str, str, str]]:
    """GermEval 2017 dev (v1.4 TSV) and trial documents marked relevant, whitespace folded,
    one row per group key (majority label; contradictory ties dropped)."""
    germ = root / "germeval2017"
    by_key: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for name in ("dev_v1.4.tsv", "trial.tsv"):
        with (germ / name).open(encoding="utf-8", newline="") as f:
            for row in csv.reader(f, delimiter="\t"):
                if len(row) < 4 or row[2] != "true" or row[3] not in LABELS:
                    continue
                text = " ".join(row[1].split())
                if text and text != "null":
                    by_key[group_key(text)].append((text, row[3]))
    out = []
    for group in by_key.values():
        votes = Counter(y for _, y in group).most_common()
        if len(votes) > 1 and votes[0][1] == votes[1][1]:
            continue
        out.append((group[0][0], votes[0][0], "de", "germeval"))
    return out


def load_training(
    root: Path, germeval: bool = False, exclude_fold: int | None = None,
    folds: int = GERMEVAL_FOLDS,
) -> list[tuple[str, str, str, str]]:
    """Training rows (text, label, lang, source), deduplicated and leakage-filtered.

    `germeval`: add the GermEval 2017 dev + trial documents (`load_germeval`), except
    those of fold `exclude_fold` (of `folds`) when one is given (cross-validation)."""
    out = _load_public(root)
    if germeval:
        out += [r for r in load_germeval(root)
                if exclude_fold is None or germeval_fold(r[0], folds) != exclude_fold]
    return out


def _load_public(root: Path) -> list[tuple[str, str, str, str]]:
    rows = load_umsab(root, "train")
    rows += load_tsv3(root / "sb10k" / "train.tsv", "de", "sb10k")
    for p in sorted((root / "semeval2017_task4a_en").glob("*.tsv")):
        rows += load_tsv3(p, "en", "semeval")
    held = validation_keys(root)
    by_key: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
    order: list[str] = []
    leaked = 0
    for r in rows:
        k = leak_key(r[0])
        if not k:
            continue
        if k in held:
            leaked += 1
            continue
        if k not in by_key:
            order.append(k)
        by_key[k].append(r)
    out = []
    for k in order:
        group = by_key[k]
        votes = Counter(r[1] for r in group).most_common()
        if len(votes) > 1 and votes[0][1] == votes[1][1]:
            continue  # contradictory duplicates: drop
        first = group[0]
        out.append((first[0], votes[0][0], first[2], first[3]))
    logger.info(
        "training rows: %d raw, %d dropped as validation matches, %d after dedupe",
        len(rows),
        leaked,
        len(out),
    )
    return out


def default_lexicons() -> list[Path]:
    """Lexicon files shipped inside the textblob-de and vaderSentiment packages."""
    import importlib.util

    found = []
    for pkg, rel in (
        ("textblob_de", "data/de-sentiment.xml"),
        ("vaderSentiment", "vader_lexicon.txt"),
    ):
        spec = importlib.util.find_spec(pkg)
        if spec is None or not spec.submodule_search_locations:
            return []
        path = Path(next(iter(spec.submodule_search_locations))) / rel
        if not path.is_file():
            return []
        found.append(path)
    return found


def load_lexicon(paths: list[Path]) -> dict[str, int]:
    """Polarity words (+1/-1) from pattern-style XML (`<word form= polarity=>`) or
    VADER-style TSV (`word<TAB>mean valence`, |valence| >= 1) files."""
    lex: dict[str, int] = {}
    for path in paths:
        if path.suffix == ".xml":
            for el in ET.parse(path).getroot().iter("word"):
                pol = float(el.get("polarity", "0"))
                form = (el.get("form") or "").lower()
                if form and abs(pol) >= 0.3:
                    lex[form] = 1 if pol > 0 else -1
        else:
            for line in path.read_text(encoding="utf-8").splitlines():
                parts = line.split("\t")
                if len(parts) >= 2 and " " not in parts[0]:
                    val = float(parts[1])
                    if abs(val) >= 1.0:
                        lex[parts[0].lower()] = 1 if val > 0 else -1
    return dict(sorted(lex.items()))


def sample_weights(rows: list[tuple[str, str, str, str]], lang_power: float) -> np.ndarray:
    """Balance classes within each language; a language weighs n_lang ** lang_power."""
    by_lang: dict[str, Counter[str]] = defaultdict(Counter)
    for _, y, lang, _ in rows:
        by_lang[lang][y] += 1
    n_lang = {lg: sum(c.values()) for lg, c in by_lang.items()}
    w = np.empty(len(rows), dtype=np.float64)
    for i, (_, y, lang, _) in enumerate(rows):
        w[i] = n_lang[lang] / (len(LABELS) * by_lang[lang][y])
        w[i] *= n_lang[lang] ** lang_power / n_lang[lang]
    return w * len(rows) / w.sum()


def train(
    root: Path,
    out: Path,
    cfg: FeatureConfig,
    c: float,
    lang_dropout: float,
    lang_power: float = 0.5,
    lexicon: dict[str, int] | None = None,
    germeval: bool = False,
    exclude_fold: int | None = None,
) -> dict[str, object]:
    t0 = time.perf_counter()
    rows = load_training(root, germeval, exclude_fold)
    rng = np.random.default_rng(SEED)
    texts = [r[0] for r in rows]
    y = np.array([LABELS.index(r[1]) for r in rows])
    langs: list[str | None] = [None if rng.random() < lang_dropout else r[2] for r in rows]
    feat = Featurizer(cfg, lexicon)
    xc, xw = feat.counts(texts, langs)
    idf_c, idf_w = compute_idf(xc), compute_idf(xw)
    x = feat.transform(texts, idf_c, idf_w, langs)
    w = sample_weights(rows, lang_power)
    logger.info("features %s in %.1fs", x.shape, time.perf_counter() - t0)
    clf = LogisticRegression(C=c, max_iter=300, tol=1e-4, random_state=SEED)
    clf.fit(x, y, sample_weight=w)
    coef = clf.coef_.astype(np.float32)
    # Drop columns never seen in training: their weight is exactly zero anyway.
    seen = np.zeros(x.shape[1], dtype=bool)
    seen[np.unique(sp.csr_matrix(x).indices)] = True
    coef[:, ~seen] = 0.0
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out / WEIGHTS_FILE,
        coef=coef.astype(np.float16),
        intercept=clf.intercept_.astype(np.float32),
        idf_char=idf_c.astype(np.float16),
        idf_word=idf_w.astype(np.float16),
    )
    counts = Counter((r[2], r[1]) for r in rows)
    meta: dict[str, object] = {
        "name": NAME,
        "version": VERSION,
        "labels": list(LABELS),
        "features": cfg.to_dict(),
        "lexicon": lexicon or {},
        "training": {
            "C": c,
            "lang_dropout": lang_dropout,
            "lang_power": lang_power,
            "seed": SEED,
            "n_rows": len(rows),
            "per_lang_label": {f"{lg}:{lab}": n for (lg, lab), n in sorted(counts.items())},
            "sources": dict(Counter(r[3] for r in rows)),
            "germeval": germeval,
            "germeval_excluded_fold": exclude_fold,
            "seconds": round(time.perf_counter() - t0, 1),
        },
    }
    (out / CONFIG_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    logger.info("wrote %s in %.1fs", out, time.perf_counter() - t0)
    return meta


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "datasets")
    ap.add_argument("--out", type=Path, default=REPO / "models" / "stimmung_sentiment")
    ap.add_argument("--C", type=float, default=4.0)
    ap.add_argument("--lang-dropout", type=float, default=0.3)
    ap.add_argument("--char-bits", type=int, default=20)
    ap.add_argument("--word-bits", type=int, default=19)
    ap.add_argument("--char-max", type=int, default=5)
    ap.add_argument("--no-lang-feature", action="store_true")
    ap.add_argument(
        "--no-lang-words",
        action="store_true",
        help="no language-conjoined copies of the word n-grams",
    )
    ap.add_argument("--lang-power", type=float, default=0.5)
    ap.add_argument(
        "--lexicon",
        type=Path,
        action="append",
        default=None,
        help="polarity lexicon file(s); default: the German Polarity Lexicon shipped by "
        "textblob-de and the VADER lexicon shipped by vaderSentiment",
    )
    ap.add_argument("--no-lexicon", action="store_true")
    ap.add_argument(
        "--germeval",
        action="store_true",
        help="train on the relevant GermEval 2017 dev + trial documents too (then its "
        "validation figure must come from cross-validation: germeval_oof.py)",
    )
    ap.add_argument(
        "--exclude-fold",
        type=int,
        default=None,
        help=f"with --germeval: leave out this GermEval fold (0..{GERMEVAL_FOLDS - 1})",
    )
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if not args.data.is_dir():
        ap.error(f"--data {args.data} is not a directory")
    cfg = FeatureConfig(
        char_ngram=(1, args.char_max),
        char_bits=args.char_bits,
        word_bits=args.word_bits,
        lang_feature=not args.no_lang_feature,
        lang_words=not args.no_lang_words,
    )
    lexicon = None
    if not args.no_lexicon:
        paths = args.lexicon or default_lexicons()
        if not paths:
            ap.error(
                "lexicons not found: pip install textblob-de vaderSentiment "
                "(training only) or pass --no-lexicon"
            )
        lexicon = load_lexicon(paths)
        logger.info("lexicon: %d words from %s", len(lexicon), [p.name for p in paths])
    train(args.data, args.out, cfg, args.C, args.lang_dropout, args.lang_power, lexicon,
          args.germeval, args.exclude_fold)


if __name__ == "__main__":
    main()
