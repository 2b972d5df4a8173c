"""Issue #17's remaining reproductions, each a test that fails on the code before the fix: dates, unclosed
quotes, XLSX leading zeros and sheets, the real 고용24 detail schema, non-object list entries, and an ingest
killed with SIGKILL leaving a record that it was cut short."""
import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest
from conftest import needs_shared

from core.data.ingest import ingest_file
from core.data.store import Store

HEADER = "wantedAuthNo,title,company,region,salTpNm,sal,minEdubg,career,jobsCd,regDt,closeDt\n"


def _row(key: str, close: str = "채용시까지 26-12-20", reg: str = "26-11-20", title: str = "사무보조원 모집") -> str:
    return f"{key},{title},(주)가나,서울 강남구,월급,210만원,고졸,신입,029505,{reg},{close}\n"


def _write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def test_impossible_and_relative_dates_are_row_rejects_with_the_field(tmp_data):
    f = _write(tmp_data / "dates.csv", HEADER + _row("K1") + _row("K2", close="9999-99-99") + _row("K3", reg="어제")
               + _row("K4", close="2026-02-30") + _row("K5", close="상시채용"))
    store = Store()
    report = ingest_file(store, f, "csv")
    assert {p.id for p in store.postings()} == {"csv:K1", "csv:K5"}
    reasons = {(r.row_no, r.field): r.reason for r in report.rejects}
    assert "달력에 없는 날짜" in reasons[(3, "closeDt")] and "날짜 형식이 아님" in reasons[(4, "regDt")]
    assert (5, "closeDt") in reasons
    assert store.posting("csv:K1").close_date == "2026-12-20" and store.posting("csv:K5").close_date == ""


def test_unclosed_quote_is_named_not_reported_as_a_missing_title(tmp_data):
    text = HEADER + _row("K1") + 'K2,"청소원 모집,(주)다라,부산 해운대구,월급,220만원,학력무관,신입,069100,26-11-20,\n' \
        + _row("K3") + _row("K4")
    report = ingest_file(store := Store(), _write(tmp_data / "quote.csv", text), "csv")
    assert store.posting("csv:K1") is not None
    swallowed = [r for r in report.rejects if "따옴표" in r.reason]
    assert swallowed and swallowed[0].row_no == 3 and swallowed[0].field == "title"
    assert not any("구인제목이 없음" in r.reason for r in report.rejects)


def test_real_multiline_quoted_text_is_not_mistaken_for_an_unclosed_quote(tmp_data):
    duty = '"문서 정리, 자료 입력, 스캔, 우편 발송, 전화 응대, 비품 관리, 회의 준비, 일정 관리\n두 번째 줄, 쉼표, 여러 개, 있음, 가, 나, 다, 라"'
    text = "wantedAuthNo,title,region,jobCont,jobsCd\n" + f"K1,사무원,서울 강남구,{duty},029505\n"
    report = ingest_file(store := Store(), _write(tmp_data / "multi.csv", text), "csv")
    assert report.inserted == 1 and "두 번째 줄" in store.posting("csv:K1").jobCont


@needs_shared
def test_xlsx_keeps_leading_zeros_and_says_which_sheets_it_skipped(tmp_data):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["wantedAuthNo", "title", "region", "jobsCd"])
    ws.append(["X1", "웹 개발자", "서울 강남구", 24101])  # stored as a number, format General: the zero is gone
    ws.append(["X2", "응용 개발자", "서울 마포구", 24200])
    ws["D3"].number_format = "000000"  # Excel's way of showing 024200 while storing a number
    wb.create_sheet("두번째").append(["wantedAuthNo", "title"])
    wb["두번째"].append(["X9", "다른 시트의 공고"])
    wb.save(tmp_data / "codes.xlsx")
    store = Store()
    report = ingest_file(store, tmp_data / "codes.xlsx", "csv")
    assert store.posting("csv:X1").occupation == "024101" and store.posting("csv:X2").occupation == "024200"
    assert any("두번째" in r.reason and r.reason.startswith("알림") for r in report.rejects)
    assert report.rows == 2 and report.rejected == 0


DETAIL = """<?xml version="1.0" encoding="UTF-8"?>
<wantedDtl><wantedAuthNo>K100</wantedAuthNo>
  <corpInfo><corpNm>(주)하나</corpNm><reperNm>김대표</reperNm><corpAddr>경기도 수원시 장안구 정조로 1</corpAddr></corpInfo>
  <wantedInfo><jobsNm>청소원</jobsNm><wantedTitle>사무실 청소원 모집</wantedTitle><jobCont>사무실 청소</jobCont>
    <receiptCloseDt>20261231</receiptCloseDt><empTpNm>기간의 정함이 없는 근로계약</empTpNm><salTpNm>월급</salTpNm>
    <sal>230만원</sal><enterTpNm>관계없음</enterTpNm><eduNm>학력무관</eduNm><workRegion>경기 수원시 장안구</workRegion>
    <jobsCd>069100</jobsCd><disableCvntl>경사로</disableCvntl></wantedInfo>
  <empchargeInfo><empChargerDpt>인사팀</empChargerDpt><contactTelno>031-123-4567</contactTelno></empchargeInfo>
</wantedDtl>"""


def test_real_detail_schema_is_read_and_merged_with_the_list_record(tmp_data):
    store = Store()
    lst = """<wantedRoot><wanted><wantedAuthNo>K100</wantedAuthNo><company>(주)하나</company><title>청소원</title>
      <salTpNm>월급</salTpNm><sal>210만원</sal><region>경기 수원시 장안구</region><basicAddr>경기도 수원시 장안구 파장동</basicAddr>
      <minEdubg>학력무관</minEdubg><career>관계없음</career><jobsCd>069100</jobsCd><closeDt>채용시까지 26-12-31</closeDt>
      </wanted></wantedRoot>"""
    ingest_file(store, _write(tmp_data / "list.xml", lst), "worknet-xml")
    listed = store.posting("worknet:K100")
    report = ingest_file(store, _write(tmp_data / "detail.xml", DETAIL), "worknet-xml")
    assert (report.inserted, report.updated, report.rejected) == (0, 1, 0)
    merged = store.posting("worknet:K100")
    assert merged.title == "사무실 청소원 모집" and merged.company == "(주)하나" and merged.jobCont == "사무실 청소"
    assert merged.close_date == "2026-12-31" and merged.place.sigungu == listed.place.sigungu
    assert merged.place.geo_level == listed.place.geo_level == "emd"
    assert "031-123-4567" not in merged.to_json() and "김대표" not in merged.to_json()  # contacts never stored
    # the detail alone (no list record first) is a whole posting, not '구인제목이 없음'
    alone = ingest_file(Store(tmp_data / "other.db"), tmp_data / "detail.xml", "worknet-xml")
    assert alone.inserted == 1 and alone.rejected == 0


def test_non_object_entries_are_rejected_by_row_and_the_rest_kept(tmp_data):
    items = [{"wantedAuthNo": "J1", "title": "사무원", "region": "서울 강남구"}, "garbage", 42,
             {"wantedAuthNo": "J2", "title": "경비원", "region": "서울 마포구"}]
    report = ingest_file(store := Store(), _write(tmp_data / "l.json", json.dumps(items, ensure_ascii=False)),
                         "worknet-json")
    assert {p.id for p in store.postings()} == {"worknet:J1", "worknet:J2"}
    assert {(r.row_no, r.field) for r in report.rejects} == {(2, "record"), (3, "record")}


def test_an_ingest_killed_mid_file_is_reported_as_cut_short(tmp_data):
    rows = "".join(_row(f"K{i}") for i in range(6000))
    path = _write(tmp_data / "big.csv", HEADER + rows)
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(os.getcwd())!r})
        from core.data.ingest import ingest_file
        from core.data.store import Store

        class KillAfterFirstBatch:
            def __call__(self, label, done, total, note=""):
                if done == 4500:  # one batch of 2,000 written, more pending
                    os.kill(os.getpid(), signal.SIGKILL)

        ingest_file(Store(), {str(path)!r}, "csv", progress=KillAfterFirstBatch())
    """)
    proc = subprocess.run([sys.executable, "-c", script], env={**os.environ, "JOBLENS_DATA": str(tmp_data)})
    assert proc.returncode == -signal.SIGKILL
    store = Store()
    cut = store.interrupted_ingests()
    assert [c["source_file"] for c in cut] == [str(path)]
    assert 0 < store.counts()["postings"] < 6000
    ingest_file(store, path, "csv")  # a re-run makes it good
    assert store.interrupted_ingests() == [] and store.counts()["postings"] == 6000
    assert store.query("PRAGMA integrity_check")[0][0] == "ok"


@needs_shared
@pytest.mark.parametrize("code,expected", [("24101", "024101"), ("24100", "24100"), ("24", "024"), ("11", "11"), ("2", "02")])
def test_leading_zero_restored_only_when_the_padded_code_is_real(code, expected):
    from core.data.ingest import _with_leading_zero

    assert _with_leading_zero(code) == expected
