"""평가·감사: metrics per model with CIs, charts, the audit panel, report download."""

import plotly.express as px
import streamlit as st

from core import clock
from core.data.datasets import DATASET_LABELS
from core.evaluation import report as ev
from core.evaluation.metrics import DIRECTIONS, KS
from core.evaluation.runner import evaluate
from core.locations import here
from core.models.engine import Engine
from core.models.registry import APP_MODELS, MODEL_LABELS
from ui import get_engine, page_header, sidebar_common
from ui.judgments import agreement_section, judgment_report, llm_judge_section
from ui.resources import model_params

sidebar_common()
page_header("평가·감사", "직종 일치 기준 추천 품질과 필터 준수 여부를 신뢰구간과 함께 보여 줍니다.")

REPORT = here().reports_dir / "evaluation.json"
with st.form("eval_form"):
    c1, c2, c3 = st.columns(3)
    dataset = c1.selectbox("데이터", ["demo", "worknet-2024"], format_func=DATASET_LABELS.get)
    models = c2.multiselect("모델", APP_MODELS, default=["tfidf", "sbert"], format_func=MODEL_LABELS.get)
    n_queries = c3.number_input("방향별 질의 수", 20, 2000, 200, 20)
    directions = st.multiselect("방향", list(DIRECTIONS), default=list(DIRECTIONS), format_func=DIRECTIONS.get)
    run = st.form_submit_button("평가 실행", type="primary")

if run:
    bar = st.progress(0.0, text="평가 준비 중…")

    def progress(label, i, n, note=""):
        bar.progress(min(1.0, i / max(n, 1)), text=f"{label}: {i:,}/{n:,}")

    engine = get_engine() if dataset == "demo" else Engine.for_dataset(dataset, 3000, params=model_params())
    results = evaluate(engine, dataset, models, directions, int(n_queries), progress=progress)
    ev.write_report(results, REPORT.parent)
    bar.empty()
    st.success(f"평가 완료: {len(results)}개 결과, 보고서 저장 {REPORT.parent}")

if not any(REPORT.parent.glob("evaluation*.json")):  # a fresh set-up: a small evaluation of the current corpus first
    bar = st.progress(0.0, text="처음 여는 화면이라 현재 코퍼스를 작게 평가하는 중입니다…")
    ev.ensure_report(get_engine(), REPORT.parent,
                     progress=lambda label, i, n, note="": bar.progress(min(1.0, i / max(n, 1)), text=f"빠른 평가: {i:,}/{n:,}"))
    bar.empty()

reports = sorted(REPORT.parent.glob("evaluation*.json"))
chosen = st.selectbox("보고서", reports, index=reports.index(REPORT) if REPORT in reports else 0,
                      format_func=lambda p: f"{'평가 보고서' if p.stem == 'evaluation' else p.stem} "
                                            f"({clock.stamp(p.stat().st_mtime)})")
REPORT = chosen
results, pairs = ev.load_report(REPORT)
k = st.radio("k", KS, index=1, horizontal=True)
st.subheader(f"지표 (k = {k}, 95 % 신뢰구간)")
st.dataframe(ev.results_frame(results, k), hide_index=True, width="stretch")
left, right = st.columns(2)
byk = ev.by_k_frame(results)
byk["계열"] = byk["모델"] + " · " + byk["방향"] + " · " + byk["데이터"]
by_k = px.line(byk, x="k", y="값", color="계열", markers=True, error_y=byk["상한"] - byk["값"],
               error_y_minus=byk["값"] - byk["하한"], title="k별 Top-k 정확도 (막대: 95 % 신뢰구간)",
               labels={"값": "Top-k 정확도", "계열": "모델 · 방향 · 데이터"})
by_k.update_xaxes(tickvals=list(KS), type="category")  # the k evaluated, not 4, 6, 8 between them
by_k.update_traces(error_y={"thickness": 1, "width": 3})  # thin bars: the lines stay readable under them
left.plotly_chart(by_k, width="stretch")
cat = ev.category_frame(results)
if not cat.empty:
    grid = cat.pivot_table(index="직종", columns="모델", values="Top-5 정확도")  # job names read across, one row each
    heat = px.imshow(grid, text_auto=".2f", aspect="auto", zmin=0, zmax=1, color_continuous_scale="Blues",
                     labels={"x": "모델", "y": "직종 대분류", "color": "Top-5 정확도"}, title="직종 대분류별 Top-5 정확도")
    heat.update_xaxes(tickvals=list(grid.columns), tickangle=-30)  # every row and column named, not every other one
    heat.update_yaxes(tickvals=list(grid.index))
    right.plotly_chart(heat, width="stretch")
st.subheader("감사")
for r in results:
    a = r.audit
    with st.expander(f"{r.dataset} · {DIRECTIONS[r.direction]} · {ev.model_label(r.display_name)}"):
        c1, c2, c3 = st.columns(3)
        beyond = a["beyond_radius_if_distance_filter_off"]
        c1.metric("거리 필터 해제 시 반경 밖 추천", "-" if beyond is None else f"{beyond:.1%}")
        c2.metric("점수 ≥ 0.25 비율", f"{a['score_thresholds']['0.25']:.1%}" if a['score_thresholds']['0.25'] is not None else "-")
        c3.metric("점수 ≥ 0.5 비율", f"{a['score_thresholds']['0.50']:.1%}" if a['score_thresholds']['0.50'] is not None else "-")
        if a["scores"]:
            st.plotly_chart(px.histogram(x=a["scores"], nbins=40, labels={"x": "점수"}, title="점수 분포"), width="stretch",
                            key=f"hist_{r.dataset}_{r.direction}_{r.display_name}")
        st.caption(a["outcome_correlation"])
if pairs:
    st.subheader("모델 간 차이 (대응 무작위화 검정, 다중비교 보정 후 α = 0.05)")
    st.dataframe(ev.significance_frame(pairs), hide_index=True, width="stretch")
    st.caption("같은 질의에서 두 모델의 질의별 점수를 무작위로 맞바꿔 차이가 우연인지 봅니다 (Fisher 무작위화 검정, 1,000회). "
               "여러 쌍을 함께 보므로 p값을 Holm 방법으로 보정했습니다.")
judgment_report()
agreement_section()
llm_judge_section()
md = REPORT.with_suffix(".md")
c1, c2 = st.columns(2)
c1.download_button("보고서 (Markdown)", md.read_bytes() if md.exists() else b"", file_name="joblens_evaluation.md")
c2.download_button("보고서 (JSON)", REPORT.read_bytes(), file_name="joblens_evaluation.json")
