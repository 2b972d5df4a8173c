import math

import numpy as np
import pytest

from core.evaluation.bootstrap import bootstrap_ci, paired_bootstrap
from core.evaluation.comparison import overlap_at_k, rbo, unique_items
from core.evaluation.metrics import KS, QueryOutcome, coverage, outcome_scores, ranking_scores, violation_rate
from core.evaluation.runner import prepare_queries, run_task, score_outcome_correlation
from core.filters import FilterSettings


def outcome(grades, n_major, pool_top, items=None, violations=0):
    """An outcome whose pool holds `pool_top`'s grades; the listed items are the first of them."""
    items = items or [f"i{j}" for j in range(len(grades))]
    pool = {f"p{j}": g for j, g in enumerate(pool_top)}
    return QueryOutcome("q", "01", "서울", items, grades, [1.0] * len(grades), n_major,
                        {**pool, **dict(zip(items, grades))}, violations)


def one(o, name, k):
    return float(outcome_scores([o], (k,))[f"{name}@{k}"][0])


def test_ap_precision_hit_on_short_list():
    # ranked relevance 1,0,2 with only 3 items returned, k = 5, 4 relevant candidates exist
    o = outcome([1, 0, 2], n_major=4, pool_top=[2, 2, 1, 1, 1])
    assert one(o, "precision", 5) == pytest.approx(2 / 5)  # shorter list still divides by k
    assert one(o, "map", 5) == pytest.approx((1 / 1 + 2 / 3) / 4)
    assert one(o, "map_paper", 5) == pytest.approx((1 / 1 + 2 / 3) / 2)
    assert one(o, "mrr", 5) == 1.0
    assert one(o, "top_k_accuracy", 1) == 1.0 and one(o, "hit_rate", 2) == 0.0 and one(o, "hit_rate", 3) == 1.0
    dcg = 1 / math.log2(2) + 0 + 2 / math.log2(4)
    idcg = 2 / math.log2(2) + 2 / math.log2(3) + 2 / math.log2(4) + 1 / math.log2(5) + 1 / math.log2(6)
    assert one(o, "ndcg", 5) == pytest.approx(dcg / idcg)  # the ideal list: the pool's best grades (the list's 2 too)


def test_ap_when_fewer_relevant_than_k_and_no_hits():
    s = ranking_scores({"a": ["x", "y", "z"], "b": ["u", "v"]}, {"a": {"y": 1}, "b": {"w": 2}}, ks=(3,))
    assert s["map@3"].tolist() == pytest.approx([1 / 2, 0.0])
    assert s["map_paper@3"].tolist() == pytest.approx([1 / 2, 0.0]) and s["ndcg@3"][1] == 0.0
    assert s["mrr@3"].tolist() == pytest.approx([1 / 2, 0.0])


def fixed_run(n_queries=60, seed=28):
    """(query id, ranked items, {item: grade} over the whole filtered pool): a reproducible run with short
    lists, pools smaller than k and pools without a middle-category match."""
    import random

    rng = random.Random(seed)
    out = []
    for q in range(n_queries):
        pool_size = rng.randint(3, 40)
        pool = {f"d{q}_{j}": rng.choice((0, 0, 0, 1, 1, 2)) for j in range(pool_size)}
        if not any(pool.values()):
            pool[f"d{q}_0"] = 1
        length = min(pool_size, rng.choice((2, 4, 10, 10, 10)))
        out.append((f"q{q}", rng.sample(sorted(pool), length), pool))
    return out


# The hand-written metrics' means on `fixed_run`, computed by the code ranx replaced (commit 54c8efe):
# ranx must give the same figures through the qrels the evaluation builds.
BEFORE_RANX = {
    "top_k_accuracy@3": 0.8333333333, "precision@3": 0.4555555556, "map@3": 0.3777777778, "map_paper@3": 0.6097222222,
    "ndcg@3": 0.3563674163, "hit_rate@3": 0.4, "top_k_accuracy@5": 0.9166666667, "precision@5": 0.4033333333,
    "map@5": 0.3336944444, "map_paper@5": 0.6196064815, "ndcg@5": 0.3695617474, "hit_rate@5": 0.5166666667,
    "top_k_accuracy@10": 0.9166666667, "precision@10": 0.355, "map@10": 0.3388152636, "map_paper@10": 0.6019233592,
    "ndcg@10": 0.419610408, "hit_rate@10": 0.65}


def test_ranx_figures_equal_the_hand_written_metrics_on_a_fixed_run():
    outcomes = []
    for qid, ranked, pool in fixed_run():
        best = dict(sorted(pool.items(), key=lambda kv: -kv[1])[:max(KS)])  # what prepare_queries keeps
        grades = [pool[i] for i in ranked]
        outcomes.append(QueryOutcome(qid, "01", "서울", ranked, grades, [1.0] * len(ranked),
                                     sum(g >= 1 for g in pool.values()), {**best, **dict(zip(ranked, grades))}))
    scores = outcome_scores(outcomes)
    for name, before in BEFORE_RANX.items():
        assert float(scores[name].mean()) == pytest.approx(before, abs=1e-9), name


def test_ties_in_ranking_keep_a_stable_order(engine):
    """Identical items (same text) get the same score; ties are broken by row, so metrics are repeatable."""
    model = engine.model("tfidf")
    q = next(iter(engine.corpus.seekers.values()))
    a = model.recommend(q, k=10, filters=FilterSettings(distance=False), explain=False)
    b = model.recommend(q, k=10, filters=FilterSettings(distance=False), explain=False)
    assert [r.item_id for r in a.items] == [r.item_id for r in b.items]
    scores = [r.score for r in a.items]
    assert scores == sorted(scores, reverse=True)


def test_bootstrap_contains_estimate_and_narrows():
    rng = np.random.default_rng(3)
    small = rng.binomial(1, 0.7, 40).astype(float)
    large = rng.binomial(1, 0.7, 4000).astype(float)
    m1, lo1, hi1 = bootstrap_ci(small)
    m2, lo2, hi2 = bootstrap_ci(large)
    assert lo1 <= m1 <= hi1 and lo2 <= m2 <= hi2
    assert (hi2 - lo2) < (hi1 - lo1) / 3


def test_paired_bootstrap_detects_a_real_difference():
    rng = np.random.default_rng(5)
    a = rng.binomial(1, 0.8, 500)
    b = np.where(rng.random(500) < 0.2, 0, a)  # b loses some of a's hits
    diff, lo, hi = paired_bootstrap(a, b)
    assert diff > 0 and lo > 0
    same, lo, hi = paired_bootstrap(a, a)
    assert same == 0 and lo == 0 and hi == 0


def test_coverage_counts_distinct_items():
    outs = [outcome([1, 0], 1, [1], items=["a", "b"]), outcome([1, 0], 1, [1], items=["b", "c"])]
    assert coverage(outs, 2, catalogue=10) == pytest.approx(0.3)


def test_deliberately_violating_list_is_caught(engine, monkeypatch):
    model = engine.model("tfidf")
    q = next(p for p in engine.corpus.postings.values() if p.place.sido == "서울특별시")
    f = FilterSettings()
    prepared, _ = prepare_queries(engine.corpus, "posting->posting", [q], f, audit=False)
    clean = run_task(engine, "tfidf", "posting->posting", prepared, k=10, filters=f)
    assert clean and clean[0].violations == 0
    # a broken search that ignores the mask and returns the farthest postings
    table = engine.corpus.tables["posting"]

    def broken_search(query_text, target, mask, k, source=None, prepared=None):
        far = np.argsort(-np.nan_to_num(np.abs(table.lat - q.place.lat), nan=0))[:k]
        return far, np.ones(len(far))

    monkeypatch.setattr(model, "search", broken_search)
    bad = run_task(engine, "tfidf", "posting->posting", prepared, k=10, filters=f)
    assert bad[0].violations > 0 and violation_rate(bad[0], 10) > 0


def test_evaluate_end_to_end_on_demo(engine, tmp_path):
    from core.evaluation.report import write_report
    from core.evaluation.runner import evaluate

    results = evaluate(engine, "demo", ["tfidf"], ["seeker->posting", "posting->posting"], n_queries=40)
    assert {r.direction for r in results} == {"seeker->posting", "posting->posting"}
    for r in results:
        mean, lo, hi = r.metrics["top_k_accuracy@5"]
        assert lo <= mean <= hi and 0 <= mean <= 1
        assert r.metrics["violation_rate@5"][0] == 0
    md, js = write_report(results, tmp_path)
    assert "Top-5" in md.read_text() and js.exists()


def test_score_outcome_correlation():
    assert score_outcome_correlation([0.1, 0.5, 0.9, 0.7], [0, 1, 1, 1]) > 0.5


def test_overlap_and_rbo():
    assert overlap_at_k(list("abcde"), list("abcde"), 5) == 1.0
    assert overlap_at_k(list("abcde"), list("vwxyz"), 5) == 0.0
    assert rbo(list("abcde"), list("abcde")) == pytest.approx(1.0)
    assert rbo(list("abc"), list("xyz")) == pytest.approx(0.0)
    top_agree = rbo(list("abcde"), list("abcxy"))
    bottom_agree = rbo(list("abcde"), list("xycde"))
    assert top_agree > bottom_agree  # top-weighted
    assert unique_items({"m1": ["a", "b"], "m2": ["b", "c"]}) == {"m1": {"a"}, "m2": {"c"}}


def test_every_reported_interval_contains_its_estimate(engine):
    from core.evaluation.runner import evaluate

    for r in evaluate(engine, "demo", ["tfidf"], ["posting->posting"], n_queries=30):
        for name, (mean, lo, hi) in r.metrics.items():
            assert math.isnan(lo) or lo - 1e-9 <= mean <= hi + 1e-9, name


def test_wbert_rows_query_only_postings_wbert_never_trained_on(engine, tmp_path, locate):
    import json

    from core.evaluation.runner import evaluate

    held_out = sorted(engine.corpus.postings)[::5][:60]
    (tmp_path / "split.json").write_text(json.dumps({"test_ids": held_out}))
    locate(wbert=tmp_path)  # a W-BERT folder whose test split is `held_out`
    results = evaluate(engine, "demo", ["tfidf", "wbert"], ["posting->posting", "seeker->posting"], n_queries=30)
    posting_rows = [r for r in results if r.direction == "posting->posting"]
    assert posting_rows and all(set(r.audit["query_ids"]) <= set(held_out) for r in posting_rows)
    seeker_rows = [r for r in results if r.direction == "seeker->posting"]
    assert seeker_rows and all(set(r.audit["query_ids"]) <= set(engine.corpus.seekers) for r in seeker_rows)


def test_significance_marks_a_real_difference_and_not_noise_after_correction():
    from core.evaluation.report import paired_rows, significance_frame
    from core.evaluation.runner import ModelResult

    rng = np.random.default_rng(11)
    base = rng.binomial(1, 0.5, 200).astype(float)
    better = np.maximum(base, rng.binomial(1, 0.4, 200))  # strictly adds hits on ~20 % of queries
    noise = base.copy()
    swap = rng.choice(200, 6, replace=False)
    noise[swap] = 1 - noise[swap]  # six queries flipped either way: no real difference
    ids = [f"q{i}" for i in range(200)]

    def result(name, values):
        return ModelResult("t", "seeker->posting", name, 200, 0, 100, 0.0, audit={"query_ids": ids},
                           per_query={"top_k_accuracy@5": values.tolist(), "ndcg@5": values.tolist()})

    rows = paired_rows([result("a", base), result("b", better), result("c", noise)])
    verdict = {(r["a"], r["b"], r["metric"]): r for r in rows}
    assert verdict[("a", "b", "ndcg@5")]["significant"] and verdict[("a", "b", "ndcg@5")]["p_adjusted"] < 0.05
    assert not verdict[("a", "c", "ndcg@5")]["significant"]
    assert all(r["p_adjusted"] >= r["p"] - 1e-12 and r["correction"] == "holm" for r in rows)
    frame = significance_frame(rows)
    assert set(frame["유의 (α=0.05)"]) == {"유의함", "유의하지 않음"} and "Top-5 정확도" in set(frame["지표"])
    other = result("d", better)
    other.audit = {"query_ids": ids[::-1]}  # other queries: never compared pairwise
    assert not [r for r in paired_rows([result("a", base), other]) if r["b"] == "d"]
