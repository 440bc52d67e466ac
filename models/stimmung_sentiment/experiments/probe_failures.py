"""Measure known failure modes of a sentiment backend on the validation files.

    python models/stimmung_sentiment/experiments/probe_failures.py \
        [--eval ../shared/eval] [--model NAME]

Prints macro-F1 by post length, with/without a negation cue, and the share of
hand-written ironic complaints (positive words, negative meaning) labelled negative.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO))

from pipeline.evaluation.sentiment import macro_f1, read_tsv  # noqa: E402
from pipeline.nlp.sentiment import load_backend  # noqa: E402

NEGATION = re.compile(
    r"\b(nicht|kein\w*|nie|niemals|nix|nichts|not|no|never|nothing|cannot|\w+n't|dont|cant)\b",
    re.IGNORECASE,
)
IRONY = [
    ("de", "Na toll, schon wieder 40 Minuten Verspätung. Danke, Deutsche Bahn!"),
    ("de", "Super, das WLAN im ICE geht mal wieder nicht. Großartiger Service."),
    ("de", "Wie schön, dass die Hotline nach einer Stunde Warteschleife einfach auflegt."),
    ("de", "Klasse, mein Paket ist jetzt zum dritten Mal verloren gegangen. Weiter so!"),
    ("de", "Herzlichen Glückwunsch zu diesem fantastisch kaputten Update."),
    ("en", "Oh great, another delay. Just what I needed today, thanks a lot."),
    ("en", "Love how the app crashes every single time I open it. Brilliant work."),
    ("en", "Fantastic customer service: two hours on hold and then they hung up."),
    ("en", "Wow, my order arrived broken again. Amazing quality as always."),
    ("en", "Thanks for charging me twice, really appreciate it."),
]


def bucket(text: str) -> str:
    n = len(text)
    return "<=140 chars" if n <= 140 else "141-400 chars" if n <= 400 else ">400 chars"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval", type=Path, default=REPO.parent / "shared" / "eval")
    ap.add_argument("--model", default="stimmung-sentiment")
    args = ap.parse_args()
    backend = load_backend(args.model)
    groups = {
        "de": ["sb10k_de_dev", "umsab_de_val", "germeval_dev_de"],
        "en": ["tweeteval_en_val", "umsab_en_val"],
    }
    print("| slice | lang | n | macro-F1 |\n| --- | --- | ---: | ---: |")
    for lang, names in groups.items():
        rows = [r for name in names for r in read_tsv(args.eval / f"{name}.tsv")]
        pred = [p.label for p in backend.predict([r.text for r in rows], [r.lang for r in rows])]
        slices: dict[str, list[int]] = {}
        for i, r in enumerate(rows):
            slices.setdefault(bucket(r.text), []).append(i)
            cue = "with negation cue" if NEGATION.search(r.text) else "no negation cue"
            slices.setdefault(cue, []).append(i)
        for name, idx in sorted(slices.items()):
            f1 = macro_f1([rows[i].label for i in idx], [pred[i] for i in idx])
            print(f"| {name} | {lang} | {len(idx)} | {f1:.3f} |")
    got = backend.predict([t for _, t in IRONY], [lg for lg, _ in IRONY])
    for lang in ("de", "en"):
        labs = [g.label for (lg, _), g in zip(IRONY, got, strict=True) if lg == lang]
        print(
            f"\nironic complaints ({lang}): {labs.count('negative')}/{len(labs)} negative, "
            f"{labs.count('positive')} positive"
        )


if __name__ == "__main__":
    main()
