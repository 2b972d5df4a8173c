"""JobLens dashboard entry: navigation only; every page is a thin file in pages/ that calls core."""
import streamlit as st

from core.models.libraries import heavy_libraries_imported, import_heavy_libraries
from core.settings import hub_offline
from ui import PAGES
from ui.auth import require_login

hub_offline()
st.set_page_config(page_title="JobLens · 채용 추천", page_icon="🔎", layout="wide")
require_login()  # before any page: seeker records and corrections are behind it when the server is shared
if not heavy_libraries_imported():  # a fresh server: wait for serve.py's background import, never race it
    with st.spinner("JobLens를 처음 여는 중입니다. 잠시만 기다려 주세요…"):
        try:
            import_heavy_libraries()
        except Exception:  # a broken install: the page that needs a model says so in its own words
            pass

# The default page always lives at "/" (Streamlit ignores its url_path), so the root is a small start page and
# every working view has a path of its own to share. File stems differ from the URL paths on purpose: with a
# folder named pages/, a fresh `streamlit run` server routes its first request through the legacy
# auto-discovery, which would run pages/<path>.py without this entry point; serve.py closes that window.
pages: dict[str, list] = {}
for spec in PAGES:
    pages.setdefault(spec.section, []).append(
        st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=spec.url_path or None, default=not spec.url_path))
st.navigation(pages).run()
