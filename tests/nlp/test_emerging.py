from __future__ import annotations

import pytest

from pipeline.nlp.emerging import emerging_score, trend_arrow


def test_brand_new_problem_is_emerging() -> None:
    s = emerging_score([0] * 28 + [0, 1, 1, 2, 2, 3, 4])
    assert s.emerging and s.new and s.recent == 13 and s.arrow == "↑"


def test_steady_problem_is_not_emerging() -> None:
    s = emerging_score([3, 2, 4, 3, 3, 2, 3] * 5)
    assert not s.emerging and s.score == 0.0 and s.arrow == "→"


def test_growth_against_own_baseline() -> None:
    s = emerging_score([2] * 28 + [5, 6, 6, 7, 8, 8, 9])
    assert s.emerging and not s.new and s.growth > 2 and s.p_value < 1e-6


def test_small_counts_are_not_significant() -> None:
    # 1 post a week before, 3 now: triple, but neither significant nor above min_count
    s = emerging_score([0, 0, 0, 0, 0, 0, 1] * 4 + [0, 1, 0, 1, 0, 1, 0])
    assert not s.emerging and s.p_value > 0.01
    # a new problem needs min_count posts
    assert not emerging_score([0] * 28 + [0, 0, 0, 0, 1, 1, 1]).emerging


def test_decline_arrows_and_validation() -> None:
    assert emerging_score([6] * 28 + [1] * 7).arrow == "↓"
    assert trend_arrow(0.7, 5, 10) == "↘" and trend_arrow(1.3, 5, 4) == "↗"
    with pytest.raises(ValueError):
        emerging_score([1, 2], recent_days=0)



@pytest.mark.slow
def test_demo_corpus_injected_problem_is_detected() -> None:
    from collections import Counter

    from pipeline.demo.corpus import emerging_start_for, generate_corpus
    from pipeline.nlp.intent import classify_intents
    from pipeline.nlp.problems import ProblemModel, ProblemPost

    posts = [p for p in generate_corpus() if "Kaffeekraft" in p.gold.brands]
    intents = classify_intents([p.body for p in posts], [None] * len(posts))
    chosen = [p for p, i in zip(posts, intents, strict=True)
              if i == "complaint" or p.gold.sentiment == "negative"]
    signal = {p.external_id: p.gold.signal for p in chosen}
    day_of = {p.external_id: p.created_at.date() for p in chosen}
    model = ProblemModel("Kaffeekraft")
    assigned: dict[str, str] = {}
    days = sorted(set(day_of.values()))
    for d in days:
        batch = [ProblemPost(p.external_id, f"{p.title}. {p.body}", None, d)
                 for p in chosen if day_of[p.external_id] == d]
        for a in model.update(batch).assignments:
            if a.problem_id:
                assigned[a.post_id] = a.problem_id
    by_problem: dict[str, Counter[str | None]] = {}
    for post_id, pid in assigned.items():
        by_problem.setdefault(model.resolve(pid), Counter())[signal[post_id]] += 1
    target = max(by_problem, key=lambda pid: by_problem[pid]["emerging"])
    assert by_problem[target]["emerging"] >= 0.8 * sum(by_problem[target].values())
    assert model.problems[target].first_day >= emerging_start_for()
    start = days[-1].toordinal() - 34
    series = [0] * 35
    for post_id, pid in assigned.items():
        if model.resolve(pid) == target and day_of[post_id].toordinal() >= start:
            series[day_of[post_id].toordinal() - start] += 1
    score = emerging_score(series)
    assert score.emerging and score.growth >= 3 and score.recent >= 20
    label = model.problems[target].label.lower()  # the most central member's language
    assert "entkalkungswarnung" in label or "descaling warning" in label, label
