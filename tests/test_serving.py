"""One serving path (#24 items 1 and 5): `Engine.recommend` serves a stored list only to the configuration that
built it (model, analyser, model version, encoder backend, quality settings), and one Engine shared by
concurrent sessions serves every list from one whole state of the corpus.

Each stored list of the building configuration is overwritten with its own reverse first, so a list served from
the store is told apart from one ranked live: the building configuration must get the reversed list (the store
is used), every other configuration must get exactly its own live list (the store is not)."""
from __future__ import annotations

import dataclasses
import json
import threading

import pytest

from core.data.store import Store
from core.filters import FilterSettings
from core.models import recsets
from core.models.engine import Engine
from core.models.registry import ModelParams, make_model
from core.models.wbert import train
from core.settings import settings
from tests.test_wbert import sample, tiny, tiny_base  # noqa: F401  (fixtures: a labelled sample, a 1-layer BERT)

F = FilterSettings()


def ids(result) -> list[str]:
    return [r.item_id for r in result.items]


def reverse_stored(engine: Engine, name: str, analyser: str = "mecab") -> int:
    """Overwrite every stored list of this configuration with its reverse; returns how many lists."""
    key = engine.list_key(name, analyser)
    by_direction: dict[str, list] = {}
    for direction, qid, items in engine.store.query("SELECT direction, query_id, items FROM recsets WHERE config=?", (key,)):
        by_direction.setdefault(direction, []).append((qid, json.dumps(json.loads(items)[::-1])))
    return sum(engine.store.put_recsets(key, direction, lists) for direction, lists in by_direction.items())


def queries(engine: Engine) -> list[tuple]:
    """Seekers and postings as queries, in the directions the app serves."""
    corpus = engine.corpus
    postings, seekers = list(corpus.postings.values()), list(corpus.seekers.values())
    return [(s, "posting") for s in seekers[::15]] + [(p, "posting") for p in postings[::75]] + \
           [(p, "seeker") for p in postings[::150]]


def assert_served_from_store(engine: Engine, name: str, analyser: str = "mecab") -> None:
    """The building configuration gets its stored (reversed) list: the store really is consulted."""
    model = engine.model(name, analyser)
    for query, target in queries(engine):
        served = engine.recommend(name, analyser, query, target, 10, F, explain=False)
        assert served.stored and ids(served) == ids(model.recommend(query, k=10, filters=F, target=target, explain=False))[::-1]


def assert_ranked_live(engine: Engine, name: str, analyser: str = "mecab") -> None:
    """Another configuration gets exactly its own live list, never the stored one."""
    model = engine.model(name, analyser)
    for query, target in queries(engine):
        served = engine.recommend(name, analyser, query, target, 10, F, explain=False)
        live = model.recommend(query, k=10, filters=F, target=target, explain=False)
        assert not served.stored and ids(served) == ids(live), (name, analyser, query.id, target)


def test_a_list_stored_for_one_analyser_is_never_served_for_another(engine):
    recsets.build(engine, ["tfidf"], k=10, analyser="mecab")
    assert reverse_stored(engine, "tfidf", "mecab") > 0
    assert_served_from_store(engine, "tfidf", "mecab")
    assert_ranked_live(engine, "tfidf", "kiwi")
    mecab, kiwi = engine.model("tfidf", "mecab"), engine.model("tfidf", "kiwi")
    differ = sum(ids(mecab.recommend(q, k=10, filters=F, target=t)) != ids(kiwi.recommend(q, k=10, filters=F, target=t))
                 for q, t in queries(engine))
    assert differ > 0  # the analysers rank differently here: serving mecab's list to kiwi would be wrong


def app_params() -> ModelParams:
    """What an app (an edge) builds its engine with: the settings, read once."""
    return ModelParams.from_settings(settings())


@pytest.mark.parametrize("setting, value", [("JOBLENS_ENRICH_WEIGHT", "0.3"), ("JOBLENS_ENRICH_SHORT_POSTING_CHARS", "0"),
                                            ("JOBLENS_MAX_TOKENS_TEXT", "16")])
def test_a_list_stored_under_other_quality_settings_is_not_served(engine, monkeypatch, setting, value):
    """An app restarted with another quality setting (a new Engine over the same store) ranks live."""
    recsets.build(engine, ["tfidf"], k=10)
    reverse_stored(engine, "tfidf")
    monkeypatch.setenv(setting, value)
    restarted = Engine.from_store(engine.store, params=app_params())
    assert restarted.list_key("tfidf") != engine.list_key("tfidf")
    assert_ranked_live(restarted, "tfidf")


def test_every_quality_setting_is_in_the_key(monkeypatch):
    """Each setting that changes a list changes the model's part of the key (the hybrid holds TF-IDF and SBERT)."""
    base = make_model("hybrid", params=app_params()).signature()
    for setting, value in [("JOBLENS_ENRICH_WEIGHT", "0.3"), ("JOBLENS_QUERY_PROMPT_POSTING", "query"),
                           ("JOBLENS_QUERY_PROMPT_SEEKER", "passage"), ("JOBLENS_HYBRID_K_RRF", "3"),
                           ("JOBLENS_HYBRID_TFIDF_WEIGHT", "0.9"), ("JOBLENS_MAX_TOKENS_TEXT", "16"),
                           ("JOBLENS_MAX_TOKENS_ENRICHMENT", "16")]:
        with monkeypatch.context() as m:
            m.setenv(setting, value)
            assert make_model("hybrid", params=app_params()).signature() != base, setting


def test_a_wbert_list_is_not_served_under_another_backend_nor_after_a_retrain(engine, locate, tmp_path, sample, tiny):  # noqa: F811
    locate(models=tmp_path, wbert=None)
    train(sample, tiny(tmp_path / "wbert", epochs=1))
    recsets.build(engine, ["wbert"], k=10)
    reverse_stored(engine, "wbert")
    assert_served_from_store(engine, "wbert")
    # an app started with the ONNX runtime: other vectors, so its own lists
    onnx = Engine.from_store(engine.store, params=dataclasses.replace(engine.params, wbert_backend="onnx"))
    assert onnx.model("wbert").encoder.backend == "onnx"
    assert_ranked_live(onnx, "wbert")
    # a retrain in place (one more epoch from the checkpoint): the running engine refits and ranks live
    before = engine.list_key("wbert")
    train(sample, tiny(tmp_path / "wbert", epochs=2))
    assert engine.list_key("wbert") != before
    assert_ranked_live(engine, "wbert")


def test_concurrent_sessions_never_see_a_list_that_mixes_states(engine, demo_copy, tmp_path):
    """Readers call `recommend` while a writer adds postings (as the app's upload does) and stores others from
    'another process' that `refresh` takes in. Every list a reader gets must be the list of one whole state:
    one of the lists a single-threaded engine gives after 0, 1, … n of the same writes."""
    corpus = engine.corpus
    query = next(s for s in corpus.seekers.values() if s.place.sido == "서울특별시" and s.place.lat)
    passing, _ = corpus.candidates(query, "posting", F)  # a posting the query's filters let through, as a template
    template = corpus.postings[corpus.tables["posting"].ids[int(passing.nonzero()[0][0])]]
    text = f"{query.desired_job_name} {query.desired_duties}"
    new = [dataclasses.replace(template, id=f"demo:NEW{i}", title=f"{query.desired_job_name} 모집 {i}", jobCont=text * (i + 1),
                               place=query.place) for i in range(8)]

    reference = Engine.from_store(demo_copy(tmp_path / "reference.db"))
    reference.model("tfidf")
    expected = [ids(reference.recommend("tfidf", "mecab", query, "posting", 10, F))]
    for record in new:
        reference.add(record)
        expected.append(ids(reference.recommend("tfidf", "mecab", query, "posting", 10, F)))
    assert len({tuple(e) for e in expected}) > 3  # the writes really move the list

    engine.model("tfidf")
    other_process = Store(engine.store.path)
    done, seen, errors = threading.Event(), [], []

    def read() -> None:
        try:
            while not done.is_set():
                seen.append(ids(engine.recommend("tfidf", "mecab", query, "posting", 10, F)))
        except Exception as e:  # noqa: BLE001 (reported below, with the thread's failure)
            errors.append(e)

    def write() -> None:
        try:
            for i, record in enumerate(new):
                if i % 2:
                    other_process.upsert_postings([record])
                    engine.refresh()
                else:
                    engine.add(record)
        except Exception as e:  # noqa: BLE001
            errors.append(e)
        finally:
            done.set()

    readers = [threading.Thread(target=read) for _ in range(3)]
    writer = threading.Thread(target=write)
    for t in [*readers, writer]:
        t.start()
    for t in [writer, *readers]:
        t.join(timeout=120)
    assert not errors, errors
    assert seen and all(s in expected for s in seen), [s for s in seen if s not in expected][:3]
    assert ids(engine.recommend("tfidf", "mecab", query, "posting", 10, F)) == expected[-1]


def test_a_page_rerun_refreshes_the_shared_engine_once(app_data, monkeypatch):
    """However many widgets ask for the engine during one run of a page, it looks for new records once."""
    from tests.test_pages import page

    calls = []
    refresh = Engine.refresh
    monkeypatch.setattr(Engine, "refresh", lambda self: calls.append(1) or refresh(self))
    at = page("seeker_postings", {"model": "tfidf"})
    assert len(calls) == 1
    at.run()
    assert not at.exception and len(calls) == 2


def test_evaluation_scores_the_list_a_page_is_served(engine):
    """Evaluation ranks through `Engine.recommend`: with a stored set of this configuration it scores the stored
    (here reversed) lists, exactly what a counselor sees, not a live ranking beside them."""
    from core.evaluation.runner import prepare_queries, run_task

    recsets.build(engine, ["tfidf"], k=10)
    assert reverse_stored(engine, "tfidf") > 0
    model = engine.model("tfidf")
    seekers = sorted(engine.corpus.seekers.values(), key=lambda s: s.id)[::10]
    prepared, _ = prepare_queries(engine.corpus, "seeker->posting", seekers, F, audit=False)
    assert prepared
    for pq, outcome in zip(prepared, run_task(engine, "tfidf", "seeker->posting", prepared, k=10, filters=F)):
        assert outcome.items == ids(engine.recommend("tfidf", "mecab", pq.query, "posting", 10, F))
        assert outcome.items == ids(model.recommend(pq.query, k=10, filters=F, target="posting"))[::-1]


def test_a_blind_or_narrower_corpus_over_the_same_store_never_gets_the_stored_lists(engine):
    """The stored lists were ranked over every record of the store with the 직종 codes visible: a blind evaluation
    corpus (codes hidden) and a corpus of some sources only rank live, while another engine over the whole store
    with the same settings (the app after a restart) is served them."""
    from core.models.corpus import Corpus

    recsets.build(engine, ["tfidf"], k=10)
    assert reverse_stored(engine, "tfidf") > 0
    corpus = engine.corpus
    blind = Engine(engine.store, Corpus(list(corpus.postings.values()), list(corpus.seekers.values()), corpus.unsuitable,
                                        blind=True, **engine.params.corpus()), engine.params)
    assert blind.list_key("tfidf") != engine.list_key("tfidf")
    assert_ranked_live(blind, "tfidf")
    narrower = Engine.from_store(engine.store, sources=["demo"], seeker_sources=["demo-seekers"], params=engine.params)
    assert narrower.list_key("tfidf") != engine.list_key("tfidf")
    assert_ranked_live(narrower, "tfidf")
    assert_served_from_store(Engine.from_store(engine.store, params=engine.params), "tfidf")
