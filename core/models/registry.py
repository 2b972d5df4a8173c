"""The only list of model names: each with its label and the factory that builds it.

The app's model switch, the comparison page, evaluation and the CLI all read `REGISTRY`; adding a model
here is all it takes for every one of them to offer it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from functools import partial

from ..data.store import Store
from ..settings import Settings
from .base import Recommender
from .embedding import EmbeddingRecommender
from .encoders import DEFAULT_SBERT, SBERTEncoder, USEEncoder
from .hybrid import HybridRecommender
from .tfidf import TfidfRecommender
from .wbert import wbert_recommender, wbert_version


@dataclass(frozen=True)
class ModelParams:
    """Everything configurable that changes what a model computes, with the settings' defaults (field names
    are the settings' names). Read from the settings once at an edge (`from_settings`) and passed down;
    bench/bench_quality.py tunes by making new ones."""

    enrich_weight: float = 1.0
    enrich_short_posting_chars: int = 200  # the corpus's: a posting shorter than this is enriched too
    query_prompt_posting: str = "passage"
    query_prompt_seeker: str = "query"
    max_tokens_text: int = 96
    max_tokens_enrichment: int = 192
    hybrid_k_rrf: int = 10
    hybrid_tfidf_weight: float = 0.5
    encoder_backend: str = "torch"
    wbert_backend: str = "torch"
    allow_hub: bool = False

    @classmethod
    def from_settings(cls, config: Settings) -> ModelParams:
        return cls(**{f.name: getattr(config, f.name) for f in fields(cls)})

    def vectors(self) -> dict:
        """The keyword arguments of `Recommender.__init__` (how texts become vectors)."""
        keys = ("enrich_weight", "query_prompt_posting", "query_prompt_seeker", "max_tokens_text", "max_tokens_enrichment")
        return {k: v for k, v in asdict(self).items() if k in keys}

    def corpus(self) -> dict:
        """The keyword arguments of `Corpus.__init__`."""
        return {"enrich": self.enrich_weight > 0, "short_posting_chars": self.enrich_short_posting_chars}


@dataclass(frozen=True)
class BuildContext:
    """What a factory may use: the store (embedding cache), the TF-IDF analyser, `part(name)` for another
    model of the same engine (the hybrid shares the engine's fitted TF-IDF and SBERT), and the parameters."""

    store: Store | None
    analyser: str
    part: Callable[[str], Recommender]
    params: ModelParams = field(default_factory=ModelParams)


@dataclass(frozen=True)
class ModelSpec:
    name: str
    label: str
    build: Callable[[BuildContext], Recommender]
    in_app: bool = True  # offered by the app's model switch and evaluated by default
    uses_analyser: bool = False  # fitted once per morpheme analyser (TF-IDF and what contains it)
    version: Callable[[], str] = lambda: ""  # changes when the model on disk changes (W-BERT retrained)


REGISTRY: dict[str, ModelSpec] = {spec.name: spec for spec in (
    ModelSpec("tfidf", "TF-IDF", lambda ctx: TfidfRecommender(ctx.analyser, **ctx.params.vectors()), uses_analyser=True),
    ModelSpec("sbert", "SBERT", lambda ctx: EmbeddingRecommender(
        # a partial, not a closure over the context (which holds the store): Ray sends the factory to its actors
        partial(SBERTEncoder, DEFAULT_SBERT, name=f"sbert:{DEFAULT_SBERT}", backend=ctx.params.encoder_backend,
                allow_hub=ctx.params.allow_hub), "sbert", ctx.store, **ctx.params.vectors())),
    ModelSpec("wbert", "W-BERT", lambda ctx: wbert_recommender(ctx.store, ctx.params.wbert_backend, **ctx.params.vectors()),
              version=wbert_version),
    ModelSpec("hybrid", "하이브리드(RRF)", lambda ctx: HybridRecommender(
        [ctx.part("tfidf"), ctx.part("sbert")], ctx.params.hybrid_k_rrf, [ctx.params.hybrid_tfidf_weight, 1.0]),
              uses_analyser=True),
    ModelSpec("use", "USE", lambda ctx: EmbeddingRecommender(USEEncoder, "use", ctx.store, **ctx.params.vectors()),
              in_app=False),
)}
APP_MODELS: tuple[str, ...] = tuple(name for name, spec in REGISTRY.items() if spec.in_app)
MODEL_LABELS: dict[str, str] = {name: spec.label for name, spec in REGISTRY.items()}


def spec(name: str) -> ModelSpec:
    if name not in REGISTRY:
        raise ValueError(f"알 수 없는 모델 '{name}' (가능: {', '.join(REGISTRY)})")
    return REGISTRY[name]


def make_model(name: str, store: Store | None = None, analyser: str = "mecab",
               params: ModelParams = ModelParams()) -> Recommender:
    """An unfitted recommender, standing alone (its parts too, for the hybrid)."""
    context = BuildContext(store, analyser, lambda part: make_model(part, store, analyser, params), params)
    return spec(name).build(context)
