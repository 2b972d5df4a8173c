"""The Store's named queries (#24 item 6): the corpus page, the overview, the suitability map, the demo command
and the datasets ask the Store by name instead of writing SQL; these pin what each answer means."""
from core.data.store import Store
from core.llm.suitability import unsuitable_map
from core.views import stats


def test_corpus_figures_add_up_to_the_stored_corpus(demo_store):
    counts = demo_store.counts()
    postings = demo_store.postings()
    sources = stats.sources(demo_store)
    assert set(sources["출처"]) == {stats.SOURCE_LABELS.get(p.source, p.source) for p in postings}
    assert sources["공고"].sum() == counts["postings"] and "demo" not in set(sources["출처"])  # '데모(합성)' to a counselor
    assert stats.by_region(demo_store)["공고"].sum() == counts["postings"]
    assert stats.by_category(demo_store)["공고"].sum() == counts["postings"]
    assert len(stats.unplaced(demo_store)) == min(500, sum(p.place.geo_status != "ok" for p in postings))
    reasons, latest = stats.rejects(demo_store, limit=5)
    assert len(latest) == min(5, counts["rejects"]) and reasons["건수"].sum() <= counts["rejects"]
    day = postings[0].reg_date
    fresh = stats.freshness(demo_store, today=day)
    assert fresh["registered_today"] == sum(p.reg_date == day for p in postings) > 0
    assert fresh["closed"] == sum(p.closed for p in postings)
    assert demo_store.count_postings("demo") == sum(p.source == "demo" for p in postings)
    assert demo_store.has_source("demo") and demo_store.has_source("demo-seekers") and not demo_store.has_source("없음")


def test_only_successful_extractions_reach_the_suitability_map(tmp_path):
    store = Store(tmp_path / "s.db")
    ok = {"unsuitable_types": [{"type": "시각장애(중증)"}], "suitable_types": []}
    store.put_extraction(("h1", "rules", "-", "1"), "p1", "ok", ok)
    store.put_extraction(("h2", "llm", "m", "1"), "p2", "error", None, "시간 초과")
    store.put_extraction(("h3", "llm", "m", "1"), "p1", "ok", {"unsuitable_types": [{"type": "청각장애(경증)"}]})
    assert [r["posting_id"] for r in store.extractions() if r["status"] == "ok"] == ["p1", "p1"]
    # (청각장애(경증) excluded excludes its severer grade too)
    assert unsuitable_map(store) == {"p1": frozenset({"시각장애(중증)", "청각장애(경증)", "청각장애(중증)"})}


def test_write_stamps_rise_in_commit_order_so_a_refresh_never_misses_one(tmp_path, monkeypatch):
    """A write whose clock reads earlier than one already committed (it took the time before another process's
    write committed, or the clock stepped back) is still stamped later: `changed_since` from the newest stamp
    seen finds it (a sync's close was missed so, and the closed posting stayed recommendable)."""
    import dataclasses

    import core.data.store as store_module
    from core.data.records import Place, Posting

    store = Store(tmp_path / "s.db")
    place = Place(sido="서울특별시", sigungu="강남구", lat=37.5, lon=127.0, geo_status="ok")
    first = Posting(id="t:1", source="t", title="사무원", place=place)
    clock = iter([1000.0])  # then 500.0: the clock reads earlier from the second write on
    monkeypatch.setattr(store_module.time, "time", lambda: next(clock, 500.0))
    store.upsert_postings([first])
    _, _, seen = store.changed_since(0.0)
    store.upsert_postings([dataclasses.replace(first, closed=True)])  # the later commit, with the earlier clock
    changed, _, newest = store.changed_since(seen)
    assert [p.closed for p in changed] == [True] and newest > seen


def test_one_refresh_reads_postings_and_seekers_from_one_snapshot(tmp_path):
    """Another process writes a posting, then a seeker, between the two reads of `changed_since`: neither is taken
    in this time (one snapshot), and both the next time; with two snapshots the posting was skipped for good."""
    from core.data.records import Place, Posting, Seeker

    store = Store(tmp_path / "s.db")
    other = Store(tmp_path / "s.db")
    place = Place(sido="서울특별시", sigungu="강남구", lat=37.5, lon=127.0, geo_status="ok")
    store.upsert_postings([Posting(id="t:0", source="t", title="사무원", place=place)])
    _, _, seen = store.changed_since(0.0)
    real = store.con

    class Interleaved:  # the reading connection, with the other process's writes slipped in after its first read
        def __init__(self):
            self.reads = 0

        def __getattr__(self, name):
            return getattr(real, name)

        def execute(self, sql, *args):
            out = real.execute(sql, *args)
            if sql.startswith("SELECT json, updated_at FROM postings"):
                out = list(out)
                other.upsert_postings([Posting(id="t:1", source="t", title="경비원", place=place, closed=True)])
                other.upsert_seekers([Seeker(id="s:1", source="s", disability_type="지체장애(중증)", place=place)])
            return out

    store._local.con = Interleaved()
    postings, seekers, newest = store.changed_since(seen)
    store._local.con = real
    assert (postings, seekers, newest) == ([], [], seen)
    postings, seekers, _ = store.changed_since(newest)
    assert [p.id for p in postings] == ["t:1"] and [s.id for s in seekers] == ["s:1"]
