"""Upload on 코퍼스 현황: pick the format (or a column mapping), preview, store; new rows are recommendable at once."""
from __future__ import annotations

import json

import streamlit as st

from core.data.ingest import IngestError, ingest_file
from core.locations import here
from core.views.upload import FORMAT_LABELS, MAX_UPLOAD_MB, UPLOAD_TYPES, guess_format, in_words, preview, rejects_frame, save_upload

from .resources import get_engine, get_store


def upload_panel() -> None:
    st.subheader("파일 올리기")
    if done := st.session_state.pop("upload_done", None):
        message, level, rejects = done
        getattr(st, level)(message)
        if rejects is not None:
            st.dataframe(rejects, hide_index=True, width="stretch")
    uploaded = st.file_uploader(f"CSV·XLSX·JSON·XML 파일을 끌어 놓거나 '파일 선택'을 누르세요 · 최대 {MAX_UPLOAD_MB} MB · "
                                "행마다 검사해 잘못된 행만 거부합니다",
                                type=UPLOAD_TYPES, key="upload_file")
    if uploaded is None:
        return
    formats = list(FORMAT_LABELS)
    fmt = st.selectbox("형식", formats, index=formats.index(guess_format(uploaded.name)), format_func=FORMAT_LABELS.get,
                       key="upload_format")
    mapping_text = st.text_input("열 대응 (선택, JSON): {\"원본 열\": \"필드\"}", key="upload_mapping")
    path = None
    try:
        mapping = json.loads(mapping_text) if mapping_text.strip() else None
        if mapping is not None and not (isinstance(mapping, dict) and all(isinstance(v, str) for v in mapping.values())):
            raise ValueError("열 대응은 {\"원본 열\": \"필드\"} 형태의 JSON 객체여야 합니다")
        path = save_upload(here().data_dir / "uploads", uploaded.name, uploaded.getvalue())
        raw, parsed = preview(path, fmt, mapping)
    except (ValueError, IngestError) as e:  # json.JSONDecodeError is a ValueError
        st.error(f"읽을 수 없습니다: {in_words(e, path, uploaded.name)}")
        return
    left, right = st.columns(2)
    left.caption("원본 첫 행")
    left.dataframe(raw, hide_index=True, width="stretch")
    right.caption("이렇게 저장됩니다")
    right.dataframe(parsed, hide_index=True, width="stretch")
    if st.button("수집", type="primary", key="upload_go"):
        try:
            report = ingest_file(get_store(), path, fmt, mapping=mapping)
        except (ValueError, IngestError) as e:
            st.error(f"파일 전체를 읽을 수 없어 아무것도 저장하지 않았습니다: {in_words(e, path, uploaded.name)}")
            return
        added = get_engine().refresh()
        # shown after a rerun, so the counts above this panel and the tables below it include the new rows
        stored = report.inserted + report.updated
        # green only for a file stored without a rejected row; nothing stored reads as the failure it is
        level = "success" if not report.rejected else "warning" if stored else "error"
        st.session_state["upload_done"] = (
            ("저장된 행이 없습니다: 아래 거부 사유를 고쳐 다시 올리세요. " if level == "error" else "")
            + f"신규 {report.inserted:,} · 갱신 {report.updated:,} · 거부 {report.rejected:,} (바로 추천 가능: {added:,}건)",
            level, rejects_frame(report) if report.rejects else None)
        st.rerun()
