"""Metrics: the paper's metrics and the usual recommender ones, with bootstrap CIs.

Relevance is occupational: an item is relevant (grade 1) when its major 직종 category equals the
query's (the paper's rule: posting category = seeker's desired category), grade 2 when the middle
category matches too. Definitions follow Microsoft Recommenders' python_evaluation.py:
  P@k = hits in top k / k;  AP@k = Σ_hit (hits so far / rank) / min(#relevant, k);
  nDCG@k = DCG / IDCG with gain = grade and discount 1/log2(rank+1), IDCG from the best possible
  list drawn from the same filtered candidate pool.
Also reported: Top-k accuracy (any major-category hit in top k, the paper's), Hit-rate@k (any middle-category
hit: stricter), AP@k as the paper normalised it (by the hits found), catalogue coverage and the
filter-violation rate (must be 0). Only queries with at least one relevant candidate after filters count.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

KS = (3, 5, 10)
METRICS = ("top_k_accuracy", "precision", "map", "map_paper", "ndcg", "hit_rate", "violation_rate")
METRIC_LABELS = {"top_k_accuracy": "Top-k 정확도", "precision": "Precision@k", "map": "MAP@k", "map_paper": "MAP@k(논문식)",
                 "ndcg": "nDCG@k", "hit_rate": "Hit-rate@k(중분류)", "violation_rate": "필터 위반율", "coverage": "카탈로그 커버리지"}
DIRECTIONS = {"posting->posting": "공고→유사 공고", "seeker->posting": "구직자→공고", "posting->seeker": "공고→구직자"}


def average_precision(rel: list[int], k: int, n_relevant: int) -> float:
    """MS Recommenders' AP@k on binary relevance; `n_relevant` is the number of relevant candidates."""
    hits, score = 0, 0.0
    for rank, r in enumerate(rel[:k], start=1):
        if r:
            hits += 1
            score += hits / rank
    denom = min(n_relevant, k)
    return score / denom if denom else 0.0


def average_precision_paper(rel: list[int], k: int) -> float:
    """AP@k normalised by the hits found in the top k (how the paper's MAP relates to its Top-k)."""
    hits, score = 0, 0.0
    for rank, r in enumerate(rel[:k], start=1):
        if r:
            hits += 1
            score += hits / rank
    return score / hits if hits else 0.0


def ndcg(grades: list[int], k: int, pool_grades: list[int]) -> float:
    """Graded nDCG@k; the ideal list is the best k grades available in the filtered pool."""
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(grades[:k]))
    ideal = sorted(pool_grades, reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


@dataclass
class QueryOutcome:
    query_id: str
    major: str
    sido: str
    items: list[str]
    grades: list[int]  # 2 same middle, 1 same major, 0 otherwise, in rank order
    scores: list[float]
    n_major: int  # relevant (grade ≥ 1) candidates in the filtered pool
    pool_top: list[int]  # best grades in the pool (for IDCG), at most max k
    violations: int
    beyond_radius_unfiltered: float | None = None  # share of the unfiltered top-k beyond the radius

    def metric(self, name: str, k: int) -> float:
        return METRICS[name](self, k)


def _relevant(o: QueryOutcome) -> list[int]:
    return [int(g >= 1) for g in o.grades]


def top_k_accuracy(o: QueryOutcome, k: int) -> float:
    """1 if any of the top k shares the query's major category, else 0 (the paper's Top-k). Range [0, 1]."""
    return float(any(_relevant(o)[:k]))


def hit_rate(o: QueryOutcome, k: int) -> float:
    """1 if any of the top k shares the query's middle category (stricter than Top-k). Range [0, 1]."""
    return float(any(g == 2 for g in o.grades[:k]))


def precision(o: QueryOutcome, k: int) -> float:
    """Relevant items in the top k over k (a short list counts its missing places as misses). Range [0, 1]."""
    return sum(_relevant(o)[:k]) / k


def map_at_k(o: QueryOutcome, k: int) -> float:
    """AP@k as in Microsoft Recommenders, normalised by min(#relevant in the pool, k). Range [0, 1]."""
    return average_precision(_relevant(o), k, o.n_major)


def map_paper(o: QueryOutcome, k: int) -> float:
    """AP@k normalised by the hits found (how the paper's MAP relates to its Top-k). Range [0, 1]."""
    return average_precision_paper(_relevant(o), k)


def ndcg_at_k(o: QueryOutcome, k: int) -> float:
    """Graded nDCG@k (middle match 2, major 1) against the best list of the same filtered pool. Range [0, 1]."""
    return ndcg(o.grades, k, o.pool_top)


def violation_rate(o: QueryOutcome, k: int) -> float:
    """Share of the top k that break a hard filter, per the independent pair oracle. Must be 0. Range [0, 1]."""
    return o.violations / max(1, len(o.items[:k]))


METRICS: dict[str, Callable[[QueryOutcome, int], float]] = {
    "top_k_accuracy": top_k_accuracy, "precision": precision, "map": map_at_k, "map_paper": map_paper,
    "ndcg": ndcg_at_k, "hit_rate": hit_rate, "violation_rate": violation_rate}


def coverage(outcomes: list[QueryOutcome], k: int, catalogue: int) -> float:
    seen = {i for o in outcomes for i in o.items[:k]}
    return len(seen) / catalogue if catalogue else 0.0
