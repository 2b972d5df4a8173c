"""The thirteenth audit (a helper of session 52): the offline rules (core/llm/rules.py, TXT-DECLARED) on
refusals written the way Korean postings write them, end to end for a seeker whose disability is on record only
as a 부장애. Each test fails on the code it was written against; its docstring says what a disabled job seeker
would be shown."""
from __future__ import annotations

import pytest

from core.filters import FilterSettings
from tests.test_eleventh_audit import HEARING, VISUAL, _excluded_by_rules
from tests.test_fourth_audit import corpus, shown

KIDNEY = {"내부장애(경증)", "내부장애(중증)"}
PHYSICAL = {"지체장애(경증)", "지체장애(중증)"}


# ---------------------------------------------------------------- 1. a list of types closed with '등'
@pytest.mark.parametrize("text, types", [
    ("시각, 청각 등 장애인 지원 불가", VISUAL | HEARING),
    ("시각·청각 등 장애인 지원 불가", VISUAL | HEARING),
    ("청각장애인 등은 지원 불가", HEARING),
    ("청각장애인, 시각장애인 등 지원 불가", VISUAL | HEARING),
])
def test_a_refusal_of_types_listed_with_deung_excludes_them(text, types):
    """'시각, 청각 등 장애인 지원 불가' is how employers list refused types ('등' = 'and the like'). TXT-DECLARED
    allows nothing between the last type and '장애인' or between '장애인' and the refusal, so '등' breaks the match
    and nothing is excluded: without an LLM (the default) a blind or deaf seeker is shown a posting whose employer
    wrote that they cannot apply, marked '장애유형 제외 사유 없음'."""
    assert types <= _excluded_by_rules(text), (text, _excluded_by_rules(text))


# ---------------------------------------------------------------- 2. the old grade numbers
@pytest.mark.parametrize("text", [
    "청각장애 1~3급 지원 불가",
    "청각장애 1,2급 지원 불가",
    "청각장애(1~2급) 불가",
    "청각장애 2급 이상 지원 불가",
])
def test_a_refusal_naming_a_range_of_old_grades_excludes_the_type(text):
    """_GRADE reads one grade number ('청각장애 1급 불가'). Postings, and employers who learnt the pre-2019 system,
    write a range ('1~3급', '1,2급', '2급 이상'): the match breaks and nothing is excluded, so a deaf seeker (of
    the very grades the employer named) is shown the posting."""
    assert HEARING <= _excluded_by_rules(text), (text, _excluded_by_rules(text))


# ---------------------------------------------------------------- 3. a list joined with '혹은'
@pytest.mark.parametrize("text", ["청각 혹은 언어장애인 지원 불가", "청각장애인 혹은 언어장애인 지원 불가"])
def test_a_list_joined_by_hokeun_excludes_its_first_type_too(text):
    """_TYPE_LIST joins types with '·, / 및 와 과 또는 이나', not '혹은' (as common as '또는'). '청각 혹은
    언어장애인 지원 불가' excludes 언어장애 only: the match starts at '언어', and the deaf seeker the employer named
    first is shown the posting (worse than no match: the suitability page shows the rule as having fired)."""
    assert HEARING <= _excluded_by_rules(text), (text, _excluded_by_rules(text))


# ---------------------------------------------------------------- 4. a parenthesis that scopes the type
@pytest.mark.parametrize("text, types", [
    ("시각장애인(저시력 포함) 지원 불가", VISUAL),
    ("시각장애(저시력자 포함) 지원 불가", VISUAL),
    ("신장장애인(투석) 지원 불가", KIDNEY),
    ("지체장애인(휠체어 사용자) 지원 불가", PHYSICAL),
])
def test_a_refusal_with_a_scoping_parenthesis_excludes_the_type(text, types):
    """_SUBTYPE reads only '(상지|하지|전맹|저시력|농|난청)' between the type and the refusal. A parenthesis that
    widens or explains the type ('(저시력 포함)', '(투석)', '(휠체어 사용자)') breaks the match: nothing is
    excluded and a blind, dialysis or wheelchair-using seeker is shown the posting that refused them."""
    assert types <= _excluded_by_rules(text), (text, _excluded_by_rules(text))


# ---------------------------------------------------------------- 5. everyday verbs and honorifics
@pytest.mark.parametrize("text", [
    "청각장애를 가지신 분은 지원 불가",  # honorific of '가진 분' (read)
    "청각장애가 있으신 분은 지원이 불가합니다",  # honorific of '있는 분' (read)
    "청각장애인은 채용 안 함",  # '안 됨' is read, '안 함' not
    "청각장애인은 고용이 어렵습니다",  # 고용 is not one of _VERB
    "청각장애인 고용 불가",
    "청각장애인 지원 금지",
    "청각장애인은 지원 자격이 없습니다",
])
def test_an_everyday_refusal_excludes_the_type(text):
    """The honorific forms ('가지신 분', '있으신 분') of wordings TXT-DECLARED reads, '안 함' beside the '안 됨' it
    reads, the verb '고용' beside 지원/채용/응시/근무, and '금지' / '자격이 없' fire nothing: a deaf seeker is shown a
    posting whose employer refused deaf applicants in plain words."""
    assert HEARING <= _excluded_by_rules(text), (text, _excluded_by_rules(text))


# ---------------------------------------------------------------- 6. a line break written as HTML
@pytest.mark.parametrize("text", ["청각장애인<br>지원 불가", "청각장애인<br/>지원불가", "청각장애인 지원<br>불가"])
def test_a_refusal_split_by_an_html_line_break_excludes_the_type(text):
    """`clean_text` decodes entities ('&lt;br&gt;' in an XML field becomes '<br>') but strips no tag, and
    TXT-DECLARED allows only whitespace between the type and the refusal. A refusal split over an HTML line break,
    which a real line break would not stop, excludes nothing."""
    assert HEARING <= _excluded_by_rules(text), (text, _excluded_by_rules(text))


# ---------------------------------------------------------------- 7. end to end, the 부장애 on record only
SECONDARY_ONLY = {"id": "1", "disability_type": "", "disability_grade": "",
                  "부장애유형": "청각장애", "부장애 정도": "경증"}


def test_e2e_a_seeker_deaf_by_their_secondary_disability_is_not_shown_a_deung_refusal(tmp_data):
    """A seeker whose record holds 청각장애 only in the 부장애 columns (the main cells blank) is shown a posting
    that says '시각, 청각 등 장애인 지원 불가' in 구직자 맞춤 추천, and recommended for it in 인재 추천."""
    store, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "K1", "jobCont": "매장 진열 정리. 시각, 청각 등 장애인 지원 불가."}],
                              [SECONDARY_ONLY])
    assert "청각장애(경증)" in engine.corpus.seekers["s:1"].filter_disability  # the 부장애 is read
    assert "t:K1" not in shown(engine, "s:1", FilterSettings())
    posting = engine.corpus.postings["t:K1"]
    result = engine.model("tfidf").recommend(posting, k=20, filters=FilterSettings(), target="seeker", explain=False)
    assert "s:1" not in [i.item_id for i in result.items]


def test_e2e_a_deaf_seeker_is_not_shown_a_hokeun_refusal(tmp_data):
    """구직자 맞춤 추천 for a deaf seeker lists a posting that says '청각 혹은 언어장애인 지원 불가'."""
    store, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "K2", "jobCont": "매장 진열 정리. 청각 혹은 언어장애인 지원 불가."}],
                              [{"id": "1", "disability_type": "청각장애", "disability_grade": "경증"}])
    assert "t:K2" not in shown(engine, "s:1", FilterSettings())
