"""Customer problems: clusters of complaint / negative mentions with stable ids.

Two entry points:

* `ProblemModel.update(posts)` — the incremental, online model the pipeline runs per
  brand and batch, on dense unit vectors from a `TextEncoder` (`pipeline.nlp.vectors`).
  Posts are *assigned* in one matrix product against the active problems' centroid
  matrix: to the most similar problem when the cosine reaches `assign_threshold`;
  otherwise they wait, with their vector, in a pending pool capped at `max_pending`
  posts (newest kept) and `pending_days` days. A new problem is *created* only when at
  least `min_size` pending posts form a tight group (average-linkage clustering with a
  distance cut) around a newly arrived post: only the new posts' neighbourhood in the
  pool is clustered, so a batch costs O(new × pool), never pool × pool over a growing
  pool. Problem ids are a hash of brand, model version and the founding posts, so the
  same posts always give the same ids. Problems whose centroids converge are *merged*;
  merges are recorded and the absorbed id keeps resolving to the surviving one.
* `cluster_texts(texts, langs)` — offline batch clustering used by `stimmung eval
  topics`: the problem encoder's vectors beside e5 embeddings, spectral clustering
  (`pipeline.nlp.topic_clusters`). The number of clusters follows a fixed rule,
  `k = round(sqrt(2 n))`.

The encoder's name and version are part of the problem model version
(`problem_model(encoder)`), so problems of different encoders never mix. The default
encoder, `bilingual`, projects character n-grams of content lemmas (robust to German
compounds, typos and inflection, no torch) to 2048 dimensions, German lemmas put into
English first so both languages' reports of one problem meet (`hashed-de-en`; plain
`hashed` when its word table is not built: models/problem_alignment/MODEL_CARD.md). See
`pipeline/evaluation/topics.py` for the measured alternatives (MiniLM).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import math
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from pipeline.nlp.keyphrases import extract_keyphrases
from pipeline.nlp.problem_labels import brand_pattern, describe, example_pool
from pipeline.nlp.vectors import TextEncoder, encoder_identity, load_text_encoder

log = logging.getLogger(__name__)

PROBLEM_MODEL_NAME = "stimmung-problems"
PROBLEM_MODEL_VERSION = "2.1.0"  # 2.1: burst problems, example pools per language
DEFAULT_ENCODER = "bilingual"  # hashed-de-en when its word table is built, else hashed
MAX_PENDING = 1000  # pending posts kept per brand (newest first)
BURST_SIZE = 5  # posts of one batch that may found a problem beside an older one
BURST_MARGIN: float | None = 0.15  # cosine to their own centre minus to the nearest problem
REGION_NEIGHBOURS = 8  # pool neighbours per new post that may found a problem with it


def problem_model(encoder: TextEncoder | str = DEFAULT_ENCODER) -> tuple[str, str]:
    """(name, version) of the problem model on `encoder`; the version names the encoder."""
    name, version = (encoder_identity(encoder) if isinstance(encoder, str)
                     else (encoder.name, encoder.version))
    return PROBLEM_MODEL_NAME, f"{PROBLEM_MODEL_VERSION}+{name}-{version}"


#: the problem model of the default encoder (what the profiles use and readers read)
PROBLEM_MODEL = problem_model(DEFAULT_ENCODER)


# ----------------------------------------------------------------------------- vectors


def encode_centroid(vec: np.ndarray) -> dict[str, Any]:
    """A centroid as JSON: float16 bytes in base64 (2 bytes per dimension)."""
    arr = np.asarray(vec, dtype="<f2")
    return {"dim": int(arr.shape[0]), "f16": base64.b64encode(arr.tobytes()).decode("ascii")}


def decode_centroid(value: Any) -> np.ndarray | None:
    """The vector of `encode_centroid`, or None for another format (older versions)."""
    if not isinstance(value, dict) or "f16" not in value:
        return None
    arr = np.frombuffer(base64.b64decode(value["f16"]), dtype="<f2").astype(np.float32)
    return arr if arr.shape[0] == int(value.get("dim", -1)) else None


def _unit(vec: np.ndarray) -> np.ndarray:
    """Unit length, at the precision a centroid is stored with (float16): a process that
    goes on computes with exactly what a restarted one reads back."""
    norm = float(np.linalg.norm(vec))
    out = vec / norm if norm > 0 else vec
    return np.asarray(out, dtype=np.float16).astype(np.float32)


# ----------------------------------------------------------------------------- records


@dataclass(slots=True)
class ProblemPost:
    """A complaint or negative mention to cluster (one brand)."""

    post_id: str
    text: str
    lang: str | None
    day: date
    keyphrases: list[tuple[str, float]] | None = None
    vector: np.ndarray | None = field(default=None, repr=False, compare=False)


@dataclass(slots=True)
class Problem:
    """A customer problem of one brand."""

    problem_id: str
    brand: str
    centroid: np.ndarray = field(repr=False, compare=False)  # unit vector
    size: int
    terms: dict[str, float]
    examples: list[dict[str, Any]]  # pool: {"post_id", "similarity", "text", "lang"}
    first_day: date
    last_day: date
    status: str = "active"  # active | merged
    merged_into: str | None = None
    # (the example pool's post ids, the label worked out for them)
    _label: tuple[tuple[str, ...], str] | None = field(default=None, repr=False,
                                                        compare=False)

    @property
    def label(self) -> str:
        """The phrase shown beside the examples (`problem_labels.describe`, in the
        language of the most central member; reports ask for theirs). Worked out again
        when the example pool changes, not for every new member (measured: 45% of the
        problem stage's clustering time at 100k posts)."""
        key = tuple(str(e.get("post_id")) for e in self.examples)
        if self._label is None or self._label[0] != key:
            self._label = (key, describe(self).label)
        return self._label[1]


@dataclass(slots=True)
class Assignment:
    post_id: str
    problem_id: str | None  # None: pending (no problem fits yet)
    similarity: float
    created: bool = False  # True when the post founded its problem


@dataclass(slots=True)
class Merge:
    from_id: str
    into_id: str
    similarity: float
    day: date


@dataclass(slots=True)
class UpdateResult:
    assignments: list[Assignment] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)
    changed: list[Problem] = field(default_factory=list)
    pending: list[ProblemPost] = field(default_factory=list)


# ----------------------------------------------------------------------------- centroids


class CentroidMatrix:
    """The active problems' centroids as one matrix, rows in problem-id order, kept up
    to date row by row: a problem that gains members rewrites its row, a new one is
    inserted at its place, a merged one leaves. (Rebuilding it with `np.vstack` after
    every change copied all k x dim floats several times per batch and brand: the
    problem stage grew with the number of problems.)

    `view()` is valid until the next change."""

    def __init__(self, dim: int) -> None:
        self.ids: list[str] = []
        self._rows = np.zeros((0, dim), dtype=np.float32)

    def view(self) -> tuple[list[str], np.ndarray]:
        return self.ids, self._rows[:len(self.ids)]

    def put(self, problem_id: str, centroid: np.ndarray) -> None:
        """Set the row of `problem_id` (inserted at its place when new)."""
        n = len(self.ids)
        i = bisect_left(self.ids, problem_id)
        if i < n and self.ids[i] == problem_id:
            self._rows[i] = centroid
            return
        if n == self._rows.shape[0]:  # full: grow by half (amortised O(dim) per insert)
            grown = np.zeros((max(16, n + n // 2), self._rows.shape[1]), dtype=np.float32)
            grown[:n] = self._rows[:n]
            self._rows = grown
        self._rows[i + 1:n + 1] = self._rows[i:n]
        self._rows[i] = centroid
        self.ids.insert(i, problem_id)

    def drop(self, problem_id: str) -> None:
        n = len(self.ids)
        i = bisect_left(self.ids, problem_id)
        if i < n and self.ids[i] == problem_id:
            self._rows[i:n - 1] = self._rows[i + 1:n]
            del self.ids[i]

    def index(self, problem_id: str) -> int | None:
        i = bisect_left(self.ids, problem_id)
        return i if i < len(self.ids) and self.ids[i] == problem_id else None


# ----------------------------------------------------------------------------- online model


class ProblemModel:
    """Incremental problem clustering for one brand (state: problems + pending posts)."""

    def __init__(
        self,
        brand: str,
        problems: Iterable[Problem] = (),
        pending: Iterable[ProblemPost] = (),
        *,
        encoder: TextEncoder | str = DEFAULT_ENCODER,
        assign_threshold: float = 0.30,
        create_threshold: float = 0.28,
        merge_threshold: float = 0.80,
        min_size: int = 3,
        pending_days: int = 30,
        max_pending: int = MAX_PENDING,
        burst_size: int = BURST_SIZE,
        burst_margin: float | None = BURST_MARGIN,
    ) -> None:
        self.brand = brand
        self.encoder = load_text_encoder(encoder) if isinstance(encoder, str) else encoder
        self.version = problem_model(self.encoder)[1]
        self.problems: dict[str, Problem] = {p.problem_id: p for p in problems}
        self.pending: list[ProblemPost] = list(pending)
        self.assign_threshold = assign_threshold
        self.create_threshold = create_threshold
        self.merge_threshold = merge_threshold
        self.min_size = min_size
        self.pending_days = pending_days
        self.max_pending = max_pending
        self.burst_size = burst_size
        self.burst_margin = burst_margin  # None: no burst problems
        self._brand_re = brand_pattern(brand)
        self._matrix: CentroidMatrix | None = None
        self._pool_cache: tuple[list[str], np.ndarray] = (
            [], np.zeros((0, self.encoder.dim), dtype=np.float32))

    def resolve(self, problem_id: str) -> str:
        """The surviving id of a (possibly merged) problem."""
        seen: set[str] = set()
        while (p := self.problems.get(problem_id)) and p.merged_into and problem_id not in seen:
            seen.add(problem_id)
            problem_id = p.merged_into
        return problem_id

    def active(self) -> list[Problem]:
        return sorted((p for p in self.problems.values() if p.status == "active"),
                      key=lambda p: p.problem_id)

    def _centroids(self) -> tuple[list[str], np.ndarray]:
        """Ids and centroid matrix (k x dim) of the active problems, in id order (valid
        until the next change)."""
        if self._matrix is None:
            self._matrix = CentroidMatrix(self.encoder.dim)
            for p in self.active():
                self._matrix.put(p.problem_id, np.asarray(p.centroid, dtype=np.float32))
        return self._matrix.view()

    def _changed(self, prob: Problem) -> None:
        """Keep the centroid matrix in step with `prob` (new centroid, merged away)."""
        if self._matrix is None:
            return
        if prob.status == "active" and self.problems.get(prob.problem_id) is prob:
            self._matrix.put(prob.problem_id, np.asarray(prob.centroid, dtype=np.float32))
        else:
            self._matrix.drop(prob.problem_id)

    def _encode(self, posts: Sequence[ProblemPost]) -> None:
        """Vectors (brand name left out) for the posts that have none yet."""
        missing = [p for p in posts if p.vector is None]
        if missing:
            texts = [self._brand_re.sub(" ", p.text) for p in missing]
            vecs = self.encoder.encode(texts, [p.lang for p in missing])
            for p, v in zip(missing, vecs, strict=True):
                p.vector = v

    def _pool_matrix(self, pool: list[ProblemPost]) -> np.ndarray:
        """The pool's vectors as one matrix, reusing the rows of the previous batch's."""
        self._encode(pool)
        cached_ids, cached = self._pool_cache
        where = {pid: i for i, pid in enumerate(cached_ids)}
        rows = [where.get(p.post_id, -1) for p in pool]
        x = np.empty((len(pool), self.encoder.dim), dtype=np.float32)
        old = np.array([i for i, r in enumerate(rows) if r >= 0], dtype=int)
        if len(old):
            x[old] = cached[np.array([rows[i] for i in old], dtype=int)]
        for i, r in enumerate(rows):
            if r < 0:
                x[i] = pool[i].vector
        self._pool_cache = ([p.post_id for p in pool], x)
        return x

    def _keyphrases(self, posts: Sequence[ProblemPost]) -> None:
        missing = [p for p in posts if p.keyphrases is None]
        if missing:
            kps = extract_keyphrases([p.text for p in missing], [p.lang for p in missing], 3)
            for p, kp in zip(missing, kps, strict=True):
                p.keyphrases = kp

    def _add_members(self, prob: Problem, members: Sequence[tuple[ProblemPost, float]]) -> None:
        vecs = np.vstack([p.vector for p, _ in members if p.vector is not None])
        prob.centroid = _unit(prob.centroid * prob.size + vecs.sum(axis=0))
        prob.size += len(members)
        brand_key = self.brand.lower().replace("-", "")
        for post, sim in members:
            for phrase, score in post.keyphrases or []:
                if brand_key not in phrase.replace("-", ""):
                    prob.terms[phrase] = round(prob.terms.get(phrase, 0.0) + score, 4)
            prob.examples.append({"post_id": post.post_id, "similarity": round(sim, 4),
                                  "text": post.text[:280], "lang": post.lang})
            prob.first_day = min(prob.first_day, post.day)
            prob.last_day = max(prob.last_day, post.day)
        if len(prob.terms) > 200:
            prob.terms = dict(sorted(prob.terms.items(), key=lambda kv: (-kv[1], kv[0]))[:100])
        prob.examples = example_pool(prob.examples)
        self._changed(prob)

    def update(self, posts: Sequence[ProblemPost]) -> UpdateResult:
        """Assign `posts` to problems, create new problems, record merges."""
        result = UpdateResult()
        known = {p.post_id for p in self.pending}
        posts = sorted({p.post_id: p for p in posts if p.post_id not in known}.values(),
                       key=lambda p: (p.day, p.post_id))
        if not posts:
            result.pending = list(self.pending)
            return result
        self._keyphrases(posts)
        self._encode(posts)
        x = np.vstack([p.vector for p in posts if p.vector is not None])
        changed: set[str] = set()
        today = posts[-1].day
        result.assignments += self._bursts(posts, x, result, changed)
        if result.assignments:
            burst = {a.post_id for a in result.assignments}
            rest = [i for i, p in enumerate(posts) if p.post_id not in burst]
            posts, x = [posts[i] for i in rest], x[rest]
        unassigned: list[ProblemPost] = []
        ids, centroids = self._centroids()
        if ids:
            sims = x @ centroids.T
            best = sims.argmax(axis=1)
            best_sim = sims[np.arange(len(posts)), best]
        else:
            best = np.zeros(len(posts), dtype=int)
            best_sim = np.zeros(len(posts), dtype=np.float32)
        joined: dict[str, list[tuple[ProblemPost, float]]] = {}
        for i, post in enumerate(posts):
            sim = float(best_sim[i])
            if ids and sim >= self.assign_threshold:
                pid = ids[int(best[i])]
                joined.setdefault(pid, []).append((post, sim))
                result.assignments.append(Assignment(post.post_id, pid, sim))
            else:
                unassigned.append(post)
        for pid, members in joined.items():
            self._add_members(self.problems[pid], members)
            changed.add(pid)
        result.assignments += self._create(unassigned, today, result, changed)
        done = {a.post_id for a in result.assignments}
        result.assignments += [Assignment(p.post_id, None, 0.0) for p in unassigned
                               if p.post_id not in done]
        self._merge(today, result, changed)
        result.changed = [self.problems[pid] for pid in sorted(changed)]
        result.pending = list(self.pending)
        result.assignments.sort(key=lambda a: a.post_id)
        return result

    def _create(self, unassigned: list[ProblemPost], today: date, result: UpdateResult,
                changed: set[str]) -> list[Assignment]:
        horizon = today.toordinal() - self.pending_days
        fresh = [p for p in unassigned if p.vector is not None and np.any(p.vector)]
        pool = [p for p in self.pending if p.day.toordinal() >= horizon] + fresh
        pool = sorted({p.post_id: p for p in pool}.values(), key=lambda p: (p.day, p.post_id))
        if len(pool) > self.max_pending:  # keep the newest
            pool = pool[-self.max_pending:]
        self.pending = pool
        new_ids = {p.post_id for p in fresh}
        if len(pool) < self.min_size or not new_ids:
            return []
        x = self._pool_matrix(pool)
        new_idx = np.array([i for i, p in enumerate(pool) if p.post_id in new_ids], dtype=int)
        if len(new_idx) == 0:
            return []
        sims_all = x[new_idx] @ x.T  # new x pool
        near = sims_all >= self.create_threshold
        # new posts with enough neighbours, and those neighbours: the only place a new
        # group can form this batch
        seeds = near.sum(axis=1) >= self.min_size  # counts the post itself
        if not seeds.any():
            return []
        # each seed's closest neighbours (bounded, so the clustering stays small)
        sims_new = np.where(near[seeds], sims_all[seeds], -np.inf)
        k = min(REGION_NEIGHBOURS, sims_new.shape[1])
        top = np.argpartition(-sims_new, k - 1, axis=1)[:, :k]
        region = np.unique(top[np.isfinite(np.take_along_axis(sims_new, top, axis=1))])
        sub = x[region]
        labels = _average_linkage(sub @ sub.T, self.create_threshold)
        assigned: list[Assignment] = []
        taken: set[str] = set()
        groups: dict[int, list[int]] = {}
        for j, lab in enumerate(labels):
            groups.setdefault(int(lab), []).append(int(region[j]))
        for members in sorted(groups.values(), key=lambda m: (pool[m[0]].day, pool[m[0]].post_id)):
            if len(members) < self.min_size or not any(pool[i].post_id in new_ids
                                                       for i in members):
                continue
            assigned += self._found([pool[i] for i in members], x[members], result, changed)
            taken.update(pool[i].post_id for i in members)
        self.pending = [p for p in pool if p.post_id not in taken]
        return assigned

    def _found(self, members: list[ProblemPost], x: np.ndarray, result: UpdateResult,
               changed: set[str]) -> list[Assignment]:
        """A new problem of `members` (vectors `x`); its id hashes the founding posts."""
        ids = sorted(p.post_id for p in members)
        digest = hashlib.sha1(f"{self.brand}|{self.version}|{','.join(ids)}".encode())
        pid = "pb_" + digest.hexdigest()[:12]
        centroid = _unit(x.mean(axis=0))
        sims = [float(v) for v in x @ centroid]
        first = min(p.day for p in members)
        prob = Problem(pid, self.brand, np.zeros_like(centroid), 0, {}, [], first, first)
        self._keyphrases(members)
        self._add_members(prob, list(zip(members, sims, strict=True)))
        self.problems[pid] = prob
        self._changed(prob)
        changed.add(pid)
        result.created.append(pid)
        if log.isEnabledFor(logging.INFO):  # a label costs a keyphrase pass
            log.info("new problem %s for %s: %s (%d posts)", pid, self.brand, prob.label,
                     prob.size)
        return [Assignment(p.post_id, pid, s, created=True)
                for p, s in zip(members, sims, strict=True)]

    def _bursts(self, posts: list[ProblemPost], x: np.ndarray, result: UpdateResult,
                changed: set[str]) -> list[Assignment]:
        """New problems of the batch's own tight groups (average linkage at the create
        threshold, at least `burst_size` posts) that sit closer to their own centre than
        to any problem's centroid by `burst_margin`: a burst of reports of something new
        (an update that broke a part) is not absorbed by an older problem that shares its
        words (the part)."""
        ids, centroids = self._centroids()
        live = np.flatnonzero(np.any(x != 0, axis=1))
        if not ids or self.burst_margin is None or len(live) < self.burst_size:
            return []
        labels = _average_linkage(x[live] @ x[live].T, self.create_threshold)
        groups: dict[int, list[int]] = {}
        for j, lab in enumerate(labels):
            groups.setdefault(int(lab), []).append(int(live[j]))
        # every group is measured against the problems as they were before this batch
        # (the centroid matrix changes in place as groups found problems)
        bursts: list[list[int]] = []
        for members in sorted(groups.values(), key=lambda m: posts[m[0]].post_id):
            if len(members) < self.burst_size:
                continue
            centre = _unit(x[members].mean(axis=0))
            inner = float((x[members] @ centre).mean())
            if inner - float((centroids @ centre).max()) >= self.burst_margin:
                bursts.append(members)
        found: list[Assignment] = []
        for members in bursts:
            found += self._found([posts[i] for i in members], x[members], result, changed)
        return found

    def _merge(self, today: date, result: UpdateResult, changed: set[str]) -> None:
        while True:
            ids, mat = self._centroids()
            assert self._matrix is not None
            rows = sorted(i for pid in changed if (i := self._matrix.index(pid)) is not None)
            if len(ids) < 2 or not rows:
                return
            sims = mat[rows] @ mat.T
            sims[np.arange(len(rows)), rows] = -np.inf  # not with itself
            flat = int(np.argmax(sims))
            row, col = divmod(flat, sims.shape[1])
            sim = float(sims[row, col])
            if sim < self.merge_threshold:
                return
            a, b = self.problems[ids[rows[row]]], self.problems[ids[col]]
            # the larger (then older, then smaller id) problem survives
            keep, gone = sorted((a, b), key=lambda p: (-p.size, p.first_day, p.problem_id))
            total = keep.size + gone.size
            keep.centroid = _unit(keep.centroid * keep.size + gone.centroid * gone.size)
            keep.size = total
            for t, w in gone.terms.items():
                keep.terms[t] = round(keep.terms.get(t, 0.0) + w, 4)
            keep.examples = example_pool(keep.examples + gone.examples)
            keep.first_day = min(keep.first_day, gone.first_day)
            keep.last_day = max(keep.last_day, gone.last_day)
            gone.status, gone.merged_into = "merged", keep.problem_id
            self._changed(keep)
            self._changed(gone)
            changed.update({keep.problem_id, gone.problem_id})
            result.merges.append(Merge(gone.problem_id, keep.problem_id, round(sim, 4), today))
            log.info("merged problem %s into %s (similarity %.2f)", gone.problem_id,
                     keep.problem_id, sim)


def _average_linkage(sims: np.ndarray, threshold: float) -> np.ndarray:
    """Flat clusters: average linkage on cosine distance, cut at 1 - threshold.

    The partition of scipy's `linkage(method="average")` + `fcluster(criterion=
    "distance")` (the same Lance-Williams averages, in float64), without importing
    scipy.cluster (~0.35 s): the closest pair of clusters is merged while its distance is
    within the cut; each row keeps its nearest cluster, so a merge costs O(n)."""
    n = sims.shape[0]
    labels = np.arange(n)
    if n == 1:
        return labels
    dist = np.clip(1.0 - sims, 0.0, 2.0).astype(np.float64)
    np.fill_diagonal(dist, np.inf)
    cut = 1.0 - threshold
    size = np.ones(n)
    near = dist.argmin(axis=1)
    near_d = dist[np.arange(n), near]
    for _ in range(n - 1):
        i = int(near_d.argmin())
        if not near_d[i] <= cut:
            break
        j = int(near[i])
        row = (size[i] * dist[i] + size[j] * dist[j]) / (size[i] + size[j])
        row[i] = row[j] = np.inf
        dist[i], dist[:, i] = row, row
        dist[j], dist[:, j] = np.inf, np.inf
        size[i] += size[j]
        labels[labels == j] = i
        near_d[j] = np.inf
        # rows whose nearest cluster was i or j look again; no other row's nearest
        # distance can drop (an average is at least the smaller of its parts)
        stale = np.flatnonzero((near == i) | (near == j))
        stale = np.append(stale[stale != j], i)
        near[stale] = dist[stale].argmin(axis=1)
        near_d[stale] = dist[stale, near[stale]]
    return labels


# ----------------------------------------------------------------------------- batch


def default_k(n: int) -> int:
    """The documented rule for the number of clusters: round(sqrt(2 n)), at least 2."""
    return max(2, min(n, round(math.sqrt(2 * n))))


def cluster_texts(texts: Sequence[str], langs: Sequence[str | None], k: int | None = None,
                  ) -> list[int]:
    """Cluster ids for `texts` (deterministic): `pipeline.nlp.topic_clusters`, k from the
    fixed rule unless given."""
    from pipeline.nlp.topic_clusters import cluster_batch

    n = len(texts)
    if n == 0:
        return []
    k = default_k(n) if k is None else max(1, min(k, n))
    if n < 3 or k == 1:
        return [0] * n
    return cluster_batch(texts, langs, k)
