"""Milvus (Lite, a local file) behind the VectorStore interface gives exactly the in-process lists: same items,
order, scores and distances, in all three directions, filters on and off; what engine.add writes (new, changed,
closed) and a corrected disability verdict are in Milvus at once; a store that cannot be reached says which
setting to fix."""
import random
import sys
from dataclasses import replace

import pytest

from core.data.normalize import VERDICT_UNKNOWN
from core.filters import FilterSettings

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

from core.models.vectorstore import SETTING, MilvusStore, VectorStoreError, open_vector_store  # noqa: E402

TYPES = ["시각장애(중증)", "지체장애(중증)", "청각장애(경증)", "지적장애", "뇌병변장애(중증)"]


@pytest.fixture(scope="module")
def milvus_engine(demo_store, tmp_path_factory):
    """The demo corpus with some postings unsuitable for some types and some closed, SBERT fitted in-process,
    then its vectors written into a Milvus Lite file."""
    from core.models.engine import Engine

    engine = Engine.from_store(demo_store)  # corpus-only changes below: the shared demo store is untouched
    rng = random.Random(27)
    postings = list(engine.corpus.postings.values())
    for p in rng.sample(postings, 150):
        engine.corpus.set_unsuitable(p.id, frozenset(rng.sample(TYPES, 2)))
    for p in rng.sample(postings, 60):  # extraction failed: '판정 없음 제외' keeps them from disabled seekers
        engine.corpus.set_unsuitable(p.id, engine.corpus.unsuitable.get(p.id, frozenset()) | {VERDICT_UNKNOWN})
    for p in rng.sample(postings, 60):
        engine.corpus.upsert(replace(p, closed=True))
    model = engine.model("sbert")
    store = MilvusStore(str(tmp_path_factory.mktemp("milvus") / "vectors.db"))
    model.attach(store)
    return engine, model, store


def listed(model, store, query, target, f, k):
    """(id, rank, score, distance) of the list from the in-process path and from Milvus."""
    out = []
    for where in (None, store):
        model.vector_store = where
        res = model.recommend(query, k=k, filters=f, target=target, explain=False)
        out.append([(r.item_id, r.rank, r.score, r.distance_km) for r in res.items])
    model.vector_store = store
    return out


def test_milvus_lists_equal_in_process_lists_in_every_direction(milvus_engine):
    engine, model, store = milvus_engine
    rng = random.Random(5)
    postings, seekers = list(engine.corpus.postings.values()), list(engine.corpus.seekers.values())
    everything = FilterSettings()
    nothing = FilterSettings(distance=False, education=False, career=False, disability=False)
    compared = nonempty = filtered = 0
    for direction in ("seeker->posting", "posting->posting", "posting->seeker"):
        for _ in range(70):
            query = rng.choice(seekers if direction.startswith("seeker") else postings)
            target = direction.split("->")[1]
            random_f = FilterSettings(distance=rng.random() < 0.8, capital_km=rng.choice([5, 20, 30]),
                                      other_km=rng.choice([10, 40, 80]), education=rng.random() < 0.7,
                                      career=rng.random() < 0.7, disability=rng.random() < 0.8,
                                      unknown_verdict=rng.random() < 0.7)
            for f in (everything, nothing, random_f):
                in_process, milvus = listed(model, store, query, target, f, rng.choice([5, 10, 30]))
                assert milvus == in_process, (direction, query.id, f)
                compared += 1
                nonempty += bool(in_process)
                filtered += bool(in_process) and f.distance
    assert compared == 630 and nonempty >= 200 and filtered >= 50  # 210 queries, each filters on, off, mixed


def test_the_st_dwithin_prefilter_gives_the_same_lists(milvus_engine):
    """The GEOMETRY point with ST_DWITHIN (planar degrees in Milvus Lite) instead of the lat/lon box: slow in Lite
    (no RTREE index), so a few queries, but every list must be the same."""
    engine, model, store = milvus_engine
    geometry = MilvusStore(store.uri, prefilter="st_dwithin")
    rng = random.Random(8)
    seekers, postings = list(engine.corpus.seekers.values()), list(engine.corpus.postings.values())
    nonempty = 0
    for query, target in [(rng.choice(seekers), "posting") for _ in range(6)] + [(rng.choice(postings), "seeker")
                                                                                 for _ in range(4)]:
        in_process, _ = listed(model, store, query, target, FilterSettings(), 10)
        model.vector_store = geometry
        via_geometry = [(r.item_id, r.rank, r.score, r.distance_km)
                        for r in model.recommend(query, k=10, filters=FilterSettings(), target=target, explain=False).items]
        model.vector_store = store
        assert via_geometry == in_process
        nonempty += bool(in_process)
    assert nonempty >= 3


def test_milvus_box_lets_far_rows_through_and_the_exact_check_removes_them(milvus_engine):
    """Milvus's distance filter is only a superset: some rows it returns lie beyond the radius and must not be listed."""
    engine, model, store = milvus_engine
    table = engine.corpus.tables["posting"]
    # a seeker in 서울, where postings are dense enough to fill the box's corners beyond the circle
    seeker = next(s for s in engine.corpus.seekers.values() if s.place.lat is not None and s.place.sido == "서울특별시")
    origin = engine.corpus.origin(seeker)
    f = FilterSettings(education=False, career=False, disability=False)
    expr, radius = store.expression(table, origin, f)
    prepared = model.prepare([engine.corpus.text_of(seeker)], "seeker")
    hits = store._fetch(store._name("sbert", "posting"), table, prepared, expr, 2000)
    from core.geo.places import haversine_km

    beyond = haversine_km(origin.lat, origin.lon, hits.lat, hits.lon) > radius
    assert beyond.any()
    rows, _ = store.search("sbert", table, origin, f, prepared, 50)
    assert not (haversine_km(origin.lat, origin.lon, table.lat[rows], table.lon[rows]) > radius).any()


def test_a_process_that_numbers_its_rows_otherwise_gets_the_same_records(milvus_engine):
    """Processes sharing one Milvus number their rows differently (rows are in grid-cell order, and a process
    started after an add sorts the new record in while an older one has it appended). Milvus holds records by
    id, so a table whose rows are numbered in reverse gets the same records, scores and distances back."""
    import numpy as np

    from core.filters import ItemTable

    engine, model, store = milvus_engine
    table = engine.corpus.tables["posting"]
    back = slice(None, None, -1)
    reversed_table = ItemTable("posting", table.ids[back], table.lat[back], table.lon[back], table.education[back],
                               table.career[back], table.disability[back], table.unsuitable[back], table.open[back],
                               table.sido[back])
    f = FilterSettings(education=False, career=False)
    seekers = sorted(engine.corpus.seekers.values(), key=lambda s: s.id)[:20]
    compared = 0
    for seeker in seekers:
        origin = engine.corpus.origin(seeker)
        prepared = model.prepare([engine.corpus.text_of(seeker)], "seeker")
        got = []
        for t in (table, reversed_table):
            rows, scores = store.search("sbert", t, origin, f, prepared, 10)
            listed_ = sorted(((round(float(sc), 6), t.ids[r]) for r, sc in zip(rows, scores)), reverse=True)
            kth = listed_[-1][0] if listed_ else None  # an item tied with the k-th may be either one
            got.append((kth, [x for x in listed_ if x[0] > kth]))
        assert got[0] == got[1], seeker.id
        compared += bool(got[0][1])
    assert compared >= 10
    assert not np.array_equal(np.asarray(reversed_table.ids), np.asarray(table.ids))


def test_incremental_add_update_close_and_corrections_reach_milvus_at_once(engine, tmp_path):
    from core.models.engine import Engine

    store = MilvusStore(str(tmp_path / "vectors.db"))
    engine = Engine(engine.store, engine.corpus, vector_store=store)
    model = engine.model("sbert")
    anchor = next(p for p in engine.corpus.postings.values() if p.place.sido == "부산광역시")
    new = replace(anchor, id="test:new-milvus", wantedAuthNo="NEW-MILVUS", title="수중 드론 조종사 모집",
                  jobCont="해양 수중 드론 조종 및 선체 검사 촬영", relJobsNm="수중 드론 조종사")
    engine.add(new)
    query = replace(anchor, id="test:query", title="수중 드론 조종사 채용", jobCont="해양 수중 드론 조종 및 선체 검사 촬영")
    f = FilterSettings(education=False, career=False)
    first = lambda: [r.item_id for r in model.recommend(query, k=5, filters=f, explain=False).items]  # noqa: E731
    assert model.vector_store is store and new.id in first()
    assert store.client.get(store._name("sbert", "posting"), ids=[new.id])  # in Milvus (by id), not only in memory
    engine.add(replace(new, closed=True))  # closed: out of every list at once
    assert new.id not in first()
    engine.add(replace(new, closed=False))
    assert new.id in first()
    seeker = replace(next(iter(engine.corpus.seekers.values())), place=anchor.place, disability_type="지체장애(중증)",
                     edu_level=6, career_kind="experienced", desired_job_name="수중 드론 조종사",
                     desired_duties="해양 수중 드론 조종 및 선체 검사 촬영")
    seeker_list = lambda: [r.item_id for r in model.recommend(seeker, k=30, filters=FilterSettings(), explain=False).items]  # noqa: E731
    assert new.id in seeker_list()
    engine.corpus.set_unsuitable(new.id, frozenset({"지체장애(중증)"}))  # a counselor's correction
    assert new.id not in seeker_list()


def test_an_unreachable_or_missing_milvus_names_the_setting(tmp_path, monkeypatch):
    with pytest.raises(VectorStoreError, match=SETTING):
        open_vector_store(f"milvus:{tmp_path}/no/such/folder/vectors.db")
    with pytest.raises(VectorStoreError, match=SETTING):
        open_vector_store("milvus:http://127.0.0.1:1")
    with pytest.raises(VectorStoreError, match=SETTING):
        open_vector_store("qdrant:somewhere")
    monkeypatch.setitem(sys.modules, "pymilvus", None)  # not installed
    with pytest.raises(VectorStoreError, match=f"{SETTING}.*pymilvus"):
        open_vector_store(f"milvus:{tmp_path}/vectors.db")
    assert open_vector_store("memory") is None and open_vector_store("") is None


def test_fields_another_process_wrote_never_override_this_process_s_filters(tmp_path):
    """Two processes share one collection. Process B loaded before a counselor's correction and rewrites the
    posting's row (an add or refresh of its own): process A's search still filters by what A holds."""
    import numpy as np

    from core.filters import ItemTable, Origin

    def table(unsuitable):
        return ItemTable("posting", ["t:1", "t:2"], np.array([37.5, 37.5]), np.array([127.03, 127.04]),
                         np.array([0, 0], dtype=np.int8), np.array([2, 2], dtype=np.int8), ["", ""], unsuitable,
                         np.array([True, True]), np.array(["서울특별시", "서울특별시"], dtype=object))

    a = table([frozenset({"지체장애(중증)"}), frozenset()])  # A: after the correction
    b = table([frozenset(), frozenset()])  # B: loaded before it
    vectors = np.eye(2, 4, dtype=np.float32)
    store = MilvusStore(str(tmp_path / "v.db"))
    store.write("sbert", a, np.arange(2), vectors)
    origin = Origin("s:1", "seeker", 37.5, 127.03, "서울특별시", 7, "new", disability="지체장애(중증)")
    assert store.search("sbert", a, origin, FilterSettings(), vectors[:1], 5)[0].tolist() == [1]
    store.write("sbert", b, np.array([0]), vectors[:1])  # B rewrites t:1 without the exclusion
    assert store.search("sbert", a, origin, FilterSettings(), vectors[:1], 5)[0].tolist() == [1]


def test_a_model_retrained_to_another_width_gets_a_new_collection(tmp_path):
    """One W-BERT table gives 384-wide vectors, four side by side 1,536: an install upgraded to the wider model
    writes into the collection its narrower one left, and must get a new one, not a Milvus error."""
    import numpy as np

    from core.filters import ItemTable, Origin

    t = ItemTable("posting", ["t:1", "t:2"], np.array([37.5, 37.5]), np.array([127.03, 127.04]),
                  np.array([0, 0], dtype=np.int8), np.array([2, 2], dtype=np.int8), ["", ""], [frozenset(), frozenset()],
                  np.array([True, True]), np.array(["서울특별시", "서울특별시"], dtype=object))
    origin = Origin("s:1", "seeker", 37.5, 127.03, "서울특별시", 7, "new")
    wider = np.eye(2, 8, dtype=np.float32)[::-1].copy()  # t:1 now points where t:2 did
    for later in (False, True):  # retrained in a later process, or in this one (the W-BERT page trains in the app's)
        store = MilvusStore(str(tmp_path / f"v{later}.db"))
        store.write("wbert", t, np.arange(2), np.eye(2, 4, dtype=np.float32))
        if later:
            store = MilvusStore(str(tmp_path / f"v{later}.db"))
        store.write("wbert", t, np.arange(2), wider)
        rows, scores = store.search("wbert", t, origin, FilterSettings(), wider[1:2], 2)
        assert rows.tolist()[0] == 1 and scores[0] == pytest.approx(1.0)
        store.client.close()  # each Milvus Lite file runs a server of its own: not left running beside later tests
