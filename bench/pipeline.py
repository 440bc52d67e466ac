"""Throughput of each pipeline stage and end to end, on N synthetic posts.

    python bench/pipeline.py [--posts 20000] [--warehouse-url postgresql://...]

Prints posts/s per stage, end to end (file source → warehouse → metrics), and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# run as a script, this file's folder comes first on sys.path and its name would hide
# the `pipeline` package
sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

SUBJECTS_DE = ["Die Kaffeekraft Maschine", "Meine Barista Pro", "Die KK App",
               "Der Brühwerk Vollautomat", "Das Velora E-Bike", "Der Kundenservice"]
SUBJECTS_EN = ["The Kaffeekraft machine", "My Barista Pro", "The KK app",
               "The Bruehwerk grinder", "My Velora bike", "Customer support"]
PREDICATES_DE = ["ist großartig", "macht seit dem Update Probleme", "ist okay, nichts Besonderes",
                 "hat nach zwei Wochen den Geist aufgegeben", "schäumt die Milch perfekt",
                 "braucht ewig zum Aufheizen"]
PREDICATES_EN = ["is fantastic", "keeps crashing since the update", "is fine, nothing special",
                 "broke after two weeks", "makes perfect foam", "takes forever to heat up"]


def synthetic_rows(n: int, seed: int = 1) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    for i in range(n):
        de = rng.random() < 0.55
        subject = rng.choice(SUBJECTS_DE if de else SUBJECTS_EN)
        predicate = rng.choice(PREDICATES_DE if de else PREDICATES_EN)
        extra = " ".join(rng.choice(["wirklich", "echt", "really", "so", "heute", "today", "!!"])
                         for _ in range(rng.randint(0, 6)))
        body = f"<p>{subject} {predicate} {extra} #{i % 97}</p>"
        rows.append({
            "id": f"b{i}", "text": body, "author": f"user{rng.randint(1, 500)}",
            "created": (start + timedelta(minutes=7 * i)).isoformat(),
            "channel": rng.choice(["forum/a", "forum/b", "blog"]),
        })
    return rows


def timed(label: str, n: int, fn: Callable[[], Any], results: dict[str, float]) -> Any:
    t0 = time.perf_counter()
    value = fn()
    elapsed = time.perf_counter() - t0
    results[label] = n / elapsed if elapsed > 0 else float("inf")
    print(f"{label:<34} {n:>8} posts {elapsed:8.2f} s {results[label]:>10,.0f} posts/s",
          flush=True)
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20000)
    parser.add_argument("--warehouse-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    os.environ.setdefault("STIMMUNG_PSEUDONYM_KEY", "bench-key-0123456789abcdef")

    from pipeline.config import parse_config
    from pipeline.nlp.sentiment import load_backend
    from pipeline.stages.aggregate import aggregate
    from pipeline.stages.analyze import analyze
    from pipeline.stages.base import open_warehouse
    from pipeline.stages.collect import collect
    from pipeline.text.clean import html_to_text
    from pipeline.text.dedup import content_hash, simhash64
    from pipeline.text.language import detect_languages
    from pipeline.warehouse import state
    from pipeline.warehouse.db import scratch_schema

    n = args.posts
    rows = synthetic_rows(n)
    results: dict[str, float] = {}
    print(f"stimmung pipeline benchmark: {n} synthetic posts, {os.cpu_count()} cores")
    texts = timed("html → text", n, lambda: [html_to_text(r["text"]) for r in rows], results)
    timed("language id", n, lambda: detect_languages(texts), results)
    timed("hashes (exact + simhash)", n, lambda: [(content_hash(t), simhash64(t)) for t in texts],
          results)
    backend = load_backend()
    timed(f"sentiment ({backend.name})", n, lambda: backend.predict(texts), results)
    # spaCy pipelines with lookup lemmas (keyphrases, problems) load once per process:
    # timed on their own, so the stages below show their steady-state rate
    from pipeline.nlp.keyphrases import extract_keyphrases

    t_load = time.perf_counter()
    extract_keyphrases(["Kaffee", "coffee"], ["de", "en"])
    print(f"{'load keyphrase models (once)':<34} {'':>14} {time.perf_counter() - t_load:8.2f} s")

    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        warehouse = args.warehouse_url or f"sqlite:///{tmp}/bench.db"
        if warehouse.startswith("postgresql"):  # a scratch schema, dropped afterwards
            warehouse = stack.enter_context(scratch_schema(warehouse, prefix="bench"))
        data = Path(tmp) / "posts.jsonl"
        data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        config = parse_config({
            "warehouse": {"url": warehouse},
            "brands": [{"name": "Kaffeekraft", "aliases": ["KK"], "competitors": ["Brühwerk"]},
                       {"name": "Brühwerk", "aliases": ["Bruehwerk"]},
                       {"name": "Velora"}],
            "sources": [{"name": "bench", "kind": "file", "options": {
                "path": str(data),
                "mapping": {"external_id": "id", "body": "text", "created_at": "created",
                            "community": "channel"}}}],
        }, base_dir=Path(tmp))
        engine = open_warehouse(config)
        run_id = state.start_run(engine, "bench")
        t0 = time.perf_counter()
        timed("collect (file → raw_post)", n,
              lambda: collect(engine, config, run_id), results)
        analyzed = timed("analyze (enrich + score)", n,
                         lambda: analyze(engine, config, backend=backend), results)
        if analyzed.first_day and analyzed.last_day:
            timed("aggregate (daily metrics)", n, lambda: aggregate(
                engine, config, analyzed.first_day, analyzed.last_day, backend=backend), results)
        total = time.perf_counter() - t0
        print(f"{'end to end':<34} {n:>8} posts {total:8.2f} s {n / total:>10,.0f} posts/s")
        engine.dispose()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak_mib:,.0f} MiB")


if __name__ == "__main__":
    main()
