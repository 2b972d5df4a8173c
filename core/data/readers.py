"""Raw row readers: bytes → text (UTF-8 or CP949) → rows as dicts of API field names, for 고용24 XML/JSON
(list and detail), KEAD JSON envelopes and CSV/XLSX tables. A file that cannot be read raises IngestError."""
from __future__ import annotations

import csv
import io
import json
import re
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

MAX_FILE_BYTES = 500 * 1024 * 1024  # one file; larger ones are split before ingesting
MAX_FIELD_CHARS = 20_000  # one field of one row; a longer value is a row reject (never the whole file)
MAX_ROW_CHARS = 100_000  # all fields of one row together; a real posting with full duties is under 10,000


class IngestError(ValueError):
    """The file as a whole cannot be read (encoding, syntax): nothing from it is stored."""


# ---------------------------------------------------------------- decoding
def read_bytes(path: str | Path) -> bytes:
    """The file's bytes, after `check_file`."""
    check_file(path)
    return Path(path).read_bytes()


def check_file(path: str | Path) -> None:
    """A regular file of a sane size, or IngestError: a directory, a named pipe or a device is refused at once
    instead of crashing or hanging the reader."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise IngestError(f"{path}: 파일이 없습니다") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "폴더" if stat.S_ISDIR(info.st_mode) else "일반 파일이 아닌 것(파이프·장치 등)"
        raise IngestError(f"{path}: {kind}입니다. 수집할 파일 경로를 지정하세요")
    if info.st_size > MAX_FILE_BYTES:
        raise IngestError(f"{path}: 파일이 너무 큽니다 ({info.st_size / 2**20:,.0f} MB > {MAX_FILE_BYTES // 2**20} MB)")


BROKEN_CHAR = "\ufffd"
MAX_BROKEN_SEQUENCES = 20  # a few broken bytes in a UTF-8 file reject their rows; more mean a wrong encoding


def read_text(path: str | Path) -> tuple[str, str]:
    """Decode a file as UTF-8 (with or without BOM), else CP949 (data.go.kr's usual encoding), else UTF-16 with
    its BOM (Excel's 'Unicode text'). A UTF-8 file with a few broken byte sequences is read with '�' in their
    place, so only the rows holding them are rejected (`iter_records`); anything else is one IngestError."""
    data = read_bytes(path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as e:
            err = e if encoding == "utf-8-sig" else err
    text = data.decode("utf-8-sig", errors="replace")
    if b"\x00" not in data and text.count(BROKEN_CHAR) <= MAX_BROKEN_SEQUENCES:
        return text, "utf-8 (깨진 바이트 포함)"
    raise IngestError(f"{path}: UTF-8도 CP949도 아닌 인코딩입니다 (바이트 {err.start} 근처). "
                      "파일을 UTF-8 또는 CP949로 저장해 주세요.")


# ---------------------------------------------------------------- raw row readers
class Rows(list):
    """A reader's rows plus file-level notices ('only the first sheet was read') for the ingest report."""

    def __init__(self, rows=(), notices: list[str] | None = None):
        super().__init__(rows)
        self.notices = notices or []


# The 고용24 detail response (callTp=D) names some fields differently from the list (callTp=L):
# <corpInfo><corpNm>, <wantedInfo><wantedTitle>, <jobsNm>, <receiptCloseDt>, <corpAddr>, <empTpNm>.
# They are read as the list names, so a detail merges into the list record instead of replacing it.
DETAIL_ALIASES = {"wantedTitle": "title", "corpNm": "company", "jobsNm": "jobNm", "receiptCloseDt": "closeDt",
                  "corpAddr": "compAddr", "empTpNm": "empType", "indTpCdNm": "indTpNm"}
# Contact fields of the detail response are personal data and never stored.
DETAIL_DROPPED = {"empchargeInfo", "empChargerDpt", "contactTelno", "chargerFaxNo", "reperNm"}


def with_list_names(row: dict) -> dict:
    """A detail row with the list's field names (a name the row already has under the list name wins)."""
    out = {k: v for k, v in row.items() if k not in DETAIL_ALIASES and k not in DETAIL_DROPPED}
    for detail_name, list_name in DETAIL_ALIASES.items():
        if row.get(detail_name) and not out.get(list_name):
            out[list_name] = row[detail_name]
    return out


def _xml_records(root: ET.Element, tags: tuple[str, ...]) -> list[dict]:
    out = []
    for element in root.iter():
        if element.tag in tags:
            row: dict = {}
            for child in element.iter():
                if child is element or len(child):
                    continue
                row.setdefault(child.tag, (child.text or "").strip())
            out.append(with_list_names(row))
    return out


def _flatten(obj: dict) -> dict:
    """Detail JSON nests corpInfo / wantedInfo: lift their leaves to one flat row, with the list's names."""
    return with_list_names(_leaves(obj))


def _leaves(obj: dict) -> dict:
    row: dict = {}
    for key, value in obj.items():
        if isinstance(value, dict):
            for k, v in _leaves(value).items():
                row.setdefault(k, v)
        elif not isinstance(value, list):
            row.setdefault(key, "" if value is None else str(value))
    return row


def _find_dict_lists(obj, marker: set[str]) -> list[dict]:
    """Find the records anywhere in an API JSON envelope (response.body.items.item, data, wantedRoot…):
    a list of dicts carrying a marker field, or a single dict (a detail response) that carries one.
    An entry of such a list that is not an object becomes an empty row, so it is rejected with its row number
    and the records after it are still read."""
    if isinstance(obj, list):
        if any(isinstance(x, dict) and marker & set(x) for x in obj):
            return [_flatten(x) if isinstance(x, dict) else {"__reject__": ("record", f"객체가 아님 ({type(x).__name__})")}
                    for x in obj]
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
    return parse_worknet_xml(read_text(path)[0], path)


def parse_worknet_xml(text: str, path: str | Path) -> list[dict]:
    """The records of a 고용24 XML reply already decoded (a file's, or a sync's page in memory); `path` names
    it in errors."""
    # the text is already decoded (UTF-8 or CP949/EUC-KR); a declaration naming another encoding would make
    # the parser refuse it ('multi-byte encodings are not supported'), so it is dropped
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    if re.search(r"<!(DOCTYPE|ENTITY)", text, flags=re.IGNORECASE):  # XXE and entity bombs, refused before parsing
        raise IngestError(f"{path}: XML에 DTD·엔티티 선언이 있습니다. 고용24 응답에는 없는 것이라 보안상 읽지 않습니다")
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", " ", text)  # control characters XML forbids, seen in pasted duties
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        raise IngestError(f"{path}: XML 구문 오류 ({e})") from None
    rows = _xml_records(root, ("wanted", "wantedDtl"))
    if not rows:
        raise IngestError(f"{path}: <wanted> 또는 <wantedDtl> 요소가 없습니다 (고용24 채용정보 XML이 아님)")
    return rows


def read_json_records(path: str | Path, marker: set[str]) -> list[dict]:
    return parse_json_records(read_text(path)[0], marker, path)


def parse_json_records(text: str, marker: set[str], path: str | Path) -> list[dict]:
    """The records (dicts holding a `marker` field) of a JSON reply already decoded; `path` names it in errors."""
    try:
        obj = json.loads(text)
        rows = _find_dict_lists(obj, marker)
    except json.JSONDecodeError as e:
        raise IngestError(f"{path}: JSON 구문 오류 (줄 {e.lineno}, 열 {e.colno})") from None
    except RecursionError:
        raise IngestError(f"{path}: JSON이 너무 깊게 중첩되어 있습니다 (API 응답 형식이 아님)") from None
    if not rows:
        raise IngestError(f"{path}: 레코드 목록을 찾지 못했습니다 (필드 {sorted(marker)[:3]} 없음)")
    return rows


REJECT_KEY = "__reject__"  # a reader's verdict on one row: (field, reason); the ingest turns it into a row reject


def read_table(path: str | Path) -> Rows:
    path = Path(path)
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _read_xlsx(path)
    text, _ = read_text(path)
    if "\r" in text and "\n" not in text:  # old Mac line endings: one line per row all the same
        text = text.replace("\r", "\n")
    csv.field_size_limit(MAX_FILE_BYTES)  # the reader takes any field; the row check applies MAX_FIELD_CHARS
    header = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header.count)  # Excel in some locales saves ';' or tab
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    rows = Rows()
    try:
        for row in reader:
            clean = {(k or "").strip(): (v or "") for k, v in row.items() if isinstance(v, str) or v is None}
            misshapen = None in row or any(v is None for v in row.values())  # fewer or more fields than the header
            swallowed = misshapen and _swallowed_row(clean, delimiter, len(reader.fieldnames or ()))
            if swallowed:
                clean[REJECT_KEY] = (swallowed, "따옴표(\")가 닫히지 않아 다음 행을 삼킴: 따옴표를 닫거나 지우세요")
            rows.append(clean)
    except csv.Error as e:
        raise IngestError(f"{path}: CSV를 읽을 수 없습니다 (줄 {reader.line_num}: {e})") from None
    return rows


def _swallowed_row(row: dict, delimiter: str, columns: int) -> str | None:
    """The field that an unclosed quote ran into the next line(s), in a row whose field count is off: a value
    holding a line break after which a line carries nearly a full row of delimiters. Real multi-line text
    (duties, quoted properly) leaves the row with exactly the header's fields."""
    if columns < 3:
        return None
    for name, value in row.items():
        if "\n" in value and any(line.count(delimiter) >= columns - 2 for line in value.split("\n")[1:]):
            return name
    return None


def _read_xlsx(path: Path) -> Rows:
    """The first sheet (a notice names any other sheet with data). A number cell formatted with leading zeros
    ('000000', how Excel keeps 024100 as a number) is read back with them."""
    import openpyxl

    check_file(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for a broken file
        raise IngestError(f"{path}: XLSX를 열 수 없습니다 ({e})") from None
    sheets = wb.worksheets
    rows = [[_cell_text(c) for c in r] for r in sheets[0].iter_rows()] if sheets else []
    header = [h.strip() for h in rows[0]] if rows else []
    others = [ws.title for ws in sheets[1:] if ws.max_row and ws.max_row > 1]
    notices = [f"첫 시트 '{sheets[0].title}'만 읽었습니다. 다른 시트({', '.join(others)})는 따로 저장해 올리세요"] if others else []
    return Rows(({h: v for h, v in zip(header, r)} for r in rows[1:] if any(r)), notices)


def _cell_text(cell) -> str:
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    fmt = getattr(cell, "number_format", "") or ""
    if isinstance(value, int | float) and re.fullmatch(r"0+", fmt) and float(value).is_integer():
        return str(int(value)).zfill(len(fmt))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
