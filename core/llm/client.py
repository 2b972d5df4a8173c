"""The LLM path: an OpenAI-compatible server asked for one validated answer, with retries and backoff."""
from __future__ import annotations

import json
import time

from pydantic import ValidationError

from ..data.normalize import DISABILITY_TYPES
from ..data.records import Posting
from ..settings import LLMSettings
from .pii import mask_pii
from .rules import posting_source_text
from .schema import PostingExtraction, validate_answer

LLMConfig = LLMSettings  # the settings object is the client's configuration


SYSTEM_PROMPT = (
    "당신은 장애인 채용을 돕는 직업상담 보조자입니다. 채용공고를 읽고 JSON으로만 답하세요. "
    "필드를 공고에서 추출하고, 적합/부적합 장애유형을 다음 목록에서만 고르세요: " + ", ".join(DISABILITY_TYPES) + ". "
    "각 유형마다 한 줄 근거(reason)와 공고에서 그대로 인용한 구절(evidence)을 주세요. 근거가 없으면 고르지 마세요. "
    "같은 유형을 적합과 부적합에 함께 넣지 마세요.")


class LLMError(RuntimeError):
    pass


def redact(message: str, cfg: LLMConfig) -> str:
    """The key never reaches a stored error or a log line, whatever the server echoes back."""
    return message.replace(cfg.key, "***") if len(cfg.key) > 3 else message


def extract_llm(p: Posting, cfg: LLMConfig, client=None) -> tuple[PostingExtraction, dict]:
    """One LLM answer, validated; retried with backoff on transport errors and invalid answers."""
    import openai

    client = client or openai.OpenAI(base_url=cfg.base_url, api_key=cfg.key, timeout=cfg.timeout, max_retries=0)
    masked, pii = mask_pii(posting_source_text(p))
    schema = PostingExtraction.model_json_schema()
    errors = []
    for attempt in range(cfg.retries):
        try:
            response = client.chat.completions.create(
                model=cfg.model, temperature=0,
                messages=[{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": masked}],
                response_format={"type": "json_schema", "json_schema": {"name": "posting_extraction", "schema": schema}})
            content = response.choices[0].message.content or ""
            return validate_answer(content, masked), {"attempts": attempt + 1, "pii_masked": pii, "errors": errors}
        except (json.JSONDecodeError, ValidationError, ValueError) as e:
            errors.append(f"응답 검증 실패: {str(e)[:200]}")
        except openai.APIError as e:  # timeouts, connection errors, HTTP errors
            errors.append(redact(f"{type(e).__name__}: {str(e)[:200]}", cfg))
        if attempt + 1 < cfg.retries:  # no wait after the last attempt: nothing follows it
            time.sleep(cfg.backoff * (2 ** attempt))
    raise LLMError(f"{cfg.retries}회 시도 모두 실패: " + " | ".join(errors))
