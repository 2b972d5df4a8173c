"""Ray for the heavy batch work: encoding a corpus and computing stored lists, on this machine or a cluster.

    runner = RayRunner(address=None, workers=2)         # ray.init(num_cpus=workers) here; an address joins a cluster
    model._encoder = runner.encoder(model.encoder_factory)   # `python -m core build --ray [ADDRESS]`
    recsets.build(engine, models, map_chunks=runner.map_chunks)  # `python -m core recsets --ray [ADDRESS]`

Bit for bit the local result, by construction:
- encoding: `RayEncoder` cuts the texts into exactly the batches the local encoder would (longest first, the same
  batch size, so the same padding), and each actor runs the encoder's own batch call; the vectors go into the
  same embedding cache under the same key, so a later local fit or query reads them back unchanged.
- stored lists: the queries are cut into chunks, each chunk ranked by `batch_recommend` in an actor that holds a
  lean copy of the fitted model (matrices and filter tables, no database handle or encoder); exact scores are
  kernel-independent (see `Recommender.score`), so a list does not depend on where it was ranked.
"""
from __future__ import annotations

import copy
import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .encoders import Encoder, length_batches


class RayRunner:
    """One Ray session: local with `workers` CPUs when `address` is None, else the cluster at `address`."""

    def __init__(self, address: str | None = None, workers: int = 2, gpus_per_actor: float = 0.0):
        self.address, self.workers, self.gpus_per_actor = address, workers, gpus_per_actor

    def start(self) -> RayRunner:
        import ray

        if not ray.is_initialized():
            # a busy machine starts slowly: the raylet, and the GCS server, whose port Ray waits 30 s for by default
            # (a 2-core CI machine busy with a browser test and a W-BERT training once took longer)
            os.environ.setdefault("RAY_raylet_start_wait_time_s", "300")
            os.environ.setdefault("RAY_gcs_server_port_wait_time_s", "300")
            if self.address:
                ray.init(address=self.address, log_to_driver=False)
            else:
                ray.init(num_cpus=self.workers, include_dashboard=False, log_to_driver=False)
        return self

    def encoder(self, factory: Callable[[], Encoder], batch_size: int = 64) -> RayEncoder:
        """`batch_size` must be the one the local encoder's `encode` cuts (SBERTEncoder: 64) for bit-identical
        vectors: a vector's last bits depend on the batch it was padded in."""
        return RayEncoder(factory, self, batch_size)

    def map_chunks(self, fn: Callable[[Any, Any], Any], state: Any, chunks: Sequence[Any]) -> list[Any]:
        """[fn(state, chunk) for chunk in chunks], over an actor pool that receives `state` once per actor."""
        import ray
        from ray.util.actor_pool import ActorPool

        self.start()
        shared = ray.put(state)
        actor = ray.remote(num_cpus=1, num_gpus=self.gpus_per_actor)(_ChunkActor)
        pool = ActorPool([actor.remote(shared, fn) for _ in range(max(1, min(self.workers, len(chunks))))])
        return list(pool.map(lambda a, chunk: a.run.remote(chunk), list(chunks)))


class _ChunkActor:
    def __init__(self, state, fn):
        self.state, self.fn = state, fn

    def run(self, chunk):
        return self.fn(self.state, chunk)


class _EncodeActor:
    """Ray Data callable class: one encoder per actor, loaded once, each row one local-sized batch."""

    def __init__(self, factory: Callable[[], Encoder]):
        self.encoder = factory()

    def __call__(self, batch: dict) -> dict:
        out = []
        for texts, kind, cap in zip(batch["texts"], batch["kind"], batch["cap"]):
            texts = [str(t) for t in texts]
            v = encode_batch(self.encoder, texts, str(kind), int(cap) or None)
            out.append(np.ascontiguousarray(v, dtype=np.float32).tobytes())
        return {"b": batch["b"], "vec": out}


def encode_batch(encoder: Encoder, texts: list[str], kind: str, max_tokens: int | None) -> np.ndarray:
    """One batch as the local `encode` computes it (the transformer's own batch call where there is one)."""
    if hasattr(encoder, "_batch"):
        return encoder._batch(texts, kind, max_tokens)
    return encoder.encode(texts, kind=kind, batch_size=max(1, len(texts)), max_tokens=max_tokens)


class RayEncoder(Encoder):
    """The local encoder's name, backend and dimension (so the same cache key), its batches run by Ray actors."""

    def __init__(self, factory: Callable[[], Encoder], runner: RayRunner, batch_size: int = 64):
        self.factory, self.runner, self.batch_size = factory, runner, batch_size
        probe = factory()  # cheap: models are loaded once per process (encoders._load is cached)
        self.name, self.backend, self.dim = probe.name, getattr(probe, "backend", ""), probe.dim

    def encode(self, texts, kind="passage", batch_size=None, progress=None, label="임베딩", max_tokens=None):
        import ray

        from ..progress import report

        self.runner.start()
        batches = length_batches(texts, batch_size or self.batch_size)
        items = [{"b": b, "texts": [texts[i] for i in rows], "kind": kind, "cap": max_tokens or 0}
                 for b, rows in enumerate(batches)]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not items:
            return out
        ds = ray.data.from_items(items).map_batches(
            _EncodeActor, fn_constructor_kwargs={"factory": self.factory}, batch_size=1,
            concurrency=self.runner.workers, num_cpus=1, num_gpus=self.runner.gpus_per_actor or None)
        done = 0
        for row in ds.iter_rows():
            rows = batches[int(row["b"])]
            out[rows] = np.frombuffer(row["vec"], dtype=np.float32).reshape(len(rows), self.dim)
            done += len(rows)
            report(progress, label, done, len(texts))
        return out


def lean(model) -> Any:
    """A copy of a fitted model with what ranking needs (matrices, corpus tables), without a database handle,
    an encoder or listeners, so it can be sent to actors."""
    out = copy.copy(model)
    for name in ("store", "_encoder", "vector_store", "_f64"):
        if name in out.__dict__:
            out.__dict__[name] = None if name != "_f64" else {}
    corpus = copy.copy(model.corpus)
    corpus.listeners = []
    out.corpus = corpus
    return out


def encode_corpus(engine, name: str, runner: RayRunner, analyser: str = "mecab", progress=None) -> bool:
    """Fill the embedding cache with a dense model's corpus vectors, encoded by Ray actors; the engine's own fit
    then reads every vector from the cache. False for a model without an encoder (TF-IDF, the hybrid)."""
    from .registry import BuildContext, spec

    context = BuildContext(engine.store, analyser, lambda part: engine.model(part, analyser, progress))
    model = spec(name).build(context)
    if not hasattr(model, "encoder_factory"):
        return False
    model._encoder = runner.encoder(model.encoder_factory)
    model.fit(engine.corpus, progress)
    return True
