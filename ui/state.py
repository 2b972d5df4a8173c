"""Every view is a URL: the page's controls ↔ st.query_params (the mapping itself is core.views.links)."""
from __future__ import annotations

import streamlit as st

from core.views.links import ViewState, from_params, to_params


def view_state() -> ViewState:
    return from_params(dict(st.query_params))


def sync_url(state: ViewState) -> None:
    wanted = to_params(state)
    if st.session_state.get("a11y"):
        wanted["a11y"] = "1"
    if st.session_state.get("corpus") == "real":  # the corpus switch travels with a shared link
        wanted["corpus"] = "real"
    current = {k: v for k, v in st.query_params.items()}
    if current != wanted:
        st.query_params.from_dict(wanted)
