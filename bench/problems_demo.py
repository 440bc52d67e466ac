"""Problems on the demo corpus against its gold topics, per brand and language.

Feeds the demo's complaint and negative brand posts (gold labels, so the clustering is
measured apart from sentiment and intent) day by day into `ProblemModel`, one model per
brand, as the analyze step does, and scores the problems against the gold topics:

* `purity`, `nmi`: over the posts that were assigned to a problem;
* per gold topic of a brand with at least `--min-posts` posts: the problems where it is the
  majority topic. `once`: exactly one; `split`: more than one; `split_by_language`: more
  than one and their majority languages differ; `missed`: none.

    .venv/bin/python bench/problems_demo.py [--encoder hashed] [--assign 0.30 --create 0.28]
        [--burst-margin -1 | 0.15 --burst-size 5] [--seed 7] [--labels]
        [--table models/problem_alignment/de_en.tsv.gz --keep 2]

Prints one JSON object (totals and per brand); CPU seconds are process time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.demo.corpus.generate import generate_corpus
from pipeline.nlp.problem_labels import common_words, describe, translator_of
from pipeline.nlp.problems import ProblemModel, ProblemPost
from pipeline.nlp.vectors import TextEncoder, load_text_encoder
from pipeline.stages.enrich import post_text

INJECTED = ("descaling_warning", "frother_update")  # the demo's emerging problem and spike


def demo_problem_posts(threads: bool = True,
                       seed: int = 7) -> dict[str, list[tuple[ProblemPost, str]]]:
    """Per brand: the complaint / negative posts of the demo (generator seed 7, the demo's
    own; other seeds draw other corpora from the same texts) and their gold topics."""
    out: dict[str, list[tuple[ProblemPost, str]]] = defaultdict(list)
    for p in generate_corpus(seed=seed, threads=threads):
        if not p.gold.brands or p.gold.official:
            continue
        if p.gold.sentiment != "negative" and p.gold.intent != "complaint":
            continue
        text = post_text(p.title, p.body)
        for brand in p.gold.brands:
            out[brand].append((ProblemPost(p.external_id, text, p.lang,
                                           p.created_at.date()), p.gold.topic))
    return dict(out)


def score_brand(model: ProblemModel, items: list[tuple[ProblemPost, str]],
                min_posts: int) -> dict[str, Any]:
    from sklearn.metrics import normalized_mutual_info_score

    by_day: dict[Any, list[ProblemPost]] = defaultdict(list)
    for post, _ in items:
        by_day[post.day].append(post)
    final: dict[str, str | None] = {}
    for day in sorted(by_day):
        res = model.update(by_day[day])
        for a in res.assignments:
            final[a.post_id] = a.problem_id
        for a in (a for a in res.assignments if a.problem_id):
            final[a.post_id] = a.problem_id
    gold = {post.post_id: topic for post, topic in items}
    lang = {post.post_id: post.lang or "" for post, _ in items}
    assigned = {pid: model.resolve(prob) for pid, prob in final.items() if prob}
    members: dict[str, list[str]] = defaultdict(list)
    for pid, prob in assigned.items():
        members[prob].append(pid)
    majority = {prob: Counter(gold[p] for p in ps).most_common(1)[0][0]
                for prob, ps in members.items()}
    major_lang = {prob: Counter(lang[p] for p in ps).most_common(1)[0][0]
                  for prob, ps in members.items()}
    topics = Counter(gold.values())
    report: dict[str, Any] = {"once": [], "split": [], "split_by_language": [], "missed": []}
    for topic, n in sorted(topics.items()):
        if n < min_posts:
            continue
        probs = [prob for prob, t in majority.items() if t == topic]
        if not probs:
            report["missed"].append(topic)
        elif len(probs) == 1:
            report["once"].append(topic)
        else:
            report["split"].append(topic)
            if len({major_lang[p] for p in probs}) > 1:
                report["split_by_language"].append(topic)
    # the injected problems (spike, emerging): where their posts of each language went
    injected: dict[str, dict[str, Any]] = {}
    for topic in sorted(t for t in topics if t in INJECTED):
        probs = [prob for prob, t in majority.items() if t == topic]
        main = max(probs, key=lambda p: len(members[p]), default=None)
        per_lang: dict[str, str] = {}
        for lg in sorted({lang[p] for p in gold if gold[p] == topic}):
            posts = [p for p in gold if gold[p] == topic and lang[p] == lg]
            in_main = sum(1 for p in posts if main and assigned.get(p) == main)
            per_lang[lg] = f"{in_main}/{len(posts)}"
        injected[topic] = {"problems": len(probs), "in_main_problem": per_lang,
                           "label": model.problems[main].label if main else None}
    ids = sorted(assigned)
    g = [gold[i] for i in ids]
    pred = [assigned[i] for i in ids]
    pure = sum(Counter(gold[p] for p in ps).most_common(1)[0][1] for ps in members.values())
    return {
        "posts": len(items), "assigned": len(ids), "problems": len(members),
        "purity": round(pure / max(len(ids), 1), 4),
        "nmi": round(float(normalized_mutual_info_score(g, pred)), 4) if ids else 0.0,
        "topics": {k: v for k, v in report.items()},
        "injected": injected,
        "labels": {f"{majority[prob]} {prob}": {
            lg: [d.label, *(e["text"][:100] for e in d.examples)]
            for lg in ("de", "en")
            for d in [describe(model.problems[prob], lg, model.encoder,
                               common=common_words(model.active()),
                               translate=translator_of(model.encoder))]}
            for prob in sorted(members)},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--encoder", default="bilingual", help="the profiles' encoder by default")
    ap.add_argument("--assign", type=float, default=None)
    ap.add_argument("--create", type=float, default=None)
    ap.add_argument("--merge", type=float, default=None)
    ap.add_argument("--burst-size", type=int, default=None)
    ap.add_argument("--burst-margin", type=float, default=None,
                    help="burst problems with this margin (negative: none)")
    ap.add_argument("--min-posts", type=int, default=5)
    ap.add_argument("--no-threads", action="store_true", help="leave out the replies")
    ap.add_argument("--seed", type=int, default=7, help="demo generator seed (7: the demo)")
    ap.add_argument("--table", type=Path, default=None,
                    help="hashed-de-en over this word table (build.py --out) instead")
    ap.add_argument("--keep", type=int, default=2, help="translations per word (--table)")
    ap.add_argument("--labels", action="store_true",
                    help="print each problem's label and examples shown, German and English")
    args = ap.parse_args(argv)
    data = demo_problem_posts(threads=not args.no_threads, seed=args.seed)
    if args.table:
        from pipeline.nlp.crosslingual import Translator
        from pipeline.nlp.vectors import BilingualHashedEncoder

        encoder: TextEncoder = BilingualHashedEncoder(
            translator=Translator.load(args.table, keep=args.keep))
        args.encoder = f"hashed-de-en:{args.table}:keep{args.keep}"
    else:
        encoder = load_text_encoder(args.encoder)
    kwargs: dict[str, Any] = {}
    if args.assign is not None:
        kwargs["assign_threshold"] = args.assign
    if args.create is not None:
        kwargs["create_threshold"] = args.create
    if args.merge is not None:
        kwargs["merge_threshold"] = args.merge
    if args.burst_size is not None:
        kwargs["burst_size"] = args.burst_size
    if args.burst_margin is not None:
        kwargs["burst_margin"] = args.burst_margin if args.burst_margin >= 0 else None
    c0, t0 = time.process_time(), time.perf_counter()
    brands = {b: score_brand(ProblemModel(b, encoder=encoder, **kwargs), items, args.min_posts)
              for b, items in sorted(data.items())}
    n_assigned = sum(r["assigned"] for r in brands.values())
    total = {
        "encoder": args.encoder, "seed": args.seed, **kwargs,
        "posts": sum(r["posts"] for r in brands.values()), "assigned": n_assigned,
        "purity": round(sum(r["purity"] * r["assigned"] for r in brands.values())
                        / max(n_assigned, 1), 4),
        **{k: sum(len(r["topics"][k]) for r in brands.values())
           for k in ("once", "split", "split_by_language", "missed")},
        "cpu_seconds": round(time.process_time() - c0, 2),
        "wall_seconds": round(time.perf_counter() - t0, 2),
    }
    if not args.labels:
        for r in brands.values():
            r.pop("labels")
    print(json.dumps({"total": total, "brands": brands}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
