"""Issue #13: enrichment, the KECO-2018 crosswalk, calibration, 희망 직종 우선, analyst judgments."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import REPO, SHARED, needs_shared
from streamlit.testing.v1 import AppTest

from core.data.records import Place, Seeker
from core.filters import FilterSettings

MODEL_NAMES = ("tfidf", "sbert", "wbert", "hybrid", "TF-IDF", "SBERT", "W-BERT", "하이브리드")


@needs_shared
def test_enrichment_changes_query_text_and_ranking_for_a_short_seeker(engine):
    from core.models.corpus import Corpus
    from core.models.tfidf import TfidfRecommender

    seeker = Seeker(id="t:short", source="t", desired_job_name="경비원", desired_occupation="542000",
                    place=Place("서울특별시", "강남구", 37.5, 127.05, "sigungu", "ok"))
    postings = list(engine.corpus.postings.values())
    lists, texts = {}, {}
    for enrich in (False, True):
        corpus = Corpus(postings, [seeker], enrich=enrich)
        texts[enrich] = corpus.text_of(seeker)
        model = TfidfRecommender(cache=False)
        model.enrich_weight = 1.0
        model.fit(corpus)
        result = model.recommend(seeker, k=10, filters=FilterSettings(distance=False), explain=True)
        lists[enrich] = [r.item_id for r in result.items]
        if enrich:
            assert all("순찰" in r.explanation.get("표준직무", "") for r in result.items)  # "표준직무: …" shown
    assert "표준직무" not in texts[False]
    assert "표준직무: " in texts[True] and "순찰" in texts[True]  # KEIS duties of 경비원
    assert lists[True] != lists[False]


@needs_shared
def test_keco2018_names_from_the_rejects_map_to_the_right_code():
    from core.data import keco
    from core.data.ingest import build_seeker
    from core.data.normalize import FieldError
    from core.data.occupations import matcher

    m = matcher().match("제품 포장원(섬유, 전기전자, 식품 제외)")
    assert (m.code, m.via) == ("890007", "alias") and keco.middle_of(m.code) == "126"  # 제조 단순 종사자
    assert matcher().match("교통.운송.물류 사무보조원").code == "029506"  # punctuation-insensitive key
    assert matcher().match("병원 안내원 및 병원고객 도우미").code == "029104"
    # still unmapped: stored without a code for W-BERT auto-coding (#25); the ingest's notice names the field
    unmapped = build_seeker({"desired_job_name": "숲 치유사", "desired_region": "서울 강남구"}, "t", "1")
    assert (unmapped.desired_job_name, unmapped.desired_occupation) == ("숲 치유사", "")
    with pytest.raises(FieldError) as e:  # no wish at all is still a reject naming the field
        build_seeker({"desired_region": "서울 강남구"}, "t", "2")
    assert e.value.field == "desired_occupation"


def test_everyday_job_names_reach_their_middle_code_without_the_detailed_table(tmp_path, locate):
    """A user's machine has no ../shared: 청소원, 요양보호사, 택배원 … met no code there (an upload rejected the jobs
    older seekers ask for most) or the wrong one (자동차 정비원 → 자동차 운전). The everyday list maps them to middle
    codes; every row names a shipped middle code."""
    import csv

    from core.data import keco
    from core.data.ingest import build_seeker
    from core.data.occupations import EVERYDAY_FILE, matcher

    locate(shared=tmp_path / "none")
    rows = list(csv.DictReader(open(EVERYDAY_FILE, encoding="utf-8")))
    assert rows and all(r["code"] in keco.middles() for r in rows)
    for r in rows:
        assert (matcher().match(r["name"]).code, matcher().match(r["name"]).via) == (r["code"], "alias"), r["name"]
    seeker = build_seeker({"desired_job_name": "청소원", "desired_region": "서울 강남구"}, "t", "1")
    assert seeker.desired_occupation == "069"


@needs_shared
def test_the_everyday_names_agree_with_the_detailed_table_wherever_it_knows_the_name():
    """With ../shared the detailed table decides (the list is not read); where it places a name, its middle
    category is the list's."""
    import csv

    from core.data import keco
    from core.data.occupations import EVERYDAY_FILE, matcher

    placed = 0
    for r in csv.DictReader(open(EVERYDAY_FILE, encoding="utf-8")):
        m = matcher().match(r["name"])
        assert m is None or m.via != "alias" or m.code != r["code"], r["name"]  # not read with the table
        if m and m.score >= 0.6:
            assert keco.middle_of(m.code) == r["code"], (r["name"], m)
            placed += 1
    assert placed >= 25


def _result(split: str, ids: list[str], scores: list[list[float]], grades: list[list[int]]):
    from core.evaluation.metrics import QueryOutcome
    from core.evaluation.runner import ModelResult

    r = ModelResult("t", "seeker->posting", "sbert", len(ids), 0, 100, 0.0, split=split)
    r.outcomes = [QueryOutcome(i, "01", "서울", [], g, s, 1, [], 0) for i, s, g in zip(ids, scores, grades)]
    return r


def test_calibration_is_monotone_and_fitted_only_on_dev():
    from core.evaluation.calibration import Calibration, fit_calibration
    from core.evaluation.runner import query_split

    rng = np.random.default_rng(0)
    ids = [f"q{i}" for i in range(400)]
    dev = [i for i in ids if query_split(i) == "dev"][:60]
    test = [i for i in ids if query_split(i) == "test"][:60]
    scores = [list(rng.uniform(0.5, 1.0, 10)) for _ in dev]
    grades = [[2 if rng.uniform() < (s - 0.5) * 2 else 0 for s in row] for row in scores]
    cal = fit_calibration([_result("dev", dev, scores, grades)], "t")
    curve = cal.curve("sbert", "seeker->posting")
    grid = np.linspace(0.3, 1.2, 200)
    strength = curve.strength(grid)
    assert (np.diff(strength) >= 0).all() and strength.min() >= 0 and strength.max() <= 100
    assert strength[-1] - strength[0] > 50  # it does separate weak from strong scores
    with pytest.raises(ValueError):  # test-split outcomes are refused, whatever the result says its split is
        fit_calibration([_result("dev", test, scores, grades)], "t")
    with pytest.raises(ValueError):
        fit_calibration([_result("test", test, scores, grades)], "t")
    shipped = Calibration.load()  # the committed curves: dev queries only, monotone
    assert shipped.curves and shipped.split == "dev"
    assert all(query_split(q) == "dev" for q in shipped.query_ids)
    for c in shipped.curves.values():
        assert (np.diff(c.y) >= 0).all() and (np.diff(c.x) > 0).all()


def test_a_curve_never_reads_certain_from_a_block_whose_dev_pairs_all_matched():
    """적합도 is P(same 직종). A top isotonic block of 40 dev pairs that all matched showed 100, beside items of
    another 직종: the curve now reads each block by the rule of succession, (k + 1) / (n + 2), and stays
    non-decreasing, and 99 is the top of the scale. Every shipped curve of every corpus kind (refitted so) stays
    under 1 and over 0."""
    from core.evaluation.calibration import CALIBRATION_FILES, Calibration, fit_curve

    rng = np.random.default_rng(1)
    low = rng.uniform(0.0, 0.5, 200)
    scores = np.r_[low, rng.uniform(0.9, 1.0, 40), [0.6, 0.61]]
    matches = np.r_[(rng.uniform(size=200) < low).astype(int), np.ones(40), [1, 0]]
    curve = fit_curve(scores, matches)
    top = int(curve.strength([1.0])[0])
    assert top == round(100 * 41 / 42) and (np.diff(curve.y) >= 0).all() and curve.strength([0.0])[0] > 0
    for path in CALIBRATION_FILES.values():
        for name, shipped in Calibration.load(path).curves.items():
            assert 0 < min(shipped.y) and max(shipped.y) < 1 and shipped.strength([1e9])[0] <= 99, (path.name, name)


def test_prefer_occupation_puts_same_category_first_and_keeps_filters(engine):
    from core.filters import pair_violation

    model = engine.model("tfidf")
    seeker = next(s for s in engine.corpus.seekers.values() if s.middle_code)
    f = FilterSettings()
    plain = model.recommend(seeker, k=10, filters=f, target="posting", explain=False)
    ranked = model.recommend(seeker, k=10, filters=f, target="posting", explain=False, prefer_occupation=True)
    tiers = [2 if engine.corpus.get(r.item_id).middle_code == seeker.middle_code else
             1 if engine.corpus.get(r.item_id).major_code == seeker.major_code else 0 for r in ranked.items]
    assert tiers == sorted(tiers, reverse=True) and len(ranked.items) == len(plain.items)
    assert all(pair_violation(seeker, engine.corpus.get(r.item_id), f, engine.corpus.unsuitable) is None for r in ranked.items)


def test_weak_list_says_so_with_the_nearest_fix(engine):
    from core.evaluation.calibration import Calibration, Curve
    from core.views.frames import result_frame, weak_list_advice

    model = engine.model("tfidf")
    seeker = next(s for s in engine.corpus.seekers.values() if s.middle_code)
    result = model.recommend(seeker, k=10, filters=FilterSettings(), target="posting", explain=False)
    harsh = Calibration({"tfidf|seeker->posting": Curve([0.0, 1.0], [0.0, 0.2], 100, 0.1)})  # every list is weak
    advice = weak_list_advice(engine.corpus, result, seeker, "posting", FilterSettings(), "seeker->posting", harsh)
    assert advice and ("희망 직종 우선" in advice or "km로 넓히면" in advice or "더 없습니다" in advice)
    frame = result_frame(engine.corpus, result, "posting", "seeker->posting")
    assert "적합도" in frame.columns and frame["적합도"].between(0, 100).all()  # shipped curve, per row and in CSV


def test_judgment_through_apptest_changes_judged_ndcg(app_data):
    demo_store = app_data
    from core.evaluation import judgments as jd
    from core.models.engine import Engine

    engine = Engine.from_store(demo_store)
    pid = sorted(engine.corpus.postings)[5]
    before = jd.judged_scores(engine, ["tfidf"], jd.load(demo_store))
    at = AppTest.from_file(str(REPO / "pages" / "similar_postings.py"), default_timeout=180)
    at.query_params.update({"posting": pid, "model": "tfidf", "k": "5"})
    at.run()
    at.text_input(key="analyst").set_value("분석가A")
    at.radio(key="posting_posting_mark_1").set_value("관련")
    at.radio(key="posting_posting_mark_2").set_value("무관")
    at.button[[b.label for b in at.button].index("판정 저장")].click().run()
    assert not at.exception, [e.value for e in at.exception]
    stored = [j for j in jd.load(demo_store) if j.query_id == pid]
    assert {(j.analyst, j.grade, j.model) for j in stored} == {("분석가A", 2, "tfidf"), ("분석가A", 0, "tfidf")}
    after = jd.judged_scores(engine, ["tfidf"], jd.load(demo_store))
    score = next(s for s in after if s.direction == "posting->posting")
    assert score.ndcg[0] > 0 and score.coverage > 0
    assert not any(s.direction == "posting->posting" for s in before) or before != after


def test_blind_queue_never_reveals_the_model(app_data):
    at = AppTest.from_file(str(REPO / "pages" / "judgments.py"), default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    task = at.session_state["blind_task"]
    assert task["items"] and set(task) == {"direction", "query_id", "items"}
    state_text = repr(at.session_state.to_dict())
    shown = " ".join([*(str(m.value) for m in at.markdown), *(str(c.value) for c in at.caption),
                      *(d.value.to_csv() for d in at.dataframe), *(str(r.label) for r in at.radio)])
    for name in MODEL_NAMES:
        assert name not in state_text and name not in shown, name
    assert not any("점수" in d.value.columns or "순위" in d.value.columns for d in at.dataframe)


def test_malformed_judgments_csv_names_the_row_and_keeps_what_is_stored(tmp_data):
    from core.data.store import Store
    from core.evaluation import judgments as jd

    store = Store()
    jd.record(store, [jd.Judgment("A", "seeker->posting", "s1", "p1", 2, "sbert")])
    before = store.judgments()
    good_then_bad = ("analyst,direction,query_id,item_id,grade\n"
                     "B,seeker->posting,s1,p2,관련\n"
                     "B,seeker->posting,s1,p3,아주 좋음\n").encode()
    with pytest.raises(jd.JudgmentImportError, match="3행 'grade'"):
        jd.import_csv(store, good_then_bad)
    with pytest.raises(jd.JudgmentImportError, match="2행 'direction'"):
        jd.import_csv(store, b"analyst,direction,query_id,item_id,grade\nB,sideways,s1,p2,1\n")
    with pytest.raises(jd.JudgmentImportError, match="머리글"):
        jd.import_csv(store, b"who,what\nB,1\n")
    with pytest.raises(jd.JudgmentImportError, match="UTF-8"):
        jd.import_csv(store, "analyst,direction\n김,x\n".encode("cp949"))
    assert store.judgments() == before  # nothing half-imported
    from core.views.frames import to_csv_bytes

    exported = to_csv_bytes(jd.judgments_frame(jd.load(store)))  # through the CSV-injection neutraliser
    other = Store(store.path.parent / "other.db")
    assert jd.import_csv(other, exported) == 1 and other.judgments() == before  # round trip pools analysts


def test_without_the_keis_file_nothing_is_enriched_and_the_hint_says_where_to_get_it(tmp_path, locate):
    from core.data import standard_jobs as sj

    before = sj.enrichment("542000")  # whatever the suite's shared folder gives (cached per folder)
    locate(shared=tmp_path)
    assert sj.enrichment("542000") == ""  # no stale cache: the new folder is seen at once
    assert "data.go.kr" in sj.missing_hint() and "구인표준직무기술서" in sj.missing_hint()
    assert f"{tmp_path}/keis-standard-job-descriptions/" in sj.missing_hint()  # where this install looks, not ../shared
    locate(shared=REPO.parent / "elsewhere" / "data")  # beside the checkout: relative, never the server's own path
    assert "../elsewhere/data/keis-standard-job-descriptions/ 에 두세요" in sj.missing_hint()
    locate(shared=SHARED)
    assert sj.enrichment("542000") == before


def test_settings_defaults_are_what_the_quality_bench_tuned_on_dev():
    """The app runs with the values bench/bench_quality.py chose on dev queries (and reported on test ones)."""
    import json

    from core.settings import Settings

    tuned = json.loads((REPO / "bench" / "results" / "evaluation.json").read_text(encoding="utf-8"))
    assert tuned["tuned_on"] == "dev" and tuned["split"] == "test"
    defaults = Settings.model_fields
    for key, value in tuned["tuned"].items():
        if key != "crosswalk":
            assert defaults[key].default == value, key
