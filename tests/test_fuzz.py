"""Seeded fuzz suite (issue #17): malformed inputs across every reader and preset.

Each case writes a small file (good rows around one bad thing, or a file broken as a whole), ingests it into a
store that already holds data, and checks the outcome it must have:
- 'file'   : one IngestError naming the file, and the stored checksum unchanged;
- 'row'    : the bad row rejected with its field named, every good row of the file stored;
- 'stored' : harmless oddities (formula text, unknown region, markup) stored as text, good rows stored.
Any other exception (a traceback), or a case slower than its time bound (a hang), fails.

`python tests/test_fuzz.py` prints the table of cases by category and outcome.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
import re
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.data.formats import normalise_key  # noqa: E402
from core.data.ingest import FORMATS, IngestError, ingest_file  # noqa: E402
from core.data.store import Store  # noqa: E402

SEED = 20261124
CASE_SECONDS = 10  # a hang is a failure, not a slow test


# ---------------------------------------------------------------- good rows per format, by semantic slot
@dataclass(frozen=True)
class Spec:
    fmt: str
    kind: str  # 'posting' | 'seeker'
    render: str  # 'csv' | 'json-worknet' | 'json-kead' | 'xml'
    key: str  # the field holding the natural key
    slots: dict[str, str]  # semantic slot → field name in this format
    row: Callable[[str], dict]  # a good row for a key


def _posting_api(k: str) -> dict:
    return {"wantedAuthNo": k, "title": f"사무보조원 모집 {k}", "company": "(주)가나", "region": "서울 강남구",
            "salTpNm": "월급", "sal": "210만원", "minEdubg": "고졸", "career": "신입", "jobsCd": "029505",
            "regDt": "26-11-20", "closeDt": "채용시까지 26-12-20"}


def _kead(k: str) -> dict:
    return {"rno": k, "busplaName": "한빛복지관", "jobNm": "사무 보조원", "compAddr": "서울특별시 마포구 월드컵로 1",
            "salary": "2,100,000", "salaryType": "월급", "reqEduc": "무관", "reqCareer": "무관", "termDate": "2026-12-20"}


SPECS = [
    Spec("worknet-xml", "posting", "xml", "wantedAuthNo",
         {"title": "title", "wage": "sal", "date": "closeDt", "career": "career", "code": "jobsCd", "region": "region",
          "education": "minEdubg"}, _posting_api),
    Spec("worknet-json", "posting", "json-worknet", "wantedAuthNo",
         {"title": "title", "wage": "sal", "date": "closeDt", "career": "career", "code": "jobsCd", "region": "region",
          "education": "minEdubg"}, _posting_api),
    Spec("kead-json", "posting", "json-kead", "rno",
         {"wage": "salary", "date": "termDate", "career": "reqCareer", "region": "compAddr", "education": "reqEduc"},
         _kead),
    Spec("csv", "posting", "csv", "wantedAuthNo",
         {"title": "title", "wage": "sal", "date": "closeDt", "career": "career", "code": "jobsCd", "region": "region",
          "education": "minEdubg"}, _posting_api),
    Spec("seekers-csv", "seeker", "csv", "id",
         {"date": "registered", "career": "career", "code": "desired_occupation", "region": "desired_region",
          "education": "education", "age": "age_band"},
         lambda k: {"id": k, "age_band": "50대", "education": "고졸", "desired_occupation": "029505",
                    "desired_job_name": "사무 보조원", "desired_region": "서울 강남구", "disability_type": "지체장애",
                    "disability_grade": "경증", "career": "신입", "registered": "2026-11-01"}),
    Spec("worknet-2024", "posting", "csv", "wantedAuthNo",
         {"title": "title", "wage": "condition", "date": "date", "code": "worknet_codes",
          "region": "career_edu_region"},
         lambda k: {"wantedAuthNo": k, "title": f"경비원 모집 {k}", "duty": "건물 순찰", "career_edu_region":
                    "신입/경력1년 학력무관 부산 해운대구", "condition": "월급 210만원", "date": "24/03/19 등록\n24/05/18 마감",
                    "link": "", "worknet_codes": "069100", "snapshots": ""}),
    Spec("worknet-seoul-2023", "posting", "csv", "company_id",
         {"title": "title", "wage": "sal", "date": "closeDt", "career": "career", "code": "jobsCd", "region": "region",
          "education": "minEdubg"},
         lambda k: {"company_id": k, "company": "(주)윈윈", "title": f"건물 보안 {k}", "salTpNm": "월급",
                    "sal": "203만원 ~ 203만원", "region": "서울 강남구", "minEdubg": "학력무관", "career": "관계없음",
                    "regDt": "23-03-30", "closeDt": "채용시까지  23-04-14", "basicAddr": "서울특별시 강남구 테헤란로 516",
                    "jobsCd": "069100"}),
    Spec("kead-seekers", "seeker", "csv", "연번",
         {"date": "구직등록일", "region": "희망지역", "age": "연령", "disability": "장애유형"},
         lambda k: {"연번": k, "구직등록일": "2025-01-01", "연령": "55", "희망지역": "부산 동래구", "희망직종": "경비원",
                    "희망임금": "(시급)10030", "장애유형": "지체장애", "중증여부": "경증", "기관분류": "공단"}),
    Spec("saramin", "posting", "csv", "출처",
         {"title": "채용공고명", "date": "마감일", "career": "경력조건", "region": "근무지역", "education": "교육"},
         lambda k: {"직무명": "백엔드 개발", "회사명": "(주)코드", "채용공고명": f"백엔드 개발자 {k}", "근무지역": "서울 강남구",
                    "고용형태": "정규직", "경력조건": "경력 3년 이상", "교육": "대졸(4년)", "마감일": "상시채용(3일 전 등록)",
                    "출처": f"https://example.com/{k}", "채용공고상세": "Java 백엔드 개발"}),
]


def render(spec: Spec, rows: list[dict]) -> str:
    if spec.render == "csv":
        out = io.StringIO()
        header = list(dict.fromkeys(k for r in rows for k in r))
        w = csv.DictWriter(out, header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        return out.getvalue()
    if spec.render == "json-worknet":
        return json.dumps({"wantedRoot": {"total": len(rows), "wanted": rows}}, ensure_ascii=False)
    if spec.render == "json-kead":
        return json.dumps({"response": {"header": {"resultCode": "00"}, "body": {"items": {"item": rows}}}},
                          ensure_ascii=False)
    from xml.sax.saxutils import escape

    body = "".join("<wanted>" + "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in r.items()) + "</wanted>" for r in rows)
    return f'<?xml version="1.0" encoding="UTF-8"?><wantedRoot>{body}</wantedRoot>'


# ---------------------------------------------------------------- mutations
@dataclass
class Case:
    name: str
    category: str
    spec: Spec
    expect: str  # 'file' | 'row' | 'stored'
    content: bytes | None = None  # None: a special path (directory, missing)
    path_kind: str = "file"
    good_keys: list[str] = field(default_factory=list)  # values of the format's key field that must be stored
    bad_field: str | None = None
    # issue #29: what the answer must say (a file error's or the bad row's reason, or a notice when stored), a
    # value the stored record must hold (key, attribute, value), a column mapping, and the file's suffix
    says: str = ""
    value: tuple[str, str, str] | None = None
    mapping: dict[str, str] | None = None
    suffix: str | None = None


ROW_VALUES = {  # slot → (category, bad value, expected)
    "title": [("빈 값", "", "row")],
    "wage": [("음수 급여", "-210만원", "row"), ("무한대 급여", "inf", "row"), ("숫자 아님", "월급 이백만원 정도", "row")],
    "date": [("불가능한 날짜", "9999-99-99", "row"), ("상대 날짜", "어제", "row"), ("2월 30일", "2026-02-30", "row")],
    "career": [("999년 경력", "경력 999년", "row"), ("해석 불가", "아무거나", "row")],
    "code": [("직종코드 쓰레기", "ZZZ!!", "row")],
    "education": [("학력 해석 불가", "???", "row")],
    "age": [("연령 쓰레기", "-10", "row")],
    "disability": [("장애유형 아님", "날개장애", "row")],
    "region": [("알 수 없는 지역", "화성 어딘가", "stored")],
}
ANY_FIELD = [  # applied to the first text slot: these are stored as text, never executed or crashed on
    ("수식 셀", "=HYPERLINK(\"http://x\",\"클릭\")", "stored"), ("스크립트 태그", "<script>alert(1)</script>", "stored"),
    ("제어 문자", "사무\x07보조\x1b원", "stored"), ("깨진 UTF-8 바이트 (외톨이 서로게이트)", "사무\ud800원", "row"),
    ("20,001자 값", "가" * 20_001, "row"),
]
ROW_TOO_LONG = ("100,000자 넘는 행", "row")  # six fields of 19,000 characters: each allowed, the row not


def _bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding, errors="surrogatepass")


def build_cases(seed: int = SEED) -> list[Case]:
    rng = random.Random(seed)
    cases: list[Case] = []
    for spec in SPECS:
        prefix = lambda: f"F{rng.randrange(10**8):08d}"  # noqa: E731
        for slot, field_name in spec.slots.items():
            for category, value, expect in ROW_VALUES.get(slot, []):
                keys = [prefix() for _ in range(3)]
                rows = [spec.row(k) for k in keys]
                bad = rng.randrange(3)
                rows[bad][field_name] = value
                good = [r[spec.key] for i, r in enumerate(rows) if i != bad or expect == "stored"]
                cases.append(Case(f"{spec.fmt}:{category}", category, spec, expect, _bytes(render(spec, rows)), good_keys=good,
                                  bad_field=field_name))
        text_field = spec.slots.get("title") or spec.slots.get("region")
        for category, value, expect in ANY_FIELD:
            keys = [prefix() for _ in range(3)]
            rows = [spec.row(k) for k in keys]
            bad = rng.randrange(3)
            rows[bad][text_field] = (rows[bad][text_field] + " " + value) if expect == "stored" else value
            good = [r[spec.key] for i, r in enumerate(rows) if i != bad or expect == "stored"]
            cases.append(Case(f"{spec.fmt}:{category}", category, spec, expect, _bytes(render(spec, rows)), good_keys=good,
                              bad_field=text_field))
        keys = [prefix() for _ in range(3)]
        rows = [spec.row(k) for k in keys]
        rows[1].update({f"extra{i}": "나" * 19_000 for i in range(6)})
        cases.append(Case(f"{spec.fmt}:{ROW_TOO_LONG[0]}", ROW_TOO_LONG[0], spec, "row", _bytes(render(spec, rows)),
                          good_keys=[rows[0][spec.key], rows[2][spec.key]]))
        # the key itself: zero-width and BOM variants of one key are one record, not three
        k = prefix()
        rows = [spec.row(k), spec.row(k), spec.row(k)]
        rows[1][spec.key] += "\u200b"
        rows[2][spec.key] = "\ufeff" + rows[2][spec.key]
        cases.append(Case(f"{spec.fmt}:보이지 않는 문자 키", "보이지 않는 문자 키", spec, "stored", _bytes(render(spec, rows)),
                          good_keys=[rows[0][spec.key]]))
        if spec.render.startswith("json"):  # the JSON escape of a lone surrogate: kept as '�', never a crash
            rows = [spec.row(prefix()) for _ in range(2)]
            text_field = spec.slots.get("title") or spec.slots.get("region")
            raw = render(spec, rows).replace(rows[0][text_field], rows[0][text_field] + "\\ud800", 1)
            cases.append(Case(f"{spec.fmt}:JSON 외톨이 서로게이트 이스케이프", "JSON 외톨이 서로게이트 이스케이프", spec, "stored",
                              _bytes(raw), good_keys=[r[spec.key] for r in rows]))
        # files broken as a whole
        good_rows = [spec.row(prefix()) for _ in range(3)]
        good = render(spec, good_rows)
        cases.append(Case(f"{spec.fmt}:UTF-16 (BOM)", "UTF-16 (BOM, 엑셀 유니코드 텍스트)", spec, "stored", good.encode("utf-16"),
                          good_keys=[r[spec.key] for r in good_rows]))
        cut = rng.randrange(len(good) // 3, 2 * len(good) // 3)
        whole = [
            ("빈 파일", b""), ("BOM만", b"\xef\xbb\xbf"), ("임의 바이트", bytes(rng.randrange(256) for _ in range(600))),
            ("UTF-16 (BOM 없음)", good.encode("utf-16-le")), ("NUL 바이트", b"\x00" * 64),
        ]
        if spec.render == "csv":
            whole.append(("머리글만", _bytes(good.split("\n", 1)[0] + "\n")))
        else:
            whole += [("중간에 잘림", _bytes(good[:cut])), ("구조 없음", _bytes("hello, world"))]
        if spec.render.startswith("json"):
            whole += [("깊은 중첩", _bytes("[" * 100_000 + "]" * 100_000)), ("객체 아닌 최상위", _bytes("42"))]
        if spec.render == "xml":
            whole += [("XXE", _bytes('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                                     "<wantedRoot><wanted><title>&x;</title></wanted></wantedRoot>")),
                      ("엔티티 폭탄", _bytes('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
                                          '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
                                          "<wantedRoot><wanted><title>&c;</title></wanted></wantedRoot>")),
                      ("EUC-KR 선언 + 깨진 바이트", b'<?xml version="1.0" encoding="EUC-KR"?><wantedRoot>\xff\xfe\xfd</wantedRoot>')]
        for category, content in whole:
            cases.append(Case(f"{spec.fmt}:{category}", category, spec, "file", content))
        cases.append(Case(f"{spec.fmt}:폴더 경로", "폴더 경로", spec, "file", None, path_kind="dir"))
        cases.append(Case(f"{spec.fmt}:없는 경로", "없는 경로", spec, "file", None, path_kind="missing"))
        cases += issue29_cases(spec, rng, prefix)
    return cases


# ---------------------------------------------------------------- issue #29: silent values, misleading messages, bombs
def _bad_row_case(spec: Spec, rng: random.Random, prefix, name: str, change, expect: str, says: str = "",
                  value: Callable[[dict], tuple[str, str, str]] | None = None, raw=None) -> Case:
    """Three good rows, one changed by `change(row)`; `raw(text, bad_row)` edits the rendered file instead."""
    rows = [spec.row(prefix()) for _ in range(3)]
    bad = rng.randrange(3)
    change(rows[bad])
    text = render(spec, rows)
    if raw:
        text = raw(text, rows[bad])
    good = [r[spec.key] for i, r in enumerate(rows) if i != bad or expect == "stored"]
    return Case(f"{spec.fmt}:{name}", name, spec, expect, _bytes(text), good_keys=good, says=says,
                value=value(rows[bad]) if value else None)


def _xlsx(sheets: list[tuple[str, list[list], str]], active: int = 0) -> bytes:
    """An XLSX from (title, rows, state) per sheet, the `active` one selected."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows, state in sheets:
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
        ws.sheet_state = state
    wb.active = active
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_bomb(rows: int) -> bytes:
    """A small XLSX that unpacks to `rows` rows (the issue's 890 KB file held 3,000,000): written part by part."""
    import zipfile

    buf = io.BytesIO()
    ok = _xlsx([("Sheet", [["wantedAuthNo", "title"], ["B0", "폭탄"]], "visible")])
    with zipfile.ZipFile(io.BytesIO(ok)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for item in src.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(item, src.read(item))
                continue
            head, _, tail = src.read(item).partition(b"<sheetData>")
            tail = tail.partition(b"</sheetData>")[2]
            with dst.open("xl/worksheets/sheet1.xml", "w") as part:
                part.write(re.sub(rb'<dimension ref="[^"]*"/>', b"", head) + b"<sheetData>")
                block = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (i, i)
                                 for i in range(1, 10_001))
                for _ in range(rows // 10_000):
                    part.write(block)  # row numbers repeat: openpyxl reads every one all the same
                part.write(b"</sheetData>" + tail)
    return buf.getvalue()


def issue29_cases(spec: Spec, rng: random.Random, prefix) -> list[Case]:
    cases: list[Case] = []
    text_field = spec.slots.get("title") or spec.slots.get("region")
    key_of = lambda row: normalise_key(row[spec.key])  # noqa: E731
    if "career" in spec.slots:  # '경력 -5년' was 60 months, 'experienced'
        cases.append(_bad_row_case(spec, rng, prefix, "음수 경력", lambda r: r.update({spec.slots["career"]: "경력 -5년"}),
                                   "row", "음수"))
    if spec.slots.get("wage") == "sal":  # minSal > maxSal was swapped silently
        cases.append(_bad_row_case(spec, rng, prefix, "최소 급여 > 최대 급여",
                                   lambda r: r.update({"sal": "", "salTpNm": "월급", "minSal": "3000000", "maxSal": "2000000"}),
                                   "row", "최대 급여"))
    # NUL, bidi controls and a zero-width space in a title (or region) were stored as they came
    cases.append(_bad_row_case(spec, rng, prefix, "NUL·방향 제어 문자", lambda r: r.update(
        {text_field: r[text_field].replace(" ", "\u202e \u200b", 1) + "\u2066\x00"}), "stored", "보이지 않는 문자",
        value=lambda r: (key_of(r), "title" if "title" in spec.slots else "desired_region" if spec.kind == "seeker"
                         else text_field,
                         r[text_field].translate({0x202e: None, 0x200b: None, 0x2066: None, 0: None}))))
    if spec.render.startswith("json"):
        if "title" in spec.slots:  # a title of -1e309 was stored as '-inf'
            cases.append(_bad_row_case(spec, rng, prefix, "숫자 -1e309 제목", lambda r: r.update({"title": "@@NUM@@"}), "stored",
                                       value=lambda r: (key_of(r), "title", "-1e309"),
                                       raw=lambda t, r: t.replace('"@@NUM@@"', "-1e309")))
        # a 5,000-digit integer: Python's int-digits advice, naming no file
        cases.append(_bad_row_case(spec, rng, prefix, "5,000자리 정수", lambda r: r.update({"busplaName": "@@BIG@@"}), "stored",
                                   raw=lambda t, r: t.replace('"@@BIG@@"', "7" * 5000)))
        field_name = spec.slots.get("title") or spec.slots["wage"]  # one key twice in a record: the last won silently
        cases.append(_bad_row_case(spec, rng, prefix, "JSON 중복 키", lambda r: None, "row", "두 번", raw=lambda t, r: t.replace(
            json.dumps(field_name) + ": " + json.dumps(r[field_name], ensure_ascii=False),
            json.dumps(field_name) + ": " + json.dumps(r[field_name], ensure_ascii=False) + ', "' + field_name + '": "다른 값"', 1)))
    if spec.render == "xml":
        cases.append(_bad_row_case(spec, rng, prefix, "XML 중복 자식", lambda r: None, "row", "두 번", raw=lambda t, r: t.replace(
            f"<title>{r['title']}</title>", f"<title>{r['title']}</title><title>다른 제목</title>", 1)))
        cases.append(_bad_row_case(spec, rng, prefix, "마크업 제목", lambda r: None, "stored",
                                   value=lambda r: (key_of(r), "title", "급구 " + r["title"]),
                                   raw=lambda t, r: t.replace(f"<title>{r['title']}</title>", f"<title><b>급구</b> {r['title']}</title>", 1)))
        rows = [spec.row(prefix()) for _ in range(3)]  # a comment mentioning <!DOCTYPE refused the whole file
        text = render(spec, rows).replace("<wantedRoot>", "<wantedRoot><!-- 예전 형식: <!DOCTYPE wantedRoot> 없음 -->", 1)
        cases.append(Case(f"{spec.fmt}:DOCTYPE 언급 주석", "DOCTYPE 언급 주석", spec, "stored", _bytes(text),
                          good_keys=[r[spec.key] for r in rows]))
    if spec.render == "csv":
        good_rows = [spec.row(prefix()) for _ in range(3)]
        header = list(good_rows[0])
        body = render(spec, good_rows)
        cases.append(Case(f"{spec.fmt}:엑셀 sep= 줄", "엑셀 sep= 줄", spec, "stored", _bytes("sep=,\n" + body),
                          good_keys=[r[spec.key] for r in good_rows]))
        twice = body.replace(header[-1], header[1], 1) if len(header) > 2 else body
        cases.append(Case(f"{spec.fmt}:중복 머리글", "중복 머리글", spec, "file", _bytes(twice), says="두 번"))
        def on_line(text: str, row: dict, edit) -> str:  # the bad row's line (it holds the row's key), edited
            return "\n".join(edit(line) if row[spec.key] in line else line for line in text.split("\n"))

        cases.append(_bad_row_case(spec, rng, prefix, "칸이 많은 행", lambda r: None, "row", "많음",
                                   raw=lambda t, r: t.replace(f"{r[spec.key]},", f"{r[spec.key]},남는 칸,", 1)))
        cases.append(_bad_row_case(spec, rng, prefix, "칸이 모자란 행", lambda r: None, "row", "모자람",
                                   raw=lambda t, r: on_line(t, r, lambda line: ",".join(line.split(",")[:2]))))
        if spec.fmt == "csv":  # two columns mapped to one field: one won silently
            rows = [{**spec.row(prefix()), "공고명": "다른 제목"} for _ in range(2)]
            cases.append(Case(f"{spec.fmt}:두 열이 한 필드로", "두 열이 한 필드로", spec, "file", _bytes(render(spec, rows)),
                              says="여러 열", mapping={"공고명": "title", "title": "title"}))
        # XLSX: a formula with no saved value, data on the second sheet, a hidden first sheet, a bomb, a broken part
        rows = [spec.row(prefix()) for _ in range(3)]
        cols = list(rows[0])
        table = [cols] + [[r[c] for c in cols] for r in rows]
        target = spec.slots.get("title") or spec.slots.get("region")
        table[2][cols.index(target)] = '=CONCAT("사무","원")'
        cases.append(Case(f"{spec.fmt}:XLSX 값 없는 수식 셀", "XLSX 값 없는 수식 셀", spec, "row", _xlsx([("공고", table, "visible")]),
                          good_keys=[rows[0][spec.key], rows[2][spec.key]], says="수식", suffix="xlsx"))
        rows = [spec.row(prefix()) for _ in range(3)]
        table = [cols] + [[r[c] for c in cols] for r in rows]
        cases.append(Case(f"{spec.fmt}:XLSX 둘째 시트의 데이터", "XLSX 둘째 시트의 데이터", spec, "stored",
                          _xlsx([("표지", [], "visible"), ("공고", table, "visible")]), good_keys=[r[spec.key] for r in rows],
                          says="'공고' 시트를 읽었습니다", suffix="xlsx"))
        rows = [spec.row(prefix()) for _ in range(3)]
        hidden = [cols] + [[spec.row(prefix())[c] for c in cols]]
        table = [cols] + [[r[c] for c in cols] for r in rows]
        cases.append(Case(f"{spec.fmt}:XLSX 숨긴 첫 시트", "XLSX 숨긴 첫 시트", spec, "stored",
                          _xlsx([("옛 자료", hidden, "hidden"), ("공고", table, "visible")], active=1),
                          good_keys=[r[spec.key] for r in rows], says="숨긴 시트", suffix="xlsx"))
        cases.append(Case(f"{spec.fmt}:XLSX 압축 폭탄", "XLSX 압축 폭탄", spec, "file", XLSX_BOMB, says="XLSX", suffix="xlsx"))
        ok = io.BytesIO(_xlsx([("공고", table, "visible")]))
        cases.append(Case(f"{spec.fmt}:XLSX 없는 공유 문자열", "XLSX 없는 공유 문자열", spec, "file", _missing_shared_string(ok),
                          says="공유 문자열", suffix="xlsx"))
    cases.append(Case(f"{spec.fmt}:심볼릭 링크 순환", "심볼릭 링크 순환", spec, "file", None, path_kind="loop", says="링크"))
    return cases


def _missing_shared_string(xlsx: io.BytesIO) -> bytes:
    """The workbook with one cell pointing to shared string 999, which no table holds (openpyxl: IndexError)."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(xlsx) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<c r="B3" t="inlineStr"><is><t>[^<]*</t></is></c>', rb'<c r="B3" t="s"><v>999</v></c>', data)
            dst.writestr(item, data)
    return out.getvalue()


XLSX_BOMB = xlsx_bomb(300_000)  # over the 200,000-row limit; bench/bench_bounds.py times the 3,000,000-row one


CASES = build_cases()


# ---------------------------------------------------------------- running one case
def checksum(store: Store) -> str:
    h = hashlib.sha1()
    for table in ("postings", "seekers"):
        for row in store.query(f"SELECT id, json FROM {table} ORDER BY id"):
            h.update("\x1f".join(map(str, row)).encode("utf-8", errors="surrogatepass"))
    return h.hexdigest()


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


def run_case(case: Case, store: Store, tmp: Path) -> tuple[str, str]:
    """(outcome, detail): outcome is 'file', 'row', 'stored' or 'FAIL'."""
    suffix = case.suffix or {'csv': 'csv', 'xml': 'xml'}.get(case.spec.render, 'json')
    path = tmp / f"case{abs(hash(case.name)) % 10**8}.{suffix}"
    if case.path_kind == "loop":
        path = tmp / f"loop{abs(hash(case.name)) % 10**8}.{suffix}"
        path.unlink(missing_ok=True)
        path.symlink_to(path.name)  # a link to itself
    elif case.path_kind == "dir":
        path = tmp / "a_directory"
        path.mkdir(exist_ok=True)
    elif case.path_kind == "missing":
        path = tmp / "no_such_file.csv"
    else:
        path.write_bytes(case.content)
    before = checksum(store)
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CASE_SECONDS)
    start = time.monotonic()
    try:
        report = ingest_file(store, path, case.spec.fmt, mapping=case.mapping)
    except IngestError as e:
        message = str(e)
        if time.monotonic() - start >= CASE_SECONDS:  # a reader that caught the alarm and called it a bad file
            return "FAIL", f"{CASE_SECONDS}초 넘게 걸린 뒤에야 파일 오류: {message[:80]}"
        if checksum(store) != before:
            return "FAIL", f"파일 오류인데 저장소가 바뀜: {message}"
        if str(path) not in message and path.name not in message:
            return "FAIL", f"오류가 파일을 말하지 않음: {message}"
        if case.says and case.says not in message:
            return "FAIL", f"오류가 원인('{case.says}')을 말하지 않음: {message}"
        return "file", message[:120]
    except Hang:
        return "FAIL", f"{CASE_SECONDS}초 넘게 걸림 (멈춤)"
    except Exception as e:  # a traceback: the defect this suite exists to catch
        return "FAIL", f"{type(e).__name__}: {str(e)[:200]}"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    elapsed = time.monotonic() - start
    source = FORMATS[case.spec.fmt].source
    wanted = [f"{source}:{normalise_key(k)}" for k in case.good_keys]
    stored_ids = set(store.postings_by_id(wanted)) if case.spec.kind == "posting" else {i for i in wanted if store.seeker(i)}
    missing = [i for i in wanted if i not in stored_ids]
    if missing:
        return "FAIL", f"좋은 행이 저장되지 않음: {missing} (거부: {[(r.row_no, r.field, r.reason) for r in report.rejects]})"
    reasons = [r.reason for r in report.rejects]
    if case.says and not any(case.says in r for r in reasons):
        return "FAIL", f"거부·알림이 원인('{case.says}')을 말하지 않음: {reasons[:3]}"
    if case.value:
        key, attribute, expected = case.value
        record = (store.posting if case.spec.kind == "posting" else store.seeker)(f"{source}:{key}")
        got = getattr(record, attribute, None) if record else None
        if got != expected:
            return "FAIL", f"저장된 {attribute}가 {expected!r}가 아니라 {got!r}"
    if report.rejected:
        named = [r for r in report.rejects if r.row_no > 0 and r.field and r.reason]
        if not named:
            return "FAIL", "거부 사유에 행·필드가 없음"
        return "row", f"{named[0].row_no}행 {named[0].field}: {named[0].reason[:60]} ({elapsed:.2f}s)"
    return "stored", f"행 {report.rows}, 신규 {report.inserted} · 갱신 {report.updated}"


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    with pytest.MonkeyPatch.context() as env:  # restored after this module: a later page test must not open an empty store here
        env.setenv("JOBLENS_DATA", str(root))
        store = Store(root / "fuzz.db")
        for spec in SPECS:  # stored data every case must leave alone
            (root / f"seed-{spec.fmt}").write_text(render(spec, [spec.row(f"SEED{i}") for i in range(3)]), encoding="utf-8")
            ingest_file(store, root / f"seed-{spec.fmt}", spec.fmt)
        yield store, root


def test_the_suite_is_big_enough_and_covers_every_reader():
    assert len(CASES) >= 100
    assert {c.spec.fmt for c in CASES} == set(FORMATS)
    assert {c.expect for c in CASES} == {"file", "row", "stored"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_input_is_answered_clearly(case, fuzz_store):
    store, root = fuzz_store
    outcome, detail = run_case(case, store, root)
    assert outcome == case.expect, f"{case.name}: expected {case.expect}, got {outcome}: {detail}"
    assert store.query("PRAGMA integrity_check")[0][0] == "ok"


def table() -> str:
    import tempfile

    root = Path(tempfile.mkdtemp())
    os.environ["JOBLENS_DATA"] = str(root)
    store = Store(root / "fuzz.db")
    counts: Counter = Counter()
    fails = []
    start = time.monotonic()
    for case in CASES:
        outcome, detail = run_case(case, store, root)
        counts[(case.category, outcome)] += 1
        if outcome != case.expect:
            fails.append(f"{case.name}: {outcome} {detail}")
    categories = list(dict.fromkeys(c.category for c in CASES))
    lines = ["| category | cases | file error | row reject | stored as text | FAIL |", "|---|---|---|---|---|---|"]
    for cat in categories:
        row = [counts[(cat, o)] for o in ("file", "row", "stored", "FAIL")]
        lines.append(f"| {cat} | {sum(row)} | " + " | ".join(str(x) for x in row) + " |")
    lines.append(f"\n{len(CASES)} cases over {len(FORMATS)} formats in {time.monotonic() - start:.1f} s; "
                 f"{len(fails)} not as expected")
    return "\n".join(lines + fails)


if __name__ == "__main__":
    print(table())
