"""Raw row readers: bytes → text (UTF-8 or CP949) → rows as dicts of API field names, for 고용24 XML/JSON
(list and detail), KEAD JSON envelopes and CSV/XLSX tables. A file that cannot be read raises IngestError."""
from __future__ import annotations

import csv
import io
import json
import re
import stat
import xml.etree.ElementTree as ET
import zlib
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
    except OSError as e:  # '[Errno 40] Too many levels of symbolic links' and the like, in words
        why = {40: "심볼릭 링크가 서로를 가리켜 끝나지 않습니다(링크 순환)", 13: "읽을 권한이 없습니다",
               36: "경로가 너무 깁니다", 20: "경로 중간에 폴더가 아닌 것이 있습니다"}.get(e.errno, f"열 수 없습니다 ({e.strerror})")
        raise IngestError(f"{path}: {why}") from None
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
    utf8_error: UnicodeDecodeError | None = None  # where UTF-8 failed: what the error names
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as e:
            utf8_error = utf8_error or e
    text = data.decode("utf-8-sig", errors="replace")
    if b"\x00" not in data and text.count(BROKEN_CHAR) <= MAX_BROKEN_SEQUENCES:
        return text, "utf-8 (깨진 바이트 포함)"
    raise IngestError(f"{path}: UTF-8도 CP949도 아닌 인코딩입니다 (바이트 {utf8_error.start} 근처). "
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
                if child is element or child.tag in MARKUP_TAGS or (len(child) and not _is_markup(child)):
                    continue
                text = ("".join(child.itertext()) if len(child) else child.text or "").strip()  # '<title><b>사무원</b>'
                if child.tag in row and row[child.tag] != text and row[child.tag] and text:
                    row[REJECT_KEY] = (child.tag, f"같은 필드 <{child.tag}>가 두 번 있고 값이 다름 "
                                                  f"('{row[child.tag][:20]}' / '{text[:20]}'): 어느 값인지 알 수 없음")
                row.setdefault(child.tag, text)
            out.append(with_list_names(row))
    return out


MARKUP_TAGS = {"b", "i", "u", "em", "strong", "br", "p", "span", "font", "div", "a", "sup", "sub", "small", "big"}


def _is_markup(element: ET.Element) -> bool:
    """A field holding HTML-ish markup ('<title><b>급구</b> 사무원</title>'): its text is the value."""
    return all(e.tag in MARKUP_TAGS for e in element.iter() if e is not element)


def _flatten(obj: dict) -> dict:
    """Detail JSON nests corpInfo / wantedInfo: lift their leaves to one flat row, with the list's names."""
    return with_list_names(_leaves(obj))


def _leaves(obj: dict) -> dict:
    row: dict = {}
    for key, value in obj.items():
        if key == REJECT_KEY:
            row.setdefault(key, value)
        elif isinstance(value, dict):
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
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)  # a comment that mentions '<!DOCTYPE' declares nothing
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
        # numbers kept as written: '-1e309' is not '-inf', and a 5,000-digit number is text, not Python's
        # int-digits error; a key given twice in one object is named, not silently won by the last
        obj = json.loads(text, parse_float=str, parse_int=str, parse_constant=str, object_pairs_hook=_no_duplicate_keys)
        rows = _find_dict_lists(obj, marker)
    except json.JSONDecodeError as e:
        raise IngestError(f"{path}: JSON 구문 오류 (줄 {e.lineno}, 열 {e.colno})") from None
    except RecursionError:
        raise IngestError(f"{path}: JSON이 너무 깊게 중첩되어 있습니다 (API 응답 형식이 아님)") from None
    if not rows:
        raise IngestError(f"{path}: 레코드 목록을 찾지 못했습니다 (필드 {sorted(marker)[:3]} 없음)")
    return rows


REJECT_KEY = "__reject__"  # a reader's verdict on one row: (field, reason); the ingest turns it into a row reject


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out and out[key] != value and key != REJECT_KEY:
            out[REJECT_KEY] = (key, f"같은 필드 '{key}'가 두 번 있고 값이 다름: 어느 값인지 알 수 없음")
            continue
        out[key] = value
    return out


def check_header(path, names: list[str]) -> None:
    """A header naming one column twice is refused, CSV or Excel alike: which one to read cannot be known (an Excel
    file took the last 'region' without a word, and the distance filter read that place)."""
    twice = sorted({n for n in names if n and names.count(n) > 1})
    if twice:
        where = ", ".join(f"'{n}' ({', '.join(str(i + 1) for i, m in enumerate(names) if m == n)}열)" for n in twice)
        raise IngestError(f"{path}: 머리글에 같은 열 이름이 두 번 있습니다: {where}. 어느 열을 쓸지 알 수 없어 읽지 않습니다")


def read_table(path: str | Path) -> Rows:
    path = Path(path)
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _read_xlsx(path)
    text, _ = read_text(path)
    if "\r" in text and "\n" not in text:  # old Mac line endings: one line per row all the same
        text = text.replace("\r", "\n")
    csv.field_size_limit(MAX_FILE_BYTES)  # the reader takes any field; the row check applies MAX_FIELD_CHARS
    sep = re.match(r"sep=(.)\r?\n", text)  # Excel's 'sep=;' first line: the delimiter, then the header
    if sep:
        text = text[sep.end():]
    header = text.split("\n", 1)[0]
    delimiter = sep.group(1) if sep else max((",", ";", "\t"), key=header.count)  # Excel in some locales: ';' or tab
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    rows = Rows()
    try:
        names = [(n or "").strip() for n in reader.fieldnames or ()]
        # the rest of the file went into the header (a line of it, past the break, holds the delimiter): every row
        # 'lacked' its title. A header cell quoted with a line break in it ('"메모\n(상담사)"') is read as written
        if any(delimiter in line for n in names for line in n.split("\n")[1:]):
            raise IngestError(f"{path}: 1행(머리글)의 따옴표(\")가 닫히지 않아 파일 전체가 머리글로 읽힙니다. 머리글의 따옴표를 "
                              "닫거나 지우세요")
        check_header(path, names)
        for row in reader:
            clean = {(k or "").strip(): (v or "") for k, v in row.items() if isinstance(v, str) or v is None}
            misshapen = None in row or any(v is None for v in row.values())  # fewer or more fields than the header
            swallowed = misshapen and _swallowed_row(clean, delimiter, len(names))
            if swallowed:
                clean[REJECT_KEY] = (swallowed, "따옴표(\")가 닫히지 않아 다음 행을 삼킴: 따옴표를 닫거나 지우세요")
            elif misshapen:
                clean[REJECT_KEY] = _misshapen(row, len(names), delimiter)
            rows.append(clean)
    except csv.Error as e:
        raise IngestError(f"{path}: CSV를 읽을 수 없습니다 (줄 {reader.line_num}: {e})") from None
    return rows


def _misshapen(row: dict, columns: int, delimiter: str) -> tuple[str, str]:
    """(field, reason) for a row with more or fewer cells than the header: extra cells were dropped and a short
    row stored half-empty, silently, before."""
    sign = {",": "쉼표", ";": "세미콜론", "\t": "탭"}.get(delimiter, delimiter)
    if row.get(None):
        extra = row[None]
        return "row", (f"칸이 머리글보다 많음 ({columns}열 머리글에 {columns + len(extra)}칸): 값 안의 {sign}는 "
                       f"따옴표로 감싸세요 (남는 값 '{str(extra[0])[:20]}')")
    given = sum(v is not None for k, v in row.items() if k is not None)
    return "row", f"칸이 모자람 ({columns}열 중 {given}칸): 빠진 칸을 채우거나 빈 칸도 {sign}로 구분하세요"


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


MAX_XLSX_ROWS = 200_000  # rows over all sheets; a bigger table comes as CSV (an 890 KB XLSX held 3,000,000 rows)
MAX_XLSX_UNPACKED = 200 * 2**20  # bytes of all parts unpacked, counted while unpacking (zip headers can lie)
_XML_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
_XML_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def check_xlsx_archive(path: Path) -> set[str]:
    """Refuse a zip bomb before openpyxl sees it: every part is unpacked as a stream, counting its real bytes
    and its sheets' <row> elements, and the file is refused as soon as either passes its limit (under a second
    for a bomb; openpyxl reading one reached 1.1 GB and ran past ten minutes). Returns the sheet parts that
    hold formulas."""
    import zipfile

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise IngestError(f"{path}: XLSX를 열 수 없습니다 (엑셀 파일이 아니거나 손상됨: {e})") from None
    unpacked, rows, formulas = 0, 0, set()
    with archive:
        for info in archive.infolist():
            sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            tail = b""
            try:
                with archive.open(info) as part:
                    while chunk := part.read(1 << 20):
                        unpacked += len(chunk)
                        if unpacked > MAX_XLSX_UNPACKED:
                            raise IngestError(f"{path}: XLSX를 풀면 {MAX_XLSX_UNPACKED // 2**20} MB가 넘습니다 (압축 폭탄이거나 "
                                              "너무 큰 표). CSV로 저장해 나누어 올리세요")
                        if sheet:
                            buf = tail + chunk
                            rows += sum(m.end() > len(tail) for m in _XML_ROW.finditer(buf))
                            if _XML_FORMULA.search(buf):
                                formulas.add(info.filename)
                            tail = buf[-16:]
                            if rows > MAX_XLSX_ROWS:
                                raise IngestError(f"{path}: XLSX 행이 {MAX_XLSX_ROWS:,}개를 넘습니다. CSV로 저장해 나누어 올리세요")
            except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError) as e:
                raise IngestError(f"{path}: XLSX의 '{info.filename}' 부분이 손상되었습니다 ({e})") from None
    return formulas


def _read_xlsx(path: Path) -> Rows:
    """The active sheet (the one Excel opens on; a hidden sheet never), or, when it holds no data, the first
    visible sheet that does, with a notice naming what was read and what was not. A number cell formatted
    with leading zeros ('000000', how Excel keeps 024100 as a number) is read back with them; a formula cell
    with no saved value is a row reject saying so (not '구인제목이 없음')."""
    import openpyxl

    check_file(path)
    formulas = check_xlsx_archive(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for a broken file
        raise IngestError(f"{path}: XLSX를 열 수 없습니다 ({e})") from None
    visible = [ws for ws in wb.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
    if not visible:
        raise IngestError(f"{path}: 보이는 시트가 없습니다 (모든 시트가 숨김)")
    active = wb.active if wb.active in visible else visible[0]
    order = [active] + [ws for ws in visible if ws is not active]
    notices: list[str] = []
    chosen, rows = None, []
    for ws in order:
        rows = _sheet_rows(path, ws, getattr(ws, "_worksheet_path", "") in formulas)
        if len(rows) > 1:
            chosen = ws
            break
    if chosen is None:
        return Rows([], notices)
    if chosen is not active:
        notices.append(f"활성 시트 '{active.title}'에 데이터가 없어 '{chosen.title}' 시트를 읽었습니다")
    hidden = [ws.title for ws in wb.worksheets if ws not in visible]
    others = [ws.title for ws in visible if ws is not chosen and ws is not active and ws.max_row and ws.max_row > 1]
    if others:
        notices.append(f"'{chosen.title}' 시트만 읽었습니다. 다른 시트({', '.join(others)})는 따로 저장해 올리세요")
    if hidden:
        notices.append(f"숨긴 시트({', '.join(hidden)})는 읽지 않았습니다")
    header = [str(h or "").strip() for h in rows[0][0]]
    check_header(path, header)
    out = Rows(notices=notices)
    for values, formula_at in rows[1:]:
        if not any(values):
            continue
        row = dict(zip(header, values))
        if formula_at is not None:
            name, formula = header[formula_at] if formula_at < len(header) else f"{formula_at + 1}열", values[formula_at]
            row[REJECT_KEY] = (name, f"수식 셀의 계산된 값이 파일에 없음 ({formula[:40]}): 엑셀에서 열어 저장하거나 "
                                     "'값으로 붙여넣기' 후 올리세요")
            row[name] = formula
        out.append(row)
    return out


def _sheet_rows(path: Path, ws, has_formulas: bool) -> list:
    """The sheet's rows as (texts, index of a formula cell with no saved value or None). Where the sheet holds formulas it is read a second time without data_only,
    in step, so a formula whose value Excel never saved is named instead of read as an empty cell.
    A broken part (a cell pointing to a missing shared string: openpyxl's IndexError) is one IngestError."""
    import openpyxl

    formula_rows = None
    if has_formulas:
        raw = openpyxl.load_workbook(path, read_only=True, data_only=False)
        formula_rows = raw[ws.title].iter_rows()
    out: list = []
    try:
        for r in ws.iter_rows():
            values = [_cell_text(c) for c in r]
            if formula_rows is not None:
                raw_values = [getattr(c, "value", None) for c in next(formula_rows, ())]
                at = next((i for i, (v, f) in enumerate(zip(values, raw_values))
                           if v == "" and isinstance(f, str) and f.startswith("=")), None)
                if at is not None:
                    values[at] = raw_values[at]
                    out.append((values, at))
                    continue
            out.append((values, None))
    except (IndexError, KeyError, ValueError, TypeError) as e:
        where = f"'{ws.title}' 시트 {len(out) + 1}행 근처"
        reason = "셀이 가리키는 공유 문자열이 없음" if isinstance(e, IndexError) else f"{type(e).__name__}: {e}"
        raise IngestError(f"{path}: XLSX 내용이 손상되었습니다 ({where}: {reason}). 엑셀에서 열어 다시 저장해 보세요") from None
    return out


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
