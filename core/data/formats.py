"""Formats: how each kind of file is read (row reader, key, preparation), with presets for ../shared/data."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..text.particles import particle
from ..text.pii import RRN_MASK, mask_rrn
from .normalize import FieldError
from .readers import parse_json_records, parse_worknet_xml, read_json_records, read_table, read_worknet_xml


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
    parse: Callable[[str, str], list[dict]] | None = None  # an API reply's text → rows (a sync's page, in memory)


def normalise_key(value: object) -> str:
    """NFKC, with zero-width characters and BOMs removed: 'K1', 'K1\u200b' and '\ufeffK1' are one posting."""
    return re.sub(r"[\u200b-\u200d\u2060\ufeff\s]", "", unicodedata.normalize("NFKC", str(value)))


def _key_from(*names: str, required: str = "") -> Callable[[dict, int], str]:
    """The row's natural key: the first of `names` it fills. A generic postings file without one is keyed by a hash
    of what names the posting. `required` (what the key is, in words): the format always writes its key, and a row
    without it is rejected naming the field. The hash fell back on posting fields a seekers row never has, so every
    seeker without an id was one record (a later person overwrote an earlier one, disability and all), and an API
    record without its key became a phantom posting that a sync asked the detail API for."""
    def key(row: dict, row_no: int) -> str:
        for n in names:
            if value := normalise_key(row.get(n, "")):
                if RRN_MASK in mask_rrn(value):  # the key is shown on pages, in CSVs and in links
                    raise FieldError(n, RRN_MASK, "주민등록번호로 보이는 값은 번호(id)로 쓸 수 없습니다: 연번 등 다른 번호를 "
                                                  "쓰세요 (이 값은 저장하지 않았습니다)")
                return value
        if required:
            raise FieldError(names[0], "", f"{particle(required, '이/가')} 없음: 행마다 {' 또는 '.join(names)} 값이 있어야 합니다")
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
    if row.get("date", "").strip() and not dates:
        raise FieldError("date", row["date"][:60], "등록·마감일을 읽을 수 없음 (예: '24/03/19 등록')")
    row["regDt"], row["closeDt"] = (dates + ["", ""])[:2]
    return row


# a 부장애 as files name it (the field itself, or a Korean header left unmapped): filtered like the main one
SECONDARY_TYPE_COLUMNS = ("secondary_disability", "부장애유형", "부장애 유형", "부장애", "중복장애유형", "중복장애")
SECONDARY_GRADE_COLUMNS = ("secondary_disability_grade", "부장애정도", "부장애 정도", "부장애중증여부", "부장애 중증여부")


def _prepare_kead_seekers(row: dict) -> dict:
    """The KEAD seekers file's columns as seeker fields; its 부장애 columns, where an export carries them, pass through
    (the preset once built its row from the nine public columns only, and a 부장애 was dropped without a word)."""
    secondary = {c: row[c] for c in (*SECONDARY_TYPE_COLUMNS, *SECONDARY_GRADE_COLUMNS) if c in row}
    return {**secondary, "age_band": _age_band(row.get("연령", "")), "desired_region": row.get("희망지역", ""),
            "desired_job_name": row.get("희망직종", ""), "desired_wage": row.get("희망임금", ""),
            "disability_type": row.get("장애유형", ""), "disability_grade": row.get("중증여부", ""),
            "registered": row.get("구직등록일", ""), "연번": row.get("연번", "")}


def _age_band(age: str) -> str:
    try:
        a = int(float(age))
    except OverflowError:  # '1e400': a number, but no age
        raise FieldError("연령", age, "연령이 비정상적임 (15~100세)") from None
    except ValueError:
        return ""
    return age_band(a)


def age_band(age: int) -> str:
    """'40대'; an age no job seeker has is a reject, never a strange band ('-10대', '990대')."""
    if not 15 <= age <= 100:
        raise FieldError("연령", age, "연령이 비정상적임 (15~100세)")
    return f"{age // 10 * 10}대"


def _prepare_saramin(row: dict) -> dict:
    return {"title": row.get("채용공고명", ""), "company": row.get("회사명", ""), "region": row.get("근무지역", ""),
            "career": row.get("경력조건", ""), "minEdubg": row.get("교육", ""), "relJobsNm": row.get("직무명", ""),
            "jobCont": row.get("채용공고상세", "")[:2000], "closeDt": row.get("마감일", ""), "url": row.get("출처", ""),
            "salTpNm": "", "sal": "회사내규에 따름"}


def prepare_mapped(mapping: dict[str, str]) -> Callable[[dict], dict]:
    def prepare(row: dict) -> dict:
        out: dict = {}
        for k, v in row.items():
            target = mapping.get(k, k)
            if target in out and out[target] != v and out[target] and v:  # a mapped column meets one of that name
                other = next(c for c in row if c != k and mapping.get(c, c) == target)
                raise FieldError(target, v, f"두 열('{other}', '{k}')이 같은 필드에 대응되고 값이 다름")
            if v or target not in out:
                out[target] = v
        return out
    return prepare


FORMATS: dict[str, Format] = {
    "worknet-xml": Format("worknet-xml", read_worknet_xml, source="worknet",
                          key=_key_from("wantedAuthNo", required="구인인증번호"), parse=parse_worknet_xml),
    "worknet-json": Format("worknet-json", lambda p: read_json_records(p, {"wantedAuthNo"}), source="worknet",
                           key=_key_from("wantedAuthNo", required="구인인증번호"),
                           parse=lambda text, name: parse_json_records(text, {"wantedAuthNo"}, name)),
    "kead-json": Format("kead-json", lambda p: read_json_records(p, {"busplaName", "jobNm"}), source="kead",
                        key=_key_from("rno", "wantedAuthNo", required="구인 번호"),
                        parse=lambda text, name: parse_json_records(text, {"busplaName", "jobNm"}, name)),
    "csv": Format("csv", read_table, source="csv", key=_key_from("wantedAuthNo", "rno", "id")),
    "seekers-csv": Format("seekers-csv", read_table, kind="seeker", source="seekers",
                          key=_key_from("id", "연번", required="구직자 번호")),
    # presets for ../shared/data
    "worknet-2024": Format("worknet-2024", read_table, source="worknet2024", key=_key_from("wantedAuthNo"),
                           prepare=_prepare_worknet_2024),
    "worknet-seoul-2023": Format("worknet-seoul-2023", read_table, source="worknet-seoul",
                                 key=_key_from("company_id"), prepare=lambda r: {**r, "basicAddr": r.get("basicAddr", "")}),
    "kead-seekers": Format("kead-seekers", read_table, kind="seeker", source="kead-seekers",
                           key=_key_from("연번", required="구직자 번호"), prepare=_prepare_kead_seekers),
    "saramin": Format("saramin", read_table, source="saramin", key=_key_from("url"), prepare=_prepare_saramin),
}

SHARED_DATASETS = {
    "worknet-2024": "worknet-postings-2024/worknet_positions_union_dedup.csv",
    "worknet-seoul-2023": "worknet-api-seoul-2023/worknet_list_seoul_20230330.csv",
    "kead-seekers": "kead-seekers-2025/kead_jobseekers_20251231.csv",
    "saramin": "saramin-it-sample/saramin_0626.csv",
}
