"""The corpus plus its fitted models, shared by the CLI, the pages, batch and evaluation.

    engine = Engine.from_store(Store())
    model = engine.model("sbert")         # fitted once; a W-BERT retrained on disk is picked up next call
    engine.loaded("sbert")                # the fitted model, or None, without fitting anything
    engine.add(posting)                   # stored and recommendable at once in every loaded model
"""
from __future__ import annotations

import time

from ..data.datasets import load_dataset
from ..data.records import Posting, Seeker
from ..data.store import Store
from ..llm.suitability import unsuitable_map
from ..progress import Progress
from .base import Recommender
from .corpus import Corpus
from .registry import BuildContext, spec
from .vectorstore import VectorStore


class Engine:
    def __init__(self, store: Store, corpus: Corpus, vector_store: VectorStore | None = None):
        self.store = store
        self.corpus = corpus
        self.vector_store = vector_store  # None: vectors in-process (default); see core/models/vectorstore.py
        if vector_store is not None:  # a corrected disability verdict reaches the shared store at once
            corpus.listeners.append(self._rewrite)
        self._models: dict[tuple[str, str], tuple[str, Recommender]] = {}  # (name, analyser) → (version, model)
        self.seen_at = store.last_write()  # newest store write this engine holds (see `refresh`)

    @classmethod
    def from_store(cls, store: Store, sources: list[str] | None = None,
                   seeker_sources: list[str] | None = None, vector_store: VectorStore | None = None) -> Engine:
        postings = [p for p in store.postings() if not sources or p.source in sources]
        seekers = [s for s in store.seekers() if not seeker_sources or s.source in seeker_sources]
        return cls(store, Corpus(postings, seekers, unsuitable_map(store, [p.id for p in postings])), vector_store)

    @classmethod
    def for_dataset(cls, name: str, seekers_sample: int = 3000, progress: Progress | None = None) -> Engine:
        """'demo' (the app's store) or a shared real dataset (see `core.data.datasets`)."""
        data = load_dataset(name, seekers_sample, progress)
        return cls(data.store, Corpus(data.postings, data.seekers, unsuitable_map(data.store, [p.id for p in data.postings])))

    def model(self, name: str, analyser: str = "mecab", progress: Progress | None = None) -> Recommender:
        """The fitted model, fitting it on first use, or again when its files changed since (a retrain)."""
        model_spec = spec(name)
        version = model_spec.version()
        key = self._key(name, analyser)
        held = self._models.get(key)
        if held is None or held[0] != version:
            context = BuildContext(self.store, analyser, lambda part: self.model(part, analyser, progress))
            model = model_spec.build(context).fit(self.corpus, progress)
            if self.vector_store is not None and model.holds_vectors:
                model.attach(self.vector_store)
            self._models[key] = (version, model)
        return self._models[key][1]

    @staticmethod
    def _key(name: str, analyser: str) -> tuple[str, str]:
        return name, analyser if spec(name).uses_analyser else ""

    def loaded(self, name: str, analyser: str = "mecab") -> Recommender | None:
        """The fitted, current model if there is one; never fits (the app asks before showing a spinner)."""
        held = self._models.get(self._key(name, analyser))
        return held[1] if held and held[0] == spec(name).version() else None

    def add(self, record: Posting | Seeker) -> float:
        """Store a new or changed record and make it recommendable in every loaded model. Returns seconds."""
        start = time.time()
        (self.store.upsert_postings if isinstance(record, Posting) else self.store.upsert_seekers)([record])
        self._hold(record)
        return time.time() - start

    def _hold(self, record: Posting | Seeker) -> None:
        self.corpus.upsert(record)
        for _, model in self._models.values():
            if model.holds_vectors:  # a hybrid's parts are models of this engine, updated on their own
                model.add_vector(record)

    def _rewrite(self, kind: str, row: int) -> None:
        for _, model in self._models.values():
            if model._in_store(kind):
                self.vector_store.write(model.name, self.corpus.tables[kind], [row], model.matrices[kind][row:row + 1])

    def refresh(self) -> int:
        """Take in what another process stored since this engine last looked (a sync, an upload, an ingest):
        each new or changed record becomes recommendable in every loaded model. Returns how many."""
        postings, seekers, newest = self.store.changed_since(self.seen_at)
        for record in [*postings, *seekers]:
            self._hold(record)
        self.seen_at = newest
        return len(postings) + len(seekers)
