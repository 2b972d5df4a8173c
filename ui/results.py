"""A ranked list as a page shows it: summary, table, map, selected item's reasons, CSV; and the recommendation page."""
from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from core import clock
from core.data.kinds import Direction
from core.geo import mapdata
from core.models import wbert
from core.models.base import RecommendResult
from core.models.engine import Engine
from core.models.registry import MODEL_LABELS
from core.views import printout
from core.views.frames import (
    SECONDARY_COLUMNS,
    STRENGTH_HELP,
    closed_query_note,
    counselor_frame,
    detail_rows,
    filter_summary,
    filters_off_note,
    key_columns,
    prefer_note,
    result_frame,
    split_at_floor,
    to_csv_bytes,
    unstated_disability_note,
    weak_list_advice,
)
from core.views.links import ViewState
from core.views.relevance import DIVIDER

from .judgments import judgment_panel
from .map import render_map
from .resources import get_engine, get_model
from .state import sync_url, view_state
from .widgets import A11Y_SCALE, a11y_on, controls, escape_md, page_header, pick_query, record_card, sidebar_common


def results_view(engine: Engine, result: RecommendResult, query, target: str, key: str,
                 direction: str | None = None, filters=None, state: ViewState | None = None,
                 notes: tuple[str, ...] = ()) -> pd.DataFrame:
    """The list as a page shows it; returns the full frame (관련 included) for what the page adds below it. With
    `state`, the opened row travels in the URL: a link opens the list with the same row's details. `notes`: the
    warnings the page said above the list, carried into the CSV."""
    full = result_frame(engine.corpus, result, target, direction, query)
    if result.report.note:
        st.warning(result.report.note)
    advice = weak_list_advice(engine.corpus, result, query, target, filters, direction) if direction and filters else None
    if advice:
        st.warning(advice, icon="💡")
    if state is not None and target != "posting":
        state = None  # a seeker's id stays off the talent page's link, as it stays off its table
    if full.empty:
        st.info("조건을 모두 만족하는 결과가 없습니다. 필터를 완화해 보세요.")
        if state is not None and state.item:
            state.item = ""  # nothing of the list is open
            sync_url(state)
        return full
    analyst = bool(st.session_state.get("analyst_view"))
    above, below = (counselor_frame(part, analyst) for part in split_at_floor(full))
    frame = counselor_frame(full, analyst)
    selected = st.session_state.get(f"{key}_selected", state.item if state else None)  # a link's row, on arrival
    columns = key_columns(frame, target, large=a11y_on())
    if analyst and "점수" in frame and "점수" not in columns:  # the model's raw score, for analysts only: before
        columns.insert(next((i for i, c in enumerate(columns) if c in SECONDARY_COLUMNS), len(columns)), "점수")  # 회사
    if "적합도" in columns:
        st.caption(f"적합도 = {STRENGTH_HELP}")
    rows = []
    if above.empty:  # nothing above the floor: the list is all other 직종, said first, shown as it is
        st.info("같은 직종으로 볼 만한 결과가 없습니다. 아래는 모두 다른 직종입니다 (모델 순서 그대로).")
        rows += _table(below, columns, f"{key}_table")
        shown = frame
    else:
        rows += _table(above, columns, f"{key}_table")
        shown = above
    if not above.empty and not below.empty:  # the relevance floor: filler under a visible divider, collapsed
        st.markdown(f'<div class="joblens-divider" style="border-top:2px dashed #888;margin:0.6em 0 0.2em;'
                    f'padding-top:0.3em;color:#444;font-weight:700">{DIVIDER} ({len(below)}건)</div>',
                    unsafe_allow_html=True)
        if st.toggle(f"다른 직종 {len(below)}건 보기", key=f"{key}_below",
                     help="같은 직종이 아니거나 적합도가 기준에 못 미치는 항목입니다 (모델 순서 그대로)"):
            rows += _table(below, columns, f"{key}_table_below")
            shown = frame.loc[list(above.index) + list(below.index)]
    if rows:
        selected = rows[0]
    map_sel = render_map(engine, result, query, shown, selected, key)
    if map_sel and not rows:
        selected = map_sel
    st.session_state[f"{key}_selected"] = selected
    if state is not None:
        state.item = selected if selected in set(frame["id"]) else ""
        sync_url(state)
    if selected in set(frame["id"]):
        row = frame[frame["id"] == selected].iloc[0]
        with st.container(border=True, key=f"{key}_detail"):
            st.markdown(f"**선택: {row['순위']}위** — {escape_md(row.get('제목') or row.get('희망직종'))}")
            details = detail_rows(frame, selected, target, large=a11y_on())  # as lines: a long one wraps, never cut off
            st.markdown("\n".join(f"- **{escape_md(name)}**: {escape_md(value)}" for name, value in details.items()))
    else:
        st.caption("표의 행이나 지도의 점을 누르면 근거·필터·급여 등 자세한 내용이 여기에 열립니다.")
    st.download_button("CSV 내려받기 (엑셀 호환)", to_csv_bytes(frame, notes), file_name=f"joblens_{key}.csv",
                       mime="text/csv", key=f"{key}_csv")
    return full


def _table(frame: pd.DataFrame, columns: list[str], key: str) -> list[str]:
    """One selectable result table; the ids of the rows selected in it."""
    large = a11y_on()
    # the frame keeps every field (the numbers behind the words, for analysts' exports); the table shows the key columns
    event = st.dataframe(frame, column_order=columns, hide_index=True, width="stretch", on_select="rerun",
                         selection_mode="single-row", key=key, row_height=48 if large else None,
                         column_config=table_config(columns, large))
    picked = event.selection.rows if event and event.selection else []
    return [frame.iloc[i]["id"] for i in picked]


TABLE_WIDTHS = {"순위": 48, "제목": 200, "희망직종": 170, "회사": 130, "연령대": 70, "지역": 120, "희망지역": 130,
                "거리": 84, "적합도": 84, "점수": 64, "직종 일치": 88}


def table_config(columns: list[str], large: bool = False) -> dict:
    """Fixed widths that add up to less than the main column at 1280 px with the sidebar open (~810 px, the row
    selector included); 큰 글씨 widens them with the text, so the table may scroll sideways: key_columns(large=True)
    puts what scrolls off (회사, 지역) last. Nothing is pinned: Streamlit draws a pinned column's text grey, too
    faint for the people 큰 글씨 is for."""
    scale = A11Y_SCALE if large else 1.0
    config = {c: st.column_config.Column(width=round(TABLE_WIDTHS[c] * scale)) for c in columns
              if c in TABLE_WIDTHS and c != "적합도"}
    if "적합도" in columns:
        config["적합도"] = st.column_config.ProgressColumn("적합도", min_value=0, max_value=100, format="%d",
                                                        width=round(TABLE_WIDTHS["적합도"] * scale), help=STRENGTH_HELP)
    return config


def recommendation_page(direction: str) -> None:
    """One page per direction: posting→postings, seeker→postings, posting→seekers."""
    titles = {"posting->posting": ("유사 공고 추천", "비슷한 채용공고도 둘러보세요"),
              "seeker->posting": ("구직자 맞춤 추천", "구직자에게 맞는 채용공고 (구직 추천)"),
              "posting->seeker": ("인재 추천", "공고에 맞는 구직자 (구인 추천) — 개인 식별정보는 표시하지 않습니다")}
    title, caption = titles[direction]
    sidebar_common()
    with st.sidebar:
        st.toggle("분석가 보기", key="analyst_view", help="모델 원점수와 모델별 근거(공통 형태소 등)를 표와 상세에 함께 보여 줍니다")
    page_header(title, caption)
    engine = get_engine()
    state = controls(view_state(), disability=direction != "posting->posting")
    target = Direction(direction).target
    query = pick_query(state, direction)
    if query is None:
        return
    with st.expander("기준 정보", expanded=False):
        record_card(query)
    if unstated := unstated_disability_note(query):
        st.warning(unstated, icon="♿")
    if closed := closed_query_note(engine.corpus, query, direction):
        st.warning(closed, icon="📅")
    model = get_model(state.model, state.analyser)
    if model is None:
        return
    with st.spinner("추천 계산 중…"):
        # the engine serves the stored list of exactly this model, analyser and configuration when one fits
        # (python -m core recsets), else ranks live
        result = engine.recommend(state.model, state.analyser, query, target, state.k, state.filters,
                                  prefer_occupation=state.prefer,
                                  today_first=clock.today().isoformat() if state.today else "")
    st.markdown(f"**{MODEL_LABELS[state.model]}** · {filter_summary(engine.corpus, result, query, target, state.filters)} · "
                f"{result.seconds * 1000:.0f} ms")
    off = filters_off_note(state.filters, target, disability=direction != "posting->posting", query=query,
                           radius_km=result.report.radius_km)
    if off:
        st.warning(off, icon="⚠️")
    if state.model == "wbert":
        st.caption(wbert.describe(wbert.read_card()))  # which W-BERT: variant, level, data, accuracy
    if state.prefer:
        st.caption(prefer_note(query))
    frame = results_view(engine, result, query, target, key=direction.replace("->", "_"), direction=direction,
                         filters=state.filters, state=state, notes=(unstated or "", closed or "", off or ""))
    if direction == "seeker->posting" and result.items:
        # made when the button is pressed (Streamlit calls `data` then), not on every view of the list; only the
        # items above the relevance floor go on paper, and the sheet says how many it left out
        above, below = split_at_floor(frame)
        ranked = [(r.rank, r.item_id, r.distance_km) for r in result.items if r.item_id in set(above["id"])]
        if not ranked:  # a sheet that lists no posting is no help on paper
            st.caption("🖨️ 출력할 공고가 없습니다: 같은 직종으로 볼 만한 공고가 목록에 없어 안내문을 만들지 않습니다.")
        else:
            sheet = partial(printout.sheet_now, engine, query, ranked, mapdata.shown_radius(result.report),
                            state.filters, left_out=len(below))  # made at the click, on the store as it is then
            st.download_button("🖨️ PDF 출력 (A4 한 장, 큰 글씨)", sheet,
                               file_name=f"joblens_추천공고_{clock.today().isoformat()}.pdf", mime="application/pdf",
                               key="seeker_pdf",
                               help="구직자에게 건넬 안내문: 희망 직종·지역, 추천 공고, 지원 방법, 지도 (개인 식별정보 없음)")
    judgment_panel(result, query, direction, state, key=direction.replace("->", "_"))
