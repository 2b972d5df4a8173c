"""The sixth audit: the seeker side of parsing, requirement fields read looser than written, merges and the
posting → seekers direction. Each test fails against the code it was written for."""
from __future__ import annotations

import json

import pytest
from test_fourth_audit import BASE_SEEKER, corpus, shown, write_csv

from core.data.ingest import ingest_file
from core.data.normalize import Education, parse_career, parse_education
from core.data.store import Store
from core.filters import FilterSettings
from core.llm.suitability import unsuitable_map
from core.models.engine import Engine

NO_DISABILITY = FilterSettings(disability=False)


# ---------------------------------------------------------------- 1. a 무관 about something else waives the level
@pytest.mark.parametrize("text", ["경력 (년수무관)", "관련 업무 경력자 (년수무관)", "경력 3년 이상 (남녀무관)",
                                  "경력 2년 이상 (분야 무관)", "경력 1년 이상 (업종 무관)"])
def test_a_career_requirement_with_another_waiver_stays_experienced(text):
    """`_without_other_waivers` removes only the waivers of its closed list (학력·경력·전공·나이·성별…); any other
    '○○ 무관' ('년수무관' — Saramin's own '경력 (년수무관)' label, in 8 of the 386 real Saramin postings —,
    '남녀무관', '분야 무관') is left in the text and `parse_career` reads the bare '무관' as 관계없음: an
    experienced-only posting is shown to a new seeker."""
    assert parse_career(text).kind == "experienced", parse_career(text)


@pytest.mark.parametrize("text, level", [("고졸 이상 (남녀무관)", Education.HIGH), ("대졸 이상 (전공·계열 무관)", Education.UNIVERSITY),
                                         ("대졸(4년) 이상 (학점 무관)", Education.UNIVERSITY), ("석사 이상(분야 무관)", Education.MASTER)])
def test_an_education_requirement_with_another_waiver_keeps_its_level(text, level):
    assert parse_education(text) == level


def test_e2e_a_new_seeker_is_not_shown_a_posting_for_the_experienced_of_any_years(tmp_data):
    _, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "Y1", "career": "경력 (년수무관)"},
                                     {"wantedAuthNo": "Y2", "career": "경력 3년 이상 (남녀무관)", "minEdubg": "대졸 이상 (전공·계열 무관)"}],
                          [{"id": "1", "career": "신입", "education": "고졸"}])
    assert not {"t:Y1", "t:Y2"} & set(shown(engine, "s:1", NO_DISABILITY))


# ---------------------------------------------------------------- 2. the seeker's own education, read too high
@pytest.mark.parametrize("written, held", [("2년제 대학 졸업", "COLLEGE"), ("3년제 대학 졸업", "COLLEGE"),
                                           ("대졸(2년)", "COLLEGE"), ("대학(2년제) 졸업", "COLLEGE")])
def test_a_two_year_college_graduate_does_not_hold_a_four_year_degree(written, held):
    """The COLLEGE pattern knows '2~3년', '초대졸', '전문대', '전문학사' only; '2년제 대학' falls through to the
    UNIVERSITY pattern ('대학'), so the seeker is credited a 4-year degree and shown 대졸(4년) postings."""
    assert parse_education(written, holder=True) == Education[held]


@pytest.mark.parametrize("written", ["대학교 자퇴", "대학 제적", "대학교 퇴학", "4년제 대학 자퇴"])
def test_a_seeker_who_withdrew_from_university_holds_highschool(written):
    """`_NOT_FINISHED` lists 중퇴·재학·수료·휴학·중도 포기/탈락·예정·유예, not 자퇴 (a status every Korean resume form
    offers beside 중퇴), 제적 or 퇴학: a seeker who withdrew reads as a 대졸(4년) holder."""
    assert parse_education(written, holder=True) == Education.HIGH


def test_e2e_a_two_year_college_seeker_is_not_shown_a_posting_requiring_a_four_year_degree(tmp_data):
    _, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "U1", "minEdubg": "대졸(4년)"}],
                          [{"id": "1", "education": "2년제 대학 졸업"}, {"id": "2", "education": "대학교 자퇴"}])
    assert "t:U1" not in shown(engine, "s:1", NO_DISABILITY)
    assert "t:U1" not in shown(engine, "s:2", NO_DISABILITY)


# ---------------------------------------------------------------- 3. KEAD: the first career field that is filled wins
def test_a_kead_posting_for_the_experienced_is_not_read_from_its_years_field_alone(tmp_data):
    """`build_posting` reads `career or enterTpNm or reqCareer or enterType`: a KEAD record whose 입사형태 (enterType)
    is '경력' and whose 요구경력 (reqCareer) is '무관' (any number of years) is read from reqCareer alone, as
    관계없음, and shown to a new seeker."""
    record = {"rno": "R1", "busplaName": "(주)한빛", "jobNm": "매장 관리원", "compAddr": "서울 강남구", "empType": "상용직",
              "enterType": "경력", "reqCareer": "무관", "reqEduc": "무관", "salary": "2100000", "salaryType": "월급",
              "termDate": ""}
    (tmp_data / "kead.json").write_text(json.dumps({"response": {"body": {"items": {"item": [record]}}}},
                                                   ensure_ascii=False), encoding="utf-8")
    write_csv(tmp_data / "s.csv", [{**BASE_SEEKER, "id": "1", "career": "신입"}])
    store = Store()
    ingest_file(store, tmp_data / "kead.json", "kead-json", source="k")
    ingest_file(store, tmp_data / "s.csv", "seekers-csv", source="s")
    assert store.posting("k:R1").career_kind == "experienced"
    assert "k:R1" not in shown(Engine.from_store(store), "s:1", NO_DISABILITY)


# ---------------------------------------------------------------- 4. an exclusion lost when the text is edited
def test_an_exclusion_the_rules_read_live_stays_when_the_text_is_edited(tmp_data):
    """A posting that arrived by upload or sync and was never extracted is judged by the rules read live on its
    current text; its earlier versions are kept (posting_versions) but only their *stored* answers count. Edited
    (the driving duty reworded away, or a re-sync), the 시각장애(중증) exclusion vanishes with no counselor lifting it,
    although 'exclusions found in any earlier version of its text stay' (core/llm/suitability.py)."""
    store, _, _ = corpus(tmp_data, [{"wantedAuthNo": "D1", "title": "사무 보조원", "jobCont": "1톤 트럭 운전기사, 배송 기사 업무"}],
                         [{"id": "1", "disability_type": "시각장애", "disability_grade": "중증"}])
    assert "시각장애(중증)" in unsuitable_map(store)["t:D1"]
    write_csv(tmp_data / "later.csv", [{"wantedAuthNo": "D1", "title": "사무 보조원", "company": "(주)한빛",
                                        "region": "서울 강남구", "jobCont": "물품 배송 및 서류 정리"}])
    ingest_file(store, tmp_data / "later.csv", "csv", source="t")
    assert "시각장애(중증)" in unsuitable_map(store).get("t:D1", frozenset())
    assert "t:D1" not in shown(Engine.from_store(store), "s:1", FilterSettings())


# ---------------------------------------------------------------- 5. a closing date past, then a file without one
def test_a_posting_past_its_closing_date_is_not_reopened_by_a_file_without_a_date(tmp_data):
    """`merge_postings` keeps a posting closed only where a sync marked it (`closed`); one closed by its date alone
    (every uploaded or ingested posting: only a sync sets the flag) takes the new file's '채용시까지' and is open for
    ever: an older export, or a 고용24 detail whose receiptCloseDt is '채용시까지', reopens a posting that closed."""
    from core import clock

    write_csv(tmp_data / "a.csv", [{"wantedAuthNo": "C1", "title": "매장 관리원", "company": "(주)한빛", "region": "서울 강남구",
                                    "minEdubg": "학력무관", "career": "관계없음", "closeDt": "2024-04-14"}])
    write_csv(tmp_data / "b.csv", [{"wantedAuthNo": "C1", "title": "매장 관리원", "company": "(주)한빛", "region": "서울 강남구",
                                    "minEdubg": "학력무관", "career": "관계없음", "closeDt": "채용시까지"}])
    write_csv(tmp_data / "s.csv", [{**BASE_SEEKER, "id": "1"}])
    store = Store()
    ingest_file(store, tmp_data / "a.csv", "csv", source="t")
    ingest_file(store, tmp_data / "s.csv", "seekers-csv", source="s")
    engine = Engine.from_store(store, as_of=clock.today().isoformat())
    assert "t:C1" not in shown(engine, "s:1", FilterSettings())  # closed by its date
    ingest_file(store, tmp_data / "b.csv", "csv", source="t")
    engine = Engine.from_store(store, as_of=clock.today().isoformat())
    assert "t:C1" not in shown(engine, "s:1", FilterSettings()), store.posting("t:C1").close_date


# ---------------------------------------------------------------- 6. the KEAD seekers preset drops a 부장애 column
def test_the_kead_seekers_preset_keeps_a_secondary_disability_column(tmp_data):
    """`_prepare_kead_seekers` builds a new row from the nine public columns only: a KEAD export that also carries
    the 부장애 (중복장애) columns, uploaded as 'kead-seekers', loses them without a word (the fourth audit made
    seekers-csv read them), and the seeker is filtered without it: shown postings unsuitable for the 부장애 시각장애(중증)."""
    import csv

    header = ["연번", "구직등록일", "연령", "희망지역", "희망직종", "희망임금", "장애유형", "중증여부", "기관분류", "부장애유형", "부장애정도"]
    with open(tmp_data / "kead.csv", "w", encoding="cp949", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerow(["1", "2025-01-01", "30", "서울 강남구", "매장 관리원", "(시급)10030", "지적장애", "중증", "공단", "시각장애", "중증"])
    store = Store()
    ingest_file(store, tmp_data / "kead.csv", "kead-seekers")
    (seeker,) = store.seekers()
    assert seeker.secondary_disability == "시각장애(중증)", seeker.filter_disability


# ---------------------------------------------------------------- the diff review: what the waiver fix first loosened
@pytest.mark.parametrize("text, level", [
    ("고졸, 나이 무관", Education.HIGH), ("대졸/전공무관", Education.UNIVERSITY), ("대졸·전공 무관", Education.UNIVERSITY),
    ("대졸 및 전공 무관", Education.UNIVERSITY), ("대졸, 전공 불문", Education.UNIVERSITY), ("석사, 전공 무관", Education.MASTER),
    ("고졸·연령무관", Education.HIGH), ("고졸 / 성별 무관", Education.HIGH), ("고졸 (외모 무관)", Education.HIGH),
    ("학력 경력 무관", Education.NONE), ("학력·경력 무관", Education.NONE), ("최종학력무관", Education.NONE),
    ("학력 제한없음", Education.NONE), ("무관", Education.NONE), ("대학 3년 이상 재학", Education.UNIVERSITY),
    ("대졸(2년)", Education.COLLEGE), ("대학(2년제) 졸업", Education.COLLEGE)])
def test_a_waiver_beside_a_stated_level_never_swallows_the_level(text, level):
    """A generic waiver pattern took any word before '무관' for its subject, level words included: '고졸, 나이 무관'
    read as 학력무관. The subjects are listed again (with any one other word that holds no level)."""
    assert parse_education(text) == level


@pytest.mark.parametrize("text, kind, months", [
    ("경력자, 나이 무관", "experienced", 0), ("경력자/성별무관", "experienced", 0), ("경력 3년, 나이 무관", "experienced", 36),
    ("경력 2년/나이무관", "experienced", 24), ("경력 6개월/성별 무관", "experienced", 6), ("경력 나이 무관", "either", 0),
    ("경력 유무 무관", "either", 0), ("신입·경력 무관", "either", 0), ("경력자 우대 (신입 무관)", "either", 0),
    ("신입(경력 불가)", "either", 0), ("신입,경력 불가", "either", 0), ("신입은 지원 불가", "experienced", 0),
    ("신입 가능", "new", 0), ("신입 지원 가능 (경력 우대)", "either", 0)])
def test_a_career_waiver_or_refusal_reads_what_it_names(text, kind, months):
    """'신입(경력 불가)' is a posting for newcomers: the refusal of 신입 takes only a particle between."""
    assert (parse_career(text).kind, parse_career(text).min_months) == (kind, months)


def test_the_api_s_newer_record_may_extend_a_dated_posting_to_open_ended_and_an_older_file_may_not():
    """The diff review: keeping a stored date against '채용시까지' hid for good a posting whose employer extended it
    (the API lists it, newer by its own modification time); an older export, with no such time, still cannot."""
    from dataclasses import replace

    from core.data.ingest import build_posting, merge_postings

    raw = {"wantedAuthNo": "C1", "title": "매장 관리원", "company": "(주)한빛", "region": "서울 강남구",
           "closeDt": "2025-01-10", "smodifyDtm": "202501010900"}
    stored = replace(build_posting(raw, "worknet", "C1"), closed=True)
    extended = merge_postings(stored, build_posting({**raw, "closeDt": "채용시까지", "smodifyDtm": "202501150900"},
                                                    "worknet", "C1"))
    assert extended.close_date == "" and not extended.closed
    older = merge_postings(stored, build_posting({**raw, "closeDt": "채용시까지", "smodifyDtm": ""}, "worknet", "C1"))
    assert older.close_date == "2025-01-10" and older.closed


# ---------------------------------------------------------------- the second diff review
@pytest.mark.parametrize("text, level", [
    ("대졸 이상 (출신 대학 무관)", Education.UNIVERSITY), ("학사 이상(출신 대학교 무관)", Education.UNIVERSITY),
    ("대졸 이상 (2년제/4년제 무관)", Education.COLLEGE), ("대졸이상(전공 및 학년 무관)", Education.UNIVERSITY),
    ("고졸 이상(졸업예정자 무관)", Education.HIGH), ("고졸이상남녀무관", Education.HIGH), ("(무관)", Education.NONE)])
def test_a_waiver_of_any_other_word_leaves_the_level(text, level):
    """A waiver neither listed nor generic ('출신 대학 무관') stayed in the text and read as 학력무관."""
    assert parse_education(text) == level


@pytest.mark.parametrize("text, kind", [
    ("경력 3년 이상 (출신 대학 무관)", "experienced"), ("경력3년이상,정규직경험무관", "experienced"),
    ("경력 2년 이상, 신입자는 지원 불가", "experienced"), ("경력 2년 이상 (신입사원은 불가)", "experienced"),
    ("경력 2년 이상(신입·인턴 불가)", "experienced"), ("신입,경력 불가", "either")])
def test_a_career_requirement_keeps_its_experience_beside_other_waivers_and_refusals(text, kind):
    assert parse_career(text).kind == kind


def test_a_seeker_s_two_year_college_reads_as_college():
    assert parse_education("대학 2년 졸업", holder=True) == Education.COLLEGE
    assert parse_education("대학 3년 이상 재학") == Education.UNIVERSITY  # a posting's requirement is never read lower
