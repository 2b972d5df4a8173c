"""Plain tables of results for the pages, the CLI and CSV export (no Streamlit here)."""
from __future__ import annotations

import pandas as pd

from ..data import keco
from ..data.records import Posting, Seeker
from ..filters import FilterSettings

FILTER_LABELS = {"distance": "거리", "education": "학력", "career": "경력", "disability": "장애유형"}


def explanation_text(expl: dict) -> str:
    if not expl:
        return ""
    if expl.get("type") == "morphemes":
        return "공통 형태소: " + ", ".join(f"{t}({w:.2f})" for t, w in expl["terms"])
    if expl.get("type") == "field_pair":
        return f"'{expl['query']}' ↔ '{expl['item']}' ({expl['similarity']:.2f})"
    if expl.get("type") == "hybrid":
        return " | ".join(explanation_text(v) for v in expl["parts"].values())
    return ""


def posting_row(p: Posting) -> dict:
    return {"구인인증번호": p.wantedAuthNo or p.id.split(":", 1)[-1], "제목": p.title, "회사": p.display_company,
            "지역": p.place.sigungu and f"{p.place.sido} {p.place.sigungu}" or p.display_region,
            "학력": p.education_label, "경력": p.career_label, "급여": p.salary_label,
            "직종": keco.middle_name(p.occupation)}


def seeker_row(s: Seeker) -> dict:
    """No personal identifiers: an opaque id, age band, region, wishes, disability type."""
    return {"구직자": s.id.split(":", 1)[-1], "연령대": s.age_band, "희망지역": s.desired_region,
            "희망직종": s.desired_job_name or keco.middle_name(s.desired_occupation), "학력": s.education_label,
            "경력": s.career_label, "장애유형": s.disability_type or "-"}


def result_frame(corpus, result, target: str) -> pd.DataFrame:
    rows = []
    for rec in result.items:
        item = corpus.get(rec.item_id)
        base = posting_row(item) if target == "posting" else seeker_row(item)
        rows.append({"순위": rec.rank, **base,
                     "거리(km)": None if rec.distance_km is None else round(rec.distance_km, 1),
                     "점수": round(rec.score, 4),
                     "필터": " · ".join(f"{FILTER_LABELS[k]} {v}" for k, v in rec.filters_passed.items()),
                     "근거": explanation_text(rec.explanation), "id": rec.item_id})
    return pd.DataFrame(rows)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV injection)."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM so Excel opens Korean correctly; posting text is untrusted, so no cell can be a formula."""
    return frame.map(neutralise).to_csv(index=False).encode("utf-8-sig")


def filter_summary(corpus, result, query, target: str, filters: FilterSettings) -> str:
    """'후보 5,000건 → 필터 통과 312건; 거리 필터로 4,444건 제외; 30 km이면 +503건': what the filters did and the nearest fix."""
    parts = [f"후보 {result.report.total:,}건 → 필터 통과 {result.report.kept:,}건"]
    for name, n in result.report.removed.items():
        if n:
            parts.append(f"{FILTER_LABELS[name]} 필터로 {n:,}건 제외")
    if filters.distance and result.report.radius_km:
        wider = FilterSettings(**{**filters.__dict__, "capital_km": filters.capital_km + 10,
                                  "other_km": filters.other_km + 10})
        _, rep = corpus.candidates(query, target, wider)
        parts.append(f"{result.report.radius_km + 10:.0f} km이면 +{rep.kept - result.report.kept:,}건")
    return "; ".join(parts)
