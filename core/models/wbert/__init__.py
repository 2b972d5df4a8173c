"""W-BERT: an encoder trained to classify postings into 직종 categories, whose document vectors then drive
similarity (the seed fine-tuned KoBERT on ~60k postings and averaged its word embeddings). Two variants:
`static` (the word-embedding table itself, trained with mean pooling: minutes on 2 cores, built at set-up)
and `transformer` (e5-small fine-tuned: the quality variant, CPU with checkpoints, the GPU when present)."""
from __future__ import annotations

from ...data.store import Store
from ...locations import here
from ..embedding import EmbeddingRecommender
from ..encoders import ModelNotReady, SBERTEncoder
from .labels import LEVELS, LabelledSet, labelled_set
from .paths import current_path, default_path, describe, read_card, static_path, wbert_version
from .static import StaticConfig, train_static
from .training import TrainConfig, train

__all__ = ["LEVELS", "LabelledSet", "StaticConfig", "TrainConfig", "current_path", "default_path", "describe", "labelled_set", "read_card", "static_path",
           "ensure_static", "train", "train_static", "wbert_recommender", "wbert_version"]


def wbert_recommender(store: Store | None = None, backend: str = "torch", **vector_params) -> EmbeddingRecommender:
    """The recommender over the current W-BERT folder; ModelNotReady ('학습 필요') when there is none.
    `backend`: the `wbert_backend` setting at the edges (int8 costs W-BERT more than SBERT, so its own)."""
    path = current_path()
    if not (path / "modules.json").exists():
        raise ModelNotReady("W-BERT 학습 필요: `python -m core train-wbert` 또는 앱의 학습 버튼으로 먼저 학습하세요.")
    version = wbert_version().rsplit(":", 1)[-1]
    return EmbeddingRecommender(lambda: SBERTEncoder(str(path), name=f"wbert:{path.name}:{version}",
                                                     backend=backend), "wbert", store, **vector_params)


def ensure_static(dataset: str = "demo", progress=None) -> dict | None:
    """Set-up's step: build the static W-BERT on `dataset` unless a W-BERT is already there. Returns the new
    card, or None when nothing had to be done."""
    if (current_path() / "modules.json").exists():
        return None
    out = here().wbert or static_path()  # JOBLENS_WBERT names where the app looks, so build it there
    return train_static(labelled_set(dataset), StaticConfig(out=str(out)), progress=progress)
