"""The LLM path: an OpenAI-compatible server asked for one validated answer.

Transport faults (timeouts, 429, 5xx) are retried by the openai client itself: exponential backoff with
jitter, honouring the server's Retry-After (up to two minutes). JobLens re-asks only when an answer fails
validation. Replies are read as a stream and refused past `max_response_bytes`, so a runaway server can
neither fill the store nor the memory; a reply that is not a chat completion is an invalid answer, not a crash.
A reply must also be complete within `timeout` seconds of wall-clock time: the client's timeout is per read,
so a server dripping one byte every two seconds never trips it, and ran past 120 s with a 5 s timeout.
The posting text is masked, then read in parts of at most `max_request_chars` (at most `max_request_parts` of them).
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TypeVar

from pydantic import ValidationError

from ..data.normalize import DISABILITY_TYPES
from ..data.records import Posting
from ..settings import LLMSettings
from ..text.pii import mask_pii
from .rules import posting_source_text
from .schema import PostingExtraction, validate_answer

LLMConfig = LLMSettings  # the settings object is the client's configuration
T = TypeVar("T")


SYSTEM_PROMPT = (
    "당신은 장애인 채용을 돕는 직업상담 보조자입니다. 채용공고를 읽고 JSON으로만 답하세요. "
    "필드를 공고에서 추출하고, 적합/부적합 장애유형을 다음 목록에서만 고르세요: " + ", ".join(DISABILITY_TYPES) + ". "
    "각 유형마다 한 줄 근거(reason)와 공고에서 그대로 인용한 구절(evidence)을 주세요. 근거가 없으면 고르지 마세요. "
    "같은 유형을 적합과 부적합에 함께 넣지 마세요.")


class LLMError(RuntimeError):
    pass


class LLMFatal(LLMError):
    """The server refuses every request alike (invalid key, no such model, quota used up): stop the run."""


def redact(message: str, cfg: LLMConfig) -> str:
    """The key never reaches a stored error or a log line, whatever the server echoes back."""
    return message.replace(cfg.key, "***") if len(cfg.key) > 3 else message


def make_client(cfg: LLMConfig):
    import openai

    return openai.OpenAI(base_url=cfg.base_url, api_key=cfg.key, timeout=cfg.timeout, max_retries=cfg.retries - 1)


def extract_llm(p: Posting, cfg: LLMConfig, client=None) -> tuple[PostingExtraction, dict]:
    """One LLM answer, validated; an invalid answer is asked again, up to `cfg.retries` times. A posting longer
    than one request is read in parts and their answers merged (`merge_parts`): the meta says how many parts, how
    many characters were left unread past the last, and how many parts got no answer (`failed_parts`,
    `failed_chars`). A part that fails does not throw away the others' exclusions (they only add up); only when
    every part fails is the posting's extraction a failure."""
    masked, pii = mask_pii(posting_source_text(p))  # masked whole, then split: a split never leaves a number unmasked
    parts, unread = request_parts(masked, cfg.max_request_chars, cfg.max_request_parts)
    schema = PostingExtraction.model_json_schema()
    client = client or make_client(cfg)
    answers, attempts, errors, failed = [], 0, [], []
    for part in parts:
        try:
            answer, tries, invalid = ask_validated(
                cfg, client,
                [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": part}],
                {"type": "json_schema", "json_schema": {"name": "posting_extraction", "schema": schema}},
                lambda content, shown=part: validate_answer(content, shown))
        except LLMFatal:
            raise
        except LLMError as e:
            if len(failed) + 1 == len(parts):  # no part answered: the posting's extraction failed
                raise
            failed.append(len(part))
            errors.append(f"{len(answers) + len(failed)}번째 부분: {e}")
            continue
        answers.append(answer)
        attempts += tries
        errors += invalid
    return merge_parts(answers), {"attempts": attempts, "pii_masked": pii, "errors": errors, "parts": len(parts),
                                  **({"unread_chars": unread} if unread else {}),
                                  **({"failed_parts": len(failed), "failed_chars": sum(failed)} if failed else {})}


def request_parts(text: str, limit: int, most: int) -> tuple[list[str], int]:
    """(the requests that read `text`, characters left unread). One request when it fits. Else its labelled lines
    packed into parts of at most `limit` characters: short lines first (title, requirements, the declared work
    environment: what decides a verdict stays in the first part), a long line split at a space to fill each part,
    its label repeated ('담당업무(이어서): …'); at most `most` parts."""
    if len(text) <= limit:
        return [text], 0
    lines = text.split("\n")
    parts = [""]
    for line in [line for line in lines if len(line) <= limit // 4] + [line for line in lines if len(line) > limit // 4]:
        label, sep, _ = line.partition(": ")
        again = f"{label}(이어서): " if sep and len(label) < 40 else ""
        while line:
            room = limit - len(parts[-1]) - bool(parts[-1])
            if len(line) <= room:
                parts[-1] += "\n" * bool(parts[-1]) + line
                break
            if room < limit // 4:  # too little room left to start a long line here
                parts.append("")
                continue
            cut = line.rfind(" ", 0, room)
            cut = cut if cut > room // 2 else room
            parts[-1] += "\n" * bool(parts[-1]) + line[:cut]
            parts.append("")
            rest = line[cut:].lstrip()
            line = again + rest if rest else ""
    parts = [part for part in parts if part]
    return parts[:most], sum(len(part) for part in parts[most:])


def merge_parts(answers: list[PostingExtraction]) -> PostingExtraction:
    """One answer for a posting read in parts: each field as the first part that found it; a type unsuitable when
    any part found it so (exclusions only add up: a danger written on page two is not outvoted by page one),
    suitable when a part found it so and no part excludes it."""
    merged = answers[0].model_copy(deep=True)
    for name in PostingExtraction.model_fields:
        if not name.endswith("_types") and not getattr(merged, name):
            setattr(merged, name, next((getattr(a, name) for a in answers if getattr(a, name)), ""))
    unsuitable: dict = {}
    for j in (j for a in answers for j in a.unsuitable_types):
        unsuitable.setdefault(j.type, j)
    suitable: dict = {}
    for j in (j for a in answers for j in a.suitable_types if j.type not in unsuitable):
        suitable.setdefault(j.type, j)
    merged.unsuitable_types, merged.suitable_types = list(unsuitable.values()), list(suitable.values())
    return merged


def ask_validated(cfg: LLMConfig, client, messages: list[dict], response_format: dict,
                  validate: Callable[[str], T]) -> tuple[T, int, list[str]]:
    """(validated answer, attempts, the invalid answers' errors): one chat completion read bounded in size and
    wall-clock time, asked again only when `validate` refuses it (ValueError, ValidationError), up to
    `cfg.retries` times. Every LLM use (extraction, the LLM judge) asks through here, so each gets the same
    bounds and the same Korean errors; LLMFatal stops a run, LLMError fails one item."""
    import httpx
    import openai

    errors: list[str] = []
    for attempt in range(cfg.retries):
        try:
            with client.chat.completions.with_streaming_response.create(
                    model=cfg.model, temperature=0, messages=messages, response_format=response_format) as response:
                body = read_bounded(response, cfg.max_response_bytes, time.monotonic() + cfg.timeout)
                content = completion_content(body)
            return validate(content), attempt + 1, errors
        except TimeoutError as e:  # a dripping server drips again: no re-ask
            raise LLMError(redact(str(e), cfg)) from None
        except httpx.TransportError as e:  # the body cut or stalled mid-read (outside the openai client's wrapping)
            raise LLMError(redact(f"응답을 읽다 끊김 ({type(e).__name__}): {str(e)[:200]}", cfg)) from None
        except (json.JSONDecodeError, ValidationError, ValueError) as e:
            errors.append(f"응답 검증 실패: {str(e)[:200]}")
        except (openai.AuthenticationError, openai.PermissionDeniedError, openai.NotFoundError) as e:
            raise LLMFatal(redact(f"{type(e).__name__}: {str(e)[:200]} — 키·모델 설정을 확인하세요", cfg)) from None
        except openai.RateLimitError as e:
            if "quota" in str(e).lower():  # 429 insufficient_quota: no wait makes it pass
                raise LLMFatal(redact(f"사용 한도 초과: {str(e)[:200]}", cfg)) from None
            raise LLMError(redact(f"{type(e).__name__} (재시도 {cfg.retries - 1}회 후): {str(e)[:200]}", cfg)) from None
        except openai.APIError as e:  # timeouts, connection errors, 5xx: the client already retried them
            raise LLMError(redact(f"{type(e).__name__} (재시도 {cfg.retries - 1}회 후): {str(e)[:200]}", cfg)) from None
        if attempt + 1 < cfg.retries:  # no wait after the last attempt: nothing follows it
            time.sleep(cfg.backoff * (2 ** attempt))
    raise LLMError(f"{cfg.retries}회 시도 모두 실패: " + " | ".join(errors))


def read_bounded(response, limit: int, deadline: float | None = None) -> bytes:
    """The reply body, or ValueError as soon as it passes `limit` bytes, or TimeoutError as soon as a chunk
    arrives after `deadline` (time.monotonic()); the rest is never read. A server silent past the deadline
    is stopped by the client's own read timeout."""
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > limit:
            raise ValueError(f"응답이 너무 큼 (> {limit:,} 바이트): 저장하지 않음")
        if deadline is not None and time.monotonic() > deadline:
            response.close()
            raise TimeoutError(f"응답이 제한 시간 안에 끝나지 않음 ({len(body):,} 바이트에서 멈춤: 느린 응답): 저장하지 않음")
    return bytes(body)


def completion_content(body: bytes) -> str:
    """The assistant message of a chat completion; ValueError for anything else (HTML, plain text, other JSON)."""
    try:
        data = json.loads(body.decode("utf-8", errors="replace"))
    except json.JSONDecodeError:
        raise ValueError(f"응답이 JSON이 아님: {body[:80].decode('utf-8', errors='replace')!r}") from None
    try:
        content = data["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise ValueError("응답이 chat completion 형식이 아님 (choices[0].message.content 없음)") from None
    if not isinstance(content, str):
        raise ValueError("응답 content가 문자열이 아님")
    return content
