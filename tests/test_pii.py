"""Issue #17 items 6 and 11: every PII form that leaked to the LLM is masked now, and what is not PII
(wages, dates, codes, times, ordinary words after '담당' or before '팀장') stays."""
import pytest

from core.text.pii import mask_pii

LEAKED = [  # (text, the part that must not survive)
    ("연락처 +82-10-2345-6789 로", "6789"), ("Tel +82 10 2345 6789", "6789"), ("대표 (02) 123-4567", "4567"),
    ("문의 031)987-6543", "6543"), ("고객센터 1588-1234 상담", "1234"), ("연락 010\u20102345\u20106789", "6789"),
    ("연락 ０１０-２３４５-６７８９", "6789"), ("연락 공일공-2345-6789", "6789"), ("안심번호 0507-1234-5678", "5678"),
    ("전화 82-10-2345-6789", "6789"), ("연락 010-5972-6991", "6991"),  # a block libphonenumber calls unassigned
    ("주민번호 9001011234567", "1234567"), ("주민번호 900101\u20131234567", "1234567"), ("외국인 900101-5234567", "5234567"),
    ("담당: 김철수", "철수"), ("연락처 이영희 과장", "영희"), ("담당자 John Kim", "John"), ("Contact: Jane Doe", "Jane"),
    ("담당: 남궁 민수", "민수"), ("남궁 민수 대리에게 연락", "민수"), ("담당자 : 인재채용팀 엄세현", "세현"),
    ("[담당자] 윤현정부장 010-6317-3302", "현정"), ("퍼솔켈리코리아 이나라 컨설턴트", "나라"),
    ("hong[at]hanbit.co.kr", "hong"), ("hong (at) hanbit [dot] co [dot] kr", "hong"), ("kim12 at gaon dot com", "kim12"),
    ("근무지: 서울특별시 강남구 테헤란로 516 한빛빌딩 5층 502호", "502"), ("근무지 : 서울 강남구 테헤란로 516 한빛빌딩 5층", "516"),
    ("근무처: 강남구 역삼1동 737-32", "737-32"), ("근무지: 서울 강남구 강남대로 지하 396", "396"),
    ("주소 부산광역시 부산진구 시민공원로15번길 24", "24"),
]


@pytest.mark.parametrize("text,secret", LEAKED)
def test_every_leaked_form_is_masked(text, secret):
    masked, counts = mask_pii(text)
    assert secret not in masked and counts, masked


KEPT = [
    "시급 10,030원, 월 2,100,000원, 연봉 3,000만원", "2026-11-24 마감, 26/12/01 시작", "직종 024101, 구인번호 K151112411240012",
    "사업자 123-45-67890", "주 5일 09:00~18:00", "담당업무 : 웹 기획", "영업 마케팅 담당자 정규직 모집", "백엔드 팀장 우대",
    "서비스 매니저", "입사 후 본사로 4대보험 가입", "호봉에 따라 다르므로 1호봉 기준", "회원관리 1순위", "경력 3년 이상 10명",
    "서울 강남구 봉은사로 541 10층",  # the building number is masked, but '541 10' is no phone
    "news_no=MM1004490371",
]


@pytest.mark.parametrize("text", KEPT[:-2])
def test_wages_dates_codes_and_words_are_not_masked(text):
    masked, counts = mask_pii(text)
    assert masked == text and not counts, masked


def test_a_building_number_is_masked_without_inventing_a_phone():
    masked, counts = mask_pii(KEPT[-2])
    assert "전화번호" not in counts and "541" not in masked and "10층" not in masked
    assert mask_pii(KEPT[-1]) == (KEPT[-1], {})


# ---------------------------------------------------------------- issue #29 item 10: held-out forms, generated
NAMES = ["김민준", "이서연", "박지후", "최하은", "정도윤", "강예린", "조현우", "윤서아", "남궁민수", "황보 영희", "Jane Doe"]
LABELS = ["인사담당자", "인사 담당자", "연락처", "담당자", "채용담당자", "채용 담당자"]
FORMS = ["{label} {name}", "{label}  {name}", "{label}({name})", "{label} ( {name} )", "{label}[{name}]", "{label} [ {name} ]",
         "{label} - {name}", "{label}-{name}", "{label} – {name}", "{label} — {name}", "{label} ‐ {name}"]
AFTER = ["", " 010-2345-6789", ", 평일 9시~18시", " 과장", "."]


def _generated_name_cases(n: int = 120) -> list[tuple[str, str]]:
    import random

    rng = random.Random(29)
    cases = []
    for _ in range(n):
        name = rng.choice(NAMES)
        text = "접수 후 " + rng.choice(FORMS).format(label=rng.choice(LABELS), name=name) + rng.choice(AFTER)
        cases.append((text, name.split()[-1][-2:]))  # the given name's last two letters must not survive
    return cases


@pytest.mark.parametrize("text,secret", _generated_name_cases())
def test_a_name_after_a_label_without_a_job_title_is_masked_in_every_form(text, secret):
    masked, counts = mask_pii(text)
    assert secret not in masked and counts.get("담당자"), masked


@pytest.mark.parametrize("local,domain", [("hong", "hanbit.co.kr"), ("kim.minjun", "gaon.com"), ("hr-team", "ex.org"),
                                          ("jane_doe", "mail.example.net")])
@pytest.mark.parametrize("at", [" @ ", "@ ", " @", "  @  ", " ＠ "])
def test_an_email_with_spaces_around_the_at_sign_is_masked(local, domain, at):
    masked, counts = mask_pii(f"지원서는 {local}{at}{domain} 으로")
    assert local not in masked and domain.split(".")[0] not in masked and counts.get("이메일"), masked


@pytest.mark.parametrize("text", ["영업 마케팅 담당자 정규직 모집", "연락처(필수) 기재", "담당(업무) 안내", "담당자 계약직 전환",
                                  "문의(평일 9시~18시)", "회의 09:00 @ 본사 3층"])
def test_words_after_a_label_are_not_taken_for_names(text):
    masked, counts = mask_pii(text)
    assert masked == text and not counts, masked
