"""Every view is a URL: the page's controls ↔ st.query_params (the mapping itself is core.views.links)."""
from __future__ import annotations

import streamlit as st

from core.views.links import ViewState, from_params, to_params

# what a link cannot switch off for whoever opens it: the disability guards. A counselor may turn them off on the
# page (the toggle keeps that for the rest of the session); a page opened from a link starts with them on.
GUARDS = {"disability": "ctl_dis", "unknown_verdict": "ctl_unk"}


def view_state() -> ViewState:
    state = from_params(dict(st.query_params))
    for name, widget in GUARDS.items():
        if widget not in st.session_state:  # not yet set on this page in this session: the link's value is not taken
            setattr(state, name, getattr(ViewState(), name))
    return state


def sync_url(state: ViewState) -> None:
    wanted = to_params(state)
    if st.session_state.get("a11y"):
        wanted["a11y"] = "1"
    if st.session_state.get("corpus") == "real":  # the corpus switch travels with a shared link
        wanted["corpus"] = "real"
    current = {k: v for k, v in st.query_params.items()}
    if current != wanted:
        st.query_params.from_dict(wanted)
