"""Posting and Seeker records.

Raw fields keep the 고용24 and KEAD API names (so a reader is a plain mapping and nothing is lost);
the normalised fields below them are what filters and models use.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from typing import ClassVar

from . import keco
from .kinds import Kind
from .normalize import EDUCATION_LABELS, Career, Education, Salary

WORKNET_LIST_FIELDS = ["wantedAuthNo", "company", "busino", "indTpNm", "title", "salTpNm", "sal", "minSal",
                       "maxSal", "region", "holidayTpNm", "minEdubg", "maxEdubg", "career", "regDt", "closeDt",
                       "zipCd", "basicAddr", "detailAddr", "empTpCd", "jobsCd", "smodifyDtm"]
WORKNET_DETAIL_FIELDS = ["jobCont", "eduNm", "enterTpNm", "major", "certificate", "pfCond", "etcPfCond",
                         "workRegion", "workdayWorkhrCont", "disableCvntl", "relJobsNm", "keywordList"]
KEAD_FIELDS = ["busplaName", "compAddr", "empType", "enterType", "jobNm", "reqCareer", "reqEduc", "reqMajor",
               "reqLicens", "salary", "salaryType", "termDate", "envBothHands", "envEyesight", "envHandWork",
               "envLiftPower", "envLstnTalk", "envStndWalk"]
ENV_FIELDS = ["envBothHands", "envEyesight", "envHandWork", "envLiftPower", "envLstnTalk", "envStndWalk"]
ENV_LABELS = {"envBothHands": "양손 사용", "envEyesight": "시력", "envHandWork": "손 작업", "envLiftPower": "드는 힘",
              "envLstnTalk": "듣고 말하기", "envStndWalk": "서기·걷기"}

DISABILITY_SEP = " + "  # between the labels of a seeker's filter cell (`Seeker.filter_disability`, `disabilities`)


def disabilities(cell: str) -> list[str]:
    """The disability labels a filter cell holds: a seeker with a 부장애 is checked against each."""
    return [d for d in cell.split(DISABILITY_SEP) if d] if cell else []


# what the rejects tables call a field: its Korean name, then the column name the file itself uses
FIELD_LABELS = {
    "title": "구인제목", "company": "회사", "busplaName": "회사", "sal": "급여", "salary": "급여", "salTpNm": "급여 형태",
    "salaryType": "급여 형태", "minSal": "최소 급여", "maxSal": "최대 급여", "minEdubg": "학력", "maxEdubg": "학력",
    "eduNm": "학력", "reqEduc": "학력", "education": "학력", "career": "경력", "enterTpNm": "경력", "reqCareer": "경력",
    "enterType": "경력", "jobsCd": "직종코드", "jobNm": "직종명", "relJobsNm": "관련 직종", "regDt": "등록일",
    "registered": "등록일", "closeDt": "마감일", "termDate": "마감일", "region": "지역", "basicAddr": "주소",
    "workRegion": "근무지역", "compAddr": "주소", "desired_region": "희망지역", "desired_occupation": "희망직종 코드",
    "desired_job_name": "희망직종", "age_band": "연령대", "disability_type": "장애유형", "disability_grade": "장애 정도",
    "secondary_disability": "부장애유형", "secondary_disability_grade": "부장애 정도",
    "key": "키", "row": "행 전체", "file": "파일", "jobCont": "직무내용", "wantedAuthNo": "구인인증번호",
}


def field_label(name: str) -> str:
    """'급여 (sal)' for a field the rejects name; a name JobLens does not know (a file's own column) as it is."""
    return f"{FIELD_LABELS[name]} ({name})" if name in FIELD_LABELS else name


@dataclass
class Place:
    """Where a record sits. `geo_status` is 'ok' or 'unplaced'; `geo_note` says why when unplaced."""

    sido: str | None = None
    sigungu: str | None = None
    lat: float | None = None
    lon: float | None = None
    geo_level: str | None = None
    geo_status: str = "unplaced"
    geo_note: str = ""


class JsonRecord:
    """Shared by Posting and Seeker: its 직종 categories, a stable text hash and a JSON round trip for the store."""

    def text(self) -> str:
        raise NotImplementedError

    @property
    def occupation_code(self) -> str:
        """The posting's 직종 code, or the seeker's desired one (any level: 2, 3 or 6 characters)."""
        raise NotImplementedError

    @property
    def major_code(self) -> str | None:
        return keco.major_of(self.occupation_code)

    @property
    def middle_code(self) -> str | None:
        return keco.middle_of(self.occupation_code)

    @property
    def official_code(self) -> str:
        """The 직종 code the record came with ('' when W-BERT or an analyst gave the one it has, #25): what an
        evaluation grades by and what a disability judgment reads."""
        return "" if getattr(self, "occupation_source", "") else self.occupation_code

    @property
    def judged_code(self) -> str:
        """The 직종 code a disability judgment reads: the record's own or one an analyst confirmed, never W-BERT's
        guess (a guess is no evidence of what the work demands)."""
        return "" if self.code_predicted else self.occupation_code

    @property
    def code_predicted(self) -> bool:
        """The record's 직종 is W-BERT's guess, not yet confirmed by an analyst: every view says 예측."""
        return getattr(self, "occupation_source", "") == "predicted" and bool(self.occupation_code)

    def text_hash(self) -> str:
        return hashlib.sha1(self.text().encode("utf-8")).hexdigest()

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str):
        data = json.loads(text)
        data["place"] = Place(**data.get("place", {}))
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


# how `text()` composes a record's text: a stored list ranked on texts composed otherwise is not served (raise it
# whenever either `text()` changes; cached vectors are keyed by the text itself and need nothing)
TEXT_VERSION = 2  # 2: a seeker's text no longer names its disability type


@dataclass
class Posting(JsonRecord):
    kind: ClassVar[Kind] = Kind.POSTING
    id: str  # '<source>:<natural key>'
    source: str
    synthetic: bool = False
    # 고용24 list fields
    wantedAuthNo: str = ""
    company: str = ""
    busino: str = ""
    indTpNm: str = ""
    title: str = ""
    salTpNm: str = ""
    sal: str = ""
    minSal: str = ""
    maxSal: str = ""
    region: str = ""
    holidayTpNm: str = ""
    minEdubg: str = ""
    maxEdubg: str = ""
    career: str = ""
    regDt: str = ""
    closeDt: str = ""
    zipCd: str = ""
    basicAddr: str = ""
    detailAddr: str = ""
    empTpCd: str = ""
    jobsCd: str = ""
    smodifyDtm: str = ""  # 최종수정일: a sync fetches the detail again only when it moves
    # 고용24 detail fields that matter for matching
    jobCont: str = ""
    eduNm: str = ""
    enterTpNm: str = ""
    major: str = ""
    certificate: str = ""
    pfCond: str = ""
    etcPfCond: str = ""
    workRegion: str = ""
    workdayWorkhrCont: str = ""
    disableCvntl: str = ""
    relJobsNm: str = ""
    keywordList: str = ""
    # KEAD 장애인 구인 fields
    busplaName: str = ""
    compAddr: str = ""
    empType: str = ""
    enterType: str = ""
    jobNm: str = ""
    reqCareer: str = ""
    reqEduc: str = ""
    reqMajor: str = ""
    reqLicens: str = ""
    salary: str = ""
    salaryType: str = ""
    termDate: str = ""
    envBothHands: str = ""
    envEyesight: str = ""
    envHandWork: str = ""
    envLiftPower: str = ""
    envLstnTalk: str = ""
    envStndWalk: str = ""
    # normalised
    edu_min: int = 0
    career_kind: str = "either"
    career_months: int = 0
    wage_type: str = "negotiable"
    wage_min_month: int | None = None
    wage_max_month: int | None = None
    occupation: str = ""  # KECO code as given (6, 3 or 2 characters)
    occupation_source: str = ""  # '' as given; 'predicted' by W-BERT auto-coding; 'reviewed' by an analyst (#25)
    reg_date: str = ""  # ISO registration date ('오늘 등록' on the corpus page)
    close_date: str = ""  # ISO closing date, '' when open-ended (채용시까지) or unknown
    closed: bool = False  # marked by a sync once close_date has passed: kept for history, never recommended
    # absent from the last complete listing of its API (withdrawn, or filled before its date): never recommended;
    # cleared when a listing holds it again (a list is re-read whole, so an API that caps it must not cost a posting)
    withdrawn: bool = False
    place: Place = field(default_factory=Place)

    @property
    def closing_label(self) -> str:
        """마감일 as pages, CSVs and the sheet show it. A synthetic posting never closes (its made-up dates are
        fixed, or the demo would empty), so its date is not shown as a deadline: a recommended demo posting once
        read '마감일 2026-12-01' on the 4th, and the printed sheet said so too."""
        return "데모 공고 (마감 없음)" if self.synthetic else self.close_date

    def expired_on(self, day: str) -> bool:
        """A real posting whose closing date is before `day` (ISO); a synthetic one keeps its made-up dates, and
        an open-ended one (채용시까지) never expires."""
        return bool(day and not self.synthetic and self.close_date and self.close_date < day)

    @property
    def display_company(self) -> str:
        return self.company or self.busplaName

    @property
    def display_region(self) -> str:
        return self.region or self.workRegion or self.compAddr or self.basicAddr

    @property
    def occupation_code(self) -> str:
        return self.occupation

    @property
    def education_label(self) -> str:
        return EDUCATION_LABELS[Education(self.edu_min)]

    @property
    def career_label(self) -> str:
        return Career(self.career_kind, self.career_months).label

    @property
    def salary_label(self) -> str:
        return Salary(self.wage_type, self.wage_min_month, self.wage_max_month).label

    def text(self) -> str:
        """The fields the paper embeds: title, duties, qualifications, preferences, environment."""
        parts = [self.title, self.jobNm, self.relJobsNm, self.jobCont, self.major or self.reqMajor,
                 self.certificate or self.reqLicens, self.pfCond, self.etcPfCond, self.keywordList,
                 self.disableCvntl]
        parts += [f"{ENV_LABELS[f]} {getattr(self, f)}" for f in ENV_FIELDS if getattr(self, f)]
        return " ".join(p for p in parts if p)



@dataclass
class Seeker(JsonRecord):
    """A job seeker without personal identifiers: the fields a counselor's matching needs."""

    kind: ClassVar[Kind] = Kind.SEEKER
    id: str
    source: str
    synthetic: bool = False
    age_band: str = ""
    disability_type: str = ""  # one of the 19 labels, e.g. '지체장애(중증)'; '' if none
    # whether the row said anything about a disability (a type, or '없음'): a later row that says nothing never
    # blanks a stored disability (ingest.merge_seekers), which would switch the disability filter off for the seeker
    disability_stated: bool = True
    # a 부장애 (secondary disability, one of the 19 labels): filtered like the main one, since a posting unsuitable
    # for either is unsuitable for the seeker (a file's 부장애 column was once dropped without a word)
    secondary_disability: str = ""
    secondary_disability_stated: bool = False  # the row had a 부장애 column with a value ('없음' clears a stored one)
    education: str = ""  # raw text
    edu_level: int = 0
    education_known: bool = False
    major: str = ""
    certificates: str = ""
    desired_occupation: str = ""  # KECO code (major, middle or detailed)
    desired_job_name: str = ""
    occupation_source: str = ""  # '' as given; 'predicted' by W-BERT auto-coding; 'reviewed' by an analyst (#25)
    desired_duties: str = ""
    desired_region: str = ""
    desired_wage: str = ""
    career_kind: str = "new"  # 'new' or 'experienced'
    career_months: int = 0
    registered: str = ""
    place: Place = field(default_factory=Place)

    @property
    def occupation_code(self) -> str:
        return self.desired_occupation

    @property
    def filter_disability(self) -> str:
        """Every disability the filters check, main first, in one cell ('지적장애(중증) + 시각장애(중증)')."""
        return DISABILITY_SEP.join(d for d in (self.disability_type, self.secondary_disability) if d)

    @property
    def disability_text(self) -> str:
        """The disability as a counselor reads it: its type, '없음' when the record said so, '정보 없음' when the
        record did not say (such a seeker is filtered as one without a disability: ask, and correct the record)."""
        main = self.disability_type or ("없음" if self.disability_stated else "정보 없음")
        return f"{main} · 부장애 {self.secondary_disability}" if self.secondary_disability else main

    @property
    def education_label(self) -> str:
        return EDUCATION_LABELS[Education(self.edu_level)] if self.education_known else "정보 없음"

    @property
    def career_label(self) -> str:
        return "신입" if self.career_kind == "new" else Career("experienced", self.career_months).label

    def text(self) -> str:
        """Desired occupation, duties, major, certificates and, for a disabled seeker, '장애인 채용' (the paper's
        query). The type itself stays out: its name matched the job words it shares ('시각장애' → '시각 디자이너',
        '지적장애' → '지적 측량', '언어장애' → '언어치료사'), so a blind welder's list opened on design jobs. Which
        postings suit the type is the disability filter's to decide."""
        parts = [self.desired_job_name, keco.middle_name(self.desired_occupation) if self.middle_code else "",
                 self.desired_duties, self.major, self.certificates,
                 "장애인 채용" if self.filter_disability else ""]
        return " ".join(p for p in parts if p)


