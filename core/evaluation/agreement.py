"""Agreement between analysts: who judged what twice, how far they agree, and where a third must rule.

Double judging: a fixed share of blind-queue queries (by a hash of direction and query, so every page and
session picks the same ones) is handed, once a first analyst has judged it, to a second analyst who has
not judged that query; never to the same account. Agreement over the pairs judged by two or more:
Cohen's κ per analyst pair and Fleiss' κ (statsmodels), Krippendorff's α on the ordinal
scale 무관 < 부분 < 관련 (the `krippendorff` package), each with a percentile bootstrap CI over items.
A disagreement is an item whose analysts gave different grades and that no ruling covers yet.
"""
from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from .judgments import ADJUDICATION, GRADE_LABELS, Judgment, JudgmentImportError, Pair, ratings, record


def double_judged(direction: str, query_id: str, share: float) -> bool:
    """Whether this query belongs to the double-judging share (stable across sessions and machines)."""
    return zlib.crc32(f"{direction}|{query_id}".encode()) % 10_000 < round(share * 10_000)


@dataclass
class SecondTask:
    """A query a first analyst judged that a second one should judge now: its items, never the first's marks."""

    direction: str
    query_id: str
    item_ids: list[str]
    first: str


def second_tasks(judgments: list[Judgment], analyst: str, share: float = 0.2) -> list[SecondTask]:
    """The double-judging queries waiting for `analyst`: judged by exactly one other account, in the share,
    and not judged by `analyst` (so the same account never gives the second judgment)."""
    by_query: dict[tuple[str, str], dict[str, list[str]]] = {}
    for (d, q, i), marks in ratings(judgments).items():
        for who in marks:
            by_query.setdefault((d, q), {}).setdefault(who, []).append(i)
    out = []
    for (d, q), who in sorted(by_query.items()):
        if len(who) == 1 and analyst not in who and double_judged(d, q, share):
            first, items = next(iter(who.items()))
            out.append(SecondTask(d, q, sorted(items), first))
    return out


# ---------------------------------------------------------------- agreement statistics
def _ci(stat, units: list, n_boot: int, seed: int = 0) -> list[float]:
    """[estimate, low, high]: percentile bootstrap over units (items); NaN bounds when it is undefined."""
    point = stat(units)
    if not units or math.isnan(point):
        return [point, math.nan, math.nan]
    rng = np.random.default_rng(seed)
    draws = [stat([units[i] for i in rng.integers(0, len(units), len(units))]) for _ in range(n_boot)]
    draws = np.array([d for d in draws if not math.isnan(d)])
    if not len(draws):
        return [point, math.nan, math.nan]
    return [point, float(np.quantile(draws, 0.025)), float(np.quantile(draws, 0.975))]


def cohen(pairs: list[tuple[int, int]]) -> float:
    """Cohen's κ on (grade a, grade b) pairs; NaN when there is no variation to agree on. statsmodels reads
    it from the grades' table: the bootstrap asks 500 times a pair of analysts, and scikit-learn's
    cohen_kappa_score, with its input checks, took ~30× as long (6 s of a 평가·감사 render for three analysts)."""
    from statsmodels.stats.inter_rater import cohens_kappa

    if len(pairs) < 2:
        return math.nan
    a, b = np.asarray(pairs, dtype=np.int64).T
    if len(set(a) | set(b)) < 2:
        return math.nan
    n = max(GRADE_LABELS) + 1  # grades are 0 … n-1
    return float(cohens_kappa(np.bincount(a * n + b, minlength=n * n).reshape(n, n), return_results=False))


def fleiss(items: list[list[int]]) -> float:
    """Fleiss' κ over items rated by the same number of analysts (statsmodels)."""
    from statsmodels.stats.inter_rater import fleiss_kappa

    if len(items) < 2:
        return math.nan
    table = np.array([[row.count(g) for g in sorted(GRADE_LABELS)] for row in items])
    with np.errstate(invalid="ignore", divide="ignore"):
        value = float(fleiss_kappa(table, method="fleiss"))
    return value if np.isfinite(value) else math.nan


def krippendorff_alpha(units: list[dict[str, int]], analysts: list[str]) -> float:
    """Krippendorff's α, ordinal (무관 < 부분 < 관련), missing marks allowed."""
    import krippendorff

    if len(units) < 2:
        return math.nan
    data = np.array([[u.get(a, np.nan) for u in units] for a in analysts], dtype=float)
    if len(np.unique(data[~np.isnan(data)])) < 2:
        return math.nan
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal",
                                     value_domain=sorted(GRADE_LABELS)))


@dataclass
class Agreement:
    items: int  # items judged by two or more analysts
    analysts: list[str]
    cohen: list[dict] = field(default_factory=list)  # per analyst pair: a, b, items, kappa [est, lo, hi]
    fleiss: list[float] = field(default_factory=list)
    fleiss_raters: int = 0  # Fleiss needs a fixed number of raters per item: the items with this many
    fleiss_items: int = 0
    alpha: list[float] = field(default_factory=list)


def agreement(judgments: list[Judgment], n_boot: int = 500) -> Agreement:
    """Every statistic over the items two or more analysts judged, with bootstrap CIs over items."""
    multi = [m for m in ratings(judgments).values() if len(m) >= 2]
    analysts = sorted({a for m in multi for a in m})
    out = Agreement(len(multi), analysts)
    for a, b in combinations(analysts, 2):
        both = [(m[a], m[b]) for m in multi if a in m and b in m]
        if both:
            out.cohen.append({"a": a, "b": b, "items": len(both), "kappa": _ci(cohen, both, n_boot)})
    if multi:
        counts = [len(m) for m in multi]
        out.fleiss_raters = max(set(counts), key=lambda c: (counts.count(c), c))
        rows = [list(m.values()) for m in multi if len(m) == out.fleiss_raters]
        out.fleiss_items = len(rows)
        out.fleiss = _ci(fleiss, rows, n_boot)
        out.alpha = _ci(lambda units: krippendorff_alpha(units, analysts), multi, n_boot)
    return out


# ---------------------------------------------------------------- disagreements and rulings
@dataclass
class Disagreement:
    direction: str
    query_id: str
    item_id: str
    marks: dict[str, int]  # analyst → grade


def disagreements(judgments: list[Judgment]) -> list[Disagreement]:
    """Items whose analysts disagree and that no third analyst has ruled on yet."""
    ruled = {(j.direction, j.query_id, j.item_id) for j in judgments if j.model == ADJUDICATION}
    return [Disagreement(*key, marks) for key, marks in sorted(ratings(judgments).items())
            if len(set(marks.values())) > 1 and key not in ruled]


def adjudicate(store, judgments: list[Judgment], analyst: str, pair: Pair, grade: int) -> None:
    """A third analyst's ruling; refused from an analyst who judged the item (a ruling is not a third vote)."""
    marks = ratings(judgments).get(pair, {})
    if analyst in marks:
        raise JudgmentImportError(f"'{analyst}'은(는) 이 항목을 이미 판정했습니다: 판정하지 않은 다른 분석가가 결정해야 합니다")
    record(store, [Judgment(analyst, *pair, grade, ADJUDICATION)])


def agreement_frames(a: Agreement):
    """The 평가·감사 tables: one row per analyst pair (Cohen), one per whole-group statistic."""
    import pandas as pd

    fmt = lambda v: "-" if not v or math.isnan(v[0]) else (  # noqa: E731
        f"{v[0]:.2f}" if math.isnan(v[1]) else f"{v[0]:.2f} [{v[1]:.2f}, {v[2]:.2f}]")
    pairs = pd.DataFrame([{"분석가 A": c["a"], "분석가 B": c["b"], "함께 판정한 항목": c["items"],
                           "Cohen's κ [95% CI]": fmt(c["kappa"])} for c in a.cohen])
    group = pd.DataFrame([
        {"지표": "Fleiss' κ", "값 [95% CI]": fmt(a.fleiss),
         "대상": f"분석가 {a.fleiss_raters}명이 판정한 항목 {a.fleiss_items}개"},
        {"지표": "Krippendorff's α (순서형: 무관 < 부분 < 관련)", "값 [95% CI]": fmt(a.alpha),
         "대상": f"두 명 이상 판정한 항목 {a.items}개 · 분석가 {len(a.analysts)}명"}])
    return pairs, group
