"""Customer problems: clusters of complaint / negative mentions with stable ids.

Two entry points:

* `ProblemModel.update(posts)` — the incremental, online model the pipeline runs per
  brand and batch. A post is *assigned* to the most similar existing problem when the
  cosine similarity to its centroid reaches `assign_threshold`; otherwise it waits in a
  pending pool. A new problem is *created* only when at least `min_size` pending posts
  form a tight group (average-linkage clustering with a distance cut). Problem ids are a
  hash of brand, model version and the founding posts, so the same posts always give the
  same ids. Problems whose centroids converge are *merged*; merges are recorded and the
  absorbed id keeps resolving to the surviving one.
* `cluster_texts(texts, langs)` — offline batch clustering used by `stimmung eval
  topics`: an ensemble of k-means runs over two character n-gram LSA views of the
  lemmatised text, combined through a co-association matrix and cut with average
  linkage. The number of clusters follows a fixed rule, `k = round(sqrt(2 n))`.

Representations are character n-grams (3-5, word-bounded) of content lemmas: robust to
German compounds, typos and inflection, language-agnostic, no torch. The online model
uses a hashing vectoriser so centroids stay comparable across runs without a fitted
vocabulary. See `pipeline/evaluation/topics.py` for the measured alternatives (MiniLM).
"""

from __future__ import annotations

import hashlib
import logging
import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

import numpy as np
from scipy import sparse

from pipeline.nlp.keyphrases import extract_keyphrases, lemmas

log = logging.getLogger(__name__)

PROBLEM_MODEL = ("stimmung-problems", "1.0.0")
N_FEATURES = 2**18
CENTROID_TOP = 1500  # features kept per centroid
EXAMPLES = 3


# ----------------------------------------------------------------------------- vectors


def _hasher() -> Any:
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), n_features=N_FEATURES,
                             alternate_sign=False, norm=None, lowercase=True)


def vectorize(texts: Sequence[str], langs: Sequence[str | None],
              drop_terms: Iterable[str] = ()) -> sparse.csr_matrix:
    """L2-normalised hashed char n-gram vectors of the content lemmas (sublinear tf)."""
    drop = {t.lower() for term in drop_terms for t in term.split()}
    docs = [" ".join(w for w in doc.split() if w not in drop) for doc in lemmas(texts, langs)]
    x = _hasher().transform(docs).tocsr().astype(np.float64)
    x.data = 1.0 + np.log(x.data)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ x)


def _to_dict(vec: np.ndarray | sparse.spmatrix, top: int = CENTROID_TOP) -> dict[int, float]:
    arr = np.asarray(cast(Any, vec).toarray() if sparse.issparse(vec) else vec).ravel()
    idx = np.flatnonzero(arr)
    if len(idx) > top:
        idx = idx[np.argsort(-arr[idx], kind="stable")[:top]]
    norm = float(np.sqrt(np.sum(arr[idx] ** 2))) or 1.0
    return {int(i): round(float(arr[i]) / norm, 6) for i in sorted(idx)}


def _dense(d: dict[int, float]) -> np.ndarray:
    v = np.zeros(N_FEATURES)
    if d:
        v[np.fromiter(d.keys(), dtype=np.int64)] = np.fromiter(d.values(), dtype=np.float64)
    return v


def _cos(a: dict[int, float], b: dict[int, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return float(sum(w * b.get(i, 0.0) for i, w in a.items()))


# ----------------------------------------------------------------------------- records


@dataclass(slots=True)
class ProblemPost:
    """A complaint or negative mention to cluster (one brand)."""

    post_id: str
    text: str
    lang: str | None
    day: date
    keyphrases: list[tuple[str, float]] | None = None


@dataclass(slots=True)
class Problem:
    """A customer problem of one brand."""

    problem_id: str
    brand: str
    centroid: dict[int, float]
    size: int
    terms: dict[str, float]
    examples: list[dict[str, Any]]  # {"post_id", "similarity", "text"}
    first_day: date
    last_day: date
    status: str = "active"  # active | merged
    merged_into: str | None = None

    @property
    def label(self) -> str:
        """Human-readable label: the three strongest terms / phrases."""
        top = sorted(self.terms.items(), key=lambda kv: (-kv[1], kv[0]))
        chosen: list[str] = []
        for term, _ in top:
            if any(term in c or c in term for c in chosen):
                continue
            chosen.append(term)
            if len(chosen) == 3:
                break
        return " · ".join(chosen) or self.problem_id


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


# ----------------------------------------------------------------------------- online model


class ProblemModel:
    """Incremental problem clustering for one brand (state: problems + pending posts)."""

    def __init__(
        self,
        brand: str,
        problems: Iterable[Problem] = (),
        pending: Iterable[ProblemPost] = (),
        *,
        assign_threshold: float = 0.30,
        create_threshold: float = 0.28,
        merge_threshold: float = 0.80,
        min_size: int = 3,
        pending_days: int = 30,
        version: str = PROBLEM_MODEL[1],
    ) -> None:
        self.brand = brand
        self.problems: dict[str, Problem] = {p.problem_id: p for p in problems}
        self.pending: list[ProblemPost] = list(pending)
        self.assign_threshold = assign_threshold
        self.create_threshold = create_threshold
        self.merge_threshold = merge_threshold
        self.min_size = min_size
        self.pending_days = pending_days
        self.version = version

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

    def _vectors(self, posts: Sequence[ProblemPost]) -> sparse.csr_matrix:
        return vectorize([p.text for p in posts], [p.lang for p in posts], [self.brand])

    def _keyphrases(self, posts: Sequence[ProblemPost]) -> None:
        missing = [p for p in posts if p.keyphrases is None]
        if missing:
            kps = extract_keyphrases([p.text for p in missing], [p.lang for p in missing], 3)
            for p, kp in zip(missing, kps, strict=True):
                p.keyphrases = kp

    def _add_member(self, prob: Problem, post: ProblemPost, vec: np.ndarray,
                    sim: float) -> None:
        centroid = _dense(prob.centroid) * prob.size + vec
        prob.size += 1
        prob.centroid = _to_dict(centroid)
        brand_key = self.brand.lower().replace("-", "")
        for phrase, score in post.keyphrases or []:
            if brand_key not in phrase.replace("-", ""):
                prob.terms[phrase] = round(prob.terms.get(phrase, 0.0) + score, 4)
        if len(prob.terms) > 200:
            prob.terms = dict(sorted(prob.terms.items(), key=lambda kv: (-kv[1], kv[0]))[:100])
        prob.examples.append({"post_id": post.post_id, "similarity": round(sim, 4),
                              "text": post.text[:280]})
        prob.examples = sorted(prob.examples, key=lambda e: (-e["similarity"],
                                                            e["post_id"]))[:EXAMPLES]
        prob.first_day = min(prob.first_day, post.day)
        prob.last_day = max(prob.last_day, post.day)

    def update(self, posts: Sequence[ProblemPost]) -> UpdateResult:
        """Assign `posts` to problems, create new problems, record merges."""
        result = UpdateResult()
        known = {p.post_id for p in self.pending}
        posts = sorted((p for p in posts if p.post_id not in known),
                       key=lambda p: (p.day, p.post_id))
        if not posts:
            result.pending = list(self.pending)
            return result
        self._keyphrases(posts)
        x = self._vectors(posts)
        changed: set[str] = set()
        unassigned: list[ProblemPost] = []
        for i, post in enumerate(posts):
            row = x.getrow(i)
            if row.nnz == 0:
                unassigned.append(post)
                continue
            rd = dict(zip(row.indices.tolist(), row.data.tolist(), strict=True))
            best, best_sim = None, 0.0
            for prob in self.active():
                sim = _cos(rd, prob.centroid)
                if sim > best_sim:
                    best, best_sim = prob, sim
            if best is not None and best_sim >= self.assign_threshold:
                self._add_member(best, post, row.toarray().ravel(), best_sim)
                changed.add(best.problem_id)
                result.assignments.append(Assignment(post.post_id, best.problem_id, best_sim))
            else:
                unassigned.append(post)
        created_assign = self._create(unassigned, posts[-1].day, result, changed)
        result.assignments += created_assign
        done = {a.post_id for a in result.assignments}
        result.assignments += [Assignment(p.post_id, None, 0.0) for p in unassigned
                               if p.post_id not in done]
        self._merge(posts[-1].day, result, changed)
        result.changed = [self.problems[pid] for pid in sorted(changed)]
        result.pending = list(self.pending)
        result.assignments.sort(key=lambda a: a.post_id)
        return result

    def _create(self, unassigned: list[ProblemPost], today: date, result: UpdateResult,
                changed: set[str]) -> list[Assignment]:
        horizon = today.toordinal() - self.pending_days
        pool = [p for p in self.pending if p.day.toordinal() >= horizon] + unassigned
        pool = sorted({p.post_id: p for p in pool}.values(), key=lambda p: (p.day, p.post_id))
        self.pending = pool
        if len(pool) < self.min_size:
            return []
        self._keyphrases(pool)
        x = self._vectors(pool)
        sims = (x @ x.T).toarray()
        labels = _average_linkage(sims, self.create_threshold)
        assigned: list[Assignment] = []
        taken: set[str] = set()
        groups: dict[int, list[int]] = {}
        for i, lab in enumerate(labels):
            groups.setdefault(int(lab), []).append(i)
        for members in sorted(groups.values(), key=lambda m: (pool[m[0]].day, pool[m[0]].post_id)):
            if len(members) < self.min_size:
                continue
            ids = sorted(pool[i].post_id for i in members)
            digest = hashlib.sha1(f"{self.brand}|{self.version}|{','.join(ids)}".encode())
            pid = "pb_" + digest.hexdigest()[:12]
            centroid = np.asarray(x[members].mean(axis=0)).ravel()
            cdict = _to_dict(centroid)
            first = min(pool[i].day for i in members)
            prob = Problem(pid, self.brand, {}, 0, {}, [], first, first)
            for i in members:
                row = x.getrow(i)
                rd = dict(zip(row.indices.tolist(), row.data.tolist(), strict=True))
                sim = _cos(rd, cdict)
                self._add_member(prob, pool[i], row.toarray().ravel(), sim)
                assigned.append(Assignment(pool[i].post_id, pid, sim, created=True))
                taken.add(pool[i].post_id)
            self.problems[pid] = prob
            changed.add(pid)
            result.created.append(pid)
            log.info("new problem %s for %s: %s (%d posts)", pid, self.brand, prob.label,
                     prob.size)
        self.pending = [p for p in pool if p.post_id not in taken]
        return assigned

    def _merge(self, today: date, result: UpdateResult, changed: set[str]) -> None:
        while True:
            active = self.active()
            best: tuple[float, Problem, Problem] | None = None
            for i, a in enumerate(active):
                for b in active[i + 1:]:
                    if a.problem_id not in changed and b.problem_id not in changed:
                        continue
                    sim = _cos(a.centroid, b.centroid)
                    if sim >= self.merge_threshold and (best is None or sim > best[0]):
                        best = (sim, a, b)
            if best is None:
                return
            sim, a, b = best
            # the larger (then older, then smaller id) problem survives
            keep, gone = sorted((a, b), key=lambda p: (-p.size, p.first_day, p.problem_id))
            total = keep.size + gone.size
            keep.centroid = _to_dict((_dense(keep.centroid) * keep.size
                                      + _dense(gone.centroid) * gone.size) / total)
            keep.size = total
            for t, w in gone.terms.items():
                keep.terms[t] = round(keep.terms.get(t, 0.0) + w, 4)
            keep.examples = sorted(keep.examples + gone.examples,
                                   key=lambda e: (-e["similarity"], e["post_id"]))[:EXAMPLES]
            keep.first_day = min(keep.first_day, gone.first_day)
            keep.last_day = max(keep.last_day, gone.last_day)
            gone.status, gone.merged_into = "merged", keep.problem_id
            changed.update({keep.problem_id, gone.problem_id})
            result.merges.append(Merge(gone.problem_id, keep.problem_id, round(sim, 4), today))
            log.info("merged problem %s into %s (similarity %.2f)", gone.problem_id,
                     keep.problem_id, sim)


def _average_linkage(sims: np.ndarray, threshold: float) -> np.ndarray:
    """Flat clusters: average linkage on cosine distance, cut at 1 - threshold."""
    n = sims.shape[0]
    if n == 1:
        return np.zeros(1, dtype=int)
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    dist = np.clip(1.0 - sims, 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    z = linkage(squareform(dist, checks=False), method="average")
    return np.asarray(fcluster(z, t=1.0 - threshold, criterion="distance"))


# ----------------------------------------------------------------------------- batch


def default_k(n: int) -> int:
    """The documented rule for the number of clusters: round(sqrt(2 n)), at least 2."""
    return max(2, min(n, round(math.sqrt(2 * n))))


def _lsa_views(docs: list[str], seed: int) -> list[np.ndarray]:
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    n = len(docs)
    views: list[np.ndarray] = []
    for ngrams, dims in (((3, 5), 30), ((2, 4), 30), ((3, 5), 50)):
        vec = TfidfVectorizer(analyzer="char_wb", ngram_range=ngrams, sublinear_tf=True,
                              min_df=2 if n >= 30 else 1, max_df=0.2 if n >= 30 else 1.0)
        try:
            x = vec.fit_transform(docs)
        except ValueError:  # empty vocabulary
            continue
        d = min(dims, x.shape[1] - 1, n - 1)
        if d < 2:
            views.append(normalize(x.toarray()))
            continue
        views.append(normalize(TruncatedSVD(d, random_state=seed).fit_transform(x)))
    return views


def cluster_texts(texts: Sequence[str], langs: Sequence[str | None], k: int | None = None,
                  *, seeds: int = 10) -> list[int]:
    """Cluster ids for `texts` (deterministic): co-association ensemble, see module doc."""
    from sklearn.cluster import AgglomerativeClustering, KMeans

    n = len(texts)
    if n == 0:
        return []
    k = default_k(n) if k is None else max(1, min(k, n))
    if n < 3 or k == 1:
        return [0] * n
    docs = lemmas(texts, langs)
    views = _lsa_views(docs, 0)
    if not views:
        return [0] * n
    ks = sorted({max(2, min(n, round(k * f))) for f in (0.5, 0.7, 1.0)})
    co = np.zeros((n, n))
    runs = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate texts: fewer distinct clusters than k
        for view in views:
            for seed in range(seeds):
                for kk in ks:
                    lab = KMeans(kk, n_init=1, random_state=seed).fit_predict(view)
                    co += lab[:, None] == lab[None, :]
                    runs += 1
    co /= runs
    labels = AgglomerativeClustering(k, metric="precomputed",
                                     linkage="average").fit_predict(1.0 - co)
    # renumber by first appearance so ids are stable and readable
    order: dict[int, int] = {}
    return [order.setdefault(int(lab), len(order)) for lab in labels]
