"""Which disability types each posting is unsuitable for: extraction results, then counselor corrections.

A posting is judged on the text it has now. The offline rules read that text whenever no rules answer is stored
for it (a posting that arrived by upload, sync or ingest and was never extracted is not passed as suitable), an
answer cached for the same text under another posting counts for this one too, and exclusions found in any
earlier version of its text stay. Exclusions only accumulate across extractors, runs and versions; a
counselor's correction is the one thing that removes one, and only for the text the counselor judged. A posting
whose text no extractor could read carries `VERDICT_UNKNOWN` instead: its verdict is unknown, never 'suitable'.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..data.normalize import DISABILITY_TYPES, VERDICT_UNKNOWN
from ..data.records import Posting
from ..data.store import Store
from .rules import RULES_MODEL, rules_payload, source_hash
from .schema import PROMPT_VERSION

SETTLED, CONFLICT, FAILED = "ok", "conflict", "failed"  # extraction statuses (see extract.py)
ANSWERED = (SETTLED, CONFLICT)
# a type no answer named either way: not excluded, not counted as suitable. Not VERDICT_UNKNOWN ('판정 없음'), the mark
# of a posting no extractor could read, which the '판정 없음 제외' filter keeps from disabled seekers
NOT_MENTIONED = "언급 없음"


def _rules_now(p: Posting, text_hash: str) -> dict:
    """The offline rules read from one text of the posting (`p` as it is now, or an earlier version of it), as an
    extraction row that is not stored ('live')."""
    row = {"posting_id": p.id, "text_hash": text_hash, "extractor": "rules", "model": RULES_MODEL,
           "prompt_version": PROMPT_VERSION, "at": None, "live": True}
    try:
        return {**row, "status": SETTLED, "result": rules_payload(p), "error": ""}
    except Exception as e:  # noqa: BLE001 — one record the rules cannot read: its verdict is unknown, never suitable
        return {**row, "status": FAILED, "result": None, "error": f"{type(e).__name__}: {str(e)[:300]}"}


_EARLIER_READ: dict[tuple[str, str, str], dict] = {}  # an earlier text never changes: today's rules read it once a process


def _rules_then(version: Posting, text_hash: str) -> dict:
    """`_rules_now` of an earlier text of a posting, read once (every engine refresh asks again)."""
    key = (version.id, text_hash, RULES_MODEL)
    row = _EARLIER_READ.get(key)  # one lookup, then the local row: another session may clear the cache between
    if row is None:
        row = _rules_now(version, text_hash)
        if len(_EARLIER_READ) > 50_000:
            _EARLIER_READ.clear()
        _EARLIER_READ[key] = row
    return row


def verdict_rows(store: Store, postings: list[Posting] | list[str] | None = None) -> dict[str, tuple[str, list[dict]]]:
    """posting id → (the hash of its current text, the extraction rows that speak for it): its own rows from every
    text it has had, rows of its current or any earlier text (`Store.posting_versions`) stored under another
    posting (the cache answers a text once, under the first posting that had it: twins edited alike keep it), and
    the rules read now when no rules row of today's rules exists for its current text. `postings`: records or ids
    (None: every stored posting, and the rows of ids no longer stored, as they are)."""
    if postings is None:
        records, orphans = store.postings(), None
    else:
        records = [p for p in postings if isinstance(p, Posting)]
        ids = [p for p in postings if not isinstance(p, Posting)]
        found = store.postings_by_id(ids) if ids else {}
        records += list(found.values())
        orphans = {i for i in ids if i not in found}
    hashes = {p.id: source_hash(p) for p in records}
    # the texts each posting had before: an answer cached for one of them under a twin speaks for it too
    versions_of = {i: {source_hash(v): v for v in versions}
                   for i, versions in store.posting_versions(None if postings is None else list(hashes)).items()
                   if i in hashes}
    earlier = {i: set(texts) - {hashes[i]} for i, texts in versions_of.items()}
    rows = (store.extractions() if postings is None
            else store.extractions([*hashes, *orphans], sorted(set(hashes.values()).union(*earlier.values()))))
    by_id, by_hash = defaultdict(list), defaultdict(list)
    for r in rows:
        by_id[r["posting_id"]].append(r)
        by_hash[r["text_hash"]].append(r)
    out: dict[str, tuple[str, list[dict]]] = {}
    for p in records:
        h = hashes[p.id]
        theirs = [r for old in earlier.get(p.id, ()) for r in by_hash.get(old, [])]
        mine = list({id(r): r for r in (*by_id.get(p.id, []), *by_hash.get(h, []), *theirs)}.values())
        for text in (h, *earlier.get(p.id, ())):  # today's rules on every text it has had, else read now: an
            # exclusion the rules read only live once lapsed when a later file reworded the danger away
            if not any(r["extractor"] == "rules" and r["text_hash"] == text and r["prompt_version"] == PROMPT_VERSION
                       and r["model"] == RULES_MODEL for r in mine):
                mine.append(_rules_now(p, h) if text == h else _rules_then(versions_of[p.id][text], text))
        out[p.id] = (h, mine)
    for posting_id, mine in by_id.items():
        if posting_id not in out and (orphans is None or posting_id in orphans):
            out[posting_id] = ("", mine)
    return out


def _of_text(row: dict, text_hash: str) -> bool:
    """Whether an extraction or correction was made on the posting's current text ('' = not known: it counts)."""
    return not text_hash or not row.get("text_hash") or row["text_hash"] == text_hash


def _suitable_holds(row: dict, text_hash: str) -> bool:
    """Whether an answer's 'suitable' speaks for the posting now: made on its current text, and, from the rules, by
    today's rules (a retired rule's 'suitable' showed as '적합 (규칙)'). Exclusions never lapse so (`_excluded`)."""
    return _of_text(row, text_hash) and (row["extractor"] != "rules" or row.get("model") == RULES_MODEL)


def _unknown(text_hash: str, rows: list[dict]) -> bool:
    """An extractor failed on the current text and no stored answer for it stands (#29: a posting whose every
    extraction failed is unknown, never suitable). The rules read live do not count as an answer here: an LLM run
    that failed on a text the rules see nothing in must not pass the posting as suitable."""
    current = [r for r in rows if _of_text(r, text_hash)]
    stored = [r for r in current if not r.get("live")]
    return not any(r["status"] in ANSWERED for r in stored) and any(r["status"] == FAILED for r in current)


def _corrections(store: Store, ids: list[str] | None) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for c in store.corrections(posting_ids=ids) if ids is not None else store.corrections():
        out[c["posting_id"]].append(c)
    return out


def _judged(store: Store, postings) -> tuple[dict[str, tuple[str, list[dict]]], dict[str, list[dict]]]:
    """(`verdict_rows`, corrections) of `postings`, with the postings only corrections speak for (no row, or no
    record left) as ('', [])."""
    held = verdict_rows(store, postings)
    wanted = None if postings is None else [p.id if isinstance(p, Posting) else p for p in postings]
    corrections = _corrections(store, wanted)
    held |= {k: ("", []) for k in corrections if k not in held}
    return held, corrections


def severer(disability_type: str) -> str | None:
    """'청각장애(경증)' → '청각장애(중증)': a job unsuitable with the milder grade of a type is unsuitable with the
    severer one too (an answer that names only the milder one must not leave the severer grade unguarded)."""
    return disability_type.replace("(경증)", "(중증)") if disability_type.endswith("(경증)") else None


def with_severer(types: set[str] | frozenset[str]) -> set[str]:
    """`types` and, for each milder grade among them, its severer grade."""
    return set(types) | {t for t in map(severer, types) if t}


def _excluded(text_hash: str, rows: list[dict], corrections: list[dict]) -> set[str]:
    types = with_severer({t["type"] for r in rows if r["status"] in ANSWERED
                           for t in (r["result"] or {}).get("unsuitable_types", [])})
    if _unknown(text_hash, rows):
        types.add(VERDICT_UNKNOWN)
    for c in corrections:
        if c["verdict"] == "unsuitable":
            types |= with_severer({c["disability_type"]})
        elif c["verdict"] in {"suitable", "not_unsuitable"} and _of_text(c, text_hash):
            types.discard(c["disability_type"])
    return types


def unsuitable_map(store: Store, postings: list[Posting] | list[str] | None = None) -> dict[str, frozenset]:
    """posting id → unsuitable types: the union over every answer that speaks for the posting (`verdict_rows`),
    then corrections applied; `VERDICT_UNKNOWN` for a posting whose current text no extractor could read.

    Why a union and not the newest answer: an exclusion protects a disabled seeker, so no later answer
    (an LLM run with empty lists, a rerun on another model, a new version of the text) may silently lift one
    that a trusted source found. An answer held as a conflict still adds its exclusions. Only a counselor's
    correction removes a type, applied last and in order, and a 'suitable' one only for the text it was made on.
    """
    held, corrections = _judged(store, postings)
    out = {k: frozenset(types) for k, (h, rows) in held.items() if (types := _excluded(h, rows, corrections.get(k, [])))}
    return out


@dataclass(frozen=True)
class TypeVerdict:
    """One disability type's standing for one posting, as a counselor reads it."""

    type: str
    verdict: str  # '제외' | '적합' | '검토 필요' | NOT_MENTIONED
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


def _exclude_severer(excluded: dict[str, TypeVerdict], milder: str, source: str, reason: str,
                     evidence: str = "") -> None:
    """The severer grade a milder grade's exclusion implies, as the filter reads it (`_excluded`), unless a verdict
    of its own is there already."""
    if worse := severer(milder):
        excluded.setdefault(worse, TypeVerdict(worse, "제외", source, f"{milder}에 맞지 않아 중증에도 맞지 않음: {reason}",
                                               evidence))


def posting_verdicts(store: Store, posting_id: str) -> PostingVerdicts:
    """Every type's verdict, from the answers that speak for one posting (`verdict_rows`) and its corrections.

    A type any trusted source excluded is 제외 with that source's reason, whatever another answer said; a
    'suitable' from an answer held as a conflict is 검토 필요; only settled answers on the current text (and
    counselors, for the text they judged) make 적합."""
    text_hash, rows = verdict_rows(store, [posting_id]).get(posting_id, ("", []))
    current = [r for r in rows if _of_text(r, text_hash)]
    answered = [r for r in rows if r["status"] in ANSWERED]
    out = PostingVerdicts(posting_id, "unknown" if _unknown(text_hash, rows)
                          else "settled" if any(r["status"] == SETTLED for r in current) else "unextracted")
    out.failures = [r["error"] for r in current if r["status"] == FAILED and r["error"]]
    excluded: dict[str, TypeVerdict] = {}
    suitable: dict[str, TypeVerdict] = {}
    held: dict[str, TypeVerdict] = {}
    for r in sorted(answered, key=lambda r: r["extractor"] != "rules"):  # a rule's reason is shown first
        result = r["result"] or {}
        out.conflicts += result.get("conflicts", [])
        out.flags += result.get("flags", [])
        for j in result.get("unsuitable_types", []):
            excluded.setdefault(j["type"], TypeVerdict(j["type"], "제외", _source(r), j["reason"], j["evidence"]))
            _exclude_severer(excluded, j["type"], _source(r), j["reason"], j["evidence"])
        if not _suitable_holds(r, text_hash):  # read from an earlier text, or by retired rules: says nothing now
            continue
        target = suitable if r["status"] == SETTLED else held
        for j in result.get("suitable_types", []):
            target.setdefault(j["type"], TypeVerdict(j["type"], "적합" if target is suitable else "검토 필요",
                                                     _source(r), j["reason"], j["evidence"]))
    for c in store.corrections(posting_id):
        who = f"상담사 ({c['who']})"
        if c["verdict"] == "unsuitable":
            excluded[c["disability_type"]] = TypeVerdict(c["disability_type"], "제외", who, c["why"])
            _exclude_severer(excluded, c["disability_type"], who, c["why"])
        elif not _of_text(c, text_hash):
            out.flags.append(f"{c['disability_type']}: {who}의 적합 판정 뒤 공고 내용이 바뀌었습니다. 다시 확인해 주세요")
        else:
            excluded.pop(c["disability_type"], None)
            suitable[c["disability_type"]] = TypeVerdict(c["disability_type"], "적합", who, c["why"])
    for t in DISABILITY_TYPES:
        out.types.append(excluded.get(t) or suitable.get(t) or held.get(t) or TypeVerdict(t, NOT_MENTIONED))
    return out


def suitable_map(store: Store, postings: list[Posting] | list[str] | None = None) -> dict[str, frozenset]:
    """posting id → types settled as suitable on the current text (settled answers and counselors, minus every
    exclusion): what a 'suitable share' may count. A conflict's or an unknown posting's 'suitable' never counts."""
    held, corrections = _judged(store, postings)
    out: dict[str, frozenset] = {}
    for posting_id, (text_hash, rows) in held.items():
        mine = corrections.get(posting_id, [])
        found = {t["type"] for r in rows if r["status"] == SETTLED and _suitable_holds(r, text_hash)
                 for t in (r["result"] or {}).get("suitable_types", [])}
        found |= {c["disability_type"] for c in mine if c["verdict"] == "suitable" and _of_text(c, text_hash)}
        excluded = _excluded(text_hash, rows, mine)
        if (kept := found - excluded) and VERDICT_UNKNOWN not in excluded:
            out[posting_id] = frozenset(kept)
    return out


def apply_correction(store: Store, corpus, posting_id: str, disability_type: str, verdict: str, who: str,
                     why: str, text_hash: str | None = None) -> frozenset:
    """Store a counselor's verdict ('suitable' | 'unsuitable') and make the disability filter use it now.
    `text_hash`: `source_hash` of the posting as the counselor read it; refused when the stored posting has changed
    since (a sync between reading and saving), so a verdict is never filed against a text nobody judged."""
    if verdict not in {"suitable", "unsuitable"}:
        raise ValueError("판정(부적합 또는 적합)을 고르세요")
    if not who.strip():
        raise ValueError("수정한 사람(who)을 입력하세요")
    posting = store.posting(posting_id)
    current = source_hash(posting) if posting else (text_hash or "")
    if text_hash is not None and text_hash != current:
        raise ValueError("공고 내용이 방금 바뀌었습니다. 바뀐 내용을 확인한 뒤 다시 저장하세요")
    store.add_correction(posting_id, disability_type, verdict, who.strip(), why.strip(), current)
    types = unsuitable_map(store, [posting_id]).get(posting_id, frozenset())
    if corpus is not None:
        corpus.set_unsuitable(posting_id, types)
    return types
