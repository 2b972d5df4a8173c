"""The ninth audit (helper, session 51): what a counselor sees is true. Each test reads a view (the result table and its detail panel, the
filter badges, the map legend, the counselor's A4 sheet, the wage and occupation labels, the overview page) and checks
that it states what the filters and the records actually hold. Each failed against the code it was written for.

Small corpora only (tests/test_fourth_audit.py's `corpus`: a CSV of postings and one of seekers, TF-IDF), no
../shared and no SBERT."""
from __future__ import annotations

import io
from datetime import date

from test_fourth_audit import corpus

from core.filters import FilterSettings

SEEKER_GANGNAM = {"id": "1", "desired_region": "서울 강남구", "career": "경력 5년"}


def _list(engine, seeker_id: str, filters: FilterSettings | None = None, k: int = 10):
    """The seeker → postings list and its frame, as the 구직자 맞춤 추천 page builds them."""
    from core.views.frames import result_frame

    seeker = engine.corpus.seekers[seeker_id]
    result = engine.model("tfidf").recommend(seeker, k=k, filters=filters or FilterSettings())
    return seeker, result, result_frame(engine.corpus, result, "posting", "seeker->posting", seeker)


def _sheet_text(engine, seeker, result, filters: FilterSettings | None = None, today: date = date(2024, 12, 1)) -> str:
    from pypdf import PdfReader

    from core.views import printout

    ranked = [(r.rank, r.item_id, r.distance_km) for r in result.items]
    pdf = printout.seeker_sheet(engine.corpus, seeker, ranked, result.report.radius_km, filters=filters, today=today)
    return PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


# ---------------------------------------------------------------- 1. '같은 시군구' in one column, '0 km' in the next
def test_a_same_sigungu_posting_s_reason_does_not_say_within_1_km(tmp_data):
    """Seeker and posting are both known only as '서울 강남구' (their points are the 구's centre). The table's 거리
    reads '같은 시군구' (README: '0 km' would be false), but the detail panel's 근거 of the same row says
    '1 km 이내': a counselor tells the seeker the job is under a kilometre away, when it may be 10 km across the 구."""
    from core.views.frames import detail_rows

    _, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "K1", "region": "서울 강남구"}], [SEEKER_GANGNAM])
    _, _, frame = _list(engine, "s:1")
    row = frame[frame["id"] == "t:K1"].iloc[0]
    assert row["거리"] == "같은 시군구"
    reason = detail_rows(frame, "t:K1", "posting")["근거"]
    assert "1 km 이내" not in reason and "0 km" not in reason, reason


def test_a_same_sigungu_posting_s_filter_badge_does_not_say_0_km(tmp_data):
    """The same row's 필터 line in the detail panel (and in the CSV) reads '거리 0.0 km ≤ 20 km' beside 거리
    '같은 시군구': the distance README says is false there is printed as the value the filter compared."""
    from core.views.frames import detail_rows

    _, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "K1", "region": "서울 강남구"}], [SEEKER_GANGNAM])
    _, _, frame = _list(engine, "s:1")
    badge = detail_rows(frame, "t:K1", "posting")["필터"]
    assert "0.0 km" not in badge, badge


# ---------------------------------------------------------------- 2. a radius that is not a whole number
def test_a_fractional_radius_is_stated_as_the_radius_the_filter_used(tmp_data):
    """The 수도권 km box takes any number (and a link carries ckm=13.4). With 13.4 km, a posting in 종로구 13.3 km
    from 강남구 passes, and its badge reads '거리 13.3 km ≤ 13 km' (a false inequality: it looks like a violated
    filter), the map legend says '반경 13 km' for a 13.4 km circle and the summary offers '23 km이면'."""
    from core.geo import mapdata
    from core.views.frames import detail_rows

    _, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "K1", "region": "서울 종로구"}], [SEEKER_GANGNAM])
    filters = FilterSettings(capital_km=13.4)
    _, result, frame = _list(engine, "s:1", filters)
    assert [r.item_id for r in result.items] == ["t:K1"] and 13.25 < result.items[0].distance_km < 13.4
    badge = detail_rows(frame, "t:K1", "posting")["필터"]
    assert "≤ 13 km" not in badge, badge  # 13.3 ≤ 13 is false
    legend = dict(mapdata.legend([1], mapdata.shown_radius(result.report)))
    assert "반경 13.4 km" in legend, list(legend)


# ---------------------------------------------------------------- 3. occupation: unknown is not 'different', a guess is marked
def test_a_posting_without_an_occupation_code_is_not_labelled_a_different_occupation(tmp_data):
    """A posting with no 직종 code (a KEAD or uploaded posting whose job name no table reaches, waiting for W-BERT
    auto-coding) gets 직종 일치 '다름' in the table: the counselor reads 'another occupation' where nothing is known
    (its 근거 rightly says nothing of the occupation, and its 직종 column is empty)."""
    _, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "K1", "region": "서울 서초구"}], [SEEKER_GANGNAM])
    seeker, _, frame = _list(engine, "s:1")
    posting = engine.corpus.postings["t:K1"]
    assert seeker.middle_code and not posting.occupation_code
    row = frame[frame["id"] == "t:K1"].iloc[0]
    assert row["직종"] == ""
    assert row["직종 일치"] != "다름", row["직종 일치"]


def test_a_predicted_occupation_is_marked_in_the_reason():
    """README: a W-BERT prediction is used 'marked 예측'. The 직종 column and 직종 일치 say '(예측)', but the detail
    panel's 근거, the line built 'from facts', says '같은 직종(…)' with no mark: the guess reads as a fact."""
    from core.data.records import Posting, Seeker
    from core.models.base import Recommendation
    from core.views.frames import category_match, occupation_label
    from core.views.relevance import plain_reason

    seeker = Seeker(id="s:1", source="s", desired_occupation="024", desired_job_name="웹 개발자")
    posting = Posting(id="t:1", source="t", title="웹 개발", occupation="024", occupation_source="predicted")
    assert "(예측)" in occupation_label(posting) and "(예측)" in category_match(seeker, posting)
    reason = plain_reason(seeker, posting, Recommendation("t:1", 1, 0.5, 3.0, {}))
    assert reason.startswith("같은 직종(")
    assert "예측" in reason, reason


# ---------------------------------------------------------------- 4. words repeated on the sheet and in the badges
def test_the_sheet_does_not_print_career_twice(tmp_data):
    """The sheet writes '경력 {label}', and a posting's label already starts with 경력: the seeker's paper reads
    '경력 경력 3년 이상' (the '학력 학력무관' slip was fixed for 학력 with `education_phrase`, not for 경력)."""
    _, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "K1", "region": "서울 서초구", "career": "경력 3년 이상"}],
                          [SEEKER_GANGNAM])
    seeker, result, _ = _list(engine, "s:1")
    text = _sheet_text(engine, seeker, result)
    assert "1. " in text
    assert "경력 경력" not in text, text


def test_the_filter_badges_do_not_repeat_the_filter_s_name(tmp_data):
    """The detail panel's 필터 line puts the filter's name before a value that already holds it: '학력 학력무관 ≤
    고졸' and '경력 경력 ✓'."""
    from core.views.frames import detail_rows

    _, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "K1", "region": "서울 서초구", "career": "경력 3년 이상"}],
                          [SEEKER_GANGNAM])
    _, _, frame = _list(engine, "s:1")
    badge = detail_rows(frame, "t:K1", "posting")["필터"]
    assert "학력 학력" not in badge and "경력 경력" not in badge, badge


# ---------------------------------------------------------------- 5. how to apply
def test_the_sheet_does_not_send_the_seeker_to_search_worknet_for_a_number_that_is_not_a_worknet_number(tmp_data):
    """A KEAD posting (keyed by its 'rno') or an uploaded one has no 고용24 구인인증번호. The sheet still tells the
    seeker '고용24에서 구인인증번호 D0000123 검색', a search that finds nothing (and the table's 구인인증번호 column
    shows the same rno as if it were one)."""
    _, engine, _ = corpus(tmp_data, [{"rno": "D0000123", "busplaName": "(주)나눔", "jobNm": "매장 관리원",
                                      "region": "서울 송파구"}], [SEEKER_GANGNAM])
    posting = engine.corpus.postings["t:D0000123"]
    assert not posting.wantedAuthNo and not posting.synthetic
    seeker, result, _ = _list(engine, "s:1")
    text = _sheet_text(engine, seeker, result)
    assert "1. " in text
    assert "구인인증번호 D0000123" not in text, text


# ---------------------------------------------------------------- 6. wages
def test_an_hourly_wage_is_shown_with_its_own_amount():
    """A 시급 10,030원 part-time posting is shown (table detail, CSV, the seeker's sheet) only as '월 210만원 (시급
    환산)', a 209-hour month: the posting's own unit and amount are gone, and a seeker in their 60s looking for
    part-time work reads a full-time monthly pay the posting never offered."""
    from core.data.records import Posting

    hourly = Posting(id="t:H", source="t", wage_type="hourly", wage_min_month=2_096_270, wage_max_month=2_096_270)
    assert "10,030" in hourly.salary_label and "시급" in hourly.salary_label, hourly.salary_label


def test_a_wage_range_does_not_read_as_the_same_number_twice(tmp_data):
    """'시급 10,030 ~ 10,050원' becomes '월 210만원~210만원 (시급 환산)': the range's two ends compare unequal before
    rounding and are printed after it."""
    _, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "K1", "region": "서울 서초구", "salTpNm": "시급",
                                      "minSal": "10030", "maxSal": "10050"}], [SEEKER_GANGNAM])
    label = engine.corpus.postings["t:K1"].salary_label
    lo, _, hi = label.partition("~")
    assert not hi or lo.removeprefix("월 ") != hi.split(" ")[0], label


# ---------------------------------------------------------------- 7. closing dates
def test_a_posting_past_its_closing_date_says_so_on_its_row(tmp_data):
    """On a dated snapshot (the 실데이터 corpus: no `as_of`) lists keep real postings past their closing date. Only a
    page-wide banner says some exist; the row, the detail panel and the CSV never show a closing date (no 마감일
    field anywhere in the result views), so the counselor cannot tell which recommended posting is closed."""
    from core.views.frames import detail_rows

    _, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "K1", "region": "서울 서초구", "closeDt": "2024-06-30"}],
                          [SEEKER_GANGNAM])
    posting = engine.corpus.postings["t:K1"]
    assert posting.close_date == "2024-06-30" and not posting.synthetic and engine.corpus.is_open(posting)
    _, _, frame = _list(engine, "s:1")
    assert "t:K1" in set(frame["id"])  # on the list
    shown = " ".join(detail_rows(frame, "t:K1", "posting").values()) + " " + " ".join(
        str(v) for v in frame[frame["id"] == "t:K1"].iloc[0].values)
    assert "2024-06-30" in shown or "마감" in shown, shown


# ---------------------------------------------------------------- 8. the sheet and the filters that were off
def test_the_sheet_says_which_hard_filters_were_off(tmp_data):
    """The page says '학력 필터가 꺼져 있어, 그 조건에 맞지 않는 공고도 목록에 있습니다'; the sheet made from that
    list (the seeker takes it home) prints a 대졸 posting for a 고졸 seeker with no word that the list was drawn
    with the education filter off."""
    _, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "K1", "region": "서울 서초구", "minEdubg": "대졸"}],
                          [SEEKER_GANGNAM])
    off = FilterSettings(education=False)
    seeker, result, _ = _list(engine, "s:1", off)
    assert [r.item_id for r in result.items] == ["t:K1"]
    text = _sheet_text(engine, seeker, result, filters=off)
    assert "1. " in text  # printed
    assert "학력 조건을 따지지 않고 고른 목록" in text, text  # in the seeker's words, not the sidebar's
    on = _sheet_text(engine, seeker, result)
    assert "조건을 따지지 않고" not in on, on


# ---------------------------------------------------------------- 9. the overview after midnight
def test_the_overview_s_posting_counts_follow_the_lists_after_midnight(tmp_data, monkeypatch):
    """At midnight (KST) a real posting whose closing date has passed closes in every list (`Engine.refresh` moves
    the corpus's date). The overview's frames are cached by (corpus, last store write, verdicts): the date is not in
    the key, so the next morning's stakeholder map still counts the closed posting, while section 3 on the same page
    (not cached) already counts one posting fewer."""
    import pandas as pd
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from core import clock
    from core.views import overview
    from tests.test_pages import REPO, TIMEOUT

    corpus(tmp_data, [{"wantedAuthNo": "K1", "region": "서울 서초구", "closeDt": "2026-12-03"},
                      {"wantedAuthNo": "K2", "region": "서울 서초구", "closeDt": "2026-12-31"}], [SEEKER_GANGNAM])
    st.cache_resource.clear()
    st.cache_data.clear()
    monkeypatch.setattr(overview, "model_agreement",  # no SBERT in this test: a trivial agreement matrix
                        lambda engine, models, **kw: pd.DataFrame(1.0, index=models, columns=models))
    day = {"today": date(2026, 12, 3)}
    monkeypatch.setattr(clock, "today", lambda: day["today"])
    at = AppTest.from_file(str(REPO / "pages" / "overview.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    first = [c.value for c in at.caption if c.value.startswith("진할수록")]
    assert first and "최대 2건" in first[0], first

    day["today"] = date(2026, 12, 4)  # K1 closed at midnight
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    help_text = [m.help for m in at.metric if m.label.startswith("적합 장애유형")]
    assert help_text and "진행 중인 공고 1건" in help_text[0], help_text  # section 3 sees the close
    after = [c.value for c in at.caption if c.value.startswith("진할수록")]
    assert after and "최대 1건" in after[0], after
