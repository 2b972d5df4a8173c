"""Every page under streamlit.testing's AppTest, on the small demo corpus."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.geo import CAPITAL_REGION

TIMEOUT = 180
REPO = Path(__file__).resolve().parent.parent


def page(name: str, params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "pages" / f"{name}.py"), default_timeout=TIMEOUT)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def corpus(demo_store):
    from core.models.engine import Engine

    return Engine.from_store(demo_store).corpus


def first_table(at):
    tables = [d.value for d in at.dataframe if "순위" in d.value.columns and ("제목" in d.value.columns or "희망직종" in d.value.columns)]
    assert tables, "no ranked list on the page"
    return tables[0]


def whole_list(at, key: str):
    """The ranked list as the page shows it, the rows under the '여기부터 다른 직종' divider opened too."""
    import pandas as pd

    below = [t for t in at.toggle if t.key == f"{key}_below"]
    if below and not below[0].value:
        below[0].set_value(True).run()
        assert not at.exception, [e.value for e in at.exception]
    return pd.concat([d.value for d in at.dataframe if "순위" in d.value.columns and "제목" in d.value.columns])


def test_pickers_list_records_in_the_order_they_arrived(demo_store):
    """The corpus's rows are in grid-cell order (fast radius queries); the pickers a counselor scrolls keep the
    store's order, and a page opened without a record starts at the first one that arrived."""
    at = page("seeker_postings", {"model": "tfidf", "k": "5"})
    stored = [s.id for s in demo_store.seekers()]
    picker = at.selectbox(key="pick_seeker")
    assert picker.value == stored[0] and len(picker.options) == len(stored)
    at = page("similar_postings", {"model": "tfidf", "k": "5"})
    assert at.selectbox(key="pick_posting").value == demo_store.postings()[0].id


def test_similar_page_model_and_filter_change_list(corpus):
    pid = next(p.id for p in corpus.postings.values() if p.place.sido == "서울특별시")
    at = page("similar_postings", {"posting": pid, "model": "tfidf", "k": "10"})
    assert at.selectbox(key="pick_posting").value == pid
    assert at.get("deck_gl_json_chart"), "map missing"
    tfidf = whole_list(at, "posting_posting")
    assert len(tfidf) > 0 and (tfidf["거리(km)"] <= 20).all()
    at.selectbox(key="ctl_model").set_value("sbert").run()
    assert not at.exception
    sbert = whole_list(at, "posting_posting")
    assert list(sbert["제목"]) != list(tfidf["제목"]) or list(sbert["적합도"]) != list(tfidf["적합도"])
    assert at.query_params["model"] == ["sbert"] or at.query_params["model"] == "sbert"


def test_turning_distance_filter_off_lets_far_item_in(corpus):
    pid = next(p.id for p in corpus.postings.values() if p.place.sido in CAPITAL_REGION)
    at = page("similar_postings", {"posting": pid, "model": "tfidf", "k": "50", "edu": "0", "career": "0"})
    assert (first_table(at)["거리(km)"] <= 20).all()
    assert "학력 · 경력 필터가 꺼져" in " ".join(w.value for w in at.warning)  # the link's switches, said on the list
    at.toggle(key="ctl_dist").set_value(False).run()
    off = first_table(at)
    assert (off["거리(km)"] > 20).any()
    assert "거리 · 학력 · 경력 필터가 꺼져" in " ".join(w.value for w in at.warning)


def test_the_csv_of_a_list_with_filters_off_says_so_on_every_row(corpus, monkeypatch):
    """The page warns above a list whose hard filters a link switched off; the CSV a counselor downloads travels
    without the page, and it said nothing. Each of its rows now carries the page's warning."""
    import io

    import pandas as pd

    import ui.results

    written = []
    original = ui.results.to_csv_bytes
    monkeypatch.setattr(ui.results, "to_csv_bytes", lambda frame, notes=(): written.append(original(frame, notes))
                        or written[-1])
    pid = next(p.id for p in corpus.postings.values() if p.place.sido in CAPITAL_REGION)
    at = page("similar_postings", {"posting": pid, "model": "tfidf", "k": "10", "edu": "0", "career": "0"})
    warned = next(w.value for w in at.warning if "필터가 꺼져" in w.value)
    sheet = pd.read_csv(io.BytesIO(written[-1]), encoding="utf-8-sig")
    assert list(sheet.columns)[0] == "주의" and (sheet["주의"] == warned).all()
    at = page("similar_postings", {"posting": pid, "model": "tfidf", "k": "10"})
    assert "주의" not in pd.read_csv(io.BytesIO(written[-1]), encoding="utf-8-sig").columns  # nothing to say: no column


def test_deep_link_restores_view(corpus):
    sid = list(corpus.seekers)[3]
    at = page("seeker_postings", {"seeker": sid, "model": "tfidf", "k": "7", "dist": "0", "an": "kiwi"})
    assert at.selectbox(key="pick_seeker").value == sid
    assert at.selectbox(key="ctl_model").value == "tfidf"
    assert at.selectbox(key="ctl_analyser").value == "kiwi"
    assert at.slider(key="ctl_k").value == 7
    assert at.toggle(key="ctl_dist").value is False
    assert len(first_table(at)) <= 7


def test_a_link_opens_the_list_at_the_same_row(corpus):
    """The row a counselor opened travels in the URL: whoever opens the link sees that row's details."""
    sid = list(corpus.seekers)[3]
    params = {"seeker": sid, "model": "tfidf", "k": "7", "dist": "0"}
    at = page("seeker_postings", params)
    assert not any(m.value.startswith("**선택:") for m in at.markdown)  # nothing opened yet
    table = first_table(at)
    assert len(table) >= 3
    third = table.iloc[2]
    at = page("seeker_postings", {**params, "item": third["id"]})
    assert any(m.value.startswith(f"**선택: {third['순위']}위**") for m in at.markdown)
    assert at.query_params["item"] in (third["id"], [third["id"]])
    at = page("seeker_postings", {**params, "item": "demo:no-such-posting"})  # not (or no longer) in the list
    assert not any(m.value.startswith("**선택:") for m in at.markdown) and "item" not in at.query_params


def test_talent_page_shows_no_identifiers(corpus):
    pid = list(corpus.postings)[5]
    at = page("posting_seekers", {"posting": pid, "model": "tfidf", "dist": "0"})
    table = first_table(at)
    assert "희망직종" in table.columns and not {"이름", "연락처", "전화"} & set(table.columns)


def test_seeker_page_changes_with_seeker(corpus):
    ids = list(corpus.seekers)
    a = first_table(page("seeker_postings", {"seeker": ids[0], "model": "tfidf", "dist": "0"}))
    b = first_table(page("seeker_postings", {"seeker": ids[1], "model": "tfidf", "dist": "0"}))
    assert list(a["제목"]) != list(b["제목"])


def test_compare_page_side_by_side(corpus):
    pid = list(corpus.postings)[0]
    at = page("model_compare", {"posting": pid, "k": "5"})
    agreement = [d.value for d in at.dataframe if "순위 유사도" in d.value.columns]  # RBO, in Korean (#26)
    assert agreement and len(agreement[0]) >= 1
    assert all(0 <= v <= 1 for v in agreement[0]["순위 유사도"])
    assert all(0 <= v <= 1 for v in agreement[0]["상위 5건 겹침"])
    shown = " ".join(" ".join(map(str, d.value.columns)) for d in at.dataframe) + " ".join(c.value for c in at.caption)
    assert "RBO" not in shown and "overlap@" not in shown


def test_corpus_page(corpus):
    at = page("corpus_status")
    assert at.metric and int(at.metric[0].value.replace(",", "")) == len(corpus.postings)


def test_evaluation_page_runs_and_shows_report(corpus):
    at = page("evaluation_audit")
    at.number_input[0].set_value(20)
    at.multiselect[0].set_value(["tfidf"])
    at.multiselect[1].set_value(["seeker->posting"])
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    tables = [d.value for d in at.dataframe if "Top-k 정확도" in d.value.columns]
    assert tables and len(tables[0]) == 1
    assert list(tables[0]["모델"]) == ["TF-IDF"]  # named as the app names it, not 'tfidf'
    assert all(round(x, 3) == x for x in tables[0]["Top-k 정확도"])  # three places at most, as the CI beside it
    # the chart by k marks the k evaluated (it read '4 6 8 10' under points at 3, 5, 10) and names its axis
    import json

    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    by_k = next(f for f in specs if "k별" in f["layout"]["title"]["text"])
    assert [str(v) for v in by_k["layout"]["xaxis"]["tickvals"]] == ["3", "5", "10"]
    assert by_k["layout"]["yaxis"]["title"]["text"] == "Top-k 정확도"
    # the expanders below name the model as the app does, not 'tfidf'
    assert any("TF-IDF" in e.label for e in at.expander) and not any(e.label.endswith("tfidf") for e in at.expander)


def test_suitability_page_correction_reaches_the_filter(corpus):
    pid = next(p.id for p in corpus.postings.values() if p.envEyesight)
    at = page("suitability_review", {"posting": pid})
    judged = [d.value for d in at.dataframe if "장애유형" in d.value.columns][0]
    assert len(judged) == 19
    at.selectbox[1].set_value("청각장애(경증)")
    assert at.radio[1].value is None  # no verdict chosen for the counselor
    at.text_input[0].set_value("상담사 이")
    at.text_input[1].set_value("면접 확인")
    at.button[1].click().run()
    assert any("판정(부적합 또는 적합)을 고르세요" in e.value for e in at.error)
    at.radio[1].set_value("unsuitable")
    at.button[1].click().run()
    assert not at.exception, [e.value for e in at.exception]
    history = [d.value for d in at.dataframe if "확인자" in d.value.columns][-1]
    assert list(history.columns) == ["시각", "장애유형", "판정", "확인자", "사유"] and "부적합" in set(history["판정"])
    from core.llm.suitability import unsuitable_map
    from ui import get_engine, get_store

    assert "청각장애(경증)" in unsuitable_map(get_store(), [pid])[pid]  # stored with who/why
    assert "청각장애(경증)" in get_engine().corpus.unsuitable[pid]  # and used by the app's filter at once


def test_wbert_page_shows_training_needed(corpus, tmp_path, locate):
    locate(models=tmp_path, wbert=None)
    at = page("wbert_training")
    assert any("학습 필요" in i.value for i in at.info)


def test_an_untrained_wbert_is_said_in_the_page_s_words_not_the_cli_s(corpus, tmp_path, locate):
    """A list page with W-BERT chosen and none trained read 'W-BERT: 학습 필요 — W-BERT 학습 필요: `python -m core
    train-wbert` 또는 …' (browser pass): the same words twice and a command line, shown to a counselor."""
    locate(models=tmp_path, wbert=None)
    at = page("similar_postings", {"model": "wbert", "k": "5"})
    said = [i.value for i in at.info if "W-BERT" in i.value]
    assert said and "학습되지 않았습니다" in said[0], [i.value for i in at.info]
    assert "python -m" not in said[0] and "학습 필요" not in said[0]


def test_a_model_that_fails_to_load_is_not_called_untrained_and_keeps_the_detail_folded(corpus, tmp_path, locate):
    """A W-BERT folder that is there but cannot be opened is not '학습 필요': the page says it could not load it,
    in words, and the technical reason sits folded under '관리자용 자세한 내용'."""
    import json

    broken = tmp_path / "wbert-static"
    broken.mkdir()
    (broken / "modules.json").write_text(json.dumps([{"idx": 0, "name": "0", "path": "",
                                                      "type": "core.models.chargrams.CharGramEmbedding"}]))
    (broken / "card.json").write_text(json.dumps({"name": "W-BERT", "variant": "static", "level": "middle"}))
    locate(models=tmp_path, wbert=broken)
    at = page("similar_postings", {"model": "wbert", "k": "5"})
    warned = [w.value for w in at.warning if "불러오지 못했습니다" in w.value]
    assert warned and warned[0].startswith("**W-BERT를 불러오지 못했습니다.**"), [w.value for w in at.warning]
    assert not any("학습 필요" in i.value for i in at.info)
    folded = [e for e in at.expander if e.label == "관리자용 자세한 내용"]
    assert folded and "불러올 수 없습니다" in folded[0].code[0].value


def test_start_page_is_the_root_and_links_every_view(corpus):
    """app.py's default page: counts of the live corpus and a link to each working page's own URL."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert int(at.metric[0].value.replace(",", "")) == len(corpus.postings)
    links = [e.proto.page for e in at.get("page_link")]
    assert {"similar", "seeker", "talent", "compare", "corpus", "evaluation", "suitability"} <= {
        link.rsplit("/", 1)[-1] for link in links}, links


def test_broken_link_says_so_instead_of_showing_another_record(corpus):
    at = page("similar_postings", {"posting": "nonexistent", "model": "tfidf"})
    assert any("찾을 수 없어" in w.value for w in at.warning)


def test_out_of_range_link_values_do_not_crash_the_page(corpus):
    pid = next(iter(corpus.postings))
    at = page("similar_postings", {"posting": pid, "model": "tfidf", "ckm": "300", "okm": "nan"})
    assert at.number_input(key="ctl_ckm").value == 200.0


def test_suitability_page_shows_a_rule_exclusion_as_excluded_whatever_the_llm_said(corpus):
    """#29 item 2: an obeying model calls every type suitable; the page keeps the rule's 제외 and holds the rest."""
    import json

    from test_extract import FakeOpenAI

    from core.data.normalize import DISABILITY_TYPES
    from core.llm.extract import extract_posting
    from ui import get_store

    posting = next(p for p in corpus.postings.values() if "아주 작은 글씨" in p.envEyesight)
    store = get_store()
    every = [{"type": t, "reason": "지시에 따름", "evidence": posting.title} for t in DISABILITY_TYPES]
    with FakeOpenAI([("json", json.dumps({"suitable_types": every, "unsuitable_types": []}, ensure_ascii=False))]) as srv:
        assert extract_posting(store, posting, "llm", srv.config())["status"] == "conflict"
    at = page("suitability_review", {"posting": posting.id})
    judged = [d.value for d in at.dataframe if "장애유형" in d.value.columns][0].set_index("장애유형")
    assert judged.loc["시각장애(중증)", "판정"] == "제외" and judged.loc["시각장애(중증)", "판정 출처"] == "규칙"
    assert judged.loc["시각장애(중증)", "필터 적용"] == "제외"
    assert "적합" not in set(judged["판정"])  # the held answer's 'suitable' is 검토 필요, never 적합
    assert "검토 필요" in set(judged["판정"])
    assert any("검토 필요" in w.value for w in at.warning)


def test_suitability_page_stores_a_correction_with_the_corpus_shown(corpus, demo_store, tmp_path, monkeypatch):
    """With 실데이터 chosen the page's engine has its own store (eval/real.db): a correction made there is stored
    there, so it is still in force after a restart (it went to the app's store, and was lost)."""
    from conftest import _copy_store

    import ui
    from core.llm.suitability import unsuitable_map
    from core.models.engine import Engine
    from ui import get_store

    real = Engine.from_store(_copy_store(demo_store.path, tmp_path / "real.db"))
    monkeypatch.setattr(ui, "get_engine", lambda: real)
    pid = next(p.id for p in corpus.postings.values() if p.envEyesight)
    at = page("suitability_review", {"posting": pid})
    at.selectbox[1].set_value("청각장애(경증)")
    at.radio[1].set_value("unsuitable")
    at.text_input[0].set_value("상담사 이")
    at.text_input[1].set_value("실데이터 확인")
    at.button[1].click().run()
    assert not at.exception, [e.value for e in at.exception]
    stored = [c for c in real.store.corrections(pid) if c["why"] == "실데이터 확인"]
    assert stored and stored[0]["who"] == "상담사 이"
    assert not [c for c in get_store().corrections(pid) if c["why"] == "실데이터 확인"]
    assert "청각장애(경증)" in unsuitable_map(real.store, [pid])[pid] and "청각장애(경증)" in real.corpus.unsuitable[pid]


def test_a_link_never_switches_the_disability_guards_off(corpus):
    """A link with dis=0&unk=0 opens with both guards on; a counselor who switches one off on the page keeps it
    off for the rest of the session (the toggle), and the URL then says so."""
    sid = next(s.id for s in corpus.seekers.values() if s.disability_type)
    at = page("seeker_postings", {"seeker": sid, "model": "tfidf", "k": "5", "dis": "0", "unk": "0"})
    assert at.toggle(key="ctl_dis").value is True and at.toggle(key="ctl_unk").value is True
    assert "dis" not in at.query_params
    at.toggle(key="ctl_dis").set_value(False).run()
    assert not at.exception, [e.value for e in at.exception]
    at.run()  # a rerun of the same session reads the URL again
    assert at.toggle(key="ctl_dis").value is False and at.query_params.get("dis") in ("0", ["0"])


def test_the_talent_page_says_when_its_posting_is_closed(demo_store, monkeypatch):
    """Seekers recommended for a closed posting cannot apply to it: the page says so (and not for an open one)."""
    from dataclasses import replace

    from core.models.engine import Engine

    engine = Engine.from_store(demo_store)  # corpus-only change below: the shared demo store is untouched
    closed, withdrawn, opened = list(engine.corpus.postings.values())[:3]
    engine.corpus.upsert(replace(closed, closed=True))
    engine.corpus.upsert(replace(withdrawn, withdrawn=True))
    for module in ("ui.resources", "ui.widgets", "ui.results"):
        monkeypatch.setattr(f"{module}.get_engine", lambda: engine)
    for pid, warned in ((closed.id, True), (withdrawn.id, True), (opened.id, False)):
        at = page("posting_seekers", {"posting": pid, "model": "tfidf", "k": "5"})
        assert any("마감되었거나 목록에서 내려간 공고입니다" in w.value for w in at.warning) is warned, (pid, [w.value for w in at.warning])


def test_overview_says_its_largest_count_as_a_count(corpus):
    """'최대 90건', not '최대 90.00': the map's legend line is read aloud to stakeholders."""
    import re

    at = page("overview")
    line = next(c.value for c in at.caption if "진할수록" in c.value)
    assert re.search(r"최대 [\d,]+건\)", line) and ".00" not in line, line
    # the agreement chart holds the models this server has loaded: it says which are left out
    from core.models.registry import MODEL_LABELS
    from ui import get_engine

    engine = get_engine()
    left_out = [MODEL_LABELS[n] for n in ("wbert", "hybrid") if not engine.loaded(n)]
    heat = [c.value for c in at.caption if "빠졌습니다" in c.value]
    assert bool(heat) == bool(left_out) and all(name in heat[0] for name in left_out), (heat, left_out)


def test_a_snapshot_corpus_says_its_lists_hold_postings_past_their_closing_dates(demo_store, monkeypatch):
    """The 실데이터 corpus is served without a date (a snapshot, for comparable evaluation): every page says that
    its lists keep postings past their closing dates, which the seeker's PDF leaves out."""
    from dataclasses import replace

    from core.models.engine import Engine

    engine = Engine.from_store(demo_store)  # no as_of, as the 실데이터 corpus is served
    posting = next(iter(engine.corpus.postings.values()))
    engine.corpus.upsert(replace(posting, synthetic=False, close_date="2024-06-30"))
    monkeypatch.setattr("ui.widgets.get_engine", lambda: engine)
    at = page("corpus_status")
    assert any("마감일이 지난 공고 1건도 목록에 나옵니다" in i.value for i in at.info)
    engine.corpus.set_as_of("2026-12-02")  # a live store, served on today's date: nothing to say
    at = page("corpus_status")
    assert not any("마감일이 지난" in i.value for i in at.info)


def test_a_seeker_whose_record_says_nothing_of_a_disability_is_named_so_not_as_one_without(demo_copy, tmp_path, locate):
    """Such a seeker is filtered as one without a disability: the picker and the page say the record did not say,
    so a counselor who knows better can correct it (second audit of 2026-12-02)."""
    from dataclasses import replace

    import streamlit as st

    store = demo_copy(tmp_path / "joblens.db")
    locate(data=tmp_path)
    st.cache_resource.clear()
    seeker = next(s for s in store.seekers() if not s.disability_type)
    assert seeker.disability_stated  # the demo says '없음' outright
    store.upsert_seekers([replace(seeker, disability_stated=False)])
    at = page("seeker_postings", {"seeker": seeker.id, "model": "tfidf", "dist": "0"})
    picker = at.selectbox(key="pick_seeker")
    assert "장애 정보 없음" in picker.format_func(seeker.id)
    assert any("장애 정보가 없어" in w.value for w in at.warning)
    # a record that names only a 부장애 is filtered by it: never told it is read as one without a disability
    store.upsert_seekers([replace(seeker, disability_stated=False, secondary_disability="시각장애(중증)")])
    st.cache_resource.clear()
    at = page("seeker_postings", {"seeker": seeker.id, "model": "tfidf", "dist": "0"})
    assert "시각장애(중증)" in at.selectbox(key="pick_seeker").format_func(seeker.id)
    assert not any("장애 정보가 없어" in w.value for w in at.warning)
    st.cache_resource.clear()
