"""Cached store, engine and models: one of each per server process (st.cache_resource)."""
from __future__ import annotations

import streamlit as st

from core.data.store import Store
from core.models.encoders import ModelNotReady
from core.models.engine import Engine
from core.models.registry import MODEL_LABELS
from core.models.vectorstore import open_vector_store
from core.settings import settings


@st.cache_resource(show_spinner="데이터베이스 여는 중…")
def get_store() -> Store:
    return Store()


@st.cache_resource(show_spinner="코퍼스 불러오는 중…")
def _engine() -> Engine:
    return Engine.from_store(get_store(), vector_store=open_vector_store(settings().vector_store))


def get_engine() -> Engine:
    """The process's engine, with whatever a sync, upload or ingest stored since taken in (one indexed query)."""
    engine = _engine()
    engine.refresh()
    return engine


def get_model(name: str, analyser: str = "mecab"):
    """Fitted model or None (with the reason shown). Fitting happens once per process."""
    engine = get_engine()
    if engine.loaded(name, analyser) is None:
        bar = st.progress(0.0, text=f"{MODEL_LABELS.get(name, name)} 준비 중…")

        def progress(label: str, i: int, n: int, note: str = "") -> None:
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
    return engine.model(name, analyser)
