"""The review list of W-BERT auto-coding (#25), on the W-BERT page: predictions below the dev-chosen threshold
wait here; an analyst confirms or corrects each, stored under the signed-in account (or the name typed in)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core import clock
from core.data import keco
from core.models.wbert.autocode import autocode, coding_classifier, pending_reviews, review, without_code
from core.views.frames import record_number
from ui.auth import signed_in_user
from ui.resources import get_engine


def _label(record) -> str:
    return record.title if hasattr(record, "title") else (record.desired_job_name or record.desired_duties or record.id)


def predict_button(store, corpus) -> None:
    """Auto-coding from the page, as `python -m core autocode` does it: records without a code and without a
    prediction yet (an upload, a sync, a seeker whose occupation did not map) are read by the served W-BERT. The
    records come from the engine's corpus, already in memory (reading them from the store parsed every record on
    every rerun of the page)."""
    if done := st.session_state.pop("autocode_summary", None):  # from the click before the rerun below
        st.success(done)
    predicted = {a["record_id"] for a in store.autocodes()}
    new = [r for r in without_code([*corpus.postings.values(), *corpus.seekers.values()]) if r.id not in predicted]
    if not new:
        return
    if not st.button(f"직종 코드가 없는 기록 {len(new):,}건 예측하기", key="autocode_run",
                     help="추천에 쓰는 W-BERT가 직종을 예측합니다. 확실한 예측만 바로 쓰고, 나머지는 아래 검토 목록에 올립니다."):
        return
    try:
        classifier = coding_classifier()
    except ValueError:
        st.error("직종 예측에는 학습된 정적 W-BERT가 필요합니다. 위에서 정적 임베딩 변형을 먼저 학습하세요.")
        return
    bar = st.progress(0.0, text="직종 예측 중…")
    counts = autocode(store, classifier, records=new,
                      progress=lambda label, i, n, note="": bar.progress(min(1.0, i / max(n, 1)), text=f"{label}: {i:,}/{n:,}"))
    st.session_state["autocode_summary"] = counts.summary()
    st.rerun()  # the review list below is read again, with the new predictions


def review_list() -> None:
    engine = get_engine()
    store = engine.store  # the chosen corpus's own store (데모 or 실데이터), as every other page reads it
    waiting = pending_reviews(store)  # a record coded by its source since has nothing left to review
    st.subheader("직종 예측 검토")
    done = store.autocode_reviews()
    accepted = len(store.autocodes("accepted"))
    st.caption(f"직종 코드가 없던 기록의 W-BERT 예측: 자동 사용 {accepted:,}건 · 검토 대기 {len(waiting):,}건 · 검토 완료 "
               f"{len(done):,}건. 검토 대기 중인 예측은 표준직무 보강·직종 일치·희망 직종 우선에 쓰이지 않습니다.")
    predict_button(store, engine.corpus)
    if not waiting:
        st.info("검토할 직종 예측이 없습니다.")
    else:
        analyst = signed_in_user() or st.text_input("검토자 이름 (기록용)", key="autocode_analyst", placeholder="예: 김분석").strip()
        if not analyst:  # the buttons below wait for it: say so, not a greyed button with no reason
            st.caption("검토 결과는 검토자 이름과 함께 기록됩니다: 위에 이름을 적으면 '확인·저장'을 누를 수 있습니다.")
        records = {**store.postings_by_id([w["record_id"] for w in waiting if w["kind"] == "posting"]),
                   **{s.id: s for s in (store.seeker(w["record_id"]) for w in waiting if w["kind"] == "seeker") if s}}
        names = {code: f"{name} ({code})" for code, name in sorted(keco.middles().items())}
        for w in waiting[:20]:
            record = records.get(w["record_id"])
            if record is None:
                continue
            kind = "공고" if w["kind"] == "posting" else "구직자"
            with st.container(border=True):
                st.markdown(f"**{kind}** · {_label(record)}  \nW-BERT 예측: {keco.middle_name(w['code'])} · 신뢰도 {w['confidence']:.0%}")
                pick = st.selectbox("직종", list(names), index=list(names).index(keco.middle_of(w["code"]) or w["code"])
                                    if (keco.middle_of(w["code"]) or w["code"]) in names else 0,
                                    format_func=names.get, key=f"ac_pick_{w['record_id']}")
                if st.button("확인·저장", key=f"ac_save_{w['record_id']}", disabled=not analyst,
                             help=None if analyst else "위에 검토자 이름을 먼저 적으세요"):
                    try:
                        review(store, w["record_id"], pick, analyst)
                    except ValueError as e:  # coded by a sync since the page was drawn
                        st.warning(str(e))
                        st.stop()
                    get_engine()  # takes the change in at once (the store moved)
                    st.success(f"{_label(record)} → {keco.middle_name(pick)} 저장 완료 ({analyst})")
                    st.rerun()
        if len(waiting) > 20:
            st.caption(f"신뢰도가 낮은 순서로 20건을 보여 줍니다 (전체 {len(waiting):,}건).")
    if done:
        st.dataframe(pd.DataFrame([{"기록": record_number(d["record_id"]), "예측": keco.middle_name(d["predicted"] or ""),
                                    "결정": keco.middle_name(d["code"]), "검토자": d["analyst"],
                                    "시각": clock.stamp(d["at"])} for d in done]),
                     hide_index=True)
