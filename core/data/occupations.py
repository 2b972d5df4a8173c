"""Free-text occupation names → Worknet 직종 codes (KEAD's 희망직종 and jobNm carry names, not codes).

Character n-gram TF-IDF over the code table's names: robust to spacing and bracketed qualifiers
('사무 보조원(공공기관)' → 사무 보조원). Detailed names come from shared data when present; the
shipped middle-category names are the fallback.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import keco


@dataclass(frozen=True)
class OccupationMatch:
    code: str
    name: str
    score: float


class OccupationMatcher:
    def __init__(self, names: dict[str, str], min_score: float = 0.4):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.codes = list(names)
        self.names = [names[c] for c in self.codes]
        self.min_score = min_score
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), sublinear_tf=True)
        self.matrix = self.vectorizer.fit_transform([self._clean(n) for n in self.names])
        self._exact = {self._clean(n).replace(" ", ""): c for c, n in zip(self.codes, self.names)}

    @staticmethod
    def _clean(name: str) -> str:
        return re.sub(r"[·,()\[\]/]", " ", name).strip()

    @lru_cache(maxsize=8192)
    def match(self, name: str) -> OccupationMatch | None:
        text = self._clean(str(name or ""))
        if not text:
            return None
        exact = self._exact.get(text.replace(" ", "")) or self._exact.get(re.sub(r"\(.*?\)", "", str(name)).replace(" ", ""))
        if exact:
            return OccupationMatch(exact, self.names[self.codes.index(exact)], 1.0)
        # Score the name with and without its bracketed qualifier; keep the better.
        variants = [text, self._clean(re.sub(r"\(.*?\)", "", str(name)))]
        scores = (self.matrix @ self.vectorizer.transform(variants).T).toarray().max(axis=1)
        best = int(np.argmax(scores))
        if scores[best] < self.min_score:
            return None
        return OccupationMatch(self.codes[best], self.names[best], float(scores[best]))


@lru_cache(maxsize=1)
def matcher() -> OccupationMatcher:
    names = {**keco.middles(), **keco.detailed()}
    return OccupationMatcher(names)
