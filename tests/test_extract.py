"""LLM extraction over real HTTP against a local OpenAI-compatible server, PII masking, offline rules,
and counselor corrections reaching the disability filter."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pydantic import ValidationError

from core.data.normalize import VERDICT_UNKNOWN
from core.data.records import Posting
from core.data.store import Store
from core.filters import FilterSettings
from core.llm.client import LLMConfig
from core.llm.extract import extract_posting
from core.llm.rules import cross_check, extract_rules, posting_source_text
from core.llm.schema import PostingExtraction, validate_answer
from core.llm.suitability import apply_correction, unsuitable_map
from core.text.pii import mask_pii

SECRET = "sk-test-SECRET-KEY-123456"


class FakeOpenAI:
    """Replays scripted answers: ('json', content) | ('sleep', seconds) | ('status', code); once the script is
    spent, `answer(request body) -> content` answers when given (a server that judges), else status 500.
    Records requests."""

    def __init__(self, script=(), answer=None):
        self.script = list(script)
        self.answer = answer
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"body": body, "auth": self.headers.get("Authorization")})
                if outer.script:
                    kind, value = outer.script.pop(0)
                else:
                    kind, value = ("json", outer.answer(body)) if outer.answer else ("status", 500)
                if kind == "raw":  # (status, headers, body bytes): anything a broken server may send
                    status, headers, raw = value
                    self.send_response(status)
                    for k, v in {"Content-Length": str(len(raw)), **headers}.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(raw)
                    return
                if kind == "sleep":
                    time.sleep(value)
                    kind, value = "json", "{}"
                if kind == "status":
                    self.send_response(value)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"error": {"message": "boom"}}')
                    return
                payload = {"id": "x", "object": "chat.completion", "created": 0, "model": body["model"],
                           "choices": [{"index": 0, "finish_reason": "stop",
                                        "message": {"role": "assistant", "content": value}}]}
                data = json.dumps(payload, ensure_ascii=False).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except BrokenPipeError:  # the client already timed out
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/v1"

    def config(self, timeout=5.0, retries=3, **kw) -> LLMConfig:
        return LLMConfig(model="test-model", base_url=self.url, api_key=SECRET, timeout=timeout, retries=retries,
                         backoff=0.01, **kw)


def sample_posting(**kw) -> Posting:
    base = dict(id="t:1", source="t", title="사무보조원 모집 (콜센터 아님)", company="(주)한빛", jobCont="문서 스캔 및 자료 입력",
                region="서울 강남구", envEyesight="아주 작은 글씨를 읽을 수 있음", envLiftPower="5Kg 이내",
                pfCond="담당자: 홍길동 과장 010-1234-5678, hong@hanbit.co.kr 로 이력서 송부",
                disableCvntl="경사로, 엘리베이터", basicAddr="서울특별시 강남구 테헤란로 516 5층")
    base.update(kw)
    return Posting(**base)


def answer(suitable=(), unsuitable=(), evidence="문서 스캔 및 자료 입력") -> str:
    j = lambda t: {"type": t, "reason": "근거", "evidence": evidence}  # noqa: E731
    return json.dumps({"제목": "사무보조원", "suitable_types": [j(t) for t in suitable],
                       "unsuitable_types": [j(t) for t in unsuitable]}, ensure_ascii=False)


def test_schema_rejects_out_of_list_types_and_hallucinated_evidence():
    with pytest.raises(ValidationError):
        PostingExtraction.model_validate(json.loads(answer(suitable=["보청장애(중증)"])))
    with pytest.raises(ValidationError):
        PostingExtraction.model_validate(json.loads(answer(suitable=["지체의 장애(중증)"])))
    # a graded type named without its grade means both grades (it used to fail the whole answer, exclusions included)
    both = PostingExtraction.model_validate(json.loads(answer(suitable=["지체장애"], unsuitable=["시각 장애(심한 장애)"])))
    assert [t.type for t in both.suitable_types] == ["지체장애(경증)", "지체장애(중증)"]
    assert [t.type for t in both.unsuitable_types] == ["시각장애(중증)"]
    with pytest.raises(ValidationError):
        PostingExtraction.model_validate(json.loads(answer(suitable=["지적장애"], unsuitable=["지적장애"])))
    text = posting_source_text(sample_posting())
    assert validate_answer(answer(suitable=["지체장애(경증)"]), text).suitable_types[0].type == "지체장애(경증)"
    with pytest.raises(ValueError, match="환각"):
        validate_answer(answer(suitable=["지체장애(경증)"], evidence="공고에 없는 문장"), text)


def test_pii_masking_rules():
    text = ("담당자: 홍길동 과장 010-1234-5678 / 02-555-1234, hong@hanbit.co.kr, 주민번호 900101-1234567, "
            "주소 서울특별시 강남구 테헤란로 516 5층, 경기 수원시 장안구 정자동 123-45")
    masked, counts = mask_pii(text)
    for secret in ("홍길동", "010-1234-5678", "02-555-1234", "hong@hanbit.co.kr", "900101-1234567", "516", "123-45"):
        assert secret not in masked, secret
    assert "서울특별시 강남구" in masked and "정자동" in masked  # kept down to 읍면동
    assert set(counts) >= {"전화번호", "이메일", "주민등록번호", "담당자", "상세주소"}


def test_llm_path_masks_pii_and_retries_malformed_then_succeeds(tmp_data):
    good = answer(suitable=["지체장애(중증)"], unsuitable=["시각장애(중증)"], evidence="아주 작은 글씨를 읽을 수 있음")
    with FakeOpenAI([("json", "{not json"), ("json", answer(suitable=["보청장애(중증)"])), ("json", good)]) as srv:
        store = Store()
        got = extract_posting(store, sample_posting(), "llm", srv.config())
    assert got["status"] == "ok"
    assert [t["type"] for t in got["result"]["unsuitable_types"]] == ["시각장애(중증)"]
    assert len(srv.requests) == 3
    sent = json.dumps(srv.requests[0]["body"], ensure_ascii=False)
    for secret in ("홍길동", "010-1234-5678", "hong@hanbit.co.kr", "테헤란로 516"):
        assert secret not in sent
    assert "[전화번호]" in sent and "[담당자]" in sent
    assert srv.requests[0]["body"]["response_format"]["type"] == "json_schema"
    assert srv.requests[0]["auth"] == f"Bearer {SECRET}"  # the key goes only to the server…
    assert SECRET not in json.dumps(got)  # …never into what is stored
    assert unsuitable_map(store)["t:1"] == frozenset({"시각장애(중증)"})


LONG_DANGER = "하루 종일 전화로 고객 민원을 응대함"


def judge_by_part(body: dict) -> str:
    """A server that reads what it was sent: the danger where it sees it, else a 'suitable' from the first part."""
    text = body["messages"][1]["content"]
    if LONG_DANGER in text:
        return answer(unsuitable=["청각장애(중증)"], evidence=LONG_DANGER)
    if "아주 작은 글씨를 읽을 수 있음" in text:
        return answer(suitable=["청각장애(중증)"], evidence="아주 작은 글씨를 읽을 수 있음")
    return answer()


def test_a_long_posting_is_read_in_parts_and_an_exclusion_past_the_first_part_counts(tmp_data):
    """A posting past one request's 12,000 characters used to be cut: a danger written near its end never reached
    the LLM, and the answer was stored as settled. It is read in parts; the exclusion wins over page one's
    'suitable', and the declared work environment (short lines) travels in the first part."""
    p = sample_posting(jobCont="문서 정리와 자료 입력 " * 1500 + LONG_DANGER)  # ~19,500 characters
    with FakeOpenAI(answer=judge_by_part) as srv:
        store = Store()
        got = extract_posting(store, p, "llm", srv.config())
    sent = [r["body"]["messages"][1]["content"] for r in srv.requests]
    assert got["status"] == "ok" and got["result"]["parts"] == len(sent) >= 2
    assert all(len(text) <= 12_000 for text in sent) and "아주 작은 글씨" in sent[0]
    assert "담당업무(이어서): " in "".join(sent[1:])  # a split line keeps its label
    assert {t["type"] for t in got["result"]["unsuitable_types"]} == {"청각장애(중증)"}
    assert got["result"]["suitable_types"] == [] and got["result"]["unread_chars"] == 0
    assert "청각장애(중증)" in unsuitable_map(store)["t:1"]


def test_what_lies_past_the_last_part_is_flagged_as_unread(tmp_data):
    p = sample_posting(jobCont="문서 정리와 자료 입력 " * 1500 + LONG_DANGER)
    with FakeOpenAI(answer=judge_by_part) as srv:
        got = extract_posting(Store(), p, "llm", srv.config(max_request_chars=5000, max_request_parts=2))
    assert len(srv.requests) == 2 and got["result"]["unread_chars"] > 9000 and got["status"] == "conflict"
    assert any("LLM이 읽지 않음" in flag for flag in got["result"]["flags"])


def test_a_part_without_an_answer_keeps_the_other_parts_exclusions_and_holds_the_posting_for_review(tmp_data):
    """One part of a long posting whose answer never validated used to fail the whole extraction: the danger another
    part's answer named was lost with it. Now the answered parts stand, their exclusions count, and the posting is
    held for review (its 'suitable' unproven), with a flag naming the part the LLM did not read."""
    p = sample_posting(jobCont="문서 정리와 자료 입력 " * 1500 + LONG_DANGER)

    def garbage_for_page_one(body: dict) -> str:
        return "이건 JSON이 아님" if "아주 작은 글씨" in body["messages"][1]["content"] else judge_by_part(body)

    with FakeOpenAI(answer=garbage_for_page_one) as srv:
        store = Store()
        got = extract_posting(store, p, "llm", srv.config(retries=2))
    assert got["status"] == "conflict" and got["result"]["failed_parts"] == 1
    assert {t["type"] for t in got["result"]["unsuitable_types"]} == {"청각장애(중증)"}
    assert any("LLM 응답을 받지 못해 읽지 않은 부분 1개" in flag for flag in got["result"]["flags"])
    assert "청각장애(중증)" in unsuitable_map(store)["t:1"]


def test_a_posting_whose_every_part_fails_is_recorded_as_failed(tmp_data):
    p = sample_posting(jobCont="문서 정리와 자료 입력 " * 1500 + LONG_DANGER)
    with FakeOpenAI(answer=lambda body: "이건 JSON이 아님") as srv:
        got = extract_posting(Store(), p, "llm", srv.config(retries=2))
    assert got["status"] == "failed" and "2회 시도 모두 실패" in got["error"]


def test_llm_timeouts_are_recorded_as_failed_never_as_truth(tmp_data):
    with FakeOpenAI([("sleep", 1.5)] * 3) as srv:
        store = Store()
        got = extract_posting(store, sample_posting(), "llm", srv.config(timeout=0.3, retries=3))
    assert got["status"] == "failed" and "Timeout" in got["error"] and "재시도 2회" in got["error"]
    assert len(srv.requests) == 3  # the setting bounds the cost: timeout × retries
    assert SECRET not in got["error"]
    # no disability type is taken from a failure: the posting carries only the unknown-verdict mark
    assert unsuitable_map(store)["t:1"] == frozenset({VERDICT_UNKNOWN})
    assert SECRET not in repr(srv.config())


def test_consistency_mode_stores_agreement(tmp_data):
    ev = "아주 작은 글씨를 읽을 수 있음"
    script = [("json", answer(unsuitable=["시각장애(중증)", "시각장애(경증)"], evidence=ev)),
              ("json", answer(unsuitable=["시각장애(중증)"], evidence=ev)),
              ("json", answer(unsuitable=["시각장애(중증)"], suitable=["지적장애"], evidence=ev))]
    with FakeOpenAI(script) as srv:
        got = extract_posting(Store(), sample_posting(), "llm", srv.config(), runs=3)
    agree = got["result"]["agreement"]
    assert agree["시각장애(중증)"]["unsuitable_types"] == 1.0
    assert agree["시각장애(경증)"]["unsuitable_types"] == pytest.approx(1 / 3, abs=1e-3)
    # an exclusion one run of three found is kept (exclusions only add up); a 'suitable' needs a majority
    assert {t["type"] for t in got["result"]["unsuitable_types"]} == {"시각장애(중증)", "시각장애(경증)"}
    assert got["result"]["suitable_types"] == []


def test_cross_check_flags_contradiction_with_declared_environment():
    p = sample_posting()
    llm = validate_answer(answer(suitable=["시각장애(중증)"], evidence="아주 작은 글씨를 읽을 수 있음"), posting_source_text(p))
    flags = cross_check(llm, p)
    assert flags and "시각장애(중증)" in flags[0] and "시력" in flags[0]


@pytest.mark.parametrize("fields, unsuitable, suitable, rule", [
    ({"envEyesight": "아주 작은 글씨를 읽을 수 있음"}, {"시각장애(중증)", "시각장애(경증)"}, set(), "ENV-EYE-FINE"),
    ({"envLiftPower": "20Kg 이상", "envStndWalk": "오랫동안 가능"}, {"지체장애(중증)", "내부장애(경증)"}, set(), "ENV-LIFT-HEAVY"),
    ({"jobCont": "인바운드 전화 상담"}, {"청각장애(중증)", "언어장애(경증)"}, set(), "TXT-PHONE"),
    ({"jobCont": "문서 스캔 및 자료 입력", "envStndWalk": "앉아서 작업 가능"}, set(), {"지체장애(중증)", "청각장애(경증)"}, "TXT-OFFICE"),
    ({"jobCont": "제품 포장 및 라벨 부착"}, set(), {"지적장애", "자폐성장애"}, "TXT-SIMPLE"),
    ({"jobCont": "1톤 화물차 납품 배송", "title": "화물차 운전원 모집"}, {"뇌전증장애(중증)", "시각장애(경증)"}, set(), "TXT-DRIVE"),
])
def test_offline_rules(fields, unsuitable, suitable, rule):
    p = Posting(id="r:1", source="r", title=fields.pop("title", "모집"), **fields)
    result, fired = extract_rules(p)
    assert rule in fired
    got_u = {t.type for t in result.unsuitable_types}
    got_s = {t.type for t in result.suitable_types}
    assert unsuitable <= got_u and suitable <= got_s and not (got_u & got_s)
    text = posting_source_text(p)
    for j in result.suitable_types + result.unsuitable_types:
        assert j.evidence in text and j.reason.startswith("[")


def test_unsuitable_wins_over_suitable_in_rules():
    p = Posting(id="r:2", source="r", title="사무 보조", jobCont="문서 입력", envStndWalk="오랫동안 가능")
    result, _ = extract_rules(p)
    assert "지체장애(중증)" in {t.type for t in result.unsuitable_types}
    assert "지체장애(중증)" not in {t.type for t in result.suitable_types}


def test_counselor_correction_changes_the_disability_filter(engine):
    seeker = next(s for s in engine.corpus.seekers.values() if s.disability_type)
    model = engine.model("tfidf")
    f = FilterSettings(distance=False, education=False, career=False)
    first = model.recommend(seeker, k=1, filters=f, explain=False).items[0].item_id
    apply_correction(engine.store, engine.corpus, first, seeker.disability_type, "unsuitable", "상담사 김", "현장 확인")
    after = [r.item_id for r in model.recommend(seeker, k=50, filters=f, explain=False).items]
    assert first not in after
    assert any(c["who"] == "상담사 김" for c in engine.store.corrections(first))
    apply_correction(engine.store, engine.corpus, first, seeker.disability_type, "suitable", "상담사 김", "재확인")
    assert first in [r.item_id for r in model.recommend(seeker, k=1, filters=f, explain=False).items]
    with pytest.raises(ValueError):
        apply_correction(engine.store, engine.corpus, first, seeker.disability_type, "unsuitable", " ", "")


# ---------------------------------------------------------------- safety: an LLM answer never lifts an exclusion
PHONE_POSTING = dict(id="t:phone", title="고객센터 전화 상담원 모집", jobCont="인바운드 전화 상담 및 민원 응대",
                     region="서울 강남구", envEyesight="", envLiftPower="", pfCond="", disableCvntl="")


def _seeker_sees(store, seeker, posting_id) -> bool:
    from core.models.engine import Engine

    engine = Engine.from_store(store)
    f = FilterSettings(distance=False, education=False, career=False)
    items = engine.model("tfidf").recommend(seeker, k=10, filters=f, explain=False).items
    return posting_id in {r.item_id for r in items}


@pytest.mark.parametrize("llm_answer", [
    answer(),  # valid, empty type lists
    answer(suitable=["청각장애(중증)"], evidence="인바운드 전화 상담 및 민원 응대"),  # valid, says the opposite
    answer(suitable=["청각장애(중증)"], evidence=":"),  # evidence that quotes nothing
    answer(suitable=["청각장애(중증)"], evidence="담당업무:"),  # only a field label
    "not json at all",
])
def test_llm_answer_never_lifts_a_rule_exclusion(tmp_data, llm_answer):
    from core.data.records import Seeker

    store = Store()
    posting = sample_posting(**PHONE_POSTING)
    other = sample_posting(id="t:office", title="사무보조원", jobCont="문서 스캔 및 자료 입력", pfCond="",
                           envEyesight="", envLiftPower="", disableCvntl="")
    store.upsert_postings([posting, other])
    seeker = Seeker(id="s:1", source="s", disability_type="청각장애(중증)", desired_job_name="전화 상담원",
                    desired_duties="전화 상담")
    store.upsert_seekers([seeker])
    assert extract_posting(store, posting, "rules")["status"] == "ok"
    assert "청각장애(중증)" in unsuitable_map(store)[posting.id]
    assert not _seeker_sees(store, seeker, posting.id)
    with FakeOpenAI([("json", llm_answer)] * 3) as server:
        extract_posting(store, posting, "llm", server.config(retries=3))
    assert "청각장애(중증)" in unsuitable_map(store)[posting.id]
    assert not _seeker_sees(store, seeker, posting.id)
    # only a counselor's correction lifts it
    apply_correction(store, None, posting.id, "청각장애(중증)", "suitable", "상담사 김", "현장 확인: 문자 상담")
    assert _seeker_sees(store, seeker, posting.id)


def test_evidence_must_be_a_meaningful_span():
    text = "제목: 고객센터 전화 상담원 모집\n담당업무: 인바운드 전화 상담"
    for bad in (":", "  ", "담당업무:", "제목", "a:"):
        with pytest.raises(ValueError):
            validate_answer(answer(unsuitable=["청각장애(중증)"], evidence=bad), text)
    assert validate_answer(answer(unsuitable=["청각장애(중증)"], evidence="전화 상담"), text).unsuitable_types


def test_no_backoff_after_the_last_attempt_and_failures_are_retried_later(tmp_data, monkeypatch):
    import core.llm.client as client

    sleeps = []
    monkeypatch.setattr(client.time, "sleep", sleeps.append)
    store = Store()
    with FakeOpenAI([("json", "not json at all")] * 3) as srv:
        got = extract_posting(store, sample_posting(), "llm", srv.config(retries=3))
    assert got["status"] == "failed" and len(srv.requests) == 3
    assert len(sleeps) == 2  # waits between re-asks only, none after the last
    with FakeOpenAI([("json", answer(unsuitable=["시각장애(중증)"]))]) as srv:  # a resumed run asks again
        got = extract_posting(store, sample_posting(), "llm", srv.config(retries=3))
    assert len(srv.requests) == 1 and got["status"] == "ok"


def test_retry_after_is_honoured(tmp_data):
    slow_down = ("raw", (429, {"Retry-After": "1", "Content-Type": "application/json"}, b'{"error": {"message": "slow"}}'))
    with FakeOpenAI([slow_down, ("json", answer(unsuitable=["시각장애(중증)"]))]) as srv:
        start = time.monotonic()
        got = extract_posting(Store(), sample_posting(), "llm", srv.config())
        waited = time.monotonic() - start
    assert got["status"] == "ok" and len(srv.requests) == 2
    assert waited >= 0.95  # without the header the client's first backoff is at most 0.5 s


def test_oversized_answers_are_refused_and_never_stored(tmp_data):
    huge = answer(unsuitable=["시각장애(중증)"])[:-1] + ', "담당업무": "' + "가" * 1_000_000 + '"}'
    store = Store()
    with FakeOpenAI([("json", huge)] * 3) as srv:
        got = extract_posting(store, sample_posting(), "llm", srv.config(max_response_bytes=64 * 1024))
    assert got["status"] == "failed" and "너무 큼" in got["error"]
    stored = store.query("SELECT length(coalesce(result, '')) + length(coalesce(error, '')) FROM extractions")[0][0]
    assert stored < 4096


def test_a_200_reply_that_is_not_json_is_an_invalid_answer_and_the_run_goes_on(tmp_data):
    from core.llm.extract import extract_all

    html = ("raw", (200, {"Content-Type": "application/json"}, b"<html>gateway says hello</html>"))
    store = Store()
    second = sample_posting(id="t:2", jobCont="문서 스캔 및 자료 입력 (두 번째 공고)")
    with FakeOpenAI([html] * 3 + [("json", answer(unsuitable=["시각장애(중증)"]))]) as srv:
        counts = extract_all(store, [sample_posting(), second], "llm", srv.config())
    assert counts == {"ok": 1, "conflict": 0, "failed": 1}
    failed = store.query("SELECT error FROM extractions WHERE status='failed'")[0][0]
    assert "JSON이 아님" in failed


def test_an_invalid_key_stops_the_run_cleanly_with_where_to_resume(tmp_data):
    from core.llm.extract import extract_all

    denied = ("raw", (401, {"Content-Type": "application/json"},
                      json.dumps({"error": {"message": f"Incorrect API key provided: {SECRET}"}}).encode()))
    store = Store()
    postings = [sample_posting(id=f"t:{i}", jobCont=f"자료 입력 {i}") for i in range(3)]
    with FakeOpenAI([denied] * 5) as srv:
        counts = extract_all(store, postings, "llm", srv.config())
    assert counts["resume_at"] == 1 and "키" in counts["stopped"] and len(srv.requests) == 1
    assert SECRET not in counts["stopped"] and SECRET not in json.dumps(store.query("SELECT error FROM extractions"))
