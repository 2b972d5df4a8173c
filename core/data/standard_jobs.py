"""KEIS standard job descriptions (구인표준직무기술서): per occupation, its standard duties, abilities, majors
and certificates. They enrich a text that is too short to match on (a KEAD seeker is often just '경비원'),
as a field of its own that models weight and explanations show ("표준직무: …").

The file is public data (data.go.kr, 한국고용정보원_구인표준직무기술서, CP949 CSV) read in place from
../shared/data; without it nothing is enriched and `missing_hint()` says where users download it.
Occupation names are KECO-2018 wording, mapped to Worknet codes by the same crosswalk as KEAD's names.
"""
from __future__ import annotations

import csv
import os
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..locations import here
from ..settings import REPO
from . import keco

KEIS_FILE = "keis-standard-job-descriptions/keis_standard_job_descriptions_20250901.csv"
ENRICH_MARK = "\n표준직무: "  # separates a record's own text from its enrichment inside one text string
MAX_CHARS = 320  # about 100 e5 tokens: enough for the duties and certificates, cheap to encode


@dataclass
class StandardJob:
    """One occupation's standard description, aggregated over the KEIS rows for it."""

    name: str
    code: str
    duties: Counter = field(default_factory=Counter)
    abilities: Counter = field(default_factory=Counter)
    majors: Counter = field(default_factory=Counter)
    certificates: Counter = field(default_factory=Counter)

    def add(self, row: dict) -> None:
        self.duties[row["표준직무내용"].strip()] += 1
        for column, counter in (("표준직무능력내용", self.abilities), ("표준직무전공내용", self.majors),
                                ("표준직무자격증내용", self.certificates)):
            counter.update(x.strip() for x in (row.get(column) or "").split(",") if x.strip() and x.strip() != "무관")

    def text(self, max_chars: int = MAX_CHARS) -> str:
        """'직무 …; 능력 …; 전공 …; 자격 …' with the most frequent entries first, cut at `max_chars`."""
        parts = [f"{label} {', '.join(x for x, _ in counter.most_common(n))}"
                 for label, counter, n in (("직무", self.duties, 6), ("능력", self.abilities, 6),
                                           ("전공", self.majors, 3), ("자격", self.certificates, 4)) if counter]
        return f"{self.name}: " + "; ".join(parts)[:max_chars]


def keis_path() -> Path:
    return here().shared / KEIS_FILE


def missing_hint() -> str | None:
    """None when the KEIS file is readable; otherwise where to download it (shown by the CLI and the app)."""
    if keis_path().exists():
        return None
    folder = keis_path().parent  # the folder the settings point at (JOBLENS_SHARED), not a fixed one
    # beside the checkout it reads as '../shared/data/…', never as this server's own path
    shown = os.path.relpath(folder, REPO) if folder.is_relative_to(REPO.parent) else str(folder)
    return ("표준직무 보강 자료가 없습니다: 공공데이터포털(data.go.kr)에서 '한국고용정보원_구인표준직무기술서' CSV를 받아 "
            f"{shown}/ 에 두세요")


def standard_jobs() -> dict[str, StandardJob]:
    """Worknet code → its standard description. KEIS occupations whose name the crosswalk cannot place are
    left out (counted in `unmapped_names`)."""
    return _jobs_at(keis_path())


@lru_cache(maxsize=4)
def _jobs_at(path: Path) -> dict[str, StandardJob]:
    """The descriptions in one KEIS file, read once per path."""
    from .occupations import matcher  # the crosswalk; imported late (it builds its vectorizer on first use)

    if not path.exists():
        return {}
    jobs: dict[str, StandardJob] = {}
    with open(path, encoding="cp949", errors="replace", newline="") as f:
        for row in csv.DictReader(f):
            name = (row.get("직종") or "").strip()
            match = matcher().match(name) if name else None
            if match is None:
                _unmapped_at(path).add(name)
                continue
            jobs.setdefault(match.code, StandardJob(name, match.code)).add(row)
    return jobs


def unmapped_names() -> set[str]:
    return _unmapped_at(keis_path())


@lru_cache(maxsize=4)
def _unmapped_at(path: Path) -> set[str]:
    return set()


def enrichment(code: str | None) -> str:
    """The standard description for a 직종 code: the occupation itself when KEIS has it, otherwise the
    most described occupation of the same middle category. '' when there is none (or no KEIS file)."""
    return _enrichment_at(keis_path(), code) if code else ""


@lru_cache(maxsize=4096)
def _enrichment_at(path: Path, code: str) -> str:
    jobs = _jobs_at(path)
    if code in jobs:
        return jobs[code].text()
    middle = keco.middle_of(code)
    same_middle = [j for c, j in jobs.items() if keco.middle_of(c) == middle] if middle else []
    if not same_middle:
        return ""
    return max(same_middle, key=lambda j: (sum(j.duties.values()), j.code)).text()


def split_enriched(text: str) -> tuple[str, str]:
    """(own text, enrichment) of a text that may carry an enrichment after ENRICH_MARK."""
    own, _, extra = text.partition(ENRICH_MARK)
    return own, extra
