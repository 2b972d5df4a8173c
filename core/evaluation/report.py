"""The evaluation report: Markdown and JSON files, and the frames the 평가·감사 page draws."""
from __future__ import annotations

import json
import math
from dataclasses import asdict, fields, replace
from pathlib import Path

import numpy as np

from .. import clock
from ..models.registry import MODEL_LABELS
from .bootstrap import paired_bootstrap
from .metrics import DIRECTIONS, KS, METRIC_LABELS, METRICS
from .runner import ModelResult, evaluate

PAPER_TABLE4 = {  # System B, Table 4 (seed-facts.md)
    ("seeker->posting", "tfidf"): (0.763, 0.789, 0.675, 0.683), ("seeker->posting", "sbert"): (0.816, 0.842, 0.732, 0.716),
    ("posting->seeker", "tfidf"): (0.490, 0.557, 0.346, 0.363), ("posting->seeker", "sbert"): (0.611, 0.695, 0.357, 0.400),
}


def _fmt(ci: list[float]) -> str:
    if math.isnan(ci[1]):
        return f"{ci[0]:.3f}"
    return f"{ci[0]:.3f} [{ci[1]:.3f}, {ci[2]:.3f}]"


def markdown_report(results: list[ModelResult], pairs: list[dict]) -> str:
    lines = ["# JobLens 평가 보고서", "", f"생성: {clock.stamp()}; 95 % 부트스트랩 신뢰구간 (질의 재표집).",
             "관련성: 직종 대분류 일치 = 1, 중분류까지 일치 = 2. 필터 적용 후 관련 후보가 있는 질의만 평가.", ""]
    lines += ["## 논문 표 4 형식 (확장)", "",
              "| 데이터 | 방향 | 모델 | n | Top-3 | Top-5 | MAP@3 | MAP@5 | MAP@5(논문식) | 논문 Top-5 / MAP@5 |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        paper = PAPER_TABLE4.get((r.direction, r.model))
        paper_s = f"{paper[1]:.3f} / {paper[3]:.3f}" if paper else ""
        m = r.metrics
        lines.append(f"| {r.dataset} | {DIRECTIONS[r.direction]} | {r.display_name} | {r.n_queries} | {_fmt(m['top_k_accuracy@3'])} | "
                     f"{_fmt(m['top_k_accuracy@5'])} | {_fmt(m['map@3'])} | {_fmt(m['map@5'])} | {_fmt(m['map_paper@5'])} | {paper_s} |")
    lines += ["", "## k = 5 전체 지표", "",
              "| 데이터 | 방향 | 모델 | P@5 | nDCG@5 | Hit-rate@5(중분류) | 커버리지@5 | 필터 위반율 | 제외 질의 | 시간(s) |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        m = r.metrics
        lines.append(f"| {r.dataset} | {DIRECTIONS[r.direction]} | {r.display_name} | {_fmt(m['precision@5'])} | {_fmt(m['ndcg@5'])} | "
                     f"{_fmt(m['hit_rate@5'])} | {_fmt(m['coverage@5'])} | {m['violation_rate@5'][0]:.4f} | {r.skipped} | {r.seconds} |")
    if pairs:
        lines += ["", "## 모델 간 차이 (대응 무작위화 검정, Holm 보정, α = 0.05)", "",
                  "| 데이터 | 방향 | 지표 | A − B | 차이 [95 % CI] | p | 보정 p | 유의 |", "|---|---|---|---|---|---|---|---|"]
        for p in pairs:
            lines.append(f"| {p['dataset']} | {DIRECTIONS[p['direction']]} | {p['metric']} | {p['a']} − {p['b']} | "
                         f"{_fmt(p['diff'])} | {p['p']:.3f} | {p['p_adjusted']:.3f} | {'예' if p['significant'] else '아니오'} |")
    lines += ["", "## 감사 (k = 5)", "", "| 데이터 | 방향 | 모델 | 거리 필터 해제 시 반경 밖 비율 | 점수≥0.25 | 점수≥0.5 |", "|---|---|---|---|---|---|"]
    for r in results:
        a = r.audit
        beyond = a["beyond_radius_if_distance_filter_off"]
        lines.append(f"| {r.dataset} | {DIRECTIONS[r.direction]} | {r.display_name} | {'-' if beyond is None else f'{beyond:.3f}'} | "
                     f"{a['score_thresholds']['0.25']} | {a['score_thresholds']['0.50']} |")
    lines += ["", "점수-결과 상관: 지원·클릭 결과 데이터가 없어 계산하지 않았습니다 (`score_outcome_correlation` 준비됨).", ""]
    return "\n".join(lines)


SIGNIFICANCE_METRICS = ("top_k_accuracy@5", "ndcg@5")
ALPHA = 0.05


def paired_rows(results: list[ModelResult], metrics: tuple[str, ...] = SIGNIFICANCE_METRICS,
                correction: str = "holm", n_permutations: int = 1000) -> list[dict]:
    """Every pair of models run on the same queries: the mean difference with a paired bootstrap CI, and
    ranx's paired randomization (Fisher) test, its p-values corrected over all the report's comparisons
    (Holm by default, or 'bonferroni'); `significant` says whether the corrected p is below α = 0.05."""
    from ranx.statistical_tests import fisher_randomization_test
    from statsmodels.stats.multitest import multipletests

    out = []
    groups: dict[tuple, list[ModelResult]] = {}
    for r in results:
        groups.setdefault((r.dataset, r.direction), []).append(r)
    for (dataset, direction), rs in groups.items():
        for i, a in enumerate(rs):
            for b in rs[i + 1:]:
                if not a.n_queries or a.audit.get("query_ids") != b.audit.get("query_ids") or a.n_queries != b.n_queries:
                    continue
                for metric in metrics:
                    x, y = np.array(a.per_query[metric], float), np.array(b.per_query[metric], float)
                    p, _ = fisher_randomization_test(x, y, n_permutations, ALPHA, 42)
                    out.append({"dataset": dataset, "direction": direction, "a": a.display_name, "b": b.display_name,
                                "metric": metric, "diff": [round(v, 4) for v in paired_bootstrap(x, y)], "p": float(p)})
    if out:
        reject, adjusted, _, _ = multipletests([row["p"] for row in out], alpha=ALPHA, method=correction)
        for row, rej, adj in zip(out, reject, adjusted):
            row.update(p_adjusted=round(float(adj), 4), significant=bool(rej), correction=correction)
    return out


def metric_label(name: str) -> str:
    """'ndcg@5' → 'nDCG@5', 'top_k_accuracy@5' → 'Top-5 정확도'."""
    metric, k = name.split("@")
    return METRIC_LABELS[metric].replace("-k", f"-{k}").replace("@k", f"@{k}")


def model_label(display_name: str) -> str:
    """'TF-IDF · 희망 직종 우선 …' for 'tfidf · 희망 직종 우선 …': the tables an analyst reads name models as the app does."""
    model, sep, variant = display_name.partition(" · ")
    return MODEL_LABELS.get(model, model) + sep + variant


def significance_frame(pairs: list[dict]):
    """The pairs as a Korean table: difference, p before and after correction, and the verdict."""
    import pandas as pd

    names = {"holm": "Holm", "bonferroni": "Bonferroni"}
    return pd.DataFrame([{"데이터": p["dataset"], "방향": DIRECTIONS[p["direction"]], "모델 A": model_label(p["a"]),
                          "모델 B": model_label(p["b"]),
                          "지표": metric_label(p.get("metric", "top_k_accuracy@5")),
                          "차이 A−B [95% CI]": _fmt(p["diff"]),
                          "p (무작위화 검정)": f"{p['p']:.3f}" if "p" in p else "-",
                          "보정 p": f"{p['p_adjusted']:.3f} ({names.get(p.get('correction'), '')})" if "p_adjusted" in p else "-",
                          "유의 (α=0.05)": ("유의함" if p["significant"] else "유의하지 않음") if "significant" in p else "검정 없음"}
                         for p in pairs])


def write_report(results: list[ModelResult], out_dir: Path, stem: str = "evaluation") -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    pairs = paired_rows(results)
    md = out_dir / f"{stem}.md"
    js = out_dir / f"{stem}.json"
    md.write_text(markdown_report(results, pairs), encoding="utf-8")
    rows = [{k: v for k, v in asdict(replace(r, outcomes=[])).items() if k != "outcomes"} for r in results]
    js.write_text(json.dumps({"results": rows, "pairs": pairs}, ensure_ascii=False), encoding="utf-8")
    return md, js


QUICK_MODELS = ("tfidf", "sbert")
QUICK_DATASET = "현재 코퍼스"


def ensure_report(engine, out_dir: Path, models: tuple[str, ...] = QUICK_MODELS, n_queries: int = 25,
                  progress=None) -> Path:
    """The report 평가·감사 opens with: the newest one there is, else a small evaluation of the current
    corpus (set-up runs it; the page runs it with progress when set-up did not), so the page is never empty."""
    existing = sorted(Path(out_dir).glob("evaluation*.json"), key=lambda p: p.stat().st_mtime)
    if existing:
        return existing[-1]
    results = evaluate(engine, QUICK_DATASET, list(models), list(DIRECTIONS), n_queries, progress=progress)
    return write_report(results, Path(out_dir))[1]


def reports_significance(direction: str, out_dir: Path):
    """The newest report's significance table for one direction; None when there is no report yet."""
    existing = sorted(Path(out_dir).glob("evaluation*.json"), key=lambda p: p.stat().st_mtime)
    if not existing:
        return None
    _, pairs = load_report(existing[-1])
    return significance_frame([p for p in pairs if p["direction"] == direction])


def load_report(path: Path) -> tuple[list[ModelResult], list[dict]]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    known = {f.name for f in fields(ModelResult)}
    return [ModelResult(**{k: v for k, v in r.items() if k in known}) for r in data["results"]], data["pairs"]


def results_frame(results: list[ModelResult], k: int = 5):
    """One row per (dataset, direction, model): each metric as mean with its CI bounds."""
    import pandas as pd

    rows = []
    for r in results:
        row = {"데이터": r.dataset, "방향": DIRECTIONS[r.direction], "모델": model_label(r.display_name), "질의 수": r.n_queries}
        for m in (*METRICS, "coverage"):
            if f"{m}@{k}" not in r.metrics:  # a report written before the metric existed (MRR came with ranx)
                continue
            mean, lo, hi = r.metrics[f"{m}@{k}"]
            row[METRIC_LABELS[m]] = round(mean, 3)  # as its CI is written: three places in every row
            row[f"{METRIC_LABELS[m]} CI"] = "-" if math.isnan(lo) else f"[{lo:.3f}, {hi:.3f}]"
        rows.append(row)
    return pd.DataFrame(rows)


def by_k_frame(results: list[ModelResult], metric: str = "top_k_accuracy"):
    import pandas as pd

    return pd.DataFrame([{"모델": model_label(r.display_name), "방향": DIRECTIONS[r.direction], "데이터": r.dataset, "k": k,
                          "값": r.metrics[f"{metric}@{k}"][0], "하한": r.metrics[f"{metric}@{k}"][1],
                          "상한": r.metrics[f"{metric}@{k}"][2]} for r in results for k in KS])


def category_frame(results: list[ModelResult], k: int = 5):
    import pandas as pd

    return pd.DataFrame([{"모델": f"{model_label(r.display_name)} · {DIRECTIONS[r.direction]}", "직종": cat, "Top-5 정확도": v[0], "질의": v[1]}
                         for r in results for cat, v in r.audit.get(f"top{k}_accuracy_by_category", {}).items()])
