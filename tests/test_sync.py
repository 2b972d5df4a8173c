"""Issue #14: sync from a local stand-in of the 고용24 / KEAD APIs (tests/fake_apis.py) — counts, no duplicates,
new postings recommendable at once, expired ones closed and never recommended, every fault a clean stop that a
re-run resumes, and the key in no log line or stored error."""
import json
import logging
import time
from dataclasses import replace
from datetime import UTC, date, timedelta

import pytest
from fake_apis import KEY, FakeApis, Fault, worknet_records

from core.data.store import Store
from core.filters import FilterSettings
from core.sync import sync

TODAY = date(2026, 11, 24)


def _ids(store):
    return [r[0] for r in store.query("SELECT id FROM postings WHERE source='worknet'")]


def test_full_then_incremental_sync_is_counted_right_and_recommendable_at_once(tmp_data):
    from core.models.engine import Engine

    records = worknet_records(2080, TODAY)
    first, later = records[:2000], records[2000:]
    store = Store()
    with FakeApis(first) as srv:
        api = srv.api("worknet", page_size=100)
        one = sync(store, api, today=TODAY)
        assert (one.new, one.updated, one.closed, one.stopped) == (2000, 0, 0, "")
        assert len(_ids(store)) == len(set(_ids(store))) == 2000
        engine = Engine.from_store(store)
        model = engine.model("tfidf")
        # the second round: 50 new, 20 changed, 10 now past their closing date
        srv.records.extend(later[:50])
        for r in srv.records[100:120]:
            r["title"], r["smodifyDtm"] = r["title"] + " (급여 인상)", "202611241200"
        for r in srv.records[300:310]:
            r["closeDt"], r["smodifyDtm"] = (TODAY - timedelta(days=1)).strftime("%y-%m-%d"), "202611241300"
        two = sync(store, api, today=TODAY, engine=engine)
        finished = time.perf_counter()
    assert (two.new, two.updated, two.closed, two.unchanged) == (50, 30, 10, 2000 - 30), two.summary()
    assert len(_ids(store)) == len(set(_ids(store))) == 2050
    assert store.posting(f"worknet:{srv.records[105]['wantedAuthNo']}").title.endswith("(급여 인상)")
    # a new posting is in a recommendation list within 1 s of the sync finishing
    new = store.posting(f"worknet:{later[0]['wantedAuthNo']}")
    query = replace(new, id="query:1")
    found = model.recommend(query, k=10, filters=FilterSettings(distance=False, education=False, career=False),
                            target="posting", explain=False)
    elapsed = time.perf_counter() - finished
    assert new.id in [r.item_id for r in found.items] and elapsed < 1.0
    # a closed posting is never recommended, even to itself as a twin
    closed = store.posting(f"worknet:{srv.records[300]['wantedAuthNo']}")
    assert closed.closed
    twin = model.recommend(replace(closed, id="query:2"), k=50, filters=FilterSettings(
        distance=False, education=False, career=False, disability=False), target="posting", explain=False)
    assert closed.id not in [r.item_id for r in twin.items] and twin.report.removed.get("closed", 0) >= 1


@pytest.mark.parametrize("fault", ["500", "timeout", "malformed", "quota", "invalid_key"])
def test_each_fault_stops_cleanly_and_a_rerun_resumes(tmp_data, fault, caplog):
    caplog.set_level(logging.DEBUG)
    records = worknet_records(450, TODAY)
    store = Store()
    with FakeApis(records) as srv:
        api = srv.api("worknet", page_size=100, timeout=1.0, retries=2)
        # the fault outlasts the first run: both attempts of a retried fault, the one request of the others
        srv.faults[("list", 3)] = Fault(fault, times=2 if fault in ("500", "timeout") else 1)
        first = sync(store, api, today=TODAY)
        assert first.stopped and first.resume_page == 3, first.summary()
        assert len(_ids(store)) == 200  # pages 1–2 kept
        state = store.sync_state("worknet")
        assert state["status"] == "stopped" and state["next_page"] == 3
        if fault in ("quota", "invalid_key"):  # the API's own refusal is not retried
            assert sum("startPage=3" in r for r in srv.requests) == 1
        requests_before = len(srv.requests)
        second = sync(store, api, today=TODAY)
        assert not second.stopped and second.pages == 3  # pages 3, 4, 5: resumed, not restarted
        assert not any("startPage=1&" in r for r in srv.requests[requests_before:])
    assert len(_ids(store)) == len(set(_ids(store))) == 450
    texts = [first.summary(), second.summary(), json.dumps(store.sync_state("worknet"), ensure_ascii=False),
             json.dumps(store.query("SELECT * FROM rejects"), ensure_ascii=False),
             json.dumps(store.query("SELECT * FROM ingest_log"), ensure_ascii=False), caplog.text]
    assert caplog.text and all(KEY not in t for t in texts)


def test_an_empty_last_page_ends_the_list(tmp_data):
    store = Store()
    with FakeApis(worknet_records(300, TODAY)) as srv:  # page 4 exists and is empty
        report = sync(store, srv.api("worknet", page_size=100), today=TODAY)
    assert not report.stopped and report.new == 300 and report.pages == 3


def test_a_posting_that_changes_between_list_and_detail_takes_the_detail(tmp_data):
    records = worknet_records(20, TODAY)
    store = Store()
    with FakeApis(records) as srv:
        key = records[4]["wantedAuthNo"]
        srv.detail_overrides[key] = {"title": "상세에서 바뀐 제목", "jobCont": "바뀐 직무 내용"}
        report = sync(store, srv.api("worknet", page_size=100), today=TODAY)
    p = store.posting(f"worknet:{key}")
    assert report.new == 20 and p.title == "상세에서 바뀐 제목" and p.jobCont == "바뀐 직무 내용"
    assert "02-123-4567" not in p.to_json()  # the detail's contact fields are not stored


@pytest.mark.parametrize("api", ["worknet", "kead"])
def test_pages_go_straight_to_the_ingest_and_no_file_is_read_back(tmp_data, monkeypatch, api):
    """A page is parsed in memory and its rows go through the file ingest's normaliser and keys (ingest_rows);
    the raw replies are archived for audit, and reading any file back would fail this test."""
    from core.data import readers

    def refuse(path, *args, **kwargs):
        raise AssertionError(f"sync read {path} back")

    monkeypatch.setattr(readers, "read_text", refuse)
    monkeypatch.setattr(readers, "read_bytes", refuse)
    kead = [{"rno": str(i), "busplaName": f"한빛복지관{i}", "jobNm": "사무 보조원", "compAddr": "서울특별시 마포구 월드컵로 1",
             "salary": "2,100,000", "salaryType": "월급", "reqEduc": "무관", "reqCareer": "무관",
             "termDate": "2026-11-01~2026-12-31"} for i in range(120)]
    records = worknet_records(120, TODAY)
    store = Store()
    with FakeApis(records, kead) as srv:
        srv.detail_overrides[records[3]["wantedAuthNo"]] = {"jobCont": "상세에만 있는 직무 내용"}
        report = sync(store, srv.api(api, page_size=100), today=TODAY)
    assert (report.new, report.pages, report.stopped) == (120, 2, "")
    if api == "worknet":  # the details merged into the list records, through the same merge as a detail file
        assert store.posting(f"worknet:{records[3]['wantedAuthNo']}").jobCont == "상세에만 있는 직무 내용"
    archived = sorted(p.name for p in (tmp_data / "sync" / api).rglob("*") if p.is_file())
    assert archived and all(name.startswith(("list-", "detail-")) for name in archived), archived
    logged = [row[0] for row in store.query("SELECT source_file FROM ingest_log")]
    assert logged and all(f"{api}-sync-" in name for name in logged)  # the rows are named by run and page


def test_kead_sync_reads_work_environment_fields(tmp_data):
    kead = [{"rno": str(i), "busplaName": f"한빛복지관{i}", "jobNm": "사무 보조원", "compAddr": "서울특별시 마포구 월드컵로 1",
             "salary": "2,100,000", "salaryType": "월급", "reqEduc": "무관", "reqCareer": "무관",
             "termDate": "2026-11-01~2026-12-31", "envEyesight": "아주 작은 글씨를 읽을 수 있음", "envLiftPower": "5Kg 이내",
             "envBothHands": "양손작업 가능", "envHandWork": "정밀한 작업 가능", "envLstnTalk": "듣고 말하는 작업 어려움 없음",
             "envStndWalk": "오랫동안 가능"} for i in range(150)]
    store = Store()
    with FakeApis([], kead) as srv:
        report = sync(store, srv.api("kead", page_size=100), today=TODAY)
    assert (report.new, report.pages, report.stopped) == (150, 2, "")
    p = store.posting("kead:7")
    assert p.envEyesight.startswith("아주 작은") and p.close_date == "2026-12-31"


def test_a_kead_record_whose_work_environment_changed_is_stored_and_judged_again(tmp_data):
    """KEAD records carry no modification time: a change in the work environment (what the disability rules read)
    must be stored, and the posting judged on it (second audit of 2026-12-02, item 2)."""
    from core.llm.suitability import unsuitable_map

    light = {"rno": "1", "busplaName": "한빛  복지관 &amp; 센터", "jobNm": "사무 보조원", "compAddr": "서울특별시 마포구 월드컵로 1",
             "salary": "2,100,000", "salaryType": "월급", "reqEduc": "무관", "reqCareer": "무관",
             "termDate": "2026-11-01~2026-12-31", "envLiftPower": "5Kg 이내", "envStndWalk": "앉아서 작업 가능"}
    store = Store()
    with FakeApis([], [light]) as srv:
        sync(store, srv.api("kead"), today=TODAY)
    assert "지체장애(중증)" not in unsuitable_map(store).get("kead:1", frozenset())
    with FakeApis([], [{**light, "envLiftPower": "20Kg 이상", "envStndWalk": "오랫동안 가능"}]) as srv:
        report = sync(store, srv.api("kead"), today=TODAY)
    assert (report.updated, report.unchanged) == (1, 0)
    assert store.posting("kead:1").envLiftPower == "20Kg 이상"
    assert "지체장애(중증)" in unsuitable_map(store)["kead:1"]
    with FakeApis([], [{**light, "envLiftPower": "20Kg 이상", "envStndWalk": "오랫동안 가능"}]) as srv:
        assert sync(store, srv.api("kead"), today=TODAY).unchanged == 1  # the same record again (its raw text, with
        # a double space and an entity, compared as the store keeps it): nothing to store


@pytest.fixture()
def own_app_store(demo_copy, tmp_path, locate):
    """The pages' cached store and engine pointed at a copy of the demo store, so an upload changes no other test."""
    import streamlit as st

    store = demo_copy(tmp_path / "joblens.db")
    locate(data=tmp_path)
    st.cache_resource.clear()
    yield store
    st.cache_resource.clear()


def test_upload_of_a_mixed_csv_shows_the_report_and_new_rows_reach_the_picker(own_app_store):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    repo = Path(__file__).resolve().parent.parent
    csv_text = ("wantedAuthNo,title,company,region,salTpNm,sal,minEdubg,career,jobsCd,closeDt\n"
                "UP1,업로드 사무보조원,(주)올림,서울 강남구,월급,210만원,고졸,신입,029505,채용시까지 26-12-31\n"
                "UP2,,(주)올림,서울 강남구,월급,210만원,고졸,신입,029505,\n"
                "UP3,업로드 경비원,(주)올림,서울 마포구,월급,-210만원,학력무관,관계없음,069100,\n"
                "UP4,업로드 청소원,(주)올림,부산 해운대구,시급,10030원,학력무관,관계없음,069100,9999-99-99\n"
                "UP5,업로드 조리원,(주)올림,대구 수성구,월급,230만원,학력무관,신입,064100,2026-12-01\n")
    at = AppTest.from_file(str(repo / "pages" / "corpus_status.py"), default_timeout=180)
    at.run()
    at.file_uploader(key="upload_file").upload("mixed.csv", csv_text.encode("utf-8"), "text/csv")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="upload_format").value == "csv"
    preview = at.dataframe[1].value
    assert list(preview["결과"]) == ["저장", "거부", "거부", "거부", "저장"]
    assert list(preview["필드"])[1:4] == ["구인제목 (title)", "급여 (sal)", "마감일 (closeDt)"]  # named as a person reads it
    at.button(key="upload_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("신규 2" in s.value and "거부 3" in s.value for s in at.warning)  # rows were rejected: not green
    assert not any("신규" in s.value for s in at.success)
    counts = own_app_store.counts()  # the figures above the panel include the upload (they were one step behind)
    shown = {m.label: m.value for m in at.metric}
    assert shown["공고"] == f"{counts['postings']:,}" and shown["거부된 행"] == f"{counts['rejects']:,}"
    reasons = " ".join(at.dataframe[-1].value["사유"]) if "사유" in at.dataframe[-1].value else ""
    assert "구인제목이 없음" in reasons and "음수" in reasons and "달력에 없는 날짜" in reasons
    picker = AppTest.from_file(str(repo / "pages" / "similar_postings.py"), default_timeout=180)
    picker.run()
    labels = picker.selectbox(key="pick_posting").options
    assert any("업로드 사무보조원" in o for o in labels) and any("업로드 조리원" in o for o in labels)
    assert own_app_store.posting("csv:UP1") is not None and own_app_store.posting("csv:UP2") is None


def test_an_upload_with_an_unclosed_quote_in_its_header_is_refused_naming_it(own_app_store):
    """A header with an unclosed quote swallowed the whole file into one header cell: the upload then rejected its
    one row as '구인제목이 없음' (the file has a 제목 column) with 값 'None', in a green box (browser pass). The file is
    refused, naming the quote; a file none of whose rows was stored reads as an error, not a success."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    repo = Path(__file__).resolve().parent.parent
    at = AppTest.from_file(str(repo / "pages" / "corpus_status.py"), default_timeout=180)
    at.run()
    at.file_uploader(key="upload_file").upload("따옴표.csv", '"wantedAuthNo,title,region\nQ1,사무보조원,서울 강남구\n'.encode(),
                                               "text/csv")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(e.value for e in at.error)
    assert "따옴표" in shown and "머리글" in shown, shown
    at = AppTest.from_file(str(repo / "pages" / "corpus_status.py"), default_timeout=180)
    at.run()
    at.file_uploader(key="upload_file").upload("빈제목.csv", "wantedAuthNo,title,region\nQ2,,서울 강남구\n".encode(),
                                               "text/csv")
    at.run()
    at.button(key="upload_go").click().run()
    assert not any("신규" in s.value for s in at.success)
    assert any("저장된 행이 없습니다" in e.value for e in at.error), [e.value for e in at.error]


def test_an_unreadable_upload_is_named_by_its_file_not_by_the_server_s_copy(own_app_store):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    repo = Path(__file__).resolve().parent.parent
    at = AppTest.from_file(str(repo / "pages" / "corpus_status.py"), default_timeout=180)
    at.run()
    at.file_uploader(key="upload_file").upload("엉망.csv", bytes(range(128, 256)) * 8, "text/csv")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(e.value for e in at.error)
    assert "엉망.csv" in shown and "인코딩" in shown and "uploads" not in shown and str(repo) not in shown


def test_today_first_puts_postings_registered_today_on_top_within_the_filters(engine):
    model = engine.model("tfidf")
    postings = list(engine.corpus.postings.values())
    query = postings[0]
    loose = FilterSettings(distance=False, education=False, career=False, disability=False)
    plain = model.recommend(query, k=10, filters=loose, target="posting", explain=False)
    fresh_ids = {p.id for p in postings[200:215]}
    for p in postings[200:215]:
        engine.corpus.upsert(replace(p, reg_date=TODAY.isoformat()))
    first = model.recommend(query, k=10, filters=loose, target="posting", explain=False, today_first=TODAY.isoformat())
    flags = [engine.corpus.postings[r.item_id].reg_date == TODAY.isoformat() for r in first.items]
    assert any(flags) and flags == sorted(flags, reverse=True)  # registered today first, then the rest
    assert not all(engine.corpus.postings[r.item_id].reg_date == TODAY.isoformat() for r in plain.items)
    assert fresh_ids & {r.item_id for r in model.recommend(query, k=50, filters=loose, target="posting", explain=False,
                                                            today_first=TODAY.isoformat()).items}


def test_a_real_posting_past_its_closing_date_is_never_offered_and_stays_closed_when_seen_again(tmp_data, monkeypatch):
    """An upload is never closed by a sync: the app's engine (served on today's date) closes a real posting past its
    closing date all the same, and again when the server runs past midnight; a re-upload of a posting a sync closed
    does not reopen it, unless its closing date moved later. A dataset read as a snapshot keeps its dates."""
    import core.models.engine as engine_module
    from core.data.ingest import ingest_file
    from core.models.engine import Engine
    from core.sync.run import close_expired

    base = {"title": "매장 관리원", "company": "(주)한빛", "region": "서울 강남구", "jobCont": "매장 진열과 재고 정리"}
    path = tmp_data / "p.csv"

    def upload(close: str) -> None:
        rows = [{"wantedAuthNo": "OLD", **base, "closeDt": close}, {"wantedAuthNo": "OPEN", **base, "closeDt": ""}]
        path.write_text("\n".join([",".join(rows[0])] + [",".join(r.values()) for r in rows]) + "\n", encoding="utf-8")
        ingest_file(store, path, "csv", source="t")

    def offered(engine) -> list[str]:
        query = replace(store.posting("t:OPEN"), id="query:1")
        off = FilterSettings(distance=False, education=False, career=False, disability=False)
        return [r.item_id for r in engine.model("tfidf").recommend(query, k=5, filters=off, explain=False).items]

    store = Store()
    upload("2024-03-31")
    assert not store.posting("t:OLD").closed
    assert "t:OLD" not in offered(Engine.from_store(store, as_of="2026-12-02"))
    assert "t:OLD" in offered(Engine.from_store(store))  # a snapshot: no date
    engine = Engine.from_store(store, as_of="2024-03-30")
    assert "t:OLD" in offered(engine)

    monkeypatch.setattr(engine_module.clock, "today", lambda: date(2024, 4, 1))
    engine.refresh()
    assert "t:OLD" not in offered(engine)  # past midnight of its closing date
    assert close_expired(store, "t", date(2026, 12, 2)) == 1 and store.posting("t:OLD").closed
    upload("2024-03-31")  # the same file again
    assert store.posting("t:OLD").closed
    upload("2027-01-31")  # the employer extended it
    assert not store.posting("t:OLD").closed


def test_the_day_postings_close_on_is_korea_s_whatever_the_server_s_time_zone(monkeypatch):
    """At 00:30 KST on 3 December a posting that closed on 2 December is closed, also on a server running on UTC
    (where it is still 15:30 on the 2nd): the day is read in Korea (core.clock)."""
    from datetime import datetime

    from core import clock

    class At(datetime):
        @classmethod
        def now(cls, tz=None):
            instant = datetime(2026, 12, 2, 15, 30, tzinfo=UTC)  # 2026-12-03 00:30 in Seoul
            return instant.astimezone(tz) if tz else instant.replace(tzinfo=None)

    monkeypatch.setattr(clock, "datetime", At)
    assert clock.today() == date(2026, 12, 3)


def test_a_posting_the_complete_listing_no_longer_holds_is_withdrawn_until_listed_again(tmp_data):
    """The API drops a posting withdrawn or filled before its date; one with no date ('채용시까지') stayed open for
    ever (second audit of 2026-12-02). A run that read the whole list withdraws what it did not list; a partial
    run withdraws nothing; a listing that holds the posting again brings it back."""
    from core.models.engine import Engine

    records = worknet_records(250, TODAY)
    records[7]["closeDt"] = "채용시까지"
    gone = f"worknet:{records[7]['wantedAuthNo']}"
    store = Store()
    with FakeApis(records) as srv:
        api = srv.api("worknet", page_size=100)
        assert sync(store, api, today=TODAY).new == 250
        left = srv.records.pop(7)
        assert sync(store, api, today=TODAY, max_pages=1).withdrawn == 0  # part of the list: nothing can be told
        report = sync(store, api, today=TODAY, restart=True)
        assert report.withdrawn == 1 and "목록에서 사라짐 1" in report.summary()
        engine = Engine.from_store(store, as_of=TODAY.isoformat())
        assert store.posting(gone).withdrawn and not engine.corpus.is_open(store.posting(gone))
        srv.records.insert(7, left)
        assert sync(store, api, today=TODAY).withdrawn == 0
    engine.refresh()
    assert not store.posting(gone).withdrawn and engine.corpus.is_open(store.posting(gone))


def test_a_partial_run_whose_page_lists_a_withdrawn_posting_brings_it_back_and_an_old_file_does_not(tmp_data):
    """Only an API listing clears the mark, on any page of any run (third audit of 2026-12-02): a file that
    holds the posting again (an older export) proves nothing. Unchanged on the page or changed (its new title
    kept), a listed posting is open again after one page."""
    from core.sync.run import mark_withdrawn

    records = worknet_records(150, TODAY)
    ids = [f"worknet:{r['wantedAuthNo']}" for r in records[:2]]
    store = Store()
    with FakeApis(records) as srv:
        api = srv.api("worknet", page_size=100)
        sync(store, api, today=TODAY)
        assert mark_withdrawn(store, "worknet", set()) == 150
        changed = {"title": "경비원 모집 (재공고)"} | ({"smodifyDtm": "209912310000"} if "smodifyDtm" in srv.records[1] else {})
        srv.records[1] = {**srv.records[1], **changed}
        report = sync(store, api, today=TODAY, max_pages=1)  # one page, part of the list: withdraws nothing, relists
    assert report.relisted == 100 and "다시 올라옴 100" in report.summary()
    assert [store.posting(i).withdrawn for i in ids] == [False, False]
    assert store.posting(ids[1]).title == "경비원 모집 (재공고)"
    assert store.posting(f"worknet:{records[120]['wantedAuthNo']}").withdrawn  # on a page the run never read"


def _upload(store: Store, path, **fields) -> None:
    from core.data.ingest import ingest_file

    row = {"wantedAuthNo": "P1", "title": "매장 관리원", "company": "(주)한빛", "region": "서울 강남구",
           "jobCont": "매장 진열과 재고 정리", "closeDt": "2026-11-20"} | fields
    path.write_text(",".join(row) + "\n" + ",".join(row.values()) + "\n", encoding="utf-8")
    ingest_file(store, path, "csv", source="t")


def test_a_sync_s_closing_and_withdrawing_passes_never_write_back_over_a_record_stored_after_their_read(tmp_data):
    """A sync reads the source's postings once, then closes what expired and withdraws what the listing left. An
    upload stored between that read and those writes (the employer extended the date, retitled the job) was written
    over with the record as read: the old date, closed, and the old title. Each pass now decides on the record as
    stored, under the write lock."""
    from core.sync.run import close_expired, mark_withdrawn

    path = tmp_data / "p.csv"
    store = Store()
    _upload(store, path)
    read_by_sync = store.postings("t")  # the sync's one read; then another process stores a newer file
    _upload(Store(), path, closeDt="2027-01-31", title="매장 관리원 (연장)")
    assert close_expired(store, "t", TODAY, read_by_sync) == 0
    assert mark_withdrawn(store, "t", set(), read_by_sync) == 1
    now = store.posting("t:P1")
    assert (now.close_date, now.title, now.closed, now.withdrawn) == ("2027-01-31", "매장 관리원 (연장)", False, True)


def test_an_upload_never_reopens_a_posting_a_sync_withdrew_between_the_upload_s_read_and_its_write(tmp_data, monkeypatch):
    """An upload merged each row with the stored record it had read, then wrote the merge. A sync that withdrew the
    posting in between was undone: the merge, read before, carried no mark. The merge is now made on the record
    read under the write lock."""
    from core.sync.run import mark_withdrawn

    path = tmp_data / "p.csv"
    store = Store()
    _upload(store, path, closeDt="2027-01-31")
    write = store.upsert_postings

    def sync_withdraws_first(postings, **kw):
        mark_withdrawn(Store(), "t", set())  # another process, between the upload's read and its write
        return write(postings, **kw)

    monkeypatch.setattr(store, "upsert_postings", sync_withdraws_first)
    _upload(store, path, closeDt="2027-01-31", title="매장 관리원 (재공고)")
    now = Store().posting("t:P1")
    assert now.withdrawn and now.title == "매장 관리원 (재공고)"
