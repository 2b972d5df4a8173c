"""The seventh audit: bad input (files, uploads, sync pages, settings, LLM replies) must be a clear Korean error naming
the row and field, and must never lose, close or overwrite what is stored. Each test fails against the code it was
written for."""
from __future__ import annotations

import json
from datetime import date

import httpx
import pytest
from fake_apis import FakeApis, worknet_records
from test_fourth_audit import BASE_POSTING, BASE_SEEKER, write_csv

from core.data.ingest import IngestError, ingest_file
from core.data.store import Store
from core.sync import Api, sync

TODAY = date(2026, 11, 24)


# ---------------------------------------------------------------- 1. seekers without an id are one record
def test_seekers_without_an_id_are_never_merged_into_one_and_never_overwrite_another_person(tmp_data):
    """`_key_from` (core/data/formats.py) falls back to a hash of busplaName|jobNm|regDt|title|company, posting
    fields a seeker row never has: every seeker row without an id gets the same key, sha1('||||'). In one file the
    later row overwrites the earlier (a 시각장애(중증) seeker is replaced by another person); a later upload of a
    different person, in another city, silently 'updates' the stored one (report: 갱신 1, no notice)."""
    write_csv(tmp_data / "a.csv", [{**BASE_SEEKER, "desired_job_name": "매장 관리원", "disability_type": "시각장애",
                                    "disability_grade": "중증"},
                                   {**BASE_SEEKER, "desired_job_name": "경비원"}])
    write_csv(tmp_data / "b.csv", [{**BASE_SEEKER, "desired_job_name": "청소원", "desired_region": "부산 해운대구"}])
    store = Store()
    report = ingest_file(store, tmp_data / "a.csv", "seekers-csv")
    stored = {s.id: (s.desired_job_name, s.disability_type, s.place.sigungu) for s in store.seekers()}
    refused = {r.row_no for r in report.rejects if not r.reason.startswith(("알림", "미배치"))}
    assert len(stored) + len(refused) == 2, (stored, [(r.row_no, r.field, r.reason) for r in report.rejects])
    ingest_file(store, tmp_data / "b.csv", "seekers-csv")
    after = {s.id: (s.desired_job_name, s.disability_type, s.place.sigungu) for s in store.seekers()}
    assert all(after.get(i) == v for i, v in stored.items()), (stored, after)


# ---------------------------------------------------------------- 2. an API error page read as 'the list ended'
KEAD_RECORD = {"busplaName": "한빛복지관", "jobNm": "사무 보조원", "compAddr": "서울특별시 마포구 월드컵로 1", "salary": "2,100,000",
               "salaryType": "월급", "reqEduc": "무관", "reqCareer": "무관", "termDate": "2026-11-01~2026-12-31"}


def _kead_page(request: httpx.Request) -> httpx.Response:
    items = [{**KEAD_RECORD, "rno": str(i)} for i in range(3)] if request.url.params["pageNo"] == "1" else []
    return httpx.Response(200, text=json.dumps({"response": {"header": {"resultCode": "00"},
                                                             "body": {"items": {"item": items}, "totalCount": 3}}}))


@pytest.mark.parametrize("body", [
    '{"resultCode":"99","resultMsg":"SERVICE ERROR"}',  # data.go.kr's error outside response.header
    '{"response":{"header":{"resultCode":"00"},"body":{"items":"","totalCount":3}}}',  # total says 3, page holds none
])
def test_a_kead_error_or_empty_first_page_withdraws_nothing(tmp_data, body):
    """`refusal` (core/sync/apis.py) reads a JSON resultCode only under response.header; any other 200 body that
    holds no record makes `parse_json_records` raise '레코드 목록을 찾지 못했습니다', which `sync` (core/sync/run.py)
    takes for 'an empty page: the list has ended' (it matches '찾지 못했습니다'), sets `whole` and withdraws every
    open posting of the source: one error reply from the API takes every KEAD posting out of every list."""
    store = Store()
    api = Api("kead", "http://api.test/kead", "KEY-1234567", 100, "", 1.0, 1)
    assert sync(store, api, today=TODAY, client=httpx.Client(transport=httpx.MockTransport(_kead_page))).new == 3
    report = sync(store, api, today=TODAY,
                  client=httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, text=body))))
    assert report.withdrawn == 0 and not any(p.withdrawn for p in store.postings("kead")), report.summary()
    assert report.stopped, report.summary()


@pytest.mark.parametrize("body", [
    "<OpenAPI_ServiceResponse><cmmMsgHeader><errMsg>SERVICE ERROR</errMsg><returnAuthMsg>"
    "SERVICE_KEY_IS_NOT_REGISTERED_ERROR</returnAuthMsg></cmmMsgHeader></OpenAPI_ServiceResponse>",
    '<?xml version="1.0" encoding="UTF-8"?><wantedRoot><error>인증키가 유효하지 않습니다</error></wantedRoot>',
    "<html><body><p>서비스 점검 중입니다</p></body></html>",
    '<?xml version="1.0"?><wantedRoot><total>3</total><startPage>1</startPage><display>100</display></wantedRoot>',
])
def test_a_worknet_error_or_empty_first_page_withdraws_nothing(tmp_data, body):
    """The same for 고용24: an error reply without <returnReasonCode>/<messageCd>, a well-formed maintenance page, or
    a first page with <total>3</total> and no <wanted> raises '<wanted> … 요소가 없습니다', read as the end of the
    list ('없습니다'): every stored worknet posting is withdrawn."""
    store = Store()
    with FakeApis(worknet_records(3, TODAY)) as srv:
        api = srv.api("worknet")
        assert sync(store, api, today=TODAY).new == 3
        report = sync(store, api, today=TODAY,
                      client=httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, text=body))))
    assert report.withdrawn == 0 and not any(p.withdrawn for p in store.postings("worknet")), report.summary()
    assert report.stopped, report.summary()


# ---------------------------------------------------------------- 3. XLSX: a column name given twice
def test_an_xlsx_with_a_column_name_given_twice_is_refused_like_a_csv(tmp_data):
    """`read_table` refuses a CSV whose header names a column twice ('어느 열을 쓸지 알 수 없어 읽지 않습니다');
    `_read_xlsx` (core/data/readers.py) builds `dict(zip(header, values))`, so the last 'region' silently wins: the
    posting is placed in 부산 (the distance filter reads that place) and nothing in the report says so."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["wantedAuthNo", "title", "company", "region", "region", "minEdubg", "career"])
    ws.append(["K1", "매장 관리원", "(주)한빛", "서울 강남구", "부산 해운대구", "학력무관", "관계없음"])
    wb.save(tmp_data / "dup.xlsx")
    (tmp_data / "dup.csv").write_text("wantedAuthNo,title,company,region,region,minEdubg,career\n"
                                      "K1,매장 관리원,(주)한빛,서울 강남구,부산 해운대구,학력무관,관계없음\n", encoding="utf-8")
    store = Store()
    with pytest.raises(IngestError, match="같은 열 이름"):
        ingest_file(store, tmp_data / "dup.csv", "csv")
    with pytest.raises(IngestError, match="같은 열 이름"):
        ingest_file(store, tmp_data / "dup.xlsx", "csv")
    assert store.posting("csv:K1") is None


# ---------------------------------------------------------------- 4. a number too large for int(): a crash, not a reject
@pytest.mark.parametrize("fmt, row, field", [
    ("csv", {"wantedAuthNo": "K1", "title": "매장 관리원", **BASE_POSTING, "salTpNm": "월급", "sal": "9" * 400}, "sal"),
    ("kead-seekers", {"연번": "1", "구직등록일": "2025-01-01", "연령": "1e400", "희망지역": "서울 강남구", "희망직종": "경비원",
                      "희망임금": "(시급)10030", "장애유형": "지적장애", "중증여부": "중증", "기관분류": "공단"}, "연령"),
])
def test_a_number_too_large_is_a_row_reject_not_a_crash(tmp_data, fmt, row, field):
    """`_monthly` (core/data/normalize.py: int(round(inf × factor))) and `_age_band` (core/data/formats.py:
    int(float('1e400')), catching only ValueError) raise OverflowError, which `iter_records` does not catch (FieldError
    only): ingest, the upload preview and a sync page all crash. The upload panel catches ValueError/IngestError
    only, so the counselor sees a traceback; `python -m core ingest` prints one; and in a file past 2,000 rows the
    batches before it are already stored, the ingest logged as cut short."""
    from core.views.upload import preview

    write_csv(tmp_data / "f.csv", [row])
    raw, parsed = preview(tmp_data / "f.csv", fmt)
    assert parsed.iloc[0]["결과"] == "거부"
    report = ingest_file(Store(), tmp_data / "f.csv", fmt)
    assert [r.field for r in report.rejects if not r.reason.startswith("알림")] in ([field], ["age_band"], ["salary"])


# ---------------------------------------------------------------- 5. API base URLs from settings
@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://169.254.169.254/latest/meta-data/",
                                 "https://user:pw@apis.example.org/x", "http://[::1"])
def test_a_hostile_or_broken_api_url_is_refused_before_any_request_in_korean(tmp_data, url):
    """`api_for`/`Api`/`get` (core/sync/apis.py) send whatever URL the settings hold: the key goes to the cloud
    metadata address (169.254.169.254) or to a URL carrying someone's credentials; 'file://' stops with
    'UnsupportedProtocol (N회 시도 후)' after the retries; and 'http://[::1' raises httpx.InvalidURL out of `sync`
    (not an ApiError): `python -m core sync` prints a traceback and the sync state stays 'running'.
    (A mock transport stands in for the network where a request would leave this machine.)"""
    sent = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(str(request.url))
        return httpx.Response(200, text="{}")

    store = Store()
    api = Api("kead", url, "KEY-1234567", 100, "", 1.0, 1)
    client = httpx.Client(transport=httpx.MockTransport(handler)) if url.startswith("http") and "[" not in url else None
    report = sync(store, api, today=TODAY, client=client)
    assert not sent, sent
    assert report.stopped and "주소" in report.stopped, report.stopped
    assert store.sync_state("kead")["status"] != "running"


# ---------------------------------------------------------------- 6. LLM: a type of the wrong shape
@pytest.mark.parametrize("written", [["시각장애(중증)"], {"type": "시각장애(중증)"}])
def test_an_llm_type_of_the_wrong_shape_is_an_invalid_answer_not_a_type_error(written):
    """`names_a_type_list` (core/llm/schema.py) uses each answer's 'type' as a dict key (`kept.setdefault(label, …)`):
    a list or an object there raises TypeError ('unhashable type'), which `ask_validated` does not treat as an
    invalid answer: the posting is not asked again, and its failure reads "TypeError: unhashable type: 'list'"."""
    from core.llm.schema import validate_answer

    answer = {"unsuitable_types": [{"type": written, "reason": "운전", "evidence": "1톤 트럭 운전"}]}
    with pytest.raises(ValueError):
        validate_answer(json.dumps(answer, ensure_ascii=False), "제목: 배송 기사\n담당업무: 1톤 트럭 운전 및 물품 배송")


# ---------------------------------------------------------------- 7. an API record without its key
def test_a_worknet_record_without_its_key_is_rejected_naming_the_field(tmp_data):
    """`_key_from("wantedAuthNo")` (core/data/formats.py) falls back to a hash of busplaName|jobNm|regDt|title|company
    for any format: a 고용24 list record whose <wantedAuthNo> is missing is stored as 'worknet:<hash>' (a sync then
    asks the detail API for that hash and stores a second reject, '구인제목이 없음'), and two such records of one
    company and title merge into one. The 고용24 and KEAD formats carry their key in every record."""
    (tmp_data / "w.xml").write_text(
        "<wantedRoot><wanted><wantedAuthNo>K1</wantedAuthNo><title>매장 관리원</title><company>(주)한빛</company>"
        "<region>서울 강남구</region><minEdubg>학력무관</minEdubg><career>관계없음</career></wanted>"
        "<wanted><title>경비원</title><company>(주)한빛</company><region>서울 강남구</region><minEdubg>학력무관</minEdubg>"
        "<career>관계없음</career></wanted></wantedRoot>", encoding="utf-8")
    store = Store()
    report = ingest_file(store, tmp_data / "w.xml", "worknet-xml")
    assert [p.id for p in store.postings()] == ["worknet:K1"]
    assert [(r.row_no, r.field) for r in report.rejects if not r.reason.startswith("알림")] == [(2, "wantedAuthNo")]


# ---------------------------------------------------------------- the second diff review of the sync fixes
def _kead_pages(pages: dict[str, list[str]], total: int):
    """A KEAD server whose page N lists the records named in pages[N] (each keyed by its rno)."""
    def handler(request: httpx.Request) -> httpx.Response:
        items = [{**KEAD_RECORD, "busplaName": f"한빛{r}", **({"rno": r} if r else {})}
                 for r in pages.get(request.url.params["pageNo"], [])]
        return httpx.Response(200, text=json.dumps({"response": {"header": {"resultCode": "00"},
                                                                 "body": {"items": {"item": items}, "totalCount": total}}},
                                                   ensure_ascii=False))
    return httpx.Client(transport=httpx.MockTransport(handler))


def test_a_listed_row_without_its_key_is_rejected_and_the_sync_goes_on(tmp_data):
    store = Store()
    api = Api("kead", "http://api.test/kead", "KEY-1234567", 100, "", 1.0, 1)
    report = sync(store, api, today=TODAY, client=_kead_pages({"1": ["1", ""]}, 2))
    assert not report.stopped and report.new == 1 and report.rejected_rows == 1, report.summary()
    assert store.sync_state("kead")["status"] == "done"


def test_a_list_that_says_it_is_empty_withdraws_nothing_and_says_so(tmp_data):
    store = Store()
    api = Api("kead", "http://api.test/kead", "KEY-1234567", 100, "", 1.0, 1)
    assert sync(store, api, today=TODAY, client=_kead_pages({"1": ["1", "2"]}, 2)).new == 2
    report = sync(store, api, today=TODAY, client=_kead_pages({}, 0))
    assert report.withdrawn == 0 and "0건" in report.incomplete and not report.stopped, report.summary()


def test_a_posting_listed_twice_while_the_list_shifts_does_not_count_for_one_that_was_missed(tmp_data):
    """Five postings, pages of two: the second run's pages hold A B / B D / E (C slipped between pages). Counting rows,
    five equalled the total and C was withdrawn though still listed; distinct postings are four."""
    store = Store()
    api = Api("kead", "http://api.test/kead", "KEY-1234567", 2, "", 1.0, 1)
    sync(store, api, today=TODAY, client=_kead_pages({"1": ["A", "B"], "2": ["C", "D"], "3": ["E"]}, 5))
    report = sync(store, api, today=TODAY, client=_kead_pages({"1": ["A", "B"], "2": ["B", "D"], "3": ["E"]}, 5))
    assert report.withdrawn == 0 and not store.posting("kead:C").withdrawn and "4건" in report.incomplete


# ---------------------------------------------------------------- redirects the sync's own client follows
@pytest.mark.parametrize("location", ["http://apis.example.org/list", "https://169.254.169.254/latest/meta-data/"])
def test_a_redirect_down_to_http_or_to_a_metadata_address_is_not_followed(tmp_data, location):
    """The client a sync builds (`api_client`) follows redirects: one from https to plain http sent the key (in the
    query) in clear, and that check, like the metadata one, had no test. Neither request leaves; the run stops."""
    from core.sync.apis import api_client

    sent = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(str(request.url))
        if request.url.host == "apis.example.org" and request.url.scheme == "https":
            return httpx.Response(302, headers={"Location": location + "?serviceKey=KEY-1234567"})
        return httpx.Response(200, text="{}")

    store = Store()
    api = Api("kead", "https://apis.example.org/list", "KEY-1234567", 100, "", 1.0, 1)
    report = sync(store, api, today=TODAY, client=api_client(httpx.MockTransport(handler)))
    assert [u.split("?")[0] for u in sent] == ["https://apis.example.org/list"], sent
    assert report.stopped and "리디렉션" in report.stopped and "KEY-1234567" not in report.stopped, report.stopped
    assert store.sync_state("kead")["status"] != "running"
