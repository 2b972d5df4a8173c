"""Analyst relevance judgments (관련 / 부분 / 무관): stored, served blind, pooled by CSV, and scored.

The category-match proxy says an item is relevant when it shares the query's 직종; judgments say what an
analyst thinks. Both are reported side by side, with their agreement (Cohen's κ) and how much of each
model's lists the judgments cover. The blind queue merges every model's list for a query and shuffles it,
and what it hands the page holds item ids only, never which model found them.
"""
from __future__ import annotations

import csv
import io
import json
import math
import random
import time
from dataclasses import asdict, dataclass

import numpy as np

from ..data.export import csv_bytes
from ..filters import FilterSettings
from ..models.encoders import ModelNotReady
from ..text.particles import particle
from .bootstrap import bootstrap_ci
from .metrics import DIRECTIONS, ndcg

GRADES = {"관련": 2, "부분": 1, "무관": 0}
GRADE_LABELS = {v: k for k, v in GRADES.items()}
CSV_COLUMNS = ("analyst", "direction", "query_id", "item_id", "grade", "model", "filters", "at")
BLIND = "blind"  # the model recorded for a mark made in the blind queue


class JudgmentImportError(ValueError):
    """A judgments CSV that cannot be imported; names the row and field, and nothing was stored."""


@dataclass
class Judgment:
    analyst: str
    direction: str
    query_id: str
    item_id: str
    grade: int  # 2 관련, 1 부분, 0 무관
    model: str = ""
    filters: str = ""  # the FilterSettings of the list that was judged, as JSON
    at: float = 0.0

    def row(self) -> tuple:
        return (self.analyst, self.direction, self.query_id, self.item_id, self.grade, self.model, self.filters,
                self.at or time.time())


def record(store, judgments: list[Judgment]) -> int:
    """Store marks (an analyst's new mark of the same query and item replaces the old one)."""
    for j in judgments:
        validate(j)
    return store.put_judgments([j.row() for j in judgments])


def validate(j: Judgment, row: int | None = None, known_ids: set[str] | None = None) -> None:
    where = f"{row}행 " if row is not None else ""
    if not j.analyst.strip():
        raise JudgmentImportError(f"{where}'analyst': 분석가 이름이 비어 있음")
    if j.direction not in DIRECTIONS:
        raise JudgmentImportError(f"{where}'direction': {particle(repr(j.direction), '은/는')} 방향이 아님 (가능: {', '.join(DIRECTIONS)})")
    for name in ("query_id", "item_id"):
        value = getattr(j, name)
        if not value.strip():
            raise JudgmentImportError(f"{where}'{name}': 비어 있음")
        if known_ids is not None and value not in known_ids:
            raise JudgmentImportError(f"{where}'{name}': {particle(repr(value), '은/는')} 코퍼스에 없는 레코드")
    if j.grade not in GRADE_LABELS:
        raise JudgmentImportError(f"{where}'grade': {particle(repr(j.grade), '은/는')} 판정이 아님 (2 관련, 1 부분, 0 무관)")


def load(store) -> list[Judgment]:
    return [Judgment(**r) for r in store.judgments()]


def to_csv_bytes(store) -> bytes:
    # through the one neutraliser: an imported '=HYPERLINK(…)' analyst or id goes out as text, not a formula
    return csv_bytes(CSV_COLUMNS, ([getattr(j, c) for c in CSV_COLUMNS] for j in load(store)))


def import_csv(store, data: bytes, known_ids: set[str] | None = None) -> int:
    """Pool another analyst's judgments. Every row is checked first; one bad row (its number and field named)
    and nothing is stored, so what is already stored is never half-overwritten."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise JudgmentImportError(f"파일 인코딩이 UTF-8이 아님 ({e.start}바이트째)") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("analyst", "direction", "query_id", "item_id", "grade") if c not in (reader.fieldnames or [])]
    if missing:
        raise JudgmentImportError(f"1행(머리글): 필요한 열이 없음: {', '.join(missing)}")
    judgments = []
    for row_no, row in enumerate(reader, start=2):
        if None in row:
            raise JudgmentImportError(f"{row_no}행: 열 개수가 머리글보다 많음")
        raw = (row.get("grade") or "").strip()
        grade = GRADES.get(raw)
        if grade is None:
            try:
                grade = int(raw)
            except ValueError:
                raise JudgmentImportError(f"{row_no}행 'grade': {particle(repr(raw), '은/는')} 판정이 아님 (관련/부분/무관 또는 2/1/0)") from None
        try:
            at = float(row.get("at") or 0) or time.time()
        except ValueError:
            raise JudgmentImportError(f"{row_no}행 'at': {particle(repr(row.get('at')), '은/는')} 시각(초)이 아님") from None
        j = Judgment(str(row.get("analyst") or ""), str(row.get("direction") or ""), str(row.get("query_id") or ""),
                     str(row.get("item_id") or ""), grade, str(row.get("model") or ""), str(row.get("filters") or ""), at)
        validate(j, row_no, known_ids)
        judgments.append(j)
    return store.put_judgments([j.row() for j in judgments])


# ------------------------------------------------------------------ the blind queue
@dataclass
class BlindTask:
    """What the 판정 page holds: a query and a shuffled, de-duplicated union of every model's list. No model names."""

    direction: str
    query_id: str
    item_ids: list[str]
    filters: str


def blind_task(engine, models: list[str], index: int, k: int = 5, seed: int = 0,
               filters: FilterSettings | None = None) -> BlindTask | None:
    """The index-th task of a fixed queue: directions in turn, queries sampled per direction, each list the
    union of the models' top-k, shuffled. Deterministic for (seed, index), so a page can rebuild it."""
    filters = filters or FilterSettings()
    rng = random.Random(f"{seed}:{index}")
    direction = list(DIRECTIONS)[index % len(DIRECTIONS)]
    source, target = direction.split("->")
    pool = sorted(engine.corpus.tables[source].ids)
    if not pool:
        return None
    query = engine.corpus.get(rng.choice(pool))
    items: list[str] = []
    for name in models:
        try:
            model = engine.model(name)
        except ModelNotReady:  # W-BERT not trained yet: the queue merges the models there are
            continue
        for rec in model.recommend(query, k=k, filters=filters, target=target, explain=False).items:
            if rec.item_id not in items:
                items.append(rec.item_id)
    rng.shuffle(items)
    return BlindTask(direction, query.id, items, json.dumps(asdict(filters)))


# ------------------------------------------------------------------ judged metrics
@dataclass
class JudgedScore:
    direction: str
    model: str
    queries: int
    ndcg: list[float]  # [mean, lo, hi] over judged queries
    precision: list[float]
    coverage: float  # share of the model's top-k items that carry a judgment
    proxy_ndcg: list[float]  # the category-match proxy on the same queries


def pooled_grades(judgments: list[Judgment]) -> dict[tuple[str, str, str], float]:
    """(direction, query, item) → mean grade over analysts (pooling several analysts' CSVs)."""
    acc: dict[tuple[str, str, str], list[int]] = {}
    for j in judgments:
        acc.setdefault((j.direction, j.query_id, j.item_id), []).append(j.grade)
    return {key: float(np.mean(v)) for key, v in acc.items()}


def _filters_of(judgments: list[Judgment], direction: str, query_id: str) -> FilterSettings:
    for j in judgments:
        if j.direction == direction and j.query_id == query_id and j.filters:
            try:
                return FilterSettings(**json.loads(j.filters))
            except (TypeError, ValueError):
                break
    return FilterSettings()


def judged_scores(engine, models: list[str], judgments: list[Judgment], k: int = 5) -> list[JudgedScore]:
    """nDCG@k and P@k of each model's list against pooled judgments (unjudged items count as 무관, and
    coverage says how many there were), with bootstrap CIs over judged queries; the proxy's nDCG@k on the
    same queries beside it."""
    grades = pooled_grades(judgments)
    queries = sorted({(d, q) for d, q, _ in grades})
    out = []
    for direction in DIRECTIONS:
        target = direction.split("->")[1]
        qs = [q for d, q in queries if d == direction and engine.corpus.get(q) is not None]
        if not qs:
            continue
        middles, majors = engine.corpus.occupation_codes(target)
        row_of = engine.corpus.tables[target].row_of
        for name in models:
            try:
                model = engine.model(name)
            except ModelNotReady:
                continue
            nd, pr, prox, judged, shown = [], [], [], 0, 0
            for qid in qs:
                query = engine.corpus.get(qid)
                items = [r.item_id for r in model.recommend(query, k=k, filters=_filters_of(judgments, direction, qid),
                                                             target=target, explain=False).items]
                gains = [grades.get((direction, qid, i), 0.0) for i in items]
                judged += sum((direction, qid, i) in grades for i in items)
                shown += len(items)
                pool = [g for (d, q, _), g in grades.items() if d == direction and q == qid]
                nd.append(ndcg(gains, k, pool))
                pr.append(sum(g >= 1 for g in gains) / k)
                proxy = [2 if middles[row_of[i]] == query.middle_code else 1 if majors[row_of[i]] == query.major_code else 0
                         for i in items]
                prox.append(ndcg(proxy, k, sorted(proxy, reverse=True)))
            out.append(JudgedScore(direction, name, len(qs), [round(x, 4) for x in bootstrap_ci(np.array(nd))],
                                   [round(x, 4) for x in bootstrap_ci(np.array(pr))], round(judged / shown, 4) if shown else 0.0,
                                   [round(x, 4) for x in bootstrap_ci(np.array(prox))]))
    return out


def proxy_agreement(engine, judgments: list[Judgment]) -> tuple[float, int]:
    """Cohen's κ between the proxy (same middle category → relevant) and pooled judgments (관련 or 부분 →
    relevant) over every judged pair; NaN when one side never varies. Returns (κ, pairs)."""
    from sklearn.metrics import cohen_kappa_score

    proxy, judged = [], []
    for (_, qid, iid), grade in pooled_grades(judgments).items():
        query, item = engine.corpus.get(qid), engine.corpus.get(iid)
        if query is None or item is None:
            continue
        proxy.append(int(bool(query.middle_code) and item.middle_code == query.middle_code))
        judged.append(int(grade >= 1))
    if len(set(proxy)) < 2 and len(set(judged)) < 2:
        return (1.0 if proxy == judged and proxy else math.nan), len(proxy)
    return float(cohen_kappa_score(proxy, judged)), len(proxy)


def judged_frame(scores: list[JudgedScore]):
    """The 평가·감사 page's table: judgment-based nDCG@k and P@k with CIs, the proxy beside, and coverage."""
    import pandas as pd

    ci = lambda v: f"{v[0]:.3f} [{v[1]:.3f}, {v[2]:.3f}]"  # noqa: E731
    return pd.DataFrame([{"방향": DIRECTIONS[s.direction], "모델": s.model, "판정된 질의": s.queries,
                          "nDCG@5 (판정)": ci(s.ndcg), "P@5 (판정)": ci(s.precision), "nDCG@5 (직종 대리지표)": ci(s.proxy_ndcg),
                          "판정 커버리지": f"{s.coverage:.0%}"} for s in scores])
