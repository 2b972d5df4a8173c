"""Filtered top-k for many queries at once (the seed's nightly 'recommendation sets' step).

Queries that share a filter profile (same place, education, career, disability) share one mask, so
72k postings need only a few thousand masks; each group is then scored with one matrix product.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .filters import FilterSettings, Origin, filter_mask


@dataclass
class BatchResult:
    rows: dict[str, np.ndarray]  # query id → item rows, best first
    scores: dict[str, np.ndarray]
    mask_seconds: float
    score_seconds: float
    groups: int


def _profile(o: Origin) -> tuple:
    return (o.lat, o.lon, o.sido, o.education, o.career, o.disability, o.unsuitable)


def batch_recommend(model, queries: list, target: str, k: int = 10, filters: FilterSettings | None = None,
                    query_vectors=None, progress: Callable[[int, int], None] | None = None) -> BatchResult:
    """Top-k filtered items for every query. `query_vectors` (row-aligned with `queries`) skips encoding."""
    filters = filters or FilterSettings()
    table = model.corpus.tables[target]
    matrix = model.matrices[target]
    if query_vectors is None:
        query_vectors = model.encode([q.text() for q in queries], kind="query")
    origins = [model.origin(q) for q in queries]
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
        mask, _ = filter_mask(Origin("", probe.kind, probe.lat, probe.lon, probe.sido, probe.education,
                                     probe.career, probe.disability, probe.unsuitable), table, filters, cache)
        cand = np.flatnonzero(mask)
        t1 = time.perf_counter()
        mask_time += t1 - t0
        if len(cand):
            q = query_vectors[members]
            s = matrix[cand] @ q.T
            s = np.asarray(s.todense()) if sp.issparse(s) else np.asarray(s)
            for col, qi in enumerate(members):
                col_scores = s[:, col].copy()
                own = table.row_of.get(origins[qi].id)
                if own is not None:  # a posting is never its own neighbour
                    col_scores[cand == own] = -np.inf
                kk = min(k, len(cand))
                top = np.argpartition(-col_scores, kk - 1)[:kk]
                top = top[np.argsort(-col_scores[top], kind="stable")]
                top = top[np.isfinite(col_scores[top])]
                rows_out[origins[qi].id] = cand[top]
                scores_out[origins[qi].id] = col_scores[top]
        else:
            for qi in members:
                rows_out[origins[qi].id] = np.zeros(0, dtype=np.int64)
                scores_out[origins[qi].id] = np.zeros(0)
        score_time += time.perf_counter() - t1
        if progress:
            progress(g + 1, len(groups))
    return BatchResult(rows_out, scores_out, mask_time, score_time, len(groups))
