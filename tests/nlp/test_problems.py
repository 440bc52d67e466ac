from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from pipeline.nlp.problem_labels import describe, fits
from pipeline.nlp.problems import (
    ProblemModel,
    ProblemPost,
    cluster_texts,
    default_k,
)

D0 = date(2026, 10, 1)
TOPICS = {
    "grinder": [
        "Das Mahlwerk ist extrem laut beim Mahlen",
        "Mahlwerk rattert laut, Mahlgeräusch wie ein Presslufthammer",
        "Lautes Mahlwerk, das Mahlen weckt alle",
        "The grinder is extremely loud when grinding",
        "Grinder noise is terrible, loud grinding every morning",
        "Mahlwerk macht beim Mahlen laute Geräusche",
    ],
    "descaling": [
        "Die Entkalkungswarnung geht seit Firmware 3.2 nicht weg",
        "Entkalkungswarnung nach Firmware 3.2 kommt ständig wieder",
        "Firmware 3.2: Entkalkungswarnung obwohl gerade entkalkt",
        "Descaling warning keeps showing since firmware 3.2",
        "Firmware 3.2 descaling warning won't go away after descaling",
        "Entkalkungswarnung blinkt dauernd, Firmware 3.2 kaputt",
    ],
    "app": [
        "Die App findet die Maschine nicht, Bluetooth Kopplung scheitert",
        "Bluetooth Kopplung mit der App bricht ständig ab",
        "App pairing via bluetooth fails every time",
        "The app cannot pair with the machine over bluetooth",
        "Bluetooth pairing in the app is broken again",
        "App Kopplung per Bluetooth klappt nicht",
    ],
}


def _posts(topic: str, start: int, day: date, n: int | None = None) -> list[ProblemPost]:
    texts = TOPICS[topic][: n or len(TOPICS[topic])]
    return [ProblemPost(f"{topic}-{start + i}", t, None, day) for i, t in enumerate(texts)]


def _run(batches: list[list[ProblemPost]]) -> tuple[ProblemModel, list]:
    model = ProblemModel("Kaffeekraft")
    results = [model.update(b) for b in batches]
    return model, results


def test_problems_are_created_from_tens_of_posts_with_labels_and_examples() -> None:
    batch = _posts("grinder", 0, D0) + _posts("descaling", 0, D0) + _posts("app", 0, D0)
    model, [res] = _run([batch])
    assert len(res.created) == 3
    for prob in model.active():
        members = {a.post_id.split("-")[0] for a in res.assignments
                   if a.problem_id == prob.problem_id}
        assert len(members) == 1  # pure clusters
        shown = describe(prob)
        assert len(shown.examples) >= 2 and prob.label == shown.label
        # the label fits every example shown beside it
        assert all(fits(shown.label, e["text"]) for e in shown.examples), shown
    labels = " ".join(p.label for p in model.active()).lower()
    assert "mahlwerk" in labels or "grinder" in labels
    assert "entkalkungswarnung" in labels or "firmware" in labels


def test_stable_ids_across_runs_and_batch_order() -> None:
    batch = _posts("grinder", 0, D0) + _posts("descaling", 0, D0)
    m1, _ = _run([batch])
    m2, _ = _run([list(reversed(batch))])
    assert [p.problem_id for p in m1.active()] == [p.problem_id for p in m2.active()]
    # re-feeding the same posts to the same model changes nothing
    before = {p.problem_id: p.size for p in m1.active()}
    waiting = {x.post_id for x in m1.pending}
    again = m1.update([p for p in batch if p.post_id in waiting])
    assert again.created == [] and again.assignments == []
    assert {p.problem_id: p.size for p in m1.active()} == before


def test_second_batch_is_assigned_not_created() -> None:
    model, [first] = _run([_posts("grinder", 0, D0) + _posts("descaling", 0, D0)])
    ids = set(first.created)
    second = model.update(_posts("grinder", 100, D0 + timedelta(days=3), 3)
                          + _posts("descaling", 100, D0 + timedelta(days=3), 3))
    assert second.created == []
    assert {a.problem_id for a in second.assignments} <= ids
    assert all(a.problem_id is not None for a in second.assignments)


def test_creation_waits_for_enough_similar_posts() -> None:
    model = ProblemModel("Kaffeekraft", min_size=3)
    first = model.update(_posts("app", 0, D0, 2))  # two posts: not yet a problem
    assert first.created == [] and all(a.problem_id is None for a in first.assignments)
    assert len(model.pending) == 2
    second = model.update(_posts("app", 2, D0 + timedelta(days=1), 2))
    assert len(second.created) == 1
    founded = {a.post_id for a in second.assignments if a.created}
    assert {"app-0", "app-1"} <= founded  # pending posts joined the new problem
    assert model.pending == []


def test_merges_are_recorded_and_resolve() -> None:
    model = ProblemModel("Kaffeekraft", merge_threshold=0.99)
    model.update(_posts("grinder", 0, D0) + _posts("descaling", 0, D0))
    assert len(model.active()) == 2
    total = sum(p.size for p in model.active())
    # centroids "converge" once the merge threshold is below their similarity (dense
    # projected vectors: unrelated centroids have a cosine near 0, either sign)
    model.merge_threshold = -1.0
    res = model.update(_posts("grinder", 50, D0 + timedelta(days=1), 1))
    assert len(res.merges) == 1
    m = res.merges[0]
    gone, kept = model.problems[m.from_id], model.problems[m.into_id]
    assert gone.status == "merged" and gone.merged_into == kept.problem_id
    assert kept.status == "active" and model.resolve(m.from_id) == m.into_id
    assert kept.size == total + 1 and len(model.active()) == 1
    assert {p.problem_id for p in res.changed} == {m.from_id, m.into_id}


def test_cluster_texts_is_deterministic_and_follows_the_k_rule() -> None:
    german = {"grinder": (0, 1, 2, 5), "descaling": (0, 1, 2, 5), "app": (0, 1, 5)}
    texts = [TOPICS[k][i] for k, idx in german.items() for i in idx]
    texts.append("Die App stürzt beim Bluetooth Kopplung ab, Kopplung scheitert")
    assert len(texts) == 12
    a = cluster_texts(texts, ["de"] * len(texts), k=3)
    b = cluster_texts(texts, ["de"] * len(texts), k=3)
    assert a == b and len(set(a)) == 3
    assert len(set(a[:4])) == 1 and len(set(a[4:8])) == 1 and len(set(a[8:])) == 1
    assert default_k(490) == 31 and default_k(2) == 2


def test_problem_store_roundtrip_is_rerun_safe(tmp_path: Path) -> None:
    # runs in a subprocess so the extra tables do not leak into this session's metadata
    code = f"""
import sys
from datetime import date
from sqlalchemy import create_engine, select, func
from pipeline.warehouse.schema import metadata, post
from pipeline.nlp import problem_store as ps
eng = create_engine("sqlite:///{tmp_path / 'w.db'}")
metadata.create_all(eng, tables=[post, *ps.TABLES])
texts = [t for t in {TOPICS['grinder']!r} + {TOPICS['descaling']!r}
         if "Mahl" in t or "Entkalk" in t] * 2
rows = [dict(post_id=f"p{{i}}", text=t, lang=None, day=date(2026, 10, 1 + i % 3),
             brands=["Kaffeekraft"], sentiment="negative") for i, t in enumerate(texts)]
def run():
    with eng.begin() as c:
        return ps.analyze_problems(c, rows)
s1 = run()
with eng.connect() as c:
    ids1 = sorted(r[0] for r in c.execute(select(ps.problem.c.problem_id)))
    n1 = c.execute(select(func.count()).select_from(ps.post_problem)).scalar()
s2 = run()
with eng.connect() as c:
    ids2 = sorted(r[0] for r in c.execute(select(ps.problem.c.problem_id)))
    n2 = c.execute(select(func.count()).select_from(ps.post_problem)).scalar()
    ni = c.execute(select(func.count()).select_from(ps.intent)).scalar()
    trends = ps.problem_trends(c, "Kaffeekraft", date(2026, 10, 3))
assert s1["created"] == 2, s1
assert ids1 == ids2 and n1 == n2 == 16 and ni == 16, (ids1, ids2, n1, n2, ni)
assert s2["created"] == 0
assert len(trends) == 2 and all(t["score"].emerging and t["score"].new for t in trends)
from pipeline.cli.problems import format_problems
from rich.console import Console
con = Console(record=True, width=160)
con.print(format_problems("Kaffeekraft", trends, end=date(2026, 10, 3)))
out = con.export_text()
assert "NEW" in out and "↑" in out and "100%" in out, out
print("OK")
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().endswith("OK")


FROTHER_SPRAY = [
    "Der Milchaufschäumer spritzt jedes Mal die halbe Küche voll",
    "Milchaufschäumer spritzt Milch über die ganze Arbeitsplatte",
    "Mein Milchaufschäumer spritzt beim Aufschäumen, alles voller Milch",
    "Milchaufschäumer spritzt ständig, die Küche ist voller Milch",
]
FROTHER_UPDATE = [
    "Milchaufschäumer nach Update 4.8 kaputt, blinkt nur noch rot",
    "Seit dem App-Update 4.8 ist der Milchaufschäumer tot",
    "Update 4.8 hat meinen Milchaufschäumer zerstört, blinkt rot",
    "Nach dem Update 4.8 geht der Milchaufschäumer nicht mehr, blinkt rot",
    "Milchaufschäumer seit Update 4.8 tot, blinkt nur rot",
    "Das Update 4.8 hat den Milchaufschäumer gekillt, blinkt rot",
]


def test_a_burst_of_something_new_founds_its_own_problem() -> None:
    """Reports of an update that broke the frother arrive together: they found their own
    problem instead of joining the older frother problem they share a word with."""
    def run(margin: float | None) -> tuple[ProblemModel, set[str | None]]:
        model = ProblemModel("Kaffeekraft", burst_margin=margin)
        model.update([ProblemPost(f"spray-{i}", t, "de", D0)
                      for i, t in enumerate(FROTHER_SPRAY)])
        old = {p.problem_id for p in model.active()}
        res = model.update([ProblemPost(f"update-{i}", t, "de", D0 + timedelta(days=20))
                            for i, t in enumerate(FROTHER_UPDATE)])
        assert len(old) == 1
        return model, {a.problem_id for a in res.assignments} - old
    with_bursts, new = run(0.15)
    assert len(new) == 1 and None not in new  # one new problem holds all six
    assert with_bursts.problems[next(iter(new))].size == len(FROTHER_UPDATE)
    _, new_without = run(None)
    assert not new_without - {None}  # without bursts they join the older problem or wait


def test_average_linkage_partitions_as_scipy() -> None:
    """The numpy average linkage cuts the same flat clusters as scipy's linkage + fcluster
    (random groups, exact duplicates and zero vectors included)."""
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    from pipeline.nlp.problems import _average_linkage

    def groups(labels: np.ndarray) -> list[list[int]]:
        out: dict[int, list[int]] = {}
        for i, lab in enumerate(labels):
            out.setdefault(int(lab), []).append(i)
        return sorted(out.values())

    rng = np.random.default_rng(3)
    for _ in range(300):
        n, dim, k = int(rng.integers(2, 50)), int(rng.integers(2, 30)), int(rng.integers(1, 6))
        x = rng.normal(size=(k, dim))[rng.integers(0, k, n)]
        x += rng.normal(size=(n, dim)) * rng.uniform(0.1, 1.5)
        for i in np.flatnonzero(rng.random(n) < 0.3):
            x[i] = x[rng.integers(0, n)]
        x[rng.random(n) < 0.05] = 0.0
        norm = np.linalg.norm(x, axis=1, keepdims=True)
        x = np.divide(x, norm, out=np.zeros_like(x), where=norm > 0).astype(np.float32)
        sims, threshold = x @ x.T, float(rng.uniform(0.1, 0.6))
        dist = np.clip(1.0 - sims, 0.0, 2.0)
        np.fill_diagonal(dist, 0.0)
        ref = fcluster(linkage(squareform(dist, checks=False), method="average"),
                       t=1.0 - threshold, criterion="distance")
        assert groups(_average_linkage(sims, threshold)) == groups(ref)


def test_centroid_matrix_follows_puts_and_drops() -> None:
    """Rows kept in place (inserted at their id's place, rewritten, dropped) equal the
    matrix rebuilt from scratch after every change."""
    import numpy as np

    from pipeline.nlp.problems import CentroidMatrix

    rng = np.random.default_rng(13)
    index, live = CentroidMatrix(6), {}
    for _ in range(2000):
        pid = f"pb_{int(rng.integers(0, 300)):03d}"
        if rng.random() < 0.25:
            index.drop(pid)
            live.pop(pid, None)
        else:
            live[pid] = rng.normal(size=6).astype(np.float32)
            index.put(pid, live[pid])
        ids, mat = index.view()
        assert ids == sorted(live)
        assert np.array_equal(mat, np.array([live[i] for i in ids]).reshape(-1, 6))
        assert index.index(pid) == (ids.index(pid) if pid in live else None)


def test_centroid_matrix_stays_the_active_problems_through_updates() -> None:
    """Across assignments, new problems, bursts and merges the model's kept matrix is
    the active problems' centroids in id order (what a rebuild gives)."""
    import numpy as np

    model = ProblemModel("Kaffeekraft", min_size=2, burst_size=3)
    day = D0
    for round_ in range(7):
        if round_ == 6:  # every centroid now "converges": merges
            model.merge_threshold = -1.0
        for topic in sorted(TOPICS):
            model.update(_posts(topic, 100 * round_, day, 3 + round_ % 3))
            ids, mat = model._centroids()
            active = model.active()
            assert ids == [p.problem_id for p in active]
            assert np.array_equal(mat, np.vstack([p.centroid for p in active]))
        day += timedelta(days=1)
    assert len(model.problems) >= 3
    assert sum(p.status == "merged" for p in model.problems.values()) >= 2
