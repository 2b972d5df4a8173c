"""The Streamlit layer: cached resources, URL state, widgets, results and map. Logic lives in `core`."""
from .pages import PAGES, PageSpec
from .resources import get_engine, get_model, get_store
from .results import recommendation_page, results_view
from .state import sync_url, view_state
from .widgets import controls, corpus_metrics, escape_md, page_header, pick_posting, pick_query, sidebar_common

__all__ = ["PAGES", "PageSpec", "controls", "corpus_metrics", "escape_md", "get_engine", "get_model", "get_store", "page_header",
           "pick_posting", "pick_query", "recommendation_page", "results_view", "sidebar_common", "sync_url", "view_state"]
