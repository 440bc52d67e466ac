"""A synthetic, deterministic demo corpus written for stimmung (no real data inside).

`generate_corpus()` makes ~1,600 German and English social posts over 60 days about two
fictional coffee-machine brands (Kaffeekraft and its competitor Brühwerk) and a fictional
e-bike brand (Velora), plus ~10% noise without a brand. Every post carries hidden gold
labels (sentiment, intent, topic, brands) so tests can check what the pipeline finds.

Injected signals:
* a negative spike for Kaffeekraft on `spike_day` (day 45 of 60): an app update breaks
  the milk frother; a small tail follows on the next day;
* an emerging customer problem in the last 14 days: the descaling warning
  ("Entkalkungswarnung") keeps appearing after firmware 3.2; absent before, growing
  from 1-2 to ~10 posts a day.

Reply threads, ~350-400 extra posts (only in the JSONL export, whose `parent` column holds
the parent's `id`; generated from a separate random stream, so the top-level posts are the
same as with `threads=False`):
* each brand's official accounts (`BRANDS[...]["official_accounts"]`, e.g.
  `Kaffeekraft_Service`) answer roughly half of the brand's questions and complaints
  within hours (07:00-22:00; Kaffeekraft's team is silent on spike day); the rest stay
  unanswered, the material for a response queue;
* ordinary members reply briefly (me too, tips, +1), askers thank their helpers;
* one "chief" per community of the export (`CHIEFS`) answers many questions and is
  replied to most, so reply-graph centrality has a clear top.
Gold labels mark replies (`parent`), posts by official accounts (`official`) and the
questions/complaints an official account answered (`answered_by_official`, `answered_by`).

`write_demo_data()` writes the corpus as two RSS 2.0 feeds, one Atom 1.0 feed, one JSONL
support-tool export and a `manifest.json` (see `DemoManifest`).

The texts and brand facts are YAML files in `texts/` (read by `tables.py`); `posts.py` makes
the top-level posts, `threads.py` the replies, `files.py` writes the files.
"""

from pipeline.demo.corpus.files import (
    JSONL_COLUMNS,
    JSONL_ENGAGEMENT,
    JSONL_MAPPING,
    DemoManifest,
    corpus_counts,
    write_demo_data,
)
from pipeline.demo.corpus.generate import generate_corpus
from pipeline.demo.corpus.posts import (
    BRUEHWERK,
    DEFAULT_END,
    EMERGING_DAILY,
    EMERGING_KEYPHRASES,
    INTENTS,
    KAFFEEKRAFT,
    SENTIMENTS,
    SPIKE_EXTRA,
    SPIKE_OFFSET,
    VELORA,
    DemoPost,
    Gold,
    emerging_start_for,
    spike_day_for,
)
from pipeline.demo.corpus.tables import BRANDS, CHANNELS, CHIEFS, COMPETITORS
from pipeline.demo.corpus.threads import THREAD_CHANNELS

__all__ = [
    "BRANDS",
    "BRUEHWERK",
    "CHANNELS",
    "CHIEFS",
    "COMPETITORS",
    "DEFAULT_END",
    "EMERGING_DAILY",
    "EMERGING_KEYPHRASES",
    "INTENTS",
    "JSONL_COLUMNS",
    "JSONL_ENGAGEMENT",
    "JSONL_MAPPING",
    "KAFFEEKRAFT",
    "SENTIMENTS",
    "SPIKE_EXTRA",
    "SPIKE_OFFSET",
    "THREAD_CHANNELS",
    "VELORA",
    "DemoManifest",
    "DemoPost",
    "Gold",
    "corpus_counts",
    "emerging_start_for",
    "generate_corpus",
    "spike_day_for",
    "write_demo_data",
]
