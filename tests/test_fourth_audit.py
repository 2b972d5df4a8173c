"""The fourth disability-safety audit (2026-12-03): how a requirement, a place, a unit or a closing is read from a
file decides what the hard filters let through. Each test failed before its fix."""
from __future__ import annotations

import csv
from datetime import timedelta

import pytest

from core.data.ingest import ingest_file
from core.data.normalize import Education, parse_career, parse_education
from core.data.store import Store
from core.filters import FilterSettings, pair_violation
from core.llm.suitability import unsuitable_map
from core.models.engine import Engine

BASE_POSTING = {"company": "(주)한빛", "region": "서울 강남구", "minEdubg": "학력무관", "career": "관계없음",
                "jobCont": "고객 응대와 매장 진열 정리"}
BASE_SEEKER = {"education": "고졸", "career": "신입", "desired_region": "서울 강남구", "disability_type": "",
               "disability_grade": "", "desired_job_name": "매장 관리원"}


def write_csv(path, rows: list[dict]) -> None:
    names = list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=names)
        writer.writeheader()
        writer.writerows(rows)


def corpus(folder, postings: list[dict], seekers: list[dict], seeker_mapping: dict | None = None):
    """A store with these postings (csv) and seekers (seekers-csv); returns (store, engine, seeker report)."""
    write_csv(folder / "p.csv", [{"title": "매장 관리원", **BASE_POSTING, **p} for p in postings])
    write_csv(folder / "s.csv", [{**BASE_SEEKER, **s} for s in seekers])
    store = Store()
    ingest_file(store, folder / "p.csv", "csv", source="t")
    report = ingest_file(store, folder / "s.csv", "seekers-csv", mapping=seeker_mapping, source="s")
    return store, Engine.from_store(store), report


def shown(engine: Engine, seeker_id: str, filters: FilterSettings) -> list[str]:
    seeker = engine.corpus.seekers[seeker_id]
    result = engine.model("tfidf").recommend(seeker, k=20, filters=filters, explain=False)
    return [i.item_id for i in result.items]


# ---------------------------------------------------------------- rules
def test_a_declared_heavy_lift_in_lower_case_kg_still_excludes(tmp_data):
    """ENV-LIFT-HEAVY matches '20Kg 이상' only: a file (or an API) that writes '20kg 이상' or '20KG 이상' loses the
    지체장애(중증)/내부장애 exclusion the employer declared."""
    store, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "K1", "envLiftPower": "20kg 이상의 물건을 들 수 있음"},
                                         {"wantedAuthNo": "K2", "envLiftPower": "20 KG 이상"}],
                              [{"id": "1", "disability_type": "지체장애", "disability_grade": "중증"}])
    excluded = unsuitable_map(store)
    for pid in ("t:K1", "t:K2"):
        assert "지체장애(중증)" in excluded.get(pid, frozenset()), (pid, excluded.get(pid))
    assert not {"t:K1", "t:K2"} & set(shown(engine, "s:1", FilterSettings()))


def test_a_rules_answer_stored_by_older_rules_never_stands_for_today_s(tmp_data):
    """Rules answers are cached per text. One stored before the unit was read case-insensitively said nothing of
    '20kg 이상', and it stood as today's rules answer: the exclusion never came. A rules answer is now stored under
    its rules' version (`RULES_MODEL`), and today's rules are read for a text that has none of theirs."""
    from core.llm.extract import cache_key, extract_posting
    from core.llm.rules import RULES_MODEL

    store, _, _ = corpus(tmp_data, [{"wantedAuthNo": "K3", "envLiftPower": "20kg 이상"}], [{"id": "1"}])
    posting = store.posting("t:K3")
    store.put_extraction(cache_key(posting, "rules", "rules"), posting.id, "ok", {"unsuitable_types": [], "suitable_types": []})
    assert "지체장애(중증)" in unsuitable_map(store)["t:K3"]
    extract_posting(store, posting)  # today's rules stored beside the old answer, under their own version
    assert store.get_extraction(cache_key(posting, "rules", RULES_MODEL))["result"]["unsuitable_types"]


# ---------------------------------------------------------------- career
def test_a_seeker_with_no_experience_is_not_shown_experienced_only_postings(tmp_data):
    """'경력 없음' / '무경력' / '미경력' on a seeker's row is read as 'experienced' (the word 경력 is in it), so the
    career filter lets 경력-only postings through to a seeker who has none."""
    store, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "E1", "career": "경력 3년 이상"}],
                              [{"id": "1", "career": "경력 없음"}, {"id": "2", "career": "무경력"},
                               {"id": "3", "career": "미경력"}])
    filters = FilterSettings(disability=False)
    for sid in ("s:1", "s:2", "s:3"):
        assert engine.corpus.seekers[sid].career_kind == "new", (sid, engine.corpus.seekers[sid].career_kind)
        assert "t:E1" not in shown(engine, sid, filters)


# ---------------------------------------------------------------- education
def test_a_seeker_who_left_university_is_not_shown_postings_requiring_a_degree(tmp_data):
    """'대학교 중퇴' (left without a degree) is read as 대졸(4년), and '전문학사' (a 2–3 year degree) too: a
    posting that requires 대졸(4년) passes the education filter for them."""
    store, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "U1", "minEdubg": "대졸(4년)"}],
                              [{"id": "1", "education": "대학교 중퇴"}, {"id": "2", "education": "전문학사"},
                               {"id": "3", "education": "고등학교 중퇴"}])
    filters = FilterSettings(disability=False)
    for sid in ("s:1", "s:2"):
        assert "t:U1" not in shown(engine, sid, filters), (sid, engine.corpus.seekers[sid].edu_level)
    assert engine.corpus.seekers["s:3"].edu_level < 3  # 고등학교 중퇴 holds 중졸, not 고졸


def test_a_posting_requirement_with_an_unrelated_muggwan_is_not_read_as_none(tmp_data):
    """'무관' anywhere in the text wins over the level: '대졸 이상 (전공 무관)' is read as 학력무관 and
    '경력 3년 이상 (나이 무관)' as 관계없음, so a 고졸 신입 seeker is shown a posting requiring both."""
    store, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "M1", "minEdubg": "대졸(4년) 이상 (전공 무관)"},
                                         {"wantedAuthNo": "M2", "career": "경력 3년 이상 (나이 무관)"}],
                              [{"id": "1", "education": "고졸", "career": "신입"}])
    p1, p2 = engine.corpus.postings["t:M1"], engine.corpus.postings["t:M2"]
    assert p1.edu_min == 5, p1.edu_min
    assert p2.career_kind == "experienced", p2.career_kind
    assert not {"t:M1", "t:M2"} & set(shown(engine, "s:1", FilterSettings(disability=False)))


def test_a_saramin_posting_that_closes_today_is_not_open_for_ever(tmp_data):
    """Saramin's '오늘마감' / '내일마감' / '8시마감' are read as open-ended (close_date ''), like '채용시까지': the
    posting never expires, while its neighbours with a dated closing ('~ 06/28(수)') close. Days after the
    upload it is still offered."""
    from datetime import timedelta

    from core import clock

    rows = [{"채용공고명": f"사무 보조원 {i}", "회사명": "(주)한빛", "근무지역": "서울 강남구", "경력조건": "신입",
             "교육": "학력무관", "직무명": "사무 보조원", "채용공고상세": "문서 정리", "마감일": close,
             "출처": f"https://saramin.example/{i}"} for i, close in enumerate(["오늘마감(13일 전 등록)", "내일마감(5일 전 등록)"])]
    write_csv(tmp_data / "saramin.csv", rows)
    store = Store()
    ingest_file(store, tmp_data / "saramin.csv", "saramin")
    later = (clock.today() + timedelta(days=3)).isoformat()
    engine = Engine.from_store(store, as_of=later)
    postings = list(engine.corpus.postings.values())
    assert len(postings) == 2
    for p in postings:
        assert not engine.corpus.is_open(p), (p.closeDt, p.close_date)


# ---------------------------------------------------------------- primary / secondary disability
def test_a_secondary_disability_is_filtered_like_the_main_one_both_ways(tmp_data):
    """A seekers file with a 부장애 column: it was dropped without a word, so a driving job excluded for
    시각장애(중증) was shown to a seeker whose 부장애 is just that, and the seeker was recommended for it. A later
    file without the column never blanks it; a value that cannot be read rejects the row, naming the column."""
    from core.data.ingest import ingest_file as ingest

    store, engine, report = corpus(
        tmp_data, [{"wantedAuthNo": "D1", "title": "배송 기사", "jobCont": "1톤 트럭 운전기사, 배송 기사 업무"},
                   {"wantedAuthNo": "D2", "title": "사무 보조원", "jobCont": "서류 정리와 자료 입력"}],
        [{"id": "1", "disability_type": "지적장애", "disability_grade": "중증", "부장애유형": "시각장애", "부장애정도": "중증"},
         {"id": "2", "disability_type": "지적장애", "disability_grade": "중증", "부장애유형": "외계장애"}])
    assert "시각장애(중증)" in unsuitable_map(store)["t:D1"] and "시각장애(중증)" not in unsuitable_map(store).get("t:D2", ())
    seeker = engine.corpus.seekers["s:1"]
    assert seeker.secondary_disability == "시각장애(중증)" and "부장애 시각장애(중증)" in seeker.disability_text
    filters = FilterSettings(education=False, career=False)
    offered = shown(engine, "s:1", filters)
    assert "t:D1" not in offered and "t:D2" in offered
    assert pair_violation(seeker, engine.corpus.postings["t:D1"], filters, engine.corpus.unsuitable) == "disability"
    talent = engine.model("tfidf").recommend(engine.corpus.postings["t:D1"], k=20, filters=filters, target="seeker",
                                             explain=False)
    assert "s:1" not in [i.item_id for i in talent.items]
    assert [(r.row_no, r.field) for r in report.rejects if "외계장애" in str(r.value)] == [(3, "secondary_disability")]  # the file's line
    write_csv(tmp_data / "later.csv", [{**BASE_SEEKER, "id": "1", "disability_type": "지적장애", "disability_grade": "중증"}])
    ingest(store, tmp_data / "later.csv", "seekers-csv", source="s")
    assert store.seeker("s:1").secondary_disability == "시각장애(중증)"


# ---------------------------------------------------------------- places
def test_gwangju_si_with_a_gwangyeoksi_district_is_not_placed_in_gyeonggi(tmp_data):
    """'광주시 북구' / '광주시 광산구' name 광주광역시's 구 (경기 광주시 has no 구): placed at 경기 광주시, ~270 km
    off, the posting passes a 경기 성남 seeker's 20 km filter."""
    from core.geo import resolve

    for text in ("광주시 북구", "광주시 광산구"):
        assert resolve(text).sido == "광주광역시", (text, resolve(text))
    store, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "G1", "region": "광주시 북구"}],
                              [{"id": "1", "desired_region": "경기 성남시"}])
    assert "t:G1" not in shown(engine, "s:1", FilterSettings(disability=False))


def test_a_sigungu_written_without_its_suffix_does_not_widen_to_the_whole_sido(tmp_data):
    """'경기 수원' (수원시 without '시') resolves to 경기 at 시도 level, so the seeker gets every 경기 posting: one in
    연천군, ~80 km from 수원, passes the distance filter (and the page says the region was given at 시도 level)."""
    store, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "Y1", "region": "경기 연천군"}],
                              [{"id": "1", "desired_region": "경기 수원"}])
    assert "t:Y1" not in shown(engine, "s:1", FilterSettings(disability=False))
    from core.geo import resolve

    for text, sigungu in (("경기 수원", "수원시"), ("서울 강남 역삼동", "강남구"), ("충남 천안", "천안시"),
                          ("경기 성남 분당", "성남시 분당구"), ("인천 강화", "강화군")):
        assert resolve(text).sigungu == sigungu, text


# ---------------------------------------------------------------- a fresh read of the day's diff (helper)
@pytest.mark.parametrize("text", ["경력 3년 이상 (무경력 불가)", "무경력자 지원불가", "미경력자 불가",
                                  "경력 미보유자 지원 불가", "경력 2년 이상, 경력 없는 분 지원 불가"])
def test_a_posting_that_refuses_the_inexperienced_is_not_read_as_new(text):
    assert parse_career(text).kind == "experienced", text


@pytest.mark.parametrize("text", ["학력·경력 무관", "학력/나이 무관", "학력, 연령 무관"])
def test_education_waived_together_with_another_subject_still_reads(text):
    assert parse_education(text) == Education.NONE


@pytest.mark.parametrize("text", ["경력·학력 무관", "경력/나이 무관"])
def test_career_waived_together_with_another_subject_is_not_experienced_only(text):
    assert parse_career(text).kind == "either"


def test_a_highschool_graduate_who_left_university_holds_highschool():
    assert parse_education("고졸(대학 중퇴)", holder=True) == Education.HIGH


def test_daejol_yejeong_is_read_like_daehakgyo_joreop_yejeong():
    assert parse_education("대졸 예정", holder=True) == parse_education("대학교 졸업예정", holder=True)


def test_a_saramin_file_uploaded_again_later_does_not_reopen_a_today_closing(tmp_data, monkeypatch):
    from core import clock
    from core.data.ingest import ingest_file
    from core.data.store import Store
    from core.models.engine import Engine

    rows = [{"채용공고명": "사무 보조원", "회사명": "(주)한빛", "근무지역": "서울 강남구", "경력조건": "신입",
             "교육": "학력무관", "직무명": "사무 보조원", "채용공고상세": "문서 정리", "마감일": "오늘마감(13일 전 등록)",
             "출처": "https://saramin.example/1"}]
    write_csv(tmp_data / "saramin.csv", rows)
    store = Store()
    first = clock.today()
    ingest_file(store, tmp_data / "saramin.csv", "saramin")
    later = first + timedelta(days=7)
    monkeypatch.setattr(clock, "today", lambda: later)
    ingest_file(store, tmp_data / "saramin.csv", "saramin")  # the same crawl file, a week later
    engine = Engine.from_store(store, as_of=later.isoformat())
    (p,) = engine.corpus.postings.values()
    assert not engine.corpus.is_open(p), p.close_date


def test_a_secondary_disability_written_as_none_clears_it(tmp_data):
    from core.data.ingest import ingest_file

    store, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "X1"}],
                              [{"id": "1", "disability_type": "지적장애", "disability_grade": "중증",
                                "부장애유형": "시각장애", "부장애정도": "중증"}])
    write_csv(tmp_data / "later.csv", [{**BASE_SEEKER, "id": "1", "disability_type": "지적장애",
                                        "disability_grade": "중증", "부장애유형": "없음"}])
    ingest_file(store, tmp_data / "later.csv", "seekers-csv", source="s")
    assert store.seeker("s:1").secondary_disability == ""


def test_a_secondary_grade_without_a_type_is_rejected_like_the_main_one(tmp_data):
    _, _, report = corpus(tmp_data, [{"wantedAuthNo": "X1"}],
                          [{"id": "1", "disability_type": "지적장애", "disability_grade": "중증", "부장애정도": "중증"}])
    assert any(r.field.startswith("secondary") for r in report.rejects), report.rejects


def test_e2e_a_posting_refusing_the_inexperienced_is_not_shown_to_a_new_seeker(tmp_data):
    store, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "E9", "career": "경력 3년 이상 (무경력 불가)"}],
                              [{"id": "1", "career": "신입"}])
    assert "t:E9" not in shown(engine, "s:1", FilterSettings(disability=False))


def test_a_suitable_verdict_from_retired_rules_no_longer_shows(tmp_data):
    """Old rules answers still add their exclusions, but their 'suitable' showed as '적합 (규칙)' and counted in
    the suitable share, from rules that no longer say so."""
    from core.llm.extract import cache_key
    from core.llm.suitability import posting_verdicts, suitable_map

    store, _, _ = corpus(tmp_data, [{"wantedAuthNo": "R1"}], [{"id": "1"}])
    posting = store.posting("t:R1")
    retired = {"unsuitable_types": [{"type": "청각장애(중증)", "reason": "옛 규칙", "evidence": ""}],
               "suitable_types": [{"type": "시각장애(경증)", "reason": "옛 규칙", "evidence": ""}]}
    store.put_extraction(cache_key(posting, "rules", "rules"), posting.id, "ok", retired)
    verdicts = {v.type: v.verdict for v in posting_verdicts(store, posting.id).types}
    assert verdicts["청각장애(중증)"] == "제외" and verdicts["시각장애(경증)"] != "적합"
    assert "시각장애(경증)" not in suitable_map(store).get(posting.id, frozenset())
