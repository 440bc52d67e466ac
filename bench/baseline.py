"""The obvious pandas script, for the side-by-side figure: read JSONL, VADER, `to_sql`.

    python bench/baseline.py STREAM.jsonl OUT.db

What a data engineer writes in ten minutes: English-only lexicon sentiment, no
language id, no dedup, no brand matching, no problems, no metrics.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> None:
    import pandas as pd
    from sqlalchemy import create_engine
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    stream, out = argv
    df = pd.read_json(stream, lines=True)
    analyzer = SentimentIntensityAnalyzer()
    compound = [analyzer.polarity_scores(t)["compound"] for t in df["text"]]
    df["sentiment"] = ["positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral"
                       for c in compound]
    df.to_sql("posts", create_engine(f"sqlite:///{out}"), if_exists="replace", index=False,
              chunksize=10000)


if __name__ == "__main__":
    main(sys.argv[1:])
