"""Reciprocal-rank fusion of other models over the same filtered candidates."""
from __future__ import annotations

import numpy as np

from .base import Recommender


class HybridRecommender(Recommender):
    """Reciprocal-rank fusion of its parts (TF-IDF and SBERT by default) over the same filtered candidates."""

    holds_vectors = False
    scores_are_exact = True  # fused from ranks of exact part scores: the same in every path

    def __init__(self, parts: list[Recommender], k_rrf: int = 60, weights: list[float] | None = None):
        super().__init__()
        self.parts = parts
        self.k_rrf = k_rrf
        self.weights = list(weights) if weights is not None else [1.0] * len(parts)  # per part, in RRF's sum
        self.name = "hybrid"

    def signature(self) -> dict:
        return {**super().signature(), "k_rrf": self.k_rrf, "weights": list(self.weights),
                "parts": [p.signature() for p in self.parts]}

    def fit(self, corpus, progress=None):
        self.corpus = corpus
        for p in self.parts:
            if p.corpus is not corpus:
                p.fit(corpus, progress)
        self.matrices = {"posting": None, "seeker": None}
        return self

    def prepare(self, texts, source=None):
        return [p.prepare(texts, source) for p in self.parts]

    def score(self, prepared, target, rows, own=None, exact=False):
        """RRF over each part's ranking of the same rows. A query's own row is scored -inf by every part,
        so it ranks last there and leaves the other items' ranks as if it were absent."""
        fused = np.zeros((len(rows), prepared[0].shape[0]))
        for part, part_prepared, weight in zip(self.parts, prepared, self.weights):
            s = part.score(part_prepared, target, rows, own, exact=True)
            for j in range(s.shape[1]):
                ranks = np.empty(len(rows), dtype=np.int64)
                ranks[np.lexsort((rows, -s[:, j]))] = np.arange(1, len(rows) + 1)
                fused[:, j] += weight / (self.k_rrf + ranks)
        for j, row in enumerate(own or []):
            if row is not None:
                fused[rows == row, j] = -np.inf
        return fused

    def encode(self, texts, kind="query"):
        raise NotImplementedError("하이브리드는 구성 모델의 순위를 합칩니다")

    def explain(self, query_text, item_texts):
        per_part = {p.name: p.explain(query_text, item_texts) for p in self.parts}
        return [{"type": "hybrid", "parts": {name: reasons[i] for name, reasons in per_part.items()}}
                for i in range(len(item_texts))]

    def add_vector(self, record):
        for p in self.parts:
            p.add_vector(record)
