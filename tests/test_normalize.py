import pytest

from core.data.normalize import DISABILITY_TYPES, Education, FieldError, disability_label, parse_career, parse_education, parse_salary


@pytest.mark.parametrize("raw, level", [
    ("00", Education.NONE), ("03", Education.HIGH), ("7", Education.DOCTOR), ("학력무관", Education.NONE),
    ("무관", Education.NONE), ("", Education.NONE), ("초졸이하", Education.ELEMENTARY), ("중졸", Education.MIDDLE),
    ("고졸", Education.HIGH), ("고졸↑", Education.HIGH), ("대졸(2~3년)", Education.COLLEGE),
    ("대학(2,3년)↑", Education.COLLEGE), ("초대졸", Education.COLLEGE), ("대졸(4년)", Education.UNIVERSITY),
    ("대학교(4년)↑", Education.UNIVERSITY), ("대졸", Education.UNIVERSITY), ("석사↑", Education.MASTER),
    ("박사", Education.DOCTOR), ("고졸 ~ 대졸(4년)", Education.HIGH), ("~ 대졸(4년)", Education.NONE),
    ("대졸(2~3년) ~ 대졸(4년)", Education.COLLEGE),
])
def test_education_levels(raw, level):
    assert parse_education(raw) == level


def test_education_garbage_names_the_field():
    with pytest.raises(FieldError) as e:
        parse_education("아무거나", "minEdubg")
    assert e.value.field == "minEdubg"


@pytest.mark.parametrize("raw, kind, months", [
    ("N", "new", 0), ("E", "experienced", 0), ("Z", "either", 0), ("신입", "new", 0), ("경력", "experienced", 0),
    ("경력2년", "experienced", 24), ("경력 5년↑", "experienced", 60), ("신입/경력1년", "either", 0),
    ("신입 · 경력", "either", 0), ("경력무관", "either", 0), ("관계없음", "either", 0), ("3 ~ 10년", "experienced", 36),
    ("경력 1년 6개월 이상", "experienced", 18), ("", "either", 0),
])
def test_career(raw, kind, months):
    c = parse_career(raw)
    assert (c.kind, c.min_months) == (kind, months)


def test_career_garbage():
    with pytest.raises(FieldError):
        parse_career("잘 모름")


@pytest.mark.parametrize("tp, text, lo, hi, kind", [
    ("월급", "203만원 ~ 203만원", 2_030_000, 2_030_000, "monthly"),
    ("월급", "201만원 ~ 206만원", 2_010_000, 2_060_000, "monthly"),
    ("시급", "12300원", 12300 * 209, 12300 * 209, "hourly"),
    ("연봉", "3500만원", 35_000_000 // 12, 35_000_000 // 12, "yearly"),
    ("", "월급 250 만원 이상", 2_500_000, 2_500_000, "monthly"),
    ("", "연봉 3,000 만원 ~ 4,000 만원", 2_500_000, 3_333_333, "yearly"),
    ("일급", "150,000원", int(150000 * 21.75), int(150000 * 21.75), "daily"),
    ("", "(시급)10030", 10030 * 209, 10030 * 209, "hourly"),
])
def test_salary_monthly_equivalent(tp, text, lo, hi, kind):
    s = parse_salary(tp, text)
    assert s.wage_type == kind
    assert abs(s.monthly_min - lo) <= 1 and abs(s.monthly_max - hi) <= 1


def test_salary_from_min_max_numbers():
    s = parse_salary("M", None, "2100000", "2300000")
    assert (s.wage_type, s.monthly_min, s.monthly_max) == ("monthly", 2_100_000, 2_300_000)


def test_salary_negotiable_has_no_numbers():
    s = parse_salary("", "회사내규에 따름")
    assert s.wage_type == "negotiable" and s.monthly_min is None


@pytest.mark.parametrize("bad", ["월 2백오십", "약 3.5.1원", "월급 25"])
def test_salary_unparsable_raises(bad):
    with pytest.raises(FieldError) as e:
        parse_salary("", bad, field="sal")
    assert e.value.field == "sal"


def test_disability_labels():
    assert len(DISABILITY_TYPES) == 19
    assert disability_label("지체", "중증") == "지체장애(중증)"
    assert disability_label("신장장애", "경증") == "내부장애(경증)"
    assert disability_label("지적장애", "중증") == "지적장애"
    assert disability_label("보청장애", "중증") == "뇌전증장애(중증)"
    with pytest.raises(FieldError):
        disability_label("국가유공", "중증")
    with pytest.raises(FieldError):
        disability_label("시각장애", "")


@pytest.mark.parametrize("text, today, closes", [
    ("~ 06/28(수)(11일 전 등록)", "2026-12-02", "2023-06-28"),  # Saramin: no year, but a Wednesday in 2023 (and 2028)
    ("~ 04/12(금)", "2026-12-02", "2024-04-12"),
    ("~ 12/31(목)", "2026-12-02", "2026-12-31"),  # this year's, not one five years back
    ("~ 03/15(월)", "2026-12-02", "2027-03-15"),  # a few months ahead: next year's
    ("~ 03/15(월)", "2026-05-01", "2021-03-15"),  # not 2027 (the same calendar): too far ahead to be a closing date
    ("~ 04/12", "2026-12-02", "2027-04-12"),  # no weekday: the latest such day up to half a year ahead, never ''
    ("오늘마감(13일 전 등록)", "2026-12-02", "2026-12-02"),  # relative closings (fourth audit): counted from the
    ("내일마감(5일 전 등록)", "2026-12-02", "2026-12-03"),  # day the file is read; open-ended, they never closed
    ("18시마감", "2026-12-02", "2026-12-02"),
])
def test_a_closing_date_without_a_year_takes_the_year_its_weekday_pins(text, today, closes):
    """Such a posting used to get no closing date and so stayed open for ever (second audit of 2026-12-02)."""
    from datetime import date

    from core.data.normalize import parse_date

    assert parse_date(text, "closeDt", last=True, today=date.fromisoformat(today)) == closes


def test_a_saramin_posting_past_its_weekday_dated_close_is_closed(tmp_data):
    from core.data.ingest import ingest_file
    from core.data.store import Store
    from core.models.engine import Engine

    path = tmp_data / "saramin.csv"
    path.write_text("직무명,회사명,채용공고명,근무지역,고용형태,경력조건,교육,마감일,출처,채용공고상세\n"
                    "게임개발,(주)한빛,개발자 채용,경기 성남시 분당구,정규직,신입,학력무관,~ 06/28(수)(11일 전 등록),"
                    "https://example.com/1,상세\n", encoding="utf-8")
    store = Store()
    ingest_file(store, path, "saramin")
    posting = store.postings()[0]
    assert posting.close_date == "2023-06-28"
    assert not Engine.from_store(store, as_of="2026-12-02").corpus.is_open(posting)
