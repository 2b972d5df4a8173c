"""What a counselor reads about each list item: is it above the relevance floor, and why is it there, in facts.

    relevant(query, item, 적합도, floor)      # above the floor: shown before the '여기부터 다른 직종' divider
    plain_reason(query, item, rec)          # '같은 직종(요양보호사) · 16 km · 학력무관 충족 · 장애유형 제외 사유 없음'

The floor is facts first, then the calibrated scale: an item of the query's own middle 직종 is always above it and
one of another major category always below (the divider says '다른 직종', so it must be true); between the two (same
major, another middle category) and when a code is missing, the item's 적합도 decides against the floor chosen on
dev (`core.evaluation.calibration.choose_floor`).
"""
from __future__ import annotations

from ..data import keco
from ..geo.naming import distance_text

DIVIDER = "여기부터 다른 직종"


def relevant(query, item, strength: int | None, floor: int) -> bool:
    """True when the item belongs above the relevance floor (see the module docstring)."""
    q_middle, q_major = getattr(query, "middle_code", None), getattr(query, "major_code", None)
    i_middle, i_major = getattr(item, "middle_code", None), getattr(item, "major_code", None)
    if q_middle and q_middle == i_middle:
        return True
    if q_major and i_major and q_major != i_major:
        return False
    return strength is None or strength >= floor


def predicted_mark(*records) -> str:
    """' (예측)' when any of `records` holds a 직종 W-BERT guessed (#25): a comparison built on a guess says so."""
    return " (예측)" if any(getattr(r, "code_predicted", False) for r in records) else ""


def occupation_label(record) -> str:
    """The record's middle 직종 name, with '(예측)' when W-BERT auto-coding gave it (#25); '' when unknown."""
    code = record.occupation_code
    name = keco.middle_name(code) if code else ""
    return name + predicted_mark(record) if name else ""


def occupation_phrase(query, item) -> str:
    """'같은 직종(요양보호사)' / '비슷한 직종(보건·의료직)' / '다른 직종(재단사)', from the code table, with ' (예측)'
    when either code is W-BERT's guess; '' when unknown."""
    q_middle, q_major = getattr(query, "middle_code", None), getattr(query, "major_code", None)
    i_middle, i_major = item.middle_code, item.major_code
    if not i_major or not q_major:
        return ""
    if q_middle and q_middle == i_middle:
        phrase = f"같은 직종({keco.middle_name(i_middle)})"
    elif q_major == i_major:
        phrase = f"비슷한 직종({keco.majors().get(i_major, i_major)})"
    else:
        phrase = f"다른 직종({keco.middle_name(i_middle) if i_middle else keco.majors().get(i_major, i_major)})"
    return phrase + predicted_mark(query, item)


def plain_reason(query, item, rec) -> str:
    """Why an item is in the list, in facts a counselor can check: occupation, distance, each filter it passed.
    Model evidence (shared morphemes, field similarity) is not here: analysts open it apart."""
    parts = [occupation_phrase(query, item)]
    if rec.distance_km is not None:  # '같은 시군구' where both sit on its centre ('1 km 이내' was false there); the
        # distance as the filter badge beside it writes it ('10 km' beside '거리 10.4 km' read as two figures)
        parts.append(distance_text(rec.distance_km, getattr(query, "place", None), getattr(item, "place", None)))
    passed = rec.filters_passed
    if "education" in passed:
        required = item.education_label if hasattr(item, "edu_min") else query.education_label
        parts.append(f"학력 {required.removeprefix('학력')} 충족" if required != "학력무관" else "학력 무관")
    if "career" in passed:
        career = passed["career"].removesuffix(" ✓")
        parts.append({"관계없음": "경력 무관", "신입": "신입 가능", "경력": "경력 충족"}.get(career, career))
    if "disability" in passed:
        parts.append("장애유형 제외 사유 없음")
    return " · ".join(p for p in parts if p)
