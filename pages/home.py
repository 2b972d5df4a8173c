"""시작: what JobLens holds right now and where each view lives; the app's root URL."""
import streamlit as st

from ui import PAGES, corpus_metrics, page_header, sidebar_common

sidebar_common()
page_header("JobLens · 채용 추천", "채용공고와 구직자를 같은 기준으로 연결합니다. 거리·학력·경력·장애 적합성 필터는 어떤 모델에서도 지켜집니다.")
corpus_metrics()

st.subheader("어디서 시작할까요")
for spec in PAGES:
    if spec.blurb:
        st.page_link(spec.path, help=spec.blurb)
        st.caption(spec.blurb)
st.info("모든 화면은 주소(URL)에 상태를 담습니다. 브라우저 주소를 복사해 보내면 같은 공고·모델·필터로 열립니다.", icon="🔗")
