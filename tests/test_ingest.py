import json

import pytest

from core.data.ingest import IngestError, ingest_file
from core.data.store import Store

HEADER = "wantedAuthNo,title,company,region,salTpNm,sal,minEdubg,career,jobsCd\n"
GOOD = "K1,사무보조원 모집,(주)가나,서울 강남구,월급,210만원,고졸,신입,029505\n"


def _write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_bad_rows_do_not_block_good_rows(tmp_data):
    f = _write(tmp_data / "mixed.csv", HEADER + GOOD
               + "K2,,(주)다라,서울 강남구,월급,210만원,고졸,신입,029505\n"          # missing title
               + "K3,용접공 모집,(주)마바,부산 사하구,월급,2백오십,고졸,경력,098100\n"  # unparsable salary
               + "K4,경비원 모집,(주)사아,화성 어딘가,월급,220만원,학력무관,관계없음,067100\n"  # unknown region
               + "K5,조리사 모집,(주)자차,대구 수성구,시급,11000원,아무거나,신입,064100\n"  # bad education
               + "K6,바리스타,(주)카타,제주 제주시,시급,10030원,학력무관,관계없음,065100\n")
    store = Store()
    report = ingest_file(store, f, "csv")
    assert report.inserted == 3  # K1, K4 (stored, unplaced), K6
    assert {p.id for p in store.postings()} == {"csv:K1", "csv:K4", "csv:K6"}
    fields = {(r.row_no, r.field) for r in report.rejects}
    assert {(3, "title"), (4, "sal"), (6, "minEdubg")} <= fields
    assert report.rejected == 3
    unplaced = store.posting("csv:K4")
    assert unplaced.place.geo_status == "unplaced" and unplaced.place.lat is None and unplaced.place.geo_note
    assert report.unplaced == 1
    stored = store.query("SELECT row_no, field FROM rejects")
    assert (3, "title") in stored and (4, "sal") in stored


def test_reingest_updates_never_duplicates(tmp_data):
    f = _write(tmp_data / "a.csv", HEADER + GOOD)
    store = Store()
    assert ingest_file(store, f, "csv").inserted == 1
    _write(f, HEADER + GOOD.replace("210만원", "230만원"))
    again = ingest_file(store, f, "csv")
    assert (again.inserted, again.updated) == (0, 1)
    assert store.counts()["postings"] == 1
    assert store.posting("csv:K1").wage_min_month == 2_300_000


def test_cp949_file_is_read(tmp_data):
    f = _write(tmp_data / "cp.csv", HEADER + GOOD, encoding="cp949")
    report = ingest_file(Store(), f, "csv")
    assert report.inserted == 1 and not report.rejects


def test_undecodable_file_fails_whole_and_keeps_store(tmp_data):
    store = Store()
    ingest_file(store, _write(tmp_data / "ok.csv", HEADER + GOOD), "csv")
    bad = tmp_data / "bad.csv"
    bad.write_bytes(HEADER.encode() + b"\xff\xfe\xfa\xfb broken\n" * 30)  # broken throughout: a wrong encoding
    with pytest.raises(IngestError, match="인코딩"):
        ingest_file(store, bad, "csv")
    assert store.counts()["postings"] == 1
    # a few broken bytes in an otherwise UTF-8 file reject their row, naming the field; the good rows land
    few = tmp_data / "few.csv"
    few.write_bytes(HEADER.encode() + b"K7,\xed\xa0\x80 broken,(x),\xec\x84\x9c\xec\x9a\xb8 \xea\xb0\x95\xeb\x82\xa8\xea\xb5\xac,,,,,\n"
                    + GOOD.replace("K1", "K8").encode())
    report = ingest_file(store, few, "csv")
    assert report.inserted == 1 and [(r.row_no, r.field) for r in report.rejects] == [(2, "title")]
    assert "깨진 바이트" in report.rejects[0].reason


def test_worknet_xml_list_and_detail(tmp_data):
    xml = """<?xml version="1.0" encoding="UTF-8"?><wantedRoot><total>2</total>
      <wanted><wantedAuthNo>K100</wantedAuthNo><company>(주)하나</company><title>&lt;급구&gt; 청소원</title>
        <salTpNm>월급</salTpNm><sal>210만원 ~ 220만원</sal><region>경기 수원시 장안구</region><minEdubg>학력무관</minEdubg>
        <career>관계없음</career><jobsCd>069100</jobsCd></wanted>
      <wanted><wantedAuthNo>K101</wantedAuthNo><company>(주)둘</company><title>전기공</title>
        <salTpNm>시급</salTpNm><sal>12000원</sal><region>부산 해운대구</region><minEdubg>고졸</minEdubg>
        <career>경력</career><jobsCd>101100</jobsCd></wanted></wantedRoot>"""
    detail = """<wantedDtl><wantedAuthNo>K100</wantedAuthNo><corpInfo><corpNm>(주)하나</corpNm></corpInfo>
      <wantedInfo><wantedTitle>청소원</wantedTitle><jobCont>사무실 청소</jobCont><salTpNm>월급</salTpNm>
      <sal>230만원</sal><workRegion>경기 수원시 장안구</workRegion><title>청소원</title><minEdubg>00</minEdubg>
      <enterTpNm>관계없음</enterTpNm><jobsCd>069100</jobsCd><disableCvntl>경사로</disableCvntl></wantedInfo></wantedDtl>"""
    store = Store()
    r = ingest_file(store, _write(tmp_data / "list.xml", xml), "worknet-xml")
    assert r.inserted == 2
    p = store.posting("worknet:K100")
    assert p.title == "<급구> 청소원" and p.place.sido == "경기도" and p.wage_min_month == 2_100_000
    r = ingest_file(store, _write(tmp_data / "detail.xml", detail), "worknet-xml")
    assert (r.inserted, r.updated) == (0, 1)
    merged = store.posting("worknet:K100")
    assert merged.jobCont == "사무실 청소" and merged.disableCvntl == "경사로"  # detail fields added
    assert merged.company == "(주)하나" and merged.region == "경기 수원시 장안구"  # list-only fields kept
    assert merged.wage_min_month == 2_300_000  # a field both carry takes the newer value, derived values follow


def test_kead_json_envelope_and_broken_json(tmp_data):
    body = {"response": {"header": {"resultCode": "00"}, "body": {"items": {"item": [
        {"rno": "7", "busplaName": "한빛복지관", "compAddr": "서울특별시 마포구 월드컵로 1", "jobNm": "사무 보조원",
         "reqEduc": "무관", "reqCareer": "무관", "salary": "2,100,000", "salaryType": "월급",
         "envEyesight": "아주 작은 글씨를 읽을 수 있음", "envLiftPower": "5Kg 이내"}]}}}}
    store = Store()
    r = ingest_file(store, _write(tmp_data / "k.json", json.dumps(body, ensure_ascii=False)), "kead-json")
    assert r.inserted == 1
    p = store.posting("kead:7")
    assert p.title == "한빛복지관 사무 보조원" and p.place.sigungu == "마포구" and p.wage_min_month == 2_100_000
    with pytest.raises(IngestError, match="JSON"):
        ingest_file(store, _write(tmp_data / "broken.json", '{"response": {'), "kead-json")
    assert store.counts()["postings"] == 1


def test_xlsx_with_column_mapping(tmp_data):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["번호", "공고명", "근무지", "급여형태", "급여", "학력", "경력"])
    ws.append(["X1", "포장원 모집", "충남 천안시", "월급", "220만원", "무관", "신입"])
    path = tmp_data / "m.xlsx"
    wb.save(path)
    mapping = {"번호": "wantedAuthNo", "공고명": "title", "근무지": "region", "급여형태": "salTpNm",
               "급여": "sal", "학력": "minEdubg", "경력": "career"}
    store = Store()
    r = ingest_file(store, path, "csv", mapping=mapping)
    assert r.inserted == 1 and store.posting("csv:X1").place.sido == "충청남도"


# ---------------------------------------------------------------- inputs that used to crash ingest (#17 items 3, 11)
def _checksum(store) -> list:
    return store.query("SELECT id, json FROM postings ORDER BY id")


def test_euc_kr_declared_xml_is_read(tmp_data):
    xml = ('<?xml version="1.0" encoding="EUC-KR"?><wantedRoot><wanted><wantedAuthNo>K9</wantedAuthNo>'
           '<company>(주)하나</company><title>청소원</title><region>서울 강남구</region><minEdubg>학력무관</minEdubg>'
           '<career>관계없음</career><salTpNm>월급</salTpNm><sal>230만원</sal></wanted></wantedRoot>')
    path = tmp_data / "euckr.xml"
    path.write_bytes(xml.encode("euc-kr"))
    report = ingest_file(Store(), path, "worknet-xml")
    assert report.inserted == 1


@pytest.mark.parametrize("name, content, message", [
    ("deep.json", "[" * 100_000 + "]" * 100_000, "중첩"),
])
def test_malformed_file_is_one_clear_error_and_keeps_the_store(tmp_data, name, content, message):
    store = Store()
    ingest_file(store, _write(tmp_data / "good.csv", "wantedAuthNo,title,region\nK0,사무원,서울 강남구\n"), "csv")
    before = _checksum(store)
    with pytest.raises(IngestError, match=message):
        ingest_file(store, _write(tmp_data / name, content), "worknet-json" if name.endswith(".json") else "csv")
    assert _checksum(store) == before


def test_directory_and_pipe_are_refused_at_once(tmp_data):
    import os

    os.mkfifo(tmp_data / "pipe.csv")
    (tmp_data / "folder.csv").mkdir()
    for path, message in ((tmp_data / "folder.csv", "폴더"), (tmp_data / "pipe.csv", "일반 파일이 아닌"),
                          (tmp_data / "missing.csv", "파일이 없습니다")):
        with pytest.raises(IngestError, match=message):
            ingest_file(Store(), path, "csv")


def test_bad_values_are_row_rejects_not_crashes(tmp_data):
    body = {"wanted": [
        {"wantedAuthNo": "K1", "title": "청소원", "region": "서울 강남구", "minSal": "inf", "salTpNm": "월급"},
        {"wantedAuthNo": "K2", "title": "경비원 \ud800 모집", "region": "서울 강남구", "sal": "230만원", "salTpNm": "월급"},
        {"wantedAuthNo": "K3", "title": "사무원", "region": "서울 강남구", "sal": "230만원", "salTpNm": "월급"}]}
    path = tmp_data / "bad.json"
    path.write_text(json.dumps(body), encoding="utf-8")  # json.dumps escapes the lone surrogate as \\ud800
    store = Store()
    report = ingest_file(store, path, "worknet-json")
    assert report.inserted == 2 and [r.field for r in report.rejects] == ["sal"]
    assert "\ufffd" in store.posting("worknet:K2").title


def test_cr_only_line_endings_are_read(tmp_data):
    path = tmp_data / "mac.csv"
    path.write_bytes("wantedAuthNo,title,region\rK1,사무원,서울 강남구\rK2,경비원,부산 해운대구\r".encode())
    assert ingest_file(Store(), path, "csv").inserted == 2


# ---------------------------------------------------------------- wrong values never stored silently (#17 item 4)
@pytest.mark.parametrize("column, value, field", [
    ("sal", "-210만원", "sal"), ("career", "경력 999년", "career"), ("jobsCd", "ZZZ!!", "jobsCd")])
def test_out_of_range_values_are_rejected_with_their_reason(tmp_data, column, value, field):
    row = {"wantedAuthNo": "K1", "title": "사무원", "region": "서울 강남구", "salTpNm": "월급", "sal": "230만원", column: value}
    path = _write(tmp_data / "rows.csv", ",".join(row) + "\n" + ",".join(row.values()) + "\n")
    report = ingest_file(Store(), path, "csv")
    assert report.inserted == 0 and [r.field for r in report.rejects] == [field]


def test_a_row_with_several_bad_fields_names_every_one_of_them_and_counts_as_one_rejected_row(tmp_data):
    row = {"wantedAuthNo": "K1", "title": "사무원", "region": "서울 강남구", "salTpNm": "월급", "sal": "-230만원",
           "minEdubg": "아무거나", "career": "경력 999년", "closeDt": "9999-99-99"}
    good = {**row, "wantedAuthNo": "K2", "sal": "230만원", "minEdubg": "고졸", "career": "신입", "closeDt": "2026-12-31"}
    path = _write(tmp_data / "rows.csv", "\n".join(",".join(r) for r in (row, row.values(), good.values())) + "\n")
    store = Store()
    report = ingest_file(store, path, "csv")
    assert sorted(r.field for r in report.rejects) == ["career", "closeDt", "minEdubg", "sal"]
    assert {r.row_no for r in report.rejects} == {2} and report.rejected == 1 and report.inserted == 1
    assert {r.value for r in report.rejects} >= {"-230만원", "아무거나"}  # each with the value at fault


def test_a_seeker_row_names_every_bad_field(tmp_data):
    path = _write(tmp_data / "s.csv", "id,age_band,education,desired_job_name,desired_region\nS1,990대,아무거나,,서울 강남구\n")
    report = ingest_file(Store(), path, "seekers-csv")
    assert sorted(r.field for r in report.rejects) == ["age_band", "desired_occupation", "education"]


@pytest.mark.parametrize("band", ["-10대", "990대"])
def test_impossible_age_bands_are_rejected(tmp_data, band):
    path = _write(tmp_data / "s.csv", f"id,age_band,desired_job_name,desired_region\nS1,{band},경비원,서울 강남구\n")
    report = ingest_file(Store(), path, "seekers-csv")
    assert report.inserted == 0 and report.rejects[0].field == "age_band"


def test_a_seeker_with_a_disability_grade_but_no_type_is_rejected_never_stored_as_not_disabled(tmp_data):
    """A disabled seeker stored without a type would meet no disability filter: such a row is rejected by row and
    field; the app's own label '지체장애(중증)' reads as type and grade."""
    rows = [("S1", "", "중증"), ("S2", "-", "중증"), ("S3", "없음", "경증"), ("S4", "지체장애(중증)", ""),
            ("S5", "지체장애(중증)", "경증"), ("S6", "", ""), ("S7", "시각장애(중증)", "1급")]
    text = "id,desired_job_name,desired_region,disability_type,disability_grade\n" + "".join(
        f"{i},경비원,서울 강남구,{t},{g}\n" for i, t, g in rows)
    store = Store()
    report = ingest_file(store, _write(tmp_data / "s.csv", text), "seekers-csv")
    rejected = {(r.row_no, r.field) for r in report.rejects}
    # rows as a spreadsheet numbers them (the header is row 1)
    assert rejected == {(2, "disability_type"), (3, "disability_type"), (4, "disability_type"), (6, "disability_grade")}
    assert {s.id: s.disability_type for s in store.seekers()} == {"seekers:S4": "지체장애(중증)", "seekers:S6": "",
                                                                   "seekers:S7": "시각장애(중증)"}  # '1급' is 중증


def test_keys_differing_by_invisible_characters_are_one_posting_and_repeats_are_noticed(tmp_data):
    text = ("wantedAuthNo,title,region\nK1,사무원,서울 강남구\nK1\u200b,사무원 (수정),서울 강남구\n"
            "\ufeffK1,사무원 (재수정),서울 강남구\n")
    store = Store()
    report = ingest_file(store, _write(tmp_data / "dup.csv", "\ufeff" + text), "csv")
    assert store.counts()["postings"] == 1 and store.posting("csv:K1").title == "사무원 (재수정)"
    assert sum("키가 같아" in r.reason for r in report.rejects) == 2 and report.rejected == 0


@pytest.mark.parametrize("content", ["", "\ufeff", "wantedAuthNo,title,region\n"])
def test_empty_bom_only_and_header_only_files_say_so(tmp_data, content):
    with pytest.raises(IngestError, match="데이터 행이 없습니다"):
        ingest_file(Store(), _write(tmp_data / "empty.csv", content), "csv")


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_delimited_files_are_read(tmp_data, sep):
    text = sep.join(["wantedAuthNo", "title", "region"]) + "\n" + sep.join(["K1", "사무원", "서울 강남구"]) + "\n"
    assert ingest_file(Store(), _write(tmp_data / "semi.csv", text), "csv").inserted == 1


@pytest.mark.parametrize("target", ["synthetic", "no_such_field"])
def test_mapping_onto_reserved_or_unknown_fields_is_refused(tmp_data, target):
    path = _write(tmp_data / "m.csv", "번호,제목,지역,x\nK1,사무원,서울 강남구,1\n")
    with pytest.raises(IngestError, match=target):
        ingest_file(Store(), path, "csv", mapping={"번호": "wantedAuthNo", "제목": "title", "지역": "region", "x": target})


def test_a_synthetic_column_in_a_file_never_makes_real_records_synthetic(tmp_data):
    """A synthetic posting never closes by date and prints as '데모 공고': only the demo corpus may say so."""
    store = Store()
    path = _write(tmp_data / "s.csv", "wantedAuthNo,title,region,closeDt,synthetic\nK1,사무원,서울 강남구,2024-06-30,1\n")
    ingest_file(store, path, "csv")
    posting = store.posting("csv:K1")
    assert not posting.synthetic and posting.expired_on("2026-12-03")
    seekers = _write(tmp_data / "k.csv", "id,desired_job,region,synthetic\n1,사무원,서울 강남구,1\n")
    ingest_file(store, seekers, "seekers-csv")
    assert not any(s.synthetic for s in store.seekers())


def test_a_worse_update_never_blanks_or_unplaces_a_good_posting(tmp_data):
    """#17 item 9: a truncated file without the job code, or a re-ingest whose region cannot be read."""
    store = Store()
    header = "wantedAuthNo,title,region,jobsCd\n"
    ingest_file(store, _write(tmp_data / "a.csv", header + "K1,사무원,서울 강남구,024100\n"), "csv")
    before = store.posting("csv:K1")
    report = ingest_file(store, _write(tmp_data / "b.csv", header + "K1,사무원 (수정),알수없는곳,\n"), "csv")
    after = store.posting("csv:K1")
    assert after.title == "사무원 (수정)"  # the good new value is taken
    assert after.jobsCd == "024100" and after.occupation == before.occupation  # an empty one never blanks
    assert after.place == before.place and report.unplaced == 0  # an unreadable region never unplaces
    assert any("저장된 위치를 유지" in r.reason for r in report.rejects)


@pytest.mark.parametrize("fmt, make", [
    ("csv", lambda title: "wantedAuthNo,title,region\nK1,\"" + title + "\",서울 강남구\nK2,경비원,서울 강남구\n"),
    ("worknet-json", lambda title: json.dumps({"wanted": [{"wantedAuthNo": "K1", "title": title, "region": "서울 강남구"},
                                                          {"wantedAuthNo": "K2", "title": "경비원", "region": "서울 강남구"}]})),
])
def test_a_1mb_field_rejects_its_row_not_the_file_in_every_format(tmp_data, fmt, make):
    report = ingest_file(Store(), _write(tmp_data / f"long.{fmt}", make("가" * 1_100_000)), fmt)
    assert report.inserted == 1 and report.rejects[0].row_no in (1, 2) and "너무 김" in report.rejects[0].reason


def test_a_posting_that_moved_is_placed_where_it_is_now_not_at_its_stored_address():
    """A re-sync or re-upload that carries only the new region: the stored street address must not keep the old
    place, which the distance filter reads (second audit of 2026-12-02)."""
    from core.data.ingest import build_posting, merge_postings

    seoul = build_posting({"title": "경비원", "jobCont": "경비", "basicAddr": "서울특별시 강남구 테헤란로 1",
                           "region": "서울 강남구", "closeDt": "20261231"}, "up", "A")
    busan = build_posting({"title": "경비원", "jobCont": "경비", "region": "부산 해운대구", "closeDt": "20261231"}, "up", "A")
    moved = merge_postings(seoul, busan)
    assert (moved.place.sido, moved.place.sigungu) == ("부산광역시", "해운대구") and moved.basicAddr == ""
    detail = build_posting({"title": "경비원", "jobCont": "경비", "region": "서울 강남구", "closeDt": "20261231"}, "up", "A")
    assert merge_postings(seoul, detail).place == seoul.place  # the same 시군구: the stored, finer address stays
    unreadable = build_posting({"title": "경비원", "jobCont": "경비", "region": "해운대 센텀시티", "closeDt": "20261231"},
                               "up", "A")
    assert merge_postings(seoul, unreadable).place == seoul.place  # an unreadable new region never unplaces
