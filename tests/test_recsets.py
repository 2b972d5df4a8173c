"""Recommendation sets (#16 item 3): every list stored by the batch path, served as the live list, and a changed
posting rewrites exactly the lists it can reach."""
from __future__ import annotations

import dataclasses

import numpy as np

from core.filters import FilterSettings
from core.models import recsets

MODELS = ["tfidf", "sbert", "hybrid"]


def stored_lists(engine, models=MODELS) -> dict[tuple, tuple]:
    """(model, direction, query id) → (items, built_at) of the lists stored under each model's key here."""
    name_of = {engine.list_key(m): m for m in models}
    return {(name_of[c], d, q): (items, at) for c, d, q, items, at in engine.store.query("SELECT * FROM recsets")}


def test_every_list_is_stored_and_served_as_the_live_list(engine):
    recsets.build(engine, MODELS, k=10)
    corpus = engine.corpus
    lists = stored_lists(engine)
    assert len(lists) == len(MODELS) * (2 * len(corpus.postings) + len(corpus.seekers))
    f = FilterSettings()
    for name in MODELS:
        model = engine.model(name)
        for n, (query, target) in enumerate([(p, "posting") for p in list(corpus.postings.values())[::40]] +
                                            [(s, "posting") for s in list(corpus.seekers.values())[::15]] +
                                            [(p, "seeker") for p in list(corpus.postings.values())[::40]]):
            # a served list is explained as the live one is; explaining is the encoder's work on every item's spans
            # (~3 s a list for SBERT on two cores), so once a model, and the other lists are compared without it
            explain = n == 0
            live = model.recommend(query, k=10, filters=f, target=target, explain=explain)
            served = engine.recommend(name, "mecab", query, target, 10, f, explain=explain)
            assert served.stored
            assert [(r.item_id, r.filters_passed, r.distance_km) for r in served.items] == \
                   [(r.item_id, r.filters_passed, r.distance_km) for r in live.items]
            assert np.allclose([r.score for r in served.items], [r.score for r in live.items], atol=1e-6)  # stored at 6 places
            if explain:
                assert [r.explanation for r in served.items] == [r.explanation for r in live.items]
                assert all(r.explanation for r in served.items)
    # other filters or a longer list than was built: not served from the set
    assert not engine.recommend("sbert", "mecab", query, "seeker", 20, f, explain=False).stored
    assert not engine.recommend("sbert", "mecab", query, "seeker", 10, FilterSettings(capital_km=30), explain=False).stored


def test_a_changed_posting_rewrites_exactly_the_lists_it_can_reach(engine):
    recsets.build(engine, MODELS, k=10)
    before = stored_lists(engine)
    corpus = engine.corpus
    # move a Seoul posting to Busan and change its duties: it leaves Seoul lists and may enter Busan ones
    seoul = next(p for p in corpus.postings.values() if p.place.sido == "서울특별시" and p.place.lat)
    busan = next(p for p in corpus.postings.values() if p.place.sido == "부산광역시" and p.place.lat)
    moved = dataclasses.replace(seoul, place=busan.place, jobCont=busan.jobCont)
    engine.add(moved)
    reach = recsets.affected(engine, moved)
    assert 0 < len(reach["posting->posting"]) < len(corpus.postings)  # a radius, not everything
    assert {q.id for q in reach["posting->seeker"]} == {moved.id}
    was_in = {q for (m, d, q), (items, _) in before.items() if f'["{moved.id}",' in items}
    assert was_in <= {q.id for d in ("posting->posting", "seeker->posting") for q in reach[d]}
    counts = recsets.refresh(engine, [moved], MODELS, k=10)
    after = stored_lists(engine)
    rewritten = {key for key in after if after[key][1] != before[key][1]}
    expected = {(m, d, q.id) for m in MODELS for d, queries in reach.items() for q in queries}
    assert rewritten == expected and counts == {d: len(q) for d, q in reach.items()}
    # and the refreshed store equals a full rebuild: no list it left alone was wrong
    recsets.build(engine, MODELS, k=10)
    rebuilt = stored_lists(engine)
    assert {key: v[0] for key, v in after.items()} == {key: v[0] for key, v in rebuilt.items()}
    assert any(before[key][0] != rebuilt[key][0] for key in expected)  # the change really moved some lists


def test_a_change_since_the_build_within_reach_is_ranked_live(engine):
    recsets.build(engine, ["tfidf"], k=10)
    corpus, f = engine.corpus, FilterSettings()
    seeker = next(s for s in corpus.seekers.values() if s.place.sido == "서울특별시" and s.place.lat)
    assert engine.recommend("tfidf", "mecab", seeker, "posting", 10, f).stored
    near = next(p for p in corpus.postings.values() if p.place.sido == "서울특별시" and p.place.lat)
    engine.add(dataclasses.replace(near, id="NEW-NEAR", title="신규 공고"))  # recommendable at once: no stale list
    assert not engine.recommend("tfidf", "mecab", seeker, "posting", 10, f).stored
    recsets.refresh(engine, [corpus.postings["NEW-NEAR"]], ["tfidf"], k=10)
    served = engine.recommend("tfidf", "mecab", seeker, "posting", 10, f)
    live = engine.model("tfidf").recommend(seeker, k=10, filters=f)
    assert served.stored and [r.item_id for r in served.items] == [r.item_id for r in live.items]
