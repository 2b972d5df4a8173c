"""Recommendation sets: the filtered top-k of every posting and seeker, in every direction, for every model,
computed in batch and stored in SQLite (the seed's nightly step), so the app serves a list without ranking.

    build(engine, ["tfidf", "sbert", "wbert", "hybrid"], analyser="mecab")   # every list, the shared batch path
    refresh(engine, postings, models, analyser="mecab")   # new or changed postings: only the lists they reach
    engine.recommend("sbert", "mecab", query, "posting", 10, filters)       # serves a stored list when one fits

Every list is stored under `engine.list_key(model, analyser)`: a digest of everything that changes a list
(model, analyser, model version, encoder backend, quality settings), so a list is only ever served to the
configuration that built it. `stored_result` is what `Engine.recommend` calls; nothing else should.

A changed posting can enter or leave only the lists whose query is within that query's radius of where it is or
was (the distance filter; leaving a candidate set moves the hybrid's fused ranks even below the top k), the lists
it was already in, and its own two lists as a query; `affected` finds exactly
those, and `refresh` recomputes them and nothing else. With the distance filter off, every list is affected.
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict
from typing import Any

import numpy as np

from ..data.kinds import Direction
from ..data.records import Posting, Seeker
from ..filters import FilterSettings
from ..geo import haversine_km
from ..progress import Progress
from .base import RecommendResult, recommendations
from .batch import batch_recommend

DIRECTIONS = {"posting->posting": ("posting", "posting"), "seeker->posting": ("seeker", "posting"),
              "posting->seeker": ("posting", "seeker")}


def _save_places(engine, ids: list[str]) -> None:
    """Where each posting was when the lists were computed: a moved posting also leaves its old neighbours'
    candidate sets, which changes fused ranks (the hybrid) even where it was not in the top k."""
    table = engine.corpus.tables["posting"]
    engine.store.put_recsets_places([(i, float(table.lat[table.row_of[i]]), float(table.lon[table.row_of[i]]))
                                     for i in ids if i in table.row_of])


def _places(engine, posting_id: str) -> list[tuple[float, float]]:
    """The posting's place now and, when it differs, where it was when the lists were computed."""
    table = engine.corpus.tables["posting"]
    row = table.row_of.get(posting_id)
    now = [(float(table.lat[row]), float(table.lon[row]))] if row is not None else []
    before = engine.store.recsets_place(posting_id)
    return [p for p in now + ([before] if before else []) if p[0] is not None and not np.isnan(p[0])]


def _filters_key(filters: FilterSettings) -> str:
    return json.dumps(asdict(filters), sort_keys=True)


def _run(engine, model_name: str, analyser: str, direction: str, queries: list, k: int, filters: FilterSettings,
         progress: Progress | None = None, map_chunks=None) -> tuple[float, float]:
    """Rank and store the lists of `queries`; returns (ranking seconds, writing seconds)."""
    if not queries:
        return 0.0, 0.0
    target = DIRECTIONS[direction][1]
    start = time.perf_counter()
    result = batch_recommend(engine.model(model_name, analyser), queries, target, k=k, filters=filters, progress=progress,
                             map_chunks=map_chunks)
    ranked = time.perf_counter()
    ids = engine.corpus.tables[target].ids
    engine.store.put_recsets(engine.list_key(model_name, analyser), direction, [
        (q.id, json.dumps([[ids[int(r)], round(float(s), 6)] for r, s in zip(result.rows[q.id], result.scores[q.id])]))
        for q in queries])
    return ranked - start, time.perf_counter() - ranked


def build(engine, models: list[str], k: int = 10, filters: FilterSettings | None = None,
          progress: Progress | None = None, analyser: str = "mecab",
          map_chunks=None) -> dict[str, dict[str, tuple[float, float]]]:
    """Every list of every model in every direction; returns (ranking, writing) seconds per model and direction.
    `map_chunks` (e.g. `RayRunner.map_chunks`) ranks chunks of queries elsewhere: the same lists."""
    filters = filters or FilterSettings()
    seconds: dict[str, dict[str, tuple[float, float]]] = {}
    for name in models:
        for direction, (source, _) in DIRECTIONS.items():
            spent = _run(engine, name, analyser, direction, engine.corpus.records(source), k, filters, progress,
                         map_chunks)
            engine.store.put_recsets_meta(engine.list_key(name, analyser), direction, name,
                                          engine.list_settings(name, analyser), k, _filters_key(filters))
            seconds.setdefault(name, {})[direction] = spent
    _save_places(engine, engine.corpus.tables["posting"].ids)
    return seconds


def _lists_holding(store, item_id: str) -> dict[str, set[str]]:
    """direction → query ids whose stored list (any model) holds the item."""
    out: dict[str, set[str]] = {}
    for direction, qid in store.recsets_holding(item_id):
        out.setdefault(direction, set()).add(qid)
    return out


def affected(engine, posting: Posting, filters: FilterSettings | None = None) -> dict[str, list]:
    """direction → the queries whose list the posting can enter or leave: those within their own radius of where
    it is or was (its candidate sets), those whose stored list holds it, and the posting itself as a query."""
    filters = filters or FilterSettings()
    corpus = engine.corpus
    holding = _lists_holding(engine.store, posting.id)
    places = _places(engine, posting.id)
    out: dict[str, list] = {}
    for direction, (source, target) in DIRECTIONS.items():
        queries = corpus.records(source)
        if target == "posting":
            if filters.distance:
                origins = [corpus.origin(q) for q in queries]
                lat = np.array([np.nan if o.lat is None else o.lat for o in origins], dtype=float)
                lon = np.array([np.nan if o.lon is None else o.lon for o in origins], dtype=float)
                radius = np.array([filters.radius(o.sido) for o in origins])
                near = np.zeros(len(queries), dtype=bool)
                for p_lat, p_lon in places:
                    near |= haversine_km(p_lat, p_lon, lat, lon) <= radius
            else:
                near = np.ones(len(queries), dtype=bool)
            keep = holding.get(direction, set()) | ({posting.id} if source == "posting" else set())
            out[direction] = [q for q, n in zip(queries, near) if n or q.id in keep]
        else:  # posting → seekers: only the posting's own list can change
            out[direction] = [q for q in queries if q.id == posting.id]
    return out


def refresh(engine, postings: list[Posting], models: list[str], k: int = 10,
            filters: FilterSettings | None = None, analyser: str = "mecab") -> dict[str, int]:
    """Recompute exactly the lists new or changed postings can appear in, once for all of them (the engine
    already holds them: `engine.add` or `engine.refresh` first). Returns direction → lists rewritten per model."""
    filters = filters or FilterSettings()
    lists: dict[str, dict[str, Any]] = {d: {} for d in DIRECTIONS}
    for posting in postings:
        for direction, queries in affected(engine, posting, filters).items():
            lists[direction].update({q.id: q for q in queries})
    lists = {direction: list(queries.values()) for direction, queries in lists.items()}
    for name in models:
        for direction, queries in lists.items():
            _run(engine, name, analyser, direction, queries, k, filters)
    _save_places(engine, [p.id for p in postings])
    return {direction: len(queries) for direction, queries in lists.items()}


def stored(store, config: str, direction: str, query_id: str, k: int,
           filters: FilterSettings) -> tuple[list[tuple[str, float]], float] | None:
    """(items, built_at) of the list stored under this configuration key when a full build for these filters
    with at least k items exists; else None."""
    meta = store.recsets_meta(config, direction)
    if meta is None or meta[0] < k or meta[1] != _filters_key(filters):
        return None
    row = store.recset(config, direction, query_id)
    return ([(item, score) for item, score in json.loads(row[0])][:k], row[1]) if row else None


def _still_valid(engine, query, target: str, items: list[tuple[str, float]], built_at: float,
                 filters: FilterSettings) -> bool:
    """No record changed since the list was built could enter or leave it: the query itself did not change, and
    no changed record of the target side is in the list or within the query's radius (the `affected` rule)."""
    postings, seekers, _ = engine.store.changed_since(built_at)
    changed = postings if target == "posting" else seekers
    if any(r.id == query.id for r in [*postings, *seekers]):
        return False
    listed = {item for item, _ in items}
    origin = engine.corpus.origin(query)
    for record in changed:
        if record.id in listed or not filters.distance:
            return False
        places = _places(engine, record.id) if target == "posting" else \
            [(record.place.lat, record.place.lon)] if record.place.lat is not None else []
        if origin.lat is not None and any(float(haversine_km(origin.lat, origin.lon, np.array([lat]), np.array([lon]))[0])
                                          <= filters.radius(origin.sido) for lat, lon in places):
            return False
    return True


def stored_result(engine, config: str, model_name: str, query: Posting | Seeker, target: str, k: int,
                  filters: FilterSettings, model: Any = None) -> RecommendResult | None:
    """The list stored under `config` (see `Engine.list_key`) as the RecommendResult a live `recommend` gives
    (filter report, distances, badges, explanations), without ranking; `stored` is True. None when no set of
    this configuration matches these filters and k, or a change since the build reaches the list."""
    start = time.time()
    direction = Direction.of(query, target)
    found = stored(engine.store, config, direction, query.id, k, filters)
    if found is None or not _still_valid(engine, query, target, *found, filters):
        return None  # no set for these settings, or a change since the build reaches this list: rank live
    items = found[0]
    corpus = engine.corpus
    mask, report = corpus.candidates(query, target, filters)
    row_of = corpus.tables[target].row_of
    rows = [row_of.get(item_id) for item_id, _ in items]
    if any(row is None or not mask[row] for row in rows):  # changed since the build and not refreshed: serve live
        return None
    out = recommendations(corpus, query, target, rows, [score for _, score in items], report, filters)
    if model is not None and out:
        model.explain_items(query, out)
    return RecommendResult(out, report, model_name, time.time() - start, stored=True)
