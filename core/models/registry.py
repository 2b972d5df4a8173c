"""The only list of model names: each with its label and the factory that builds it.

The app's model switch, the comparison page, evaluation and the CLI all read `REGISTRY`; adding a model
here is all it takes for every one of them to offer it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..data.store import Store
from ..settings import settings
from .base import Recommender
from .embedding import EmbeddingRecommender
from .encoders import DEFAULT_SBERT, SBERTEncoder, USEEncoder
from .hybrid import HybridRecommender
from .tfidf import TfidfRecommender
from .wbert import wbert_recommender, wbert_version


@dataclass(frozen=True)
class BuildContext:
    """What a factory may use: the store (embedding cache), the TF-IDF analyser, and `part(name)` for
    another model of the same engine (the hybrid shares the engine's fitted TF-IDF and SBERT)."""

    store: Store | None
    analyser: str
    part: Callable[[str], Recommender]


@dataclass(frozen=True)
class ModelSpec:
    name: str
    label: str
    build: Callable[[BuildContext], Recommender]
    in_app: bool = True  # offered by the app's model switch and evaluated by default
    uses_analyser: bool = False  # fitted once per morpheme analyser (TF-IDF and what contains it)
    version: Callable[[], str] = lambda: ""  # changes when the model on disk changes (W-BERT retrained)


REGISTRY: dict[str, ModelSpec] = {spec.name: spec for spec in (
    ModelSpec("tfidf", "TF-IDF", lambda ctx: TfidfRecommender(ctx.analyser), uses_analyser=True),
    ModelSpec("sbert", "SBERT", lambda ctx: EmbeddingRecommender(
        lambda: SBERTEncoder(DEFAULT_SBERT, name=f"sbert:{DEFAULT_SBERT}"), "sbert", ctx.store)),
    ModelSpec("wbert", "W-BERT", lambda ctx: wbert_recommender(ctx.store), version=wbert_version),
    ModelSpec("hybrid", "하이브리드(RRF)", lambda ctx: HybridRecommender(
        [ctx.part("tfidf"), ctx.part("sbert")], settings().hybrid_k_rrf, [settings().hybrid_tfidf_weight, 1.0]),
              uses_analyser=True),
    ModelSpec("use", "USE", lambda ctx: EmbeddingRecommender(USEEncoder, "use", ctx.store), in_app=False),
)}
APP_MODELS: tuple[str, ...] = tuple(name for name, spec in REGISTRY.items() if spec.in_app)
MODEL_LABELS: dict[str, str] = {name: spec.label for name, spec in REGISTRY.items()}


def spec(name: str) -> ModelSpec:
    if name not in REGISTRY:
        raise ValueError(f"알 수 없는 모델 '{name}' (가능: {', '.join(REGISTRY)})")
    return REGISTRY[name]


def make_model(name: str, store: Store | None = None, analyser: str = "mecab") -> Recommender:
    """An unfitted recommender, standing alone (its parts too, for the hybrid)."""
    context = BuildContext(store, analyser, lambda part: make_model(part, store, analyser))
    return spec(name).build(context)
