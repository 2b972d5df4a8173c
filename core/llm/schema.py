"""The extraction schema: the paper's fields plus suitable / unsuitable types from the 19 legal types only,
each with a reason and an evidence span that must be a meaningful quote of the text the model was shown."""
from __future__ import annotations

import json
import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, model_validator

from ..data.normalize import DISABILITY_TYPES, FieldError, disability_label

PROMPT_VERSION = "v1"
DisabilityType = Literal[tuple(DISABILITY_TYPES)]  # type: ignore[valid-type]
FIELD_MAX_CHARS = 4000  # one extracted field as stored; ingest accepts longer posting fields (20,000)
REASON_MAX_CHARS = 200
EVIDENCE_MAX_CHARS = 300


def cut(limit: int):
    """A text field longer than `limit` is cut, never rejected: one long posting must not fail validation and
    so cost itself (or, in a batch, the postings after it) its rule exclusions. A cut quote stays a quote."""
    return BeforeValidator(lambda v: v[:limit] if isinstance(v, str) else v)


Text = Annotated[str, cut(FIELD_MAX_CHARS), Field(max_length=FIELD_MAX_CHARS)]


class TypeJudgement(BaseModel):
    type: DisabilityType
    reason: Annotated[str, cut(REASON_MAX_CHARS)] = Field(max_length=REASON_MAX_CHARS, description="한 줄 근거")
    evidence: Annotated[str, cut(EVIDENCE_MAX_CHARS)] = Field(min_length=1, max_length=EVIDENCE_MAX_CHARS,
                                                              description="공고 원문에서 그대로 인용한 구절")


def type_labels(written: object) -> list:
    """The legal labels an answer's type means: itself when it is one; '시각 장애(중증)', '시각장애(심한 장애)',
    '시각장애(심함)', '시각장애 중증', '시각장애인(중증)' and '시각장애(1급)' as '시각장애(중증)'; a graded type named
    without its grade ('시각장애', '시각장애인', as an employer writes it) as both grades. Anything else (not a
    string, not a legal type) is returned as written, for the schema to refuse."""
    if not isinstance(written, str) or written in DISABILITY_TYPES or "보청" in written:  # a file's typo, not an answer's
        return [written]
    text = re.sub(r"장애\s*(?:인|자)(?![가-힣])", "장애", written.strip())  # '시각장애인', as the posting names them
    kind, grades = text, ("경증", "중증")
    if m := re.fullmatch(r"(.+?)\s*\((.+)\)", text) or re.fullmatch(r"(.+?장애)\s+(\S+)", text):
        kind, grades = m.group(1), (m.group(2),)  # the grade as written ('심한 장애', '1급', '중증'): normalize reads it
    try:
        labels = list(dict.fromkeys(disability_label(kind, g) for g in grades))
    except FieldError:
        return [written]
    return [written] if None in labels else labels


class PostingExtraction(BaseModel):
    """The paper's fields plus suitable / unsuitable types restricted to the 19 legal types."""

    제목: Text = ""
    회사명: Text = ""
    직무: Text = ""
    담당업무: Text = ""
    자격요건: Text = ""
    우대조건: Text = ""
    근무지역: Text = ""
    근무시간_요일: Text = ""
    급여조건: Text = ""
    고용형태: Text = ""
    학력: Text = ""
    경력: Text = ""
    작업환경: Text = ""
    장애인_편의시설: Text = ""
    suitable_types: list[TypeJudgement] = Field(default_factory=list, max_length=len(DISABILITY_TYPES))
    unsuitable_types: list[TypeJudgement] = Field(default_factory=list, max_length=len(DISABILITY_TYPES))

    @model_validator(mode="before")
    @classmethod
    def names_a_type_list(cls, data):
        """An answer that names neither list ('{}', the fields alone) judged nothing: it must not pass as a verdict
        that lifts '판정 없음'. One list alone is an answer (an explicit empty list says no type applies).

        Each type is read as the legal labels it means (`type_labels`): an exclusion written '시각장애' or
        '시각 장애(심한 장애)' used to fail the whole answer, and the exclusion with it. A 'suitable' of a grade that a
        grade-less exclusion covers gives way to it; any other type on both sides is still a contradiction."""
        if not isinstance(data, dict):
            return data
        if not {"suitable_types", "unsuitable_types"} & set(data):
            raise ValueError("적합·부적합 유형 목록이 모두 없음 (판정하지 않은 답)")
        data = dict(data)
        widened: set = set()  # the labels a grade-less exclusion stands for
        excluded: set = set()  # every label excluded
        for side in ("unsuitable_types", "suitable_types"):
            if not isinstance(data.get(side), list):
                continue
            kept: dict = {}
            for j in data[side]:
                labels = type_labels(j.get("type")) if isinstance(j, dict) else [None]
                if not all(isinstance(label, str) for label in labels):  # not a type at all: the schema refuses it
                    kept[id(j)] = j
                    continue
                for label in labels:
                    if side == "suitable_types" and (label in widened or (len(labels) > 1 and label in excluded)):
                        continue  # '시각장애' on one side, one grade of it on the other: the exclusion stands
                    kept.setdefault(label, {**j, "type": label})
                if side == "unsuitable_types":
                    excluded.update(labels)
                    widened.update(labels if len(labels) > 1 else ())
            data[side] = list(kept.values())
        return data

    @model_validator(mode="after")
    def no_type_on_both_sides(self) -> PostingExtraction:
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
