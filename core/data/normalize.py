"""Normalisers: the raw strings of 고용24, KEAD, Saramin and CSV files → the values the filters compare.

Every parser raises `FieldError(field, value, reason)` on text it cannot read, so the ingest can
reject the row with the field named, instead of guessing.
"""
from __future__ import annotations

import html
import math
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum

from .. import clock


class FieldError(ValueError):
    """A field value that cannot be normalised; carries the field name for the rejects table."""

    def __init__(self, field: str, value: object, reason: str):
        super().__init__(f"{field}={value!r}: {reason}")
        self.field = field
        self.value = value
        self.reason = reason


class RowFaults(FieldError):
    """Every field fault of one row, so the rejects table names them all and a file is fixed in one pass
    (not one fault per upload). Reads as its first fault wherever a single FieldError is expected."""

    def __init__(self, faults: list[FieldError]):
        first = faults[0]
        super().__init__(first.field, first.value, first.reason)
        self.faults = faults


class FaultCollector:
    """Collects the FieldErrors of one row's fields: `with faults.field(): …` per field, then `faults.check()`."""

    def __init__(self) -> None:
        self.faults: list[FieldError] = []

    def add(self, field: str, value: object, reason: str) -> None:
        self.faults.append(FieldError(field, value, reason))

    @contextmanager
    def field(self):
        try:
            yield
        except FieldError as e:
            self.faults.append(e)

    def check(self) -> None:
        if len(self.faults) == 1:
            raise self.faults[0]
        if self.faults:
            raise RowFaults(self.faults)


def faults_of(error: FieldError) -> list[FieldError]:
    """The single faults inside an error: a RowFaults' own list, or the error itself."""
    return list(getattr(error, "faults", [error]))


# ---------------------------------------------------------------- education
class Education(IntEnum):
    """Ordinal education. 무관 is 0: a requirement of 무관 is met by everyone, and a holder of
    '무관' (unknown or none proven) meets only 무관 requirements."""

    NONE = 0  # 학력무관
    ELEMENTARY = 1  # 초졸이하
    MIDDLE = 2  # 중졸
    HIGH = 3  # 고졸
    COLLEGE = 4  # 대졸(2~3년)
    UNIVERSITY = 5  # 대졸(4년)
    MASTER = 6  # 석사
    DOCTOR = 7  # 박사


EDUCATION_LABELS = {
    Education.NONE: "학력무관", Education.ELEMENTARY: "초졸이하", Education.MIDDLE: "중졸",
    Education.HIGH: "고졸", Education.COLLEGE: "대졸(2~3년)", Education.UNIVERSITY: "대졸(4년)",
    Education.MASTER: "석사", Education.DOCTOR: "박사",
}


def education_phrase(label: str) -> str:
    """'학력 고졸', and '학력 무관' (not '학력 학력무관') for a posting that asks none: a label after the word 학력."""
    return "학력 무관" if label == EDUCATION_LABELS[Education.NONE] else f"학력 {label}"


def career_phrase(label: str) -> str:
    """'경력 관계없음', and '경력 3년 이상' / '신입' as they are (not '경력 경력 3년 이상'): a label after the word 경력."""
    return label if label.startswith(("경력", "신입")) else f"경력 {label}"

# Order matters: longer / more specific patterns first.
_EDU_PATTERNS: list[tuple[str, Education]] = [
    (r"무관|제한\s*없|불문", Education.NONE),
    (r"박사", Education.DOCTOR),
    (r"석사|대학원", Education.MASTER),
    (r"2\s*[-,·]\s*3\s*년|초대졸|전문대|전문\s*학사|(?<!\d)[23]\s*년\s*제|(?:대학|대졸)\s*\(\s*[23]\s*년\s*제?\s*\)",
     Education.COLLEGE),
    (r"(대졸|대학교?|학사)\s*\(?\s*4\s*년|4년제|학사|대졸|대학교|대학", Education.UNIVERSITY),
    (r"고졸|고등학교|고교", Education.HIGH),
    (r"중졸|중학교", Education.MIDDLE),
    (r"초졸|초등학교", Education.ELEMENTARY),
]


# a school left or not yet finished, written right after it: its holder has the diploma below it (a 대학교 중퇴
# holds 고졸, not 전문대; '고졸(대학 중퇴)' holds 고졸)
# ('전문대학 중퇴', '4년제 대학 중퇴', '대학교 3학년 중퇴', '대학원 석사과정 수료': the rest of the school's name, its
# year or its course may stand between)
# ('대학생', '대학원생', '대학교 3학년', '4년제 대학 2학년': a student, or a year of study, without such a word)
_STUDY_WORDS = r"(?:[\s()]|대학교?|대학원|학교?|과정|석사|박사|\d\s*학년)*"
# ('대졸 (3학년 편입)', '대학 4학년 (졸업)': a year of study with a 편입 or 졸업 later in the value is a graduate's)
_NOT_FINISHED = re.compile(rf"{_STUDY_WORDS}(?:졸업\s*)?(?:중퇴|재학|수료|휴학|중도\s*(?:포기|탈락)|예정|유예|자퇴|제적|퇴학)"
                           rf"|{_STUDY_WORDS}\d\s*학년(?![^,;/]*(?:졸업|편입))|생(?![가-힣])")
_HELD_COLLEGE = re.compile(r"(?:대학|대졸)\s*\(?\s*[23]\s*년")
_HELD_BELOW = {Education.DOCTOR: Education.MASTER, Education.MASTER: Education.UNIVERSITY,
               Education.UNIVERSITY: Education.HIGH, Education.COLLEGE: Education.HIGH, Education.HIGH: Education.MIDDLE,
               Education.MIDDLE: Education.ELEMENTARY, Education.ELEMENTARY: Education.NONE}
# what a requirement may waive besides its own subject: '대졸 이상 (전공 무관)' waives no degree, '경력 (년수무관)' asks
# for experience. Listed subjects first ('나이·성별 무관'); then any other waiver takes the one word right before it
# ('출신 대학 무관', '2년제/4년제 무관', '정규직경험무관'), whatever that word holds. A waiver left in the text read as
# '학력무관' / '경력무관' and cancelled the level the cell stated; a generic subject pattern once swallowed the level
_WAIVED_SUBJECTS = ("학력", "경력", "전공", "학과", "나이", "연령", "성별", "남녀", "지역", "국적", "자격증?", "장애", "분야",
                    "계열", "업종", "직종", "년수", "연수", "연차", "기간", "학점")
_SUBJECT = "|".join(_WAIVED_SUBJECTS)
_WAIVES = r"\s*(?:무관|불문|관계\s*없\w*|제한\s*없\w*)"
_SUBJECT_WAIVER = re.compile(rf"((?:{_SUBJECT})(?:\s*[·/,]?\s*(?:및\s*)?(?:{_SUBJECT}))*){_WAIVES}")
_WORD_WAIVER = re.compile(rf"([^\s(),/·\[\]]+){_WAIVES}")
_PRESENCE = re.compile(r"(학력|경력)\s*(?:유무|여부)")  # '경력 유무 무관': the presence of experience waived


def _without_other_waivers(text: str, own: str) -> str:
    """The text without the waivers of other subjects ('전공 무관', '나이 불문', '남녀무관', '출신 대학 무관'), which once
    read as '학력무관' or '경력무관' and cancelled the level the same cell stated ('경력 3년 이상 (나이 무관)'). A waiver
    naming `own` among others ('학력·경력 무관') still waives it, and for a career '신입 무관' does too."""
    def waives_own(m: re.Match) -> str:
        names_own = own in m.group(1) or (own == "경력" and "신입" in m.group(1))
        return f" {own}무관 " if names_own else " "

    rest = _WORD_WAIVER.sub(waives_own, _SUBJECT_WAIVER.sub(waives_own, _PRESENCE.sub(r"\1", text)))
    return rest if re.search(r"[^\W\d_]", rest) else text  # nothing else said ('나이 무관' alone): as written


def parse_education(value: object, field: str = "education", holder: bool = False) -> Education:
    """'03', '고졸', '대졸(2~3년)', '대학(2,3년)↑', '학력무관', 'H'... → Education. Empty → 무관.

    A range such as '고졸 ~ 대졸(4년)' is a *minimum* of 고졸 (the lower end is what is required). `holder`: the
    value is what a seeker has, and a school left or not finished ('대학교 중퇴', '재학') counts as the diploma below
    it; a posting's '대학 재학 이상' keeps its level (a requirement is never read lower than written).
    """
    if value is None:
        return Education.NONE
    text = html.unescape(str(value)).strip()
    if not text or text in {"-", "nan", "None"}:
        return Education.NONE
    if re.fullmatch(r"0?[0-7]", text):
        return Education(int(text))
    text = re.sub(r"2\s*~\s*3", "2-3", text)  # '대졸(2~3년)' is a level, not a range
    if "~" in text:
        low = text.split("~", 1)[0].strip()
        # '~ 대졸(4년)' has only an upper bound: no minimum is required.
        return parse_education(low, field, holder) if low else Education.NONE
    text = _without_other_waivers(text, "학력")
    for pattern, level in _EDU_PATTERNS:
        if m := re.search(pattern, text):
            if holder and level == Education.UNIVERSITY and _HELD_COLLEGE.search(text):
                level = Education.COLLEGE  # a seeker's '대학 2년 졸업' holds 전문대 (a posting's stays 대졸)
            return _HELD_BELOW.get(level, level) if holder and _NOT_FINISHED.match(text, m.end()) else level
    raise FieldError(field, value, "학력 값을 해석할 수 없음")


# ---------------------------------------------------------------- career
@dataclass(frozen=True)
class Career:
    """`kind`: 'new' (신입만), 'experienced' (경력만), 'either' (신입·경력 모두 / 관계없음)."""

    kind: str
    min_months: int = 0

    @property
    def label(self) -> str:
        base = {"new": "신입", "experienced": "경력", "either": "관계없음"}[self.kind]
        if self.kind == "experienced" and self.min_months:
            years, months = divmod(self.min_months, 12)
            return f"경력 {years}년" + (f" {months}개월" if months else "") + " 이상"
        return base


def _months(text: str) -> int:
    years = re.search(r"(\d+)\s*년", text)
    months = re.search(r"(\d+)\s*개월", text)
    return (int(years.group(1)) * 12 if years else 0) + (int(months.group(1)) if months else 0)


MAX_CAREER_MONTHS = 50 * 12


def _checked_months(months: int, field: str, value: object) -> int:
    if months > MAX_CAREER_MONTHS:
        raise FieldError(field, value, f"경력 기간이 비정상적임 ({months // 12}년 > {MAX_CAREER_MONTHS // 12}년)")
    return months


# ('경력 무', '경력: 무', '경력 X', '0년': how intake forms write it; '경력무관' is not one)
_NO_EXPERIENCE = re.compile(r"경력\s*[:：]?\s*(?:없|미보유|0\s*(?:년|개월)(?!\s*이상)|[무xX×](?![가-힣a-zA-Z]))|무경력|미경력"
                            r"|^\s*0\s*(?:년|개월)\s*$")
_REFUSED = re.compile(r"불가|제외|안\s*됨|불허|사절")  # '무경력자 지원불가': a posting refusing them
# '(신입 불가)', '신입은 지원 불가': only a particle between, so '신입(경력 불가)' stays a posting for newcomers
_NEW_REFUSED = re.compile(r"신입(?:자|사원)?(?:은|는|도)?(?:\s*[·,/]\s*(?!경력)[가-힣]{1,3})?\s*(?:지원|채용)?\s*"
                          r"(?:불가|제외|안\s*됨|불허|사절)")


def parse_career(value: object, field: str = "career") -> Career:
    """'N'/'E'/'Z', '신입', '경력2년', '신입/경력1년', '경력무관', '관계없음', '신입 · 경력', '경력 5년↑'."""
    if value is None:
        return Career("either")
    text = html.unescape(str(value)).strip()
    if not text or text in {"-", "nan", "None"}:
        return Career("either")
    code = {"N": "new", "E": "experienced", "Z": "either"}.get(text.upper())
    if code:
        return Career(code)
    if re.search(r"(?:^|[^\d\s])\s*[-−]\s*\d+(?:\.\d+)?\s*(?:년|개월)", text):  # '경력 -5년' (a range '3-5년' has a digit before)
        raise FieldError(field, value, "경력 기간이 음수임")
    text = _without_other_waivers(text, "경력")
    if _NO_EXPERIENCE.search(text) and not _REFUSED.search(text) and not re.search(r"\d+\s*(?:년|개월)\s*이상", text):
        return Career("new")  # '경력 없음', '무경력': the word 경력 once read these as experienced ('무경력 불가' is not)
    if _NEW_REFUSED.search(text):  # '경력 2년 이상 (신입 불가)' read as 관계없음, '신입 지원 불가' as 신입
        return Career("experienced", _checked_months(_months(text), field, value))
    has_new = "신입" in text
    has_exp = "경력" in text and not re.search(r"경력\s*(무관|불문|관계)", text)
    if re.search(r"관계\s*없|무관|불문", text) or (has_new and has_exp):
        return Career("either", 0)
    if has_exp:
        return Career("experienced", _checked_months(_months(text), field, value))
    if has_new:
        return Career("new")
    span = re.match(r"\s*(\d+)\s*(~\s*\d+\s*)?(년|개월)", text)  # Saramin '3 ~ 10년', KEAD '2년'
    if span:
        n = int(span.group(1))
        return Career("experienced", _checked_months(n * 12 if span.group(3) == "년" else n, field, value))
    raise FieldError(field, value, "경력 조건을 해석할 수 없음")


# ---------------------------------------------------------------- dates
_OPEN_ENDED = re.compile(r"채용\s*시|상시|수시|마감\s*시|별도|충원\s*시|^9999-?12-?31$")
# Saramin's relative closings, counted from the day the file is read: read as open-ended, they never closed
_RELATIVE_CLOSING = re.compile(r"(오늘|내일|모레|\d{1,2}\s*시)\s*마감")
_DAYS_AHEAD = {"오늘": 0, "내일": 1, "모레": 2}


def relative_closing(text: object) -> bool:
    """A closing written relative to the day it was read ('오늘마감', '18시마감'): its date is that day's."""
    return bool(_RELATIVE_CLOSING.search(clean_text(text)))
_FULL_DATE = re.compile(r"(?<!\d)(\d{4}|\d{2})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})(?!\d)|(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")
_MONTH_DAY = re.compile(r"(?<!\d)(\d{1,2})\s*/\s*(\d{1,2})(?!\d)")
# Excel's US locale: '12/31/2024' (month first; day first when the first number cannot be a month). Read as a
# month-day, its own year was ignored and a posting closed two years ago stayed open
# and its short form 'm/d/yy' ('3/15/25'): the year is the last number wherever the Korean 'yy/mm/dd' cannot be
# read ('12/31/24'; a one-digit first number), else the Korean reading stands ('24/05/01')
_MONTH_DAY_YEAR = re.compile(r"(?<!\d)(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4}|\d{2})(?!\d)")
_WEEKDAY = re.compile(r"\s*\(\s*([월화수목금토일])\s*\)")
DATE_YEARS = (1990, 2100)  # postings and registrations outside these years are typing errors, not history


CLOSING_HORIZON_DAYS = 183  # how far ahead a posting may close: a date later than this is a year too late


def year_by_weekday(month: int, day: int, weekday: str, today: date | None = None) -> str:
    """'06/28(수)' → the latest 28 June that fell on a Wednesday and is no more than half a year ahead: Saramin
    writes closing dates without a year but with the weekday, which pins the year (a weekday repeats every 5–11
    years, and a posting does not close far ahead, so an old file's dates land in the past, where they close).
    '' when no year fits (29 Feb, a weekday that never falls there)."""
    horizon = (today or clock.today()) + timedelta(days=CLOSING_HORIZON_DAYS)
    wanted = "월화수목금토일".index(weekday) if weekday else None  # none written: the latest date up to the horizon
    for year in range(horizon.year, DATE_YEARS[0] - 1, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= horizon and wanted in (None, candidate.weekday()):
            return candidate.isoformat()
    return ""


def _ymd(m: re.Match) -> tuple[int, int, int]:
    """(year, month, day) as a date match writes them: a US 'm/d/y' (day first when the first number cannot be a
    month), or year first."""
    if m.re is _MONTH_DAY_YEAR:
        first, second = int(m.group(1)), int(m.group(2))
        if first > 12 and len(m.group(3)) == 2:  # 'd/m/yy' is no Excel form: '25/06/31' is a Korean date mistyped
            raise ValueError("no US reading")
        y, mo, d = m.group(3), *((first, second) if first <= 12 else (second, first))
    else:
        y, mo, d = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
    return int(y) + (2000 if len(y) == 2 else 0), int(mo), int(d)


def _calendar_date(m: re.Match) -> date | None:
    try:
        return date(*_ymd(m))
    except ValueError:
        return None


def parse_date(value: object, field: str = "date", last: bool = False, today: date | None = None) -> str:
    """'23-04-29', '채용시까지  23-04-29', '24/05/01', '2026-11-03', '20261103' → ISO '2023-04-29'.

    `last` takes the end of a range ('2026-11-01~2026-11-30', KEAD's 모집기간). Empty text and open-ended closings
    ('채용시까지', '상시채용') give ''; a month and day with no year (Saramin '~ 04/12(금)') takes the year its weekday
    pins (`year_by_weekday`, counted from `today`), or without a weekday the latest such day up to half a year ahead;
    Saramin's '오늘마감' / 'N시마감' give `today` and '내일마감' the day after (read as open-ended, they never closed).
    Anything else is a FieldError: an impossible calendar date ('9999-99-99'), a year outside 1990–2100, or words
    that are not a date ('어제').
    """
    text = clean_text(value)
    if not text or text in {"-", "nan", "None"}:
        return ""
    at: dict[int, re.Match] = {}  # one reading per place: the Korean one where it is a date, else the US one
    for m in sorted([*_FULL_DATE.finditer(text), *_MONTH_DAY_YEAR.finditer(text)],
                    key=lambda m: (m.start(), _calendar_date(m) is None)):
        at.setdefault(m.start(), m)
    found = list(at.values())
    m = found[-1 if last else 0] if found else None
    if m:
        day = _calendar_date(m)
        if day is None:
            if _OPEN_ENDED.search(text):
                return ""
            raise FieldError(field, value, "달력에 없는 날짜") from None
        if not DATE_YEARS[0] <= day.year <= DATE_YEARS[1]:
            if _OPEN_ENDED.search(text):
                return ""
            raise FieldError(field, value, f"연도가 비정상적임 ({DATE_YEARS[0]}~{DATE_YEARS[1]}년)")
        return day.isoformat()
    relative = _RELATIVE_CLOSING.search(text)
    if relative:  # '오늘마감', '내일마감', '18시마감': the day the file is read, or the next
        return ((today or clock.today()) + timedelta(days=_DAYS_AHEAD.get(relative.group(1), 0))).isoformat()
    if _OPEN_ENDED.search(text):
        return ""
    md = _MONTH_DAY.search(text)
    if md and 1 <= int(md.group(1)) <= 12 and 1 <= int(md.group(2)) <= 31:
        weekday = _WEEKDAY.match(text, md.end())
        return year_by_weekday(int(md.group(1)), int(md.group(2)), weekday.group(1) if weekday else "", today)
    raise FieldError(field, value, "날짜 형식이 아님 (예: 2026-11-24, 26-11-24, 채용시까지)")


# ---------------------------------------------------------------- salary
HOURS_PER_MONTH = 209  # 최저임금 고시의 월 환산 기준시간
DAYS_PER_MONTH = 21.75

_WAGE_TYPES = {"H": "hourly", "D": "daily", "M": "monthly", "Y": "yearly",
               "시급": "hourly", "일급": "daily", "월급": "monthly", "연봉": "yearly", "주급": "weekly"}
WAGE_TYPE_LABELS = {"hourly": "시급", "daily": "일급", "monthly": "월급", "yearly": "연봉", "weekly": "주급",
                    "negotiable": "회사내규"}
_NEGOTIABLE = re.compile(r"내규|협의|면접\s*후|추후|결정|상담|별도")


@dataclass(frozen=True)
class Salary:
    """Wage type plus a monthly-equivalent range in won (None where the posting gives no number)."""

    wage_type: str
    monthly_min: int | None = None
    monthly_max: int | None = None

    @property
    def label(self) -> str:
        """'월 250만원', '시급 10,030원 (월 210만원 환산)', '연봉 4,000만원 (월 333만원 환산)': the posting's own unit and amount
        first (a 시급 job shown only as a 209-hour month read as full-time pay it never offered), then the month it
        compares at; a range whose ends print alike prints once."""
        if self.monthly_min is None:
            return WAGE_TYPE_LABELS.get(self.wage_type, "회사내규")
        ends = (self.monthly_min, self.monthly_max or self.monthly_min)
        month = _span(*(f"{m / 10000:,.0f}" for m in ends), "만원")
        factor = _MONTHLY_FACTOR.get(self.wage_type, 1)
        if factor == 1:
            return f"월 {month}"
        own = [m / factor for m in ends]
        amounts = (_span(*(f"{a / 10000:,.0f}" for a in own), "만원") if self.wage_type == "yearly"
                   else _span(*(f"{a:,.0f}" for a in own), "원"))
        return f"{WAGE_TYPE_LABELS[self.wage_type]} {amounts} (월 {month} 환산)"


def _span(lo: str, hi: str, unit: str) -> str:
    return f"{lo}{unit}" if lo == hi else f"{lo}~{hi}{unit}"


def _to_won(number: str, unit: str) -> float:
    n = float(number.replace(",", ""))
    if "억" in unit:
        return n * 1e8
    if "천" in unit and "만" in unit:
        return n * 1e7
    if "만" in unit:
        return n * 1e4
    return n


_MONTHLY_FACTOR = {"hourly": HOURS_PER_MONTH, "daily": DAYS_PER_MONTH, "weekly": 4.345, "monthly": 1, "yearly": 1 / 12}


def _monthly(amount: float, wage_type: str) -> int:
    return int(round(amount * _MONTHLY_FACTOR[wage_type]))


def parse_salary(wage_type: object = None, text: object = None, min_sal: object = None,
                 max_sal: object = None, field: str = "salary") -> Salary:
    """Combine a type (`salTpNm`/`salTpCd`/`salaryType`) with an amount text and/or min/max numbers.

    '203만원 ~ 203만원', '월급 250 만원 이상', '(시급)10030', '2,100,000', '회사내규에 따름'.
    A text with digits that cannot be read as an amount raises FieldError.
    """
    raw_type = html.unescape(str(wage_type or "")).strip()
    body = html.unescape(str(text or "")).strip()
    kind = None
    for key, val in _WAGE_TYPES.items():
        if raw_type == key or (len(key) > 1 and key in raw_type):
            kind = val
            break
    if kind is None:
        for key, val in _WAGE_TYPES.items():
            if len(key) > 1 and key in body:
                kind = val
                break

    if re.search(r"(^|[\s(:~])[-−]\s*\d", body):  # '-210만원' (a range '210만원-250만원' has a digit before its dash)
        raise FieldError(field, text, "급여가 음수임")
    numbers: list[float] = []
    for value in (min_sal, max_sal):
        if value not in (None, "", 0, "0", "nan"):
            try:
                number = float(str(value).replace(",", ""))
            except ValueError:
                raise FieldError(field, value, "급여 숫자를 읽을 수 없음") from None
            if not math.isfinite(number):
                raise FieldError(field, value, "급여 숫자가 유한한 값이 아님")
            if number < 0:
                raise FieldError(field, value, "급여가 음수임")
            numbers.append(number)
    if len(numbers) == 2 and numbers[0] > numbers[1]:  # swapped silently before
        raise FieldError(field, f"{min_sal} > {max_sal}", "최소 급여(minSal)가 최대 급여(maxSal)보다 큼")
    if not numbers and body:
        found = re.findall(r"(\d[\d,]*(?:\.\d+)?)\s*(억|천만|만)?\s*원?", body)
        numbers = [_to_won(n, u or "") for n, u in found if n.replace(",", "").replace(".", "").isdigit()]
        if not numbers and re.search(r"\d", body) and not _NEGOTIABLE.search(body):
            raise FieldError(field, text, "급여 금액을 읽을 수 없음")
    if any(not math.isfinite(n) for n in numbers):  # '999…9' (400 digits) is infinite as a float
        raise FieldError(field, text, "급여 금액이 너무 큼")
    numbers = [n for n in numbers if n > 0]
    if not numbers:
        if re.fullmatch(r"[+-]?(inf|infinity|nan)", body, flags=re.IGNORECASE):
            raise FieldError(field, text, "급여 숫자가 유한한 값이 아님")
        if body and not _NEGOTIABLE.search(body) and re.search(r"[만천백십]\s*원|원\s*(이상|이하|정도)?$", body):
            raise FieldError(field, text, "급여 금액 표기를 읽을 수 없음 (숫자로 적어 주세요: 200만원)")
        if body and not _NEGOTIABLE.search(body) and not raw_type and re.search(r"\w", body) and len(body) > 40:
            raise FieldError(field, text, "급여 형태를 알 수 없음")
        return Salary(kind or "negotiable")
    if kind is None:
        # No type given: infer from magnitude (시급 < 10만, 일급 < 50만, 연봉 ≥ 1,200만, else 월급).
        top = max(numbers)
        kind = "hourly" if top < 1e5 else "daily" if top < 5e5 else "yearly" if top >= 1.2e7 else "monthly"
    lo, hi = min(numbers), max(numbers)
    if lo < 1000 and kind != "hourly":  # '250' with a 만원 unit lost: the API's 'sal' carries '만원'
        raise FieldError(field, text or min_sal, "급여 단위를 알 수 없음")
    if re.search(r"\d\s*[백천십]", body) or re.search(r"\d+\.\d+\.\d", body):
        raise FieldError(field, text, "급여 금액 표기를 읽을 수 없음")
    monthly_lo, monthly_hi = _monthly(lo, kind), _monthly(hi, kind)
    if not 100_000 <= monthly_lo <= monthly_hi <= 100_000_000:  # 월 10만원 ~ 1억원 밖이면 잘못 읽은 것
        raise FieldError(field, text or min_sal, f"급여 금액이 비정상적임 (월 환산 {monthly_lo:,}원)")
    return Salary(kind, monthly_lo, monthly_hi)


# ---------------------------------------------------------------- disability
DISABILITY_BASE_GRADED = ["지체장애", "뇌병변장애", "시각장애", "청각장애", "언어장애", "안면장애", "내부장애", "뇌전증장애"]
DISABILITY_UNGRADED = ["지적장애", "자폐성장애", "정신장애"]
DISABILITY_TYPES: list[str] = [f"{b}({g})" for b in DISABILITY_BASE_GRADED for g in ("경증", "중증")] + DISABILITY_UNGRADED
assert len(DISABILITY_TYPES) == 19
# Not a disability type: the mark a posting carries among its unsuitable types while no extraction of it has
# succeeded. The disability filter's '판정 없음 제외' option (on by default) keeps it from disabled seekers.
VERDICT_UNKNOWN = "판정 없음"

_INTERNAL = ("신장", "심장", "호흡기", "간", "장루", "요루")
# what a file writes for a value it does not have (pandas' and str(None)'s marks, a dash): says nothing
NOT_STATED = {"nan", "NaN", "None", "null", "NULL", "-"}
NOT_DISABLED = {"비장애", "없음", "해당없음"}  # what a seekers file writes for 'no disability'


def states_a_disability(kind: object, grade: object = None) -> bool:
    """Whether a row says anything about a disability: a type or grade written, '없음' included, but not a blank
    or a missing-value mark. A row that says nothing never clears a stored disability (ingest.merge_seekers), and a
    new seeker from it is shown as '장애 정보 없음', not as one without a disability."""
    return any(str(v or "").strip() not in ("", *NOT_STATED) for v in (kind, grade))



def disability_label(kind: object, grade: object = None) -> str | None:
    """('지체', '중증') → '지체장애(중증)'; ('지적장애', _) → '지적장애'; 신장/심장/… → 내부장애.

    '지체장애(중증)', the app's own label, reads as its type and grade. Returns None for an empty type with no
    grade; raises FieldError for a type outside the 장애인복지법 list, and for a grade with no type (a seeker the
    row says is disabled is never stored as one without a disability, whom no disability filter would guard).
    """
    text = str(kind or "").strip()
    g = str(grade or "").strip()
    g = "" if g in NOT_STATED else g  # a grade cell left empty as 'nan' or '-' says nothing, like a blank
    if not text or text in NOT_DISABLED | NOT_STATED:
        if g and g not in NOT_DISABLED:
            raise FieldError("disability_type", kind, f"장애 정도({g})는 있는데 장애유형이 없음")
        return None
    if labelled := re.fullmatch(r"(.+?)\s*\((경증|중증)\)", text):
        if g and _grade(g) != labelled.group(2):  # '심한', '1급' … say 중증 too
            raise FieldError("disability_grade", grade, f"장애유형에 적힌 정도({labelled.group(2)})와 다름")
        text, g = labelled.group(1), labelled.group(2)
    base = text.replace(" ", "")
    base = base.replace("보청장애", "뇌전증장애")  # the paper's typo for 뇌전증
    if base in ("간질", "간질장애"):  # 뇌전증's name before 2014; before the 내부장애 test, which '간' (liver) would take
        base = "뇌전증장애"
    if base.startswith(_INTERNAL):
        base = "내부장애"
    if base in ("자폐", "자폐장애"):  # 자폐성장애 written short
        base = "자폐성장애"
    if not base.endswith("장애"):
        base += "장애"
    if base in DISABILITY_UNGRADED:
        return base
    if base not in DISABILITY_BASE_GRADED:
        raise FieldError("disability_type", kind, "장애인복지법 장애유형이 아님")
    if g := _grade(g):
        return f"{base}({g})"
    raise FieldError("disability_grade", grade, "장애 정도(경증/중증)가 필요함")


def _grade(text: str) -> str:
    """'중증' / '경증' from what a file or an LLM answer writes for the degree of a disability ('심한', '2급',
    '심하지않은 장애' …); '' when unknown."""
    squeezed = re.sub(r"\s+", "", text).removesuffix("장애")
    if squeezed in {"중증", "심한", "심함", "장애의정도가심한", "1", "2", "3", "1급", "2급", "3급"}:
        return "중증"
    if squeezed in {"경증", "심하지않은", "심하지않음", "장애의정도가심하지않은", "4", "5", "6", "4급", "5급", "6급"}:
        return "경증"
    return ""


def clean_text(value: object) -> str:
    """HTML entities decoded, whitespace collapsed; never returns None."""
    if value is None:
        return ""
    text = html.unescape(str(value))
    if text in {"nan", "None"}:
        return ""
    text = re.sub(r"[\ud800-\udfff]", "\ufffd", text)  # a lone surrogate cannot be stored as UTF-8
    return re.sub(r"\s+", " ", text).strip()
