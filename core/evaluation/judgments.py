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
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np

from ..data.kinds import Direction, grade
from ..filters import FilterSettings
from ..models.encoders import ModelNotReady
from ..text.particles import particle
from .bootstrap import bootstrap_ci
from .metrics import DIRECTIONS, ranking_scores

GRADES = {"관련": 2, "부분": 1, "무관": 0}
GRADE_LABELS = {v: k for k, v in GRADES.items()}
CSV_COLUMNS = ("analyst", "direction", "query_id", "item_id", "grade", "model", "filters", "at")
BLIND = "blind"  # the model recorded for a mark made in the blind queue
ADJUDICATION = "adjudication"  # the model recorded for a third analyst's ruling on a disagreement
MACHINE_PREFIX = "LLM:"  # an LLM judge's marks are recorded under 'LLM:<model>' (see llm_judge.py)


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


Pair = tuple[str, str, str]  # (direction, query id, item id)


def ratings(judgments: Iterable[Judgment]) -> dict[Pair, dict[str, int]]:
    """(direction, query, item) → {analyst: grade}, analysts' own marks only (rulings and machine judges apart)."""
    out: dict[Pair, dict[str, int]] = {}
    for j in judgments:
        if j.model != ADJUDICATION and not j.analyst.startswith(MACHINE_PREFIX):
            out.setdefault((j.direction, j.query_id, j.item_id), {})[j.analyst] = j.grade
    return out


def load(store) -> list[Judgment]:
    return [Judgment(**r) for r in store.judgments()]


def judgments_frame(judgments: list[Judgment]):
    """Every mark as a table with the CSV's columns (the page writes it through the CSV-injection neutraliser)."""
    import pandas as pd

    return pd.DataFrame([[getattr(j, c) for c in CSV_COLUMNS] for j in judgments], columns=list(CSV_COLUMNS))


def to_qrels(judgments: list[Judgment]) -> str:
    """The consensus grades (what the metrics use) as TREC qrels: 'query 0 item grade' per line."""
    lines = []
    for (_, q, i), g in sorted(consensus(judgments).items(), key=lambda kv: (kv[0][1], kv[0][2])):
        if any(c.isspace() for c in q + i):
            raise JudgmentImportError(f"'{q}' / '{i}': 공백이 든 ID는 qrels로 내보낼 수 없음")
        lines.append(f"{q} 0 {i} {g}")
    return "\n".join(lines) + ("\n" if lines else "")


def direction_resolver(corpus):
    """(query id, item id) → their Direction in `corpus`, or None when either is missing or the pair has no direction."""
    def direction_of(query_id: str, item_id: str) -> Direction | None:
        query, item = corpus.get(query_id), corpus.get(item_id)
        if query is None or item is None or f"{query.kind}->{item.kind}" not in DIRECTIONS:
            return None
        return Direction(f"{query.kind}->{item.kind}")
    return direction_of


def _new_marks(store, rows: list[tuple[int, Judgment]]) -> list[Judgment]:
    """The imported marks that are new. An import adds marks and never changes a stored one: a row that would
    turn another analyst's 관련 into 무관, replace the importer's own blind mark with a qrels grade, or turn an
    analyst's mark into a ruling is refused (naming its row), and a row the store already holds is left out. A
    ruling ('adjudication') comes from an analyst who did not judge the item, as `adjudicate` asks."""
    def same(a: Judgment, b: Judgment) -> bool:  # one mark: the grade, and whether it is a ruling
        return (a.grade, a.model == ADJUDICATION) == (b.grade, b.model == ADJUDICATION)

    stored = {(j.analyst, j.direction, j.query_id, j.item_id): j for j in load(store)}
    judged = ratings([*stored.values(), *(j for _, j in rows)])
    new, seen = [], {}
    for row_no, j in rows:
        key = (j.analyst, j.direction, j.query_id, j.item_id)
        if key in seen:  # the file marks one pair twice: the same mark once, two marks refused (which one stands?)
            first_row, first = seen[key]
            if not same(first, j):
                raise JudgmentImportError(f"{row_no}행 'grade': {first_row}행과 같은 분석가·질의·항목에 다른 판정입니다. "
                                          "한 행만 남기세요")
            continue
        seen[key] = (row_no, j)
        old = stored.get(key)
        if j.model == ADJUDICATION and j.analyst in judged.get((j.direction, j.query_id, j.item_id), {}):
            raise JudgmentImportError(f"{row_no}행 'model': {particle(repr(j.analyst), '은/는')} 이 항목을 판정했습니다: "
                                      "결정(adjudication)은 판정하지 않은 다른 분석가가 합니다")
        if old is not None and same(old, j):
            continue  # already stored as it is (an export imported again)
        if old is not None:
            raise JudgmentImportError(
                f"{row_no}행 'grade': '{j.analyst}'의 저장된 판정({GRADE_LABELS[old.grade]})을 바꾸는 행입니다. "
                "가져오기는 저장된 판정을 바꾸지 않습니다 (판정은 그 분석가가 판정 화면에서 고칩니다)")
        new.append(j)
    return new


def import_qrels(store, data: bytes, analyst: str, direction_of) -> int:
    """Judgments from a TREC qrels file, recorded under `analyst`; `direction_of(query, item)` names the
    direction (None for an id the corpus does not hold). Every line is checked first; one bad line (its
    number and field named) and nothing is stored, nor is a line that would change a stored mark (`_new_marks`).
    Returns how many marks were added."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise JudgmentImportError(f"파일 인코딩이 UTF-8이 아님 ({e.start}바이트째)") from None
    judgments = []
    for row_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 4:
            raise JudgmentImportError(f"{row_no}행: 칸이 {len(parts)}개 (qrels는 '질의 0 항목 판정' 4칸)")
        query_id, _, item_id, raw = parts
        try:
            grade_value = int(raw)
        except ValueError:
            raise JudgmentImportError(f"{row_no}행 'grade': '{raw}'은(는) 판정이 아님 (2 관련, 1 부분, 0 무관)") from None
        direction = direction_of(query_id, item_id)
        if direction is None:
            raise JudgmentImportError(f"{row_no}행 'query_id'/'item_id': '{query_id}' → '{item_id}'은(는) 코퍼스에 없거나 "
                                      "추천 방향이 아닌 쌍")
        j = Judgment(analyst, str(direction), query_id, item_id, grade_value, "qrels")
        validate(j, row_no)
        judgments.append((row_no, j))
    return store.put_judgments([j.row() for j in _new_marks(store, judgments)])


def import_csv(store, data: bytes, known_ids: set[str] | None = None) -> int:
    """Pool another analyst's judgments. Every row is checked first; one bad row (its number and field named)
    and nothing is stored, so what is already stored is never half-overwritten, nor overwritten at all
    (`_new_marks`). Returns how many marks were added."""
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
        judgments.append((row_no, j))
    return store.put_judgments([j.row() for j in _new_marks(store, judgments)])


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
    direction = list(Direction)[index % len(Direction)]
    source, target = direction.source, direction.target
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
    map: list[float]
    mrr: list[float]


def consensus(judgments: list[Judgment], trusted: frozenset[str] = frozenset()) -> dict[tuple[str, str, str], int]:
    """(direction, query, item) → the grade the metrics use: a third analyst's ruling where there is one,
    else the analysts' mean grade rounded half up (관련 + 무관 → 부분). A machine judge's marks count only
    when it is in `trusted` (see llm_judge.gate), and only on pairs no analyst judged."""
    acc: dict[tuple[str, str, str], list[int]] = {}
    ruled: dict[tuple[str, str, str], int] = {}
    machine: dict[tuple[str, str, str], list[int]] = {}
    for j in judgments:
        key = (j.direction, j.query_id, j.item_id)
        if j.model == ADJUDICATION:
            ruled[key] = j.grade
        elif j.analyst.startswith(MACHINE_PREFIX):
            if j.analyst in trusted:
                machine.setdefault(key, []).append(j.grade)
        else:
            acc.setdefault(key, []).append(j.grade)
    rounded = lambda v: int(math.floor(np.mean(v) + 0.5))  # noqa: E731
    return {**{key: rounded(v) for key, v in machine.items()}, **{key: rounded(v) for key, v in acc.items()}, **ruled}


def _filters_of(judgments: list[Judgment], direction: str, query_id: str) -> FilterSettings:
    for j in judgments:
        if j.direction == direction and j.query_id == query_id and j.filters:
            try:
                return FilterSettings(**json.loads(j.filters))
            except (TypeError, ValueError):
                break
    return FilterSettings()


def judged_scores(engine, models: list[str], judgments: list[Judgment], k: int = 5,
                  trusted: frozenset[str] = frozenset()) -> list[JudgedScore]:
    """nDCG@k, P@k, MAP@k and MRR@k (ranx) of each model's list against the consensus grades (unjudged
    items count as 무관, and coverage says how many there were), with bootstrap CIs over judged queries;
    the category proxy's nDCG@k on the same lists beside it. Machine judges count only when `trusted`."""
    grades = consensus(judgments, trusted)
    out = []
    for direction in Direction:
        qrels: dict[str, dict[str, int]] = {}
        for (d, q, i), g in grades.items():
            if d == direction and engine.corpus.get(q) is not None:
                qrels.setdefault(q, {})[i] = g
        if not qrels:
            continue
        for name in models:
            try:
                model = engine.model(name)
            except ModelNotReady:
                continue
            lists, proxy = {}, {}
            for qid in sorted(qrels):
                query = engine.corpus.get(qid)
                items = [r.item_id for r in model.recommend(query, k=k, filters=_filters_of(judgments, direction, qid),
                                                             target=direction.target, explain=False).items]
                lists[qid] = items
                proxy[qid] = {i: grade(query, engine.corpus.get(i)) for i in items}
            judged = ranking_scores(lists, qrels, ks=(k,))
            by_proxy = ranking_scores(lists, proxy, ks=(k,))
            shown = sum(len(v) for v in lists.values())
            covered = sum(i in qrels[q] for q, items in lists.items() for i in items)
            ci = lambda v: [round(x, 4) for x in bootstrap_ci(v)]  # noqa: E731
            out.append(JudgedScore(direction, name, len(lists), ci(judged[f"ndcg@{k}"]), ci(judged[f"precision@{k}"]),
                                   round(covered / shown, 4) if shown else 0.0, ci(by_proxy[f"ndcg@{k}"]),
                                   ci(judged[f"map@{k}"]), ci(judged[f"mrr@{k}"])))
    return out


def pooled_pairs(engine, models: list[str], judgments: list[Judgment], k: int = 5) -> list[tuple[str, str, str]]:
    """Every judged pair plus each model's top-k for the judged queries: the pool an LLM judge grades."""
    out = dict.fromkeys((j.direction, j.query_id, j.item_id) for j in judgments
                        if engine.corpus.get(j.query_id) is not None and engine.corpus.get(j.item_id) is not None)
    for direction, qid in sorted({(d, q) for d, q, _ in out}):
        for name in models:
            try:
                model = engine.model(name)
            except ModelNotReady:
                continue
            for rec in model.recommend(engine.corpus.get(qid), k=k, filters=_filters_of(judgments, direction, qid),
                                       target=Direction(direction).target, explain=False).items:
                out.setdefault((direction, qid, rec.item_id), None)
    return list(out)


def proxy_agreement(engine, judgments: list[Judgment]) -> tuple[float, int]:
    """Cohen's κ between the proxy (same middle category → relevant) and the consensus (관련 or 부분 →
    relevant) over every judged pair; NaN when one side never varies. Returns (κ, pairs)."""
    from sklearn.metrics import cohen_kappa_score

    proxy, judged = [], []
    for (_, qid, iid), g in consensus(judgments).items():
        query, item = engine.corpus.get(qid), engine.corpus.get(iid)
        if query is None or item is None:
            continue
        proxy.append(int(grade(query, item) == 2))
        judged.append(int(g >= 1))
    if len(set(proxy)) < 2 and len(set(judged)) < 2:
        return (1.0 if proxy == judged and proxy else math.nan), len(proxy)
    return float(cohen_kappa_score(proxy, judged)), len(proxy)


def judged_frame(scores: list[JudgedScore]):
    """The 평가·감사 page's table: judgment-based nDCG@k and P@k with CIs, the proxy beside, and coverage."""
    import pandas as pd

    ci = lambda v: f"{v[0]:.3f} [{v[1]:.3f}, {v[2]:.3f}]"  # noqa: E731
    return pd.DataFrame([{"방향": DIRECTIONS[s.direction], "모델": s.model, "판정된 질의": s.queries,
                          "nDCG@5 (판정)": ci(s.ndcg), "P@5 (판정)": ci(s.precision), "MAP@5 (판정)": ci(s.map),
                          "MRR@5 (판정)": ci(s.mrr), "nDCG@5 (직종 대리지표)": ci(s.proxy_ndcg),
                          "판정 커버리지": f"{s.coverage:.0%}"} for s in scores])
