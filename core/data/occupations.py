"""Free-text occupation names → Worknet 직종 codes (KEAD's 희망직종 and jobNm carry names, not codes).

The crosswalk, in order: the code table's own names (exact, ignoring spacing and punctuation); the reviewed
alias list `resources/occupation_aliases.csv` (KECO-2018 wording used by KEAD and KEIS that the Worknet table
spells differently, each with its reason); then character n-gram TF-IDF over the code table's names, robust
to spacing and bracketed qualifiers ('사무 보조원(공공기관)' → 사무 보조원). Detailed names come from shared
data when present; the shipped middle-category names are the fallback, with everyday names for them
(`resources/occupation_everyday.csv`). A name none of them reaches stays a
reject with its reason, never a guess below the similarity floor.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..locations import here
from ..settings import RESOURCES
from . import keco

ALIASES_FILE = RESOURCES / "occupation_aliases.csv"
# names a seeker writes every day for jobs the shipped middle names spell otherwise ('청소원' for 청소·방역 및 가사
# 서비스), each to its middle code: read only without the detailed table (../shared/data), whose own names then
# decide (a user's machine has none, and there 청소원, 요양보호사 or 택배원 met no code, or the wrong one)
EVERYDAY_FILE = RESOURCES / "occupation_everyday.csv"


def name_key(name: str) -> str:
    """An occupation name compared without spacing, punctuation or width ('교통.운송.물류' = '교통 운송 물류')."""
    return re.sub(r"[^\w]", "", unicodedata.normalize("NFKC", str(name or ""))).replace("_", "")


@lru_cache(maxsize=2)
def aliases(path: Path = ALIASES_FILE) -> dict[str, tuple[str, str]]:
    """A reviewed alias list: name key → (code, note)."""
    with open(path, encoding="utf-8") as f:
        return {name_key(r["name"]): (r["code"], r["note"]) for r in csv.DictReader(f)}


@dataclass(frozen=True)
class OccupationMatch:
    code: str
    name: str
    score: float
    via: str = "fuzzy"  # 'code_table', 'alias' or 'fuzzy'


class OccupationMatcher:
    def __init__(self, names: dict[str, str], min_score: float = 0.4, alias_table: dict[str, tuple[str, str]] | None = None):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.codes = list(names)
        self.names = [names[c] for c in self.codes]
        self.min_score = min_score
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), sublinear_tf=True)
        self.matrix = self.vectorizer.fit_transform([self._clean(n) for n in self.names])
        self._exact = {name_key(n): c for c, n in zip(self.codes, self.names)}
        self._aliases = {key: code for key, (code, _) in (alias_table or {}).items() if code in names}

    @staticmethod
    def _clean(name: str) -> str:
        return re.sub(r"[·,()\[\]/]", " ", name).strip()

    # a matcher lives as long as the process (_matcher_at keeps up to four), so the cache holding it is no leak
    @lru_cache(maxsize=8192)  # noqa: B019
    def match(self, name: str) -> OccupationMatch | None:
        text = self._clean(str(name or ""))
        if not text:
            return None
        exact = self._exact.get(name_key(name)) or self._exact.get(name_key(re.sub(r"\(.*?\)", "", str(name))))
        if exact:
            return OccupationMatch(exact, self.names[self.codes.index(exact)], 1.0, "code_table")
        alias = self._aliases.get(name_key(name))
        if alias:
            return OccupationMatch(alias, self.names[self.codes.index(alias)], 1.0, "alias")
        # Score the name with and without its bracketed qualifier; keep the better.
        variants = [text, self._clean(re.sub(r"\(.*?\)", "", str(name)))]
        scores = (self.matrix @ self.vectorizer.transform(variants).T).toarray().max(axis=1)
        best = int(np.argmax(scores))
        if scores[best] < self.min_score:
            return None
        return OccupationMatch(self.codes[best], self.names[best], float(scores[best]))


def matcher() -> OccupationMatcher:
    """The crosswalk over the code table of the current shared-data folder (built once per folder)."""
    return _matcher_at(here().shared)


@lru_cache(maxsize=4)
def _matcher_at(shared: Path) -> OccupationMatcher:  # keyed by the folder keco.detailed() reads
    detailed = keco.detailed()
    return OccupationMatcher({**keco.middles(), **detailed},
                             alias_table=aliases() if detailed else {**aliases(EVERYDAY_FILE), **aliases()})
