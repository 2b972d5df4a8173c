"""코퍼스 현황: size, sources, freshness, rejects with reasons, distributions, unplaced postings."""
import plotly.express as px
import streamlit as st

from core.data.standard_jobs import missing_hint, standard_jobs
from core.views import stats
from ui import corpus_metrics, get_engine, get_store, page_header, sidebar_common
from ui.upload import upload_panel

sidebar_common()
page_header("코퍼스 현황")
store, engine = get_store(), get_engine()
corpus_metrics()
if hint := missing_hint():
    st.info(hint, icon="📚")
elif engine.corpus.enrich:
    st.caption(f"표준직무 보강: KEIS 구인표준직무기술서 {len(standard_jobs()):,}개 직종 (구직자와 짧은 공고에 '표준직무' 필드로 추가)")
for cut in store.interrupted_ingests():
    st.warning(f"수집이 중간에 끊겼습니다: {cut['source_file']} ({cut['format']}). 일부 행만 저장되었을 수 있으니 "
               "같은 파일을 다시 수집하세요 (중복 없이 갱신됩니다).", icon="⚠️")
fresh = stats.freshness(store)
c1, c2, c3, c4 = st.columns(4)
c1.metric("고용24 마지막 동기화", fresh["last_sync"]["worknet"])
c2.metric("KEAD 마지막 동기화", fresh["last_sync"]["kead"])
c3.metric("오늘 등록된 공고", f"{fresh['registered_today']:,}")
c4.metric("마감 처리 (추천 안 함)", f"{fresh['closed']:,}")
for api, (status, message) in fresh["sync_status"].items():
    if status == "stopped":
        st.warning(f"{api} 동기화가 중단되었습니다: {message} — `python -m core sync {api}` 로 이어받으세요.", icon="⏸️")
upload_panel()
st.subheader("출처별")
counted = st.column_config.NumberColumn(format="localized")
st.dataframe(stats.sources(store), hide_index=True, width="stretch",
             column_config={"공고": counted, "합성": counted, "지도 배치": counted,
                            "배치율": st.column_config.NumberColumn(format="percent")})
left, right = st.columns(2)
cat = stats.by_category(store)
left.plotly_chart(px.bar(cat, x="공고", y="직종 대분류", orientation="h", title="직종 대분류별 공고"), width="stretch")
reg = stats.by_region(store)
right.plotly_chart(px.bar(reg, x="시도", y="공고", title="시도별 공고"), width="stretch")
st.subheader("거부 사유")
reasons, latest = stats.rejects(store)
if reasons.empty:
    st.success("거부된 행이 없습니다.")
else:
    st.dataframe(reasons, hide_index=True, width="stretch")
    with st.expander("거부된 행 (최근 500건)"):
        st.dataframe(latest, hide_index=True, width="stretch")
st.subheader("지도에 놓지 못한 공고")
missing = stats.unplaced(store)
if missing.empty:
    st.success("모든 공고가 지도에 배치되었습니다.")
else:
    st.dataframe(missing, hide_index=True, width="stretch")
