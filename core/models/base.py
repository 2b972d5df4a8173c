"""The one interface every recommender sits behind (TF-IDF, SBERT, W-BERT, the hybrid).

    model = engine.model("sbert")                  # fitted once, cached (see engine.py)
    result = model.recommend(query, k=10, filters=FilterSettings(), target="posting")

A model only turns texts into vectors (`prepare`) and scores candidate rows (`score`); masking, top-k with
its tie-break, distances, badges and explanations live here, so a single query, the batch and the
evaluation rank exactly alike and never special-case a model.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..data.records import Posting, Seeker
from ..data.standard_jobs import split_enriched
from ..filters import FilterReport, FilterSettings, badges
from ..progress import Progress
from .corpus import Corpus
from .encoders import ModelNotReady

EXACT_SEARCH_MAX = 2_000  # up to this many surviving candidates, `rank` scores their gathered rows (one matmul)
SPAN_GAP = 64  # candidate rows closer than this are scored as one slice: reading a few rows more beats a gather
Candidates = tuple[np.ndarray, FilterReport]


@dataclass
class Recommendation:
    item_id: str
    rank: int
    score: float
    distance_km: float | None
    filters_passed: dict[str, str]
    explanation: dict = field(default_factory=dict)


@dataclass
class RecommendResult:
    items: list[Recommendation]
    report: FilterReport
    model: str
    seconds: float
    stored: bool = False  # served from a stored recommendation set (core.models.recsets), not ranked now


def top_k(scores: np.ndarray, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best rows: score descending, ties by row ascending; -inf (excluded) rows never returned.
    The only tie-break in JobLens, so every path that ranks gives the same list."""
    keep = np.isfinite(scores)
    scores, rows = scores[keep], rows[keep]
    if len(scores) > k:
        part = np.argpartition(-scores, k - 1)[:k]
        kth = scores[part].min()
        part = np.flatnonzero(scores >= kth)  # every row tied with the k-th, so the row tie-break is exact
    else:
        part = np.arange(len(scores))
    order = part[np.lexsort((rows[part], -scores[part]))][:k]
    return rows[order], scores[order]


def dense_scores(m: np.ndarray, q: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """float32 products of one query `q` with the `rows` of `m` (in that order), without copying their vectors.

    A corpus in grid-cell order (`Corpus`) puts a radius query's rows in a few runs: those are scored as
    contiguous slices of `m` (streaming reads, ~3x faster than a gather at 100k rows), the few rows between
    candidates included and dropped. Rows scattered over the matrix go through FAISS's gather kernel."""
    q = np.ascontiguousarray(q, dtype=np.float32)
    rows = np.asarray(rows, dtype=np.int64)
    if len(rows) == 0:
        return np.zeros(0, dtype=np.float32)
    steps = np.diff(rows)
    breaks = np.flatnonzero(steps > SPAN_GAP) + 1
    bounds = np.concatenate([[0], breaks, [len(rows)]])
    starts, ends = rows[bounds[:-1]], rows[bounds[1:] - 1] + 1
    ascending = bool((steps > 0).all())  # slices index by offset: rows out of order go through the gather
    if ascending and int((ends - starts).sum()) <= 3 * len(rows) and len(starts) * 256 <= len(rows) + 256:
        out = np.empty(len(rows), dtype=np.float32)
        for a, b, lo, hi in zip(starts, ends, bounds[:-1], bounds[1:]):
            out[lo:hi] = (m[a:b] @ q)[rows[lo:hi] - a]
        return out
    import faiss

    m = np.ascontiguousarray(m, dtype=np.float32)
    ids = np.ascontiguousarray(rows, dtype=np.int64)
    out = np.empty(len(ids), dtype=np.float32)
    faiss.fvec_inner_products_by_idx(faiss.swig_ptr(out), faiss.swig_ptr(q), faiss.swig_ptr(m), faiss.swig_ptr(ids),
                                     m.shape[1], 1, len(ids))
    return out


def recommendations(corpus: Corpus, query: Posting | Seeker, target: str, rows, scores, report,
                    filters: FilterSettings) -> list[Recommendation]:
    """Ranked rows of the target table as Recommendations: id, rank, score, distance and the filter badges.
    One place for the live list and a stored one (core.models.recsets), so both look the same."""
    origin, table = corpus.origin(query), corpus.tables[target]
    out = []
    for rank, (row, score) in enumerate(zip(rows, scores), start=1):
        dist = report.distances[int(row)]
        out.append(Recommendation(table.ids[int(row)], rank, float(score), None if np.isnan(dist) else float(dist),
                                  badges(origin, table, int(row), dist, filters)))
    return out


def take(prepared: Any, queries: list[int]) -> Any:
    """The given queries of prepared queries, still two-dimensional (the hybrid prepares one entry per part)."""
    return [take(p, queries) for p in prepared] if isinstance(prepared, list) else prepared[queries]


class Recommender:
    """fit(corpus) → item matrices for both sides; prepare(texts) → query vectors; score(...) → similarities."""

    name = "base"
    holds_vectors = True  # False for a model that only combines others (the hybrid)
    vector_store = None  # a core.models.vectorstore.VectorStore holding the dense vectors, or None (in-process)

    def __init__(self, enrich_weight: float = 1.0, query_prompt_posting: str = "passage",
                 query_prompt_seeker: str = "query", max_tokens_text: int = 96, max_tokens_enrichment: int = 192) -> None:
        """Defaults are the settings' defaults (tuned on the dev split, see bench/bench_quality.py); the edges
        pass the configured values through `registry.ModelParams`."""
        self.corpus: Corpus | None = None
        self.matrices: dict[str, Any] = {}
        self._f64: dict[str, tuple[Any, Any]] = {}  # target → (sparse matrix, its float64 copy); see `_float64`
        self.enrich_weight = enrich_weight
        # encoder prompt for a query from each side (e5: 'query' or 'passage'; tuned on the dev split)
        self.query_kinds = {"posting": query_prompt_posting, "seeker": query_prompt_seeker}
        # token cap per field, from the real length distribution (settings `max_tokens_*`)
        self.max_tokens = {"text": max_tokens_text, "enrichment": max_tokens_enrichment}

    def signature(self) -> dict:
        """Every parameter that changes this model's lists: the part of a stored list's key that comes from the
        model (`Engine.list_key` adds the analyser, the model version and the corpus's enrichment)."""
        return {"name": self.name, "enrich_weight": self.enrich_weight, "query_kinds": dict(self.query_kinds),
                "max_tokens": dict(self.max_tokens)}

    # ------------------------------------------------------------ what a model implements
    def fit(self, corpus: Corpus, progress: Progress | None = None) -> Recommender:
        raise NotImplementedError

    def encode(self, texts: list[str], kind: str = "query"):
        """Texts → vectors in the item space (kind: 'query' or 'passage', for encoders with prompts)."""
        raise NotImplementedError

    def encode_many(self, texts: list[str], kind: str, progress: Progress | None = None, label: str = "",
                    max_tokens: int | None = None) -> Any:
        """`encode` for many texts at once; an encoder with a vector cache and a length cap overrides it."""
        return self.encode(texts, kind=kind)

    def explain(self, query_text: str, item_texts: list[str]) -> list[dict]:
        """Why each item is in the list, one dict per item; the whole list at once so encoders batch."""
        return [{} for _ in item_texts]

    # ------------------------------------------------------------ texts with an enrichment field
    def vectors(self, texts: list[str], kind: str, progress: Progress | None = None, label: str = "") -> Any:
        """Texts → unit vectors, each its own text's vector plus `enrich_weight` times its enrichment's
        (the part after ENRICH_MARK; see core/data/standard_jobs.py). Enrichments repeat per occupation, so
        each distinct one is encoded once. Each field is cut at its own token cap (`max_tokens`), and every
        path (fit, query, a fresh record) comes through here and the cache, so they all make the same vector."""
        from sklearn.preprocessing import normalize

        own, extra = zip(*(split_enriched(t) for t in texts)) if texts else ((), ())
        v = self.encode_many(list(own), kind, progress, label, max_tokens=self.max_tokens["text"])
        rows = [i for i, e in enumerate(extra) if e]
        if not rows or not self.enrich_weight:
            return v
        distinct = sorted({extra[i] for i in rows})
        ev = self.encode_many(distinct, "passage", max_tokens=self.max_tokens["enrichment"])
        at = {e: j for j, e in enumerate(distinct)}
        picks = [at[extra[i]] for i in rows]
        if sp.issparse(v):
            lift = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, picks)), shape=(len(texts), len(distinct)))
            return normalize(v + self.enrich_weight * (lift @ ev)).astype(np.float32).tocsr()
        v = np.array(v, dtype=np.float32, copy=True)
        v[rows] += self.enrich_weight * np.asarray(ev, dtype=np.float32)[picks]
        return normalize(v).astype(np.float32)

    # ------------------------------------------------------------ scoring, shared by single and batch
    def prepare(self, texts: list[str], source: str | None = None) -> Any:
        """Query texts → whatever `score` needs (vectors here; the hybrid keeps one per part). `source` is the
        queries' side ('posting' or 'seeker'), which picks the encoder prompt (`query_kinds`).

        Through the embedding cache (key: encoder, prompt, text hash): a query that is an indexed record under
        the prompt its side was indexed with (posting queries use 'passage') gets its stored vector back and is
        not re-encoded, and a repeated query is encoded once. Single and batch both come here, so they agree."""
        return self.vectors(texts, self.query_kinds.get(source or "", "query"))

    def score(self, prepared: Any, target: str, rows: np.ndarray, own: list[int | None] | None = None,
              exact: bool = False) -> np.ndarray:
        """Similarities, shape (len(rows), n_queries). `own[j]` is query j's own row, scored -inf so a record is
        never its own neighbour (the batch shares one mask over queries of the same profile).

        Fast scores are float32 products, whose last bits depend on the kernel (a matrix product for a batch,
        a vector product for one query). `exact=True` sums in float64 and rounds to float32, where the kernels
        agree; `rank` re-scores only the few rows near the top that way."""
        m = self.matrices[target]
        if exact:
            m = self._float64(target)[rows] if sp.issparse(m) else m[rows].astype(np.float64)
            q = prepared.T.astype(np.float64)
        else:
            m, q = m[rows], prepared.T
        s = m @ q
        s = np.asarray(s.todense()) if sp.issparse(s) else np.asarray(s)
        s = s.astype(np.float32).astype(np.float64) if exact else s.astype(np.float64)
        for j, row in enumerate(own or []):
            if row is not None:
                s[rows == row, j] = -np.inf
        return s

    def _float64(self, target: str):
        """A float64 copy of a sparse item matrix, made once: converting the rows of every exact re-score
        anew costs more than the product (dense rows are cheap to convert and would double the memory)."""
        cache = self._f64
        matrix = self.matrices[target]
        if target not in cache or cache[target][0] is not matrix:  # a refit or a fresh record makes a new matrix
            cache[target] = (matrix, matrix.astype(np.float64))
        return cache[target][1]

    scores_are_exact = False  # True when `score` is already kernel-independent (the hybrid's fused ranks)
    EXACT_MARGIN = 1e-4  # far above float32 rounding of a dot product of unit vectors (~1e-6)

    def rank(self, prepared: Any, target: str, rows: np.ndarray, k: int,
             own: list[int | None] | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
        """Top-k (rows, scores) per query among `rows`: fast scores pick every row that could be in the top k,
        exact scores order them. Alone or in a batch, a query gets the same list."""
        fast = self.score(prepared, target, rows, own)
        if self.scores_are_exact:
            return [top_k(fast[:, j], rows, k) for j in range(fast.shape[1])]
        near: list[np.ndarray] = []
        for j in range(fast.shape[1]):
            col = fast[:, j]
            finite = col[np.isfinite(col)]
            if len(finite) == 0:
                near.append(rows[:0])
                continue
            at = len(finite) - min(max(k, 1), len(finite))  # index of the k-th best after partitioning
            kth = np.partition(finite, at)[at]
            near.append(rows[col >= kth - self.EXACT_MARGIN])
        # one exact product for the whole group, over the union of the rows near each query's top k: an exact
        # score depends only on its (row, query) pair, so sharing the call changes no list
        union = np.unique(np.concatenate(near)) if near else rows[:0]
        exact = self.score(prepared, target, union, own, exact=True) if len(union) else None
        return [top_k(exact[np.searchsorted(union, rows_j), j], rows_j, k) if len(rows_j) else (rows_j, np.zeros(0))
                for j, rows_j in enumerate(near)]

    def search(self, query_text: str, target: str, mask: np.ndarray, k: int, source: str | None = None,
               prepared: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k rows among mask: a few candidates are gathered and scored by `rank`; many (a 20/40 km radius in a
        dense region of a large corpus) are scored in place by `dense_scores`, then re-scored exactly."""
        rows = np.flatnonzero(mask)
        if len(rows) == 0 or k <= 0:
            return rows[:0], np.zeros(0)
        m = self.matrices.get(target)
        prepared = self.prepare([query_text], source) if prepared is None else prepared
        if m is not None and not sp.issparse(m) and len(rows) > EXACT_SEARCH_MAX:
            return self._wide_search(prepared, target, rows, k)
        return self.rank(prepared, target, rows, k)[0]

    def _wide_search(self, prepared, target: str, rows: np.ndarray, k: int):
        """Fast scores of many rows without copying their vectors (`dense_scores`); the rows that could be in
        the top k are then ordered by exact scores, as `rank` does, so the list is the same."""
        m = self.matrices[target]
        q = np.ascontiguousarray(np.asarray(prepared)[0], dtype=np.float32)
        fast = dense_scores(m, q, rows)
        at = len(fast) - min(k, len(fast))
        near = rows[fast >= np.partition(fast, at)[at] - self.EXACT_MARGIN]
        return top_k(self.score(prepared, target, near, exact=True)[:, 0], near, k)

    # ------------------------------------------------------------ the public call
    def recommend(self, query: Posting | Seeker, k: int = 10, filters: FilterSettings | None = None,
                  target: str = "posting", explain: bool = True, candidates: Candidates | None = None,
                  prefer_occupation: bool = False, today_first: str = "") -> RecommendResult:
        """Filtered top-k for one query. `candidates` (from `corpus.candidates`) lets a caller that ranks the
        same query with several models compute the mask once. `prefer_occupation` (the counselor's
        '희망 직종 우선'): items of the query's middle category first, then of its major category, then the
        rest, each tier in the model's order; the filters are the same. `today_first` (an ISO date, '오늘 등록
        먼저'): within each tier, postings registered that day come first."""
        if self.corpus is None:
            raise ModelNotReady(f"{self.name}: fit() 먼저 호출해야 합니다")
        start = time.time()
        filters = filters or FilterSettings()
        mask, report = candidates or self.corpus.candidates(query, target, filters)
        query_text = self.corpus.text_of(query)
        source = query.kind
        tiers = self.corpus.occupation_tiers(query, target, mask) if prefer_occupation else [mask]
        if today_first and target == "posting":
            today = self.corpus.registered_on(today_first)
            tiers = [t for tier in tiers for t in (tier & today, tier & ~today) if t.any()] or [mask]
        prepared = self.prepare([query_text], source)  # once, shared by the tiers
        if self._in_store(target) and len(tiers) == 1:  # the filters run inside the store; same list
            found = [self.vector_store.search(self.name, self.corpus.tables[target], self.corpus.origin(query),
                                              filters, prepared, max(0, k))]
        else:
            found = [self.search(query_text, target, tier, max(0, k), source, prepared) for tier in tiers]
        rows = np.concatenate([r for r, _ in found])[:max(0, k)]
        scores = np.concatenate([s for _, s in found])[:max(0, k)]
        items = recommendations(self.corpus, query, target, rows, scores, report, filters)
        if explain and items:
            self.explain_items(query, items)
        return RecommendResult(items, report, self.name, time.time() - start)

    def explain_items(self, query: Posting | Seeker, items: list[Recommendation]) -> None:
        """Each item's `explanation`: why the model put it there, plus the query's standard job description."""
        corpus = self.corpus
        reasons = self.explain(corpus.text_of(query), [corpus.text_of(corpus.get(r.item_id)) for r in items])
        standard = corpus.enrichment_of(query)
        for rec, reason in zip(items, reasons):
            rec.explanation = {**reason, "표준직무": standard} if standard else reason

    # ------------------------------------------------------------ a shared vector store (#27)
    def _in_store(self, target: str) -> bool:
        m = self.matrices.get(target)
        return self.vector_store is not None and m is not None and not sp.issparse(m)

    def attach(self, store) -> Recommender:
        """Write this model's dense vectors, both sides, into `store` and search there from now on (a sparse
        model such as TF-IDF stays in-process: Milvus's sparse vectors would need their own parity work)."""
        self.vector_store = store
        for kind, m in self.matrices.items():
            if self._in_store(kind):
                store.write(self.name, self.corpus.tables[kind], np.arange(m.shape[0]), m)
        return self

    # ------------------------------------------------------------ fresh data
    def add_vector(self, record: Posting | Seeker) -> None:
        """Append or replace the record's vector; the corpus row must already be up to date."""
        kind = record.kind
        row = self.corpus.tables[kind].row_of[record.id]
        m = self.matrices[kind]
        vec = self.vectors([self.corpus.text_of(record)], "passage")
        if row >= m.shape[0]:
            self.matrices[kind] = sp.vstack([m, vec], format="csr") if sp.issparse(m) else np.vstack([m, vec])
        elif sp.issparse(m):
            lil = m.tolil()
            lil[row] = vec
            self.matrices[kind] = lil.tocsr()
        else:
            m[row] = np.asarray(vec).ravel()
        if self._in_store(kind):  # new, changed or closed: in the shared store at once
            self.vector_store.write(self.name, self.corpus.tables[kind], np.array([row]), np.asarray(vec).reshape(1, -1))
