"""시작: what JobLens holds right now and where each view lives; the app's root URL."""
import streamlit as st

from ui import corpus_metrics, page_header, sidebar_common

sidebar_common()
page_header("JobLens · 채용 추천", "채용공고와 구직자를 같은 기준으로 연결합니다. 거리·학력·경력·장애 적합성 필터는 어떤 모델에서도 지켜집니다.")
corpus_metrics()

st.subheader("어디서 시작할까요")
for path, what in (
    ("pages/similar_postings.py", "공고 하나를 고르면 비슷한 공고를 찾습니다 (/similar)"),
    ("pages/seeker_postings.py", "구직자에게 맞는 공고를 찾습니다 (/seeker)"),
    ("pages/posting_seekers.py", "공고에 맞는 구직자를 찾습니다. 개인 식별 정보는 표시하지 않습니다 (/talent)"),
    ("pages/model_compare.py", "같은 질의를 모든 모델로 나란히 비교합니다 (/compare)"),
    ("pages/corpus_status.py", "코퍼스 규모·출처·거부 사유·분포 (/corpus)"),
    ("pages/evaluation_audit.py", "Top-k·MAP·nDCG·필터 위반과 신뢰구간 (/evaluation)"),
    ("pages/suitability_review.py", "장애유형 적합성 추출 결과 검토·수정 (/suitability)"),
):
    st.page_link(path, help=what)
    st.caption(what)
st.info("모든 화면은 주소(URL)에 상태를 담습니다. 브라우저 주소를 복사해 보내면 같은 공고·모델·필터로 열립니다.", icon="🔗")
