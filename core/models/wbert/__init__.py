"""W-BERT: a transformer fine-tuned to classify postings into 직종 categories, whose encoder then drives
similarity (the seed fine-tuned KoBERT on ~60k postings; here e5-small, on 2 CPU cores)."""
from __future__ import annotations

from ...data.store import Store
from ..embedding import EmbeddingRecommender
from ..encoders import ModelNotReady, SBERTEncoder
from .encoder import WordEmbeddingEncoder
from .paths import current_path, default_path, read_card, wbert_version
from .training import LEVELS, TrainConfig, stratified_split, train

__all__ = ["LEVELS", "TrainConfig", "current_path", "default_path", "read_card", "stratified_split", "train",
           "wbert_recommender", "wbert_version"]


def wbert_recommender(store: Store | None = None) -> EmbeddingRecommender:
    """The recommender over the current W-BERT folder; ModelNotReady ('학습 필요') when there is none."""
    path = current_path()
    if not (path / "modules.json").exists():
        raise ModelNotReady("W-BERT 학습 필요: `python -m core train-wbert` 또는 앱의 학습 버튼으로 먼저 학습하세요.")
    version = wbert_version().rsplit(":", 1)[-1]
    card = read_card(path) or {}
    if card.get("config", {}).get("pooling") == "word_embedding":  # the seed's averaged word-embedding variant
        return EmbeddingRecommender(lambda: WordEmbeddingEncoder(path), "wbert", store)
    return EmbeddingRecommender(lambda: SBERTEncoder(str(path), name=f"wbert:{version}"), "wbert", store)
