"""How a place and a distance read to a counselor: '부산 동구' (never a bare '동구', which six 시도 have), and
'같은 시군구' where two records are known only to their 시군구 (both sit on its centre, so '0 km' would be false)."""
from __future__ import annotations

from itertools import takewhile

from ..text.pii import mask_pii
from .places import SIDO_SHORT

SAME_SIGUNGU = "같은 시군구"


def place_name(place, fallback: str = "") -> str:
    """'부산 동구' from a record's place (sido, sigungu); the 시도 alone when that is all that is known."""
    sido = getattr(place, "sido", None)
    sigungu = getattr(place, "sigungu", None)
    short = SIDO_SHORT.get(sido, sido) if sido else ""
    if sigungu and short and short != sigungu:
        return f"{short} {sigungu}"
    return sigungu or short or fallback


def seeker_region(seeker) -> str:
    """A seeker's region as every view shows it: the place's 시도·시군구 ('서울 강남구'), never what the file wrote
    in 희망지역, which may be where the seeker lives ('… 테헤란로 152 101동 1203호'). Text that could not be placed
    is shown masked and only up to its first word holding a digit (a building or unit number: '테헤란로 152 101동
    1203호' reads '테헤란로'; '해운대 센텀시티' stays)."""
    placed = place_name(getattr(seeker, "place", None))
    if placed:
        return placed
    words = mask_pii(getattr(seeker, "desired_region", "") or "")[0].split()
    return " ".join(takewhile(lambda w: not any(c.isdigit() for c in w), words))


def _coarse(place) -> bool:
    """Placed at its 시군구 centre (or coarser), not at a finer address."""
    return getattr(place, "geo_level", None) in (None, "sigungu", "sido")


def same_sigungu(a, b) -> bool:
    """Both in one 시군구 and at least one known only to it: their distance measures centre to centre."""
    if a is None or b is None or not getattr(a, "sigungu", None):
        return False
    return (a.sido, a.sigungu) == (getattr(b, "sido", None), getattr(b, "sigungu", None)) and (_coarse(a) or _coarse(b))


def radius_text(km: float) -> str:
    """'20 km', '13.4 km': a radius as the filter used it (rounded to whole km, 13.4 read '13 km' beside a distance
    of 13.3 km that passed)."""
    return f"{round(km, 2):g} km"


def distance_text(km: float | None, origin=None, place=None) -> str:
    """'12.3 km', '같은 시군구', or '' when unknown."""
    if origin is not None and place is not None and same_sigungu(origin, place):
        return SAME_SIGUNGU
    return "" if km is None or km != km else f"{km:.1f} km"
