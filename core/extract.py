"""Posting structure and disability suitability: an OpenAI-compatible LLM path and an offline rule path,
one schema, cached in SQLite.

Why this shape (the paper's warnings): answers are validated against a fixed schema whose types come
only from the 장애인복지법 list and whose every reason quotes a span of the posting (hallucinations fail
validation and are retried, then recorded as failed, never stored as truth); personal data is masked
before anything leaves the machine; a consistency mode asks N times and keeps the agreement per type;
LLM answers that contradict the employer's declared work environment are flagged.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from . import keco
from .normalize import DISABILITY_TYPES
from .records import ENV_FIELDS, ENV_LABELS, Posting

PROMPT_VERSION = "v1"
DisabilityType = Literal[tuple(DISABILITY_TYPES)]  # type: ignore[valid-type]


# ---------------------------------------------------------------- schema
class TypeJudgement(BaseModel):
    type: DisabilityType
    reason: str = Field(max_length=200, description="한 줄 근거")
    evidence: str = Field(min_length=1, max_length=300, description="공고 원문에서 그대로 인용한 구절")


class PostingExtraction(BaseModel):
    """The paper's fields plus suitable / unsuitable types restricted to the 19 legal types."""

    제목: str = ""
    회사명: str = ""
    직무: str = ""
    담당업무: str = ""
    자격요건: str = ""
    우대조건: str = ""
    근무지역: str = ""
    근무시간_요일: str = ""
    급여조건: str = ""
    고용형태: str = ""
    학력: str = ""
    경력: str = ""
    작업환경: str = ""
    장애인_편의시설: str = ""
    suitable_types: list[TypeJudgement] = Field(default_factory=list)
    unsuitable_types: list[TypeJudgement] = Field(default_factory=list)

    @model_validator(mode="after")
    def no_type_on_both_sides(self) -> "PostingExtraction":
        both = {t.type for t in self.suitable_types} & {t.type for t in self.unsuitable_types}
        if both:
            raise ValueError(f"같은 유형이 적합·부적합 양쪽에 있음: {sorted(both)}")
        return self


EVIDENCE_MIN_CHARS = 4  # letters and digits, spaces and punctuation not counted
_CONTENT_WORD = re.compile(r"[가-힣]{2,}|[A-Za-z]{3,}")


def meaningful_evidence(evidence: str, source_text: str) -> bool:
    """A quote that can justify a type: long enough, and holding a content word that is not just one of
    the field labels the extractor itself wrote into the text (':' or '담당업무:' quote nothing)."""
    if len(re.sub(r"[\W_]+", "", evidence)) < EVIDENCE_MIN_CHARS:
        return False
    labels = set(re.findall(r"^([^:\n]+):", source_text, flags=re.MULTILINE))
    words = [w for w in _CONTENT_WORD.findall(evidence) if w not in labels]
    return bool(words)


def validate_answer(raw: str | dict, source_text: str) -> PostingExtraction:
    """Parse and validate one answer; every evidence span must be meaningful and occur in the text the model was shown."""
    data = json.loads(raw) if isinstance(raw, str) else raw
    result = PostingExtraction.model_validate(data)
    squeeze = lambda s: re.sub(r"\s+", "", s)  # noqa: E731
    text = squeeze(source_text)
    for j in result.suitable_types + result.unsuitable_types:
        if not meaningful_evidence(j.evidence, source_text):
            raise ValueError(f"근거 구절이 너무 짧거나 내용어가 없음: {j.type}: '{j.evidence[:60]}'")
        if squeeze(j.evidence) not in text:
            raise ValueError(f"근거 구절이 공고에 없음 (환각 의심): {j.type}: '{j.evidence[:60]}'")
    return result


# ---------------------------------------------------------------- PII masking
_PII_PATTERNS: list[tuple[str, re.Pattern, str]] = [
    ("주민등록번호", re.compile(r"\b\d{6}\s*-\s*[1-4]\d{6}\b"), "[주민번호]"),
    ("이메일", re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "[이메일]"),
    ("전화번호", re.compile(r"(?<!\d)(0\d{1,2}|1\d{3})[\s.-]?\d{3,4}[\s.-]?\d{4}(?!\d)"), "[전화번호]"),
    ("담당자", re.compile(r"(담당자(?:명)?|채용담당|인사담당|문의)\s*[:：]?\s*([가-힣]{2,4})(\s*(?:과장|대리|주임|팀장|부장|차장|실장|사원|매니저|님))?"),
     r"\1 [담당자]"),
    ("상세주소", re.compile(r"([가-힣0-9]+(?:로|길))\s*\d+(?:-\d+)?(?:\s*,?\s*[\w가-힣-]*\s*\d+\s*(?:층|호|동))*"), "[상세주소]"),
    ("지번", re.compile(r"([가-힣]+(?:동|읍|면|리|가))\s+\d+(?:-\d+)?(?:번지)?(?:\s*\d+\s*(?:층|호))*"), r"\1 [상세주소]"),
]


def mask_pii(text: str) -> tuple[str, dict[str, int]]:
    """Mask phone numbers, e-mails, resident numbers, contact names and addresses below 읍면동."""
    counts: dict[str, int] = {}
    for name, pattern, repl in _PII_PATTERNS:
        text, n = pattern.subn(repl, text)
        if n:
            counts[name] = n
    return text, counts


def posting_source_text(p: Posting) -> str:
    """The text an extractor reads: the posting's fields as labelled lines (KEAD env fields included)."""
    lines = [("제목", p.title), ("회사명", p.display_company), ("직무", p.jobNm or p.relJobsNm),
             ("직종", occupation_label(p)), ("담당업무", p.jobCont),
             ("자격요건", " ".join(x for x in (p.certificate or p.reqLicens, p.major or p.reqMajor) if x)),
             ("학력", p.minEdubg or p.reqEduc), ("경력", p.career or p.reqCareer), ("우대조건", p.pfCond or p.etcPfCond),
             ("근무지역", p.display_region), ("근무시간/요일", " ".join(x for x in (p.workdayWorkhrCont, p.holidayTpNm) if x)),
             ("급여조건", " ".join(x for x in (p.salTpNm or p.salaryType, p.sal or p.salary) if x)),
             ("고용형태", p.empType), ("장애인 편의시설", p.disableCvntl)]
    lines += [(f"작업환경-{ENV_LABELS[f]}", getattr(p, f)) for f in ENV_FIELDS]
    return "\n".join(f"{k}: {v}" for k, v in lines if v)


def occupation_label(p: Posting) -> str:
    """'소프트웨어 (024)': the posting's 직종 middle category as a quotable line of its text."""
    return f"{keco.middle_name(p.occupation)} ({p.middle_code})" if p.middle_code else ""


# ---------------------------------------------------------------- offline rules
@dataclass(frozen=True)
class Rule:
    id: str
    field: str  # a Posting attribute, or 'text' for the whole source text
    pattern: str
    unsuitable: tuple[str, ...] = ()
    suitable: tuple[str, ...] = ()
    reason: str = ""


G = lambda base, *grades: tuple(f"{base}({g})" for g in (grades or ("경증", "중증")))  # noqa: E731

RULES: list[Rule] = [
    # employer-declared KEAD work environment (the most trustworthy evidence)
    Rule("ENV-EYE-FINE", "envEyesight", r"아주 작은 글씨", unsuitable=G("시각장애"), reason="아주 작은 글씨를 읽어야 함"),
    Rule("ENV-EYE-LARGE", "envEyesight", r"큰 인쇄물", unsuitable=G("시각장애", "중증"), reason="인쇄물을 읽어야 함"),
    Rule("ENV-TALK-FULL", "envLstnTalk", r"어려움 없음", unsuitable=G("청각장애", "중증") + G("언어장애", "중증"), reason="원활한 듣기·말하기 필요"),
    Rule("ENV-TALK-NONE", "envLstnTalk", r"(어려움 ?있음|불필요|하지 않음)", suitable=G("청각장애") + G("언어장애"), reason="듣고 말하기 부담이 적음"),
    Rule("ENV-STAND-LONG", "envStndWalk", r"오랫동안", unsuitable=G("지체장애", "중증") + G("뇌병변장애", "중증") + G("내부장애", "중증"), reason="오래 서거나 걸어야 함"),
    Rule("ENV-SEATED", "envStndWalk", r"앉아서", suitable=G("지체장애") + G("내부장애", "경증"), reason="앉아서 일할 수 있음"),
    Rule("ENV-LIFT-HEAVY", "envLiftPower", r"20\s*Kg\s*이상", unsuitable=G("지체장애", "중증") + G("뇌병변장애", "중증") + G("내부장애"), reason="20kg 이상 들어야 함"),
    Rule("ENV-LIFT-LIGHT", "envLiftPower", r"5\s*Kg\s*이내", suitable=G("내부장애", "경증"), reason="5kg 이내의 가벼운 작업"),
    Rule("ENV-BOTH-HANDS", "envBothHands", r"양손", unsuitable=G("지체장애", "중증") + G("뇌병변장애", "중증"), reason="양손 작업 필요"),
    Rule("ENV-ONE-HAND", "envBothHands", r"한\s*손", suitable=G("지체장애", "경증"), reason="한 손으로도 가능"),
    Rule("ENV-FINE-WORK", "envHandWork", r"정밀", unsuitable=G("뇌병변장애", "중증") + G("시각장애", "중증"), reason="정밀한 손 작업 필요"),
    # 고용24 disabled-worker facilities
    Rule("CVNT-WHEEL", "disableCvntl", r"경사로|엘리베이터|휠체어|장애인 ?화장실", suitable=G("지체장애", "중증") + G("뇌병변장애", "경증"), reason="이동 편의시설 있음"),
    Rule("CVNT-BRAILLE", "disableCvntl", r"점자", suitable=G("시각장애"), reason="점자 편의시설 있음"),
    # duties and conditions in the text
    Rule("TXT-DRIVE", "text", r"운전(원|기사|면허)|배송 기사|지게차|굴착기", unsuitable=G("뇌전증장애") + G("시각장애"), reason="차량·장비 운전"),
    Rule("TXT-PHONE", "text", r"전화 ?(상담|응대)|콜센터|텔레마케|인바운드|아웃바운드", unsuitable=G("청각장애") + G("언어장애"), reason="전화 상담 업무"),
    Rule("TXT-HEIGHT", "text", r"고소 ?작업|높은 곳|사다리", unsuitable=G("뇌전증장애") + G("지체장애", "중증"), reason="높은 곳 작업"),
    Rule("TXT-HEAVY", "text", r"중량물|상하차|자재 운반|하역", unsuitable=G("지체장애", "중증") + G("뇌병변장애", "중증") + G("내부장애"), reason="무거운 물건 운반"),
    Rule("TXT-NIGHT", "text", r"야간|교대 ?근무|2교대|3교대", unsuitable=G("뇌전증장애", "중증") + G("내부장애", "중증"), reason="야간·교대 근무"),
    Rule("TXT-WELD", "text", r"용접|절단|프레스", unsuitable=G("뇌전증장애") + G("시각장애"), reason="위험 기계·화기 작업"),
    Rule("TXT-OFFICE", "text", r"문서|자료 ?입력|사무 ?보조|서류|스캔|컴퓨터", suitable=G("지체장애") + G("청각장애") + G("내부장애", "경증"), reason="앉아서 하는 사무 작업"),
    Rule("TXT-SIMPLE", "text", r"포장|단순 ?조립|라벨|세탁|분리수거|선별|청소", suitable=("지적장애", "자폐성장애") + G("청각장애"), reason="반복적·단순한 작업"),
    Rule("TXT-MASSAGE", "text", r"안마|마사지", suitable=G("시각장애"), reason="안마 직종 (시각장애인 직역)"),
    Rule("TXT-BARISTA", "text", r"바리스타|음료 제조", suitable=G("청각장애") + ("지적장애",), reason="음료 제조 (정해진 절차)"),
    # the posting's 직종 code (고용24 jobsCd), a structured field: weakest evidence, so it only adds types
    Rule("OCC-DESK-IT", "occupation", r"\((02[2-5])\)", suitable=G("지체장애") + G("청각장애"), reason="앉아서 하는 컴퓨터 직무"),
    Rule("OCC-OFFICE", "occupation", r"\((01[6-8]|01B)\)", suitable=G("지체장애") + G("청각장애", "경증"), reason="사무 직무"),
    Rule("OCC-SIMPLE", "occupation", r"\((069|126|11A|06A)\)", suitable=("지적장애", "자폐성장애"), reason="정해진 절차의 단순 작업 직종"),
    Rule("OCC-DRIVE", "occupation", r"\((079|07A|078)\)", unsuitable=G("뇌전증장애") + G("시각장애"), reason="운전·운송 장비 조작 직종"),
    Rule("OCC-PHONE", "occupation", r"\((073|01A)\)", unsuitable=G("청각장애", "중증") + G("언어장애", "중증"), reason="전화·대면 상담 직종"),
    Rule("OCC-SITE", "occupation", r"\((08[1-6])\)", unsuitable=G("지체장애", "중증") + G("뇌병변장애", "중증") + G("뇌전증장애", "중증"), reason="건설 현장 직종"),
    Rule("OCC-MACHINE", "occupation", r"\((09[3-9]|104|112)\)", unsuitable=G("뇌전증장애", "중증") + G("시각장애", "중증"), reason="기계·설비 조작 직종"),
]


def extract_rules(p: Posting) -> tuple[PostingExtraction, list[str]]:
    """The offline extractor: fields copied from the record, types from the rules above (unsuitable wins)."""
    text = posting_source_text(p)
    fired: list[str] = []
    unsuitable: dict[str, TypeJudgement] = {}
    suitable: dict[str, TypeJudgement] = {}
    for rule in RULES:
        value = text if rule.field == "text" else occupation_label(p) if rule.field == "occupation" else str(
            getattr(p, rule.field, "") or "")
        m = re.search(rule.pattern, value)
        if not m:
            continue
        fired.append(rule.id)
        span = value if rule.field != "text" else _context(value, m)
        for t in rule.unsuitable:
            unsuitable.setdefault(t, TypeJudgement(type=t, reason=f"[{rule.id}] {rule.reason}", evidence=span))
        for t in rule.suitable:
            suitable.setdefault(t, TypeJudgement(type=t, reason=f"[{rule.id}] {rule.reason}", evidence=span))
    for t in unsuitable:
        suitable.pop(t, None)
    env = " · ".join(f"{ENV_LABELS[f]}: {getattr(p, f)}" for f in ENV_FIELDS if getattr(p, f))
    result = PostingExtraction(
        제목=p.title, 회사명=p.display_company, 직무=p.jobNm or p.relJobsNm, 담당업무=p.jobCont,
        자격요건=" ".join(x for x in (p.certificate or p.reqLicens, p.major or p.reqMajor) if x), 우대조건=p.pfCond,
        근무지역=p.display_region, 근무시간_요일=" ".join(x for x in (p.workdayWorkhrCont, p.holidayTpNm) if x),
        급여조건=p.salary_label, 고용형태=p.empType, 학력=p.education_label, 경력=p.career_label, 작업환경=env,
        장애인_편의시설=p.disableCvntl, suitable_types=list(suitable.values()), unsuitable_types=list(unsuitable.values()))
    return result, fired


def _context(text: str, m: re.Match, width: int = 12) -> str:
    """The matched words with a little context, cut at line ends (a quotable span of the posting)."""
    line_start = text.rfind("\n", 0, m.start()) + 1
    line_end = text.find("\n", m.end())
    line_end = len(text) if line_end < 0 else line_end
    return text[max(line_start, m.start() - width):min(line_end, m.end() + width)].strip()


def cross_check(llm: PostingExtraction, p: Posting) -> list[str]:
    """Flags where the LLM calls a type suitable that the employer's declared environment rules out."""
    declared = [r for r in RULES if r.field in ENV_FIELDS and r.unsuitable and re.search(r.pattern, str(getattr(p, r.field, "")))]
    flags = []
    for j in llm.suitable_types:
        for r in declared:
            if j.type in r.unsuitable:
                flags.append(f"{j.type} '적합' 판단이 고용주 신고 작업환경과 모순: {ENV_LABELS[r.field]} = {getattr(p, r.field)}")
    return flags


# ---------------------------------------------------------------- LLM client
@dataclass
class LLMConfig:
    model: str = "gpt-4o-mini"
    base_url: str | None = None
    api_key: str | None = None
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0

    @classmethod
    def from_env(cls) -> "LLMConfig | None":
        """Environment (JOBLENS_LLM_MODEL / _BASE_URL / _API_KEY or OPENAI_API_KEY), else .streamlit/secrets.toml [llm]."""
        cfg = {"model": os.environ.get("JOBLENS_LLM_MODEL"), "base_url": os.environ.get("JOBLENS_LLM_BASE_URL"),
               "api_key": os.environ.get("JOBLENS_LLM_API_KEY") or os.environ.get("OPENAI_API_KEY")}
        secrets = Path(__file__).resolve().parent.parent / ".streamlit" / "secrets.toml"
        if not any(cfg.values()) and secrets.exists():
            import tomllib

            section = tomllib.loads(secrets.read_text()).get("llm", {})
            cfg = {k: section.get(k) for k in cfg}
        if not cfg["base_url"] and not cfg["api_key"]:
            return None
        return cls(model=cfg["model"] or "gpt-4o-mini", base_url=cfg["base_url"], api_key=cfg["api_key"] or "not-needed")

    def __repr__(self) -> str:  # the key never appears in logs or tracebacks
        return f"LLMConfig(model={self.model!r}, base_url={self.base_url!r}, api_key='***')"


SYSTEM_PROMPT = (
    "당신은 장애인 채용을 돕는 직업상담 보조자입니다. 채용공고를 읽고 JSON으로만 답하세요. "
    "필드를 공고에서 추출하고, 적합/부적합 장애유형을 다음 목록에서만 고르세요: " + ", ".join(DISABILITY_TYPES) + ". "
    "각 유형마다 한 줄 근거(reason)와 공고에서 그대로 인용한 구절(evidence)을 주세요. 근거가 없으면 고르지 마세요. "
    "같은 유형을 적합과 부적합에 함께 넣지 마세요.")


class LLMError(RuntimeError):
    pass


def _redact(message: str, cfg: LLMConfig) -> str:
    return message.replace(cfg.api_key, "***") if cfg.api_key and len(cfg.api_key) > 3 else message


def extract_llm(p: Posting, cfg: LLMConfig, client=None) -> tuple[PostingExtraction, dict]:
    """One LLM answer, validated; retried with backoff on transport errors and invalid answers."""
    import openai

    client = client or openai.OpenAI(base_url=cfg.base_url, api_key=cfg.api_key, timeout=cfg.timeout, max_retries=0)
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
            errors.append(_redact(f"{type(e).__name__}: {str(e)[:200]}", cfg))
        time.sleep(cfg.backoff * (2 ** attempt))
    raise LLMError(f"{cfg.retries}회 시도 모두 실패: " + " | ".join(errors))


# ---------------------------------------------------------------- cache, batch, consistency
def cache_key(p: Posting, extractor: str, model: str) -> tuple[str, str, str, str]:
    return (hashlib.sha1(posting_source_text(p).encode()).hexdigest(), extractor, model, PROMPT_VERSION)


def extract_posting(store, p: Posting, extractor: str = "rules", cfg: LLMConfig | None = None, runs: int = 1,
                    refresh: bool = False, client=None) -> dict:
    """Cached extraction for one posting: {'status', 'result', 'error', ...}. Failures are recorded, never as truth."""
    model = cfg.model if extractor == "llm" and cfg else "rules"
    key = cache_key(p, extractor, model + (f"x{runs}" if runs > 1 else ""))
    cached = None if refresh else store.get_extraction(key)
    if cached:
        return cached
    if extractor == "rules":
        result, fired = extract_rules(p)
        payload = {**result.model_dump(), "rules_fired": fired}
        store.put_extraction(key, p.id, "ok", payload)
        return store.get_extraction(key)
    if cfg is None:
        raise LLMError("LLM 설정이 없습니다 (JOBLENS_LLM_BASE_URL / JOBLENS_LLM_API_KEY 또는 secrets.toml [llm])")
    answers, meta = [], {}
    try:
        for _ in range(runs):
            answer, meta = extract_llm(p, cfg, client)
            answers.append(answer)
    except LLMError as e:
        store.put_extraction(key, p.id, "failed", None, _redact(str(e), cfg))
        return store.get_extraction(key)
    final = answers[0] if runs == 1 else majority(answers)
    payload = {**final.model_dump(), "agreement": agreement(answers), "runs": runs,
               "flags": cross_check(final, p), "pii_masked": meta.get("pii_masked", {})}
    store.put_extraction(key, p.id, "ok", payload)
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
    """Fields from the first answer; a type kept on a side when more than half the runs put it there."""
    base = answers[0].model_copy(deep=True)
    for side in ("suitable_types", "unsuitable_types"):
        kept = []
        for t in DISABILITY_TYPES:
            votes = [j for a in answers for j in getattr(a, side) if j.type == t]
            if len(votes) * 2 > len(answers):
                kept.append(votes[0])
        setattr(base, side, kept)
    return base


def extract_all(store, postings: list[Posting], extractor: str = "rules", cfg: LLMConfig | None = None, runs: int = 1,
                progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Batch, resumable: cached postings are skipped, so an interrupted run continues where it stopped."""
    counts = {"ok": 0, "failed": 0}
    for i, p in enumerate(postings, 1):
        counts[extract_posting(store, p, extractor, cfg, runs)["status"]] += 1
        if progress:
            progress(i, len(postings))
    return counts


def register_cli(sub) -> None:
    p = sub.add_parser("extract", help="공고 구조화·장애유형 적합성 추출 (기본: 오프라인 규칙)")
    p.add_argument("--extractor", choices=["rules", "llm"], default=None, help="기본: LLM 설정이 있으면 llm, 없으면 rules")
    p.add_argument("--data", default="demo", help="demo (앱 저장소) 또는 worknet-2024, worknet-seoul-2023, saramin")
    p.add_argument("--sources", default="", help="공고 출처 (쉼표); 빈 값이면 전체")
    p.add_argument("--runs", type=int, default=1, help="일관성 모드: LLM에 N번 묻고 유형별 일치도 저장")
    p.add_argument("--limit", type=int, default=0)
    p.set_defaults(func=cmd_extract)


def cmd_extract(args) -> int:
    from collections import Counter

    from .__main__ import Bar
    from .store import Store

    cfg = LLMConfig.from_env()
    extractor = args.extractor or ("llm" if cfg else "rules")
    if args.data == "demo":
        store = Store()
        sources = [s for s in args.sources.split(",") if s]
        postings = [p for p in store.postings() if not sources or p.source in sources]
    else:  # a shared dataset, in the evaluation store (ingested once)
        from .evaluate import _dataset_engine

        engine = _dataset_engine(args.data, 10)
        store, postings = engine.store, list(engine.corpus.postings.values())
    if args.limit:
        postings = postings[:args.limit]
    start = time.time()
    bar = Bar()
    counts = extract_all(store, postings, extractor, cfg, args.runs, progress=lambda i, n: bar("추출", i, n))
    seconds = time.time() - start
    results = [extract_posting(store, p, extractor, cfg, args.runs) for p in postings]
    ok = [r["result"] for r in results if r["status"] == "ok"]
    with_suitable = sum(bool(r["suitable_types"]) for r in ok)
    with_any = sum(bool(r["suitable_types"] or r["unsuitable_types"]) for r in ok)
    fired = Counter(f for r in ok for f in r.get("rules_fired", []))
    print(f"{extractor}: 공고 {len(postings):,}건, 성공 {counts['ok']:,} · 실패 {counts['failed']:,}, {seconds:.1f}s")
    if ok:
        print(f"적합 유형 1개 이상: {with_suitable / len(ok):.1%}; 적합/부적합 중 하나 이상: {with_any / len(ok):.1%}")
    if fired:
        print("자주 적용된 규칙: " + ", ".join(f"{k} {v:,}" for k, v in fired.most_common(8)))
    return 0
