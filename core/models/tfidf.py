"""TF-IDF over content morphemes (the paper's first model); the analyser is injected."""
from __future__ import annotations

import pickle

import numpy as np

from ..data.standard_jobs import split_enriched
from ..locations import here
from ..progress import report
from ..text.analysers import Analyser
from .base import Recommender


def _pretokenized(tokens: list[str]) -> list[str]:
    """Documents arrive as morpheme lists (module-level so the fitted vectorizer pickles)."""
    return tokens


class TfidfRecommender(Recommender):
    """TF-IDF over content morphemes; the analyser (mecab, kiwi, komoran, okt, kkma) is injected."""

    def __init__(self, analyser: str = "mecab", cache: bool = True, **vector_params):
        super().__init__(**vector_params)
        self.analyser = Analyser(analyser)
        self.name = f"tfidf-{analyser}"
        self.cache = cache
        self.vectorizer = None
        self._tokens: dict[str, list[str]] = {}  # fit's morpheme analysis, reused by `encode` while fitting only

    def fit(self, corpus, progress=None):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.corpus = corpus
        path = here().index_dir / f"{self.name}-{corpus.fingerprint()}-w{self.enrich_weight:g}.pkl"
        if self.cache and path.exists():
            try:
                with open(path, "rb") as f:
                    self.vectorizer, self.matrices = pickle.load(f)
                return self
            except Exception:  # a broken cache file is rebuilt, never trusted
                path.unlink(missing_ok=True)
        posting_texts, seeker_texts = corpus.texts("posting"), corpus.texts("seeker")
        texts = posting_texts + seeker_texts
        # the vocabulary and IDF come from every record's own text and each distinct enrichment once
        own = [split_enriched(t)[0] for t in texts]
        docs = own + sorted({split_enriched(t)[1] for t in texts} - {""})
        tokens = []
        for i, t in enumerate(docs):
            tokens.append(self.analyser(t))
            if i % 500 == 0 or i == len(docs) - 1:
                report(progress, f"형태소 분석 ({self.analyser.name})", i + 1, len(docs))
        self.vectorizer = TfidfVectorizer(analyzer=_pretokenized, sublinear_tf=True, min_df=1)
        self.vectorizer.fit(tokens)
        self._tokens = dict(zip(docs, tokens))  # fit's analysis reused by vectors() below, then dropped
        matrix = self.vectors(texts, "passage")
        self._tokens = {}
        self.matrices = {"posting": matrix[:len(posting_texts)], "seeker": matrix[len(posting_texts):]}
        if self.cache:
            tmp = path.with_suffix(".tmp")
            with open(tmp, "wb") as f:
                pickle.dump((self.vectorizer, self.matrices), f)
            tmp.replace(path)  # atomic: a crash never leaves a half-written index
        return self

    def encode(self, texts, kind="query"):
        known = self._tokens
        return self.vectorizer.transform([known.get(t) or self.analyser(t) for t in texts]).astype(np.float32).tocsr()

    def explain(self, query_text, item_texts):
        """The shared morphemes with the largest weight products, top five per item."""
        q, docs = self.encode([query_text]), self.encode(item_texts)
        vocab = self.vectorizer.get_feature_names_out()
        out = []
        for i in range(docs.shape[0]):
            shared = docs[i].multiply(q).tocoo()
            order = np.argsort(-shared.data, kind="stable")[:5]
            out.append({"type": "morphemes",
                        "terms": [(str(vocab[shared.col[j]]), round(float(shared.data[j]), 4)) for j in order]})
        return out
