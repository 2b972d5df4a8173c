"""Analyst marks (관련 / 부분 / 무관) on a result list, and the blind 판정 queue; storage and scoring are core's."""
from __future__ import annotations

import json
import random
from dataclasses import asdict

import streamlit as st

from core.data.kinds import Direction
from core.evaluation import judgments as jd
from core.evaluation.agreement import adjudicate, agreement, agreement_frames, disagreements, second_tasks
from core.evaluation.llm_judge import MIN_KAPPA, MIN_SHARED, LLMJudge, gate, judges, trusted_judges
from core.llm.client import LLMFatal
from core.models.registry import APP_MODELS
from core.settings import settings
from core.views.frames import posting_row, seeker_row, to_csv_bytes
from core.views.judging import judging_card

from .auth import signed_in_user
from .resources import get_engine, get_store
from .widgets import escape_md

MARKS = ["미판정", *jd.GRADES]  # left as 미판정: not judged, nothing stored


def analyst_name() -> str:
    """The signed-in account when there is one (judgments are recorded under it); else a typed name."""
    if signed_in_user():
        return signed_in_user()
    return st.sidebar.text_input("분석가 이름 (판정 기록용)", key="analyst", placeholder="예: 김분석").strip()


def _marks_form(item_ids: list[str], rows: list[dict], key: str) -> dict[str, str] | None:
    """One horizontal radio per item inside a form; returns {item: mark} when submitted. A row from
    `judging_card` (duties, conditions, place, distance) is shown as a card above its radio."""
    with st.form(f"{key}_judge_form"):
        for i, (item_id, row) in enumerate(zip(item_ids, rows), start=1):
            title = row.get("제목") or row.get("희망직종") or item_id
            if "직무" in row:
                with st.container(border=True):
                    st.markdown(f"**{i}. {escape_md(title)}** · {escape_md(row['직종'])}")
                    st.caption(f"직무: {escape_md(row['직무'])}")
                    st.caption(f"조건: {escape_md(row['조건'] or '정보 없음')}")
                    st.caption(f"근무지: {escape_md(row['근무지'])} · 거리: {escape_md(row['거리'])}")
                    st.radio("판정", MARKS, horizontal=True, key=f"{key}_mark_{i}", label_visibility="collapsed")
            else:
                st.radio(f"{i}. {title} · {row.get('지역') or row.get('희망지역') or ''}", MARKS, horizontal=True,
                         key=f"{key}_mark_{i}")
        if st.form_submit_button("판정 저장", type="primary"):
            return {item_id: st.session_state[f"{key}_mark_{i}"] for i, item_id in enumerate(item_ids, start=1)}
    return None


def _save(marks: dict[str, str], direction: str, query_id: str, model: str, filters: str) -> int:
    analyst = signed_in_user() or st.session_state.get("analyst", "").strip()
    if not analyst:
        st.error("판정을 저장하려면 사이드바에 분석가 이름을 적으세요.")
        return 0
    chosen = [jd.Judgment(analyst, direction, query_id, item, jd.GRADES[m], model, filters)
              for item, m in marks.items() if m in jd.GRADES]
    saved = jd.record(get_store(), chosen)
    st.success(f"판정 {saved}건 저장 ({analyst})")
    return saved


def judgment_panel(result, query, direction: str, state, key: str) -> None:
    """Under any result list: the analyst marks each item; stored with who, when, model, query and filters."""
    if not result.items:
        return
    with st.expander("분석가 판정 (관련 / 부분 / 무관)", expanded=False):
        analyst_name()
        target = Direction(direction).target
        corpus = get_engine().corpus
        rows = [(posting_row if target == "posting" else seeker_row)(corpus.get(r.item_id)) for r in result.items]
        marks = _marks_form([r.item_id for r in result.items], rows, key)
        if marks is not None:
            _save(marks, direction, query.id, state.model, json.dumps(asdict(state.filters)))


def _second_task(engine, analyst: str) -> jd.BlindTask | None:
    """The next query another analyst judged that this one should judge too (double judging), if any."""
    if not analyst:
        return None
    for task in second_tasks(jd.load(get_store()), analyst, settings().second_judge_share):
        if engine.corpus.get(task.query_id) is not None:
            items = [i for i in task.item_ids if engine.corpus.get(i) is not None]
            random.Random(f"{task.query_id}:{analyst}").shuffle(items)
            return jd.BlindTask(Direction(task.direction), task.query_id, items, "")
    return None


def blind_queue_page() -> None:
    """판정: one query at a time, every model's list merged and shuffled, no model, rank or score shown.
    Queries another analyst judged that fall in the double-judging share come first."""
    analyst = analyst_name()
    engine = get_engine()
    index = int(st.session_state.get("blind_index", 0))
    second = _second_task(engine, analyst)
    with st.spinner("목록 준비 중…"):
        task = second or jd.blind_task(engine, list(APP_MODELS), index, k=5)
    if task is None:
        st.info("판정할 질의가 없습니다: 코퍼스가 비어 있습니다.")
        return
    st.session_state["blind_task"] = {"direction": task.direction, "query_id": task.query_id, "items": task.item_ids}
    source = Direction(task.direction).source
    query = engine.corpus.get(task.query_id)
    heading = "두 번째 판정" if second else f"질의 {index + 1}"
    st.subheader(f"{heading} · {jd.DIRECTIONS[task.direction]}")
    if second:
        st.caption("다른 분석가가 먼저 판정한 질의입니다. 일치도 계산을 위해 따로 판정해 주세요 (앞선 판정은 보이지 않습니다).")
    card = posting_row(query) if source == "posting" else seeker_row(query)
    st.dataframe([card], hide_index=True, width="stretch")
    rows = [judging_card(query, engine.corpus.get(i)) for i in task.item_ids]
    st.caption(f"후보 {len(rows)}건 (모든 모델의 목록을 합쳐 섞었습니다 · 모델·순위·점수는 숨김)")
    key = f"second_{task.query_id}" if second else f"blind{index}"
    marks = _marks_form(task.item_ids, rows, key)
    if marks is not None and _save(marks, task.direction, task.query_id, jd.BLIND, task.filters):
        if not second:
            st.session_state["blind_index"] = index + 1
        st.rerun()
    if not second and st.button("건너뛰기", key="blind_skip"):
        st.session_state["blind_index"] = index + 1
        st.rerun()


def judgment_report() -> None:
    """평가·감사: metrics from pooled judgments next to the category proxy, κ, coverage, CSV in and out."""
    st.subheader("분석가 판정 기준 (k = 5, 95 % 신뢰구간)")
    store, engine = get_store(), get_engine()
    marks = jd.load(store)
    c1, c2, c3 = st.columns(3)
    c1.download_button("판정 내보내기 (CSV)", to_csv_bytes(jd.judgments_frame(marks)), file_name="joblens_judgments.csv",
                       mime="text/csv")
    c2.download_button("판정 내보내기 (TREC qrels)", jd.to_qrels(marks).encode("utf-8"), file_name="joblens.qrels",
                       mime="text/plain", help="합의 판정 (질의 0 항목 판정): 평가 도구(trec_eval, ranx)가 읽는 형식")
    upload = c3.file_uploader("판정 가져오기 (CSV 또는 qrels)", type=["csv", "qrels", "txt"], key="judgments_upload")
    if upload is not None and st.session_state.get("judgments_uploaded") != upload.file_id:
        try:
            if upload.name.lower().endswith(".csv"):
                n = jd.import_csv(store, upload.getvalue(), set(engine.corpus.postings) | set(engine.corpus.seekers))
            else:
                who = signed_in_user() or st.session_state.get("analyst", "").strip() or f"가져온 판정 ({upload.name})"
                n = jd.import_qrels(store, upload.getvalue(), who, jd.direction_resolver(engine.corpus))
            st.session_state["judgments_uploaded"] = upload.file_id
            st.success(f"새 판정 {n:,}건을 가져왔습니다 (이미 저장된 판정은 그대로입니다).")
            marks = jd.load(store)
        except jd.JudgmentImportError as e:
            st.error(f"가져오지 않았습니다 (저장된 판정은 그대로): {e}")
    if not marks:
        st.info("아직 판정이 없습니다. 추천 화면 아래 '분석가 판정'이나 [판정 (블라인드)](./judge) 화면에서 표시하세요.")
        return
    trusted = trusted_judges(marks)
    with st.spinner("판정 기준 지표 계산 중…"):
        scores = jd.judged_scores(engine, list(APP_MODELS), marks, k=5, trusted=trusted)
        kappa, pairs = jd.proxy_agreement(engine, marks)
    st.dataframe(jd.judged_frame(scores), hide_index=True, width="stretch")
    st.metric("직종 일치 대리지표와 판정의 일치도 (Cohen's κ)", "-" if kappa != kappa else f"{kappa:.2f}",
              help=f"판정된 (질의, 항목) {pairs:,}쌍 · 관련/부분 = 관련, 같은 중분류 = 관련")
    people = {m.analyst for m in marks if not m.analyst.startswith(jd.MACHINE_PREFIX)}
    st.caption(f"판정 {len(marks):,}건 · 분석가 {len(people)}명 · 판정되지 않은 항목은 무관으로 셉니다 (커버리지 참고)."
               + (" LLM 판정은 분석가와의 일치도 기준을 넘은 것만 반영했습니다." if trusted else ""))


def llm_judge_section() -> None:
    """평가·감사: the LLM judge's agreement with analysts (지표에 반영 / 참고용), and a run with its estimate first."""
    st.subheader("LLM 판정 (분석가와의 일치도가 기준을 넘을 때만 지표에 반영)")
    store, engine = get_store(), get_engine()
    marks = jd.load(store)
    gates = [gate(marks, name) for name in judges(marks)]
    if gates:
        st.dataframe([{"판정 모델": g.judge.removeprefix(jd.MACHINE_PREFIX), "분석가와 함께 판정한 쌍": g.shared,
                       "Cohen's κ": "-" if g.kappa != g.kappa else f"{g.kappa:.2f}", "상태": g.label} for g in gates],
                     hide_index=True, width="stretch")
    st.caption(f"기준: 분석가와 함께 판정한 쌍 {MIN_SHARED}개 이상에서 κ ≥ {MIN_KAPPA}. 기준 미달이면 참고용으로만 보여 줍니다.")
    cfg = settings().llm
    if cfg is None:
        st.info("LLM 서버가 설정되지 않아 LLM 판정을 실행할 수 없습니다 (추출과 같은 [llm] 설정을 씁니다).")
        return
    if not marks:
        return
    judge = LLMJudge(cfg)
    pairs = jd.pooled_pairs(engine, list(APP_MODELS), marks, k=5)
    plan = judge.estimate(engine.corpus, pairs, marks)
    cost = "가격 미설정" if plan.cost is None else f"약 {plan.cost:,.0f}원"
    st.caption(f"판정할 쌍 {plan.pairs:,}개 중 새로 물을 쌍 {plan.new:,}개 · 약 {plan.tokens:,} 토큰 · {cost} · "
               f"예상 {plan.seconds / 60:.1f}분 (최대 {plan.max_seconds / 60:.0f}분)")
    if plan.new and st.button("LLM 판정 실행", key="llm_judge_run"):
        bar = st.progress(0.0, text="LLM 판정 중…")
        try:
            counts = judge.judge(store, engine.corpus, pairs, marks,
                                 progress=lambda label, i, n, note="": bar.progress(i / max(n, 1), text=f"{label}: {i:,}/{n:,}"))
        except LLMFatal as e:  # a bad key, an unknown model, a used-up quota: every pair would fail alike
            bar.empty()
            st.error(f"LLM 판정을 멈췄습니다 (그때까지 받은 판정은 저장됨): {e}")
            return
        bar.empty()
        st.success(f"LLM 판정 {counts['asked']:,}건 저장 · 실패 {counts['failed']:,}건")


def agreement_section() -> None:
    """평가·감사: agreement between analysts on double-judged items, and the disagreements a third one rules on."""
    st.subheader("분석가 간 일치도")
    store, engine = get_store(), get_engine()
    marks = jd.load(store)
    result = agreement(marks)
    if not result.items:
        st.info(f"두 명 이상이 판정한 항목이 아직 없습니다. [판정 (블라인드)](./judge) 화면은 판정된 질의의 "
                f"{settings().second_judge_share:.0%}를 다른 분석가에게 한 번 더 보냅니다.")
        return
    pairs, group = agreement_frames(result)
    st.dataframe(pairs, hide_index=True, width="stretch")
    st.table(group.set_index("지표"))  # two rows of summary: plain text a reader can copy, not a grid
    st.caption("κ·α는 1이면 완전 일치, 0이면 우연 수준입니다. 괄호는 항목을 재표집한 95% 부트스트랩 신뢰구간입니다.")
    st.subheader("불일치 판정 (제3 분석가 결정)")
    open_ = disagreements(marks)
    if not open_:
        st.success("결정을 기다리는 불일치가 없습니다.")
        return

    def title(record_id: str) -> str:
        record = engine.corpus.get(record_id)
        if record is None:
            return "코퍼스에 없는 레코드"
        return getattr(record, "title", "") or record.desired_job_name or "제목 없음"

    st.dataframe([{"방향": jd.DIRECTIONS[d.direction], "질의": title(d.query_id), "항목": title(d.item_id),
                   "판정": " / ".join(f"{who} {jd.GRADE_LABELS[g]}" for who, g in sorted(d.marks.items()))}
                  for d in open_], hide_index=True, width="stretch")
    analyst = analyst_name()
    with st.form("adjudicate_form"):
        chosen = st.selectbox("결정할 항목", range(len(open_)), format_func=lambda i: (
            f"{i + 1}. {title(open_[i].query_id)} → {title(open_[i].item_id)}"))
        ruling = st.radio("결정", list(jd.GRADES), horizontal=True)
        if st.form_submit_button("결정 저장", type="primary"):
            d = open_[chosen]
            if not analyst:
                st.error("결정을 저장하려면 사이드바에 분석가 이름을 적으세요.")
            else:
                try:
                    adjudicate(store, marks, analyst, (d.direction, d.query_id, d.item_id), jd.GRADES[ruling])
                    st.success(f"결정을 저장했습니다 ({analyst}: {ruling}).")
                except jd.JudgmentImportError as e:
                    st.error(str(e))
