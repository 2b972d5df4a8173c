"""Personal data masked before any text leaves the machine: resident numbers, e-mails, phone numbers,
contact names and addresses below 읍면동 (building and unit included).

Why this shape: phone numbers come in too many written forms (+82, (02), 031), 1588-, U+2010 hyphens,
fullwidth digits) for a hand-written pattern, so Google's libphonenumber (`phonenumbers`, VALID leniency)
finds them; it leaves wages, dates and codes alone. Korean-specific kinds (주민등록번호, 담당자 names,
도로명·지번 addresses, digits spelt in Hangul) have no maintained library that works offline, so they are
patterns here, measured by `bench/bench_pii.py` (recall per kind on a planted corpus, false positives on
real postings). The text is NFKC-normalised first, so fullwidth and compatibility forms read as ASCII.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date

import phonenumbers

_DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
_HANGUL_DIGITS = {"공": "0", "영": "0", "일": "1", "이": "2", "삼": "3", "사": "4", "오": "5", "육": "6", "칠": "7",
                  "팔": "8", "구": "9"}
_HD = "[공영일이삼사오육칠팔구]"
# a phone spelt (partly) in Hangul digits: three groups, at least one of them Hangul ('공일공-1234-5678')
_SPELT_PHONE = re.compile(rf"(?<![가-힣\d])(?:{_HD}{{2,4}}|\d{{2,4}})(?:[\s.-]+(?:{_HD}{{3,4}}|\d{{3,4}})){{2}}(?![가-힣\d])")
_RRN = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{2})\s*[-–—]?\s*([1-8])\d{6}(?!\d)")
_TLD = r"(?:com|net|org|kr|co\.kr|or\.kr|go\.kr|ac\.kr|re\.kr|ne\.kr|io|biz|info)"
# Every repeat is bounded (a mailbox is ≤ 64 characters, a domain label ≤ 63, a road name ≤ 30 syllables): with
# unbounded runs each start position scanned to the end of a long word, and masking 40,000 characters took 51 s.
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}"
                    # 'hong @ hanbit.co.kr': spaces around '@' (the domain then in ASCII, so '09:00 @ 본사' stays)
                    r"|[\w.+-]{1,64}\s{1,3}@\s{0,3}[A-Za-z0-9-]{1,63}(?:\s{0,3}\.\s{0,3}[A-Za-z0-9-]{1,63}){1,8}"
                    r"|[\w.+-]{1,64}@\s{1,3}[A-Za-z0-9-]{1,63}(?:\s{0,3}\.\s{0,3}[A-Za-z0-9-]{1,63}){1,8}"
                    rf"|[\w.+-]{{1,64}}\s{{0,3}}(?:\[at\]|\(at\)|\{{at\}}|<at>|\sat\s|골뱅이)\s{{0,3}}[\w-]{{1,63}}"
                    rf"(?:\s{{0,3}}(?:\.|\[dot\]|\(dot\)|\sdot\s)\s{{0,3}}[\w-]{{1,63}}){{0,6}}"
                    rf"\s{{0,3}}(?:\.|\[dot\]|\(dot\)|\sdot\s)\s{{0,3}}{_TLD}\b", re.IGNORECASE)
_SURNAMES_2 = "남궁|황보|제갈|선우|독고|사공|서문|동방|어금|망절|강전|소봉"
_COMMON_SURNAMES = ("김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진지엄채원천방공현함변염"
                    "여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용")
_LATIN_NAME = r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+){1,2}"
_KOREAN_NAME = rf"(?:(?:{_SURNAMES_2})\s?[가-힣]{{1,2}}|[가-힣]{{2,4}})"
_FULL_NAME = rf"(?:{_LATIN_NAME}|(?:{_SURNAMES_2})\s?[가-힣]{{1,2}}|[{_COMMON_SURNAMES}][가-힣]{{2}})"
_JOB_TITLES = r"(?:과장|대리|주임|팀장|부장|차장|실장|매니저|컨설턴트|책임|선임|수석|소장|원장|본부장|이사)"
_TITLES = rf"(?:{_JOB_TITLES}|사원|대표|선생님|님)"
_NAME_END = r"(?=\s*" + _TITLES + r"|[\s,./()\]]|$)"
# A strong label names a person by itself ('담당자 김철수'); a weak one ('담당', '문의', '연락처') also starts
# ordinary words ('담당업무', '문의 주시면'). With ':' after either, any 2–4 syllables are the name; with only a
# space, a latin name, or a full name followed by a job title ('연락처 이영희 과장'), so '담당자 정규직 모집' stays.
_LABEL = r"(?:채용\s*담당자?|인사\s*담당자?|담당자명?|담당|연락처|문의처?|성명|이름|Contact|Manager|HR)"
_NOT_NAMES = {"업무", "부서", "전화", "번호", "사항", "메일", "이메일", "직원", "채용", "없음", "바랍니다", "주세요", "제반",
              "기사", "요망", "가능", "환영", "우대", "관리", "상담", "접수", "안내", "전용", "모집", "인사팀", "총무팀",
              "서비스", "백엔드", "프론트", "마케팅", "주방장", "관리자", "현장", "영업", "매장", "지점", "본사", "센터장"}
_DEPARTMENT = r"(?:[가-힣A-Za-z]{1,20}(?:팀|부|과|실|센터|본부|사업부)\s{1,3})?"  # '담당자 : 인재채용팀 엄세현'
_NAME_AFTER_LABEL = re.compile(
    rf"({_LABEL}[\])]?)(\s*[:：]\s*{_DEPARTMENT})(?!\[)({_LATIN_NAME}|{_KOREAN_NAME}){_NAME_END}"
    rf"|({_LABEL}[\])]?)(\s+{_DEPARTMENT})(?!\[)({_LATIN_NAME}(?={_NAME_END[3:]}|{_FULL_NAME}(?=\s*{_TITLES}))")
# A full name (surname + two syllables, or a two-syllable surname) right after a label with no job title, in
# the forms people type: '인사담당자 김철수', '연락처 김철수', '담당자(김철수)', '담당자 - 김철수', '담당자 [김철수]'.
# Only a full name here: '연락처(필수)' and '담당(업무)' stay, and ordinary three-syllable words that look
# like one ('정규직') are listed or end like a word (…직, …항, …처).
_NAME_AFTER_LABEL_LOOSE = re.compile(
    rf"({_LABEL}[\])]?)((?:\s{{0,3}}(?:[(\[【]|-)\s{{0,3}}|\s{{1,3}}){_DEPARTMENT})({_FULL_NAME})"
    r"(?=\s*(?:" + _TITLES + r")|[\s,./()\]】:-]|\d|$)")
_WORDS_LIKE_NAMES = {"정규직", "계약직", "사무직", "생산직", "기술직", "관리직", "영업직", "전문직", "일용직", "임시직",
                     "우대사항", "전화번호", "연락처", "채용시", "모집중", "이메일", "문의처", "기타사항", "고용형태"}


def _mask_name_loose(m: re.Match) -> str:
    name = m.group(3)
    if name in _NOT_NAMES or name in _WORDS_LIKE_NAMES or name[-1] in "직항처팀부과실":
        return m.group(0)
    return f"{m.group(1)}{m.group(2)}[담당자]"


# A full name then a job title ('김철수 과장', '남궁 민수 대리에게'); the name may not end like a team or a
# department ('시설팀 팀장', '조리 실장' stay).
_NAME_BEFORE_TITLE = re.compile(
    rf"(?<![가-힣A-Za-z])({_LATIN_NAME}|(?:{_SURNAMES_2})\s?[가-힣]{{1,2}}|[{_COMMON_SURNAMES}][가-힣][가-힣](?<![팀부과실소국처단]))"
    rf"(\s{_JOB_TITLES})"
    r"(?=(?:님|에게|께서?|한테|이|가|은|는|을|를|과|와|으로|로|의)?(?![가-힣]))")


def _mask_name(m: re.Match) -> str:
    label, sep, name = (m.group(1), m.group(2), m.group(3)) if m.group(1) is not None else m.group(4, 5, 6)
    return m.group(0) if name in _NOT_NAMES else f"{label}{sep}[담당자]"


def _mask_name_before_title(m: re.Match) -> str:
    return m.group(0) if m.group(1) in _NOT_NAMES else f"[담당자]{m.group(2)}"


_UNIT = r"(?:\s*,?\s*(?:[가-힣A-Za-z0-9]*(?:빌딩|타워|센터|아파트|오피스텔|빌라|프라자|플라자|상가|회관|관|빌)\b)?" \
        r"\s*(?:[A-Za-z]?\d{1,3}\s*동|지하\s*\d+\s*층|\d{1,3}\s*층|[A-Za-z]?\d{1,5}\s*호|B\d{1,2}))*"
_NOT_AN_ADDRESS_NUMBER = r"(?![\d.,]*\s*(?:[:~]|대|호봉|명|년|개월|만|원|%|세|시간|분|일|회|kg|Kg|km))"  # '4대보험', '1호봉'
_ROAD = re.compile(r"([가-힣0-9]{1,30}(?:로|길)(?:\s{0,3}\d{1,4}번?길)?)\s{0,3}(?:지하\s{0,3})?\d{1,5}(?:-\d{1,4})?(?!\d*번?길)"
                   + _NOT_AN_ADDRESS_NUMBER
                   + _UNIT + r"(?:\s*\([가-힣0-9\s,·]+\))?")
_JIBUN = re.compile(r"((?:[가-힣]{1,20}[시군구]\s{1,3})?[가-힣]{1,6}\d?(?:동|읍|면|리|가))\s+(산\s*)?\d{1,5}(-\d{1,4})?(\s*번지)?"
                    r"(?![\d.,]*\s*(?:명|년|개월|만|원|%|세|시간|분|일|회|kg|Kg|km|학년|차|순위|위|등|번째|건|개))" + _UNIT)


_ADDRESS_CONTEXT = re.compile(r"[가-힣]+(?:시|군|구|읍|면|동)\s+$|(?:근무지|주소|위치|장소|소재지|근무처)\s*[:：]?\s*$")


def _mask_road(m: re.Match) -> str:
    """'테헤란로 516 5층': a road name right after a 시군구/읍면동 word or an address label. Korean is full of
    words ending in 로 ('본사로 4대보험', '다르므로 1호봉'), so a road name with no such context stays."""
    before = m.string[max(0, m.start() - 30):m.start()]
    return f"{m.group(1)} [상세주소]" if _ADDRESS_CONTEXT.search(before) else m.group(0)


def _mask_jibun(m: re.Match) -> str:
    """'역삼동 737-32', '강남구 역삼동 737', '역삼동 산 12', '역삼동 737번지': a place word alone followed by a
    bare number ('회원관리 1') is not an address."""
    place, mountain, sub_number, bunji = m.group(1), m.group(2), m.group(3), m.group(4)
    if re.match(r"[가-힣]+[시군구]\s", place) or mountain or sub_number or bunji:
        return f"{place} [상세주소]"
    return m.group(0)


def normalise(text: str) -> str:
    """NFKC (fullwidth digits, ＠, compatibility forms) and one hyphen for the many dashes people type."""
    return _DASHES.sub("-", unicodedata.normalize("NFKC", text))


RRN_MASK = "[주민번호]"


def mask_rrn(text: str) -> str:
    """`text` with its resident numbers masked (and nothing else: a message or a key keeps its other numbers)."""
    return _RRN.sub(_mask_rrn, normalise(text))


def _mask_rrn(m: re.Match) -> str:
    yy, mm, dd, gender = int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4))
    century = {1: 1900, 2: 1900, 5: 1900, 6: 1900, 3: 2000, 4: 2000, 7: 2000, 8: 2000}[gender]
    try:
        date(century + yy, mm, dd)
    except ValueError:  # 13 digits that are no birth date: a code, not a resident number
        return m.group(0)
    return RRN_MASK


_KR_PHONE_SHAPE = re.compile(r"(?:01[016789]\d{7,8}|0(?:2|[3-6][1-5])\d{7,8}|050\d{8,9}|070\d{8}|1[5-9]\d{6})")
_DATE_LIKE = re.compile(r"^\d{2,4}[-./]\d{1,2}[-./]\d{1,2}$")


def _is_phone(match) -> bool:
    """A possible number (libphonenumber) in a Korean phone shape: mobile, area code, 050x, 070, 15xx–19xx.
    Not libphonenumber's VALID verdict alone: it marks real-looking blocks unassigned (010-5xxx), which a masker
    must not leak, and calls a business number (123-45-67890) valid, which must stay."""
    if _DATE_LIKE.match(match.raw_string.strip()) or len(re.sub(r"\D", "", match.raw_string)) < 8:
        return False  # a date, or too short for any Korean number ('봉은사로 541 10층')
    national = "0" + str(match.number.national_number) if match.number.country_code == 82 else ""
    return bool(_KR_PHONE_SHAPE.fullmatch(national) or _KR_PHONE_SHAPE.fullmatch(national[1:]))


def _mask_phones(text: str) -> tuple[str, int]:
    found = phonenumbers.PhoneNumberMatcher(text, "KR", leniency=phonenumbers.Leniency.POSSIBLE)
    # digits glued to an identifier ('news_no=MM1004490371') are part of it, not a phone number
    spans = [(m.start, m.end) for m in found if _is_phone(m) and not re.match(r"[A-Za-z0-9_=/]", text[m.start - 1:m.start])]
    for m in _SPELT_PHONE.finditer(text):
        if not re.search(_HD, m.group(0)):
            continue
        digits = "".join(_HANGUL_DIGITS.get(c, c) for c in m.group(0) if c.isdigit() or c in _HANGUL_DIGITS)
        try:
            number = phonenumbers.parse(digits, "KR")
            if phonenumbers.is_possible_number(number) and _KR_PHONE_SHAPE.fullmatch(digits):
                spans.append((m.start(), m.end()))
        except phonenumbers.NumberParseException:
            pass
    parts, at = [], 0  # one pass: cutting the string once per number was quadratic in the number of numbers
    for start, end in sorted(spans):
        if start >= at:
            parts += [text[at:start], "[전화번호]"]
            at = end
    return "".join(parts) + text[at:], len(spans)


Masker = Callable[[str], tuple[str, int]]

_EMAIL_MARKER = re.compile(r"@|at|골뱅이", re.IGNORECASE)


def _mask_emails(text: str) -> tuple[str, int]:
    """E-mails, looked for only around an '@' / 'at' / '골뱅이' (a mailbox is ≤ 64 characters before it, a domain
    a few hundred after): trying the pattern at every position of a 40,000-character text cost seconds."""
    windows: list[list[int]] = []
    for m in _EMAIL_MARKER.finditer(text):
        start, end = max(0, m.start() - 72), min(len(text), m.end() + 600)
        if windows and start <= windows[-1][1]:
            windows[-1][1] = end
        else:
            windows.append([start, end])
    parts, at, changed = [], 0, 0
    for start, end in windows:
        masked, n = _EMAIL.subn("[이메일]", text[start:end])
        parts += [text[at:start], masked]
        at, changed = end, changed + n
    return "".join(parts) + text[at:], changed


def _sub(pattern: re.Pattern, repl: str | Callable[[re.Match], str]) -> Masker:
    """A masker from a pattern; counts only the matches it really changed (a callable may keep one)."""
    def mask(text: str) -> tuple[str, int]:
        changed = 0

        def replace(m: re.Match) -> str:
            nonlocal changed
            out = repl(m) if callable(repl) else m.expand(repl)
            changed += out != m.group(0)
            return out
        return pattern.sub(replace, text), changed
    return mask


MASKERS: list[tuple[str, Masker]] = [
    ("주민등록번호", _sub(_RRN, _mask_rrn)),
    ("이메일", _mask_emails),
    ("전화번호", _mask_phones),
    ("담당자", _sub(_NAME_AFTER_LABEL, _mask_name)),
    ("담당자", _sub(_NAME_AFTER_LABEL_LOOSE, _mask_name_loose)),
    ("담당자", _sub(_NAME_BEFORE_TITLE, _mask_name_before_title)),
    ("상세주소", _sub(_ROAD, _mask_road)),
    ("지번", _sub(_JIBUN, _mask_jibun)),
]


def mask_pii(text: str) -> tuple[str, dict[str, int]]:
    """(masked text, count per kind). Order matters: resident numbers and e-mails before phones (their digits
    and domains would otherwise be half-read as phones), names before addresses."""
    text = normalise(text)
    counts: dict[str, int] = {}
    for name, masker in MASKERS:
        text, n = masker(text)
        if n:
            counts[name] = counts.get(name, 0) + n
    return text, counts
