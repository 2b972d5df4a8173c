"""Which disability types each posting is unsuitable for: extraction results, then counselor corrections.

Exclusions only accumulate across extractors and runs; a counselor's correction is the one thing that
removes one, and the disability filter uses it from the moment it is stored.
"""
from __future__ import annotations

from ..data.store import Store


def unsuitable_map(store: Store, posting_ids: list[str] | None = None) -> dict[str, frozenset]:
    """posting id → unsuitable types: the union over every successful extraction, then corrections applied.

    Why a union and not the newest answer: an exclusion protects a disabled seeker, so no later answer
    (an LLM run with empty lists, a rerun on another model) may silently lift one that a trusted source
    found. Only a counselor's correction removes a type, and corrections are applied last, in order.
    """
    out: dict[str, set] = {}
    for posting_id, data in store.extraction_results():
        out.setdefault(posting_id, set()).update(t["type"] for t in data.get("unsuitable_types", []))
    for c in store.corrections():
        types = out.setdefault(c["posting_id"], set())
        if c["verdict"] == "unsuitable":
            types.add(c["disability_type"])
        elif c["verdict"] in {"suitable", "not_unsuitable"}:
            types.discard(c["disability_type"])
    wanted = set(posting_ids) if posting_ids is not None else None
    return {k: frozenset(v) for k, v in out.items() if v and (wanted is None or k in wanted)}


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
