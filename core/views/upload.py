"""An analyst's file upload on 코퍼스 현황: the formats offered, limits, and a preview of how rows parse.
The storing itself is `ingest_file`, the one path every file takes."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..data.formats import FORMATS
from ..data.ingest import iter_records
from ..data.readers import REJECT_KEY
from ..data.records import Posting, field_label

MAX_UPLOAD_MB = 50  # also .streamlit/config.toml server.maxUploadSize
UPLOAD_TYPES = ["csv", "xlsx", "json", "xml"]
FORMAT_LABELS = {
    "csv": "공고 CSV·XLSX (열 이름 = 고용24 필드, 또는 열 대응)", "seekers-csv": "구직자 CSV·XLSX",
    "worknet-xml": "고용24 채용정보 XML (목록·상세)", "worknet-json": "고용24 채용정보 JSON", "kead-json": "KEAD 장애인 구인 JSON",
    "worknet-2024": "워크넷 2024 공고 CSV", "worknet-seoul-2023": "고용24 목록 CSV (서울 2023)",
    "kead-seekers": "KEAD 구직자 CSV", "saramin": "사람인 CSV",
}


def guess_format(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    return {".xml": "worknet-xml", ".json": "worknet-json"}.get(suffix, "csv")


def save_upload(folder: Path, filename: str, data: bytes) -> Path:
    """The upload as a file the readers can open; a wrong type or an oversized file is a ValueError."""
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix not in UPLOAD_TYPES:
        raise ValueError(f"{filename}: {', '.join(UPLOAD_TYPES)} 파일만 올릴 수 있습니다")
    if len(data) > MAX_UPLOAD_MB * 2**20:
        raise ValueError(f"{filename}: {MAX_UPLOAD_MB} MB를 넘습니다 ({len(data) / 2**20:,.1f} MB). 나누어 올리세요")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(filename).name
    path.write_bytes(data)
    return path


def preview(path: Path, fmt: str, mapping: dict[str, str] | None = None, n: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the first raw rows, how each would be stored or why it would be rejected). Raises IngestError when the
    file cannot be read as a whole."""
    raw = pd.DataFrame([{k: v for k, v in r.items() if k != REJECT_KEY} for r in FORMATS[fmt].read(path)[:n]])
    parsed = []
    for row_no, record, rejects in iter_records(path, fmt, mapping):
        if row_no == 0:
            continue
        if record is None:
            parsed.append({"행": row_no, "결과": "거부", "필드": ", ".join(dict.fromkeys(field_label(r.field) for r in rejects)),
                           "사유": " / ".join(r.reason for r in rejects)})
        else:
            label = record.title if isinstance(record, Posting) else (record.desired_job_name or record.desired_occupation)
            place = " ".join(x for x in (record.place.sido, record.place.sigungu) if x) or "미배치"
            parsed.append({"행": row_no, "결과": "저장", "필드": "", "사유": "", "제목·희망직종": label, "위치": place})
        if len(parsed) >= n:
            break
    return raw, pd.DataFrame(parsed)


def rejects_frame(report) -> pd.DataFrame:
    return pd.DataFrame([{"행": r.row_no, "필드": field_label(r.field), "사유": r.reason, "값": str(r.value)[:80]}
                         for r in report.rejects])


def in_words(error: Exception, path: Path | None, name: str) -> str:
    """An ingest error as the uploader sees it: the name of their file where the message names the server's copy
    (a counselor has no use for /srv/…/data/uploads/…, and the server's folders are not theirs to see)."""
    return str(error).replace(str(path), name) if path else str(error)
