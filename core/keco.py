"""Worknet 직종 codes (the 고용24 API's `jobsCd`): 13 major and 112 middle categories.

A code's first two characters are its major category, its first three its middle category.
The project ships the major/middle table; the full 1,172-row table is read from shared data when present.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from .config import RESOURCES, SHARED_DATA


@dataclass(frozen=True)
class Category:
    code: str
    name: str


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    majors: dict[str, str] = {}
    middles: dict[str, str] = {}
    middle_major: dict[str, str] = {}
    with open(RESOURCES / "keco_middle.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            majors[row["major_code"]] = row["major_name"]
            middles[row["middle_code"]] = row["middle_name"]
            middle_major[row["middle_code"]] = row["major_code"]
    return majors, middles, middle_major


def majors() -> dict[str, str]:
    return dict(_table()[0])


def middles() -> dict[str, str]:
    return dict(_table()[1])


def major_of(code: str | None) -> str | None:
    """Major category ('01'..'13') of any detailed, middle or major code; None if unknown."""
    if not code:
        return None
    code = str(code).strip()
    if len(code) >= 3 and code[:3] in _table()[2]:
        return _table()[2][code[:3]]
    if code[:2] in _table()[0]:
        return code[:2]
    return None


def middle_of(code: str | None) -> str | None:
    if not code or len(str(code).strip()) < 3:
        return None
    mid = str(code).strip()[:3]
    return mid if mid in _table()[1] else None


def major_name(code: str | None) -> str:
    return _table()[0].get(major_of(code) or "", "미분류")


def middle_name(code: str | None) -> str:
    return _table()[1].get(middle_of(code) or "", "미분류")


@lru_cache(maxsize=1)
def detailed() -> dict[str, str]:
    """Detailed 6-digit codes → names, from shared data if present (empty otherwise)."""
    path = SHARED_DATA / "worknet-codes-and-places" / "jobs_codes.csv"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as f:
        return {r["직종코드3"]: r["직종명3"] for r in csv.DictReader(f)}
