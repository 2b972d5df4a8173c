"""Recommendation quality on the real shared data (issue #13): tune on the dev split, report on the test split.

    python bench/bench_quality.py                 # ~35 min on 2 cores: tuning, test tables, ablation, calibration
    python bench/bench_quality.py --queries 60    # a quicker look (wider CIs)
    python bench/bench_quality.py --blind-only    # only the blind table, with the tuned values already in evaluation.json
    python bench/bench_quality.py --after-only --models wbert   # only W-BERT's with-code test rows (a new W-BERT)
    python bench/bench_quality.py --calibrate-only               # only step 4 (calibration and floor), every model

Levers (each a setting of `core.settings.Settings` and a field of `core.models.registry.ModelParams`, which the
engines here are built with, so the app uses exactly what is measured here):
  crosswalk      KEAD seekers recovered by the reviewed KECO-2018 alias list (off: those seekers left out)
  enrich_weight  KEIS standard-description field, weight relative to the record's own text (0 = off)
  enrich_postings which postings are enriched: shorter than N characters (200 = only short ones)
  prompts        e5 prompt for a posting / a seeker used as the query ('query' or 'passage')
  fusion         the hybrid's RRF constant and TF-IDF weight

Steps: (1) on dev queries, grid over each lever in turn (objective: mean P@5 over directions of the models the
lever touches); (2) on test queries, every model before (all levers at their old values) and after (tuned),
plus '희망 직종 우선' rows (marked: they use the category label itself); (3) ablation on test: the tuned
configuration with one lever reset at a time; (4) isotonic calibration fitted on dev-split lists of the tuned
configuration → core/resources/calibration.json, with the relevance floor chosen on the same lists; (5) blind, on test: the tuned configuration with every
posting's 직종 code and what derives from it hidden (core/data/blind.py), relevance by the hidden code, under the
key `blind` (same shape as `after`). Results: bench/results/evaluation.json (+ .md).
W-BERT is the static variant trained on the real labelled set (`python -m core train-wbert --data real ...`,
folder data/models/wbert-static-real); posting queries are drawn from its held-out postings only.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import locations  # noqa: E402
from core.data.datasets import load_dataset  # noqa: E402
from core.data.occupations import matcher  # noqa: E402
from core.evaluation.calibration import choose_floor, fit_calibration  # noqa: E402
from core.evaluation.metrics import DIRECTIONS  # noqa: E402
from core.evaluation.runner import ModelResult, evaluate  # noqa: E402
from core.llm.suitability import unsuitable_map  # noqa: E402
from core.locations import here  # noqa: E402
from core.models.corpus import Corpus  # noqa: E402
from core.models.engine import Engine, blind_unsuitable  # noqa: E402
from core.models.registry import ModelParams  # noqa: E402
from core.settings import REPO, settings  # noqa: E402

RESULTS = REPO / "bench" / "results"
DATASET = "worknet-2024"
BEFORE = {"crosswalk": False, "enrich_weight": 0.0, "query_prompt_posting": "query", "query_prompt_seeker": "query",
          "enrich_short_posting_chars": 200, "hybrid_k_rrf": 60, "hybrid_tfidf_weight": 1.0}
GRIDS = [  # (lever, settings it sets, candidate values, models it touches)
    ("enrich_weight", [{"enrich_weight": w} for w in (0.0, 0.5, 1.0, 2.0, 4.0)], ("tfidf", "sbert")),
    ("enrich_postings", [{"enrich_short_posting_chars": n} for n in (200, 1000, 100_000)], ("tfidf", "sbert")),
    ("prompts", [{"query_prompt_posting": p, "query_prompt_seeker": s} for p in ("query", "passage") for s in ("query", "passage")],
     ("sbert",)),
    ("fusion", [{"hybrid_k_rrf": k, "hybrid_tfidf_weight": w} for k in (10, 60) for w in (0.5, 1.0, 2.0)], ("hybrid",)),
]
ABLATIONS = {"crosswalk": {"crosswalk": False}, "enrich_weight": {"enrich_weight": 0.0},
             "enrich_postings": {"enrich_short_posting_chars": 200},
             "prompts": {"query_prompt_posting": "query", "query_prompt_seeker": "query"},
             "fusion": {"hybrid_k_rrf": 60, "hybrid_tfidf_weight": 1.0}}
REPORT_KEYS = ("top_k_accuracy@5", "precision@5", "map@5", "ndcg@5", "hit_rate@5", "violation_rate@5")


def engine_for(config: dict, data, blind: bool = False, autocoded: dict | None = None) -> Engine:
    """An engine over the dataset whose models and corpus are built with `config` (ModelParams fields, the
    settings' defaults for the rest, plus 'crosswalk'); `blind`: postings without their 직종 code (relevance by
    the hidden code); `autocoded`: posting id → the W-BERT code auto-coding would use (at or above its dev
    threshold), given to the blinded postings."""
    params = ModelParams.from_settings(settings())
    params = dataclasses.replace(params, **{k: v for k, v in config.items() if k != "crosswalk"})
    seekers = data.seekers
    if not config["crosswalk"]:  # the seekers only the reviewed alias list could place
        seekers = [s for s in seekers if (m := matcher().match(s.desired_job_name)) is None or m.via != "alias"]
    unsuitable = blind_unsuitable(data.postings) if blind else unsuitable_map(data.store, data.postings)
    corpus = Corpus(data.postings, seekers, unsuitable, blind=blind, **params.corpus())
    for posting_id, code in (autocoded or {}).items():  # before any model reads a text
        corpus.postings[posting_id].occupation, corpus.postings[posting_id].occupation_source = code, "predicted"
    return Engine(data.store, corpus, params, scope=f"bench:{DATASET}:{len(seekers)}{':autocoded' if autocoded else ''}")


def run(config: dict, data, models, split: str, n: int, audit: bool = False, prefer: bool = False,
        blind: bool = False, autocoded: dict | None = None) -> list[ModelResult]:
    start = time.time()
    engine = engine_for(config, data, blind, autocoded)
    results = evaluate(engine, DATASET, list(models), list(DIRECTIONS), n, split=split, audit=audit, prefer_occupation=prefer,
                       wbert_held_out=True)  # every run draws posting queries from the same held-out pool
    print(f"  [{split}{' blind' if blind else ''}] {json.dumps({k: v for k, v in config.items() if BEFORE.get(k) != v}, ensure_ascii=False)} "
          f"{'+'.join(models)}: {time.time() - start:.0f}s", flush=True)
    return results


def objective(results: list[ModelResult], models) -> float:
    values = [r.metrics["precision@5"][0] for r in results if r.model in models and not r.variant]
    return sum(values) / len(values)


def table(results: list[ModelResult]) -> dict:
    """direction → model label → metric → [mean, lo, hi] (the shape evaluation.json keeps)."""
    out: dict = {}
    for r in results:
        out.setdefault(r.direction, {})[r.display_name] = {"n_queries": r.n_queries, **{k: r.metrics[k] for k in REPORT_KEYS}}
    return out


def fmt(ci) -> str:
    return f"{ci[0]:.3f} [{ci[1]:.3f}, {ci[2]:.3f}]"


def blind_markdown(after: dict, blind: dict) -> str:
    """The blind table next to the with-code one (test, P@5 and Top-5)."""
    lines = ["## 블라인드 (직종코드 숨김, 관련성 = 숨긴 코드, test)", "", BLIND_NOTE, "",
             "| 방향 | 모델 | 블라인드 P@5 | 코드 있음 P@5 | 블라인드 Top-5 | 블라인드 MAP@5 |", "|---|---|---|---|---|---|"]
    for direction, models in blind.items():
        for model, m in models.items():
            a = after.get(direction, {}).get(model)
            lines.append(f"| {DIRECTIONS[direction]} | {model} | {fmt(m['precision@5'])} | {fmt(a['precision@5']) if a else '-'} | "
                         f"{fmt(m['top_k_accuracy@5'])} | {fmt(m['map@5'])} |")
    return "\n".join(lines) + "\n"


def markdown(before: dict, after: dict, ablation: dict, tuned: dict, tuning_log: list, blind: dict | None = None) -> str:
    lines = ["# 추천 품질 (실데이터 worknet-2024 + KEAD 구직자, test 분할, 95 % 부트스트랩 CI)", "",
             f"조정값 (dev 분할에서 선택): `{json.dumps(tuned, ensure_ascii=False)}`", "",
             "| 방향 | 모델 | 전 Top-5 | 후 Top-5 | 전 P@5 | 후 P@5 | 후 MAP@5 | 후 위반율 |", "|---|---|---|---|---|---|---|---|"]
    for direction, models in after.items():
        for model, m in models.items():
            b = before.get(direction, {}).get(model)
            lines.append(f"| {DIRECTIONS[direction]} | {model} | {fmt(b['top_k_accuracy@5']) if b else '-'} | "
                         f"{fmt(m['top_k_accuracy@5'])} | {fmt(b['precision@5']) if b else '-'} | {fmt(m['precision@5'])} | "
                         f"{fmt(m['map@5'])} | {m['violation_rate@5'][0]:.4f} |")
    if blind:
        lines += ["", *blind_markdown(after, blind).splitlines()]
    lines += ["", "## 제거 실험 (조정된 설정에서 한 가지씩 되돌림, test, P@5 / Top-5)", "",
              "| 되돌린 것 | 방향 | 모델 | P@5 | Top-5 |", "|---|---|---|---|---|"]
    for lever, rows in ablation.items():
        for direction, models in rows.items():
            for model, m in models.items():
                lines.append(f"| {lever} | {DIRECTIONS[direction]} | {model} | {fmt(m['precision@5'])} | {fmt(m['top_k_accuracy@5'])} |")
    lines += ["", "## dev 조정 기록 (목표: 해당 모델·방향 평균 P@5)", "", "| 레버 | 값 | 목표 |", "|---|---|---|"]
    lines += [f"| {lever} | `{json.dumps(v, ensure_ascii=False)}` | {score:.4f} |" for lever, v, score in tuning_log]
    return "\n".join(lines) + "\n"


BLIND_NOTE = ("공고의 직종코드와 거기서 나온 필드(직종명 jobNm·relJobsNm, 코드로 고른 표준직무 보강, 희망 직종 우선 순위, 규칙의 "
              "직종 줄)를 숨김; 제목·담당업무는 그대로; 구직자는 희망 직종 유지; 관련성은 숨긴 코드")


def blind_table(tuned: dict, data, models, n: int, autocoded: dict | None = None) -> dict:
    """The blind regime on test queries with the tuned configuration: {dataset: table} like `after`."""
    return {DATASET: table(run(tuned, data, models, "test", n, blind=True, autocoded=autocoded))}


def autocodes(data, wbert: str) -> tuple[dict, float]:
    """What auto-coding would give each blinded posting: its W-BERT code where the calibrated confidence reaches
    the card's dev-chosen threshold (no code otherwise), and that threshold."""
    from core.data.blind import blinded
    from core.models.wbert.classify import WbertClassifier

    clf = WbertClassifier(wbert).fit()
    threshold = float(clf.card.get("autocode_threshold", 0.9))
    predictions = clf.predict([blinded(p).text() for p in data.postings])
    return {p.id: code for p, (code, conf) in zip(data.postings, predictions) if conf >= threshold}, threshold


def calibrate(tuned: dict, data, models, n: int):
    """Step 4: isotonic curves fitted on dev-split lists of the tuned configuration, and the relevance floor
    chosen on the same lists; saved to core/resources/calibration.json."""
    dev_lists = run(tuned, data, models, "dev", n)
    calibration = fit_calibration(dev_lists, DATASET)
    floor = choose_floor(calibration, dev_lists)  # the real corpus's '여기부터 다른 직종' divider, chosen on dev too
    calibration.floor = floor["floor"]
    calibration.save()
    return calibration, floor


def held_out_split(folder: Path) -> None:
    """Posting queries come from W-BERT's held-out postings (its split.json). A run without the trained folder
    (rows of the other models only) writes that split itself, as training computes it (the shared split, seed
    42, postings with a middle label), so its queries are the W-BERT rows' queries and the table stays paired."""
    if (folder / "split.json").exists():
        return
    from core.models.wbert import labelled_set

    data = labelled_set("real")
    labels = data.labels("middle")
    folder.mkdir(parents=True, exist_ok=True)
    test_ids = [data.ids[i] for i in data.split(42).test if labels[i]]
    (folder / "split.json").write_text(json.dumps({"test_ids": test_ids}), encoding="utf-8")
    print(f"W-BERT 폴더 없음: 공유 분할(seed 42)의 테스트 공고 {len(test_ids):,}건을 {folder / 'split.json'}에 기록", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--queries", type=int, help="방향당 질의 수 (기본: 전체 실행 150, 부분 실행은 evaluation.json 의 값)")
    ap.add_argument("--seekers", type=int, default=1500)
    ap.add_argument("--wbert", default=str(here().models_dir / "wbert-static-real"))
    ap.add_argument("--blind-only", action="store_true",
                    help="블라인드 표만: evaluation.json 의 조정값으로 실행해 'blind' 키만 갱신")
    ap.add_argument("--models", default="tfidf,sbert,wbert,hybrid", help="--blind-only: 이 모델의 행만 (나머지 행은 유지)")
    ap.add_argument("--autocoded", action="store_true", help="--blind-only: 자동 코딩 보강을 켠 블라인드 ('blind_autocoded' 키)")
    ap.add_argument("--after-only", action="store_true",
                    help="코드 있는 test 표('after')만: evaluation.json 의 조정값으로 --models 의 행만 갱신 (새 W-BERT 등)")
    ap.add_argument("--calibrate-only", action="store_true",
                    help="적합도 보정만 다시: evaluation.json 의 조정값으로 dev 목록을 만들어 보정 곡선과 구분선을 갱신 (새 W-BERT 등)")
    args = ap.parse_args()
    locations.use(dataclasses.replace(locations.Locations.from_settings(settings()), wbert=Path(args.wbert)))
    held_out_split(Path(args.wbert))
    all_models = ("tfidf", "sbert", "wbert", "hybrid")
    data = load_dataset(DATASET, args.seekers)
    started = time.time()
    partial = args.calibrate_only or args.blind_only or args.after_only
    stored = json.loads((RESULTS / "evaluation.json").read_text(encoding="utf-8")) if partial else {}
    args.queries = args.queries or stored.get("queries_per_direction", 150)  # a partial run matches the stored rows
    if args.calibrate_only:
        print("4) dev: 적합도 보정", flush=True)
        calibration, floor = calibrate(stored["tuned"], data, all_models, args.queries)
        out = json.loads((RESULTS / "evaluation.json").read_text(encoding="utf-8"))  # rows another run wrote since
        out["calibration"] = {k: {"n": c.n, "base_rate": c.base_rate} for k, c in calibration.curves.items()}
        out["relevance_floor"], out["calibration_seconds"] = floor, round(time.time() - started)
        (RESULTS / "evaluation.json").write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"보정: core/resources/calibration.json · 구분선 {floor['floor']} · {time.time() - started:.0f}s")
        return 0
    if args.blind_only or args.after_only:
        out = json.loads((RESULTS / "evaluation.json").read_text(encoding="utf-8"))
        print("2) test: 후 (코드 있음)" if args.after_only else "5) test: 블라인드", flush=True)
        key, coded = ("after" if args.after_only else "blind"), None
        if args.autocoded and not args.after_only:
            key = "blind_autocoded"
            coded, threshold = autocodes(data, args.wbert)
            out["blind_autocoded_note"] = (f"블라인드 + 자동 코딩: W-BERT 예측 신뢰도 ≥ {threshold:.2f}인 공고 {len(coded):,}/"
                                           f"{len(data.postings):,}건에 예측 직종을 주고 그 코드로 표준직무 보강")
        models = args.models.split(",")
        if args.after_only:  # and 'before' with the same models, so the table's before → after is one model's
            fresh = {"after": table(run(out["tuned"], data, models, "test", args.queries, audit=True, prefer=True)),
                     "before": table(run(BEFORE, data, models, "test", args.queries))}
        else:
            fresh = {key: blind_table(out["tuned"], data, models, args.queries, coded)[DATASET]}
        out = {**json.loads((RESULTS / "evaluation.json").read_text(encoding="utf-8")),  # rows another run wrote since
               **({"blind_autocoded_note": out["blind_autocoded_note"]} if coded is not None else {})}
        for k, rows in fresh.items():
            kept = out.get(k, {}).get(DATASET, {})
            out[k] = {DATASET: {d: {**kept.get(d, {}), **rows.get(d, {})} for d in {**kept, **rows}}}
        if not args.after_only:
            out["blind_regime"] = BLIND_NOTE
        if "wbert" in args.models and args.after_only:
            out["after_wbert"] = Path(args.wbert).name
        elif "wbert" in args.models:
            out[f"{key}_wbert"] = Path(args.wbert).name  # which W-BERT folder the wbert rows used
        out[f"{key}_seconds"] = round(time.time() - started)
        (RESULTS / "evaluation.json").write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
        md = markdown(out["before"][DATASET], out["after"][DATASET], out["ablation"][DATASET], out["tuned"],
                      out["tuning_log"], out.get("blind", {}).get(DATASET))
        if "blind_autocoded" in out:
            md += "\n" + blind_markdown(out["after"][DATASET], out["blind_autocoded"][DATASET]).replace(
                "## 블라인드", "## 블라인드 + 자동 코딩 보강", 1) + "\n" + out["blind_autocoded_note"] + "\n"
        (RESULTS / "evaluation.md").write_text(md, encoding="utf-8")
        print(blind_markdown(out["after"][DATASET], out["blind" if args.after_only else key][DATASET]))
        return 0

    tuned, log = {**BEFORE, "crosswalk": True}, []
    print("1) dev 조정", flush=True)
    for lever, candidates, models in GRIDS:
        scored = []
        for values in candidates:
            score = objective(run({**tuned, **values}, data, models, "dev", args.queries), models)
            scored.append((score, values))
            log.append((lever, values, round(score, 4)))
        best = max(scored, key=lambda sv: sv[0])[1]
        tuned.update(best)
        print(f"  → {lever}: {best}", flush=True)

    print("2) test: 전/후", flush=True)
    after_results = run(tuned, data, all_models, "test", args.queries, audit=True, prefer=True)
    before_results = run(BEFORE, data, all_models, "test", args.queries)
    print("3) test: 제거 실험", flush=True)
    ablation = {}
    for lever, reset in ABLATIONS.items():
        if all(tuned[k] == v for k, v in reset.items()):
            continue  # the tuning kept the old value: nothing to take back (see the tuning log)
        models = ("hybrid",) if lever == "fusion" else ("sbert",) if lever == "prompts" else ("tfidf", "sbert")
        ablation[lever] = table(run({**tuned, **reset}, data, models, "test", args.queries))
    print("4) dev: 적합도 보정", flush=True)
    calibration, floor = calibrate(tuned, data, all_models, args.queries)

    print("5) test: 블라인드", flush=True)
    blind = blind_table(tuned, data, all_models, args.queries)

    before, after = table(before_results), table(after_results)
    out = {"dataset": DATASET, "split": "test", "queries_per_direction": args.queries, "seekers_sample": args.seekers,
           "tuned_on": "dev", "tuned": tuned, "before_config": BEFORE, "before": {DATASET: before}, "after": {DATASET: after},
           "blind": blind, "blind_regime": BLIND_NOTE, "blind_wbert": Path(args.wbert).name, "ablation": {DATASET: ablation}, "tuning_log": log,
           "calibration": {k: {"n": c.n, "base_rate": c.base_rate} for k, c in calibration.curves.items()},
           "relevance_floor": floor,
           "seconds": round(time.time() - started)}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "evaluation.json").write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    md = markdown(before, after, ablation, tuned, log, blind[DATASET])
    (RESULTS / "evaluation.md").write_text(md, encoding="utf-8")
    print(md)
    print(f"결과: {RESULTS / 'evaluation.json'} · 보정: core/resources/calibration.json · {time.time() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
