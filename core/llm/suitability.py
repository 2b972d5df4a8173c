"""Which disability types each posting is unsuitable for: extraction results, then counselor corrections.

Exclusions only accumulate across extractors and runs; a counselor's correction is the one thing that
removes one, and the disability filter uses it from the moment it is stored. A posting none of whose
extractions succeeded carries `VERDICT_UNKNOWN` instead: its verdict is unknown, never 'suitable'.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..data.normalize import DISABILITY_TYPES, VERDICT_UNKNOWN
from ..data.store import Store

SETTLED, CONFLICT, FAILED = "ok", "conflict", "failed"  # extraction statuses (see extract.py)


def unsuitable_map(store: Store, posting_ids: list[str] | None = None) -> dict[str, frozenset]:
    """posting id → unsuitable types: the union over every answered extraction, then corrections applied;
    `VERDICT_UNKNOWN` for a posting whose every extraction failed.

    Why a union and not the newest answer: an exclusion protects a disabled seeker, so no later answer
    (an LLM run with empty lists, a rerun on another model) may silently lift one that a trusted source
    found. An answer held as a conflict still adds its exclusions. Only a counselor's correction removes a
    type, and corrections are applied last, in order.
    """
    out: dict[str, set] = {}
    answered: set[str] = set()
    failed: set[str] = set()
    for row in store.extractions(posting_ids):
        if row["status"] in (SETTLED, CONFLICT):
            answered.add(row["posting_id"])
            out.setdefault(row["posting_id"], set()).update(
                t["type"] for t in (row["result"] or {}).get("unsuitable_types", []))
        elif row["status"] == FAILED:
            failed.add(row["posting_id"])
    for posting_id in failed - answered:
        out.setdefault(posting_id, set()).add(VERDICT_UNKNOWN)
    for c in store.corrections():
        types = out.setdefault(c["posting_id"], set())
        if c["verdict"] == "unsuitable":
            types.add(c["disability_type"])
        elif c["verdict"] in {"suitable", "not_unsuitable"}:
            types.discard(c["disability_type"])
    wanted = set(posting_ids) if posting_ids is not None else None
    return {k: frozenset(v) for k, v in out.items() if v and (wanted is None or k in wanted)}


@dataclass(frozen=True)
class TypeVerdict:
    """One disability type's standing for one posting, as a counselor reads it."""

    type: str
    verdict: str  # '제외' | '적합' | '검토 필요' | '판정 없음'
    source: str = ""  # '규칙', 'LLM', '상담사 (이름)'
    reason: str = ""
    evidence: str = ""


@dataclass
class PostingVerdicts:
    posting_id: str
    status: str  # 'settled' | 'unknown' (every extraction failed) | 'unextracted' (never run)
    types: list[TypeVerdict] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # why extractions failed, newest last
    conflicts: list[str] = field(default_factory=list)  # why an answer's 'suitable' verdicts were held back
    flags: list[str] = field(default_factory=list)

    @property
    def suitable(self) -> frozenset:
        return frozenset(v.type for v in self.types if v.verdict == "적합")

    @property
    def excluded(self) -> frozenset:
        return frozenset(v.type for v in self.types if v.verdict == "제외")


def _source(row: dict) -> str:
    return "규칙" if row["extractor"] == "rules" else f"LLM ({row['model']})"


def posting_verdicts(store: Store, posting_id: str) -> PostingVerdicts:
    """Every type's verdict, from the stored extractions and corrections of one posting.

    A type any trusted source excluded is 제외 with that source's reason, whatever another answer said; a
    'suitable' from an answer held as a conflict is 검토 필요; only settled answers (and counselors) make 적합."""
    rows = store.extractions([posting_id])
    answered = [r for r in rows if r["status"] in (SETTLED, CONFLICT)]
    out = PostingVerdicts(posting_id, "settled" if any(r["status"] == SETTLED for r in rows)
                          else "unknown" if rows else "unextracted")
    out.failures = [r["error"] for r in rows if r["status"] == FAILED and r["error"]]
    excluded: dict[str, TypeVerdict] = {}
    suitable: dict[str, TypeVerdict] = {}
    held: dict[str, TypeVerdict] = {}
    for r in sorted(answered, key=lambda r: r["extractor"] != "rules"):  # a rule's reason is shown first
        result = r["result"] or {}
        out.conflicts += result.get("conflicts", [])
        out.flags += result.get("flags", [])
        for j in result.get("unsuitable_types", []):
            excluded.setdefault(j["type"], TypeVerdict(j["type"], "제외", _source(r), j["reason"], j["evidence"]))
        target = suitable if r["status"] == SETTLED else held
        for j in result.get("suitable_types", []):
            target.setdefault(j["type"], TypeVerdict(j["type"], "적합" if target is suitable else "검토 필요",
                                                     _source(r), j["reason"], j["evidence"]))
    for c in store.corrections(posting_id):
        who = f"상담사 ({c['who']})"
        if c["verdict"] == "unsuitable":
            excluded[c["disability_type"]] = TypeVerdict(c["disability_type"], "제외", who, c["why"])
        else:
            excluded.pop(c["disability_type"], None)
            suitable[c["disability_type"]] = TypeVerdict(c["disability_type"], "적합", who, c["why"])
    for t in DISABILITY_TYPES:
        out.types.append(excluded.get(t) or suitable.get(t) or held.get(t) or TypeVerdict(t, "판정 없음"))
    return out


def suitable_map(store: Store, posting_ids: list[str] | None = None) -> dict[str, frozenset]:
    """posting id → types settled as suitable (settled answers and counselors, minus every exclusion): what a
    'suitable share' may count. A conflict's or an unknown posting's 'suitable' never counts."""
    found: dict[str, set] = {}
    for row in store.extractions(posting_ids):
        if row["status"] == SETTLED:
            found.setdefault(row["posting_id"], set()).update(
                t["type"] for t in (row["result"] or {}).get("suitable_types", []))
    for c in store.corrections():
        if c["verdict"] == "suitable":
            found.setdefault(c["posting_id"], set()).add(c["disability_type"])
    excluded = unsuitable_map(store, posting_ids)
    wanted = set(posting_ids) if posting_ids is not None else None
    return {k: frozenset(v - excluded.get(k, frozenset())) for k, v in found.items()
            if (wanted is None or k in wanted) and v - excluded.get(k, frozenset())}


def apply_correction(store: Store, corpus, posting_id: str, disability_type: str, verdict: str, who: str,
                     why: str) -> frozenset:
    """Store a counselor's verdict ('suitable' | 'unsuitable') and make the disability filter use it now."""
    if verdict not in {"suitable", "unsuitable"}:
        raise ValueError(f"verdict must be 'suitable' or 'unsuitable', not {verdict!r}")
    if not who.strip():
        raise ValueError("수정한 사람(who)을 입력하세요")
    store.add_correction(posting_id, disability_type, verdict, who.strip(), why.strip())
    types = unsuitable_map(store, [posting_id]).get(posting_id, frozenset())
    if corpus is not None:
        corpus.set_unsuitable(posting_id, types)
    return types
