"""W-BERT: an encoder trained to classify postings into 직종 categories, whose document vectors then drive
similarity (the seed fine-tuned KoBERT on ~60k postings and averaged its word embeddings). Two variants:
`static` (the word-embedding table itself, plus rows for character n-grams, trained with mean pooling:
minutes on 2 cores, built at set-up)
and `transformer` (e5-small fine-tuned: the quality variant, CPU with checkpoints, the GPU when present)."""
from __future__ import annotations

from ...data.store import Store
from ...locations import here
from ..embedding import EmbeddingRecommender
from ..encoders import ModelNotReady, SBERTEncoder
from .labels import LEVEL_NAMES, LEVELS, LabelledSet, labelled_set
from .paths import SYNTHETIC_NOTE, accuracy_label, current_path, data_label, default_path, describe, is_synthetic, read_card, static_path, wbert_version
from .static import StaticConfig, recipe_changes, recipe_note, train_static
from .training import TrainConfig, train

__all__ = ["LEVEL_NAMES", "LEVELS", "SYNTHETIC_NOTE", "LabelledSet", "StaticConfig", "TrainConfig", "accuracy_label", "current_path", "data_label",
           "default_path", "describe", "ensure_static", "is_synthetic", "labelled_set", "real_labels_available",
           "read_card", "recipe_changes", "recipe_note", "static_path", "train", "train_static", "wbert_recommender",
           "wbert_version"]


def wbert_recommender(store: Store | None = None, backend: str = "torch", **vector_params) -> EmbeddingRecommender:
    """The recommender over the current W-BERT folder; ModelNotReady ('학습 필요') when there is none.
    `backend`: the `wbert_backend` setting at the edges (int8 costs W-BERT more than SBERT, so its own)."""
    path = current_path()
    if not (path / "modules.json").exists():
        raise ModelNotReady("W-BERT가 아직 학습되지 않았습니다: `python -m core train-wbert` 또는 앱의 W-BERT 화면에서 학습하세요.",
                            needs_training=True)
    version = wbert_version().rsplit(":", 1)[-1]
    return EmbeddingRecommender(lambda: SBERTEncoder(str(path), name=f"wbert:{path.name}:{version}",
                                                     backend=backend), "wbert", store, **vector_params)


def real_labels_available() -> bool:
    """Whether ../shared/data holds every real labelled source (worknet-2024, Seoul 2023, KEIS)."""
    from ...data.ingest import SHARED_DATASETS
    from .labels import KEIS_FILE

    shared = here().shared
    return all((shared / f).exists() for f in (SHARED_DATASETS["worknet-2024"], SHARED_DATASETS["worknet-seoul-2023"], KEIS_FILE))


def ensure_static(dataset: str | None = None, progress=None) -> dict | None:
    """Set-up's step: build the static W-BERT, on every real label when ../shared/data has them (else on the
    synthetic demo), unless one is already there; a synthetic one is replaced once real labels exist, so the
    app never serves a demo-trained W-BERT when it could serve a real one. Returns the new card, or None."""
    dataset = dataset or ("real" if real_labels_available() else "demo")
    card = read_card(current_path())
    if (current_path() / "modules.json").exists() and not (dataset == "real" and card and is_synthetic(card)):
        return None
    out = here().wbert or static_path()  # JOBLENS_WBERT names where the app looks, so build it there
    return train_static(labelled_set(dataset), StaticConfig(out=str(out)), progress=progress)
