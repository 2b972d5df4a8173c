"""적합성 검토: original text beside extracted fields, types with reasons and evidence, flags, agreement,
and a counselor's accept/correct that the disability filter uses at once."""

import pandas as pd
import streamlit as st

from core.data.normalize import DISABILITY_TYPES
from core.llm.client import LLMError
from core.llm.extract import extract_posting
from core.llm.rules import RULES, posting_source_text
from core.llm.suitability import apply_correction
from core.settings import settings
from ui import escape_md, get_engine, get_store, page_header, pick_posting, sidebar_common, sync_url, view_state
from ui.auth import signed_in_user

sidebar_common()
page_header("적합성 검토", "공고 원문과 추출 결과(적합·부적합 장애유형과 근거)를 비교하고, 상담사가 확인·수정합니다.")
store, engine = get_store(), get_engine()
state = view_state()
state.posting = pick_posting(state) or ""
sync_url(state)
posting = engine.corpus.postings.get(state.posting)
if posting is None:
    st.stop()

cfg = settings().llm
options = ["rules"] + (["llm"] if cfg else [])
extractor = st.radio("추출기", options, horizontal=True, format_func={"rules": "오프라인 규칙", "llm": f"LLM ({cfg.model if cfg else ''})"}.get)
if not cfg:
    st.caption("LLM이 설정되지 않아 오프라인 규칙으로 추출합니다 (설정은 관리자에게 문의하세요).")
runs = st.number_input("일관성 확인 (반복 횟수)", 1, 7, 1, disabled=extractor != "llm")
refresh = st.button("다시 추출")
with st.spinner("추출 중…"):
    try:
        got = extract_posting(store, posting, extractor, cfg, int(runs), refresh=refresh)
    except LLMError as e:
        st.error(str(e))
        st.stop()
if got["status"] != "ok":
    st.error(f"추출 실패 (저장되지 않음): {got['error']}")
    st.stop()
result = got["result"]

text = posting_source_text(posting)
evidence = sorted({j["evidence"] for side in ("suitable_types", "unsuitable_types") for j in result[side]}, key=len, reverse=True)
left, right = st.columns(2)
with left:
    st.subheader("공고 원문")
    highlighted = escape_md(text)
    for span in evidence:  # highlight quoted spans; the text itself stays escaped (never raw HTML)
        esc = escape_md(span)
        highlighted = highlighted.replace(esc, f":orange-background[{esc}]")
    st.markdown(highlighted.replace("\n", "  \n"))
with right:
    st.subheader("추출 필드")
    fields = {k: v for k, v in result.items() if isinstance(v, str) and v}
    st.dataframe(pd.DataFrame({"필드": [k.replace("_", " ") for k in fields], "값": list(fields.values())}),
                 hide_index=True, width="stretch")

for flag in result.get("flags", []):
    st.warning(flag, icon="⚠️")
if result.get("rules_fired"):
    reasons = {rule.id: rule.reason for rule in RULES}  # counselors read the rule's reason, not its id
    st.caption("적용된 규칙: " + ", ".join(dict.fromkeys(reasons.get(r) or "기타 규칙" for r in result["rules_fired"])))
agreement = result.get("agreement", {})

current = engine.corpus.unsuitable.get(posting.id, frozenset())
suitable = {j["type"]: j for j in result["suitable_types"]}
unsuitable = {j["type"]: j for j in result["unsuitable_types"]}
rows = []
for t in DISABILITY_TYPES:
    j = unsuitable.get(t) or suitable.get(t)
    rows.append({"장애유형": t, "추출 판단": "부적합" if t in unsuitable else "적합" if t in suitable else "-",
                 "근거": j["reason"] if j else "", "인용": j["evidence"] if j else "",
                 "일치도": ", ".join(f"{'적합' if k == 'suitable_types' else '부적합'} {v:.0%}" for k, v in agreement.get(t, {}).items()),
                 "필터 적용": "부적합(제외)" if t in current else "허용"})
st.subheader("장애유형 판단")
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")

st.subheader("상담사 확인·수정")
with st.form("correction"):
    c1, c2 = st.columns(2)
    kind = c1.selectbox("장애유형", DISABILITY_TYPES)
    verdict = c2.radio("판정", ["unsuitable", "suitable"], horizontal=True, format_func={"unsuitable": "부적합", "suitable": "적합"}.get)
    who = signed_in_user() or c1.text_input("확인자")  # signed in: recorded under the account, not a typed name
    if signed_in_user():
        c1.caption(f"확인자: {who} (로그인 계정)")
    why = c2.text_input("사유")
    if st.form_submit_button("저장", type="primary"):
        try:
            types = apply_correction(store, engine.corpus, posting.id, kind, verdict, who, why)
            st.success(f"저장됨. 이 공고를 제외하는 장애유형: {', '.join(sorted(types)) or '없음'}")
        except ValueError as e:
            st.error(str(e))
history = store.corrections(posting.id)
if history:
    st.caption("수정 이력")
    st.dataframe(pd.DataFrame(history), hide_index=True, width="stretch")
