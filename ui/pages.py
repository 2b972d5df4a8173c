"""The app's page registry: app.py registers it, the start page links it."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    """One page of the app: app.py registers it, the start page links it with its blurb."""
    path: str
    title: str
    icon: str
    section: str
    url_path: str = ""  # "" = the default page at "/"
    blurb: str = ""  # shown on the start page; "" = not listed there


PAGES = (
    PageSpec("pages/home.py", "시작", "🏠", "JobLens"),
    PageSpec("pages/similar_postings.py", "유사 공고 추천", "🔁", "추천", "similar", "공고 하나를 고르면 비슷한 공고를 찾습니다"),
    PageSpec("pages/seeker_postings.py", "구직자 맞춤 추천", "🙋", "추천", "seeker", "구직자에게 맞는 공고를 찾습니다"),
    PageSpec("pages/posting_seekers.py", "인재 추천", "🤝", "추천", "talent",
             "공고에 맞는 구직자를 찾습니다. 개인 식별 정보는 표시하지 않습니다"),
    PageSpec("pages/model_compare.py", "모델 비교", "⚖️", "분석", "compare", "같은 질의를 모든 모델로 나란히 비교합니다"),
    PageSpec("pages/overview.py", "현황 한눈에", "🗺️", "분석", "overview", "지역별 공급·수요, 추천 가능 비율, 모델 일치도 (발표용)"),
    PageSpec("pages/corpus_status.py", "코퍼스 현황", "📊", "분석", "corpus", "코퍼스 규모·출처·거부 사유·분포"),
    PageSpec("pages/evaluation_audit.py", "평가·감사", "📏", "분석", "evaluation", "Top-k·MAP·nDCG·필터 위반과 신뢰구간"),
    PageSpec("pages/judgments.py", "판정 (블라인드)", "🏷️", "분석", "judge", "모델을 숨긴 채 추천 목록을 관련·부분·무관으로 판정합니다"),
    PageSpec("pages/suitability_review.py", "적합성 검토", "♿", "분석", "suitability", "장애유형 적합성 추출 결과 검토·수정"),
    PageSpec("pages/wbert_training.py", "W-BERT 학습", "🧠", "분석", "wbert"),
)
