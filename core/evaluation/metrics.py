"""Metrics from ranx, one code path for the category proxy and for analyst judgments.

Grades come from one place: `core.data.kinds.grade` for the proxy (2 same middle 직종, 1 same major,
0 otherwise) and the analysts' consensus for judgments (2 관련, 1 부분, 0 무관). Either way they become
ranx qrels, a model's lists a ranx run, and ranx computes the figures:
  Top-k accuracy = hit_rate@k (any grade ≥ 1 in the top k: the paper's Top-k);
  Hit-rate@k(중분류) = hit_rate@k-l2 (any grade 2);  P@k = precision@k (hits / k, a short list's empty
  places count as misses);  MRR@k = mrr@k;  nDCG@k = ndcg@k (gain = grade, Järvelin's 1/log2(rank+1),
  the ideal list from the best grades of the same filtered pool);
  MAP@k = map@k, normalised by min(#relevant, k) as in Microsoft Recommenders: ranx divides by the
  qrels' relevant count, so for MAP the qrels hold the list's hits plus other relevant pool items up to k;
  MAP@k(논문식) = the same with only the list's hits in the qrels (normalised by the hits found).
Not ranking metrics, so written here: the filter-violation rate (must be 0) and catalogue coverage.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..data.kinds import DIRECTION_LABELS

KS = (3, 5, 10)
RANKING_METRICS = ("top_k_accuracy", "precision", "map", "map_paper", "ndcg", "mrr", "hit_rate")
METRICS = (*RANKING_METRICS, "violation_rate")
METRIC_LABELS = {"top_k_accuracy": "Top-k 정확도", "precision": "Precision@k", "map": "MAP@k", "map_paper": "MAP@k(논문식)",
                 "ndcg": "nDCG@k", "mrr": "MRR@k", "hit_rate": "Hit-rate@k(중분류)", "violation_rate": "필터 위반율",
                 "coverage": "카탈로그 커버리지"}
DIRECTIONS = DIRECTION_LABELS  # kept for callers that label directions (see core.data.kinds.Direction)
_RANX = {"top_k_accuracy": "hit_rate@{k}", "precision": "precision@{k}", "ndcg": "ndcg@{k}", "mrr": "mrr@{k}",
         "hit_rate": "hit_rate@{k}-l2"}


@dataclass
class QueryOutcome:
    query_id: str
    major: str
    sido: str
    items: list[str]
    grades: list[int]  # the listed items' grades, in rank order
    scores: list[float]
    n_major: int  # relevant (grade ≥ 1) candidates in the filtered pool
    qrels: dict = field(default_factory=dict)  # item → grade: the listed items and the pool's best max(KS)
    violations: int = 0
    beyond_radius_unfiltered: float | None = None  # share of the unfiltered top-k beyond the radius


def ranked_run(lists: Mapping[str, Sequence[str]]) -> dict[str, dict[str, float]]:
    """A run for ranx whose order is the list's order (scores n, n-1, …; a model's tied scores cannot reorder it).

    Plain dicts, not ranx's Run and Qrels: those build numba typed dicts, whose methods numba compiles anew in
    every process (~5–15 s of CPU at a process's first evaluation, on the first open of 평가·감사 too), while
    dicts take ranx's typed-list path, whose kernels it caches on disk. ranx then pairs qrels and run by
    position, so both must list the queries in the same order (`ranking_scores` builds them so)."""
    return {q: {item: float(len(items) - r) for r, item in enumerate(items)} or {"": 0.0} for q, items in lists.items()}


def _map_qrels(items: Sequence[str], qrels: Mapping[str, int], n_relevant: int, k: int, paper: bool) -> dict:
    """Qrels whose relevant count is MAP's denominator: the hits in the top k, then (unless `paper`) other
    relevant items of the pool, best grade first, up to min(n_relevant, k)."""
    hits = [i for i in items[:k] if qrels.get(i, 0) >= 1]
    out = {i: 1 for i in hits}
    if not paper:
        pads = sorted((i for i, g in qrels.items() if g >= 1 and i not in out), key=lambda i: (-qrels[i], i))
        out.update({i: 1 for i in pads[:max(0, min(n_relevant, k) - len(hits))]})
    return out or {"": 0}


def ranking_scores(lists: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]],
                   n_relevant: Mapping[str, int] | None = None, ks: Sequence[int] = KS) -> dict[str, np.ndarray]:
    """Per-query ranking metrics from ranx, in the order of `lists`: "metric@k" → array.

    `qrels` are the graded items per query (they must include the pool's best grades for nDCG's ideal list);
    `n_relevant` the relevant candidates per query (for MAP's min(#relevant, k)); by default those in qrels."""
    from ranx import evaluate

    queries = list(lists)
    if not queries:
        return {f"{m}@{k}": np.zeros(0) for k in ks for m in RANKING_METRICS}
    qrels = {q: dict(qrels.get(q) or {}) for q in queries}
    n_relevant = n_relevant or {q: sum(g >= 1 for g in qrels[q].values()) for q in queries}
    run = ranked_run({q: lists[q] for q in queries})  # qrels and run in the order of `queries`: ranx pairs by position
    graded = {q: qrels[q] or {"": 0} for q in queries}
    names = [_RANX[m].format(k=k) for k in ks for m in _RANX]
    found = evaluate(graded, run, names, return_mean=False, threads=1, save_results_in_run=False)
    out = {f"{m}@{k}": np.asarray(found[_RANX[m].format(k=k)], dtype=float) for k in ks for m in _RANX}
    for k in ks:
        for name, paper in (("map", False), ("map_paper", True)):
            capped = {q: _map_qrels(lists[q], qrels[q], n_relevant[q], k, paper) for q in queries}
            # two names: ranx 0.3.21's evaluate fails on one metric with return_mean=False (a KeyError)
            found = evaluate(capped, run, [f"map@{k}", f"hit_rate@{k}"], return_mean=False, threads=1,
                             save_results_in_run=False)
            out[f"{name}@{k}"] = np.asarray(found[f"map@{k}"], dtype=float)
    return out


def compile_kernels() -> None:
    """Run each ranx kernel JobLens uses once on a toy run, so that numba compiles it into its disk cache (ranx's
    folder). Set-up calls it right after installing the packages: otherwise the first evaluation compiled them
    (a fresh clone's first test run: ~80 s for the first open of 평가·감사), and on two cores the test workers and
    the app's server compiled the same kernels at once."""
    import warnings

    from numba.core.errors import NumbaTypeSafetyWarning
    from ranx.statistical_tests import fisher_randomization_test

    with warnings.catch_warnings():  # ranx's own sort casts a hash to int64 (harmless): not for a user's set-up screen
        warnings.simplefilter("ignore", NumbaTypeSafetyWarning)
        ranking_scores({"a": ["x", "y"], "b": ["z"]}, {"a": {"x": 2, "y": 1}, "b": {"w": 1}})
        fisher_randomization_test(np.array([0.5, 1.0]), np.array([0.0, 1.0]), 10, 0.05, 42)


def outcome_scores(outcomes: Sequence[QueryOutcome], ks: Sequence[int] = KS) -> dict[str, np.ndarray]:
    """Every metric per query (in `outcomes` order) for the proxy evaluation."""
    ids = [o.query_id for o in outcomes]
    if len(set(ids)) != len(ids):
        raise ValueError("한 평가 안에서 질의 ID가 겹칩니다")
    out = ranking_scores({o.query_id: o.items for o in outcomes}, {o.query_id: o.qrels for o in outcomes},
                         {o.query_id: o.n_major for o in outcomes}, ks)
    for k in ks:
        out[f"violation_rate@{k}"] = np.array([violation_rate(o, k) for o in outcomes], dtype=float)
    return out


def violation_rate(o: QueryOutcome, k: int) -> float:
    """Share of the top k that break a hard filter, per the independent pair oracle. Must be 0. Range [0, 1]."""
    return o.violations / max(1, len(o.items[:k]))


def coverage(outcomes: list[QueryOutcome], k: int, catalogue: int) -> float:
    seen = {i for o in outcomes for i in o.items[:k]}
    return len(seen) / catalogue if catalogue else 0.0
