"""모델 비교: one query, every model, the same filtered candidate set, side by side."""
import pandas as pd
import streamlit as st

from core.data.kinds import Direction
from core.evaluation.comparison import overlap_at_k, rbo, unique_items
from core.evaluation.metrics import DIRECTIONS
from core.evaluation.report import reports_significance
from core.locations import here
from core.models.registry import APP_MODELS, MODEL_LABELS
from core.views import labels
from core.views.frames import closed_query_note, filters_off_note, record_number
from ui import controls, get_engine, get_model, page_header, pick_query, sidebar_common, view_state

sidebar_common()
page_header("모델 비교", "같은 질의 · 같은 필터 후보에서 모델별 추천 목록을 나란히 봅니다. 한 모델만 찾은 항목은 ★로 표시합니다.")
engine = get_engine()
state = controls(view_state(), show_model=False)
direction = st.radio("방향", list(DIRECTIONS), horizontal=True, format_func=DIRECTIONS.get, key="cmp_direction")
target = Direction(direction).target
query = pick_query(state, direction)
if query is not None:
    # what the recommendation pages say above a list, said here too (a link may carry dist=0 or ckm=200)
    if closed := closed_query_note(engine.corpus, query, direction):
        st.warning(closed, icon="📅")
    lists, frames = {}, {}
    for name in APP_MODELS:
        if get_model(name, state.analyser) is None:
            continue
        res = engine.recommend(name, state.analyser, query, target, state.k, state.filters, explain=False)
        lists[name] = [r.item_id for r in res.items]
        frames[name] = res
    if lists:
        report = next(iter(frames.values())).report  # one candidate set for every model
        if off := filters_off_note(state.filters, target, disability=direction != "posting->posting", query=query,
                                   radius_km=report.radius_km):
            st.warning(off, icon="⚠️")
        only = unique_items(lists)
        st.caption(f"필터 통과 후보 {report.kept:,}건 (모든 모델 동일)")
        names = list(lists)
        for start in range(0, len(names), 2):  # two lists a row: full titles at 1280 px (four columns cut them)
            for col, name in zip(st.columns(2), names[start:start + 2]):
                col.subheader(MODEL_LABELS[name])
                rows = []
                for rank, item_id in enumerate(lists[name], 1):
                    item = engine.corpus.get(item_id)
                    label = getattr(item, "title", None) or f"{record_number(item_id)} {item.desired_job_name}"
                    # the number beside the title: two postings of one title read as a duplicate without it
                    rows.append({"순위": rank, "항목": ("★ " if item_id in only[name] else "") + label,
                                 "번호": record_number(item_id), "점수": round(frames[name].items[rank - 1].score, 3)})
                col.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", column_config={
                    "순위": st.column_config.NumberColumn(width=48), "점수": st.column_config.NumberColumn(width=64),
                    "항목": st.column_config.TextColumn(width="large"), "번호": st.column_config.TextColumn(width="small")})
        st.caption(f"{labels.UNIQUE.label}: {labels.UNIQUE.help}")
        top, similar = labels.overlap(state.k), labels.RBO
        pairs = [{"모델 A": MODEL_LABELS[a], "모델 B": MODEL_LABELS[b],
                  top.label: round(overlap_at_k(lists[a], lists[b], state.k), 3),
                  similar.label: round(rbo(lists[a], lists[b]), 3)}
                 for i, a in enumerate(names) for b in names[i + 1:]]
        st.subheader("목록 일치도")
        st.dataframe(pd.DataFrame(pairs), hide_index=True, width="stretch", column_config={
            top.label: st.column_config.NumberColumn(help=top.help), similar.label: st.column_config.NumberColumn(help=similar.help)})
        st.caption(f"**{top.label}**: {top.help}  \n**{similar.label}**: {similar.help}")
significance = reports_significance(direction, here().reports_dir)
st.subheader("모델 간 차이의 유의성 (평가 보고서 기준)")
if significance is None:
    st.info("아직 평가 보고서가 없습니다. [평가·감사](./evaluation) 화면을 열면 현재 코퍼스를 작게 평가합니다.")
elif significance.empty:
    st.info("이 방향에서 같은 질의로 비교한 모델 쌍이 보고서에 없습니다.")
else:
    st.dataframe(significance, hide_index=True, width="stretch")
    st.caption("한 질의의 목록이 아니라 보고서의 모든 질의에서 본 차이입니다 (대응 무작위화 검정, Holm 보정, α = 0.05).")
