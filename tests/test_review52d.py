"""Review of 8d5c585..HEAD (a helper of session 52, second diff review). Each test demonstrates a defect: it fails on the code as reviewed."""
from __future__ import annotations

import pandas as pd

from core.data.store import Store
from core.evaluation import judgments as jd
from core.views.frames import seeker_row, to_csv_bytes
from tests.test_fourth_audit import corpus


# ---------------------------------------------------------------- keys that are not resident numbers
def test_a_key_with_an_en_dash_is_not_rejected_as_a_resident_number(tmp_data):
    """`_key_from` compares `mask_rrn(value)` with the key, but `mask_rrn` also turns every Unicode dash into '-'
    (it normalises first). A seekers file whose 연번 Excel wrote as '2024–001' (en dash, Excel's autocorrect) has
    every row rejected with '주민등록번호로 보이는 값은 번호(id)로 쓸 수 없습니다': the counselor is told the file
    holds resident numbers it does not hold, and no seeker is stored."""
    store, engine, report = corpus(tmp_data, [{"wantedAuthNo": "K1"}], [{"id": "2024\u2013001"}, {"id": "A\u201017"}])
    reasons = [r.reason for r in report.rejects if "주민등록번호" in r.reason]
    assert not reasons, reasons
    assert len(engine.corpus.seekers) == 2, sorted(engine.corpus.seekers)


# ---------------------------------------------------------------- a seeker's 희망지역
HOME = "테헤란로 152 101동 1203호"  # the example seeker_region's own docstring gives of where a seeker lives


def test_an_unplaced_home_address_in_the_desired_region_is_not_shown(tmp_data):
    """`seeker_region` falls back on `mask_pii(desired_region)` when the place is not found, and mask_pii masks a
    road address only after a 시군구 word or an address label. A 희망지역 written as the seeker's street address
    without its 시군구 ('테헤란로 152 101동 1203호', the very example of the docstring) is shown in full in the
    인재 추천 table and its CSV, the picker, the judging card, the A4 sheet and the LLM judge's request."""
    from core.evaluation.llm_judge import pair_prompt
    from core.geo.naming import seeker_region
    from core.views.judging import place_text

    _, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "K1"}], [{"id": "1", "desired_region": HOME}])
    seeker = engine.corpus.seekers["s:1"]
    posting = engine.corpus.postings["t:K1"]
    shown = {"row": to_csv_bytes(pd.DataFrame([seeker_row(seeker)])).decode("utf-8-sig"),
             "region": seeker_region(seeker), "card": place_text(seeker), "llm": pair_prompt(posting, seeker)}
    leaked = {k: v for k, v in shown.items() if "1203호" in v or "152" in v}
    assert not leaked, leaked


def test_a_seeker_stored_under_a_resident_number_before_the_check_is_not_shown_by_it(tmp_data):
    """The new check rejects a resident-number key only at ingest. A store filled before this change (the twelfth
    audit's case: an agency's file keyed by 주민등록번호) keeps those seekers, and the 인재 추천 table, its CSV, the
    picker and every link still show the resident number as the 구직자 number: the upgrade that README says keeps
    resident numbers off pages leaves every one already stored on them."""
    from core.data.records import Seeker

    store = Store()
    store.upsert_seekers([Seeker(id="s:800101-1234567", source="s", desired_job_name="매장 관리원",
                                 desired_region="서울 강남구")])
    seeker = store.seeker("s:800101-1234567")
    assert seeker is not None
    shown = to_csv_bytes(pd.DataFrame([seeker_row(seeker)])).decode("utf-8-sig")
    assert "1234567" not in shown, shown


# ---------------------------------------------------------------- the upload reader
def test_a_csv_whose_header_cell_holds_a_line_break_is_not_refused_as_an_unclosed_quote(tmp_data):
    """`read_table` now refuses any file with a line break inside a header name, saying its quote is unclosed. A
    header cell typed with Alt+Enter in Excel ('"메모\n(상담사)"', properly quoted) is such a name: the whole file
    is refused with a false reason ('머리글의 따옴표(")가 닫히지 않아'), though it was read and stored before this change,
    and the counselor cannot find the quote to close."""
    from core.data.ingest import ingest_file

    path = tmp_data / "s.csv"
    path.write_text('id,"메모\n(상담사)",desired_job_name,desired_region,education,career\n'
                    "1,전화 상담 예정,매장 관리원,서울 강남구,고졸,신입\n", encoding="utf-8")
    report = ingest_file(Store(), path, "seekers-csv", source="s")
    assert report.inserted == 1, report.summary()


# ---------------------------------------------------------------- judgments import
H = "analyst,direction,query_id,item_id,grade\n"


def test_a_judgments_csv_marking_one_pair_twice_is_not_counted_twice_nor_half_kept_silently(tmp_data):
    """`_new_marks` checks each row against the store only, never against the file's other rows. A CSV with two
    rows for one analyst and pair ('관련', then '무관') passes both: the upsert keeps the second, the first is lost
    without a word, and the page says '새 판정 2건을 가져왔습니다' where one mark was stored. (Two identical rows
    likewise report 2 new for 1 stored.)"""
    store = Store()
    data = (H + "이분석,posting->posting,t:K1,t:K2,관련\n이분석,posting->posting,t:K1,t:K2,무관\n").encode()
    try:
        n = jd.import_csv(store, data)
    except jd.JudgmentImportError:
        return  # refusing the contradictory file, naming its row, is a fix
    stored = [j for j in jd.load(store) if j.analyst == "이분석"]
    assert n == len(stored), (n, [(j.item_id, j.grade) for j in stored])


# ---------------------------------------------------------------- the seeker query text and stored lists
def test_lists_stored_under_the_old_seeker_text_are_not_served_for_the_new_one(tmp_data, monkeypatch):
    """Seeker.text() dropped the disability type ('시각장애 장애인 채용' → '장애인 채용') so a blind seeker's list no
    longer opens on '시각 디자이너'. But `Engine.list_key` (what a stored list is served under) names the model,
    its version and parameters, not the query text, and `_still_valid` checks only records changed in the store:
    every seeker→posting list `python -m core recsets` built before the upgrade is still served, ranked on the
    old text. The blind seeker's page keeps opening on the design job the commit says it fixed."""
    from core.data import keco
    from core.data.records import Seeker
    from core.filters import FilterSettings
    from core.models import recsets
    from core.models.engine import Engine

    postings = [{"wantedAuthNo": "K1", "title": "시각 디자이너", "jobCont": "시각 디자인 시각 자료 제작"},
                {"wantedAuthNo": "K2", "title": "청소원", "jobCont": "건물 청소와 정리"},
                {"wantedAuthNo": "K3", "title": "주차 관리원", "jobCont": "주차장 관리"}]
    store, _, _ = corpus(tmp_data, postings, [{"id": "1", "desired_job_name": "경비원", "disability_type": "시각장애",
                                               "disability_grade": "경증"}])
    new_text = Seeker.text

    def old_text(self):  # Seeker.text as of 8d5c585
        parts = [self.desired_job_name, keco.middle_name(self.desired_occupation) if self.middle_code else "",
                 self.desired_duties, self.major, self.certificates,
                 f"{self.disability_type} 장애인 채용" if self.disability_type else ""]
        return " ".join(p for p in parts if p)

    filters = FilterSettings()
    monkeypatch.setattr(Seeker, "text", old_text)
    monkeypatch.setattr("core.models.engine.TEXT_VERSION", 1)  # the texts as 8d5c585 composed them
    before = Engine.from_store(store)
    recsets.build(before, ["tfidf"], k=3, filters=filters)
    monkeypatch.setattr(Seeker, "text", new_text)  # the upgrade
    monkeypatch.undo()
    engine = Engine.from_store(store)
    seeker = engine.corpus.seekers["s:1"]
    served = engine.recommend("tfidf", "mecab", seeker, "posting", 3, filters)
    live = engine.model("tfidf").recommend(seeker, k=3, filters=filters, target="posting", explain=False)
    assert [i.item_id for i in served.items] == [i.item_id for i in live.items], (served.stored, served.items)
