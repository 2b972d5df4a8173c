"""An LLM judge: an OpenAI-compatible model grades pooled (query, item) pairs with a written rubric, and
its labels count only where it has earned trust.

Configured like the extraction (`LLMSettings`: server, model, key, timeout, retries, reply size cap),
through the same openai client; the pair text is PII-masked as the extraction's is. Its marks are stored
as judgments of the account 'LLM:<model>' with the prompt version as their model, so a later run with
the same prompt skips them (the cache) and a new prompt version asks again. Before a run, `estimate` says
how many pairs are new, and the time and cost that costs. `gate` measures Cohen's κ between the judge and
the analysts' consensus on the pairs both judged: below κ 0.6 or under 100 such pairs its labels are
shown as 참고용 and never reach a metric (judgments.consensus leaves machine marks out unless trusted).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass

from pydantic import BaseModel, Field

from ..data.kinds import Direction
from ..data.normalize import career_phrase, education_phrase
from ..geo.naming import seeker_region
from ..llm.client import LLMError, LLMFatal, ask_validated, make_client
from ..progress import Progress, report
from ..settings import LLMSettings
from ..text.pii import mask_pii
from .agreement import cohen
from .judgments import MACHINE_PREFIX, Judgment, consensus, record

PROMPT_VERSION = "judge-v1"
MIN_KAPPA, MIN_SHARED = 0.6, 100
RUBRIC = (
    "당신은 장애인 고용 상담사를 돕는 평가자입니다. 질의(구직자 또는 채용공고)와 후보 하나를 읽고 후보가 질의에 "
    "얼마나 맞는지 판정하세요.\n"
    "- 2 (관련): 직무가 질의의 희망 직무·직종과 같고, 지역과 조건(학력, 경력, 임금, 근무 형태, 장애 관련 제약)이 "
    "크게 어긋나지 않음.\n"
    "- 1 (부분): 직종이 가깝거나 직무 일부가 겹치지만, 지역이나 조건 중 하나가 뚜렷이 어긋남.\n"
    "- 0 (무관): 직무가 다르거나, 조건이 받아들일 수 없을 만큼 어긋남.\n"
    "회사 이름이나 글의 길이로 판단하지 말고 직무, 조건, 장소만 보세요. "
    'JSON으로만 답하세요: {"grade": 0|1|2, "reason": "한 문장 근거"}')


class JudgeAnswer(BaseModel):
    grade: int = Field(ge=0, le=2)
    reason: str = Field("", max_length=300)


def record_text(record) -> str:
    """What the rubric asks about a record: duties, conditions and place (seekers: wishes and constraints)."""
    place = " ".join(x for x in (record.place.sido, record.place.sigungu) if x)
    if record.kind == "posting":
        parts = [f"제목: {record.title}", f"직무: {record.jobCont[:600]}",
                 f"조건: {record.salary_label}, {education_phrase(record.education_label)}, {career_phrase(record.career_label)}, "
                 f"{record.workdayWorkhrCont or record.empType or ''}", f"근무지: {place or record.display_region}"]
    else:
        parts = [f"희망 직무: {record.desired_job_name} {record.desired_duties[:400]}",
                 f"희망 지역: {seeker_region(record)}",
                 f"조건: {education_phrase(record.education_label)}, {career_phrase(record.career_label)}, 희망임금 {record.desired_wage or '미상'}, "
                 f"장애유형 {record.filter_disability or '없음'}"]
    return "\n".join(p for p in parts if p.split(": ", 1)[-1].strip())


def pair_prompt(query, item) -> str:
    """The user message for one pair, personal data masked."""
    text = f"[질의]\n{record_text(query)}\n\n[후보]\n{record_text(item)}"
    return mask_pii(text)[0]


@dataclass
class Estimate:
    pairs: int  # asked for
    new: int  # not in the cache for this prompt version (what the run will send)
    tokens: int
    cost: float | None  # None when no price is configured
    seconds: float  # at the typical time per pair
    max_seconds: float  # the bound: every new pair using every retry up to the timeout


@dataclass
class Gate:
    judge: str
    kappa: float
    shared: int
    trusted: bool

    @property
    def label(self) -> str:
        return "지표에 반영" if self.trusted else "참고용"


class LLMJudge:
    """Grades pairs through an OpenAI-compatible endpoint. `max_pairs` bounds one run; `price_per_1k_tokens`
    (in won, or None) and `seconds_per_pair` feed the estimate."""

    def __init__(self, cfg: LLMSettings, max_pairs: int = 500, price_per_1k_tokens: float | None = None,
                 seconds_per_pair: float = 2.0, client=None):
        self.cfg = cfg
        self.max_pairs = max_pairs
        self.price_per_1k_tokens = price_per_1k_tokens
        self.seconds_per_pair = seconds_per_pair
        self.client = client

    @property
    def name(self) -> str:
        return f"{MACHINE_PREFIX}{self.cfg.model}"

    def _cached(self, judgments: list[Judgment]) -> set[tuple[str, str, str]]:
        return {(j.direction, j.query_id, j.item_id) for j in judgments
                if j.analyst == self.name and j.model == PROMPT_VERSION}

    def estimate(self, corpus, pairs: list[tuple[str, str, str]], judgments: list[Judgment]) -> Estimate:
        cached = self._cached(judgments)
        new = [p for p in pairs if p not in cached][:self.max_pairs]
        chars = sum(len(RUBRIC) + len(pair_prompt(corpus.get(q), corpus.get(i))) for _, q, i in new)
        tokens = chars // 2 + 60 * len(new)  # Korean runs about two characters a token; ~60 for the answer
        cost = None if self.price_per_1k_tokens is None else tokens / 1000 * self.price_per_1k_tokens
        return Estimate(len(pairs), len(new), tokens, cost, len(new) * self.seconds_per_pair,
                        len(new) * self.cfg.timeout * self.cfg.retries)

    def ask(self, query, item) -> JudgeAnswer:
        """One validated grade; an invalid answer is asked again, up to `cfg.retries` times."""
        client = self.client = self.client or make_client(self.cfg)
        answer, _, _ = ask_validated(
            self.cfg, client, [{"role": "system", "content": RUBRIC}, {"role": "user", "content": pair_prompt(query, item)}],
            {"type": "json_object"}, lambda content: JudgeAnswer.model_validate(json.loads(content)))
        return answer

    def judge(self, store, corpus, pairs: list[tuple[str, str, str]], judgments: list[Judgment],
              progress: Progress | None = None) -> dict[str, int]:
        """Grade the pairs not yet graded under this prompt version (at most `max_pairs`), storing each
        answer as it comes, so an interrupted run keeps what it got. Returns counts: asked, cached, failed."""
        cached = self._cached(judgments)
        todo = [p for p in pairs if p not in cached][:self.max_pairs]
        counts = {"asked": 0, "cached": len(pairs) - len([p for p in pairs if p not in cached]), "failed": 0}
        for n, (direction, q, i) in enumerate(todo, start=1):
            try:
                answer = self.ask(corpus.get(q), corpus.get(i))
            except LLMFatal:
                raise
            except LLMError:
                counts["failed"] += 1
                continue
            record(store, [Judgment(self.name, str(Direction(direction)), q, i, answer.grade, PROMPT_VERSION)])
            counts["asked"] += 1
            report(progress, "LLM 판정", n, len(todo))
        return counts


def gate(judgments: list[Judgment], judge: str, min_kappa: float = MIN_KAPPA, min_shared: int = MIN_SHARED) -> Gate:
    """Cohen's κ of `judge` against the analysts' consensus on the pairs both judged; trusted only when
    κ ≥ `min_kappa` on at least `min_shared` pairs."""
    analysts = consensus(judgments)
    mine = {(j.direction, j.query_id, j.item_id): j.grade for j in judgments if j.analyst == judge}
    shared = [(analysts[p], g) for p, g in mine.items() if p in analysts]
    kappa = cohen(shared) if shared else math.nan
    return Gate(judge, kappa, len(shared), bool(len(shared) >= min_shared and kappa >= min_kappa))


def judges(judgments: list[Judgment]) -> list[str]:
    return sorted({j.analyst for j in judgments if j.analyst.startswith(MACHINE_PREFIX)})


def trusted_judges(judgments: list[Judgment]) -> frozenset[str]:
    """The machine judges whose labels may enter the metrics."""
    return frozenset(g.judge for g in (gate(judgments, name) for name in judges(judgments)) if g.trusted)
