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
from .data.records import disabilities
from .geo import CAPITAL_REGION, SIDO_SHORT, haversine_km
from .geo.grid import GridIndex
from .geo.naming import radius_text

FILTER_LABELS = {"distance": "거리", "education": "학력", "career": "경력", "disability": "장애유형"}  # as lists say them


def widened(settings: FilterSettings, sido: str | None, radius_km: float | None) -> str | None:
    """'거리 반경을 기본 20 km보다 넓혀 200 km 안에서' when a list was drawn with a radius (`radius_km`, its report's;
    None where none applied: a 시도-level or unplaced origin) wider than the default for its origin (20 km in
    서울·인천·경기, 40 km elsewhere), else None: a link's ckm=200 is as easy to miss as a switch."""
    usual = FilterSettings().radius(sido)
    if not (settings.distance and radius_km is not None and radius_km > usual):
        return None
    return f"거리 반경을 기본 {radius_text(usual)}보다 넓혀 {radius_text(radius_km)} 안에서"


def switched_off(settings: FilterSettings) -> list[str]:
    """The hard filters a counselor (or a link) may switch off that are off, by name ('학력'): what a list, and the
    sheet made from it, must say it was drawn without. The disability guards are never among them."""
    return [FILTER_LABELS[name] for name in ("distance", "education", "career") if not getattr(settings, name)]

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
    disability: str = ""  # seeker's labels, e.g. '지체장애(중증)' (`Seeker.filter_disability`: with any 부장애)
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
    disability: list[str]  # seekers: labels (`Seeker.filter_disability`); postings: ''
    unsuitable: list[frozenset]  # postings: unsuitable types; seekers: empty
    open: np.ndarray | None = None  # bool; False for a closed posting (kept for history, never recommended)
    sido: np.ndarray | None = None  # object array of 시도 names ('' when unplaced): the filter of a coarse query
    row_of: dict[str, int] = field(default_factory=dict)
    grid: GridIndex | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.row_of = {i: r for r, i in enumerate(self.ids)}
        if self.open is None:
            self.open = np.ones(len(self.ids), dtype=bool)

    def __len__(self) -> int:
        return len(self.ids)

    def spatial(self) -> GridIndex:
        """The grid over this table's points, fitted on first use and refitted when changes pile up."""
        if self.grid is None or self.grid.needs_refit(len(self)):
            self.grid = GridIndex().fit(self.lat, self.lon)
        return self.grid

    def place_changed(self, row: int) -> None:
        """Call after writing a fitted row's lat/lon in place, so radius queries still find it."""
        if self.grid is not None:
            self.grid.mark_moved(row)


class Distances:
    """Distances from one origin to the rows of a table, computed when read. With the grid, a query computes
    them only for the rows near it; a list reads a few more (the distance filter off, or for display)."""

    def __init__(self, lat: float, lon: float, table: ItemTable):
        self.lat, self.lon, self.table = lat, lon, table

    def __getitem__(self, row):
        return haversine_km(self.lat, self.lon, self.table.lat[row], self.table.lon[row])

    def __len__(self) -> int:
        return len(self.table)

    def __array__(self, dtype=None, copy=None):
        out = haversine_km(self.lat, self.lon, self.table.lat, self.table.lon)
        return out if dtype is None else out.astype(dtype)


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
    only values it depends on, e.g. the distance mask by (lat, lon, radius).

    With the distance filter on, the table's grid (`ItemTable.spatial`) gives the rows that may lie within
    the radius, and every filter runs on those rows only: the haversine check keeps exactly the rows the full
    pass would, so the mask is the same, but a query costs what its neighbourhood holds, not the table."""
    n = len(table)
    cache = {} if cache is None else cache

    def memo(key: tuple, compute):
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    placed = origin.lat is not None and origin.lon is not None and not np.isnan(origin.lat) and not origin.coarse
    radius = settings.radius(origin.sido) if placed else None
    distances = Distances(origin.lat, origin.lon, table) if placed else np.full(n, np.nan)
    removed: dict[str, int] = {}
    note = ""
    own = table.row_of.get(origin.id) if origin.kind == table.kind else None
    closed = memo(("closed",), lambda: int(n - table.open.sum()))
    if settings.distance and placed:  # the rows near the origin, then every filter on those rows only
        where = ("near", origin.lat, origin.lon, radius)
        rows = memo(where, lambda: table.spatial().within(origin.lat, origin.lon, radius, table.lat, table.lon))
        keep = np.ones(len(rows), dtype=bool)
    elif settings.distance and origin.coarse:  # a 시도-level origin: the rows of its 시도 instead of a radius
        where = ("sido", origin.sido)
        rows = memo(where, lambda: np.flatnonzero(same_sido_mask(origin, table)))
        keep = np.ones(len(rows), dtype=bool)
    else:
        where, rows = ("all",), slice(None)
        keep = np.ones(n, dtype=bool)
    if own is not None:  # a posting is not its own neighbour
        keep[[own] if isinstance(rows, slice) else np.flatnonzero(rows == own)] = False
    if closed:  # a closed posting is never a candidate, whatever the filter settings
        removed["closed"] = closed - int(own is not None and not table.open[own])
        keep &= memo(("open", where), lambda: table.open[rows])
    if settings.distance:
        if origin.coarse:
            note = coarse_note(origin)
        elif not placed:
            keep[:] = False
            note = "기준 위치를 지도에 놓을 수 없어 거리 필터를 통과하는 항목이 없습니다 (필터를 끄면 전체에서 찾습니다)."
        # candidates before it (all rows but its own and the closed ones) minus those within the radius
        removed["distance"] = n - (own is not None) - removed.get("closed", 0) - int(keep.sum())

    def apply(name: str, key: tuple, compute) -> None:
        before = int(keep.sum())
        keep[:] &= memo((*key, where), compute)
        removed[name] = before - int(keep.sum())

    if settings.education:
        if table.kind == "posting":  # the posting must not require more than the origin has
            apply("education", ("edu<=", origin.education), lambda: table.education[rows] <= origin.education)
        else:  # posting → seekers: the seeker must hold at least the posting's minimum
            apply("education", ("edu>=", origin.education), lambda: table.education[rows] >= origin.education)
    if settings.career:
        if table.kind == "posting" and origin.career == "new":
            apply("career", ("career-new",), lambda: table.career[rows] != CAREER_CODES["experienced"])
        elif table.kind == "seeker" and origin.career == "experienced":
            apply("career", ("career-exp",), lambda: table.career[rows] != CAREER_CODES["new"])
        else:
            removed["career"] = 0
    if settings.disability:
        picked = range(n) if isinstance(rows, slice) else rows
        unknown = settings.unknown_verdict  # '판정 없음 제외': an unknown verdict is never taken as suitable
        if table.kind == "posting" and origin.disability:
            held = disabilities(origin.disability)  # the main one and any 부장애: a posting unsuitable for either goes
            apply("disability", ("dis", origin.disability, unknown), lambda: np.fromiter(
                (not any(d in table.unsuitable[r] for d in held) and not (unknown and VERDICT_UNKNOWN in table.unsuitable[r])
                 for r in picked), bool, len(keep)))
        elif table.kind == "seeker" and origin.unsuitable:
            blocked = unknown and VERDICT_UNKNOWN in origin.unsuitable
            apply("disability", ("uns", origin.unsuitable, unknown), lambda: np.fromiter(
                (not any(d in origin.unsuitable for d in disabilities(table.disability[r])) and not (blocked and table.disability[r])
                 for r in picked),
                bool, len(keep)))
        else:
            removed["disability"] = 0
    if isinstance(rows, slice):
        mask = keep
    else:
        mask = np.zeros(n, dtype=bool)
        mask[rows[keep]] = True
    return mask, FilterReport(n, removed, radius, distances, int(keep.sum()), note)


def badges(origin: Origin, table: ItemTable, row: int, distance: float, settings: FilterSettings) -> dict[str, str]:
    """Per-item pass badges with the values compared, e.g. '12.3 km ≤ 20 km', '고졸 ≤ 고졸'."""
    out: dict[str, str] = {}
    if settings.distance and origin.coarse:
        out["distance"] = f"{SIDO_SHORT.get(origin.sido, origin.sido)} 안 ✓"
    elif settings.distance and not np.isnan(distance):
        out["distance"] = f"{distance:.1f} km ≤ {radius_text(settings.radius(origin.sido))}"
    if settings.education:
        item, own = EDUCATION_LABELS[Education(int(table.education[row]))], EDUCATION_LABELS[Education(origin.education)]
        out["education"] = f"{item} ≤ {own}" if table.kind == "posting" else f"{own} ≤ {item}"
    if settings.career:
        out["career"] = {0: "신입", 1: "경력", 2: "관계없음"}[int(table.career[row])] + " ✓"
    # only where the filter compared something: a seeker's type with a posting's exclusions, or a posting's exclusions
    # with a seeker's type (a posting → postings list has no one whose fit it checked)
    if settings.disability and ((table.kind == "posting" and origin.disability) or (table.kind == "seeker" and origin.unsuitable)):
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


def pair_violation(query, item, f: FilterSettings, unsuitable: dict, as_of: str = "") -> str | None:
    """The rule a recommended (query, item) pair breaks, or None. An oracle for the masks above: written
    the seed's way, per pair in plain Python from the records themselves, sharing no code with `filter_mask`,
    so evaluation and tests can check what the masks let through. `as_of`: the corpus's date (ISO), past which a
    real posting's closing date closes it ('' for a snapshot corpus)."""
    if item.id == query.id:
        return "self"
    if getattr(item, "closed", False):
        return "closed"
    if getattr(item, "withdrawn", False):
        return "closed(withdrawn)"
    close_date = getattr(item, "close_date", "")
    if as_of and close_date and close_date < as_of and not item.synthetic:
        return "closed(past its date)"
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
        if i_is_posting != q_is_posting:  # a seeker and a posting, either way round
            seeker, posting = (item, query) if q_is_posting else (query, item)
            held = disabilities(seeker.filter_disability)
            if any(d in unsuitable.get(posting.id, ()) for d in held):
                return "disability"
            if f.unknown_verdict and held and VERDICT_UNKNOWN in unsuitable.get(posting.id, ()):
                return "disability(unknown verdict)"
    return None
