"""The shared vocabulary: what kind a record is, which way a recommendation goes, and how relevant an item is.

A direction used to be a string re-parsed with `split("->")` wherever it was needed; `Direction` parses it
once. It is a `StrEnum`, so it still equals, hashes and serialises as 'seeker->posting' (stored lists,
reports and judgments keep their keys). `grade` is the one relevance rule: evaluation, judgments and views
all call it, so the rule cannot drift between copies again.
"""
from __future__ import annotations

from enum import StrEnum

import numpy as np


class Kind(StrEnum):
    """What a record is: a job posting (채용공고) or a job seeker (구직자)."""

    POSTING = "posting"
    SEEKER = "seeker"

    @property
    def label(self) -> str:
        return {"posting": "채용공고", "seeker": "구직자"}[self.value]


class Direction(StrEnum):
    """Query kind → item kind. `Direction("seeker->posting").target is Kind.POSTING`."""

    POSTING_POSTING = "posting->posting"
    SEEKER_POSTING = "seeker->posting"
    POSTING_SEEKER = "posting->seeker"

    @property
    def source(self) -> Kind:
        return Kind(self.value.split("->")[0])

    @property
    def target(self) -> Kind:
        return Kind(self.value.split("->")[1])

    @property
    def label(self) -> str:
        return {"posting->posting": "공고→유사 공고", "seeker->posting": "구직자→공고",
                "posting->seeker": "공고→구직자"}[self.value]

    @classmethod
    def of(cls, query, target: str) -> Direction:
        """The direction from a query record to a target kind."""
        return cls(f"{query.kind}->{Kind(target)}")


DIRECTION_LABELS = {d.value: d.label for d in Direction}  # for pickers' format_func and table columns

RELEVANCE_LABELS = {2: "같은 중분류", 1: "같은 대분류", 0: "다름"}


def grade_codes(query_major, query_middle, item_major, item_middle):
    """The category-match grade on codes; item codes may be numpy arrays (vectorised over a pool).

    2 when the middle 직종 codes match, 1 when only the major ones do, 0 otherwise. An empty or missing
    query code never matches (an item without a code would otherwise count as 'the same')."""
    middle = np.asarray(item_middle, dtype=object) == query_middle if query_middle else False
    major = np.asarray(item_major, dtype=object) == query_major if query_major else False
    return np.where(middle, 2, np.where(major, 1, 0))


def grade(query, item) -> int:
    """Relevance of `item` for `query` by the category proxy (see `grade_codes`)."""
    return int(grade_codes(query.major_code, query.middle_code, item.major_code, item.middle_code))
