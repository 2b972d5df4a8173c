"""Filtered top-k for many queries at once (the seed's nightly 'recommendation sets' step).

Queries that share a filter profile (same place, education, career, disability) share one mask, so
72k postings need only a few thousand masks; each group is then scored in one call of the model's own
`score` and cut with the same `top_k` as a single query, so batch and single lists are identical for
every model, the hybrid included.
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data.records import Seeker
from ..filters import FilterSettings, Origin, filter_mask
from ..progress import Progress, report
from .base import Recommender, take


@dataclass
class BatchResult:
    rows: dict[str, np.ndarray]  # query id → item rows, best first
    scores: dict[str, np.ndarray]
    mask_seconds: float
    score_seconds: float
    groups: int


def _profile(o: Origin) -> tuple:
    return (o.lat, o.lon, o.sido, o.education, o.career, o.disability, o.unsuitable, o.level)


def batch_recommend(model: Recommender, queries: list, target: str, k: int = 10, filters: FilterSettings | None = None,
                    prepared: Any = None, progress: Progress | None = None, map_chunks=None,
                    chunk_size: int = 2000) -> BatchResult:
    """Top-k filtered items for every query. `prepared` (row-aligned with `queries`, as `model.prepare`
    returns it) skips encoding, e.g. when the vectors are already in the index. `map_chunks(fn, state, chunks)`
    (e.g. `RayRunner.map_chunks`) ranks chunks of queries elsewhere; the lists are the same (see distributed.py)."""
    filters = filters or FilterSettings()
    corpus = model.corpus
    table = corpus.tables[target]
    if prepared is None:
        source = "seeker" if queries and isinstance(queries[0], Seeker) else "posting"
        prepared = model.prepare([corpus.text_of(q) for q in queries], source)
    if map_chunks is not None and queries:
        return _chunked(model, queries, target, k, filters, prepared, map_chunks, chunk_size)
    origins = [corpus.origin(q) for q in queries]
    groups: dict[tuple, list[int]] = {}
    for i, o in enumerate(origins):
        groups.setdefault(_profile(o), []).append(i)
    rows_out: dict[str, np.ndarray] = {}
    scores_out: dict[str, np.ndarray] = {}
    mask_time = score_time = 0.0
    cache: dict = {}  # component masks shared by all groups (one distance mask per place, …)
    for g, members in enumerate(groups.values()):
        t0 = time.perf_counter()
        probe = origins[members[0]]
        mask, _ = filter_mask(dataclasses.replace(probe, id=""), table, filters, cache)
        cand = np.flatnonzero(mask)
        t1 = time.perf_counter()
        mask_time += t1 - t0
        if len(cand):
            own = [table.row_of.get(origins[i].id) if probe.kind == target else None for i in members]
            for qi, (rows, scores) in zip(members, model.rank(take(prepared, members), target, cand, k, own)):
                rows_out[origins[qi].id], scores_out[origins[qi].id] = rows, scores
        else:
            for qi in members:
                rows_out[origins[qi].id], scores_out[origins[qi].id] = np.zeros(0, dtype=np.int64), np.zeros(0)
        score_time += time.perf_counter() - t1
        report(progress, "일괄 추천", g + 1, len(groups))
    return BatchResult(rows_out, scores_out, mask_time, score_time, len(groups))


def _rank_chunk(state, chunk) -> BatchResult:
    model, target, k, filters = state
    queries, prepared = chunk
    return batch_recommend(model, queries, target, k, filters, prepared)


def _chunked(model, queries, target, k, filters, prepared, map_chunks, chunk_size) -> BatchResult:
    """Chunks of queries ranked by `map_chunks` against a lean copy of the model, merged into one result."""
    from .distributed import lean

    starts = range(0, len(queries), chunk_size)
    chunks = [(queries[a:a + chunk_size], take(prepared, list(range(a, min(a + chunk_size, len(queries)))))) for a in starts]
    parts = map_chunks(_rank_chunk, (lean(model), target, k, filters), chunks)
    out = BatchResult({}, {}, 0.0, 0.0, 0)
    for part in parts:
        out.rows.update(part.rows)
        out.scores.update(part.scores)
        out.mask_seconds += part.mask_seconds
        out.score_seconds += part.score_seconds
        out.groups += part.groups
    return out
