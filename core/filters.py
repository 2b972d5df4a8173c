"""Hard filters as boolean masks over a whole item table, computed before ranking.

The seed filtered after ranking, pair by pair in Python (20 minutes for 72k postings); here each
filter is one vectorised NumPy expression over all candidates, so a list can be shorter than k but
can never contain a violating item.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .data.normalize import EDUCATION_LABELS, VERDICT_UNKNOWN, Education
from .geo import CAPITAL_REGION, SIDO_SHORT, haversine_km

CAREER_CODES = {"new": 0, "experienced": 1, "either": 2}


@dataclass
class FilterSettings:
    distance: bool = True
    capital_km: float = 20.0
    other_km: float = 40.0
    education: bool = True
    career: bool = True
    disability: bool = True
    # '판정 없음 제외': a posting whose suitability could not be extracted is kept from disabled seekers (unknown is
    # never taken as suitable); only applies with `disability` on
    unknown_verdict: bool = True

    def radius(self, sido: str | None) -> float:
        return self.capital_km if sido in CAPITAL_REGION else self.other_km


@dataclass
class Origin:
    """What a query brings to the filters: where it is and what it has or asks for."""

    id: str
    kind: str  # 'posting' | 'seeker'
    lat: float | None
    lon: float | None
    sido: str | None
    education: int  # posting: its minimum; seeker: the level held (0 when unknown)
    career: str  # posting: its requirement; seeker: 'new' / 'experienced'
    disability: str = ""  # seeker's label, e.g. '지체장애(중증)'
    unsuitable: frozenset = frozenset()  # posting's unsuitable types (after corrections)
    level: str = ""  # the place's precision: 'emd' | 'sigungu' | 'sido' ('' when unknown)

    @property
    def coarse(self) -> bool:
        """Known only at 시도 level: its point is a centroid, not where the person or job is."""
        return self.level == "sido" and bool(self.sido)


@dataclass
class ItemTable:
    """Column arrays of one side (postings or seekers), in index row order."""

    kind: str
    ids: list[str]
    lat: np.ndarray
    lon: np.ndarray
    education: np.ndarray  # int8
    career: np.ndarray  # int8 CAREER_CODES
    disability: list[str]  # seekers: label; postings: ''
    unsuitable: list[frozenset]  # postings: unsuitable types; seekers: empty
    open: np.ndarray | None = None  # bool; False for a closed posting (kept for history, never recommended)
    sido: np.ndarray | None = None  # object array of 시도 names ('' when unplaced): the filter of a coarse query
    row_of: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.row_of = {i: r for r, i in enumerate(self.ids)}
        if self.open is None:
            self.open = np.ones(len(self.ids), dtype=bool)

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class FilterReport:
    """How many candidates each filter removed, in order, and the distances for display."""

    total: int
    removed: dict[str, int]
    radius_km: float | None
    distances: np.ndarray
    kept: int
    note: str = ""


def filter_mask(origin: Origin, table: ItemTable, settings: FilterSettings,
                cache: dict | None = None) -> tuple[np.ndarray, FilterReport]:
    """All filters for one origin. `cache` (shared over a batch) memoises each component mask by the
    only values it depends on, e.g. the distance mask by (lat, lon, radius)."""
    n = len(table)
    cache = {} if cache is None else cache

    def memo(key: tuple, compute):
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    mask = np.ones(n, dtype=bool)
    removed: dict[str, int] = {}
    note = ""
    if origin.kind == table.kind and origin.id in table.row_of:
        mask[table.row_of[origin.id]] = False  # a posting is not its own neighbour
    if not table.open.all():  # a closed posting is never a candidate, whatever the filter settings
        removed["closed"] = int((mask & ~table.open).sum())
        mask &= table.open
    placed = origin.lat is not None and origin.lon is not None and not np.isnan(origin.lat) and not origin.coarse
    distances = (memo(("dist", origin.lat, origin.lon), lambda: haversine_km(origin.lat, origin.lon, table.lat, table.lon))
                 if placed else np.full(n, np.nan))
    radius = settings.radius(origin.sido) if placed else None

    def apply(name: str, keep: np.ndarray) -> None:
        before = int(mask.sum())
        mask[:] &= keep
        removed[name] = before - int(mask.sum())

    if settings.distance:
        if origin.coarse:
            apply("distance", memo(("sido", origin.sido), lambda: same_sido_mask(origin, table)))
            note = coarse_note(origin)
        elif placed:
            apply("distance", memo(("within", origin.lat, origin.lon, radius),
                                   lambda: np.nan_to_num(distances, nan=np.inf) <= radius))
        else:
            apply("distance", np.zeros(n, dtype=bool))
            note = "기준 위치를 지도에 놓을 수 없어 거리 필터를 통과하는 항목이 없습니다 (필터를 끄면 전체에서 찾습니다)."
    if settings.education:
        if table.kind == "posting":  # the posting must not require more than the origin has
            apply("education", memo(("edu<=", origin.education), lambda: table.education <= origin.education))
        else:  # posting → seekers: the seeker must hold at least the posting's minimum
            apply("education", memo(("edu>=", origin.education), lambda: table.education >= origin.education))
    if settings.career:
        if table.kind == "posting" and origin.career == "new":
            apply("career", table.career != CAREER_CODES["experienced"])
        elif table.kind == "seeker" and origin.career == "experienced":
            apply("career", table.career != CAREER_CODES["new"])
        else:
            removed["career"] = 0
    if settings.disability:
        unknown = settings.unknown_verdict
        if table.kind == "posting" and origin.disability:
            apply("disability", memo(("dis", origin.disability, unknown), lambda: np.fromiter(
                (origin.disability not in u and not (unknown and VERDICT_UNKNOWN in u) for u in table.unsuitable),
                bool, n)))
        elif table.kind == "seeker" and origin.unsuitable:
            blocked = unknown and VERDICT_UNKNOWN in origin.unsuitable
            apply("disability", memo(("uns", origin.unsuitable, unknown), lambda: np.fromiter(
                (d not in origin.unsuitable and not (blocked and d) for d in table.disability), bool, n)))
        else:
            removed["disability"] = 0
    return mask, FilterReport(n, removed, radius, distances, int(mask.sum()), note)


def badges(origin: Origin, table: ItemTable, row: int, distance: float, settings: FilterSettings) -> dict[str, str]:
    """Per-item pass badges with the values compared, e.g. '12.3 km ≤ 20 km', '고졸 ≤ 고졸'."""
    out: dict[str, str] = {}
    if settings.distance and origin.coarse:
        out["distance"] = f"{SIDO_SHORT.get(origin.sido, origin.sido)} 안 ✓"
    elif settings.distance and not np.isnan(distance):
        out["distance"] = f"{distance:.1f} km ≤ {settings.radius(origin.sido):.0f} km"
    if settings.education:
        item, own = EDUCATION_LABELS[Education(int(table.education[row]))], EDUCATION_LABELS[Education(origin.education)]
        out["education"] = f"{item} ≤ {own}" if table.kind == "posting" else f"{own} ≤ {item}"
    if settings.career:
        out["career"] = {0: "신입", 1: "경력", 2: "관계없음"}[int(table.career[row])] + " ✓"
    if settings.disability and (origin.disability or origin.unsuitable):
        out["disability"] = "부적합 유형 아님 ✓"
    return out


# ---------------------------------------------------------------- coarse (시도-level) queries
def same_sido_mask(origin: Origin, table: ItemTable) -> np.ndarray:
    """A query known only at 시도 level ('경기') has no point to measure a radius from: its centroid is tens of
    km from where the person lives, and a 20 km circle around it lets 서울 송파구 in and 경기 남부 out. Such a
    query keeps the items in its own 시도 instead, and says so (`coarse_note`)."""
    if table.sido is None:
        return np.zeros(len(table), dtype=bool)
    return table.sido == origin.sido


def coarse_note(origin: Origin) -> str:
    place = SIDO_SHORT.get(origin.sido, origin.sido)
    if origin.kind == "seeker":
        return f"희망지역이 시도 단위라 거리 대신 시도 안 공고만 보여 줍니다 ({place})."
    return f"근무지가 시도 단위라 거리 대신 같은 시도({place})만 보여 줍니다."


# ---------------------------------------------------------------- independent oracle
def _pair_km(a: tuple, b: tuple) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dp, dl = p2 - p1, math.radians(b[1] - a[1])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def pair_violation(query, item, f: FilterSettings, unsuitable: dict) -> str | None:
    """The rule a recommended (query, item) pair breaks, or None. An oracle for the masks above: written
    the seed's way, per pair in plain Python from the records themselves, sharing no code with `filter_mask`,
    so evaluation and tests can check what the masks let through."""
    if item.id == query.id:
        return "self"
    if getattr(item, "closed", False):
        return "closed"
    if f.distance and query.place.geo_level == "sido" and query.place.sido:
        if item.place.sido != query.place.sido:
            return "distance(coarse query: another 시도)"
    elif f.distance:
        if query.place.lat is None or item.place.lat is None:
            return "distance(unplaced)"
        if item.place.geo_level == "sido":
            return "distance(coarse: 시도 level only)"
        radius = f.capital_km if query.place.sido in CAPITAL_REGION else f.other_km
        if _pair_km((query.place.lat, query.place.lon), (item.place.lat, item.place.lon)) > radius + 1e-6:
            return "distance"
    q_is_posting = hasattr(query, "edu_min")
    i_is_posting = hasattr(item, "edu_min")
    if f.education:
        q_edu = query.edu_min if q_is_posting else query.edu_level
        if i_is_posting and item.edu_min > q_edu:
            return "education"
        if not i_is_posting and item.edu_level < q_edu:
            return "education"
    if f.career:
        if i_is_posting and query.career_kind == "new" and item.career_kind == "experienced":
            return "career"
        if not i_is_posting and query.career_kind == "experienced" and item.career_kind == "new":
            return "career"
    if f.disability:
        if i_is_posting and not q_is_posting and query.disability_type in unsuitable.get(item.id, ()):
            return "disability"
        if not i_is_posting and item.disability_type in unsuitable.get(query.id, ()):
            return "disability"
        if f.unknown_verdict:
            if i_is_posting and not q_is_posting and query.disability_type and VERDICT_UNKNOWN in unsuitable.get(item.id, ()):
                return "disability(unknown verdict)"
            if not i_is_posting and item.disability_type and VERDICT_UNKNOWN in unsuitable.get(query.id, ()):
                return "disability(unknown verdict)"
    return None
