"""Posting structure and disability suitability: an OpenAI-compatible LLM path and an offline rule path,
one schema, cached in SQLite.

Why this shape (the paper's warnings): answers are validated against a fixed schema whose types come
only from the 장애인복지법 list and whose every reason quotes a span of the posting (hallucinations fail
validation and are retried, then recorded as failed, never stored as truth); personal data is masked
before anything leaves the machine; a consistency mode asks N times and keeps the agreement per type;
LLM answers that contradict the employer's declared work environment are flagged.
"""
from __future__ import annotations

from ..data.normalize import DISABILITY_TYPES
from ..data.records import Posting
from ..progress import Progress, report
from .client import LLMConfig, LLMError, LLMFatal, extract_llm, make_client, redact
from .rules import RULES_MODEL, conflicts, cross_check, posting_source_text, rules_payload, source_hash
from .schema import PROMPT_VERSION, PostingExtraction
from .suitability import CONFLICT, FAILED, SETTLED  # ok: verdicts stand; conflict: held for review; failed: unknown


def cache_key(p: Posting, extractor: str, model: str) -> tuple[str, str, str, str]:
    return (source_hash(p), extractor, model, PROMPT_VERSION)


def answer_model(extractor: str, cfg: LLMConfig | None, runs: int = 1) -> str:
    """The model an answer is stored under: the LLM's (× runs), or the rules' version (`RULES_MODEL`)."""
    model = cfg.model if extractor == "llm" and cfg else RULES_MODEL
    return model + (f"x{runs}" if runs > 1 else "")


def extract_posting(store, p: Posting, extractor: str = "rules", cfg: LLMConfig | None = None, runs: int = 1,
                    refresh: bool = False, client=None) -> dict:
    """Cached extraction for one posting: {'status', 'result', 'error', ...}. Failures are recorded, never as truth.

    Whatever goes wrong with this one posting (an answer that fails validation, a bug met by one odd record) is
    stored as its failure and returned: the caller goes on with the next posting, whose exclusions must not be
    lost to this one."""
    key = cache_key(p, extractor, answer_model(extractor, cfg, runs))
    stored = store.get_extraction(key)
    earlier = stored if stored and stored["status"] in (SETTLED, CONFLICT) else None  # a stored failure is no answer
    if earlier and not refresh and not (earlier.get("result") or {}).get("failed_parts"):
        return earlier  # an answer with a part the LLM never answered is asked again, its exclusions carried
    try:
        return _extract(store, key, p, extractor, cfg, runs, client, earlier)
    except LLMFatal:
        raise
    except Exception as e:  # noqa: BLE001 — recorded for this posting, never allowed to stop the batch
        reason = f"{type(e).__name__}: {str(e).splitlines()[0][:300] if str(e) else ''}"
        return _failed(store, key, p, redact(reason, cfg) if cfg else reason, earlier)


def _failed(store, key: tuple, p: Posting, reason: str, earlier: dict | None) -> dict:
    """A failed run: stored as this posting's failure, unless it was a refresh of a stored answer, which stays
    (the answer is not lost to a run that could not read the text; the caller still hears of the failure)."""
    if earlier:
        return {"status": FAILED, "result": None, "error": reason, "at": None, "kept_earlier": True}
    store.put_extraction(key, p.id, FAILED, None, reason)
    return store.get_extraction(key)


def keep_earlier_exclusions(payload: dict, earlier: dict | None) -> dict:
    """A refresh stores its answer under the earlier one's key, replacing it: the earlier answer's exclusions are
    carried into it (exclusions only add up; a counselor's correction is the one thing that removes one), and a
    type carried over leaves the new answer's suitable list. `kept_from_earlier` names what was carried."""
    old = ((earlier or {}).get("result") or {}).get("unsuitable_types") or []
    have = {j["type"] for j in payload.get("unsuitable_types", [])}
    carried = [j for j in old if j["type"] not in have]
    if not carried:
        return payload
    types = {j["type"] for j in carried}
    return {**payload, "unsuitable_types": [*payload.get("unsuitable_types", []), *carried],
            "suitable_types": [j for j in payload.get("suitable_types", []) if j["type"] not in types],
            "kept_from_earlier": sorted(types)}


def _extract(store, key: tuple, p: Posting, extractor: str, cfg: LLMConfig | None, runs: int, client,
             earlier: dict | None = None) -> dict:
    if extractor == "rules":
        store.put_extraction(key, p.id, SETTLED, keep_earlier_exclusions(rules_payload(p), earlier))
        return store.get_extraction(key)
    if cfg is None:
        raise LLMError("LLM 설정이 없습니다 (JOBLENS_LLM_BASE_URL / JOBLENS_LLM_API_KEY 또는 secrets.toml [llm])")
    answers, metas = [], []
    try:
        for _ in range(runs):
            answer, meta = extract_llm(p, cfg, client)
            answers.append(answer)
            metas.append(meta)
    except LLMError as e:
        failed = _failed(store, key, p, redact(str(e), cfg), earlier)
        if isinstance(e, LLMFatal):  # the next posting would fail alike: the caller stops the run
            raise
        return failed
    final = answers[0] if runs == 1 else majority(answers)
    found = conflicts(final, p, posting_source_text(p))
    unread = meta.get("unread_chars", 0)  # the same split every run
    failed = sum(m.get("failed_parts", 0) for m in metas)  # any run's: the majority counted a run that missed a part
    flags = cross_check(final, p) + ([f"공고가 길어 끝의 {unread:,}자는 LLM이 읽지 않음 (규칙은 전체를 읽음)"] if unread else [])
    if failed:
        chars = sum(m.get("failed_chars", 0) for m in metas)
        flags.append(f"LLM 응답을 받지 못해 읽지 않은 부분 {failed}개({chars:,}자"
                     + (f", {runs}회 실행 합계" if runs > 1 else "") + "): 다음 추출 때 다시 묻습니다 (규칙은 전체를 읽음)")
    payload = {**final.model_dump(), "agreement": agreement(answers), "runs": runs, "flags": flags, "conflicts": found,
               "pii_masked": meta.get("pii_masked", {}), "parts": meta.get("parts", 1), "unread_chars": unread,
               "failed_parts": failed}
    # a text the LLM did not read whole is held for review: its exclusions count, its 'suitable' is unproven
    store.put_extraction(key, p.id, CONFLICT if found or unread or failed else SETTLED,
                         keep_earlier_exclusions(payload, earlier))
    return store.get_extraction(key)


def agreement(answers: list[PostingExtraction]) -> dict[str, dict[str, float]]:
    """Share of runs that put each type on each side."""
    out: dict[str, dict[str, float]] = {}
    for side in ("suitable_types", "unsuitable_types"):
        for t in DISABILITY_TYPES:
            share = sum(any(j.type == t for j in getattr(a, side)) for a in answers) / len(answers)
            if share:
                out.setdefault(t, {})[side] = round(share, 3)
    return out


def majority(answers: list[PostingExtraction]) -> PostingExtraction:
    """Fields from the first answer; a type is unsuitable when any run found it so (exclusions only add up: one
    run that reads a danger in the text is not outvoted), suitable when more than half the runs say so and none
    excludes it. How far the runs agreed is stored beside it (`agreement`)."""
    base = answers[0].model_copy(deep=True)
    excluded = set()
    for side in ("unsuitable_types", "suitable_types"):
        kept = []
        for t in DISABILITY_TYPES:
            votes = [j for a in answers for j in getattr(a, side) if j.type == t]
            if votes and (side == "unsuitable_types" or (len(votes) * 2 > len(answers) and t not in excluded)):
                kept.append(votes[0])
                excluded |= {t} if side == "unsuitable_types" else set()
        setattr(base, side, kept)
    return base


def extract_all(store, postings: list[Posting], extractor: str = "rules", cfg: LLMConfig | None = None, runs: int = 1,
                progress: Progress | None = None, refresh: bool = False) -> dict:
    """Batch, resumable: cached answers are skipped (failures, and answers with a part left unanswered, are asked
    again), so an interrupted run continues
    where it stopped. A fault that every posting would meet alike (invalid key, quota) stops the run cleanly:
    the counts then carry `stopped` (why) and `resume_at` (the posting a re-run starts from)."""
    counts: dict = {SETTLED: 0, CONFLICT: 0, FAILED: 0}
    client = make_client(cfg) if extractor == "llm" and cfg else None
    for i, p in enumerate(postings, 1):
        try:
            counts[extract_posting(store, p, extractor, cfg, runs, refresh=refresh, client=client)["status"]] += 1
        except LLMFatal as e:
            counts[FAILED] += 1
            counts["stopped"], counts["resume_at"] = str(e), i
            break
        report(progress, "적합성 추출", i, len(postings))
    return counts
