"""The corpus plus its fitted models, shared by the CLI, the pages, batch and evaluation.

    engine = Engine.from_store(Store())
    model = engine.model("sbert")         # fitted once; a W-BERT retrained on disk is picked up next call
    engine.loaded("sbert")                # the fitted model, or None, without fitting anything
    engine.add(posting)                   # stored and recommendable at once in every loaded model
    engine.recommend("sbert", "mecab", query, "posting", 10, filters)   # the one serving path: stored or live

One Engine is shared by every browser session of the app, so `model`, `add`, `refresh` and `recommend` hold
one lock: a list is always ranked over one state of the corpus and its vectors, never half of an add.
"""
from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .. import clock
from ..data.blind import blinded
from ..data.datasets import load_dataset
from ..data.records import TEXT_VERSION, Posting, Seeker
from ..data.store import Store
from ..filters import FilterSettings
from ..llm.rules import extract_rules, source_hash
from ..llm.suitability import unsuitable_map, with_severer
from ..progress import Progress
from . import recsets
from .base import Candidates, Recommender, RecommendResult
from .corpus import Corpus
from .registry import BuildContext, ModelParams, spec
from .vectorstore import VectorStore


def blind_unsuitable(postings: list[Posting]) -> dict[str, frozenset]:
    """The offline rules' exclusions read from each posting without its 직종 code (the blind regime)."""
    out = {}
    for p in postings:
        types = frozenset(with_severer({t.type for t in extract_rules(blinded(p))[0].unsuitable_types}))
        if types:
            out[p.id] = types
    return out


def disability_verdicts(store: Store, postings: list[Posting], blind: bool = False) -> dict[str, frozenset]:
    """Each posting's excluded disability types, as a corpus of this regime holds them: what the store holds
    (rules, LLM, corrections), or, blind, the rules alone on the posting without its code."""
    return blind_unsuitable(postings) if blind else unsuitable_map(store, postings)


@dataclass(frozen=True)
class Holds:
    """Which of the store's records an engine's corpus holds, so `refresh` takes in only those: postings of
    `posting_sources` and seekers of `seeker_sources` (empty: any), or only the seekers in `seeker_ids` (a sample)."""

    posting_sources: frozenset = frozenset()
    seeker_sources: frozenset = frozenset()
    seeker_ids: frozenset | None = None

    def __call__(self, record: Posting | Seeker) -> bool:
        if isinstance(record, Posting):
            return not self.posting_sources or record.source in self.posting_sources
        if self.seeker_ids is not None:
            return record.id in self.seeker_ids
        return not self.seeker_sources or record.source in self.seeker_sources


class Engine:
    def __init__(self, store: Store, corpus: Corpus, params: ModelParams = ModelParams(),
                 vector_store: VectorStore | None = None, scope: str = "store", marks: tuple | None = None,
                 holds: Holds | None = None):
        self.store = store
        self.corpus = corpus
        # which records of the store the corpus holds ('store': all of them; a dataset or source subset otherwise):
        # part of the stored lists' key, since a list ranked over other records is not this corpus's list
        self.scope = scope
        self.holds = holds or Holds()  # what `refresh` takes in of what the store gained
        self.params = params  # every model of this engine is built with these
        self.vector_store = vector_store  # None: vectors in-process (default); see core/models/vectorstore.py
        if vector_store is not None:  # a corrected disability verdict reaches the shared store at once
            corpus.listeners.append(self._rewrite)
        self._models: dict[tuple[str, str], tuple[str, Recommender]] = {}  # (name, analyser) → (version, model)
        # the newest store write, and the newest extraction and correction, this engine holds (see `refresh`): read
        # before the corpus was loaded (`marks`) when the caller could, so nothing written while it loaded is skipped
        (self.seen_at, self.verdicts_seen) = marks or (store.last_write(), store.verdicts_written())
        self._hashes: dict[str, str] | None = None
        self._earlier: dict[str, set[str]] | None = None  # text hash → postings that had it before (`_had_before`)
        self._lock = threading.RLock()  # re-entrant: a hybrid fits its parts through `model`

    @classmethod
    def from_store(cls, store: Store, sources: list[str] | None = None, seeker_sources: list[str] | None = None,
                   params: ModelParams = ModelParams(), vector_store: VectorStore | None = None, as_of: str = "") -> Engine:
        """`as_of`: the day a live store is served on (the app and the CLI pass today): a real posting past its
        closing date is closed from then on, whether or not a sync marked it (see `Corpus`)."""
        marks = (store.last_write(), store.verdicts_written())  # before reading: see `refresh`
        postings = [p for p in store.postings() if not sources or p.source in sources]
        seekers = [s for s in store.seekers() if not seeker_sources or s.source in seeker_sources]
        scope = "store" if not (sources or seeker_sources) else f"sources:{sorted(sources or [])}:{sorted(seeker_sources or [])}"
        return cls(store, Corpus(postings, seekers, disability_verdicts(store, postings), as_of=as_of, **params.corpus()),
                   params, vector_store, scope, marks, Holds(frozenset(sources or ()), frozenset(seeker_sources or ())))

    @classmethod
    def for_dataset(cls, name: str, seekers_sample: int = 3000, progress: Progress | None = None,
                    params: ModelParams = ModelParams(), blind: bool = False) -> Engine:
        """'demo' (the app's store) or a shared real dataset (see `core.data.datasets`). `blind`: postings
        without their 직종 code (see core/data/blind.py), their disability fit re-read by the offline rules
        from what is left, so no exclusion stored from the code's rule line reaches the filters either."""
        data = load_dataset(name, seekers_sample, progress)
        corpus = Corpus(data.postings, data.seekers, disability_verdicts(data.store, data.postings, blind), blind=blind,
                        **params.corpus())
        # the dataset's own postings, and its seeker sample (updated, never grown): the real datasets share one store,
        # and a refresh once took another dataset's postings (the 2023 ones, long closed) into the 2024 corpus
        holds = Holds(frozenset({p.source for p in data.postings}) or frozenset({name}),
                      seeker_ids=frozenset(s.id for s in data.seekers))
        return cls(data.store, corpus, params, scope=f"dataset:{name}:{seekers_sample}", marks=data.marks, holds=holds)

    def model(self, name: str, analyser: str = "mecab", progress: Progress | None = None) -> Recommender:
        """The fitted model, fitting it on first use, or again when its files changed since (a retrain)."""
        model_spec = spec(name)
        version = model_spec.version()
        key = self._key(name, analyser)
        with self._lock:
            held = self._models.get(key)
            if held is None or held[0] != version:
                context = BuildContext(self.store, analyser, lambda part: self.model(part, analyser, progress),
                                       self.params)
                model = model_spec.build(context).fit(self.corpus, progress)
                if self.vector_store is not None and model.holds_vectors:
                    model.attach(self.vector_store)
                self._models[key] = (version, model)
            return self._models[key][1]

    def list_settings(self, name: str, analyser: str = "mecab") -> str:
        """Everything that changes the lists of this model here, as canonical JSON: the model, the analyser (for
        the models that use one), the model version (a retrained W-BERT), the model's own parameters (encoder
        and its backend, enrichment weight, e5 prompts, token caps, the hybrid's fusion), the corpus's
        enrichment rule, whether its postings are blinded (a blind evaluation must never score lists ranked with
        the code visible), which records of the store it holds (`scope`), how its rows are ordered (ties break
        by row) and how records' texts are composed (`TEXT_VERSION`). Fits the model when it is not loaded."""
        model = self.model(name, analyser)
        return json.dumps({"model": name, "analyser": self._key(name, analyser)[1], "version": spec(name).version(),
                           "params": model.signature(),
                           "corpus": {"enrich": self.corpus.enrich, "short_posting_chars": self.corpus.short_posting_chars,
                                      "blind": self.corpus.blind, "scope": self.scope, "rows": self.corpus.ROW_ORDER,
                                      "texts": TEXT_VERSION}},
                          sort_keys=True, ensure_ascii=False)

    def list_key(self, name: str, analyser: str = "mecab") -> str:
        """The key a stored list is saved and looked up under (a digest of `list_settings`)."""
        return hashlib.sha256(self.list_settings(name, analyser).encode("utf-8")).hexdigest()[:24]

    def recommend(self, name: str, analyser: str, query: Posting | Seeker, target: str = "posting", k: int = 10,
                  filters: FilterSettings | None = None, prefer_occupation: bool = False, today_first: str = "",
                  explain: bool = True, progress: Progress | None = None,
                  candidates: Candidates | None = None) -> RecommendResult:
        """The one serving path (pages, CLI, evaluation): the stored list of exactly this configuration when one
        was built for these filters and k and nothing changed since reaches it (`recsets`), else ranked live.
        The counselor's re-orderings (`prefer_occupation`, `today_first`) are never stored, so always live.
        `candidates` (this query's `corpus.candidates` under `filters`) spares a live ranking the mask when a
        caller ranks the same query with several models (evaluation)."""
        filters = filters or FilterSettings()
        with self._lock:
            model = self.model(name, analyser, progress)
            if not (prefer_occupation or today_first):
                served = recsets.stored_result(self, self.list_key(name, analyser), name, query, target, k, filters,
                                               model if explain else None)
                if served is not None:
                    return served
            return model.recommend(query, k=k, filters=filters, target=target, explain=explain, candidates=candidates,
                                   prefer_occupation=prefer_occupation, today_first=today_first)

    @staticmethod
    def _key(name: str, analyser: str) -> tuple[str, str]:
        return name, analyser if spec(name).uses_analyser else ""

    def loaded(self, name: str, analyser: str = "mecab") -> Recommender | None:
        """The fitted, current model if there is one; never fits (the app asks before showing a spinner)."""
        with self._lock:
            held = self._models.get(self._key(name, analyser))
        return held[1] if held and held[0] == spec(name).version() else None

    def add(self, record: Posting | Seeker) -> float:
        """Store a new or changed record and make it recommendable in every loaded model. Returns seconds."""
        start = time.time()
        with self._lock:
            (self.store.upsert_postings if isinstance(record, Posting) else self.store.upsert_seekers)([record])
            self._hold([record])
        return time.time() - start

    def _hold(self, records: list[Posting | Seeker]) -> None:
        for record in records:
            self.corpus.upsert(record)
        postings = [r for r in records if isinstance(r, Posting)]
        verdicts = self._unsuitable(postings) if postings else {}  # one read for the batch
        if self._hashes is not None:
            self._hashes.update((p.id, source_hash(p)) for p in postings)
        if self._earlier is not None and postings:  # the texts they had before, any number of edits ago
            self._note_earlier(self.store.posting_versions([p.id for p in postings]))
        for p in postings:  # judged on the text it has now, before any list can show it
            self.corpus.set_unsuitable(p.id, verdicts.get(p.id, frozenset()))
        for record in records:
            for _, model in self._models.values():
                if model.holds_vectors:  # a hybrid's parts are models of this engine, updated on their own
                    model.add_vector(record)

    def recheck(self, posting_ids: list[str]) -> None:
        """Read these postings' disability verdicts from the store again (a counselor's correction, an extraction
        on the review page), under the engine's lock: a refresh running meanwhile cannot put back the old ones."""
        with self._lock:
            held = [self.corpus.postings[i] for i in posting_ids if i in self.corpus.postings]
            verdicts = self._unsuitable(held)
            for p in held:
                self.corpus.set_unsuitable(p.id, verdicts.get(p.id, frozenset()))

    def _rewrite(self, kind: str, row: int) -> None:
        for _, model in self._models.values():
            if model._in_store(kind):
                self.vector_store.write(model.name, self.corpus.tables[kind], [row], model.matrices[kind][row:row + 1])

    def _unsuitable(self, postings: list[Posting]) -> dict[str, frozenset]:
        """The disability verdicts of `postings` as this corpus holds them."""
        return disability_verdicts(self.store, postings, self.corpus.blind)

    @contextmanager
    def holding(self) -> Iterator[Engine]:
        """This engine with its lock held (re-entrant: `refresh`, `recheck` or `model` inside are fine), for a reader
        that reads the corpus across several calls, as the counselor sheet does: no refresh or add in another
        session's thread changes a table halfway through."""
        with self._lock:
            yield self

    def refresh(self) -> int:
        """Take in what another process stored since this engine last looked (a sync, an upload, an ingest, an
        extraction run, a counselor's correction): each new or changed record becomes recommendable in every
        loaded model, and every posting whose disability verdict changed is filtered by the new one. Returns how
        many records were new or changed (not counting verdicts)."""
        with self._lock:
            if self.corpus.as_of and self.corpus.as_of != clock.today().isoformat():
                self.corpus.set_as_of(clock.today().isoformat())
            marks = self.store.verdicts_written()  # before the records: what is stored meanwhile is read next time
            postings, seekers, newest = self.store.changed_since(self.seen_at)
            postings, seekers = [p for p in postings if self.holds(p)], [r for r in seekers if self.holds(r)]
            self._hold([*postings, *seekers])
            self.seen_at = newest
            if marks != self.verdicts_seen and not self.corpus.blind:
                # only the postings whose extractions or corrections were stored since, or that share a text with them,
                # now or in an earlier version (verdict_rows reads the answers of every text a posting has had)
                ids, hashes = self.store.verdicts_since(self.verdicts_seen)
                ids |= {i for i, h in self._text_hashes().items() if h in hashes}
                ids |= {i for h in hashes for i in self._had_before().get(h, ()) if i in self.corpus.postings}
                self.recheck(sorted(ids))
                self.verdicts_seen = marks
        return len(postings) + len(seekers)

    def _had_before(self) -> dict[str, set[str]]:
        """text hash → the postings that had that text before their current one (`Store.posting_versions`): read
        whole once, on the first new verdict, then kept up to date by `_hold` with the versions of each posting it
        takes in, so a refresh never reads the whole table again."""
        if self._earlier is None:
            self._earlier = {}
            self._note_earlier(self.store.posting_versions())
        return self._earlier

    def _note_earlier(self, versions: dict[str, list[Posting]]) -> None:
        for posting_id, texts in versions.items():
            for h in {source_hash(v) for v in texts}:
                self._earlier.setdefault(h, set()).add(posting_id)

    def _text_hashes(self) -> dict[str, str]:
        """posting id → `source_hash` of its text as this corpus holds it (kept up to date by `_hold`)."""
        if self._hashes is None:
            self._hashes = {p.id: source_hash(p) for p in self.corpus.records("posting")}
        return self._hashes
