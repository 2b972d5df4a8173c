"""What an analyst needs to judge a pair: duties, conditions, place and distance, in plain Korean lines."""
from __future__ import annotations

from ..data import keco
from ..data.normalize import career_phrase, education_phrase
from ..data.records import Posting, Seeker
from ..geo.naming import seeker_region
from ..geo.places import haversine_km
from .relevance import occupation_label

DUTY_CHARS = 220  # a card shows this much of the duties; the whole text is one click away in the record pages


def _short(text: str, limit: int = DUTY_CHARS) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def distance_text(query, item) -> str:
    """'12.3 km', '같은 시군구' when both sit in one 시군구, or '위치 미상'."""
    a, b = query.place, item.place
    if a.sido and a.sigungu and (a.sido, a.sigungu) == (b.sido, b.sigungu):
        return "같은 시군구"
    if None in (a.lat, a.lon, b.lat, b.lon):
        return "위치 미상"
    return f"{float(haversine_km(a.lat, a.lon, [b.lat], [b.lon])[0]):.1f} km"


def place_text(record) -> str:
    if isinstance(record, Seeker):
        return seeker_region(record) or "지역 미상"
    p = record.place
    return " ".join(x for x in (p.sido, p.sigungu) if x) or getattr(record, "display_region", "") or "지역 미상"


def judging_card(query, item) -> dict[str, str]:
    """The lines a blind-queue card shows for `item` under `query` (no model, rank or score)."""
    if isinstance(item, Posting):
        conditions = [item.salary_label, item.workdayWorkhrCont, item.empType or item.holidayTpNm,
                      education_phrase(item.education_label), career_phrase(item.career_label)]
        return {"제목": item.title or keco.middle_name(item.occupation) or "제목 없음",
                "직종": occupation_label(item) or "미분류",
                "직무": _short(item.jobCont) or "직무 설명 없음",
                "조건": " · ".join(c for c in conditions if c and c.strip()),
                "근무지": place_text(item), "거리": distance_text(query, item)}
    assert isinstance(item, Seeker), type(item)
    conditions = [f"희망임금 {item.desired_wage}" if item.desired_wage else "", education_phrase(item.education_label),
                  career_phrase(item.career_label), item.filter_disability]
    return {"제목": item.desired_job_name or keco.middle_name(item.desired_occupation) or "희망직종 미상",
            "직종": occupation_label(item) or "미분류",
            "직무": _short(item.desired_duties) or "희망 직무 설명 없음",
            "조건": " · ".join(c for c in conditions if c),
            "근무지": place_text(item),
            "거리": distance_text(query, item)}
