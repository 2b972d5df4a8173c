"""Streamlit building blocks shared by the pages: cached store/engine, controls bound to the URL,
the ranked list with its map, CSV export. Logic lives in `core`; this file only lays it out."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
import pydeck as pdk
import streamlit as st

from core import mapdata
from core.encoders import ModelNotReady
from core.filters import FilterSettings
from core.links import MODELS, ViewState, from_params, to_params
from core.recommend import MODEL_LABELS, Engine, RecommendResult
from core.store import Store
from core.textproc import ANALYSERS
from core.views import FILTER_LABELS, explanation_text, posting_row, result_frame, seeker_row, to_csv_bytes

@dataclass(frozen=True)
class PageSpec:
    """One page of the app: app.py registers it, the start page links it with its blurb."""
    path: str
    title: str
    icon: str
    section: str
    url_path: str = ""  # "" = the default page at "/"
    blurb: str = ""  # shown on the start page; "" = not listed there


PAGES = (
    PageSpec("pages/home.py", "시작", "🏠", "JobLens"),
    PageSpec("pages/similar_postings.py", "유사 공고 추천", "🔁", "추천", "similar", "공고 하나를 고르면 비슷한 공고를 찾습니다"),
    PageSpec("pages/seeker_postings.py", "구직자 맞춤 추천", "🙋", "추천", "seeker", "구직자에게 맞는 공고를 찾습니다"),
    PageSpec("pages/posting_seekers.py", "인재 추천", "🤝", "추천", "talent",
             "공고에 맞는 구직자를 찾습니다. 개인 식별 정보는 표시하지 않습니다"),
    PageSpec("pages/model_compare.py", "모델 비교", "⚖️", "분석", "compare", "같은 질의를 모든 모델로 나란히 비교합니다"),
    PageSpec("pages/corpus_status.py", "코퍼스 현황", "📊", "분석", "corpus", "코퍼스 규모·출처·거부 사유·분포"),
    PageSpec("pages/evaluation_audit.py", "평가·감사", "📏", "분석", "evaluation", "Top-k·MAP·nDCG·필터 위반과 신뢰구간"),
    PageSpec("pages/suitability_review.py", "적합성 검토", "♿", "분석", "suitability", "장애유형 적합성 추출 결과 검토·수정"),
    PageSpec("pages/wbert_training.py", "W-BERT 학습", "🧠", "분석", "wbert"),
)

ANALYSER_LABELS = {"mecab": "MeCab (빠름)", "kiwi": "Kiwi", "komoran": "Komoran (konlpy)", "okt": "Okt (konlpy)",
                   "kkma": "Kkma (konlpy, 논문 방식·느림)"}
A11Y_CSS = """<style>
html, body, [class*="css"], .stMarkdown, .stDataFrame, label, p, li { font-size: 1.22rem !important; }
h1 { font-size: 2.4rem !important; } h2, h3 { font-size: 1.8rem !important; }
.stApp { background: #ffffff !important; color: #000000 !important; }
a, .stButton button { color: #0033aa !important; font-weight: 700 !important; }
</style>"""


# ---------------------------------------------------------------- cached resources
@st.cache_resource(show_spinner="데이터베이스 여는 중…")
def get_store() -> Store:
    return Store()


@st.cache_resource(show_spinner="코퍼스 불러오는 중…")
def get_engine() -> Engine:
    return Engine.from_store(get_store())


def get_model(name: str, analyser: str = "mecab"):
    """Fitted model or None (with the reason shown). Fitting happens once per process."""
    engine = get_engine()
    if (name, analyser) not in engine._models:
        bar = st.progress(0.0, text=f"{MODEL_LABELS.get(name, name)} 준비 중…")

        def progress(label: str, i: int, n: int) -> None:
            bar.progress(min(1.0, i / max(n, 1)), text=f"{label}: {i:,}/{n:,}")

        try:
            engine.model(name, analyser, progress=progress)
        except ModelNotReady as e:
            bar.empty()
            st.info(f"**{MODEL_LABELS.get(name, name)}: 학습 필요** — {e}")
            if name == "wbert":
                st.markdown("[🧠 W-BERT 학습 화면으로 이동](./wbert)")
            return None
        bar.empty()
    return engine._models[(name, analyser)]


# ---------------------------------------------------------------- page frame
def page_header(title: str, caption: str = "") -> None:
    if st.session_state.get("a11y") or st.query_params.get("a11y") == "1":
        st.markdown(A11Y_CSS, unsafe_allow_html=True)  # our own CSS only; never posting text
    st.title(title)
    if caption:
        st.caption(caption)
    engine = get_engine()
    synthetic = sum(p.synthetic for p in engine.corpus.postings.values())
    if synthetic:
        st.warning(f"합성(데모) 데이터: 공고 {synthetic:,}건은 실제 공고가 아닌 생성된 예시입니다.", icon="🧪")


def corpus_metrics() -> None:
    """The three corpus counts, as the start page and 코퍼스 현황 both show them."""
    counts = get_store().counts()
    for column, (label, key) in zip(st.columns(3), (("공고", "postings"), ("구직자", "seekers"), ("거부된 행", "rejects"))):
        column.metric(label, f"{counts[key]:,}")


def escape_md(text: str) -> str:
    """Posting text is untrusted: escape Markdown so it renders as plain text."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$])", r"\\\1", str(text or ""))


def sidebar_common() -> None:
    with st.sidebar:
        st.toggle("큰 글씨·고대비", key="a11y", help="글자를 키우고 대비를 높입니다 (링크에 a11y=1로 공유)")


# ---------------------------------------------------------------- controls ↔ URL
def view_state() -> ViewState:
    return from_params(dict(st.query_params))


def sync_url(state: ViewState) -> None:
    wanted = to_params(state)
    if st.session_state.get("a11y"):
        wanted["a11y"] = "1"
    current = {k: v for k, v in st.query_params.items()}
    if current != wanted:
        st.query_params.from_dict(wanted)


def controls(state: ViewState, show_model: bool = True, disability: bool = True) -> ViewState:
    with st.sidebar:
        st.header("추천 설정")
        if show_model:
            state.model = st.selectbox("모델", MODELS, index=MODELS.index(state.model),
                                       format_func=lambda m: MODEL_LABELS[m], key="ctl_model")
        if not show_model or state.model in ("tfidf", "hybrid"):
            state.analyser = st.selectbox("형태소 분석기 (TF-IDF)", ANALYSERS, index=ANALYSERS.index(state.analyser)
                                          if state.analyser in ANALYSERS else 0,
                                          format_func=lambda a: ANALYSER_LABELS[a], key="ctl_analyser")
        state.k = st.slider("추천 개수 (k)", 1, 50, state.k, key="ctl_k")
        st.subheader("필터 (절대 위반 안 함)")
        state.distance = st.toggle("거리", state.distance, key="ctl_dist")
        c1, c2 = st.columns(2)
        state.capital_km = c1.number_input("수도권 km", 1.0, 200.0, float(state.capital_km), 5.0, key="ctl_ckm",
                                           disabled=not state.distance)
        state.other_km = c2.number_input("그 외 km", 1.0, 300.0, float(state.other_km), 5.0, key="ctl_okm",
                                         disabled=not state.distance)
        state.education = st.toggle("학력 (요구 학력 ≤ 보유 학력)", state.education, key="ctl_edu")
        state.career = st.toggle("경력 (신입에게 경력 전용 공고 제외)", state.career, key="ctl_career")
        if disability:
            state.disability = st.toggle("장애유형 적합성", state.disability, key="ctl_dis")
    return state


# ---------------------------------------------------------------- pickers
def pick_posting(state: ViewState, label: str = "기준 공고 (제목·회사·지역·구인인증번호로 검색)") -> str | None:
    engine = get_engine()
    ids = engine.corpus.tables["posting"].ids
    if not ids:
        st.error("공고가 없습니다. `python -m core demo` 또는 `python -m core ingest` 로 먼저 수집하세요.")
        return None
    index = ids.index(state.posting) if state.posting in engine.corpus.postings else 0

    def fmt(pid: str) -> str:
        p = engine.corpus.postings[pid]
        return f"{p.title} · {p.display_company} · {p.place.sigungu or p.display_region} · {p.wantedAuthNo or pid}"

    return st.selectbox(label, ids, index=index, format_func=fmt, key="pick_posting")


def pick_seeker(state: ViewState) -> str | None:
    engine = get_engine()
    ids = engine.corpus.tables["seeker"].ids
    if not ids:
        st.error("구직자가 없습니다.")
        return None
    index = ids.index(state.seeker) if state.seeker in engine.corpus.seekers else 0

    def fmt(sid: str) -> str:
        s = engine.corpus.seekers[sid]
        return (f"{sid.split(':', 1)[-1]} · {s.desired_job_name or '희망직종 미상'} · {s.desired_region} · "
                f"{s.disability_type or '장애 없음'}")

    return st.selectbox("구직자 (번호·희망직종·지역으로 검색)", ids, index=index, format_func=fmt, key="pick_seeker")


def pick_query(state: ViewState, direction: str):
    """The query record for a direction ('posting->…' or 'seeker->…'), chosen in a picker bound to the URL."""
    engine = get_engine()
    if direction.startswith("posting"):
        state.posting = pick_posting(state) or ""
        query = engine.corpus.postings.get(state.posting)
    else:
        state.seeker = pick_seeker(state) or ""
        query = engine.corpus.seekers.get(state.seeker)
    sync_url(state)
    return query


def record_card(record) -> None:
    row = posting_row(record) if hasattr(record, "wantedAuthNo") else seeker_row(record)
    if hasattr(record, "wantedAuthNo"):
        row |= {"직무내용": record.jobCont or record.jobNm, "전공": record.major or record.reqMajor,
                "자격면허": record.certificate or record.reqLicens, "우대조건": record.pfCond,
                "장애인 편의시설": record.disableCvntl}
        st.subheader(escape_md(record.title))
    else:
        row |= {"희망직무": record.desired_duties, "전공": record.major, "자격": record.certificates}
    frame = pd.DataFrame({"항목": list(row), "내용": [str(v or "-") for v in row.values()]})
    st.dataframe(frame, hide_index=True, width="stretch")


# ---------------------------------------------------------------- results
def filter_summary(result: RecommendResult, model, query, target: str, filters: FilterSettings) -> str:
    from core.filters import filter_mask

    parts = [f"후보 {result.report.total:,}건 → 필터 통과 {result.report.kept:,}건"]
    for name, n in result.report.removed.items():
        if n:
            parts.append(f"{FILTER_LABELS[name]} 필터로 {n:,}건 제외")
    if filters.distance and result.report.radius_km:
        wider = FilterSettings(**{**filters.__dict__, "capital_km": filters.capital_km + 10,
                                  "other_km": filters.other_km + 10})
        _, rep = filter_mask(model.origin(query), model.corpus.tables[target], wider)
        parts.append(f"{result.report.radius_km + 10:.0f} km이면 +{rep.kept - result.report.kept:,}건")
    return "; ".join(parts)


def results_view(engine: Engine, result: RecommendResult, query, target: str, key: str) -> None:
    frame = result_frame(engine.corpus, result, target)
    if result.report.note:
        st.warning(result.report.note)
    if frame.empty:
        st.info("조건을 모두 만족하는 결과가 없습니다. 필터를 완화해 보세요.")
        return
    selected = st.session_state.get(f"{key}_selected")
    shown = frame.drop(columns=["id"])
    event = st.dataframe(shown, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                         key=f"{key}_table")
    rows = event.selection.rows if event and event.selection else []
    if rows:
        selected = frame.iloc[rows[0]]["id"]
    map_sel = render_map(engine, result, query, frame, selected, key)
    if map_sel and not rows:
        selected = map_sel
    st.session_state[f"{key}_selected"] = selected
    if selected in set(frame["id"]):
        row = frame[frame["id"] == selected].iloc[0]
        with st.container(border=True):
            st.markdown(f"**선택: {row['순위']}위** — {escape_md(row.get('제목') or row.get('희망직종'))}")
            st.text(f"왜 추천되었나: {row['근거'] or '-'}")
            st.text(f"필터 통과: {row['필터'] or '-'}")
    st.download_button("CSV 내려받기 (엑셀 호환)", to_csv_bytes(frame), file_name=f"joblens_{key}.csv",
                       mime="text/csv", key=f"{key}_csv")


def render_map(engine: Engine, result: RecommendResult, query, frame: pd.DataFrame, selected: str | None,
               key: str) -> str | None:
    rows = []
    for _, r in frame.iterrows():
        item = engine.corpus.get(r["id"])
        rows.append({"id": r["id"], "rank": int(r["순위"]), "lat": item.place.lat, "lon": item.place.lon,
                     "title": str(r.get("제목") or r.get("희망직종")), "company": str(r.get("회사") or ""),
                     "distance_km": r["거리(km)"] if pd.notna(r["거리(km)"]) else None})
    pts = mapdata.points(rows, selected)
    origin = (query.place.lat, query.place.lon) if query.place.lat is not None else None
    layers = [pdk.Layer("GeoJsonLayer", mapdata.sido_boundaries(), id="boundaries", stroked=True, filled=False,
                        get_line_color=[140, 140, 150, 255],
                        line_width_min_pixels=1, pickable=False)]
    if origin and result.report.radius_km:
        layers.append(pdk.Layer("ScatterplotLayer", [{"lat": origin[0], "lon": origin[1]}], id="radius",
                                get_position="[lon, lat]", get_radius=result.report.radius_km * 1000,
                                stroked=True, filled=True, get_fill_color=[31, 95, 191, 25],
                                get_line_color=[31, 95, 191, 200], line_width_min_pixels=2, pickable=False))
    if origin:
        layers.append(pdk.Layer("ScatterplotLayer", [{"lat": origin[0], "lon": origin[1], "tooltip": "기준 위치"}],
                                id="origin", get_position="[lon, lat]", get_radius=300, radius_min_pixels=7,
                                radius_max_pixels=11, get_fill_color=[200, 30, 30, 255], pickable=True))
    layers.append(pdk.Layer("ScatterplotLayer", pts, id="items", get_position="[lon, lat]", get_radius="radius",
                            radius_min_pixels=5, radius_max_pixels=14, get_fill_color="color", pickable=True,
                            auto_highlight=True))
    basemap = st.session_state.get("basemap", False)
    deck = pdk.Deck(layers=layers, initial_view_state=pdk.ViewState(**mapdata.view(origin, result.report.radius_km, pts)),
                    map_style="light" if basemap else None, tooltip={"text": "{tooltip}"})
    event = st.pydeck_chart(deck, on_select="rerun", selection_mode="single-object", key=f"{key}_map", height=430)
    st.toggle("배경 지도 타일 (인터넷 필요)", key="basemap")
    try:
        objects = event.selection.get("objects", {}) if event else {}
        chosen = objects.get("items") or []
        return chosen[0]["id"] if chosen else None
    except (AttributeError, KeyError, IndexError, TypeError):
        return None


def recommendation_page(direction: str) -> None:
    """One page per direction: posting→postings, seeker→postings, posting→seekers."""
    titles = {"posting->posting": ("유사 공고 추천", "비슷한 채용공고도 둘러보세요"),
              "seeker->posting": ("구직자 맞춤 추천", "구직자에게 맞는 채용공고 (구직 추천)"),
              "posting->seeker": ("인재 추천", "공고에 맞는 구직자 (구인 추천) — 개인 식별정보는 표시하지 않습니다")}
    title, caption = titles[direction]
    sidebar_common()
    page_header(title, caption)
    engine = get_engine()
    state = controls(view_state(), disability=direction != "posting->posting")
    target = direction.split("->")[1]
    query = pick_query(state, direction)
    if query is None:
        return
    with st.expander("기준 정보", expanded=False):
        record_card(query)
    model = get_model(state.model, state.analyser)
    if model is None:
        return
    with st.spinner("추천 계산 중…"):
        result = model.recommend(query, k=state.k, filters=state.filters, target=target)
    st.markdown(f"**{MODEL_LABELS[state.model]}** · {filter_summary(result, model, query, target, state.filters)} · "
                f"{result.seconds * 1000:.0f} ms")
    results_view(engine, result, query, target, key=direction.replace("->", "_"))
