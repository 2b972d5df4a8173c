"""Page frame and controls shared by the pages: header, accessibility toggle, filters, pickers, record card."""
from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from core import clock
from core.geo.naming import place_name, seeker_region
from core.models.registry import APP_MODELS, MODEL_LABELS, REGISTRY
from core.text.analysers import ANALYSERS
from core.text.particles import particle
from core.views.frames import posting_row, record_number, seeker_row
from core.views.links import BOUNDS, ViewState

from .resources import corpus_label, corpus_picker, current_corpus, get_engine, get_store
from .state import sync_url

ANALYSER_LABELS = {"mecab": "MeCab (빠름)", "kiwi": "Kiwi", "komoran": "Komoran (konlpy)", "okt": "Okt (konlpy)",
                   "kkma": "Kkma (konlpy, 논문 방식·느림)"}
A11Y_SCALE = 1.4  # 큰 글씨: every size in rem grows by this much (16 px → 22.4 px body text)
# The root size scales what Streamlit sizes in rem: text, headings, pickers, buttons, and the tables too (the
# data grid draws on a canvas with a font it computes from the root size), so no element is left at ~13 px.
A11Y_CSS = f"""<style>
html {{ font-size: {16 * A11Y_SCALE:.1f}px !important; }}
.stApp {{ background: #ffffff !important; color: #000000 !important; }}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {{ color: #222222 !important; }}
a, .stButton button {{ color: #0033aa !important; font-weight: 700 !important; }}
</style>"""


# Streamlit's file uploader has no language setting and writes 'Upload', 'Drag and drop file here' and '50MB per
# file' in English: every uploader's label says what to do in Korean, its own words are hidden, its button relabelled.
# Headings break between Korean words, not inside one: at 400 px the title read 'JobLens · 채용 추 / 천'.
PAGE_CSS = """<style>
h1, h2, h3, h4 { word-break: keep-all; overflow-wrap: anywhere; }
[data-testid="stFileUploaderDropzoneInstructions"] { display: none !important; }
[data-testid="stFileUploaderDropzone"] button { font-size: 0 !important; }
[data-testid="stFileUploaderDropzone"] button > * { display: none !important; }
[data-testid="stFileUploaderDropzone"] button::after { content: "파일 선택"; font-size: 0.875rem; }
</style>"""


def a11y_on() -> bool:
    """큰 글씨·고대비: the sidebar toggle, or a shared link with a11y=1."""
    return bool(st.session_state.get("a11y") or st.query_params.get("a11y") == "1")


def page_header(title: str, caption: str = "") -> None:
    st.markdown(PAGE_CSS, unsafe_allow_html=True)  # our own CSS only; never posting text
    if a11y_on():
        st.markdown(A11Y_CSS, unsafe_allow_html=True)
    st.title(title)
    if caption:
        st.caption(caption)
    engine = get_engine()
    st.caption(f"데이터: **{corpus_label(current_corpus())}**")  # every view says which corpus it shows
    synthetic = sum(p.synthetic for p in engine.corpus.postings.values())
    if synthetic:
        st.warning(f"합성(데모) 데이터: 공고 {synthetic:,}건은 실제 공고가 아닌 생성된 예시입니다.", icon="🧪")
    if not engine.corpus.as_of:  # a dated snapshot (the 실데이터 corpus): its lists keep postings past their closing dates
        today = clock.today().isoformat()
        expired = sum(p.expired_on(today) for p in engine.corpus.postings.values())
        if expired:
            st.info(f"수집 시점의 자료입니다: 마감일이 지난 공고 {expired:,}건도 목록에 나옵니다 (평가를 같은 조건으로 "
                    "하기 위해). 구직자에게 건네는 PDF에는 싣지 않으며, 안내 전에 고용24에서 마감 여부를 확인하세요.", icon="📅")


def corpus_metrics() -> None:
    """The three corpus counts, as the start page and 코퍼스 현황 both show them."""
    counts = get_store().counts()
    for column, (label, key) in zip(st.columns(3), (("공고", "postings"), ("구직자", "seekers"), ("거부된 행", "rejects"))):
        column.metric(label, f"{counts[key]:,}")


def escape_md(text: str) -> str:
    """Posting text is untrusted: escape Markdown so it renders as plain text."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$])", r"\\\1", str(text or ""))


def sidebar_common() -> None:
    if "a11y" not in st.session_state and st.query_params.get("a11y") == "1":
        st.session_state["a11y"] = True  # a shared link's a11y=1 turns the toggle on, so the URL sync keeps it
    with st.sidebar:
        corpus_picker()
        st.toggle("큰 글씨·고대비", key="a11y", help="글자를 키우고 대비를 높입니다 (링크에 a11y=1로 공유)")


def controls(state: ViewState, show_model: bool = True, disability: bool = True) -> ViewState:
    with st.sidebar:
        st.header("추천 설정")
        if show_model:
            state.model = st.selectbox("모델", APP_MODELS, index=APP_MODELS.index(state.model),
                                       format_func=lambda m: MODEL_LABELS[m], key="ctl_model")
        if not show_model or REGISTRY[state.model].uses_analyser:
            state.analyser = st.selectbox("형태소 분석기 (TF-IDF)", ANALYSERS, index=ANALYSERS.index(state.analyser)
                                          if state.analyser in ANALYSERS else 0,
                                          format_func=lambda a: ANALYSER_LABELS[a], key="ctl_analyser")
        state.k = st.slider("추천 개수 (k)", *BOUNDS["k"], state.k, key="ctl_k")
        state.prefer = st.toggle("희망 직종 우선", state.prefer, key="ctl_prefer",
                                 help="같은 중분류 직종, 같은 대분류 직종을 먼저 보여 줍니다 (필터는 그대로)")
        state.today = st.toggle("오늘 등록 먼저", state.today, key="ctl_today",
                                help="오늘 등록된 공고를 먼저 보여 줍니다 (실시간 동기화로 들어온 공고; 필터는 그대로)")
        st.subheader("필터 (절대 위반 안 함)")
        state.distance = st.toggle("거리", state.distance, key="ctl_dist")
        c1, c2 = st.columns(2)
        state.capital_km = c1.number_input("수도권 km", *BOUNDS["capital_km"], float(state.capital_km), 5.0, key="ctl_ckm",
                                           disabled=not state.distance)
        state.other_km = c2.number_input("그 외 km", *BOUNDS["other_km"], float(state.other_km), 5.0, key="ctl_okm",
                                         disabled=not state.distance)
        state.education = st.toggle("학력 (요구 학력 ≤ 보유 학력)", state.education, key="ctl_edu")
        state.career = st.toggle("경력 (신입에게 경력 전용 공고 제외)", state.career, key="ctl_career")
        if disability:
            state.disability = st.toggle("장애유형 적합성", state.disability, key="ctl_dis")
            state.unknown_verdict = st.toggle(
                "판정 없음 제외", state.unknown_verdict, key="ctl_unk", disabled=not state.disability,
                help="적합성 추출에 실패해 판정이 없는 공고를 장애 구직자에게 보이지 않습니다 (판정 없음은 적합이 아닙니다)")
    return state


def _pick(kind: str, current: str, label: str, fmt, empty: str) -> str | None:
    """A searchable picker over one side of the corpus, starting at the URL's record; a link naming a record
    that is not (or no longer) there says so instead of silently showing another one."""
    engine = get_engine()
    ids = engine.corpus.arrival[kind]  # as they arrived (the store's order), not the rows' grid-cell order
    if not ids:
        st.error(empty)
        return None
    known = current in engine.corpus.tables[kind].row_of
    if current and not known:
        noun = "공고" if kind == "posting" else "구직자"
        st.warning(f"링크의 {noun} {particle(repr(str(current)), '을/를')} 찾을 수 없어 첫 항목을 보여 줍니다.")
    index = ids.index(current) if known else 0
    return st.selectbox(label, ids, index=index, format_func=fmt, key=f"pick_{kind}")


def pick_posting(state: ViewState, label: str = "기준 공고 (제목·회사·지역·공고번호로 검색)") -> str | None:
    postings = get_engine().corpus.postings
    return _pick("posting", state.posting, label, lambda pid: " · ".join(part for part in (  # no '· ·' for a blank
        postings[pid].title, postings[pid].display_company,
        place_name(postings[pid].place, postings[pid].display_region), postings[pid].wantedAuthNo or pid) if part),
        "공고가 없습니다. `python -m core demo` 또는 `python -m core ingest` 로 먼저 수집하세요.")


def pick_seeker(state: ViewState) -> str | None:
    seekers = get_engine().corpus.seekers
    return _pick("seeker", state.seeker, "구직자 (번호·희망직종·지역으로 검색)", lambda sid: (
        f"{record_number(sid)} · {seekers[sid].desired_job_name or '희망직종 미상'} · "
        f"{seeker_region(seekers[sid]) or '지역 미상'} · "
        f"{seekers[sid].filter_disability or '장애 ' + seekers[sid].disability_text}"), "구직자가 없습니다.")


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
