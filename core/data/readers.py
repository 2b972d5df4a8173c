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


def read_text(path: str | Path) -> tuple[str, str]:
    """Decode a file as UTF-8 (with or without BOM), else CP949 (data.go.kr's usual encoding)."""
    data = read_bytes(path)
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
    # the text is already decoded (UTF-8 or CP949/EUC-KR); a declaration naming another encoding would make
    # the parser refuse it ('multi-byte encodings are not supported'), so it is dropped
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        root = ET.fromstring(text)
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
        rows = _find_dict_lists(obj, marker)
    except json.JSONDecodeError as e:
        raise IngestError(f"{path}: JSON 구문 오류 (줄 {e.lineno}, 열 {e.colno})") from None
    except RecursionError:
        raise IngestError(f"{path}: JSON이 너무 깊게 중첩되어 있습니다 (API 응답 형식이 아님)") from None
    if not rows:
        raise IngestError(f"{path}: 레코드 목록을 찾지 못했습니다 (필드 {sorted(marker)[:3]} 없음)")
    return rows


def read_table(path: str | Path) -> list[dict]:
    path = Path(path)
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        import openpyxl

        check_file(path)
        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as e:  # openpyxl raises many types for a broken file
            raise IngestError(f"{path}: XLSX를 열 수 없습니다 ({e})") from None
        rows = list(wb.active.iter_rows(values_only=True))
        header = [str(h or "").strip() for h in rows[0]] if rows else []
        return [{h: ("" if v is None else str(v)) for h, v in zip(header, r)} for r in rows[1:]]
    text, _ = read_text(path)
    if "\r" in text and "\n" not in text:  # old Mac line endings: one line per row all the same
        text = text.replace("\r", "\n")
    csv.field_size_limit(MAX_FILE_BYTES)  # the reader takes any field; the row check applies MAX_FIELD_CHARS
    header = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header.count)  # Excel in some locales saves ';' or tab
    try:
        return [{(k or "").strip(): (v or "") for k, v in row.items()}
                for row in csv.DictReader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as e:
        raise IngestError(f"{path}: CSV를 읽을 수 없습니다 ({e})") from None
