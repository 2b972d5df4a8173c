"""One sync of one API into the store: page by page, incremental, resumable, then expired postings closed.

Each page is parsed in memory by its format's parser and its rows go through the same ingest as a file's
(`ingest_rows`: one normaliser, natural key, list/detail merge and rejects); its raw reply is archived under
<data>/sync/<api>/<run>/ for audit and never read back. The cursor (next page) is saved after every page, so a
fault or a quota stops the run cleanly and the next run resumes there.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx

from .. import clock
from ..data.formats import FORMATS
from ..data.ingest import RAW_POSTING_FIELDS, IngestError, ingest_rows
from ..data.normalize import FieldError, clean_text
from ..data.store import Store
from ..locations import here
from ..progress import Progress, report
from .apis import Api, ApiError, api_client, get, listed_total

# without a modification time (KEAD), a record is compared field by field on every raw field a posting keeps: the
# work environment (env*) and duties are what the disability rules read, and a change there must be stored and
# judged again (a list of 'fields that matter' once left them out, and a heavier environment was never seen)
CHANGE_FIELDS = tuple(RAW_POSTING_FIELDS)


@dataclass
class SyncReport:
    api: str
    pages: int = 0
    listed: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    withdrawn: int = 0  # open postings the complete listing no longer held
    relisted: int = 0  # withdrawn postings a page listed again: open again
    rejected: dict[str, int] = field(default_factory=dict)  # 'field: reason' → count (a row may have several)
    rejected_rows: int = 0
    stopped: str = ""  # why the run stopped early ('' = finished)
    incomplete: str = ""  # why a run that read to the end decided nothing about postings gone from the list
    resume_page: int | None = None
    seconds: float = 0.0

    def summary(self) -> str:
        head = (f"{self.api}: 페이지 {self.pages:,} · 목록 {self.listed:,}건 → 신규 {self.new:,} · 변경 {self.updated:,} · "
                f"그대로 {self.unchanged:,} · 마감 처리 {self.closed:,} · 목록에서 사라짐 {self.withdrawn:,} · "
                f"다시 올라옴 {self.relisted:,} · 거부 {self.rejected_rows:,} ({self.seconds:.1f}s)")
        reasons = "".join(f"\n  거부 사유: {k} ×{v}" for k, v in sorted(self.rejected.items(), key=lambda kv: -kv[1])[:5])
        stop = (f"\n중단: {self.stopped}\n다시 실행하면 {self.resume_page}쪽부터 이어서 받습니다." if self.stopped else "")
        return head + reasons + (f"\n{self.incomplete}" if self.incomplete else "") + stop


def _changed(raw: dict, stored) -> bool:
    """New or changed by natural key and modification time (smodifyDtm), else by the fields that matter."""
    if stored is None:
        return True
    if raw.get("smodifyDtm"):
        return raw["smodifyDtm"] != getattr(stored, "smodifyDtm", "")
    # the raw text as the store keeps it (clean_text: entities, spaces), so a record is not 'changed' on every sync
    return any(clean_text(raw.get(f) or "") != (getattr(stored, f, "") or "").strip() for f in CHANGE_FIELDS if f in raw)


def _listed_id(spec, row: dict, row_no: int) -> str:
    """The stored id a listed row has, or '' for a row without its key (the ingest rejects it, naming the field)."""
    try:
        return f"{spec.source}:{spec.key(row, row_no)}"
    except FieldError:
        return ""


def sync(store: Store, api: Api, *, engine=None, restart: bool = False, max_pages: int | None = None,
         today: date | None = None, client: httpx.Client | None = None,
         progress: Progress | None = None) -> SyncReport:
    """Fetch pages from the saved cursor (or page 1), store what is new or changed, close what expired.

    With `engine`, every stored posting is recommendable in it as soon as its page is stored."""
    start = time.time()
    out = SyncReport(api.name)
    state = store.sync_state(api.name)
    resuming = bool(state and state["status"] != "done" and not restart)
    page = state["next_page"] if resuming else 1
    run_id = state["run_id"] if resuming else time.strftime("%Y%m%d-%H%M%S")
    folder = here().data_dir / "sync" / api.name / run_id
    folder.mkdir(parents=True, exist_ok=True)
    store.save_sync_state(api.name, run_id=run_id, next_page=page, status="running", message="", started_at=start)
    own_client = client is None
    client = client or api_client()
    spec = FORMATS[api.ingest_format]  # the file format a page is: its reader, key and source
    listed: set[str] = set()  # every id this run's pages held: a run that read the whole list knows what left it
    whole = False
    total = None  # how many the list holds, as its pages say
    try:
        api.check_urls()  # before any request: the key rides in the query
        while max_pages is None or out.pages < max_pages:
            text = get(api, client, api.url, api.list_params(page))
            name = f"list-{page:05d}.{'xml' if api.name == 'worknet' else 'json'}"
            (folder / name).write_text(text, encoding="utf-8")  # the raw reply, for audit only
            said = listed_total(text)  # the latest page's word: a live list shrinks while it is paged through
            total = said if said is not None else total
            try:
                rows = spec.parse(text, name)
            except IngestError as e:
                empty = "없습니다" in str(e) or "찾지 못했습니다" in str(e)
                if empty and (out.pages or resuming):  # an empty page after full ones (this run's or the one it
                    whole = True  # resumes): the list has ended
                    break
                if empty and said == 0:  # the list itself says it holds nothing: nothing is decided from that
                    out.incomplete = "목록이 비어 있습니다 (0건): 목록에서 사라진 공고는 처리하지 않았습니다."
                    break
                # an empty or unreadable first page is no list at all (an error page, a maintenance notice): read
                # as the end, it once marked every stored posting of the source withdrawn
                raise ApiError(f"{page}쪽 응답을 읽을 수 없음: {str(e).split(': ', 1)[-1]}") from None
            keyed = [(r, _listed_id(spec, r, i)) for i, r in enumerate(rows, start=1)]  # as the ingest keys them
            ids = [i for _, i in keyed if i]
            listed.update(ids)
            stored = store.postings_by_id(ids)
            # a row without its key goes to the ingest, which rejects it naming the field (it once ended the run)
            fresh = [(r, i) for r, i in keyed if not i or _changed(r, stored.get(i))]
            out.listed += len(rows)
            out.unchanged += len(rows) - len(fresh)
            if fresh:
                _store_page(store, api, client, fresh, folder, page, run_id, out)
            out.relisted += relist(store, [i for i, p in stored.items() if p.withdrawn])
            out.pages += 1
            page += 1
            store.save_sync_state(api.name, next_page=page)
            if engine is not None:
                engine.refresh()
            report(progress, f"{api.name} 동기화", out.pages, max_pages or out.pages + 1, f"{out.new:,} 신규")
            if len(rows) < api.page_size:
                whole = True
                break
        held = store.postings(spec.source)  # read once for both passes' candidates (each decided again as stored)
        out.closed = close_expired(store, spec.source, today or clock.today(), held)
        if whole and not resuming and total is not None and len(listed) < total:  # a short page before the end
            out.incomplete = (f"목록이 다 오지 않아 ({total:,}건 중 {len(listed):,}건) 목록에서 사라진 공고는 처리하지 "
                              "않았습니다. 다시 실행하세요.")
        elif whole and not resuming:  # read from page 1 to the end in this run: what it did not list has left it
            out.withdrawn = mark_withdrawn(store, spec.source, listed, held)
        if engine is not None:
            engine.refresh()
        store.save_sync_state(api.name, status="done", next_page=1, finished_at=time.time(), last_success=time.time(),
                              message=out.summary())
    except ApiError as e:
        out.stopped, out.resume_page = api.redact(str(e)), page
        store.save_sync_state(api.name, status="stopped", message=out.stopped, finished_at=time.time())
    finally:
        if own_client:
            client.close()
        out.seconds = time.time() - start
    return out


def _store_page(store: Store, api: Api, client: httpx.Client, fresh: list[tuple[dict, str]], folder: Path,
                page: int, run_id: str, out: SyncReport) -> None:
    """The new or changed rows of one page, each with its stored id ('' when it has no key), then (고용24) their
    details, through the one ingest path."""
    fmt = api.ingest_format
    label = f"{api.name}-sync-{run_id}-p{page:05d}"  # names the rows in the ingest log and the rejects
    listed = ingest_rows(store, [r for r, _ in fresh], fmt, label)
    out.new += listed.inserted
    out.updated += listed.updated
    _count_rejects(listed, out)
    if api.name != "worknet":
        return
    stored = store.postings_by_id([i for _, i in fresh if i])
    accepted = [i.split(":", 1)[1] for _, i in fresh if i in stored]
    details = [get(api, client, api.detail_url, api.detail_params(k)) for k in accepted]
    if details:
        (folder / f"detail-{page:05d}.txt").write_text("\n".join(details), encoding="utf-8")  # for audit only
        rows = []
        for key, text in zip(accepted, details):
            try:
                rows += FORMATS[fmt].parse(text, f"detail {key}")
            except IngestError as e:
                raise ApiError(f"{page}쪽 공고 {key}의 상세 응답을 읽을 수 없음: {str(e).split(': ', 1)[-1]}") from None
        merged = ingest_rows(store, rows, fmt, f"{label}-detail")
        _count_rejects(merged, out)


def _count_rejects(rep, out: SyncReport) -> None:
    out.rejected_rows += rep.rejected
    for r in rep.rejects:
        if not r.reason.startswith(("미배치", "알림")):
            key = f"{r.field}: {r.reason}"
            out.rejected[key] = out.rejected.get(key, 0) + 1


def mark_withdrawn(store: Store, source: str, listed: set[str], postings: list | None = None) -> int:
    """After a complete listing: an open posting of `source` it did not hold is withdrawn (never recommended; the
    API drops a posting withdrawn or filled before its date, and one with no date, '채용시까지', stayed open for
    ever), and one it held again is not. `postings`: the source's postings, when the caller read them already; they
    only pick the candidates, and each is decided again on the stored record, under the write lock.
    Returns how many were newly withdrawn."""
    def gone(p) -> bool:
        return p.id not in listed and not p.closed

    def settle(p) -> bool:
        if gone(p) == p.withdrawn:
            return False
        p.withdrawn = gone(p)
        return True

    held = store.postings(source) if postings is None else postings
    return sum(p.withdrawn for p in store.modify_postings([p.id for p in held if gone(p) != p.withdrawn], settle))


def relist(store: Store, ids: list[str]) -> int:
    """Postings a listing page holds again are no longer withdrawn (any page, of any run: the API lists them now).
    Read and written under one write lock, after the page was stored, so no record is written back as it was.
    Returns how many came back."""
    def bring_back(p) -> bool:
        was, p.withdrawn = p.withdrawn, False
        return was

    return len(store.modify_postings(ids, bring_back))


def close_expired(store: Store, source: str, today: date, postings: list | None = None) -> int:
    """Mark closed every posting of `source` whose closing date has passed: kept for history, never recommended.
    `postings`: the source's postings, when the caller read them already; they only pick the candidates, and each
    is decided again on the stored record, under the write lock (a date moved meanwhile keeps it open)."""
    day = today.isoformat()

    def expired(p) -> bool:
        return bool(p.close_date) and p.close_date < day and not p.closed

    def close(p) -> bool:
        if expired(p):
            p.closed = True
            return True
        return False

    held = store.postings(source) if postings is None else postings
    return len(store.modify_postings([p.id for p in held if expired(p)], close))
