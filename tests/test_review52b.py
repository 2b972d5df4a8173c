"""Review 52b of 03d8abe..HEAD: each test fails on HEAD; its docstring says what a counselor or seeker would see."""
from __future__ import annotations

from datetime import date

import pytest

from core.data.normalize import Education, FieldError, parse_date, parse_education
from core.data.records import Posting
from core.data.store import Store
from core.llm.extract import extract_all, extract_posting
from core.llm.rules import extract_rules
from tests.test_extract import LONG_DANGER, FakeOpenAI, answer, judge_by_part, sample_posting

HEARING = {"청각장애(경증)", "청각장애(중증)"}


def _excluded(text: str) -> set[str]:
    p = Posting(id="r:1", source="r", title="사무보조원 모집", company="(주)한빛", jobCont="문서 정리", region="서울 강남구",
                pfCond=text)
    result, _ = extract_rules(p)
    return {j.type for j in result.unsuitable_types}


# ------------------------------------------------------------------ (a) TXT-DECLARED: new false exclusions
@pytest.mark.parametrize("text", [
    "청각장애인 채용 제한을 두지 않습니다",  # 'we set no restriction on hiring deaf people'
    "시각·청각장애인 채용 제한을 두지 않습니다",
    "청각장애인 채용 제한 사항 없음",
    "청각장애인 부적합 직무 없음",  # 'no duty here is unsuitable for deaf people'
    "청각장애인 근무 곤란한 경우 직무 조정",  # an accommodation offer
])
def test_an_employer_saying_it_does_not_restrict_a_type_is_not_read_as_refusing_it(text):
    """The widened TXT-DECLARED reads '제한' / '부적합' / '곤란' as a refusal, and its negation look-ahead only sees a
    negation written right after the word: '채용 제한을 두지 않습니다' (the usual way to say 'no restriction'),
    '제한 사항 없음', '부적합 직무 없음' and an accommodation offer ('근무 곤란한 경우 직무 조정') now exclude the
    type at both grades, so every deaf seeker loses a posting that expressly welcomes them (at 03d8abe: nothing)."""
    assert not (_excluded(text) & HEARING)


# ------------------------------------------------------------------ (a) refusals still missed
@pytest.mark.parametrize("text", [
    "청각장애인은 지원 안 됩니다",
    "청각장애인은 지원하실 수 없습니다",  # the polite form of the README's '지원할 수 없습니다'
    "청각장애가 있는 분은 지원이 어렵습니다",
])
def test_an_employer_s_common_refusal_excludes_the_type(text):
    """Refusals as common as the ones the diff added still fire nothing: '안 됩니다' (only '안됨' is read), the
    honorific '지원하실 수 없습니다', and '…장애가 있는 분은' (only '…를 가진 분' is read). Without an LLM the posting
    stays listed for the deaf seeker its employer refused."""
    assert HEARING <= _excluded(text)


# ------------------------------------------------------------------ (b) parse_education regressions
@pytest.mark.parametrize("value", ["대졸 (3학년 편입)", "대학교 3학년 편입 졸업", "대학교 2학년 편입 후 졸업",
                                   "대학 4학년 (졸업)"])
def test_a_graduate_whose_record_names_a_year_of_study_keeps_the_degree(value):
    """The new '\\d학년' reading of _NOT_FINISHED (normalize.py) takes any year of study after a school word as
    'still studying' unless '졸업' follows at once: a transfer graduate ('대졸 (3학년 편입)') or '대학 4학년 (졸업)'
    now holds 고졸, and every posting asking 대졸 is hidden from them (at 03d8abe: 대졸)."""
    assert parse_education(value, holder=True) == Education.UNIVERSITY


# ------------------------------------------------------------------ (b) parse_date: a Korean day typo read as a far year
@pytest.mark.parametrize("value, wrong", [("25/06/31", "2031-06-25"), ("24/02/30", "2030-02-24"),
                                          ("24/06/01 ~ 24/06/31", "2031-06-24")])
def test_a_korean_closing_date_with_an_impossible_day_is_not_read_as_a_day_first_date_years_ahead(value, wrong):
    """'25/06/31' (yy/mm/dd, a month-end typed as the 31st) is no calendar date; the new 2-digit _MONTH_DAY_YEAR
    then reads it day-first (d/m/yy, which no Excel US export writes) as 2031-06-25. A posting that closed in June
    2025 is listed as open for six more years (at 03d8abe: a FieldError, the row reported)."""
    try:
        got = parse_date(value, "closeDt", last=True, today=date(2025, 7, 1))
    except FieldError:
        return
    assert got != wrong


# ------------------------------------------------------------------ (c) partial-part LLM path
def test_a_part_lost_to_a_passing_server_error_is_asked_again_on_the_next_run(tmp_data):
    """A part that got a 500 (a server down for a moment) used to fail the posting, and the next batch asked it
    again ('failures are asked again'). Now the posting is stored as 'conflict' with that part unread, and
    extract_all/extract_posting return the cached answer forever: the danger the LLM would read in that part (here
    a phone-duty line no rule reads) never becomes an exclusion, and the deaf seeker keeps seeing the posting."""
    p = sample_posting(jobCont="문서 정리와 자료 입력 " * 1500 + LONG_DANGER)
    first = answer(suitable=["청각장애(중증)"], evidence="아주 작은 글씨를 읽을 수 있음")
    store = Store()
    with FakeOpenAI(script=[("json", first), ("status", 500)]) as down:
        extract_all(store, [p], "llm", down.config(retries=1))  # HEAD stores a 'conflict'; 03d8abe a failure
    with FakeOpenAI(answer=judge_by_part) as up:
        again = extract_posting(store, p, "llm", up.config(retries=1))
    assert "청각장애(중증)" in {t["type"] for t in again["result"]["unsuitable_types"]}


def test_with_several_runs_a_part_one_run_could_not_read_still_holds_the_posting_for_review(tmp_data):
    """runs > 1: _extract reads `failed_parts` from the last run's meta only. When an earlier run lost a part, the
    answer is stored as settled ('ok'), with no flag and failed_parts 0, though the suitable majority counted a
    run that never read that part; the README promises such a posting is held for review and flagged."""
    p = sample_posting(jobCont="문서 정리와 자료 입력 " * 1500 + LONG_DANGER)
    seen = {"danger": 0}

    def garbage_once_for_the_danger_part(body: dict) -> str:
        if LONG_DANGER in body["messages"][1]["content"]:
            seen["danger"] += 1
            if seen["danger"] == 1:
                return "이건 JSON이 아님"
        return judge_by_part(body)

    with FakeOpenAI(answer=garbage_once_for_the_danger_part) as srv:
        got = extract_posting(Store(), p, "llm", srv.config(retries=1), runs=2)
    assert got["status"] == "conflict" and got["result"]["failed_parts"] >= 1
    assert any("LLM 응답을 받지 못해" in flag for flag in got["result"]["flags"])
