"""Evaluation and audit: the paper's metrics and the usual recommender ones, with bootstrap CIs.

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

import json
import math
import random
import time
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from . import keco
from .filters import FilterSettings, filter_mask
from .geo import SIDO_SHORT

KS = (3, 5, 10)
METRICS = ("top_k_accuracy", "precision", "map", "map_paper", "ndcg", "hit_rate", "violation_rate")
METRIC_LABELS = {"top_k_accuracy": "Top-k 정확도", "precision": "Precision@k", "map": "MAP@k", "map_paper": "MAP@k(논문식)",
                 "ndcg": "nDCG@k", "hit_rate": "Hit-rate@k(중분류)", "violation_rate": "필터 위반율", "coverage": "카탈로그 커버리지"}
DIRECTIONS = {"posting->posting": "공고→유사 공고", "seeker->posting": "구직자→공고", "posting->seeker": "공고→구직자"}


# ---------------------------------------------------------------- per-query metrics
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
        rel = [int(g >= 1) for g in self.grades]
        if name == "top_k_accuracy":
            return float(any(rel[:k]))
        if name == "hit_rate":
            return float(any(g == 2 for g in self.grades[:k]))
        if name == "precision":
            return sum(rel[:k]) / k
        if name == "map":
            return average_precision(rel, k, self.n_major)
        if name == "map_paper":
            return average_precision_paper(rel, k)
        if name == "ndcg":
            return ndcg(self.grades, k, self.pool_top)
        if name == "violation_rate":
            return self.violations / max(1, len(self.items[:k]))
        raise KeyError(name)


# ---------------------------------------------------------------- bootstrap
def bootstrap_ci(values: np.ndarray, n_boot: int = 1000, alpha: float = 0.05, seed: int = 0) -> tuple[float, float, float]:
    """(mean, low, high): percentile bootstrap over queries."""
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return float("nan"), float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(values), size=(n_boot, len(values)))
    means = values[idx].mean(axis=1)
    return float(values.mean()), float(np.quantile(means, alpha / 2)), float(np.quantile(means, 1 - alpha / 2))


def paired_bootstrap(a: np.ndarray, b: np.ndarray, n_boot: int = 1000, seed: int = 0) -> tuple[float, float, float]:
    """Mean of a − b over the same queries, with a 95 % CI from resampling queries jointly."""
    return bootstrap_ci(np.asarray(a, float) - np.asarray(b, float), n_boot=n_boot, seed=seed)


def coverage(outcomes: list[QueryOutcome], k: int, catalogue: int) -> float:
    seen = {i for o in outcomes for i in o.items[:k]}
    return len(seen) / catalogue if catalogue else 0.0


# ---------------------------------------------------------------- running a task
def _codes(records) -> tuple[np.ndarray, np.ndarray]:
    majors = np.array([r.major_code or "" for r in records], dtype=object)
    middles = np.array([r.middle_code or "" for r in records], dtype=object)
    return majors, middles


def run_task(model, direction: str, queries: list, k: int = 10, filters: FilterSettings | None = None,
             audit: bool = True, progress: Callable[[int, int], None] | None = None) -> tuple[list[QueryOutcome], int]:
    """Outcomes for the answerable queries, and how many queries had no relevant candidate."""
    filters = filters or FilterSettings()
    target = direction.split("->")[1]
    table = model.corpus.tables[target]
    majors, middles = _codes(model.corpus.records(target))
    unfiltered = FilterSettings(**{**filters.__dict__, "distance": False})
    outcomes, skipped = [], 0
    for i, q in enumerate(queries):
        if progress:
            progress(i + 1, len(queries))
        q_major, q_middle = q.major_code or "", q.middle_code or ""
        if not q_major:
            skipped += 1
            continue
        origin = model.origin(q)
        mask, report = filter_mask(origin, table, filters)
        pool = np.flatnonzero(mask)
        pool_grades = np.where(middles[pool] == q_middle, 2, np.where(majors[pool] == q_major, 1, 0)) if q_middle else \
            np.where(majors[pool] == q_major, 1, 0)
        n_major = int((pool_grades >= 1).sum())
        if n_major == 0:
            skipped += 1
            continue
        res = model.recommend(q, k=k, filters=filters, target=target, explain=False)
        rows = [table.row_of[r.item_id] for r in res.items]
        grades = [2 if q_middle and middles[r] == q_middle else 1 if majors[r] == q_major else 0 for r in rows]
        violations = int((~mask[rows]).sum()) if rows else 0
        beyond = None
        if audit and report.radius_km is not None:
            free = model.recommend(q, k=k, filters=unfiltered, target=target, explain=False)
            d = [r.distance_km for r in free.items if r.distance_km is not None]
            beyond = float(np.mean([x > report.radius_km for x in d])) if d else None
        outcomes.append(QueryOutcome(q.id, q_major, SIDO_SHORT.get(q.place.sido or "", "미배치"),
                                     [r.item_id for r in res.items], grades, [r.score for r in res.items], n_major,
                                     sorted(pool_grades.tolist(), reverse=True)[:k], violations, beyond))
    return outcomes, skipped


# ---------------------------------------------------------------- report
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


def summarise(dataset: str, direction: str, model_name: str, outcomes: list[QueryOutcome], skipped: int,
              catalogue: int, seconds: float, n_boot: int = 1000) -> ModelResult:
    res = ModelResult(dataset, direction, model_name, len(outcomes), skipped, catalogue, round(seconds, 1))
    for k in KS:
        for m in METRICS:
            values = np.array([o.metric(m, k) for o in outcomes])
            res.metrics[f"{m}@{k}"] = [round(x, 4) for x in bootstrap_ci(values, n_boot)]
            res.per_query[f"{m}@{k}"] = values.tolist()
        # coverage is a property of the whole set of lists: resampling queries with replacement repeats lists and
        # biases it low, so no bootstrap interval is given (NaN bounds), only the point estimate
        res.metrics[f"coverage@{k}"] = [round(coverage(outcomes, k, catalogue), 4), float("nan"), float("nan")]
    res.audit = audit_summary(outcomes)
    return res


def audit_summary(outcomes: list[QueryOutcome], k: int = 5) -> dict:
    """What the 2022 감사원 audit asked: distance breaches without filters, score thresholds, breakdowns."""
    beyond = [o.beyond_radius_unfiltered for o in outcomes if o.beyond_radius_unfiltered is not None]
    scores = np.array([s for o in outcomes for s in o.scores[:k]])
    by_region: dict[str, list[float]] = {}
    by_category: dict[str, list[float]] = {}
    for o in outcomes:
        by_region.setdefault(o.sido, []).append(o.metric("top_k_accuracy", k))
        by_category.setdefault(keco.majors().get(o.major, o.major), []).append(o.metric("top_k_accuracy", k))
    return {
        "beyond_radius_if_distance_filter_off": round(float(np.mean(beyond)), 4) if beyond else None,
        "score_thresholds": {f"{t:.2f}": round(float((scores >= t).mean()), 4) if len(scores) else None
                             for t in (0.25, 0.5, 0.75)},
        "score_quantiles": {q: round(float(np.quantile(scores, float(q))), 4) for q in ("0.1", "0.5", "0.9")} if len(scores) else {},
        f"top{k}_accuracy_by_region": {r: [round(float(np.mean(v)), 3), len(v)] for r, v in sorted(by_region.items())},
        f"top{k}_accuracy_by_category": {c: [round(float(np.mean(v)), 3), len(v)] for c, v in sorted(by_category.items())},
        "scores": scores.round(4).tolist()[:5000],
        "outcome_correlation": "결과(지원·클릭) 데이터 없음: 점수-결과 상관은 계산하지 않음",
    }


def score_outcome_correlation(scores: list[float], outcomes: list[float]) -> float:
    """Spearman correlation of recommendation score with an outcome (application, click) when such data exists."""
    from scipy.stats import spearmanr

    return float(spearmanr(scores, outcomes).statistic)


PAPER_TABLE4 = {  # System B, Table 4 (seed-facts.md)
    ("seeker->posting", "tfidf"): (0.763, 0.789, 0.675, 0.683), ("seeker->posting", "sbert"): (0.816, 0.842, 0.732, 0.716),
    ("posting->seeker", "tfidf"): (0.490, 0.557, 0.346, 0.363), ("posting->seeker", "sbert"): (0.611, 0.695, 0.357, 0.400),
}


def _fmt(ci: list[float]) -> str:
    if math.isnan(ci[1]):
        return f"{ci[0]:.3f}"
    return f"{ci[0]:.3f} [{ci[1]:.3f}, {ci[2]:.3f}]"


def markdown_report(results: list[ModelResult], pairs: list[dict]) -> str:
    lines = ["# JobLens 평가 보고서", "", f"생성: {time.strftime('%Y-%m-%d %H:%M')}; 95 % 부트스트랩 신뢰구간 (질의 재표집).",
             "관련성: 직종 대분류 일치 = 1, 중분류까지 일치 = 2. 필터 적용 후 관련 후보가 있는 질의만 평가.", ""]
    lines += ["## 논문 표 4 형식 (확장)", "",
              "| 데이터 | 방향 | 모델 | n | Top-3 | Top-5 | MAP@3 | MAP@5 | MAP@5(논문식) | 논문 Top-5 / MAP@5 |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        paper = PAPER_TABLE4.get((r.direction, r.model))
        paper_s = f"{paper[1]:.3f} / {paper[3]:.3f}" if paper else ""
        m = r.metrics
        lines.append(f"| {r.dataset} | {DIRECTIONS[r.direction]} | {r.model} | {r.n_queries} | {_fmt(m['top_k_accuracy@3'])} | "
                     f"{_fmt(m['top_k_accuracy@5'])} | {_fmt(m['map@3'])} | {_fmt(m['map@5'])} | {_fmt(m['map_paper@5'])} | {paper_s} |")
    lines += ["", "## k = 5 전체 지표", "",
              "| 데이터 | 방향 | 모델 | P@5 | nDCG@5 | Hit-rate@5(중분류) | 커버리지@5 | 필터 위반율 | 제외 질의 | 시간(s) |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        m = r.metrics
        lines.append(f"| {r.dataset} | {DIRECTIONS[r.direction]} | {r.model} | {_fmt(m['precision@5'])} | {_fmt(m['ndcg@5'])} | "
                     f"{_fmt(m['hit_rate@5'])} | {_fmt(m['coverage@5'])} | {m['violation_rate@5'][0]:.4f} | {r.skipped} | {r.seconds} |")
    if pairs:
        lines += ["", "## 모델 간 차이 (대응 부트스트랩, Top-5 정확도)", "", "| 데이터 | 방향 | A − B | 차이 [95 % CI] | 유의 |", "|---|---|---|---|---|"]
        for p in pairs:
            lines.append(f"| {p['dataset']} | {DIRECTIONS[p['direction']]} | {p['a']} − {p['b']} | {_fmt(p['diff'])} | "
                         f"{'예' if p['diff'][1] > 0 or p['diff'][2] < 0 else '아니오'} |")
    lines += ["", "## 감사 (k = 5)", "", "| 데이터 | 방향 | 모델 | 거리 필터 해제 시 반경 밖 비율 | 점수≥0.25 | 점수≥0.5 |", "|---|---|---|---|---|---|"]
    for r in results:
        a = r.audit
        beyond = a["beyond_radius_if_distance_filter_off"]
        lines.append(f"| {r.dataset} | {DIRECTIONS[r.direction]} | {r.model} | {'-' if beyond is None else f'{beyond:.3f}'} | "
                     f"{a['score_thresholds']['0.25']} | {a['score_thresholds']['0.50']} |")
    lines += ["", "점수-결과 상관: 지원·클릭 결과 데이터가 없어 계산하지 않았습니다 (`score_outcome_correlation` 준비됨).", ""]
    return "\n".join(lines)


def paired_rows(results: list[ModelResult], metric: str = "top_k_accuracy@5") -> list[dict]:
    out = []
    groups: dict[tuple, list[ModelResult]] = {}
    for r in results:
        groups.setdefault((r.dataset, r.direction), []).append(r)
    for (dataset, direction), rs in groups.items():
        for i, a in enumerate(rs):
            for b in rs[i + 1:]:
                if a.n_queries == b.n_queries and a.n_queries:
                    diff = paired_bootstrap(np.array(a.per_query[metric]), np.array(b.per_query[metric]))
                    out.append({"dataset": dataset, "direction": direction, "a": a.model, "b": b.model,
                                "diff": [round(x, 4) for x in diff]})
    return out


# ---------------------------------------------------------------- datasets
def sample(items: list, n: int, seed: int = 0) -> list:
    if len(items) <= n:
        return list(items)
    return random.Random(seed).sample(items, n)


def evaluate(engine, dataset: str, models: list[str], directions: list[str], n_queries: int = 300,
             filters: FilterSettings | None = None, progress: Callable[[str, int, int], None] | None = None,
             analyser: str = "mecab") -> list[ModelResult]:
    """Run every (direction, model) on the same query sample. Query sets are fixed per direction so
    models can be compared pairwise. Queries for posting→seeker need desired categories on seekers."""
    from .encoders import ModelNotReady

    results = []
    postings = sorted(engine.corpus.postings.values(), key=lambda p: p.id)
    seekers = sorted(engine.corpus.seekers.values(), key=lambda s: s.id)
    for direction in directions:
        source = direction.split("->")[0]
        pool = postings if source == "posting" else seekers
        queries = sample(pool, n_queries, seed=zlib.crc32(direction.encode()))  # stable across runs
        target_records = postings if direction.endswith("posting") else seekers
        if not queries or not target_records:
            continue
        for name in models:
            try:
                model = engine.model(name, analyser, progress=progress)
            except ModelNotReady:
                continue
            start = time.time()
            cb = (lambda i, n, label=f"{dataset} {direction} {name}": progress(label, i, n)) if progress else None
            outcomes, skipped = run_task(model, direction, queries, k=max(KS), filters=filters, progress=cb)
            results.append(summarise(dataset, direction, name, outcomes, skipped, len(target_records), time.time() - start))
    return results


def write_report(results: list[ModelResult], out_dir: Path, stem: str = "evaluation") -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    pairs = paired_rows(results)
    md = out_dir / f"{stem}.md"
    js = out_dir / f"{stem}.json"
    md.write_text(markdown_report(results, pairs), encoding="utf-8")
    js.write_text(json.dumps({"results": [asdict(r) for r in results], "pairs": pairs}, ensure_ascii=False), encoding="utf-8")
    return md, js


def load_report(path: Path) -> tuple[list[ModelResult], list[dict]]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return [ModelResult(**r) for r in data["results"]], data["pairs"]


# ---------------------------------------------------------------- CLI
def _dataset_engine(name: str, seekers_sample: int):
    """demo: the app's store. Real sets: a separate evaluation store under data/eval/, ingested once."""
    from .config import SHARED_DATA, data_dir
    from .ingest import SHARED_DATASETS, ingest_file
    from .recommend import Corpus, Engine
    from .store import Store
    from .suitability import unsuitable_map

    if name == "demo":
        return Engine.from_store(Store(), ["demo"], ["demo-seekers"])
    store = Store(data_dir() / "eval" / "real.db")
    sources = {"worknet-2024": "worknet2024", "worknet-seoul-2023": "worknet-seoul", "saramin": "saramin"}
    if name not in sources:
        raise ValueError(f"알 수 없는 데이터 '{name}' (가능: demo, worknet-2024, worknet-seoul-2023, saramin)")
    for fmt, source in (("kead-seekers", "kead-seekers"), (name, sources[name])):
        if not store.query("SELECT 1 FROM postings WHERE source=? UNION SELECT 1 FROM seekers WHERE source=? LIMIT 1",
                           (source, source)):
            path = SHARED_DATA / SHARED_DATASETS[fmt]
            if not path.exists():
                raise FileNotFoundError(f"{path} 없음: ../shared/data 를 확인하세요")
            print(ingest_file(store, path, fmt).summary())
    postings = store.postings(sources[name])
    seekers = sample(store.seekers("kead-seekers"), seekers_sample, seed=7)
    return Engine(store, Corpus(postings, seekers, unsuitable_map(store, [p.id for p in postings])))


def cmd_evaluate(args) -> int:
    from .__main__ import Bar
    from .config import data_dir

    models = ["tfidf", "sbert", "hybrid", "wbert"] if args.models == "all" else args.models.split(",")
    directions = list(DIRECTIONS) if args.directions == "all" else args.directions.split(",")
    datasets = ["demo", "worknet-2024"] if args.data == "all" else args.data.split(",")
    all_results = []
    bar = Bar()
    for ds in datasets:
        engine = _dataset_engine(ds, args.seekers)
        dirs = [d for d in directions if ds != "worknet-seoul-2023" or d == "posting->posting"]
        all_results += evaluate(engine, ds, models, dirs, args.queries, progress=bar)
    out = Path(args.out) if args.out else data_dir() / "reports"
    md, js = write_report(all_results, out, args.stem)
    print(md.read_text(encoding="utf-8"))
    print(f"\n보고서: {md}\n       {js}")
    return 0


def register_cli(sub) -> None:
    p = sub.add_parser("evaluate", help="평가 보고서 (Markdown + JSON)")
    p.add_argument("--data", default="demo", help="demo, worknet-2024, worknet-seoul-2023 (쉼표) 또는 all")
    p.add_argument("--models", default="all")
    p.add_argument("--directions", default="all")
    p.add_argument("--queries", type=int, default=300)
    p.add_argument("--seekers", type=int, default=3000, help="실데이터 평가에 쓰는 KEAD 구직자 표본 수")
    p.add_argument("--out")
    p.add_argument("--stem", default="evaluation")
    p.set_defaults(func=cmd_evaluate)


# ---------------------------------------------------------------- frames for the page
def results_frame(results: list[ModelResult], k: int = 5):
    """One row per (dataset, direction, model): each metric as mean with its CI bounds."""
    import pandas as pd

    rows = []
    for r in results:
        row = {"데이터": r.dataset, "방향": DIRECTIONS[r.direction], "모델": r.model, "질의 수": r.n_queries}
        for m in (*METRICS, "coverage"):
            mean, lo, hi = r.metrics[f"{m}@{k}"]
            row[METRIC_LABELS[m]] = mean
            row[f"{METRIC_LABELS[m]} CI"] = "-" if math.isnan(lo) else f"[{lo:.3f}, {hi:.3f}]"
        rows.append(row)
    return pd.DataFrame(rows)


def by_k_frame(results: list[ModelResult], metric: str = "top_k_accuracy"):
    import pandas as pd

    return pd.DataFrame([{"모델": r.model, "방향": DIRECTIONS[r.direction], "데이터": r.dataset, "k": k,
                          "값": r.metrics[f"{metric}@{k}"][0], "하한": r.metrics[f"{metric}@{k}"][1],
                          "상한": r.metrics[f"{metric}@{k}"][2]} for r in results for k in KS])


def category_frame(results: list[ModelResult], k: int = 5):
    import pandas as pd

    return pd.DataFrame([{"모델": f"{r.model} · {DIRECTIONS[r.direction]}", "직종": cat, "Top-5 정확도": v[0], "질의": v[1]}
                         for r in results for cat, v in r.audit.get(f"top{k}_accuracy_by_category", {}).items()])
