"""Diff review (helper, session 51) of 8e4589d..1a7f346 (TXT-DECLARED, one grade reader, sync client, auto-coding, counselor views).

Each test fails against HEAD and says what a counselor or a seeker sees. Small records only, no ../shared."""
from __future__ import annotations

import pytest
from test_fourth_audit import corpus, shown

from core.data.records import Posting, Seeker
from core.filters import FilterSettings


def _posting(**kw) -> Posting:
    base = dict(id="t:V", source="t", title="매장 관리원", company="(주)한빛", region="서울 강남구")
    return Posting(**{**base, **kw})


def _excluded(text: str) -> set[str]:
    from core.llm.rules import extract_rules

    result, _ = extract_rules(_posting(jobCont=text))
    return {t.type.split("(")[0] for t in result.unsuitable_types}


# ---------------------------------------------------------------- 1. TXT-DECLARED: new particles read negations as refusals
@pytest.mark.parametrize("text", [
    "청각장애인도 채용 제외 대상이 아닙니다",        # '도' is new; '대상\\s*아' misses '대상이 아닙니다'
    "시각장애인의 경우 채용이 어렵지는 않습니다",    # '어렵' is new; the negation look-ahead reads '지 않' only
    "시각장애인도 지원이 어렵진 않습니다",
    "청각장애인도 근무 어려움이 없습니다",           # '어려움' is new; '이' before '없' hides the negation
    "청각장애인도 제외되지 않습니다",                # '도' is new; '되지 않' is no negation to the rule
])
def test_declared_rule_does_not_read_a_new_particle_s_negation_as_a_refusal(text):
    """1172dfa taught TXT-DECLARED '…장애인도', '…의 경우', '어렵/어려움', but the negation look-ahead still only
    knows '없', '아님', '대상 아', '(능)하지 않', '지 않' directly after the keyword. An employer who writes
    '청각장애인도 채용 제외 대상이 아닙니다' (deaf applicants are welcome) now gets 청각장애 excluded at both grades,
    and exclusions only add up (README), so no later text lifts it: a deaf seeker is never shown the posting that
    invited them. Before 1172dfa none of these five texts matched ('도' and '어렵' were not read)."""
    assert _excluded(text) == set(), text


def test_a_deaf_seeker_is_shown_a_posting_that_says_deaf_applicants_are_not_excluded(tmp_data):
    """End to end: the posting says '청각장애인도 채용 제외 대상이 아닙니다'; the deaf seeker's list does not hold it."""
    _, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "K1", "region": "서울 서초구",
                                      "jobCont": "매장 진열 정리. 청각장애인도 채용 제외 대상이 아닙니다."}],
                          [{"id": "1", "desired_region": "서울 강남구", "disability_type": "청각장애",
                            "disability_grade": "중증"}])
    assert "t:K1" in shown(engine, "s:1", FilterSettings())


# ---------------------------------------------------------------- 2. forms the commit message names that do not fire
@pytest.mark.parametrize("text, types", [
    ("시각장애(중증) 지원 불가", {"시각장애"}), ("시각장애 1급 불가", {"시각장애"}),  # what 1172dfa meant by '(중증)/1급'
    ("시각장애인 분들은 지원이 어렵습니다", {"시각장애"}),  # '…분들은' with the dependent noun spaced (표준 띄어쓰기)
    ("청각장애인의 경우에도 지원 불가", {"청각장애"}),     # '…의 경우' + '에도'
])
def test_declared_rule_reads_the_forms_its_commit_names(text, types):
    """1172dfa says TXT-DECLARED now reads '시각장애(중증)/1급 불가' and '…분들은'. The first, as written, fires
    nothing ('/1급' is neither a grade after '(중증)' nor another type), and '분들' only counts glued to '장애인'
    ('장애인분들은'), while standard spacing writes '장애인 분들은'. The employer's refusal is lost: a blind seeker is
    shown the posting that said blind applicants are refused (no other rule quotes it)."""
    assert _excluded(text) == types, text


# ---------------------------------------------------------------- 3. '경력 경력' fixed on the sheet only
def test_the_blind_judging_card_does_not_print_career_twice():
    """74582e2 fixed '경력 경력 3년 이상' on the seeker's A4 sheet with an inline `startswith('경력')`, but the blind
    judging card (core/views/judging.py) still writes f'경력 {career_label}', so the analyst's card reads
    '경력 경력 3년 이상' (posting) and '경력 경력 5년 이상' (seeker); llm_judge's prompt does the same. One
    career phrase (like education_phrase) would serve all three."""
    from core.views.judging import judging_card

    seeker = Seeker(id="s:1", source="s", career_kind="experienced", career_months=60, desired_job_name="조리사")
    posting = _posting(career_kind="experienced", career_months=36)
    assert posting.career_label == "경력 3년 이상"
    assert "경력 경력" not in judging_card(seeker, posting)["조건"], judging_card(seeker, posting)["조건"]
    assert "경력 경력" not in judging_card(posting, seeker)["조건"], judging_card(posting, seeker)["조건"]


# ---------------------------------------------------------------- 4. an analyst's code no longer guards anyone
def test_an_analyst_confirmed_driving_code_still_guards_a_blind_seeker():
    """1a7f346: rules.occupation_label reads `official_code` only, so neither a W-BERT guess nor an analyst's
    reviewed code reaches the OCC-* rules. A KEAD/uploaded posting with no code whose job an analyst confirmed as
    운전·운송 (079) used to be excluded for 시각장애/뇌전증장애 (OCC-DRIVE); now it is not, and a blind seeker is
    shown it unless the text happens to say '운전원'. A design call (README: 'never speaks for a disability verdict'),
    but it loosens a hard filter for disabled seekers, and for a human-confirmed code, not just a guess."""
    from core.llm.rules import extract_rules

    p = _posting(title="배송 업무", jobCont="물품 배송", occupation="079", occupation_source="reviewed")
    result, fired = extract_rules(p)
    assert "OCC-DRIVE" in fired, fired
    assert any(t.type.startswith("시각장애") for t in result.unsuitable_types)


# ---------------------------------------------------------------- 5. a ninth-audit test that passes without its fix
def test_a_wage_range_s_monthly_part_does_not_repeat_one_number():
    """tests/test_ninth_audit.py::test_a_wage_range_does_not_read_as_the_same_number_twice still passes with `_span`
    reduced to f'{lo}~{hi}{unit}' (the label then reads '시급 10,030~10,050원 (월 210~210만원 환산)'): it compares
    '시급 10,030' with '10,050원', which differ whatever the month part says. This one reads the month part. It
    passes at HEAD and fails under that mutation (shown in the review), so it guards the fix the other one claims to."""
    from core.data.records import Posting

    label = Posting(id="t:H", source="t", wage_type="hourly", wage_min_month=2_096_270,
                    wage_max_month=2_100_450).salary_label
    assert label == "시급 10,030~10,050원 (월 210만원 환산)", label
