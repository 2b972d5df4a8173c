"""현황 한눈에: supply and demand per 시군구, who gets a full list, suitable-type coverage, freshness and how
much the models agree — for a stakeholder meeting. Every chart has its PNG and its CSV."""
import pydeck as pdk
import streamlit as st

from core.geo import mapdata
from core.models.registry import MODEL_LABELS, spec
from core.text.particles import particle
from core.views import overview, printout, stats
from core.views.frames import to_csv_bytes
from ui import get_engine, page_header, sidebar_common
from ui.map import label_layer, legend_row
from ui.resources import current_corpus
from ui.widgets import a11y_on

sidebar_common()
page_header("현황 한눈에", "지역별 공급(공고)과 수요(구직자), 추천 가능 비율, 장애유형 적합 정보, 최신성, 모델 간 일치도")
engine = get_engine()
store = engine.store  # the chosen corpus's own store (데모 or 실데이터)
large = a11y_on()
# the cached frames are per corpus, and rebuilt when a sync or upload changes it, or a verdict (an extraction, a
# correction) changes what disabled seekers may be offered (a hashed argument: one with a leading underscore would
# be left out of the cache key), or the day moves (at midnight a posting past its closing date closes in every list)
version = (current_corpus(), store.last_write(), store.verdicts_written(), engine.corpus.as_of)


@st.cache_data(show_spinner="지역별 집계 중…")
def supply(version: tuple):
    return overview.supply_demand(get_engine().corpus)


@st.cache_data(show_spinner="구직자별 추천 가능 공고 세는 중…")
def coverage(version: tuple):
    return overview.coverage_by_sido(get_engine().corpus)


@st.cache_data(show_spinner="모델 간 일치도 계산 중…")
def agreement(version: tuple, models: tuple[str, ...]):
    return overview.model_agreement(get_engine(), list(models))


def exports(name: str, frame, png: bytes) -> None:
    c1, c2 = st.columns(2)
    c1.download_button("PNG 내려받기", png, file_name=f"joblens_{name}.png", mime="image/png", key=f"{name}_png")
    c2.download_button("CSV 내려받기", to_csv_bytes(frame), file_name=f"joblens_{name}.csv", mime="text/csv",
                       key=f"{name}_csv")


st.header("1. 지역별 공급과 수요")
frame = supply(version)
measure = st.radio("색으로 보기", ["공고", "구직자", "공고/구직자"], horizontal=True, key="ov_measure",
                   help="공고/구직자: 구직자 1명당 공고 수 (1보다 작으면 일자리가 부족한 지역)")
shapes, top = overview.choropleth(frame, measure)
layer = pdk.Layer("GeoJsonLayer", shapes, id="choropleth", filled=True, stroked=True, get_fill_color="properties.fill",
                  get_line_color=[255, 255, 255], line_width_min_pixels=1, pickable=True, auto_highlight=True)
whole = {"latitude": 35.9, "longitude": 127.8, "zoom": 6.0}  # the mainland and 제주 fill the map's height
names = label_layer(mapdata.base_layers_data(whole)["labels"], large, declutter=False)  # all 17 시도 names
with st.container(key="ov_choropleth"):  # the key names the chart for the browser test and for links to it
    st.pydeck_chart(pdk.Deck(layers=[layer, names], initial_view_state=pdk.ViewState(**whole),
                             map_provider=None, tooltip={"text": "{tooltip}"}), height=640)  # no web tiles
    legend_row([(f"{measure} {label}" if i == 0 else label, colour)
                for i, (label, colour) in enumerate(overview.choropleth_legend(top))], large, square=True)
largest = f"{top:.2f}" if "/" in measure else f"{top:,.0f}{'명' if measure == '구직자' else '건'}"  # a count, or a ratio
st.caption(f"진할수록 {particle(measure, '이/가')} 많습니다 (최대 {largest}). 위치가 시도 단위로만 알려진 공고·구직자 "
           f"{frame.attrs.get('unplaced', 0):,}건은 시군구를 칠할 수 없어 이 지도에서 빠집니다.")
exports("supply_demand", frame, printout.choropleth_png(frame, measure, f"시군구별 {measure}", large))

st.header("2. 같은 직종 공고를 5건 이상 받는 구직자 비율 (시도별)")
cover = coverage(version)
st.caption("희망 직종(중분류)과 같은 직종의 진행 중 공고가 거리·학력·경력·장애유형 필터를 모두 통과해 5건 이상인 구직자의 비율"
           + (f" · 희망 직종 코드가 없는 구직자 {cover.attrs['no_occupation']:,}명은 제외" if cover.attrs.get("no_occupation") else ""))
st.dataframe(cover, hide_index=True, width="stretch",
             column_config={"비율": st.column_config.ProgressColumn("비율", min_value=0, max_value=1, format="percent")})
exports("coverage", cover, printout.bar_png(cover, "시도", "비율", "같은 직종 공고 5건 이상 받는 구직자 비율", True, large))

st.header("3. 장애유형 적합 정보가 있는 공고")
share = overview.suitable_share(store, engine.corpus)
st.metric("적합 장애유형이 하나 이상 표시된 공고", f"{share['share']:.0%}",
          help=f"진행 중인 공고 {share['postings']:,}건 중 {share['with_suitable_type']:,}건 (추출 결과 기준)")

st.header("4. 최신성")
fresh = stats.freshness(store)
if fresh["dated"]:
    c1, c2, c3 = st.columns(3)
    c1.metric("최근 30일 안에 등록된 공고", f"{fresh['within_30_days']:.0%}",
              help=f"진행 중 공고 {fresh['open_postings']:,}건 중 등록일이 있는 {fresh['dated']:,}건 기준")
    c2.metric("등록 후 경과일 (중앙값)", f"{fresh['median_age_days']:,}일")
    c3.metric("가장 최근 등록일", fresh["newest"], help=f"가장 오래된 등록일: {fresh['oldest']}")
    st.caption(f"오늘 등록 {fresh['registered_today']:,}건 · 마감 처리(추천 안 함) {fresh['closed']:,}건 · 고용24 마지막 동기화: "
               + (fresh["last_sync"]["worknet"] if fresh["last_sync"]["worknet"] != "없음" else "동기화한 적 없음"))
else:
    st.info(f"공고 {fresh['open_postings']:,}건에 등록일 정보가 없어 최신성을 계산할 수 없습니다. "
            "고용24 동기화로 받은 공고에는 등록일이 함께 들어옵니다.")

st.header("5. 모델 간 일치도 (상위 10건 겹침)")
# on the real corpus, only models already encoded (encoding 6,000 real records first would hold the page minutes)
always = ("tfidf",) if current_corpus() == "real" else ("tfidf", "sbert")
ready = tuple(name for name in ("tfidf", "sbert", "wbert", "hybrid") if engine.loaded(name) or name in always)
matrix = None
if len(ready) < 2:
    st.info("이 데이터에서 준비된 모델이 TF-IDF 하나뿐입니다. 추천 화면에서 다른 모델을 한 번 쓰면 여기에 함께 나옵니다.")
else:
    try:
        # keyed by each model's version too: a retrained W-BERT writes no record, yet changes its lists
        models_now = tuple(spec(name).version() for name in MODEL_LABELS)  # the hybrid holds W-BERT
        matrix = agreement((*version, models_now), ready).rename(index=MODEL_LABELS, columns=MODEL_LABELS)
    except ValueError as exc:  # a model that cannot be fitted on this corpus (e.g. no text to index): say so, keep the page
        st.error(f"모델 일치도를 계산할 수 없습니다: {exc}")
if matrix is not None:
    png = printout.heatmap_png(matrix, "구직자→공고 상위 10건 겹침 비율", large)
    st.image(png, width=520 if large else 420)
    st.caption("두 모델의 상위 10건 중 겹치는 비율의 평균 (구직자 60명 고정 표본; 1 = 같은 목록). "
               "낮을수록 모델 선택이 결과를 크게 바꿉니다.")
    exports("model_agreement", matrix.reset_index(names="모델"), png)
    if missing := [MODEL_LABELS[name] for name in ("tfidf", "sbert", "wbert", "hybrid") if name not in ready]:
        st.caption(f"{particle('·'.join(missing), '은/는')} 이 서버에서 아직 불러오지 않아 빠졌습니다. 추천 화면에서 한 번 쓰면 "
                   "여기에 함께 나옵니다.")
