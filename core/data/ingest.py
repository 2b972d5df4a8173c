"""Readers for the real formats, and the one path every row takes into the store.

Formats: 고용24 채용정보 API list/detail (XML and JSON), KEAD 장애인 구인 API (JSON), generic CSV/XLSX
with a column mapping, and presets for the datasets in ../shared/data. A bad row goes to the rejects
table with its row number, field and reason; good rows from the same file still land; rows already
stored are only ever updated by a good row with the same natural key.
"""
from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from .. import geo
from ..progress import Progress, report
from ..text.invisible import INVISIBLE, strip_invisible
from . import keco
from .export import FORMULA_LEAD
from .formats import FORMATS, SECONDARY_GRADE_COLUMNS, SECONDARY_TYPE_COLUMNS, SHARED_DATASETS, Format, prepare_mapped
from .normalize import (
    NOT_DISABLED,
    Career,
    FaultCollector,
    FieldError,
    clean_text,
    disability_label,
    faults_of,
    parse_career,
    parse_date,
    parse_education,
    parse_salary,
    relative_closing,
    states_a_disability,
)
from .occupations import matcher
from .readers import BROKEN_CHAR, MAX_FIELD_CHARS, MAX_ROW_CHARS, REJECT_KEY, IngestError, read_table
from .records import Place, Posting, Seeker
from .store import Reject, Store, UpsertCounts

__all__ = ["FORMATS", "SHARED_DATASETS", "IngestError", "IngestReport", "build_posting", "build_seeker",
           "ingest_file", "ingest_rows", "iter_records"]
log = logging.getLogger(__name__)
RESERVED = {"id", "source", "synthetic", "place"}  # set by JobLens, never by a file's column mapping
# the sources whose rows may say they are synthetic (the demo corpus, written by core/data/demo.py): a 'synthetic'
# column in any other file would make real postings never close by date and print as '데모 공고'
SYNTHETIC_SOURCES = {"demo", "demo-seekers"}
POSTING_FIELDS = {f.name for f in fields(Posting)}
SEEKER_FIELDS = {f.name for f in fields(Seeker)}
GRADE_FIELDS = {"disability_grade", "secondary_disability_grade"}  # read with their type, not stored apart


def _place(texts: Iterable[str]) -> Place:
    reasons = []
    best = None
    for text in texts:
        if not text:
            continue
        try:
            p = geo.resolve(text)
        except geo.GeoError as e:
            reasons.append(e.reason)
            continue
        rank = {"emd": 3, "sigungu": 2, "sido": 1}[p.level]
        if best is None or rank > best[0]:
            best = (rank, p)
        if rank >= 2:
            break
    if best:
        p = best[1]
        return Place(p.sido, p.sigungu if not p.emd else f"{p.sigungu or ''} {p.emd}".strip(), p.lat, p.lon,
                     p.level, "ok", "")
    return Place(geo_status="unplaced", geo_note="; ".join(reasons) or "지역 정보 없음")


def _occupation(code: str, name: str, field_name: str) -> str:
    code = _with_leading_zero(str(code or "").strip())
    if code and not re.fullmatch(r"\d{2,6}|0[1-9A-D]\w?|\d{2}[0-9A-Z]", code):  # 2–6 digits, or a middle code like 01B
        raise FieldError(field_name, code, "직종코드 형식이 아님")
    if code:
        return code
    if name:
        m = matcher().match(name)
        if m:
            return m.code
    return ""


def _with_leading_zero(code: str) -> str:
    """'24100' → '024100', '24' → '024': a spreadsheet that stored the code as a number dropped its zero.
    Restored only when the padded code is a real one and the code as given is not."""
    if not code.isdigit() or len(code) not in (1, 2, 5):
        return code
    padded = "0" + code
    known = keco.detailed() if len(padded) == 6 else keco.majors() if len(padded) == 2 else keco.middles()
    given_known = code in keco.majors() if len(code) == 2 else False
    return padded if padded in known and not given_known else code


def strictest_career(p: Posting) -> Career:
    """The posting's career requirement: the first field written is read as before (its fault names the row), and
    any other field asking for experience wins over it. KEAD writes enterType '경력' beside reqCareer '무관' (any
    number of years), and the years field alone once read as '관계없음'."""
    written = [v for v in (p.career, p.enterTpNm, p.reqCareer, p.enterType) if v]
    first = parse_career(written[0] if written else "", "career")
    others = []
    for value in written[1:]:
        try:
            others.append(parse_career(value, "career"))
        except FieldError:  # a second field the parser cannot read adds nothing (the first one stands)
            continue
    experienced = [c for c in (first, *others) if c.kind == "experienced"]
    return max(experienced, key=lambda c: c.min_months) if experienced else first


def build_posting(raw: dict, source: str, key: str) -> Posting:
    """Normalise one raw row (API field names). Raises FieldError naming the field at fault (RowFaults naming
    each one, when several fields are at fault)."""
    values = {k: clean_text(v) for k, v in raw.items() if k in POSTING_FIELDS and k not in {"id", "source", "place"}}
    p = Posting(id=f"{source}:{key}", source=source, **{k: v for k, v in values.items() if isinstance(v, str)})
    p.synthetic = source in SYNTHETIC_SOURCES and str(raw.get("synthetic", "")).lower() in {"1", "true", "yes"}
    if not p.title:
        p.title = " ".join(x for x in (p.busplaName, p.jobNm) if x)
    faults = FaultCollector()
    if not p.title:
        faults.add("title", raw.get("title"), "구인제목이 없음")
    with faults.field():
        p.edu_min = int(parse_education(p.minEdubg or p.eduNm or p.reqEduc, "minEdubg" if p.minEdubg else "reqEduc"))
    with faults.field():
        career = strictest_career(p)
        p.career_kind, p.career_months = career.kind, career.min_months
    with faults.field():
        sal_text = p.sal or p.salary
        salary = parse_salary(p.salTpNm or p.salaryType, sal_text, p.minSal if not sal_text else None,
                              p.maxSal if not sal_text else None, field="sal" if p.sal or p.salTpNm else "salary")
        p.wage_type, p.wage_min_month, p.wage_max_month = salary.wage_type, salary.monthly_min, salary.monthly_max
    with faults.field():
        p.occupation = _occupation(p.jobsCd, p.jobNm or p.relJobsNm, "jobsCd")
    with faults.field():
        p.reg_date = parse_date(p.regDt, "regDt")
    with faults.field():
        close_field = "closeDt" if p.closeDt else "termDate"
        p.close_date = parse_date(p.closeDt or p.termDate, close_field, last=True)
    faults.check()
    p.place = _place([p.basicAddr, p.region, p.workRegion, p.compAddr])
    return p


RAW_POSTING_FIELDS = [f.name for f in fields(Posting) if f.type in ("str", str) and f.name not in {"id", "source"}]


ADDRESS_FIELDS = ("basicAddr", "detailAddr", "zipCd", "region", "workRegion", "compAddr")


def _within(place: Place, area: Place) -> bool:
    """Whether `place` lies in `area`: the same 시도, and `area`'s 시군구 (when it names one) holds it."""
    return place.sido == area.sido and (place.sigungu or "").startswith(area.sigungu or "")


def merge_postings(stored: Posting, new: Posting) -> Posting:
    """The same posting seen again (a 고용24 detail after its list record, or a re-sync): each raw API field
    takes the new value when it has one and keeps the stored one otherwise; then everything derived
    (place, education, wage, code) is worked out again from the merged fields."""
    raw = {name: getattr(new, name) or getattr(stored, name) for name in RAW_POSTING_FIELDS}
    raw["synthetic"] = new.synthetic
    try:
        merged = build_posting(raw, new.source, "")
        merged.id = new.id  # the id as the new record has it, never re-parsed ('x:y:K1' once split into 'x' + 'y:K1')
    except FieldError:  # the two halves do not combine into a valid record: the new one stands alone
        merged = new
    if merged.place.geo_status != "ok" and stored.place.geo_status == "ok":  # an unreadable new region never unplaces
        merged.place = stored.place
    elif new.place.geo_status == "ok" and not _within(merged.place, new.place):
        # the new record places itself elsewhere (the job moved): a stored address it does not repeat must not keep
        # the old place, which the distance filter reads (a 부산 job passed 서울 seekers' 20 km), nor stay on record
        merged.place = new.place
        for name in ADDRESS_FIELDS:
            setattr(merged, name, getattr(new, name))
    # the API's own modification time says the record is newer than the stored one (a file or a KEAD record has none)
    when_new, when_stored = (re.sub(r"\D", "", t or "")[:12] for t in (new.smodifyDtm, stored.smodifyDtm))
    modified = bool(when_new and when_stored and when_new > when_stored)  # both said, read as digits
    if stored.close_date and not merged.close_date and not modified:
        # an open-ended closing ('채용시까지', or none) never erases a stored date unless the API says the posting
        # changed since: an older export re-uploaded made a posting past its closing date open for ever
        merged.close_date = stored.close_date
    elif relative_closing(merged.closeDt) and stored.close_date and stored.close_date < merged.close_date:
        # '오늘마감' is dated on the day a file is read: the same crawl read again a week later is no later closing
        merged.close_date = stored.close_date
    # a posting closed once stays closed when seen again (a re-sync, a re-upload), unless its closing date moved later
    extended = (merged.close_date > stored.close_date) if merged.close_date else modified and bool(stored.close_date)
    merged.closed = new.closed or (stored.closed and not extended)
    # a withdrawn posting stays withdrawn when a file holds it again (an older export proves nothing); only an API
    # listing that holds it clears the mark (sync.run)
    merged.withdrawn = new.withdrawn or stored.withdrawn
    if not merged.occupation and stored.occupation_source:  # seen again still without a code: the one W-BERT or an
        merged.occupation, merged.occupation_source = stored.occupation, stored.occupation_source  # analyst gave stays
    return merged


def merge_seekers(stored: Seeker, new: Seeker) -> tuple[Seeker, bool]:
    """The same seeker seen again (a later export, a partial update file): a row that says nothing about a
    disability keeps the stored one (a blank would switch the disability filter off for a disabled seeker
    without a word); '없음' or '비장애' written out does clear it. Returns (the record to store, whether the
    stored disability was kept)."""
    if not new.desired_occupation and new.desired_job_name == stored.desired_job_name:
        # the same wish keeps its code, whoever gave it (a file, W-BERT, an analyst: #25), when a later file has none
        # (no code column); a new wish no table reaches comes without one, and W-BERT reads it again
        new = replace(new, desired_occupation=stored.desired_occupation, occupation_source=stored.occupation_source)
    if not new.secondary_disability_stated:  # a file without the 부장애 column never blanks it; '없음' there does
        new = replace(new, secondary_disability=stored.secondary_disability,
                      secondary_disability_stated=stored.secondary_disability_stated)
    if new.disability_stated:
        return new, False
    if not stored.disability_type:  # a '없음' on record stays said (the page would warn of a missing disability)
        return replace(new, disability_stated=stored.disability_stated), False
    return replace(new, disability_type=stored.disability_type, disability_stated=stored.disability_stated), True


def _secondary_disability(raw: dict) -> tuple[str, bool]:
    """The row's 부장애 label ('' when none or '없음'), and whether the row said anything of one. A value that cannot
    be read, or a grade without a type, rejects the row naming the column: a seeker stored without it would be shown
    postings unsuitable for it."""
    def first(columns: tuple[str, ...]) -> tuple[str, object]:
        return next(((c, raw[c]) for c in columns if states_a_disability(raw.get(c), "")), ("", ""))

    column, written = first(SECONDARY_TYPE_COLUMNS)
    if not column:
        grade_column, grade = first(SECONDARY_GRADE_COLUMNS)
        if grade_column and clean_text(grade) not in NOT_DISABLED:
            raise FieldError("secondary_disability", grade, f"{grade_column} 열에 정도만 있고 부장애 유형이 없음")
        return "", False
    try:
        return disability_label(written, first(SECONDARY_GRADE_COLUMNS)[1]) or "", True
    except FieldError as e:
        raise FieldError("secondary_disability", written, f"{column} 열: {e.reason}") from None


UNMAPPED_NOTE = ("알림(저장됨): 희망직종을 직종코드에 대응할 수 없어 코드 없이 저장함 (코드표·검토된 별칭 목록·이름 유사도 모두 "
                 "해당 없음): W-BERT 화면의 직종 예측·검토 대상")


def build_seeker(raw: dict, source: str, key: str) -> Seeker:
    values = {k: clean_text(v) for k, v in raw.items() if k in SEEKER_FIELDS and k not in {"id", "source", "place"}}
    s = Seeker(id=f"{source}:{key}", source=source,
               **{k: v for k, v in values.items() if k in {
                   "age_band", "education", "major", "certificates", "desired_occupation", "desired_job_name",
                   "desired_duties", "desired_region", "desired_wage", "registered"}})
    s.synthetic = source in SYNTHETIC_SOURCES and str(raw.get("synthetic", "")).lower() in {"1", "true", "yes"}
    faults = FaultCollector()
    with faults.field():
        parse_date(s.registered, "registered")
    if s.age_band and not re.fullmatch(r"[1-9]0대( 이상)?", s.age_band):
        faults.add("age_band", s.age_band, "연령대 형식이 아님 (예: 40대)")
    with faults.field():
        s.disability_type = disability_label(raw.get("disability_type"), raw.get("disability_grade")) or ""
    s.disability_stated = states_a_disability(raw.get("disability_type"), raw.get("disability_grade"))
    with faults.field():
        s.secondary_disability, s.secondary_disability_stated = _secondary_disability(raw)
    s.education_known = bool(s.education)
    with faults.field():
        s.edu_level = int(parse_education(s.education, "education", holder=True)) if s.education else 0
    with faults.field():
        career = parse_career(raw.get("career") or "", "career")
        s.career_kind = "experienced" if career.kind == "experienced" else "new"
        s.career_months = career.min_months
    with faults.field():
        s.desired_occupation = _occupation(s.desired_occupation, s.desired_job_name, "desired_occupation")
        if not s.desired_occupation and not s.desired_job_name:
            raise FieldError("desired_occupation", raw.get("desired_job_name"), "희망직종이 없음")
        # a name no table reaches is kept as written, without a code: W-BERT auto-coding reads it (#25), and until
        # a code is confirmed the seeker is recommended by the text alone (the ingest says so: UNMAPPED_NOTE)
    faults.check()
    s.place = _place([s.desired_region])
    return s


@dataclass
class IngestReport:
    source_file: str
    format: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unplaced: int = 0
    rejects: list[Reject] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rejected(self) -> int:
        return len({r.row_no for r in self.rejects if not r.reason.startswith(("미배치", "알림"))})

    @property
    def placed_share(self) -> float:
        stored = self.inserted + self.updated
        return 1 - self.unplaced / stored if stored else 0.0

    def summary(self) -> str:
        top: dict[str, int] = {}
        for r in self.rejects:
            top[f"{r.field}: {r.reason}"] = top.get(f"{r.field}: {r.reason}", 0) + 1
        reasons = ", ".join(f"{k} ×{v}" for k, v in sorted(top.items(), key=lambda kv: -kv[1])[:5])
        return (f"{self.source_file} [{self.format}] 행 {self.rows:,} → 신규 {self.inserted:,} · 갱신 {self.updated:,} · "
                f"거부 {self.rejected:,} · 지도 미배치 {self.unplaced:,} (배치율 {self.placed_share:.1%}) "
                f"{self.seconds:.1f}s" + (f"\n  주요 사유: {reasons}" if reasons else ""))


def iter_records(path: str | Path, fmt: str | Format, mapping: dict[str, str] | None = None,
                 progress: Progress | None = None) -> Iterator[tuple[int, Posting | Seeker | None, list[Reject]]]:
    """Yield (row number, record or None, rejects for that row). Row numbers are 1-based data rows
    (+1 for the header line in CSV, so they match what a spreadsheet shows)."""
    spec = FORMATS[fmt] if isinstance(fmt, str) else fmt
    path = Path(path)
    rows = spec.read(path)
    header_offset = 1 if spec.read is read_table else 0
    prepare = spec.prepare or (prepare_mapped(mapping) if mapping else None)
    for notice in getattr(rows, "notices", []):  # file-level notices come as row 0, with no record
        yield 0, None, [Reject(0, "file", f"알림: {notice}")]
    for i, row in enumerate(rows, start=1):
        row_no = i + header_offset
        try:
            if REJECT_KEY in row:  # the reader already judged this row (unclosed quote, a non-object entry)
                raise FieldError(*row[REJECT_KEY][:1], row.get(row[REJECT_KEY][0], "")[:60], row[REJECT_KEY][1])
            broken = next((k for k, v in row.items() if isinstance(v, str) and BROKEN_CHAR in v), None)
            if broken:  # bytes the decoder could not read: the row is not trusted, the rest of the file is
                raise FieldError(broken, row[broken][:60], "깨진 바이트가 있음 (UTF-8도 CP949도 아님): 원본 파일의 인코딩을 확인하세요")
            too_long = next((k for k, v in row.items() if isinstance(v, str) and len(v) > MAX_FIELD_CHARS), None)
            if too_long:  # the same limit for CSV, JSON and XML: one oversized value rejects its row only
                raise FieldError(too_long, row[too_long][:60], f"값이 너무 김 ({len(row[too_long]):,}자 > {MAX_FIELD_CHARS:,}자)")
            row_chars = sum(len(v) for v in row.values() if isinstance(v, str))
            if row_chars > MAX_ROW_CHARS:
                raise FieldError("row", f"{len(row)}개 필드", f"행이 너무 김 ({row_chars:,}자 > {MAX_ROW_CHARS:,}자)")
            row, hidden = _without_invisible(row)
            data = prepare(dict(row)) if prepare else dict(row)
            if mapping and spec.prepare:
                data = {mapping.get(k, k): v for k, v in data.items()}
            key = spec.key(data, row_no) if spec.key else str(row_no)
            record = (build_seeker if spec.kind == "seeker" else build_posting)(data, spec.source, key)
            notes = [Reject(row_no, name, "알림(저장됨): 보이지 않는 문자(NUL·폭 없는 공백·글자 방향 제어)를 지움", row[name][:60])
                     for name in hidden if name in row]
            if isinstance(record, Seeker) and record.desired_job_name and not record.desired_occupation:
                notes.append(Reject(row_no, "desired_job_name", UNMAPPED_NOTE, record.desired_job_name[:60]))
            if record.place.geo_status != "ok":
                notes.append(Reject(row_no, "region", f"미배치(저장됨): {record.place.geo_note}",
                                    data.get("region") or data.get("desired_region") or ""))
            yield row_no, record, notes
        except FieldError as e:  # every field at fault, each with its value (RowFaults holds several)
            yield row_no, None, [Reject(row_no, f.field, f.reason, str(f.value)) for f in faults_of(e)]
        except (ValueError, TypeError, OverflowError, KeyError, IndexError) as e:  # a value no check foresaw: this
            # row is refused, the file goes on (it once ended the whole upload in a traceback)
            log.exception("ingest: row %s of %s", row_no, path)  # a bug shows in the log, not only as rejects
            yield row_no, None, [Reject(row_no, "row", f"예상하지 못한 값이라 이 행을 읽지 않음 ({type(e).__name__})")]
        report(progress, f"수집 {path.name}", i, len(rows))


def check_source_name(source: str) -> None:
    """A source name is the first part of every id ('<source>:<key>'): a ':' inside it made a re-ingest read
    'x:y:K1' as source 'x' and key 'y:K1' and store every posting twice; a formula lead makes every exported id
    a formula. Letters, digits, '-', '_' and '.' after the first character only."""
    if not re.fullmatch(r"[0-9A-Za-z가-힣_][0-9A-Za-z가-힣_.-]{0,39}", source or ""):
        bad = ("':'" if ":" in source else "수식으로 읽히는 첫 글자(= + - @ 탭)" if source.startswith(FORMULA_LEAD)
               else "허용되지 않는 글자나 길이")
        raise IngestError(f"출처 이름 '{source}'에 {bad}이(가) 있습니다. 영문·숫자·한글과 _ . -만 쓰고 "
                          "첫 글자는 영문·숫자·한글로 하세요 (예: worknet-2025)")


def _without_invisible(row: dict) -> tuple[dict, list[str]]:
    """The row with NUL, zero-width and bidi control characters taken out of every text value, and the fields
    that held them (a title that reads backwards on screen, or one holding NUL, was stored as it came).
    Zero-width characters and a BOM in the key are the key's own business (`normalise_key`)."""
    hidden = [k for k, v in row.items() if isinstance(v, str) and k != REJECT_KEY and INVISIBLE.search(v)]
    if not hidden:
        return row, []
    return {k: strip_invisible(v) if k in hidden else v for k, v in row.items()}, hidden


def check_mapping_targets(mapping: dict[str, str], path: str | Path) -> None:
    """Two file columns mapped to one field: one of them won silently before."""
    by_target: dict[str, list[str]] = {}
    for column, target in mapping.items():
        by_target.setdefault(target, []).append(column)
    clash = {t: cols for t, cols in by_target.items() if len(cols) > 1}
    if clash:
        what = "; ".join(f"{', '.join(cols)} → {t}" for t, cols in clash.items())
        raise IngestError(f"{path}: 열 대응에서 여러 열이 한 필드에 대응됩니다 ({what}). 필드마다 한 열만 고르세요")


def ingest_rows(store: Store, rows: list[dict], fmt: str, label: str, progress: Progress | None = None) -> IngestReport:
    """Rows already parsed (a sync's API page, in memory) through exactly what a file's rows go through:
    normaliser, natural key, list/detail merge, rejects and the ingest log. `label` names them there."""
    return ingest_file(store, label, replace(FORMATS[fmt], read=lambda _label: rows), progress=progress)


def ingest_file(store: Store, path: str | Path, fmt: str | Format, mapping: dict[str, str] | None = None,
                source: str | None = None, progress: Progress | None = None,
                batch_size: int = 2000) -> IngestReport:
    """Read, normalise and upsert one file. A file that cannot be read at all raises IngestError
    before anything is written."""
    start = time.time()
    spec = FORMATS[fmt] if isinstance(fmt, str) else fmt
    fmt = spec.name
    if source:
        check_source_name(source)
        spec = replace(spec, source=source)
    report = IngestReport(str(path), fmt)
    pending: list = []
    upsert = store.upsert_seekers if spec.kind == "seeker" else store.upsert_postings
    total = UpsertCounts()
    placed_by_store: set[str] = set()  # unplaced rows whose stored place was kept: not counted as unplaced

    def flush() -> None:
        # merged with the stored record inside the write (`merge`): an upload or sync that stored it meanwhile is
        # merged too, and a flag set there (withdrawn, closed) is never written over by a read made before it
        if spec.kind == "posting":  # a detail file after a list file fills in, never blanks, list-only fields
            c = upsert(pending, merge=merge_posting)
        else:  # a seeker's stored disability is never blanked by a row that says nothing about one
            c = upsert(pending, merge=merge_seeker)
        report.unplaced += sum(r.place.geo_status != "ok" and r.id not in placed_by_store for r in pending)
        total.inserted += c.inserted
        total.updated += c.updated
        pending.clear()

    def merge_posting(stored: Posting, new: Posting) -> Posting:
        merged = merge_postings(stored, new)
        if new.place.geo_status != "ok" and merged.place.geo_status == "ok":
            keep_stored_place(row_of[new.id], new.id)
            placed_by_store.add(new.id)
        return merged

    def merge_seeker(stored: Seeker, new: Seeker) -> Seeker:
        merged, kept = merge_seekers(stored, new)
        if merged.desired_occupation and not new.desired_occupation:  # the row's 'stored without a code' no longer holds
            row = row_of[new.id]
            report.rejects[:] = [x for x in report.rejects if not (x.row_no == row and x.reason == UNMAPPED_NOTE)]
        if kept:
            report.rejects.append(Reject(
                row_of[new.id], "disability_type", f"알림(저장됨): 장애유형이 비어 있어 저장된 값({merged.disability_type})을 "
                "유지함. 장애가 없으면 '없음'으로 적으세요", new.id))
        return merged

    def keep_stored_place(row: int, record_id: str) -> None:
        """The row's own 'unplaced' note no longer holds: the stored place was kept. Say that instead."""
        report.rejects[:] = [x for x in report.rejects if not (x.row_no == row and x.reason.startswith("미배치"))]
        report.rejects.append(Reject(row, "region", "알림(저장됨): 새 지역을 읽을 수 없어 저장된 위치를 유지함", record_id))

    if mapping:
        known = SEEKER_FIELDS | GRADE_FIELDS if spec.kind == "seeker" else POSTING_FIELDS
        unknown = sorted({v for v in mapping.values() if v not in known or v in RESERVED})
        if unknown:
            raise IngestError(f"{path}: 열 대응의 대상 필드를 쓸 수 없습니다: {', '.join(unknown)} (예약되었거나 없는 필드)")
        check_mapping_targets(mapping, path)
    row_of: dict[str, int] = {}  # record id → the file row that holds it (the last one, when a key repeats)
    # unique per run: two ingests of one file name in the same second once shared a batch, and their rejects mixed
    batch = f"{Path(path).name}:{time.strftime('%Y%m%dT%H%M%S', time.localtime(start))}:{uuid.uuid4().hex[:12]}"
    for row_no, record, rejects in iter_records(path, spec, mapping, progress):
        if row_no == 0:  # a notice about the file, not a row
            report.rejects.extend(rejects)
            continue
        if report.rows == 0:
            store.begin_ingest(batch, str(path), fmt)
        report.rows += 1
        report.rejects.extend(rejects)
        if record is None:
            continue
        if record.id in row_of:  # the last copy wins, and the report says so
            report.rejects.append(Reject(row_no, "key", f"알림(저장됨): 같은 파일 {row_of[record.id]}행과 키가 같아 이 행으로 덮어씀",
                                         record.id))
        row_of[record.id] = row_no
        pending.append(record)
        if len(pending) >= batch_size:
            flush()
    flush()
    if report.rows == 0:
        raise IngestError(f"{path}: 데이터 행이 없습니다 (빈 파일이거나 머리글만 있음)")
    report.inserted, report.updated = total.inserted, total.updated
    report.seconds = time.time() - start
    store.log_ingest(batch, str(path), fmt, total, report.rejects)
    return report
