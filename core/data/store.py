"""SQLite store for postings, seekers, rejects, caches and counselor corrections.

Upserts are keyed by the natural key (`<source>:<wantedAuthNo>` …): re-ingesting a file updates
rows in place and never duplicates them. Every write runs in one transaction, so a crash mid-file
leaves what was stored before untouched.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..locations import here
from ..text.pii import mask_pii, mask_rrn
from .records import Posting, Seeker

SCHEMA = """
CREATE TABLE IF NOT EXISTS postings (
    id TEXT PRIMARY KEY, source TEXT NOT NULL, title TEXT, company TEXT, sido TEXT, sigungu TEXT,
    lat REAL, lon REAL, geo_status TEXT, geo_note TEXT, edu_min INTEGER, career_kind TEXT,
    occupation TEXT, major_code TEXT, middle_code TEXT, synthetic INTEGER, text_hash TEXT,
    updated_at REAL, json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS postings_source ON postings(source);
CREATE TABLE IF NOT EXISTS seekers (
    id TEXT PRIMARY KEY, source TEXT NOT NULL, sido TEXT, sigungu TEXT, lat REAL, lon REAL,
    geo_status TEXT, geo_note TEXT, disability_type TEXT, desired_occupation TEXT, major_code TEXT,
    synthetic INTEGER, text_hash TEXT, updated_at REAL, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rejects (
    id INTEGER PRIMARY KEY AUTOINCREMENT, batch TEXT, source_file TEXT, row_no INTEGER, field TEXT,
    reason TEXT, value TEXT, at REAL);
CREATE TABLE IF NOT EXISTS ingest_log (
    batch TEXT PRIMARY KEY, source_file TEXT, format TEXT, inserted INTEGER, updated INTEGER,
    rejected INTEGER, at REAL, status TEXT NOT NULL DEFAULT 'done');
CREATE TABLE IF NOT EXISTS embed_cache (
    model TEXT, text_hash TEXT, vec BLOB, PRIMARY KEY (model, text_hash));
CREATE TABLE IF NOT EXISTS posting_versions (
    posting_id TEXT NOT NULL, json_hash TEXT NOT NULL, json TEXT NOT NULL, at REAL,
    PRIMARY KEY (posting_id, json_hash));
CREATE TABLE IF NOT EXISTS extractions (
    text_hash TEXT, extractor TEXT, model TEXT, prompt_version TEXT, posting_id TEXT, status TEXT,
    result TEXT, error TEXT, at REAL, PRIMARY KEY (text_hash, extractor, model, prompt_version));
CREATE TABLE IF NOT EXISTS corrections (
    id INTEGER PRIMARY KEY AUTOINCREMENT, posting_id TEXT, disability_type TEXT, verdict TEXT,
    who TEXT, why TEXT, at REAL, text_hash TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS sync_state (
    api TEXT PRIMARY KEY, run_id TEXT, next_page INTEGER, status TEXT, message TEXT, started_at REAL,
    finished_at REAL, last_success REAL);
CREATE INDEX IF NOT EXISTS postings_updated ON postings(updated_at);
CREATE INDEX IF NOT EXISTS extractions_posting ON extractions(posting_id);
CREATE INDEX IF NOT EXISTS corrections_posting ON corrections(posting_id);
CREATE INDEX IF NOT EXISTS seekers_updated ON seekers(updated_at);
CREATE TABLE IF NOT EXISTS judgments (
    analyst TEXT NOT NULL, direction TEXT NOT NULL, query_id TEXT NOT NULL, item_id TEXT NOT NULL,
    grade INTEGER NOT NULL CHECK (grade IN (0, 1, 2)), model TEXT, filters TEXT, at REAL,
    PRIMARY KEY (analyst, direction, query_id, item_id));
CREATE TABLE IF NOT EXISTS autocodes (
    record_id TEXT PRIMARY KEY, kind TEXT NOT NULL, code TEXT NOT NULL, confidence REAL NOT NULL, model TEXT,
    status TEXT NOT NULL, at REAL);
CREATE TABLE IF NOT EXISTS autocode_reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT, record_id TEXT NOT NULL, predicted TEXT, code TEXT NOT NULL,
    analyst TEXT NOT NULL, at REAL);
"""


def _chunks(ids: list[str], size: int = 500) -> list[list[str]]:
    """`ids` in pieces under SQLite's parameter limit, for `IN (...)` queries."""
    return [ids[start:start + size] for start in range(0, len(ids), size)]


def _without_closed(record_json: str) -> dict:
    """A stored posting as a version compares it: a sync's close, withdrawal or relisting (or a reopen) alone
    makes no new version."""
    data = json.loads(record_json)
    data.pop("closed", None)
    data.pop("withdrawn", None)
    return data


@dataclass
class Reject:
    """A row (or a note on one) an ingest could not store as given. Its value and reason are shown in the upload
    report and kept in the store: personal data in them is masked here, once (`mask_pii`; a resident number typed
    into another column was stored and shown in the clear)."""
    row_no: int
    field: str
    reason: str
    value: str = ""

    def __post_init__(self) -> None:
        self.value = mask_pii(str(self.value))[0] if self.value else ""
        self.reason = mask_rrn(self.reason)


@dataclass
class UpsertCounts:
    inserted: int = 0
    updated: int = 0


class Store:
    """One SQLite file. Thread-safe enough for Streamlit: one connection per thread."""

    BUSY_SECONDS = 30.0  # how long a write waits for another process's lock before saying so

    def __init__(self, path: str | Path | None = None, read_only: bool = False):
        self.path = Path(path) if path else here().db_path
        self.read_only = read_only  # #29: what only reads (recommend) opens the store so, and never writes it
        self._local = threading.local()
        if read_only:
            if not self.path.is_file():
                raise StoreError(f"저장소 {self.path}가 없습니다. 먼저 `python -m core setup` 또는 `ingest`로 데이터를 넣으세요")
            self.query("SELECT 1 FROM postings LIMIT 1")  # a damaged or foreign file is named now, not mid-list
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"저장소 폴더 {self.path.parent}를 만들 수 없습니다 ({e.strerror}). 경로(JOBLENS_DATA)와 권한을 "
                             "확인하세요") from None
        with self.tx() as con:
            con.executescript(SCHEMA)
            columns = {row[1] for row in con.execute("PRAGMA table_info(ingest_log)")}
            if "status" not in columns:  # a store made before ingests were logged at their start
                con.execute("ALTER TABLE ingest_log ADD COLUMN status TEXT NOT NULL DEFAULT 'done'")
            if "text_hash" not in {row[1] for row in con.execute("PRAGMA table_info(corrections)")}:
                # a store made before corrections named the text they were made on ('' = unknown: they apply)
                try:
                    con.execute("ALTER TABLE corrections ADD COLUMN text_hash TEXT NOT NULL DEFAULT ''")
                except sqlite3.OperationalError as e:  # another process opening the same old store added it first
                    if "duplicate column" not in str(e):
                        raise
            self._recsets_schema(con)

    @property
    def con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            try:
                if self.read_only:
                    con = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=self.BUSY_SECONDS)
                else:
                    con = sqlite3.connect(self.path, timeout=self.BUSY_SECONDS)
                    con.execute("PRAGMA journal_mode=WAL")
                    con.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.Error as e:
                raise self.explain(e) from None
            self._local.con = con
        return con

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        con = self.con
        try:
            yield con
            con.commit()
        except sqlite3.Error as e:  # locked, read-only, disk full: one line naming the store, what is kept
            con.rollback()
            raise self.explain(e) from None
        except BaseException:
            con.rollback()
            raise

    # ------------------------------------------------------------ postings
    def _upsert(self, table: str, records: list, to_row: Callable, stamp_at: int, keep_versions: bool = False,
                merge: Callable | None = None) -> UpsertCounts:
        """Insert or replace by natural key (the first column), counting which were new. Column `stamp_at` (updated_at)
        is stamped here, holding the write lock, later than every stamp already committed: stamps then rise in commit
        order, so `changed_since` never misses a write that started before another but committed after it. With
        `keep_versions`, a replaced record (its last column, the JSON) is kept in posting_versions when it differs.
        With `merge`, a record already stored is written as merge(stored, new), the stored one read under the same
        write lock: what another process wrote after the caller's own read is merged, never written over."""
        with self.tx() as con:
            return self._upsert_in(con, table, records, to_row, stamp_at, keep_versions, merge)

    def _upsert_in(self, con: sqlite3.Connection, table: str, records: list, to_row: Callable, stamp_at: int,
                   keep_versions: bool, merge: Callable | None = None) -> UpsertCounts:
        """`_upsert`'s work inside a transaction the caller holds (`tx` commits on leaving, so it does not nest)."""
        counts = UpsertCounts()
        if not con.in_transaction:
            con.execute("BEGIN IMMEDIATE")  # the write lock first, then the clock (and the stored records to merge)
        if merge is not None:
            stored = self._by_id(table, type(records[0]), [r.id for r in records]) if records else {}
            records = [merge(stored[r.id], r) if r.id in stored else r for r in records]
        now = max(time.time(), self.last_write() + 1e-6)
        rows = [to_row(r) for r in records]
        rows = [(*row[:stamp_at], now, *row[stamp_at + 1:]) for row in rows]
        for row in rows:
            exists = con.execute(f"SELECT json FROM {table} WHERE id=?", (row[0],)).fetchone()
            if keep_versions and exists and exists[0] != row[-1] and _without_closed(exists[0]) != _without_closed(row[-1]):
                con.execute("INSERT OR IGNORE INTO posting_versions VALUES (?,?,?,?)",
                            (row[0], hashlib.sha1(exists[0].encode()).hexdigest(), exists[0], now))
            con.execute(f"INSERT OR REPLACE INTO {table} VALUES ({','.join('?' * len(row))})", row)
            counts.updated += bool(exists)
            counts.inserted += not exists
        return counts

    @staticmethod
    def _posting_row(p: Posting) -> tuple:
        return (p.id, p.source, p.title, p.display_company, p.place.sido, p.place.sigungu, p.place.lat, p.place.lon,
                p.place.geo_status, p.place.geo_note, p.edu_min, p.career_kind, p.occupation, p.major_code, p.middle_code,
                int(p.synthetic), p.text_hash(), None, p.to_json())

    def upsert_postings(self, postings: Iterable[Posting],
                        merge: Callable[[Posting, Posting], Posting] | None = None) -> UpsertCounts:
        return self._upsert("postings", list(postings), self._posting_row, stamp_at=17, keep_versions=True, merge=merge)

    def modify_postings(self, ids: Iterable[str], change: Callable[[Posting], bool]) -> list[Posting]:
        """Read, change and write back the stored postings among `ids` under one write lock. `change` edits a posting
        in place and says whether it did. A flag or code set from an earlier read (a sync closing or withdrawing what
        its listing read, an auto-coder predicting for minutes) then never writes back over a record an upload or a
        sync stored since; `change` decides on the record as it is now. Returns the changed postings."""
        return self._modify("postings", Posting, self._posting_row, 17, True, ids, change)

    def _modify(self, table: str, record, to_row: Callable, stamp_at: int, keep_versions: bool, ids: Iterable[str],
                change: Callable) -> list:
        ids = list(ids)
        if not ids:
            return []
        with self.tx() as con:
            return self._modify_in(con, table, record, to_row, stamp_at, keep_versions, ids, change)

    def _modify_in(self, con: sqlite3.Connection, table: str, record, to_row: Callable, stamp_at: int,
                   keep_versions: bool, ids: list[str], change: Callable) -> list:
        if not con.in_transaction:
            con.execute("BEGIN IMMEDIATE")
        changed = [r for r in self._by_id(table, record, ids).values() if change(r)]
        if changed:
            self._upsert_in(con, table, changed, to_row, stamp_at, keep_versions)
        return changed

    def posting_versions(self, ids: list[str] | None = None) -> dict[str, list[Posting]]:
        """posting id → the versions it had before its current one (oldest first): what the disability verdicts
        read, so an exclusion found on an earlier text stays with the posting whoever it was stored under."""
        out: dict[str, list[Posting]] = {}
        if not self.query("SELECT 1 FROM sqlite_master WHERE type='table' AND name='posting_versions'"):
            return out  # a store made before versions were kept, opened read-only (no schema update): none known
        sql = "SELECT posting_id, json FROM posting_versions"
        for chunk in [None] if ids is None else _chunks(ids):
            where = "" if chunk is None else f" WHERE posting_id IN ({','.join('?' * len(chunk))})"
            for posting_id, text in self.query(sql + where + " ORDER BY at", tuple(chunk or ())):
                out.setdefault(posting_id, []).append(Posting.from_json(text))
        return out

    def postings(self, source: str | None = None) -> list[Posting]:
        sql = "SELECT json FROM postings" + (" WHERE source=?" if source else "") + " ORDER BY rowid"
        return [Posting.from_json(r[0]) for r in self.con.execute(sql, (source,) if source else ())]

    def _by_id(self, table: str, record, ids: list[str]) -> dict:
        """The stored records of `table` among `ids` (chunked under SQLite's parameter limit)."""
        out: dict = {}
        for chunk in _chunks(ids):
            rows = self.con.execute(f"SELECT json FROM {table} WHERE id IN ({','.join('?' * len(chunk))})", chunk)
            out.update((r.id, r) for r in (record.from_json(row[0]) for row in rows))
        return out

    def postings_by_id(self, ids: list[str]) -> dict[str, Posting]:
        return self._by_id("postings", Posting, ids)

    def posting(self, posting_id: str) -> Posting | None:
        row = self.con.execute("SELECT json FROM postings WHERE id=?", (posting_id,)).fetchone()
        return Posting.from_json(row[0]) if row else None

    # ------------------------------------------------------------ seekers
    @staticmethod
    def _seeker_row(s: Seeker) -> tuple:
        return (s.id, s.source, s.place.sido, s.place.sigungu, s.place.lat, s.place.lon, s.place.geo_status,
                s.place.geo_note, s.disability_type, s.desired_occupation, s.major_code, int(s.synthetic), s.text_hash(),
                None, s.to_json())

    def upsert_seekers(self, seekers: Iterable[Seeker],
                       merge: Callable[[Seeker, Seeker], Seeker] | None = None) -> UpsertCounts:
        return self._upsert("seekers", list(seekers), self._seeker_row, stamp_at=13, merge=merge)

    def modify_seekers(self, ids: Iterable[str], change: Callable[[Seeker], bool]) -> list[Seeker]:
        """`modify_postings` for seekers: a code or disability set from an earlier read never writes over a newer one."""
        return self._modify("seekers", Seeker, self._seeker_row, 13, False, ids, change)

    def seekers(self, source: str | None = None) -> list[Seeker]:
        sql = "SELECT json FROM seekers" + (" WHERE source=?" if source else "") + " ORDER BY rowid"
        return [Seeker.from_json(r[0]) for r in self.con.execute(sql, (source,) if source else ())]

    def seekers_by_id(self, ids: list[str]) -> dict[str, Seeker]:
        return self._by_id("seekers", Seeker, ids)

    def seeker(self, seeker_id: str) -> Seeker | None:
        row = self.con.execute("SELECT json FROM seekers WHERE id=?", (seeker_id,)).fetchone()
        return Seeker.from_json(row[0]) if row else None

    def changed_since(self, since: float) -> tuple[list[Posting], list[Seeker], float]:
        """Records written after `since` (by any process), and the newest write time: how a running app
        picks up a sync or an upload without reloading everything."""
        newest = since
        out: list[list] = [[], []]
        con = self.con
        began = not con.in_transaction
        if began:  # one snapshot for both tables: a write between two reads would be skipped by the newest stamp
            con.execute("BEGIN")
        try:
            for n, (table, cls) in enumerate((("postings", Posting), ("seekers", Seeker))):
                for js, at in con.execute(f"SELECT json, updated_at FROM {table} WHERE updated_at > ?", (since,)):
                    out[n].append(cls.from_json(js))
                    newest = max(newest, at)
        finally:
            if began:
                con.rollback()
        return out[0], out[1], newest

    def last_write(self) -> float:
        row = self.con.execute("SELECT max(m) FROM (SELECT max(updated_at) m FROM postings "
                               "UNION ALL SELECT max(updated_at) FROM seekers)").fetchone()
        return float(row[0] or 0.0)

    # ------------------------------------------------------------ live sync bookkeeping
    def sync_state(self, api: str) -> dict | None:
        row = self.con.execute("SELECT api, run_id, next_page, status, message, started_at, finished_at, last_success "
                               "FROM sync_state WHERE api=?", (api,)).fetchone()
        keys = ("api", "run_id", "next_page", "status", "message", "started_at", "finished_at", "last_success")
        return dict(zip(keys, row)) if row else None

    def save_sync_state(self, api: str, **values) -> None:
        """Upsert the cursor of one API's sync (ON CONFLICT keeps the columns not given)."""
        cols = ["api", *values]
        updates = ", ".join(f"{c}=excluded.{c}" for c in values)
        with self.tx() as con:
            con.execute(f"INSERT INTO sync_state ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
                        f"ON CONFLICT(api) DO UPDATE SET {updates}", (api, *values.values()))

    # ------------------------------------------------------------ ingest bookkeeping
    def begin_ingest(self, batch: str, source_file: str, fmt: str) -> None:
        """Logged before the first row is written, so a run killed mid-file (kill -9, power cut) leaves an entry
        that still says 'running': `interrupted_ingests` reports it as cut short."""
        with self.tx() as con:
            con.execute("INSERT OR REPLACE INTO ingest_log VALUES (?,?,?,0,0,0,?,'running')",
                        (batch, source_file, fmt, time.time()))

    def interrupted_ingests(self) -> list[dict]:
        """Ingests that began and never finished (the process died): the file may be only partly stored."""
        rows = self.con.execute("SELECT batch, source_file, format, at FROM ingest_log WHERE status='running' "
                                "ORDER BY at").fetchall()
        return [dict(zip(("batch", "source_file", "format", "at"), r)) for r in rows]

    def log_ingest(self, batch: str, source_file: str, fmt: str, counts: UpsertCounts, rejects: list[Reject]) -> None:
        with self.tx() as con:
            con.executemany(
                "INSERT INTO rejects (batch, source_file, row_no, field, reason, value, at) VALUES (?,?,?,?,?,?,?)",
                [(batch, source_file, r.row_no, r.field, r.reason, str(r.value)[:200], time.time()) for r in rejects])
            con.execute("INSERT OR REPLACE INTO ingest_log VALUES (?,?,?,?,?,?,?,'done')",
                        (batch, source_file, fmt, counts.inserted, counts.updated, len(rejects), time.time()))
            # an earlier run of the same file that was cut short is now made good
            con.execute("UPDATE ingest_log SET status='redone' WHERE source_file=? AND status='running' AND batch<>?",
                        (source_file, batch))

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        try:
            return self.con.execute(sql, params).fetchall()
        except sqlite3.Error as e:
            raise self.explain(e) from None

    def counts(self) -> dict[str, int]:
        q = lambda t: self.con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]  # noqa: E731
        return {t: q(t) for t in ("postings", "seekers", "rejects")}

    # ------------------------------------------------------------ embedding cache
    def cached_vectors(self, model: str, hashes: list[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for start in range(0, len(hashes), 900):
            chunk = hashes[start:start + 900]
            marks = ",".join("?" * len(chunk))
            for h, blob in self.con.execute(
                    f"SELECT text_hash, vec FROM embed_cache WHERE model=? AND text_hash IN ({marks})", (model, *chunk)):
                out[h] = np.frombuffer(blob, dtype=np.float32)
        return out

    def cache_vectors(self, model: str, hashes: list[str], vectors: np.ndarray) -> None:
        if self.read_only:  # a cache: a read-only store recomputes instead of failing
            return
        with self.tx() as con:
            con.executemany("INSERT OR REPLACE INTO embed_cache VALUES (?,?,?)",
                            [(model, h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in zip(hashes, vectors)])

    # ------------------------------------------------------------ extraction cache and corrections
    def get_extraction(self, key: tuple[str, str, str, str]) -> dict | None:
        row = self.con.execute(
            "SELECT status, result, error, at FROM extractions WHERE text_hash=? AND extractor=? AND model=? "
            "AND prompt_version=?", key).fetchone()
        if not row:
            return None
        return {"status": row[0], "result": json.loads(row[1]) if row[1] else None, "error": row[2], "at": row[3]}

    def put_extraction(self, key: tuple[str, str, str, str], posting_id: str, status: str,
                       result: dict | None, error: str = "") -> None:
        with self.tx() as con:
            con.execute("INSERT OR REPLACE INTO extractions VALUES (?,?,?,?,?,?,?,?,?)",
                        (*key, posting_id, status, json.dumps(result, ensure_ascii=False) if result else None,
                         error, time.time()))

    EXTRACTION_COLUMNS = ("posting_id", "text_hash", "extractor", "model", "prompt_version", "status", "result", "error", "at")

    def extractions(self, posting_ids: list[str] | None = None, text_hashes: list[str] | None = None) -> list[dict]:
        """Every stored extraction (oldest first), results parsed: what the suitability verdicts are made of.
        With `posting_ids` (and `text_hashes`): the rows of those postings, and of those texts whoever they were
        stored for (a cached answer is stored once per text, under the first posting that had it)."""
        sql = f"SELECT {', '.join(self.EXTRACTION_COLUMNS)} FROM extractions"
        ids, hashes = list(posting_ids or []), list(text_hashes or [])
        if posting_ids is not None and len(ids) + len(hashes) <= 500:
            rows = self.con.execute(sql + f" WHERE posting_id IN ({','.join('?' * len(ids))}) OR text_hash IN "
                                    f"({','.join('?' * len(hashes))}) ORDER BY at", ids + hashes).fetchall()
        else:
            rows = self.con.execute(sql + " ORDER BY at").fetchall()
        wanted, wanted_hashes = (set(ids), set(hashes)) if posting_ids is not None else (None, None)
        out = []
        for row in rows:
            record = dict(zip(self.EXTRACTION_COLUMNS, row))
            if wanted is not None and record["posting_id"] not in wanted and record["text_hash"] not in wanted_hashes:
                continue
            record["result"] = json.loads(record["result"]) if record["result"] else None
            out.append(record)
        return out

    def add_correction(self, posting_id: str, disability_type: str, verdict: str, who: str, why: str,
                       text_hash: str = "") -> None:
        """`text_hash`: the posting text the counselor judged (a 'suitable' verdict lifts only that text's
        exclusions; see core/llm/suitability.py)."""
        with self.tx() as con:
            con.execute("INSERT INTO corrections (posting_id, disability_type, verdict, who, why, at, text_hash) "
                        "VALUES (?,?,?,?,?,?,?)", (posting_id, disability_type, verdict, who, why, time.time(), text_hash))

    def verdicts_written(self) -> tuple[int, int]:
        """(newest extraction row, newest correction id): rise in commit order whenever any process stores an
        extraction (a stored one is replaced by a new row) or a correction, so a running engine knows which
        disability verdicts to read again (`verdicts_since`)."""
        row = self.con.execute("SELECT (SELECT MAX(rowid) FROM extractions), (SELECT MAX(id) FROM corrections)").fetchone()
        return int(row[0] or 0), int(row[1] or 0)

    def verdicts_since(self, mark: tuple[int, int]) -> tuple[set[str], set[str]]:
        """(posting ids, text hashes) whose extractions or corrections were stored after `mark` (`verdicts_written`)."""
        ids, hashes = set(), set()
        for posting_id, text_hash in self.con.execute("SELECT posting_id, text_hash FROM extractions WHERE rowid > ?",
                                                      (mark[0],)):
            ids.add(posting_id)
            hashes.add(text_hash)
        ids |= {r[0] for r in self.con.execute("SELECT posting_id FROM corrections WHERE id > ?", (mark[1],))}
        return ids, hashes

    JUDGMENT_COLUMNS = ("analyst", "direction", "query_id", "item_id", "grade", "model", "filters", "at")

    def put_judgments(self, rows: list[tuple]) -> int:
        """Upsert analyst judgments (JUDGMENT_COLUMNS order) in one transaction: an analyst's later mark of
        the same query and item replaces the earlier one; other analysts' marks stay."""
        with self.tx() as con:
            con.executemany(
                "INSERT INTO judgments VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(analyst, direction, query_id, item_id) "
                "DO UPDATE SET grade=excluded.grade, model=excluded.model, filters=excluded.filters, at=excluded.at", rows)
        return len(rows)

    def judgments(self) -> list[dict]:
        cols = ", ".join(self.JUDGMENT_COLUMNS)
        return [dict(zip(self.JUDGMENT_COLUMNS, r)) for r in self.query(f"SELECT {cols} FROM judgments ORDER BY at, analyst")]

    CORRECTION_COLUMNS = ("posting_id", "disability_type", "verdict", "who", "why", "at", "text_hash")

    def corrections(self, posting_id: str | None = None, posting_ids: list[str] | None = None) -> list[dict]:
        """Counselors' corrections, oldest first: all, one posting's, or those of `posting_ids` (up to 500)."""
        # a read-only store made before corrections named their text has no such column (its rows: '')
        held = {row[1] for row in self.con.execute("PRAGMA table_info(corrections)")}
        columns = [c if c in held else "''" for c in self.CORRECTION_COLUMNS]
        if posting_id is None and posting_ids is not None and not posting_ids:
            return []
        ids = [posting_id] if posting_id else list(posting_ids or [])
        where = f" WHERE posting_id IN ({','.join('?' * len(ids))})" if ids and len(ids) <= 500 else ""
        rows = self.con.execute(f"SELECT {', '.join(columns)} FROM corrections{where} ORDER BY id", ids if where else ())
        wanted = set(ids) if ids else None
        return [dict(zip(self.CORRECTION_COLUMNS, r)) for r in rows if wanted is None or r[0] in wanted]

    # ------------------------------------------------------------ #29: store errors in words
    def explain(self, e: sqlite3.Error) -> StoreError:
        """One Korean line naming the store and what to do; what was stored before stays (the write rolled back)."""
        text = str(e).lower()
        where = f"저장소 {self.path}"
        if "locked" in text or "busy" in text:
            why = "를 다른 프로그램(수집·동기화·다른 창)이 쓰고 있습니다. 그 작업이 끝난 뒤 다시 실행하세요"
        elif "readonly" in text or "read-only" in text or (self.read_only and "attempt to write" in text):
            why = "에 쓸 수 없습니다 (읽기 전용). 파일과 폴더의 쓰기 권한을 확인하세요"
        elif "full" in text:
            why = "를 쓸 공간이 없습니다 (디스크 가득 참). 공간을 비운 뒤 다시 실행하세요"
        elif "unable to open" in text:
            why = "를 열 수 없습니다. 경로(JOBLENS_DATA)와 폴더 권한을 확인하세요"
        elif "not a database" in text or "malformed" in text:
            why = "가 손상되었거나 SQLite 파일이 아닙니다. 백업에서 되살리거나 다른 경로(JOBLENS_DATA)를 쓰세요"
        else:
            why = f" 오류 ({e}). 같은 명령을 다시 실행해 보세요"
        return StoreError(f"{where}{why}. 이미 저장된 데이터는 그대로입니다")


    # ------------------------------------------------------------ #24 (wt-24b): queries the views, the LLM
    # suitability map, the demo command and the datasets used to write themselves
    def has_source(self, source: str) -> bool:
        """Whether any posting or seeker of this source is stored."""
        return bool(self.query("SELECT 1 FROM postings WHERE source=? UNION SELECT 1 FROM seekers WHERE source=? "
                               "LIMIT 1", (source, source)))

    def count_postings(self, source: str) -> int:
        return self.query("SELECT COUNT(*) FROM postings WHERE source=?", (source,))[0][0]

    def source_summary(self) -> list[tuple]:
        """Per posting source: (source, postings, synthetic, placed on the map, newest update), largest first."""
        return self.query("SELECT source, COUNT(*), SUM(synthetic), SUM(geo_status='ok'), MAX(updated_at) "
                          "FROM postings GROUP BY source ORDER BY 2 DESC")

    def synthetic_postings(self) -> tuple[int, int]:
        """(postings, of which synthetic): what the app's data switch names the corpus by."""
        total, synthetic = self.query("SELECT COUNT(*), COALESCE(SUM(synthetic), 0) FROM postings")[0]
        return int(total), int(synthetic)

    def postings_per_major(self) -> list[tuple[str | None, int]]:
        return self.query("SELECT major_code, COUNT(*) FROM postings GROUP BY major_code")

    def postings_per_sido(self) -> list[tuple[str, int]]:
        """(시도, postings); '미배치' for postings without a place."""
        return self.query("SELECT COALESCE(sido, '미배치'), COUNT(*) FROM postings GROUP BY 1")

    def reject_reasons(self, limit: int = 50) -> list[tuple[str, str, int]]:
        """(field, reason, count), most frequent first."""
        return self.query("SELECT field, reason, COUNT(*) c FROM rejects GROUP BY field, reason ORDER BY c DESC LIMIT ?",
                          (limit,))

    def latest_rejects(self, limit: int = 500) -> list[tuple]:
        """(source file, row, field, reason, value) of the newest rejects."""
        return self.query("SELECT source_file, row_no, field, reason, value FROM rejects ORDER BY id DESC LIMIT ?",
                          (limit,))

    def unplaced_postings(self, limit: int = 500) -> list[tuple[str, str, str]]:
        """(id, title, why) of postings not placed on the map."""
        return self.query("SELECT id, title, geo_note FROM postings WHERE geo_status != 'ok' LIMIT ?", (limit,))

    def open_registration_dates(self) -> list[str | None]:
        """The registration date (ISO, or None) of every open posting: what freshness is computed from."""
        return [d for (d,) in self.query("SELECT json_extract(json, '$.reg_date') FROM postings "
                                         "WHERE COALESCE(json_extract(json, '$.closed'), 0) = 0")]

    def registered_and_closed(self, day: str) -> tuple[int, int]:
        """(postings registered on `day` (ISO), closed postings)."""
        return self.query("SELECT COALESCE(SUM(json_extract(json, '$.reg_date') = ?), 0), "
                          "COALESCE(SUM(json_extract(json, '$.closed') = 1), 0) FROM postings", (day,))[0]


    # ------------------------------------------------------------ recommendation sets (core.models.recsets)
    # A stored list is keyed by `config`: a digest of everything that changes a list (model, analyser, model
    # version, encoder backend, quality settings; see core.models.engine.Engine.list_key), so a list built
    # under one configuration is never served under another. The tables are a cache: `python -m core recsets`
    # rebuilds them, so a store from before the key existed simply drops its old, keyless lists.
    RECSETS_SCHEMA = """
    CREATE TABLE IF NOT EXISTS recsets (
        config TEXT NOT NULL, direction TEXT NOT NULL, query_id TEXT NOT NULL, items TEXT NOT NULL, built_at REAL,
        PRIMARY KEY (config, direction, query_id));
    CREATE TABLE IF NOT EXISTS recsets_meta (
        config TEXT NOT NULL, direction TEXT NOT NULL, model TEXT, settings TEXT, k INTEGER, filters TEXT,
        built_at REAL, PRIMARY KEY (config, direction));
    CREATE TABLE IF NOT EXISTS recsets_places (posting_id TEXT PRIMARY KEY, lat REAL, lon REAL);
    """

    def _recsets_schema(self, con: sqlite3.Connection) -> None:
        columns = {row[1] for row in con.execute("PRAGMA table_info(recsets)")}
        if columns and "config" not in columns:  # lists keyed by model name only: never trust, rebuild
            con.executescript("DROP TABLE recsets; DROP TABLE IF EXISTS recsets_meta;")
        con.executescript(self.RECSETS_SCHEMA)

    def put_recsets(self, config: str, direction: str, lists: list[tuple[str, str]]) -> int:
        """Upsert (query id, items JSON) lists of one configuration and direction, stamped now."""
        now = time.time()
        with self.tx() as con:
            con.executemany("INSERT INTO recsets VALUES (?,?,?,?,?) ON CONFLICT (config, direction, query_id) "
                            "DO UPDATE SET items=excluded.items, built_at=excluded.built_at",
                            [(config, direction, qid, items, now) for qid, items in lists])
        return len(lists)

    def put_recsets_meta(self, config: str, direction: str, model: str, settings_json: str, k: int, filters: str) -> None:
        """What a full build covered: its k and filters (a list is served only for the same), and the readable
        configuration its key digests."""
        with self.tx() as con:
            con.execute("INSERT INTO recsets_meta VALUES (?,?,?,?,?,?,?) ON CONFLICT (config, direction) DO UPDATE SET "
                        "model=excluded.model, settings=excluded.settings, k=excluded.k, filters=excluded.filters, "
                        "built_at=excluded.built_at", (config, direction, model, settings_json, k, filters, time.time()))

    def recsets_meta(self, config: str, direction: str) -> tuple[int, str] | None:
        """(k, filters) of the full build of this configuration and direction, or None."""
        row = self.con.execute("SELECT k, filters FROM recsets_meta WHERE config=? AND direction=?",
                               (config, direction)).fetchone()
        return (row[0], row[1]) if row else None

    def recset(self, config: str, direction: str, query_id: str) -> tuple[str, float] | None:
        """(items JSON, built_at) of one stored list, or None."""
        row = self.con.execute("SELECT items, built_at FROM recsets WHERE config=? AND direction=? AND query_id=?",
                               (config, direction, query_id)).fetchone()
        return (row[0], row[1]) if row else None

    def recsets_holding(self, item_id: str) -> list[tuple[str, str]]:
        """(direction, query id) of every stored list, of any configuration, that holds the item."""
        return self.query("SELECT direction, query_id FROM recsets WHERE items LIKE ?", (f'%["{item_id}",%',))

    def recsets_first_built(self) -> float | None:
        """When the oldest full build ran (what `recsets --refresh` brings up to date), or None without one."""
        return self.con.execute("SELECT MIN(built_at) FROM recsets_meta").fetchone()[0]

    def put_recsets_places(self, rows: list[tuple[str, float, float]]) -> None:
        """Where each posting was when the lists were computed (a moved posting leaves its old neighbours' lists)."""
        with self.tx() as con:
            con.executemany("INSERT INTO recsets_places VALUES (?,?,?) ON CONFLICT (posting_id) DO UPDATE SET "
                            "lat=excluded.lat, lon=excluded.lon", rows)

    def recsets_place(self, posting_id: str) -> tuple[float, float] | None:
        row = self.con.execute("SELECT lat, lon FROM recsets_places WHERE posting_id=?", (posting_id,)).fetchone()
        return (row[0], row[1]) if row else None


    # ------------------------------------------------------------ W-BERT auto-coding (#25)
    AUTOCODE_COLUMNS = ("record_id", "kind", "code", "confidence", "model", "status", "at")

    def put_autocodes(self, rows: list[tuple]) -> None:
        """Store predictions (AUTOCODE_COLUMNS order; status 'accepted' or 'review'), replacing earlier ones."""
        with self.tx() as con:
            con.executemany("INSERT OR REPLACE INTO autocodes VALUES (?,?,?,?,?,?,?)", rows)

    def autocodes(self, status: str | None = None) -> list[dict]:
        sql = f"SELECT {', '.join(self.AUTOCODE_COLUMNS)} FROM autocodes" + (" WHERE status=?" if status else "")
        return [dict(zip(self.AUTOCODE_COLUMNS, r)) for r in self.query(sql + " ORDER BY confidence, record_id",
                                                                          (status,) if status else ())]

    def review_autocode(self, record_id: str, code: str, analyst: str,
                        change: Callable[[Posting | Seeker], bool]) -> list[Posting | Seeker]:
        """An analyst's confirmation or correction: the record changed by `change` (a posting or a seeker, read under
        the write lock), the prediction's status and an audit row, in one transaction: a record never keeps a
        reviewed code without the row that says who gave it. Returns the changed record ([] when none is stored
        or `change` left it as it was, and then nothing is written)."""
        with self.tx() as con:
            changed = (self._modify_in(con, "postings", Posting, self._posting_row, 17, True, [record_id], change)
                       or self._modify_in(con, "seekers", Seeker, self._seeker_row, 13, False, [record_id], change))
            if not changed:
                return []
            row = con.execute("SELECT code FROM autocodes WHERE record_id=?", (record_id,)).fetchone()
            predicted = row[0] if row else None
            con.execute("UPDATE autocodes SET status=? WHERE record_id=?",
                        ("confirmed" if code == predicted else "corrected", record_id))
            con.execute("INSERT INTO autocode_reviews (record_id, predicted, code, analyst, at) VALUES (?,?,?,?,?)",
                        (record_id, predicted, code, analyst, time.time()))
        return changed

    def autocode_reviews(self) -> list[dict]:
        cols = ("record_id", "predicted", "code", "analyst", "at")
        return [dict(zip(cols, r)) for r in self.query(f"SELECT {', '.join(cols)} FROM autocode_reviews ORDER BY id")]


DatabaseError = sqlite3.Error  # what callers above the store catch, so none of them imports sqlite3


class StoreError(OSError):
    """The store cannot be opened, read or written (locked, read-only, full, damaged): a user's problem to fix,
    shown as one line (the CLI prints OSError so), never a traceback."""
