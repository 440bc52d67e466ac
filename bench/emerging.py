"""Benchmark: detection of emerging problems in a synthetic complaint stream.

    python bench/emerging.py [--days 60] [--seed 1]

The generator (written for this benchmark) emits German and English complaints for one
brand: five steady background problems (Poisson, 2-4 posts/day), one problem that is
brand new from day 40 (3 posts/day) and one that grows from 0.3 to 5 posts/day from
day 30. Posts flow day by day through `ProblemModel` (the online clustering the pipeline
uses); each day every problem's series is scored by `emerging_score`. Printed: the
detection delay (days from injection to the first emerging flag of a problem whose
posts are mostly the injected topic) and the number of false emerging problems (flagged
problems made mostly of background topics, counted once the 35-day baseline exists).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.nlp.emerging import emerging_score
from pipeline.nlp.problems import ProblemModel, ProblemPost

TOPICS: dict[str, dict[str, list[str]]] = {
    "grinder": {"de": ["Mahlwerk", "Mahlgeräusch", "Mühle rattert", "laut beim Mahlen"],
                "en": ["grinder", "grinding noise", "burrs rattle", "loud grinder"]},
    "milk": {"de": ["Milchschaum", "Milchdüse verstopft", "Milchaufschäumer", "Schaum fällt"],
             "en": ["milk foam", "milk nozzle clogged", "frother", "foam collapses"]},
    "app": {"de": ["App-Kopplung", "Bluetooth", "App stürzt ab", "Verbindung zur App"],
            "en": ["app pairing", "bluetooth", "app crashes", "app connection"]},
    "delivery": {"de": ["Lieferung", "Paket verspätet", "Versand", "Zustellung"],
                 "en": ["delivery", "parcel late", "shipping", "courier"]},
    "support": {"de": ["Kundenservice", "Hotline", "Warteschleife", "Rückruf"],
                "en": ["customer service", "hotline", "on hold", "callback"]},
    "descaling": {"de": ["Entkalkungswarnung", "Firmware 3.2", "Entkalken", "Warnung bleibt"],
                  "en": ["descaling warning", "firmware 3.2", "descale", "warning stays"]},
    "leak": {"de": ["Wassertank undicht", "tropft", "Pfütze", "Dichtung leckt"],
             "en": ["water tank leaks", "dripping", "puddle", "gasket leaking"]},
}
FILL = {"de": ["Seit {n} Tagen nervt mich das:", "Echt ärgerlich.", "Wieder mal.",
               "Bei meiner Maschine:", "Total enttäuscht.", "Keine Lösung in Sicht."],
        "en": ["For {n} days now:", "Really annoying.", "Again.", "On my machine:",
               "So disappointed.", "No fix in sight."]}
BACKGROUND = ("grinder", "milk", "app", "delivery", "support")


def rate(topic: str, day: int) -> float:
    if topic in BACKGROUND:
        return {"grinder": 3.0, "milk": 2.0, "app": 4.0, "delivery": 3.0, "support": 2.0}[topic]
    if topic == "descaling":  # brand new from day 40
        return 3.0 if day >= 40 else 0.0
    return 0.3 if day < 30 else 0.3 + (day - 30) * 0.18  # leak: grows from day 30


def poisson(rng: random.Random, lam: float) -> int:
    n, p, limit = 0, 1.0, pow(2.718281828, -lam)
    while True:
        p *= rng.random()
        if p <= limit:
            return n
        n += 1


def post_text(rng: random.Random, topic: str, lang: str) -> str:
    words = rng.sample(TOPICS[topic][lang], 2)
    fill = rng.choice(FILL[lang]).format(n=rng.randint(2, 9))
    if rng.random() < 0.5:
        return f"{fill} {words[0]}, {words[1]}."
    return f"{words[0]} – {words[1]}. {fill}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    start = date(2026, 9, 1)
    model = ProblemModel("Kaffeekraft")
    gold: dict[str, str] = {}
    members: dict[str, Counter[str]] = defaultdict(Counter)
    days_of: dict[str, list[date]] = defaultdict(list)
    flagged: dict[str, list[int]] = defaultdict(list)
    post_day: dict[str, date] = {}
    t0 = time.perf_counter()
    n_posts = 0
    for d in range(args.days):
        day = start + timedelta(days=d)
        batch: list[ProblemPost] = []
        for topic in TOPICS:
            for _ in range(poisson(rng, rate(topic, d))):
                lang = "de" if rng.random() < 0.7 else "en"
                pid = f"{d}-{len(batch)}"
                gold[pid] = topic
                batch.append(ProblemPost(pid, post_text(rng, topic, lang), lang, day))
                post_day[pid] = day
        n_posts += len(batch)
        res = model.update(batch)
        for a in res.assignments:
            if a.problem_id:
                members[a.problem_id][gold[a.post_id]] += 1
                days_of[a.problem_id].append(post_day[a.post_id])
        for pid in sorted({model.resolve(p) for p in days_of}):
            series = [0] * (d + 1)
            for src, ds in days_of.items():
                if model.resolve(src) == pid:
                    for x in ds:
                        series[(x - start).days] += 1
            if emerging_score(series[-35:]).emerging:
                flagged[pid].append(d)
    secs = time.perf_counter() - t0
    merged: dict[str, Counter[str]] = defaultdict(Counter)
    for pid, c in members.items():
        merged[model.resolve(pid)].update(c)
    topic_of = {pid: c.most_common(1)[0][0] for pid, c in merged.items()}
    inject = {"descaling": 40, "leak": 30}
    delay = {}
    for topic, day0 in inject.items():
        hits = [x for p, t in topic_of.items() if t == topic for x in flagged.get(p, [])
                if x >= day0]
        delay[topic] = (min(hits) - day0) if hits else None
    false = sorted(p for p, t in topic_of.items()
                   if t in BACKGROUND and any(x >= 35 for x in flagged.get(p, [])))
    warmup = sorted(p for p, t in topic_of.items()
                    if t in BACKGROUND and any(x < 35 for x in flagged.get(p, [])))
    out = {"posts": n_posts, "problems": len(model.active()),
           "detection_delay_days": delay, "false_emerging": len(false),
           "background_flagged_in_warmup_days_0_34": len(warmup),
           "posts_per_s": round(n_posts / secs)}
    for pid in sorted(merged, key=lambda p: -sum(merged[p].values())):
        if model.problems[pid].status == "active":
            fl = flagged.get(pid, [])
            print(f"{pid} {dict(merged[pid])} flagged_days={fl[:1]}..{fl[-1:]} "
                  f"label={model.problems[pid].label}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
