"""The fifth disability-safety audit: ways a posting's exclusion is lost before the filters ever see it (the LLM
answer's wording, the LLM request's cut, the offline rules' reading) and a closing date read in the wrong year.
Each test fails against the code it was written for."""
from __future__ import annotations

import json
from datetime import date

import pytest
from test_extract import FakeOpenAI
from test_fourth_audit import corpus, shown

from core.data.normalize import VERDICT_UNKNOWN, parse_date
from core.data.records import Posting
from core.data.store import Store
from core.filters import FilterSettings
from core.llm.extract import extract_all, extract_posting
from core.llm.suitability import unsuitable_map

VISUAL = {"시각장애(경증)", "시각장애(중증)"}
DECLARED = "시각장애인 지원 불가"  # the employer's own words; no offline rule reads them


def _posting(**kw) -> Posting:
    base = dict(id="t:V", source="t", title="매장 관리원", company="(주)한빛", region="서울 강남구",
                jobCont=f"고객 응대와 매장 진열 정리 ({DECLARED})")
    return Posting(**{**base, **kw})


def _guarded(store: Store, posting_id: str, types: set[str]) -> bool:
    """The posting is kept from seekers of `types`: each is excluded, or its verdict is unknown (판정 없음)."""
    excluded = unsuitable_map(store).get(posting_id, frozenset())
    return types <= excluded or VERDICT_UNKNOWN in excluded


# ---------------------------------------------------------------- 1. an LLM exclusion in other words is dropped whole
SMALL_PRINT = "작은 글씨의 서류를 하루 종일 읽고 대조함"  # a danger the LLM reads and no offline rule does


@pytest.mark.parametrize("label, excluded", [("시각장애", VISUAL), ("시각 장애(중증)", {"시각장애(중증)"}),
                                             ("시각장애(심한 장애)", {"시각장애(중증)"}),
                                             ("시각장애(심하지 않은 장애)", VISUAL)])  # 경증 carries 중증 (with_severer)
def test_an_llm_exclusion_not_written_as_one_of_the_19_labels_is_not_lost(tmp_data, label, excluded):
    """The LLM excludes a type naming it without a grade (the text gives none), with a space, or by the post-2019
    grade word. The schema's Literal refused the whole answer, it was asked again and failed the same way, and
    since a rules answer is stored for the text the posting counted as settled: the exclusion the LLM found never
    reached the filter."""
    store = Store()
    posting = _posting(jobCont=SMALL_PRINT)
    store.upsert_postings([posting])
    extract_all(store, [posting], "rules")  # what setup / `python -m core extract` store first
    assert not VISUAL & unsuitable_map(store).get("t:V", frozenset())  # the rules see nothing here: the LLM's reading is all there is
    reply = json.dumps({"suitable_types": [], "unsuitable_types": [
        {"type": label, "reason": "작은 글씨를 하루 종일 읽어야 함", "evidence": SMALL_PRINT}]}, ensure_ascii=False)
    with FakeOpenAI(answer=lambda body: reply) as server:
        got = extract_posting(store, posting, "llm", server.config(retries=2))
    assert got["status"] == "ok", got["error"][:200]
    assert excluded <= unsuitable_map(store)["t:V"]


# ---------------------------------------------------------------- 2. what lies past the LLM request's cut is never read
def test_an_exclusion_past_the_llm_request_cut_is_not_lost(tmp_data):
    """The request is cut at `max_request_chars` (12,000) and the answer is stored as settled, with no mark that
    the model read only part of the text: a declared exclusion after a long 담당업무 (a field may hold 20,000
    characters) is never read by the LLM, and no offline rule reads it either."""
    duty = "고객 문의에 친절히 답하고 매장 진열을 정리합니다. " * 500  # ~14,000 characters, no rule fires
    posting = _posting(jobCont=duty, pfCond=DECLARED)
    store = Store()
    store.upsert_postings([posting])

    def judge(body):  # a model that excludes what it is shown, and nothing else
        seen = body["messages"][-1]["content"]
        unsuitable = [{"type": t, "reason": "고용주가 명시", "evidence": DECLARED} for t in sorted(VISUAL)] \
            if DECLARED in seen else []
        return json.dumps({"suitable_types": [], "unsuitable_types": unsuitable}, ensure_ascii=False)

    with FakeOpenAI(answer=judge) as server:
        got = extract_posting(store, posting, "llm", server.config())
    assert _guarded(store, "t:V", VISUAL), (got["status"], sorted(got["result"]), unsuitable_map(store).get("t:V"))


# ---------------------------------------------------------------- 3. the offline rules and the employer's own words
def test_the_offline_rules_read_an_employers_declared_exclusion(tmp_data):
    """Without an LLM (the default), a posting whose text says '청각장애인 지원 불가' is shown to a 청각장애 seeker:
    no rule reads a declared exclusion, only environment fields, duties and the 직종 code."""
    store, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "K1", "jobCont": "매장 진열 정리 (청각장애인 지원 불가)"}],
                              [{"id": "1", "disability_type": "청각장애", "disability_grade": "경증"}])
    assert "청각장애(경증)" in unsuitable_map(store).get("t:K1", frozenset())
    assert "t:K1" not in shown(engine, "s:1", FilterSettings())


def test_a_declared_heavy_lift_written_with_the_kg_symbol_still_excludes(tmp_data):
    """The fourth audit made '20kg'/'20KG' match ENV-LIFT-HEAVY; values are not NFKC-normalised, so the
    compatibility sign '㎏' (U+338F, common in Korean documents and HWP/Excel exports) and full-width '２０ｋｇ'
    still lose the employer's declared 지체장애(중증) / 내부장애 exclusion."""
    store, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "K1", "envLiftPower": "20㎏ 이상의 물건을 들 수 있음"},
                                         {"wantedAuthNo": "K2", "envLiftPower": "２０ｋｇ 이상"}],
                              [{"id": "1", "disability_type": "지체장애", "disability_grade": "중증"}])
    excluded = unsuitable_map(store)
    for pid in ("t:K1", "t:K2"):
        assert "지체장애(중증)" in excluded.get(pid, frozenset()), (pid, excluded.get(pid))
    assert not {"t:K1", "t:K2"} & set(shown(engine, "s:1", FilterSettings()))


# ---------------------------------------------------------------- 4. a closing date with its year after the day
def test_a_month_day_year_closing_date_keeps_its_own_year():
    """'12/31/2024' (an Excel export in a US locale) is read as month/day alone, and the year is guessed as the latest
    12/31 up to half a year ahead: read on 2026-12-03, a posting that closed two years ago stays open until
    2026-12-31 (and '03/15/2025' until 2027-03-15)."""
    today = date(2026, 12, 3)
    assert parse_date("12/31/2024", "closeDt", last=True, today=today) in ("2024-12-31", "")
    assert parse_date("03/15/2025", "closeDt", last=True, today=today) in ("2025-03-15", "")


# ---------------------------------------------------------------- 5. fields the extractors never read
def test_the_extractors_read_the_other_preference_field_beside_the_first(tmp_data):
    """`posting_source_text` writes ('우대조건', pfCond or etcPfCond): a 고용24 detail with both keeps only pfCond, so
    '지게차 운전 · 야간 교대근무' written in 기타 우대조건 (etcPfCond) is read by no rule and sent to no LLM (the models
    embed it: `Posting.text` has both). A 뇌전증장애 seeker is shown a forklift night-shift job."""
    store, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "K1", "pfCond": "컴퓨터 활용 가능자",
                                          "etcPfCond": "지게차 운전 가능자, 야간 교대근무 가능자"}],
                              [{"id": "1", "disability_type": "뇌전증장애", "disability_grade": "경증"}])
    assert "뇌전증장애(경증)" in unsuitable_map(store).get("t:K1", frozenset())
    assert "t:K1" not in shown(engine, "s:1", FilterSettings())


# ---------------------------------------------------------------- 6. a school not finished, written the usual ways
@pytest.mark.parametrize("written, held", [
    ("전문대학 중퇴", "HIGH"), ("4년제 대학 중퇴", "HIGH"), ("대학교 3학년 중퇴", "HIGH"), ("대학 2학년 재학", "HIGH"),
    ("석사과정 중퇴", "UNIVERSITY"), ("대학원 석사과정 수료", "UNIVERSITY")])
def test_a_school_left_is_read_as_the_diploma_below_however_it_is_written(written, held):
    """`_NOT_FINISHED` must follow the matched school word at once: '대학교 중퇴' holds 고졸, but '전문대학 중퇴' (the
    match is '전문대', then '학'), '4년제 대학 중퇴' (the match is '4년제'), '대학교 3학년 중퇴', '석사과정 중퇴' hold
    the full degree, and the seeker is shown postings that require it."""
    from core.data.normalize import Education, parse_education

    assert parse_education(written, holder=True) == Education[held]


def test_e2e_a_seeker_who_left_junior_college_is_not_shown_a_posting_requiring_it(tmp_data):
    store, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "K1", "minEdubg": "대졸(2~3년)"}],
                              [{"id": "1", "education": "전문대학 중퇴"}])
    assert "t:K1" not in shown(engine, "s:1", FilterSettings())


# ---------------------------------------------------------------- 7. a posting refusing 신입 is experienced-only
@pytest.mark.parametrize("text", ["신입 지원 불가", "경력 2년 이상 (신입 불가)", "신입 제외", "경력 (신입 제외)", "신입 안됨"])
def test_a_posting_that_refuses_newcomers_is_experienced_only(text):
    """The fourth audit read '무경력 불가' / '미경력자 불가' as experienced-only; '신입 불가' is not: alone it reads as
    신입-only ('신입' found, the refusal ignored), and beside '경력' as 관계없음, so a new seeker is shown it."""
    from core.data.normalize import parse_career

    assert parse_career(text).kind == "experienced", parse_career(text)


def test_e2e_a_new_seeker_is_not_shown_a_posting_that_refuses_newcomers(tmp_data):
    store, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "K1", "career": "경력 2년 이상 (신입 불가)"},
                                         {"wantedAuthNo": "K2", "career": "신입 지원 불가"}],
                              [{"id": "1", "career": "신입"}])
    assert not {"t:K1", "t:K2"} & set(shown(engine, "s:1", FilterSettings()))


@pytest.mark.parametrize("text", ["장애인 지원 불가", "시각장애인 우대", "청각장애인도 지원 가능", "시간장애 없음",
                                  "시각장애인의 경우 근무가 어렵지 않음", "청각장애인 근무 어려움 없음",
                                  "청각장애인의 경우 지원 가능"])
def test_the_declared_exclusion_rule_fires_only_on_a_named_type_refused(text):
    from core.llm.rules import extract_rules

    result, fired = extract_rules(_posting(jobCont=text))
    assert "TXT-DECLARED" not in fired and not result.unsuitable_types


@pytest.mark.parametrize("text, types", [
    ("시각·청각장애인 지원 불가", {"시각장애", "청각장애"}), ("시각, 청각장애 불가", {"시각장애", "청각장애"}),
    ("청각 및 언어장애인 지원 불가", {"청각장애", "언어장애"}), ("시각장애인·청각장애인 지원 불가", {"시각장애", "청각장애"}),
    ("시각장애인분 지원 불가", {"시각장애"}), ("자폐 장애인 채용 불가", {"자폐성장애"}),
    ("청각장애 제외 없음", set()), ("청각장애인 제외 대상 아님", set()), ("시각장애인 지원 불가 아님", set()),
    # the last read left these alone: a particle ('도', '의 경우'), a part of the type in brackets, '어렵다'
    ("청각장애인도 지원 불가", {"청각장애"}), ("청각장애인의 경우 지원 불가", {"청각장애"}),
    ("지체(하지)장애인 불가", {"지체장애"}), ("시각장애인은 채용이 어렵습니다", {"시각장애"}),
    ("시각장애인의 경우에는 근무가 어려움", {"시각장애"})])
def test_the_declared_exclusion_rule_reads_every_type_of_a_list_and_no_negation(text, types):
    """The diff review: a list excluded its last type only, and '제외 없음' excluded (for good: exclusions only add)."""
    from core.llm.rules import extract_rules

    result, _ = extract_rules(_posting(jobCont=text))
    assert {t.type.split("(")[0] for t in result.unsuitable_types} == types


def test_an_llm_suitable_grade_under_a_grade_less_exclusion_gives_way_and_the_grade_words_read():
    from core.llm.schema import PostingExtraction

    def judged(t: object) -> dict:
        return {"type": t, "reason": "근거", "evidence": "근거 구절"}

    both = PostingExtraction.model_validate({"unsuitable_types": [judged("시각장애"), judged("청각장애(1급)")],
                                             "suitable_types": [judged("시각장애(경증)"), judged("자폐")]})
    assert {t.type for t in both.unsuitable_types} == {"시각장애(경증)", "시각장애(중증)", "청각장애(중증)"}
    assert [t.type for t in both.suitable_types] == ["자폐성장애"]


def test_the_last_date_of_a_range_is_the_last_written_whatever_its_form():
    """The diff review: '2024-12-01~12/31/2024' read its first date as the end (one pattern was tried after the other)."""
    assert parse_date("2024-12-01~12/31/2024", "closeDt", last=True) == "2024-12-31"


@pytest.mark.parametrize("unsuitable, suitable", [(["시각장애(중증)"], ["시각장애"]),
                                                  (["시각장애(경증)", "시각장애(중증)"], ["시각장애"])])
def test_a_grade_less_suitable_gives_way_to_a_graded_exclusion(unsuitable, suitable):
    from core.llm.schema import PostingExtraction

    def judged(t: str) -> dict:
        return {"type": t, "reason": "근거", "evidence": "근거 구절"}

    answer = PostingExtraction.model_validate({"unsuitable_types": [judged(t) for t in unsuitable],
                                               "suitable_types": [judged(t) for t in suitable]})
    assert {t.type for t in answer.unsuitable_types} == set(unsuitable)
    assert not {t.type for t in answer.suitable_types} & set(unsuitable)
