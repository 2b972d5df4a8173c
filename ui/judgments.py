"""Analyst marks (관련 / 부분 / 무관) on a result list, and the blind 판정 queue; storage and scoring are core's."""
from __future__ import annotations

import json
from dataclasses import asdict

import streamlit as st

from core.evaluation import judgments as jd
from core.models.registry import APP_MODELS
from core.views.frames import posting_row, seeker_row

from .auth import signed_in_user
from .resources import get_engine, get_store

MARKS = ["-", *jd.GRADES]  # '-' = not judged


def analyst_name() -> str:
    """The signed-in account when there is one (judgments are recorded under it); else a typed name."""
    if signed_in_user():
        return signed_in_user()
    return st.sidebar.text_input("분석가 이름 (판정 기록용)", key="analyst", placeholder="예: 김분석").strip()


def _marks_form(item_ids: list[str], rows: list[dict], key: str) -> dict[str, str] | None:
    """One horizontal radio per item inside a form; returns {item: mark} when submitted."""
    with st.form(f"{key}_judge_form"):
        for i, (item_id, row) in enumerate(zip(item_ids, rows), start=1):
            title = row.get("제목") or row.get("희망직종") or item_id
            st.radio(f"{i}. {title} · {row.get('지역') or row.get('희망지역') or ''}", MARKS, horizontal=True,
                     key=f"{key}_mark_{i}")
        if st.form_submit_button("판정 저장", type="primary"):
            return {item_id: st.session_state[f"{key}_mark_{i}"] for i, item_id in enumerate(item_ids, start=1)}
    return None


def _save(marks: dict[str, str], direction: str, query_id: str, model: str, filters: str) -> int:
    analyst = signed_in_user() or st.session_state.get("analyst", "").strip()
    if not analyst:
        st.error("판정을 저장하려면 사이드바에 분석가 이름을 적으세요.")
        return 0
    chosen = [jd.Judgment(analyst, direction, query_id, item, jd.GRADES[m], model, filters)
              for item, m in marks.items() if m in jd.GRADES]
    saved = jd.record(get_store(), chosen)
    st.success(f"판정 {saved}건 저장 ({analyst})")
    return saved


def judgment_panel(result, query, direction: str, state, key: str) -> None:
    """Under any result list: the analyst marks each item; stored with who, when, model, query and filters."""
    if not result.items:
        return
    with st.expander("분석가 판정 (관련 / 부분 / 무관)", expanded=False):
        analyst_name()
        target = direction.split("->")[1]
        corpus = get_engine().corpus
        rows = [(posting_row if target == "posting" else seeker_row)(corpus.get(r.item_id)) for r in result.items]
        marks = _marks_form([r.item_id for r in result.items], rows, key)
        if marks is not None:
            _save(marks, direction, query.id, state.model, json.dumps(asdict(state.filters)))


def blind_queue_page() -> None:
    """판정: one query at a time, every model's list merged and shuffled, no model, rank or score shown."""
    analyst_name()
    engine = get_engine()
    index = int(st.session_state.get("blind_index", 0))
    with st.spinner("목록 준비 중…"):
        task = jd.blind_task(engine, list(APP_MODELS), index, k=5)
    if task is None:
        st.info("판정할 질의가 없습니다: 코퍼스가 비어 있습니다.")
        return
    st.session_state["blind_task"] = {"direction": task.direction, "query_id": task.query_id, "items": task.item_ids}
    source, target = task.direction.split("->")
    query = engine.corpus.get(task.query_id)
    st.subheader(f"질의 {index + 1} · {jd.DIRECTIONS[task.direction]}")
    card = posting_row(query) if source == "posting" else seeker_row(query)
    st.dataframe([card], hide_index=True, width="stretch")
    rows = [(posting_row if target == "posting" else seeker_row)(engine.corpus.get(i)) for i in task.item_ids]
    st.caption(f"후보 {len(rows)}건 (모든 모델의 목록을 합쳐 섞었습니다 · 모델·순위·점수는 숨김)")
    marks = _marks_form(task.item_ids, rows, f"blind{index}")
    if marks is not None and _save(marks, task.direction, task.query_id, jd.BLIND, task.filters):
        st.session_state["blind_index"] = index + 1
        st.rerun()
    if st.button("건너뛰기", key="blind_skip"):
        st.session_state["blind_index"] = index + 1
        st.rerun()


def judgment_report() -> None:
    """평가·감사: metrics from pooled judgments next to the category proxy, κ, coverage, CSV in and out."""
    st.subheader("분석가 판정 기준 (k = 5, 95 % 신뢰구간)")
    store, engine = get_store(), get_engine()
    marks = jd.load(store)
    c1, c2 = st.columns(2)
    c1.download_button("판정 내보내기 (CSV)", jd.to_csv_bytes(store), file_name="joblens_judgments.csv", mime="text/csv")
    upload = c2.file_uploader("다른 분석가의 판정 가져오기 (CSV)", type=["csv"], key="judgments_upload")
    if upload is not None and st.session_state.get("judgments_uploaded") != upload.file_id:
        try:
            n = jd.import_csv(store, upload.getvalue(), set(engine.corpus.postings) | set(engine.corpus.seekers))
            st.session_state["judgments_uploaded"] = upload.file_id
            st.success(f"판정 {n:,}건을 가져왔습니다.")
            marks = jd.load(store)
        except jd.JudgmentImportError as e:
            st.error(f"가져오지 않았습니다 (저장된 판정은 그대로): {e}")
    if not marks:
        st.info("아직 판정이 없습니다. 추천 화면 아래 '분석가 판정'이나 [판정 (블라인드)](./judge) 화면에서 표시하세요.")
        return
    with st.spinner("판정 기준 지표 계산 중…"):
        scores = jd.judged_scores(engine, list(APP_MODELS), marks, k=5)
        kappa, pairs = jd.proxy_agreement(engine, marks)
    st.dataframe(jd.judged_frame(scores), hide_index=True, width="stretch")
    st.metric("직종 일치 대리지표와 판정의 일치도 (Cohen's κ)", "-" if kappa != kappa else f"{kappa:.2f}",
              help=f"판정된 (질의, 항목) {pairs:,}쌍 · 관련/부분 = 관련, 같은 중분류 = 관련")
    st.caption(f"판정 {len(marks):,}건 · 분석가 {len({m.analyst for m in marks})}명 · 판정되지 않은 항목은 무관으로 셉니다 (커버리지 참고).")
