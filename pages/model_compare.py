"""모델 비교: one query, every model, the same filtered candidate set, side by side."""
import pandas as pd
import streamlit as st

from core.evaluation.comparison import overlap_at_k, rbo, unique_items
from core.evaluation.metrics import DIRECTIONS
from core.models.registry import APP_MODELS, MODEL_LABELS
from ui import controls, get_engine, get_model, page_header, pick_query, sidebar_common, view_state

sidebar_common()
page_header("모델 비교", "같은 질의 · 같은 필터 후보에서 모델별 추천 목록을 나란히 봅니다. 한 모델만 찾은 항목은 ★로 표시합니다.")
engine = get_engine()
state = controls(view_state(), show_model=False)
direction = st.radio("방향", list(DIRECTIONS), horizontal=True, format_func=DIRECTIONS.get, key="cmp_direction")
target = direction.split("->")[1]
query = pick_query(state, direction)
if query is not None:
    lists, frames = {}, {}
    for name in APP_MODELS:
        if get_model(name, state.analyser) is None:
            continue
        res = engine.recommend(name, state.analyser, query, target, state.k, state.filters, explain=False)
        lists[name] = [r.item_id for r in res.items]
        frames[name] = res
    if lists:
        only = unique_items(lists)
        st.caption(f"필터 통과 후보 {next(iter(frames.values())).report.kept:,}건 (모든 모델 동일)")
        cols = st.columns(len(lists))
        for col, (name, items) in zip(cols, lists.items()):
            col.subheader(MODEL_LABELS[name])
            rows = []
            for rank, item_id in enumerate(items, 1):
                item = engine.corpus.get(item_id)
                label = getattr(item, "title", None) or f"{item_id.split(':', 1)[-1]} {item.desired_job_name}"
                rows.append({"순위": rank, "항목": ("★ " if item_id in only[name] else "") + label,
                             "점수": round(frames[name].items[rank - 1].score, 3)})
            col.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        names = list(lists)
        pairs = [{"모델 A": MODEL_LABELS[a], "모델 B": MODEL_LABELS[b],
                  f"overlap@{state.k}": round(overlap_at_k(lists[a], lists[b], state.k), 3),
                  "RBO (p=0.9)": round(rbo(lists[a], lists[b]), 3)}
                 for i, a in enumerate(names) for b in names[i + 1:]]
        st.subheader("목록 일치도")
        st.dataframe(pd.DataFrame(pairs), hide_index=True, width="stretch")
