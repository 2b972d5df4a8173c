"""JobLens dashboard entry: navigation only; every page is a thin file in pages/ that calls core."""
import streamlit as st

from core.config import hub_offline

hub_offline()
st.set_page_config(page_title="JobLens · 채용 추천", page_icon="🔎", layout="wide")

# The default page always lives at "/" (Streamlit ignores its url_path), so the root is a small start page and
# every working view has a path of its own to share. File stems differ from the URL paths on purpose: with a
# folder named pages/, a fresh `streamlit run` server routes its first request through the legacy
# auto-discovery, which would run pages/<path>.py without this entry point; serve.py closes that window.
pages = {
    "JobLens": [st.Page("pages/home.py", title="시작", icon="🏠", default=True)],
    "추천": [
        st.Page("pages/similar_postings.py", title="유사 공고 추천", icon="🔁", url_path="similar"),
        st.Page("pages/seeker_postings.py", title="구직자 맞춤 추천", icon="🙋", url_path="seeker"),
        st.Page("pages/posting_seekers.py", title="인재 추천", icon="🤝", url_path="talent"),
    ],
    "분석": [
        st.Page("pages/model_compare.py", title="모델 비교", icon="⚖️", url_path="compare"),
        st.Page("pages/corpus_status.py", title="코퍼스 현황", icon="📊", url_path="corpus"),
        st.Page("pages/evaluation_audit.py", title="평가·감사", icon="📏", url_path="evaluation"),
        st.Page("pages/suitability_review.py", title="적합성 검토", icon="♿", url_path="suitability"),
        st.Page("pages/wbert_training.py", title="W-BERT 학습", icon="🧠", url_path="wbert"),
    ],
}
st.navigation(pages).run()
