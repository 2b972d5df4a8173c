"""Every setting JobLens reads, in one typed place: `JOBLENS_*` environment variables, then the `[llm]`
section of `.streamlit/secrets.toml` for the LLM.

    from core.settings import settings
    settings().data                # data/ (JOBLENS_DATA); code asks core.locations.here().data_dir
    settings().llm                 # LLMSettings or None when no LLM is configured

Only the edges call `settings()`: the CLI entry, the app's resources (ui/), bench scripts and the test
fixtures. They hand the values down: folders through `core.locations`, what models compute through
`core.models.registry.ModelParams` (tests/test_architecture.py keeps core/models and core/data free of it).
Nothing else in `core` touches `os.environ` except `hub_offline()`, which sets the Hugging Face variables
the libraries read.
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO = Path(__file__).resolve().parent.parent
RESOURCES = Path(__file__).resolve().parent / "resources"
SECRETS = REPO / ".streamlit" / "secrets.toml"


class LLMSettings(BaseModel):
    """An OpenAI-compatible endpoint. The key is a SecretStr: it never shows in a repr, log or error."""

    model: str = "gpt-4o-mini"
    base_url: str | None = None
    api_key: SecretStr = SecretStr("not-needed")
    timeout: float = Field(30.0, gt=0, description="seconds per request; a hanging server costs at most timeout × retries")
    retries: int = Field(3, ge=1, description="attempts per posting: transport retries (the openai client's, honouring "
                         "Retry-After, with jittered backoff) and re-asks after an invalid answer")
    backoff: float = Field(1.0, ge=0, description="wait before re-asking after an invalid answer; doubles each time")
    max_response_bytes: int = Field(256 * 1024, ge=1024, description="a longer reply is refused, never stored")
    # #29: the posting text sent is cut here after masking (an 80,000-character request helped no one)
    max_request_chars: int = Field(12_000, ge=1000, description="characters of posting text per request, at most")
    # a longer posting is read in parts (its short lines, the declared work environment among them, in the first),
    # so an exclusion written past the first 12,000 characters is read too; what lies past the last part is flagged
    max_request_parts: int = Field(3, ge=1, le=10, description="requests per posting read, at most")

    @property
    def key(self) -> str:
        return self.api_key.get_secret_value()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JOBLENS_", extra="ignore")

    data: Path = REPO / "data"
    models: Path | None = None  # default: <data>/models (tests share the set-up's converted e5)
    shared: Path = REPO.parent / "shared" / "data"
    wbert: Path | None = None  # a tuned W-BERT folder; default: the best one under <models>
    allow_hub: bool = False
    llm_model: str | None = None
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout: float | None = None
    llm_retries: int | None = None
    llm_max_response_bytes: int | None = None
    # standard-description enrichment (core/data/standard_jobs.py); weight tuned on the dev split, see
    # bench/bench_quality.py and bench/results/evaluation.json
    enrich_weight: float = Field(1.0, ge=0, description="enrichment vector weight relative to the record's own text (0 = off)")
    enrich_short_posting_chars: int = Field(200, ge=0, description="a posting shorter than this is enriched too")
    query_prompt_posting: Literal["query", "passage"] = "passage"  # e5 prompt for a posting used as a query
    query_prompt_seeker: Literal["query", "passage"] = "query"  # e5 prompt for a seeker used as a query
    hybrid_k_rrf: int = Field(10, ge=1, description="RRF constant: smaller trusts the top ranks more")
    hybrid_tfidf_weight: float = Field(0.5, ge=0, description="TF-IDF's weight in the fused sum (SBERT's is 1)")
    # encoding speed (#16, bench/bench_backends.py): which runtime runs the transformer encoders, and the token
    # cap of each field (p99 of the real fields rounded up to 32: own text p99 91 tokens, KEIS enrichment 176)
    encoder_backend: Literal["torch", "onnx", "onnx-int8"] = "torch"  # SBERT (e5)
    # the fine-tuned transformer W-BERT quantises worse (int8 cosine to fp32: min 0.80, mean 0.966), so its own
    # setting; a static W-BERT has no transformer and ignores it
    wbert_backend: Literal["torch", "onnx", "onnx-int8"] = "torch"
    max_tokens_text: int = Field(96, ge=8, le=512, description="a record's own text is cut here (tokens)")
    max_tokens_enrichment: int = Field(192, ge=8, le=512, description="the standard-description field is cut here")
    # live data (core/sync): endpoints are settings because 고용24 has moved them before; keys from the
    # environment or secrets.toml [api], never logged
    worknet_api_url: str = "https://www.work24.go.kr/cm/openApi/call/wk/callOpenApiSvcInfo210L01.do"
    worknet_detail_url: str = "https://www.work24.go.kr/cm/openApi/call/wk/callOpenApiSvcInfo210D01.do"
    kead_api_url: str = "https://apis.data.go.kr/B552583/job/job_list_env"
    worknet_api_key: SecretStr | None = None
    kead_api_key: SecretStr | None = None
    api_timeout: float = Field(20.0, gt=0, description="seconds per API request")
    api_retries: int = Field(4, ge=1, description="attempts per request on timeouts and 5xx, with jittered backoff")
    api_page_size: int = Field(100, ge=1, le=1000)
    # judging (#28): the share of blind-queue queries a second analyst judges too (agreement statistics)
    second_judge_share: float = Field(0.2, ge=0, le=1, description="share of judged queries handed to a second analyst")
    # scale-out (#27): where dense vectors live for filtered search: 'memory' (in-process NumPy/FAISS, default)
    # or 'milvus:PATH_OR_URI' (a local path is Milvus Lite; http://host:19530 a Milvus server or cluster)
    vector_store: str = "memory"

    def api_key(self, api: str) -> str | None:
        """The key for 'worknet' or 'kead': JOBLENS_<API>_API_KEY, else secrets.toml [api] <api>_key."""
        key = self.worknet_api_key if api == "worknet" else self.kead_api_key
        if key is not None:
            return key.get_secret_value()
        if SECRETS.exists():
            value = tomllib.loads(SECRETS.read_text(encoding="utf-8")).get("api", {}).get(f"{api}_key")
            return str(value) if value else None
        return None

    @property
    def llm(self) -> LLMSettings | None:
        """Environment first (JOBLENS_LLM_* or OPENAI_API_KEY), else secrets.toml [llm]; None when neither
        names a server or a key (the offline rule extractor is used then)."""
        env_key = self.llm_api_key or (SecretStr(os.environ["OPENAI_API_KEY"]) if os.environ.get("OPENAI_API_KEY") else None)
        values: dict = {"model": self.llm_model, "base_url": self.llm_base_url, "api_key": env_key}
        if not any(values.values()) and SECRETS.exists():
            section = tomllib.loads(SECRETS.read_text(encoding="utf-8")).get("llm", {})
            values = {k: section.get(k) for k in ("model", "base_url", "api_key", "timeout", "retries",
                                                  "max_response_bytes")}
        if not values.get("base_url") and not values.get("api_key"):
            return None
        values["timeout"] = self.llm_timeout or values.get("timeout")
        values["retries"] = self.llm_retries or values.get("retries")
        values["max_response_bytes"] = self.llm_max_response_bytes or values.get("max_response_bytes")
        return LLMSettings(**{k: v for k, v in values.items() if v is not None})


def settings() -> Settings:
    return Settings()


def hub_offline(allow_hub: bool | None = None) -> None:
    """Fail fast instead of retrying a model hub we cannot reach, unless the user opted in (`allow_hub`;
    None: the setting, for an edge such as app.py)."""
    if not (settings().allow_hub if allow_hub is None else allow_hub):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
