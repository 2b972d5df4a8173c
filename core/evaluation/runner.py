"""Running an evaluation: the same query sample per direction for every model, each query's filter masks
computed once, violations checked by the independent pair oracle, and results with bootstrap CIs.
Only queries with at least one relevant candidate after filters count (metrics: see metrics.py)."""
from __future__ import annotations

import time
import zlib
from dataclasses import dataclass, field

import numpy as np

from ..data import keco
from ..data.datasets import sample
from ..data.kinds import Direction, grade_codes
from ..filters import FilterSettings, pair_violation
from ..geo import SIDO_SHORT
from ..models.encoders import ModelNotReady
from ..models.wbert.paths import held_out_ids
from ..progress import Progress, report
from .bootstrap import bootstrap_ci
from .metrics import KS, METRICS, QueryOutcome, coverage, outcome_scores

SPLITS = ("dev", "test")


def query_split(record_id: str) -> str:
    """'dev' or 'test', fixed by the id alone: tuning and calibration read only dev queries, reports test ones."""
    return SPLITS[zlib.crc32(record_id.encode("utf-8")) % 2]


@dataclass
class PreparedQuery:
    """One query's filter work, done once and shared by every model: the mask with its report, the
    unfiltered mask for the audit, and the relevance grades of the filtered pool."""

    query: object
    candidates: tuple
    unfiltered: tuple | None
    pool_grades: np.ndarray
    pool_best: dict = field(default_factory=dict)  # the pool's best-graded items (up to max(KS)): nDCG's ideal list


def relevance_of(corpus, record) -> tuple[str, str]:
    """(major, middle) code a query is graded by: its own, or blind, its posting's hidden one."""
    code = corpus.relevance_code(record)
    return keco.major_of(code) or "", keco.middle_of(code) or ""


def prepare_queries(corpus, direction: str, queries: list, filters: FilterSettings,
                    audit: bool = True) -> tuple[list[PreparedQuery], int]:
    """The answerable queries of a direction (at least one relevant candidate after filters) and how many were not."""
    target = Direction(direction).target
    middles, majors = corpus.relevance_codes(target)  # blind: the hidden codes (see Corpus)
    ids = corpus.tables[target].ids
    unfiltered = FilterSettings(**{**filters.__dict__, "distance": False})
    prepared, skipped = [], 0
    for q in queries:
        q_major, q_middle = relevance_of(corpus, q)
        if not q_major:
            skipped += 1
            continue
        mask, rep = corpus.candidates(q, target, filters)
        pool = np.flatnonzero(mask)
        grades = grade_codes(q_major, q_middle, majors[pool], middles[pool])
        if not (grades >= 1).any():
            skipped += 1
            continue
        best = np.argsort(-grades, kind="stable")[:max(KS)]
        free = corpus.candidates(q, target, unfiltered) if audit and rep.radius_km is not None else None
        prepared.append(PreparedQuery(q, (mask, rep), free, grades, {ids[pool[i]]: int(grades[i]) for i in best}))
    return prepared, skipped


def run_task(engine, name: str, direction: str, prepared: list[PreparedQuery], k: int = 10,
             filters: FilterSettings | None = None, progress: Progress | None = None, label: str = "평가",
             prefer_occupation: bool = False, analyser: str = "mecab") -> list[QueryOutcome]:
    """One outcome per prepared query, each list got the way a page gets it (`Engine.recommend`: the stored
    list of this configuration when there is one, else ranked live), so what is scored is what is served.
    Violations are counted by the per-pair oracle, not by the mask that chose the items, so a ranking path
    that ignored the mask would show up here."""
    filters = filters or FilterSettings()
    corpus = engine.corpus
    target = Direction(direction).target
    middles, majors = corpus.relevance_codes(target)
    table = corpus.tables[target]
    outcomes = []
    for i, pq in enumerate(prepared):
        q = pq.query
        q_major, q_middle = relevance_of(corpus, q)
        res = engine.recommend(name, analyser, q, target, k, filters, prefer_occupation=prefer_occupation,
                               explain=False, candidates=pq.candidates)
        rows = [table.row_of[r.item_id] for r in res.items]
        grades = grade_codes(q_major, q_middle, majors[rows], middles[rows]).tolist() if rows else []
        violations = sum(pair_violation(q, corpus.get(r.item_id), filters, corpus.unsuitable, corpus.as_of or "") is not None
                         for r in res.items)
        beyond = None
        if pq.unfiltered is not None:  # the audit's counterfactual (distance filter off) is never served: live
            free = engine.model(name, analyser).recommend(q, k=k, filters=filters, target=target, explain=False,
                                                          candidates=pq.unfiltered)
            d = [r.distance_km for r in free.items if r.distance_km is not None]
            beyond = float(np.mean([x > pq.candidates[1].radius_km for x in d])) if d else None
        items = [r.item_id for r in res.items]
        outcomes.append(QueryOutcome(q.id, q_major, SIDO_SHORT.get(q.place.sido or "", "미배치"), items, grades,
                                     [r.score for r in res.items], int((pq.pool_grades >= 1).sum()),
                                     {**pq.pool_best, **dict(zip(items, grades))}, violations, beyond))
        report(progress, label, i + 1, len(prepared))
    return outcomes


@dataclass
class ModelResult:
    dataset: str
    direction: str
    model: str
    n_queries: int
    skipped: int
    catalogue: int
    seconds: float
    metrics: dict = field(default_factory=dict)  # "metric@k" → [mean, lo, hi]
    audit: dict = field(default_factory=dict)
    per_query: dict = field(default_factory=dict)  # "metric@k" → list (for paired tests)
    split: str = "all"  # 'dev', 'test' or 'all' (see query_split)
    outcomes: list = field(default_factory=list, repr=False)  # the per-query outcomes (calibration reads them)

    @property
    def display_name(self) -> str:
        return f"{self.model} · {self.variant}" if self.variant else self.model
    variant: str = ""  # e.g. '희망 직종 우선 (라벨 신호 사용)': rows that are not the model's plain ranking


def summarise(dataset: str, direction: str, model_name: str, outcomes: list[QueryOutcome], skipped: int,
              catalogue: int, seconds: float, n_boot: int = 1000) -> ModelResult:
    res = ModelResult(dataset, direction, model_name, len(outcomes), skipped, catalogue, round(seconds, 1))
    per_query = outcome_scores(outcomes)
    for k in KS:
        for m in METRICS:
            values = per_query[f"{m}@{k}"]
            res.metrics[f"{m}@{k}"] = [round(x, 4) for x in bootstrap_ci(values, n_boot)]
            res.per_query[f"{m}@{k}"] = values.tolist()
        # coverage is a property of the whole set of lists: resampling queries with replacement repeats lists and
        # biases it low, so no bootstrap interval is given (NaN bounds), only the point estimate
        res.metrics[f"coverage@{k}"] = [round(coverage(outcomes, k, catalogue), 4), float("nan"), float("nan")]
    res.audit = audit_summary(outcomes, top_k=per_query["top_k_accuracy@5"])
    return res


def audit_summary(outcomes: list[QueryOutcome], k: int = 5, top_k: np.ndarray | None = None) -> dict:
    """What the 2022 감사원 audit asked: distance breaches without filters, score thresholds, breakdowns.
    `top_k`: each outcome's Top-k accuracy at this k (computed when not given)."""
    top_k = outcome_scores(outcomes, (k,))[f"top_k_accuracy@{k}"] if top_k is None else top_k
    beyond = [o.beyond_radius_unfiltered for o in outcomes if o.beyond_radius_unfiltered is not None]
    scores = np.array([s for o in outcomes for s in o.scores[:k]])
    by_region: dict[str, list[float]] = {}
    by_category: dict[str, list[float]] = {}
    for o, hit in zip(outcomes, top_k):
        by_region.setdefault(o.sido, []).append(float(hit))
        by_category.setdefault(keco.majors().get(o.major, o.major), []).append(float(hit))
    return {
        "beyond_radius_if_distance_filter_off": round(float(np.mean(beyond)), 4) if beyond else None,
        "score_thresholds": {f"{t:.2f}": round(float((scores >= t).mean()), 4) if len(scores) else None
                             for t in (0.25, 0.5, 0.75)},
        "score_quantiles": {q: round(float(np.quantile(scores, float(q))), 4) for q in ("0.1", "0.5", "0.9")} if len(scores) else {},
        f"top{k}_accuracy_by_region": {r: [round(float(np.mean(v)), 3), len(v)] for r, v in sorted(by_region.items())},
        f"top{k}_accuracy_by_category": {c: [round(float(np.mean(v)), 3), len(v)] for c, v in sorted(by_category.items())},
        "scores": scores.round(4).tolist()[:5000],
        "outcome_correlation": "결과(지원·클릭) 데이터 없음: 점수-결과 상관은 계산하지 않음",
        "query_ids": [o.query_id for o in outcomes],
    }


def score_outcome_correlation(scores: list[float], outcomes: list[float]) -> float:
    """Spearman correlation of recommendation score with an outcome (application, click) when such data exists."""
    from scipy.stats import spearmanr

    return float(spearmanr(scores, outcomes).statistic)


PREFER_LABEL = "희망 직종 우선 (라벨 신호 사용)"


def evaluate(engine, dataset: str, models: list[str], directions: list[str], n_queries: int = 300,
             filters: FilterSettings | None = None, progress: Progress | None = None,
             analyser: str = "mecab", split: str | None = None, prefer_occupation: bool = False,
             audit: bool = True, wbert_held_out: bool | None = None) -> list[ModelResult]:
    """Run every (direction, model) on the same query sample. Query sets are fixed per direction so models
    can be compared pairwise; each query's masks are computed once and shared by all models. `split`
    ('dev' or 'test') draws queries from that half only. `prefer_occupation` adds, per model, rows ranked
    with '희망 직종 우선', marked as using the category label itself (the relevance signal). Posting queries
    come from W-BERT's held-out postings when W-BERT is evaluated (or `wbert_held_out` says so), so runs
    with and without it can share query sets."""
    filters = filters or FilterSettings()
    results = []
    postings = sorted(engine.corpus.postings.values(), key=lambda p: p.id)
    seekers = sorted(engine.corpus.seekers.values(), key=lambda s: s.id)
    restrict = "wbert" in models if wbert_held_out is None else wbert_held_out
    held_out = held_out_ids() & set(engine.corpus.postings) if restrict else set()
    for direction in directions:
        source = Direction(direction).source
        pool = postings if source == "posting" else seekers
        if source == "posting" and held_out:  # no query W-BERT trained on; every model gets the same queries
            pool = [p for p in postings if p.id in held_out]
        if split:
            pool = [r for r in pool if query_split(r.id) == split]
        queries = sample(pool, n_queries, seed=zlib.crc32(direction.encode()))  # stable across runs
        target_records = postings if direction.endswith("posting") else seekers
        if not queries or not target_records:
            continue
        prepared, skipped = prepare_queries(engine.corpus, direction, queries, filters, audit)
        for name in models:
            try:
                engine.model(name, analyser, progress=progress)  # fitted (or loaded) before the clock starts
            except ModelNotReady:
                continue
            for prefer in (False, True) if prefer_occupation else (False,):
                start = time.time()
                outcomes = run_task(engine, name, direction, prepared, k=max(KS), filters=filters, progress=progress,
                                    label=f"{dataset} {direction} {name}", prefer_occupation=prefer, analyser=analyser)
                result = summarise(dataset, direction, name, outcomes, skipped, len(target_records), time.time() - start)
                result.split, result.variant = split or "all", PREFER_LABEL if prefer else ""
                result.outcomes = outcomes
                results.append(result)
    return results
