"""The tenth audit, by a helper in session 51 (lists served from anything other than a fresh computation: stored lists, caches, links, the
compare page, exports and the CLI). Each test fails on the code it was written against; its docstring says what a
counselor or a job seeker would see."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.filters import FilterSettings, pair_violation
from tests.test_fourth_audit import corpus

REPO = Path(__file__).resolve().parent.parent
TIMEOUT = 180
SEOUL = {"region": "서울 강남구"}
FAR = {"region": "부산 해운대구"}


@pytest.fixture()
def app_folder(tmp_data, locate):
    """An empty data folder the pages read (`Store()` there), with no store, engine or frame cached earlier."""
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    yield tmp_data
    st.cache_resource.clear()
    st.cache_data.clear()


def page(name: str, params: dict) -> AppTest:
    at = AppTest.from_file(str(REPO / "pages" / f"{name}.py"), default_timeout=TIMEOUT)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown_titles(at) -> set[str]:
    return {str(v) for d in at.dataframe if "항목" in d.value.columns for v in d.value["항목"]}


def said(at) -> str:
    return " ".join(w.value for w in at.warning) + " " + " ".join(i.value for i in at.info) + " " + \
        " ".join(c.value for c in at.caption) + " " + " ".join(m.value for m in at.markdown)


def test_a_link_that_switches_the_distance_filter_off_on_the_compare_page_is_not_said(app_folder):
    """모델 비교 (`/compare?posting=…&dist=0`): a link switches the distance filter off, and the page lists a Busan
    posting under a Seoul one with '필터 통과 후보 N건' above it and nothing saying the distance filter is off (the
    recommendation pages say '거리 필터가 꺼져 있어, 그 조건에 맞지 않는 공고도 목록에 있습니다')."""
    store, engine, _ = corpus(app_folder, [{"wantedAuthNo": "K1", "title": "매장 관리원 서울", **SEOUL},
                                           {"wantedAuthNo": "K2", "title": "매장 관리원 부산", **FAR}],
                              [{"id": "1"}])
    query, far = engine.corpus.postings["t:K1"], engine.corpus.postings["t:K2"]
    assert pair_violation(query, far, FilterSettings(), {}) == "distance"
    at = page("model_compare", {"posting": "t:K1", "dist": "0", "k": "5"})
    assert any("부산" in t for t in shown_titles(at)), shown_titles(at)  # the far posting is on the page
    assert "거리 필터가 꺼져" in said(at), said(at)


def test_the_compare_page_lists_a_seeker_the_posting_is_unsuitable_for_without_saying_the_filter_is_off(app_folder):
    """모델 비교, 공고→구직자: with 장애유형 적합성 switched off in the sidebar, a posting whose employer wrote
    '청각장애인 지원 불가' lists a seeker with 청각장애 and the page says nothing (인재 추천 says '장애유형 적합성 필터가
    꺼져 있어, 장애유형에 맞지 않는 구직자도 목록에 있습니다'): the counselor comparing models reads it as a filtered list."""
    store, engine, _ = corpus(app_folder, [{"wantedAuthNo": "K1", "jobCont": "매장 진열. 청각장애인 지원 불가", **SEOUL}],
                              [{"id": "1", "desired_job_name": "매장 관리원 청각", "disability_type": "청각장애",
                                "disability_grade": "중증"}])
    posting, seeker = engine.corpus.postings["t:K1"], engine.corpus.seekers["s:1"]
    assert pair_violation(posting, seeker, FilterSettings(), engine.corpus.unsuitable) == "disability"
    at = page("model_compare", {"posting": "t:K1", "k": "5"})
    at.radio(key="cmp_direction").set_value("posting->seeker").run()
    at.toggle(key="ctl_dis").set_value(False).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("청각" in t for t in shown_titles(at)), shown_titles(at)  # the unsuitable seeker is listed
    assert "장애유형 적합성 필터가 꺼져" in said(at), said(at)


def test_the_compare_page_recommends_seekers_for_a_closed_posting_without_a_word(app_folder):
    """모델 비교, 공고→구직자, for a posting that closed (its 마감일 passed): seekers are listed for it as for an open one;
    인재 추천 says '마감되었거나 목록에서 내려간 공고입니다. 추천된 구직자는 이 공고에 지원할 수 없습니다'."""
    store, engine, _ = corpus(app_folder, [{"wantedAuthNo": "K1", "closeDt": "2020-01-31", **SEOUL},
                                           {"wantedAuthNo": "K2", **SEOUL}], [{"id": "1"}])
    from core import clock
    from core.models.engine import Engine

    live = Engine.from_store(store, as_of=clock.today().isoformat())
    assert not live.corpus.is_open(live.corpus.postings["t:K1"])
    at = page("model_compare", {"posting": "t:K1", "k": "5"})
    at.radio(key="cmp_direction").set_value("posting->seeker").run()
    assert not at.exception, [e.value for e in at.exception]
    assert shown_titles(at), "no seeker listed"
    assert "마감" in said(at), said(at)


def test_a_link_that_widens_the_radius_to_200_km_is_not_said_like_a_filter_switched_off(app_folder):
    """구직자 맞춤 추천 from a shared link `?seeker=…&ckm=200`: the link's radius (the widget's maximum, ten times the
    20 km 서울·인천·경기 rule) is taken without a word, and a 대전 posting 140 km from a 강남구 seeker is on the list
    with no warning. The same link with `dist=0` says '거리 필터가 꺼져 있어, 그 조건에 맞지 않는 공고도 목록에
    있습니다'; a 200 km circle does the same to the list and is only visible as '200' in the sidebar's number box."""
    store, engine, _ = corpus(app_folder, [{"wantedAuthNo": "K1", "title": "매장 관리원 대전", "region": "대전 서구"}],
                              [{"id": "1"}])
    seeker, far = engine.corpus.seekers["s:1"], engine.corpus.postings["t:K1"]
    assert pair_violation(seeker, far, FilterSettings(), {}) == "distance"
    at = page("seeker_postings", {"seeker": "s:1", "model": "tfidf", "ckm": "200"})
    table = [d.value for d in at.dataframe if "순위" in d.value.columns and "제목" in d.value.columns]
    assert table and any("대전" in t for t in table[0]["제목"]), table  # the 140 km posting is on the list
    warnings = " ".join(w.value for w in at.warning)
    assert "거리" in warnings and "km" in warnings, warnings


def test_the_cli_lists_seekers_for_a_closed_posting_without_saying_it_closed(tmp_data, capsys):
    """`python -m core recommend --posting … --target seeker` for a posting whose 마감일 has passed prints a table of
    seekers as for an open posting; 인재 추천 says '마감되었거나 목록에서 내려간 공고입니다. 추천된 구직자는 이 공고에
    지원할 수 없습니다'. A counselor working from the command line calls those seekers about a job that is gone."""
    from core.cli import main

    corpus(tmp_data, [{"wantedAuthNo": "K1", "closeDt": "2020-01-31", **SEOUL}, {"wantedAuthNo": "K2", **SEOUL}],
           [{"id": "1"}])
    assert main(["recommend", "--posting", "t:K1", "--target", "seeker", "--model", "tfidf", "--sources", "t",
                 "--seeker-sources", "s"]) == 0
    out = capsys.readouterr().out
    assert "매장 관리원" in out.split("\n", 1)[1], out  # a seeker is listed
    assert "마감" in out, out


def test_the_cli_prints_a_list_drawn_without_the_disability_filter_without_saying_so(tmp_data, capsys):
    """`python -m core recommend --seeker … --no-disability` prints a posting whose employer wrote '청각장애인 지원
    불가' to a seeker with 청각장애, and nothing in the output says the disability filter was off (the pages say
    '장애유형 적합성 필터가 꺼져 있어, 장애유형에 맞지 않는 공고도 목록에 있습니다'; the summary line only leaves the
    장애유형 count out)."""
    from core.cli import main

    corpus(tmp_data, [{"wantedAuthNo": "K1", "title": "진열 사원", "jobCont": "매장 진열. 청각장애인 지원 불가", **SEOUL}],
           [{"id": "1", "disability_type": "청각장애", "disability_grade": "중증"}])
    assert main(["recommend", "--seeker", "s:1", "--model", "tfidf", "--sources", "t", "--seeker-sources", "s",
                 "--no-disability"]) == 0
    out = capsys.readouterr().out
    assert "진열 사원" in out, out  # the unsuitable posting is printed
    assert any("장애유형" in line and ("꺼" in line or "끄" in line or "없이" in line) for line in out.splitlines()), out


def test_the_lists_the_recsets_command_stores_are_the_ones_the_app_serves(demo_copy, tmp_path, locate):
    """`python -m core recsets` stored its lists under the scope of `--sources demo --seeker-sources demo-seekers`,
    while the app's engine holds the whole store (scope 'store'): README says the lists are stored for the app, yet
    the app never served one and ranked every list live."""
    import streamlit as st

    from core.cli import main
    from ui import resources

    store = demo_copy(tmp_path / "joblens.db")
    locate(data=tmp_path)
    st.cache_resource.clear()
    assert main(["recsets", "--models", "tfidf"]) == 0
    engine = resources._engine_at(str(store.path))
    query = next(iter(engine.corpus.seekers.values()))
    assert engine.recommend("tfidf", "mecab", query, "posting", 10, FilterSettings(), explain=False).stored


def test_the_overviews_model_agreement_is_computed_again_after_wbert_is_retrained(tmp_data, monkeypatch):
    """현황 한눈에 caches the model agreement by (corpus, last store write, verdicts, day): training W-BERT writes no
    record, so a manager shown the page after a retrain saw the old model's agreement figures."""
    import dataclasses

    import pandas as pd
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from core.models import registry
    from core.views import overview
    from tests.test_pages import REPO, TIMEOUT

    corpus(tmp_data, [{"wantedAuthNo": "K1", "region": "서울 서초구"}], [{"id": "1", "desired_region": "서울 강남구"}])
    st.cache_resource.clear()
    st.cache_data.clear()
    calls = []
    monkeypatch.setattr(overview, "model_agreement", lambda engine, models, **kw: calls.append(models) or
                        pd.DataFrame(1.0, index=models, columns=models))
    at = AppTest.from_file(str(REPO / "pages" / "overview.py"), default_timeout=TIMEOUT)
    at.run()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(calls) == 1  # cached between reruns
    monkeypatch.setitem(registry.REGISTRY, "wbert", dataclasses.replace(registry.REGISTRY["wbert"],
                                                                         version=lambda: "retrained"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(calls) == 2
