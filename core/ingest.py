"""Readers for the real formats, and the one path every row takes into the store.

Formats: 고용24 채용정보 API list/detail (XML and JSON), KEAD 장애인 구인 API (JSON), generic CSV/XLSX
with a column mapping, and presets for the datasets in ../shared/data. A bad row goes to the rejects
table with its row number, field and reason; good rows from the same file still land; rows already
stored are only ever updated by a good row with the same natural key.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path

from . import geo
from .normalize import FieldError, clean_text, disability_label, parse_career, parse_education, parse_salary
from .occupations import matcher
from .records import Place, Posting, Seeker
from .store import Reject, Store, UpsertCounts

POSTING_FIELDS = {f.name for f in fields(Posting)}
SEEKER_FIELDS = {f.name for f in fields(Seeker)}


class IngestError(ValueError):
    """The file as a whole cannot be read (encoding, syntax): nothing from it is stored."""


# ---------------------------------------------------------------- decoding
def read_text(path: str | Path) -> tuple[str, str]:
    """Decode a file as UTF-8 (with or without BOM), else CP949 (data.go.kr's usual encoding)."""
    data = Path(path).read_bytes()
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as e:
            err = e
    raise IngestError(f"{path}: UTF-8도 CP949도 아닌 인코딩입니다 (바이트 {err.start} 근처). "
                      "파일을 UTF-8 또는 CP949로 저장해 주세요.")


# ---------------------------------------------------------------- raw row readers
def _xml_records(root: ET.Element, tags: tuple[str, ...]) -> list[dict]:
    out = []
    for element in root.iter():
        if element.tag in tags:
            row: dict = {}
            for child in element.iter():
                if child is element or len(child):
                    continue
                row.setdefault(child.tag, (child.text or "").strip())
            out.append(row)
    return out


def _flatten(obj: dict) -> dict:
    """Detail JSON nests corpInfo / wantedInfo: lift their leaves to one flat row."""
    row: dict = {}
    for key, value in obj.items():
        if isinstance(value, dict):
            for k, v in _flatten(value).items():
                row.setdefault(k, v)
        elif not isinstance(value, list):
            row.setdefault(key, "" if value is None else str(value))
    return row


def _find_dict_lists(obj, marker: set[str]) -> list[dict]:
    """Find the records anywhere in an API JSON envelope (response.body.items.item, data, wantedRoot…):
    a list of dicts carrying a marker field, or a single dict (a detail response) that carries one."""
    if isinstance(obj, list):
        if obj and all(isinstance(x, dict) for x in obj) and any(marker & set(x) for x in obj):
            return [_flatten(x) for x in obj]
        for value in obj:
            found = _find_dict_lists(value, marker)
            if found:
                return found
    elif isinstance(obj, dict):
        if marker & {k for k, v in obj.items() if not isinstance(v, (dict, list))}:
            return [_flatten(obj)]
        for value in obj.values():
            found = _find_dict_lists(value, marker)
            if found:
                return found
    return []


def read_worknet_xml(path: str | Path) -> list[dict]:
    text, _ = read_text(path)
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as e:
        raise IngestError(f"{path}: XML 구문 오류 ({e})") from None
    rows = _xml_records(root, ("wanted", "wantedDtl"))
    if not rows:
        raise IngestError(f"{path}: <wanted> 또는 <wantedDtl> 요소가 없습니다 (고용24 채용정보 XML이 아님)")
    return rows


def read_json_records(path: str | Path, marker: set[str]) -> list[dict]:
    text, _ = read_text(path)
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        raise IngestError(f"{path}: JSON 구문 오류 (줄 {e.lineno}, 열 {e.colno})") from None
    rows = _find_dict_lists(obj, marker)
    if not rows:
        raise IngestError(f"{path}: 레코드 목록을 찾지 못했습니다 (필드 {sorted(marker)[:3]} 없음)")
    return rows


def read_table(path: str | Path) -> list[dict]:
    path = Path(path)
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        import openpyxl

        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as e:  # openpyxl raises many types for a broken file
            raise IngestError(f"{path}: XLSX를 열 수 없습니다 ({e})") from None
        rows = list(wb.active.iter_rows(values_only=True))
        header = [str(h or "").strip() for h in rows[0]] if rows else []
        return [{h: ("" if v is None else str(v)) for h, v in zip(header, r)} for r in rows[1:]]
    text, _ = read_text(path)
    return [{(k or "").strip(): (v or "") for k, v in row.items()} for row in csv.DictReader(io.StringIO(text))]


# ---------------------------------------------------------------- row → record
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
    code = re.sub(r"\D", "", str(code or "")) if re.fullmatch(r"\s*\d+\s*", str(code or "")) else str(code or "").strip()
    if code:
        return code
    if name:
        m = matcher().match(name)
        if m:
            return m.code
    return ""


def build_posting(raw: dict, source: str, key: str) -> Posting:
    """Normalise one raw row (API field names). Raises FieldError naming the field at fault."""
    values = {k: clean_text(v) for k, v in raw.items() if k in POSTING_FIELDS and k not in {"id", "source", "place"}}
    p = Posting(id=f"{source}:{key}", source=source, **{k: v for k, v in values.items() if isinstance(v, str)})
    p.synthetic = str(raw.get("synthetic", "")).lower() in {"1", "true", "yes"}
    if not p.title:
        p.title = " ".join(x for x in (p.busplaName, p.jobNm) if x)
    if not p.title:
        raise FieldError("title", raw.get("title"), "구인제목이 없음")
    p.edu_min = int(parse_education(p.minEdubg or p.eduNm or p.reqEduc, "minEdubg" if p.minEdubg else "reqEduc"))
    career = parse_career(p.career or p.enterTpNm or p.reqCareer or p.enterType, "career")
    p.career_kind, p.career_months = career.kind, career.min_months
    sal_text = p.sal or p.salary
    salary = parse_salary(p.salTpNm or p.salaryType, sal_text, p.minSal if not sal_text else None,
                          p.maxSal if not sal_text else None, field="sal" if p.sal or p.salTpNm else "salary")
    p.wage_type, p.wage_min_month, p.wage_max_month = salary.wage_type, salary.monthly_min, salary.monthly_max
    p.occupation = _occupation(p.jobsCd, p.jobNm or p.relJobsNm, "jobsCd")
    p.place = _place([p.basicAddr, p.region, p.workRegion, p.compAddr])
    return p


def build_seeker(raw: dict, source: str, key: str) -> Seeker:
    values = {k: clean_text(v) for k, v in raw.items() if k in SEEKER_FIELDS and k not in {"id", "source", "place"}}
    s = Seeker(id=f"{source}:{key}", source=source,
               **{k: v for k, v in values.items() if k in {
                   "age_band", "education", "major", "certificates", "desired_occupation", "desired_job_name",
                   "desired_duties", "desired_region", "desired_wage", "registered"}})
    s.synthetic = str(raw.get("synthetic", "")).lower() in {"1", "true", "yes"}
    s.disability_type = disability_label(raw.get("disability_type"), raw.get("disability_grade")) or ""
    s.education_known = bool(s.education)
    s.edu_level = int(parse_education(s.education, "education")) if s.education else 0
    career = parse_career(raw.get("career") or "", "career")
    s.career_kind = "experienced" if career.kind == "experienced" else "new"
    s.career_months = career.min_months
    s.desired_occupation = _occupation(s.desired_occupation, s.desired_job_name, "desired_occupation")
    if not s.desired_occupation and not s.desired_job_name:
        raise FieldError("desired_occupation", raw.get("desired_job_name"), "희망직종이 없음")
    if not s.desired_occupation:
        raise FieldError("desired_job_name", s.desired_job_name, "희망직종을 직종코드에 대응할 수 없음")
    s.place = _place([s.desired_region])
    return s


# ---------------------------------------------------------------- formats and presets
@dataclass
class Format:
    """How to read a file: a row reader, a column mapping (file column → record field), a record kind."""

    name: str
    read: Callable[[Path], list[dict]]
    kind: str = "posting"  # 'posting' | 'seeker'
    source: str = ""
    mapping: dict[str, str] = field(default_factory=dict)
    key: Callable[[dict, int], str] | None = None
    prepare: Callable[[dict], dict] | None = None


def _key_from(*names: str) -> Callable[[dict, int], str]:
    def key(row: dict, row_no: int) -> str:
        for n in names:
            if str(row.get(n, "")).strip():
                return str(row[n]).strip()
        basis = "|".join(str(row.get(k, "")) for k in ("busplaName", "jobNm", "regDt", "title", "company"))
        return hashlib.sha1(basis.encode("utf-8")).hexdigest()[:16]
    return key


def _prepare_worknet_2024(row: dict) -> dict:
    """'신입/경력1년 학력무관 부산 해운대구' → career / education / region; 'condition' → wage."""
    text = re.sub(r"\s+", " ", row.get("career_edu_region", "")).strip()
    m = re.match(r"^(\S+)\s+(\S+\s*~\s*\S+|~\s*\S+|학력무관|초졸이하|중졸|고졸|대졸\(2~3년\)|대졸\(4년\)|석사|박사)\s*(.*)$", text)
    if m:
        row["career"], row["minEdubg"], row["region"] = m.group(1), m.group(2), m.group(3)
    else:
        row["region"] = text
    cond = row.get("condition", "").split("\n")[0]
    wm = re.match(r"^\s*(시급|일급|월급|연봉|주급)\s*(.*)$", cond)
    row["salTpNm"], row["sal"] = (wm.group(1), wm.group(2)) if wm else ("", cond)
    row["jobCont"] = row.get("duty", "")
    codes = [c for c in row.get("worknet_codes", "").split("|") if c]
    row["jobsCd"] = codes[0] if codes else ""
    dates = re.findall(r"(\d{2}/\d{2}/\d{2})", row.get("date", ""))
    row["regDt"], row["closeDt"] = (dates + ["", ""])[:2]
    return row


def _prepare_kead_seekers(row: dict) -> dict:
    return {"age_band": _age_band(row.get("연령", "")), "desired_region": row.get("희망지역", ""),
            "desired_job_name": row.get("희망직종", ""), "desired_wage": row.get("희망임금", ""),
            "disability_type": row.get("장애유형", ""), "disability_grade": row.get("중증여부", ""),
            "registered": row.get("구직등록일", ""), "연번": row.get("연번", "")}


def _age_band(age: str) -> str:
    try:
        a = int(float(age))
    except ValueError:
        return ""
    return f"{a // 10 * 10}대"


def _prepare_saramin(row: dict) -> dict:
    return {"title": row.get("채용공고명", ""), "company": row.get("회사명", ""), "region": row.get("근무지역", ""),
            "career": row.get("경력조건", ""), "minEdubg": row.get("교육", ""), "relJobsNm": row.get("직무명", ""),
            "jobCont": row.get("채용공고상세", "")[:2000], "closeDt": row.get("마감일", ""), "url": row.get("출처", ""),
            "salTpNm": "", "sal": "회사내규에 따름"}


def _prepare_mapped(mapping: dict[str, str]) -> Callable[[dict], dict]:
    def prepare(row: dict) -> dict:
        out = {mapping.get(k, k): v for k, v in row.items()}
        return out
    return prepare


FORMATS: dict[str, Format] = {
    "worknet-xml": Format("worknet-xml", read_worknet_xml, source="worknet", key=_key_from("wantedAuthNo")),
    "worknet-json": Format("worknet-json", lambda p: read_json_records(p, {"wantedAuthNo"}), source="worknet",
                           key=_key_from("wantedAuthNo")),
    "kead-json": Format("kead-json", lambda p: read_json_records(p, {"busplaName", "jobNm"}), source="kead",
                        key=_key_from("rno", "wantedAuthNo")),
    "csv": Format("csv", read_table, source="csv", key=_key_from("wantedAuthNo", "rno", "id")),
    "seekers-csv": Format("seekers-csv", read_table, kind="seeker", source="seekers", key=_key_from("id", "연번")),
    # presets for ../shared/data
    "worknet-2024": Format("worknet-2024", read_table, source="worknet2024", key=_key_from("wantedAuthNo"),
                           prepare=_prepare_worknet_2024),
    "worknet-seoul-2023": Format("worknet-seoul-2023", read_table, source="worknet-seoul",
                                 key=_key_from("company_id"), prepare=lambda r: {**r, "basicAddr": r.get("basicAddr", "")}),
    "kead-seekers": Format("kead-seekers", read_table, kind="seeker", source="kead-seekers",
                           key=_key_from("연번"), prepare=_prepare_kead_seekers),
    "saramin": Format("saramin", read_table, source="saramin", key=_key_from("url"), prepare=_prepare_saramin),
}

SHARED_DATASETS = {
    "worknet-2024": "worknet-postings-2024/worknet_positions_union_dedup.csv",
    "worknet-seoul-2023": "worknet-api-seoul-2023/worknet_list_seoul_20230330.csv",
    "kead-seekers": "kead-seekers-2025/kead_jobseekers_20251231.csv",
    "saramin": "saramin-it-sample/saramin_0626.csv",
}


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
        return len({r.row_no for r in self.rejects if not r.reason.startswith("미배치")})

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
                 progress: Callable[[int, int], None] | None = None) -> Iterator[tuple[int, Posting | Seeker | None, list[Reject]]]:
    """Yield (row number, record or None, rejects for that row). Row numbers are 1-based data rows
    (+1 for the header line in CSV, so they match what a spreadsheet shows)."""
    spec = FORMATS[fmt] if isinstance(fmt, str) else fmt
    path = Path(path)
    rows = spec.read(path)
    header_offset = 1 if spec.read is read_table else 0
    prepare = spec.prepare or (_prepare_mapped(mapping) if mapping else None)
    for i, row in enumerate(rows, start=1):
        row_no = i + header_offset
        try:
            data = prepare(dict(row)) if prepare else dict(row)
            if mapping and spec.prepare:
                data = {mapping.get(k, k): v for k, v in data.items()}
            key = spec.key(data, row_no) if spec.key else str(row_no)
            record = (build_seeker if spec.kind == "seeker" else build_posting)(data, spec.source, key)
            notes = []
            if record.place.geo_status != "ok":
                notes.append(Reject(row_no, "region", f"미배치(저장됨): {record.place.geo_note}",
                                    data.get("region") or data.get("desired_region") or ""))
            yield row_no, record, notes
        except FieldError as e:
            yield row_no, None, [Reject(row_no, e.field, e.reason, str(e.value))]
        if progress:
            progress(i, len(rows))


def ingest_file(store: Store, path: str | Path, fmt: str, mapping: dict[str, str] | None = None,
                source: str | None = None, progress: Callable[[int, int], None] | None = None,
                batch_size: int = 2000) -> IngestReport:
    """Read, normalise and upsert one file. A file that cannot be read at all raises IngestError
    before anything is written."""
    start = time.time()
    spec = FORMATS[fmt]
    if source:
        spec = Format(spec.name, spec.read, spec.kind, source, spec.mapping, spec.key, spec.prepare)
    report = IngestReport(str(path), fmt)
    pending: list = []
    upsert = store.upsert_seekers if spec.kind == "seeker" else store.upsert_postings
    total = UpsertCounts()

    def flush() -> None:
        c = upsert(pending)
        total.inserted += c.inserted
        total.updated += c.updated
        pending.clear()

    for row_no, record, rejects in iter_records(path, spec, mapping, progress):
        report.rows += 1
        report.rejects.extend(rejects)
        if record is not None:
            pending.append(record)
            report.unplaced += record.place.geo_status != "ok"
            if len(pending) >= batch_size:
                flush()
    flush()
    report.inserted, report.updated = total.inserted, total.updated
    report.seconds = time.time() - start
    store.log_ingest(f"{Path(path).name}:{start:.0f}", str(path), fmt, total, report.rejects)
    return report
