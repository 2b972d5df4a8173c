"""W-BERT auto-coding (#25): a sure prediction is used and marked 예측; an unsure one waits for review and feeds
nothing; an analyst's correction is audited and changes what the app serves."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.models.engine import Engine
from core.models.wbert.autocode import autocode, review, uncoded
from core.views.frames import category_match, posting_row


class FakeClassifier:
    """Stands in for WbertClassifier: fixed (code, confidence) per text."""

    path = Path("wbert-fake")
    card = {"autocode_threshold": 0.8, "date": "test"}

    def __init__(self, answers: dict[str, tuple[str, float]]):
        self.answers = answers

    def predict(self, texts):
        return [self.answers.get(t, ("023", 0.5)) for t in texts]


@pytest.fixture()
def coded_store(engine, monkeypatch):
    """The engine's store with two postings stripped of their code, and an enrichment that shows its code."""
    monkeypatch.setattr("core.models.corpus.enrichment", lambda code: f"표준직무 {code}" if code else "")
    store = engine.store
    query, sure, unsure = [p for p in store.postings() if p.occupation and not p.closed][:3]
    for p in (sure, unsure):
        p.occupation, p.jobsCd = "", ""
    store.upsert_postings([sure, unsure])
    return store, query, sure.id, unsure.id


def test_a_low_confidence_prediction_goes_to_review_and_never_feeds_enrichment(coded_store):
    store, query, sure_id, unsure_id = coded_store
    texts = {p.id: p.text() for p in uncoded(store)}
    counts = autocode(store, FakeClassifier({texts[sure_id]: (query.occupation, 0.95), texts[unsure_id]: (query.occupation, 0.4)}))
    assert counts.accepted >= 1 and counts.review >= 1
    assert unsure_id in {r["record_id"] for r in store.autocodes("review")}
    assert sure_id in {r["record_id"] for r in store.autocodes("accepted")}
    corpus = Engine.from_store(store).corpus
    unsure, sure = corpus.postings[unsure_id], corpus.postings[sure_id]
    assert unsure.occupation == "" and corpus.enrichment_of(unsure) == "" and "표준직무" not in corpus.text_of(unsure)
    assert corpus.occupation_tiers(query, "posting", corpus.tables["posting"].open)[0][corpus.tables["posting"].row_of[unsure_id]] == False  # noqa: E712
    assert sure.occupation == query.occupation and sure.occupation_source == "predicted"
    assert corpus.enrichment_of(sure) == f"표준직무 {query.occupation}"  # a sure one feeds enrichment…
    assert posting_row(sure)["직종"].endswith("(예측)") and category_match(query, sure).endswith("(예측)")  # …marked 예측
    assert not posting_row(unsure)["직종"]


def test_a_correction_is_audited_and_changes_what_the_app_serves(coded_store):
    store, query, _, unsure_id = coded_store
    text = next(p.text() for p in uncoded(store) if p.id == unsure_id)
    autocode(store, FakeClassifier({text: ("011", 0.3)}))  # a wrong, unsure guess
    engine = Engine.from_store(store)
    model = engine.model("tfidf")
    before = model.recommend(query, k=len(engine.corpus.postings), target="posting", prefer_occupation=True,
                             filters=_no_filters())
    rank_before = [r.item_id for r in before.items].index(unsure_id)
    with pytest.raises(ValueError, match="분석가"):
        review(store, unsure_id, query.occupation, "  ")
    review(store, unsure_id, query.occupation, "김분석")  # corrected to the query's own 직종
    assert store.autocode_reviews()[-1] | {"at": 0} == {"record_id": unsure_id, "predicted": "011", "code": query.occupation,
                                                        "analyst": "김분석", "at": 0}
    assert not store.autocodes("review") or unsure_id not in {r["record_id"] for r in store.autocodes("review")}
    assert engine.refresh() >= 1  # the running app takes the change in
    record = engine.corpus.postings[unsure_id]
    assert record.occupation == query.occupation and record.occupation_source == "reviewed"
    assert engine.corpus.enrichment_of(record) == f"표준직무 {query.occupation}"
    after = model.recommend(query, k=len(engine.corpus.postings), target="posting", prefer_occupation=True,
                            filters=_no_filters())
    rank_after = [r.item_id for r in after.items].index(unsure_id)
    assert rank_after < rank_before  # now in the same-직종 tier under 희망 직종 우선
    assert category_match(query, record) == "같은 중분류"


def _no_filters():
    from core.filters import FilterSettings

    return FilterSettings(distance=False, education=False, career=False, disability=False)


def test_the_review_list_saves_a_correction_under_the_signed_in_account(demo_copy, tmp_path, locate):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    store = demo_copy(tmp_path / "joblens.db")
    locate(data=tmp_path, models=tmp_path / "models")  # the page's store and models: this test's folders
    st.cache_resource.clear()  # no store or engine cached by an earlier page test of this process
    st.cache_data.clear()
    posting = next(p for p in store.postings() if p.occupation and not p.closed)
    posting.occupation = posting.jobsCd = ""
    store.upsert_postings([posting])
    store.put_autocodes([(posting.id, "posting", "023", 0.41, "wbert-test", "review", 0.0)])
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "pages" / "wbert_training.py"), default_timeout=180)
    at.session_state["user"] = "김분석"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(posting.title in m.value and "신뢰도 41%" in m.value for m in at.markdown)
    at.button(key=f"ac_save_{posting.id}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert store.autocode_reviews()[-1]["analyst"] == "김분석"
    saved = store.posting(posting.id)
    assert saved.occupation == "023" and saved.occupation_source == "reviewed"


def test_the_wbert_page_predicts_the_records_without_a_code_sure_ones_used_the_rest_to_review(demo_copy, tmp_path, locate,
                                                                                              monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    store = demo_copy(tmp_path / "joblens.db")
    locate(data=tmp_path, models=tmp_path / "models")
    st.cache_resource.clear()
    st.cache_data.clear()
    sure, unsure, waiting = [p for p in store.postings() if p.occupation and not p.closed][:3]
    code = sure.occupation
    for p in (sure, unsure, waiting):
        p.occupation = p.jobsCd = ""
    store.upsert_postings([sure, unsure, waiting])
    store.put_autocodes([(waiting.id, "posting", "023", 0.41, "wbert-test", "review", 0.0)])  # predicted before
    before = {r.id for r in uncoded(store)} - {waiting.id}
    texts = {p.id: p.text() for p in uncoded(store)}
    monkeypatch.setattr("core.models.wbert.classify.WbertClassifier", lambda path: FakeClassifier(
        {texts[sure.id]: (code, 0.95), texts[unsure.id]: (code, 0.4)}))
    monkeypatch.setattr(FakeClassifier, "fit", lambda self: self, raising=False)
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "pages" / "wbert_training.py"), default_timeout=180)
    at.session_state["user"] = "김분석"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    button = at.button(key="autocode_run")
    assert f"{len(before):,}건 예측하기" in button.label  # every record without a code, none predicted yet
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert store.posting(sure.id).occupation == code and store.posting(sure.id).occupation_source == "predicted"
    assert not store.posting(unsure.id).occupation  # unsure: no code, waits for an analyst
    assert unsure.id in {r["record_id"] for r in store.autocodes("review")}
    assert any("건 사용" in s.value for s in at.success)
    assert any(unsure.title in m.value for m in at.markdown)  # on the review list of the same page, at once
    assert not [b for b in at.button if b.key == "autocode_run"]  # nothing left to predict
    assert next(a for a in store.autocodes() if a["record_id"] == waiting.id)["confidence"] == 0.41  # not asked again


def test_a_posting_a_sync_closes_while_the_auto_coder_reads_stays_closed(coded_store):
    """Predicting every uncoded record takes minutes. The coder then wrote back the records as it had read them,
    with their new code: a posting a sync closed or withdrew meanwhile was open again and recommended. The code is
    now set on the record as stored, under the write lock."""
    from core.data.store import Store

    store, query, sure_id, _ = coded_store
    text = next(p.text() for p in uncoded(store) if p.id == sure_id)

    class SyncMeanwhile(FakeClassifier):
        def predict(self, texts):
            def close(p):
                p.closed = p.withdrawn = True
                return True

            Store(store.path).modify_postings([sure_id], close)  # another process, while the model reads
            return super().predict(texts)

    autocode(store, SyncMeanwhile({text: (query.occupation, 0.95)}))
    now = store.posting(sure_id)
    assert (now.occupation, now.closed, now.withdrawn) == (query.occupation, True, True)
