"""Cached store, engine and models: one of each per server process (st.cache_resource)."""
from __future__ import annotations

import threading

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core import clock, locations
from core.data import datasets
from core.data.store import Store
from core.models.encoders import ModelNotReady
from core.models.engine import Engine
from core.models.registry import MODEL_LABELS, ModelParams
from core.models.vectorstore import open_vector_store
from core.settings import settings
from core.text.particles import particle

# the app is an edge: the settings are read here, once per server process (pages import `ui` first); the
# folders are set for every page unless the process already chose them (tests running pages in-process)
if not locations.is_set():
    locations.use(locations.Locations.from_settings(settings()))


@st.cache_resource
def model_params() -> ModelParams:
    """What the app's models compute with, from the settings (one engine per process uses them)."""
    return ModelParams.from_settings(settings())


def get_store() -> Store:
    """The store of the current data folder. Cached per path, so a store (and the engine over it) never outlives
    the folder it was opened in: a process that points JobLens elsewhere gets that folder's store at once."""
    return _store_at(str(locations.here().db_path))


@st.cache_resource(show_spinner="데이터베이스 여는 중…")
def _store_at(path: str) -> Store:
    return Store(path)


def _engine() -> Engine:
    return _engine_at(str(locations.here().db_path))


@st.cache_resource(show_spinner="코퍼스 불러오는 중…")
def _engine_at(path: str) -> Engine:
    return Engine.from_store(_store_at(path), params=model_params(), vector_store=open_vector_store(settings().vector_store),
                             as_of=clock.today().isoformat())  # a real posting past its closing date is never offered


_runs: dict[tuple, object] = {}  # (session id, engine) → the run that last refreshed that engine
_runs_lock = threading.Lock()


def get_engine() -> Engine:
    """The engine of the corpus the sidebar chose (see `current_corpus`), with whatever a sync, upload or ingest
    stored since taken in: one indexed query per rerun of a page, however many widgets ask for the engine during it."""
    engine = _real_engine() if current_corpus() == "real" else _engine()
    ctx = get_script_run_ctx()
    if ctx is None:  # outside a page run (a background thread): always look
        engine.refresh()
        return engine
    run = ctx.cursors  # Streamlit gives each run of a session a new cursors dict (ScriptRunContext.reset)
    key = (ctx.session_id, id(engine))  # the corpus switch: each engine is refreshed once per run of its own
    with _runs_lock:
        fresh = _runs.get(key) is not run
        _runs[key] = run
    if fresh:
        engine.refresh()
    return engine


# ------------------------------------------------------------ the corpus switch (#26): 데모 / 실데이터
@st.cache_resource(show_spinner="실데이터 여는 중… (처음 한 번은 공고·구직자 수집에 몇 분 걸립니다)")
def _real_engine() -> Engine:
    """The real public corpus: 고용24 2024 postings with a fixed sample of KEAD 2025 seekers, ingested from
    ../shared/data into its own store once (set-up does it ahead). Vectors are encoded on a model's first use,
    with progress, and cached in that store."""
    return Engine.for_dataset(datasets.REAL_CORPUS, datasets.REAL_SEEKERS_SAMPLE, params=model_params())


@st.cache_data(ttl=60, show_spinner=False)
def _real_available() -> bool:
    return datasets.available()


def corpus_options() -> list[str]:
    """'app': the app's own store (the demo corpus, plus what sync and upload added); 'real' when present."""
    return ["app", "real"] if _real_available() else ["app"]


def current_corpus() -> str:
    """The sidebar's choice, else a shared link's `corpus=real`, else the app's store."""
    choice = st.session_state.get("corpus") or st.query_params.get("corpus") or "app"
    return choice if choice in corpus_options() else "app"


def corpus_label(choice: str) -> str:
    """What the corpus is, in a counselor's words: synthetic, collected, or real public data."""
    if choice == "real":
        return (f"실데이터: 고용24 2024 채용공고 + KEAD 2025 구직자 (고정 표본 {datasets.REAL_SEEKERS_SAMPLE:,}명)")
    total, synthetic = get_store().synthetic_postings()
    if total and synthetic == total:
        return "데모 (합성)"
    if synthetic:
        return f"데모 (합성) + 동기화·업로드 공고 {total - synthetic:,}건"
    return "동기화·업로드로 모은 공고"


def corpus_picker() -> None:
    """The sidebar's data switch (only when there is a choice); a change clears the picked records, which belong
    to the other corpus."""
    options = corpus_options()
    if "corpus" not in st.session_state:
        st.session_state["corpus"] = current_corpus()
    if len(options) < 2:
        return

    def switched() -> None:
        for key in ("pick_posting", "pick_seeker"):
            st.session_state.pop(key, None)
        for param in ("posting", "seeker"):
            st.query_params.pop(param, None)

    st.selectbox("데이터", options, format_func=corpus_label, key="corpus", on_change=switched,
                 help="데모(합성) 데이터와 실제 공공데이터(고용24 채용공고·KEAD 구직자)를 오갑니다")


def get_model(name: str, analyser: str = "mecab"):
    """Fitted model or None (with the reason shown). Fitting happens once per process."""
    engine = get_engine()
    if engine.loaded(name, analyser) is None:
        bar = st.progress(0.0, text=f"{MODEL_LABELS.get(name, name)} 준비 중…")

        def progress(label: str, i: int, n: int, note: str = "") -> None:
            bar.progress(min(1.0, i / max(n, 1)), text=f"{MODEL_LABELS.get(name, name)} 준비 중 · {label}: {i:,}/{n:,}건")

        try:
            engine.model(name, analyser, progress=progress)
        except ModelNotReady as e:
            bar.empty()
            label = MODEL_LABELS.get(name, name)
            if e.needs_training:  # the CLI's words are for whoever runs the server: the page names its own button
                st.info(f"**{particle(label, '은/는')} 아직 학습되지 않았습니다.** W-BERT 화면의 학습 버튼으로 만들 수 있고, "
                        "그동안 왼쪽 추천 설정에서 다른 모델을 고를 수 있습니다.")
            else:  # not on this machine, or it failed to load: say so plainly, keep the detail for the admin
                st.warning(f"**{particle(label, '을/를')} 불러오지 못했습니다.** 왼쪽 추천 설정에서 다른 모델을 고를 수 "
                           "있습니다. 관리자에게는 아래 내용을 전해 주세요.")
                with st.expander("관리자용 자세한 내용"):
                    st.code(str(e), language=None, wrap_lines=True)
            if name == "wbert":
                st.markdown("[🧠 W-BERT 학습 화면으로 이동](./wbert)")
            return None
        bar.empty()
    return engine.model(name, analyser)
