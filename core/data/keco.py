"""Worknet 직종 codes (the 고용24 API's `jobsCd`): 13 major and 112 middle categories.

A 3-character middle code's first two characters are its major category. A 6-digit detailed code is
NOT its middle code plus three digits: in the real table 1,170 of 1,172 detailed codes start with other
digits (542000 경비원 belongs to 067), so detailed codes are looked up in the full table. The project
ships the major/middle table; the full 1,172-row table is read from shared data when present, and only
without it does a 6-digit code fall back to its first three characters.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..locations import here
from ..settings import RESOURCES


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


def middle_of(code: str | None) -> str | None:
    """Middle category of a detailed or middle code; None if unknown."""
    if not code:
        return None
    code = str(code).strip()
    mid = detailed_middle().get(code) or code[:3]
    return mid if len(code) >= 3 and mid in _table()[1] else None


def major_of(code: str | None) -> str | None:
    """Major category ('01'..'13') of any detailed, middle or major code; None if unknown."""
    if not code:
        return None
    mid = middle_of(code)
    if mid:
        return _table()[2][mid]
    code = str(code).strip()
    return code[:2] if len(code) == 2 and code in _table()[0] else None


def major_name(code: str | None) -> str:
    return _table()[0].get(major_of(code) or "", "미분류")


def middle_name(code: str | None) -> str:
    return _table()[1].get(middle_of(code) or "", "미분류")


def _detailed_rows() -> list[dict]:
    return _rows_at(here().shared)


@lru_cache(maxsize=4)
def _rows_at(shared: Path) -> list[dict]:
    """The full code table under a shared-data folder, read once per folder."""
    path = shared / "worknet-codes-and-places" / "jobs_codes.csv"
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def detailed() -> dict[str, str]:
    """Detailed 6-digit codes → names, from shared data if present (empty otherwise)."""
    return {r["직종코드3"]: r["직종명3"] for r in _detailed_rows()}


def detailed_middle() -> dict[str, str]:
    """Detailed 6-digit code → its middle code, from the full table (empty without shared data)."""
    return _middle_at(here().shared)


@lru_cache(maxsize=4)
def _middle_at(shared: Path) -> dict[str, str]:
    return {r["직종코드3"]: r["직종코드2"] for r in _rows_at(shared)}


def detailed_codes_of(middle: str) -> list[str]:
    """The real detailed codes under a middle category (sorted; empty without shared data)."""
    return sorted(c for c, m in detailed_middle().items() if m == middle)
