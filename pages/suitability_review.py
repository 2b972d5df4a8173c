"""적합성 검토: original text beside extracted fields, types with reasons and evidence, flags, agreement,
and a counselor's accept/correct that the disability filter uses at once."""

import re

import pandas as pd
import streamlit as st

from core import clock
from core.data.normalize import DISABILITY_TYPES, VERDICT_UNKNOWN
from core.llm.client import LLMError
from core.llm.extract import extract_posting
from core.llm.rules import posting_source_text, source_hash
from core.llm.suitability import NOT_MENTIONED, apply_correction, posting_verdicts
from core.settings import settings
from ui import escape_md, get_engine, page_header, pick_posting, sidebar_common, sync_url, view_state
from ui.auth import signed_in_user

VERDICT_WORDS = {"unsuitable": "부적합", "suitable": "적합"}
RULE_ID = re.compile(r"^\[[A-Z0-9-]+\]\s*")  # '[TXT-HEAVY] 무거운 물건 운반' → the reason alone for counselors

sidebar_common()
page_header("적합성 검토", "공고 원문과 추출 결과(적합·부적합 장애유형과 근거)를 비교하고, 상담사가 확인·수정합니다.")
engine = get_engine()
store = engine.store  # the corpus's own store: with 실데이터 chosen it is not the app's (corrections must stay with it)
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
        got = None
verdicts = posting_verdicts(store, posting.id)
engine.recheck([posting.id])  # what was just extracted reaches the disability filter now, as a correction does
if verdicts.status == "unknown":
    st.error("판정 없음: 이 공고의 적합성 추출이 모두 실패했습니다. 판정 없음은 적합이 아니므로 장애 구직자에게는 "
             "'판정 없음 제외' 필터로 보이지 않습니다.\n\n실패 사유: " + escape_md(verdicts.failures[-1][:300]))
elif got and got["status"] == "failed":
    st.warning("이번 추출은 실패했습니다 (이전에 저장된 판정은 그대로 씁니다): " + escape_md((got["error"] or "")[:300]))
for reason in dict.fromkeys(verdicts.conflicts):
    st.warning("검토 필요 — " + escape_md(reason), icon="⚠️")
for flag in dict.fromkeys(verdicts.flags):
    st.warning(escape_md(flag), icon="⚠️")

result = got["result"] if got and got["status"] != "failed" and got["result"] else {}
text = posting_source_text(posting)
evidence = sorted({v.evidence for v in verdicts.types if v.evidence}, key=len, reverse=True)
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
    if fields:
        st.dataframe(pd.DataFrame({"필드": [k.replace("_", " ") for k in fields], "값": list(fields.values())}),
                     hide_index=True, width="stretch")
    else:
        st.caption("추출된 필드가 없습니다.")

agreement = result.get("agreement", {})
current = engine.corpus.unsuitable.get(posting.id, frozenset())
rows = [{"장애유형": v.type, "판정": v.verdict, "근거": RULE_ID.sub("", v.reason), "인용": v.evidence, "판정 출처": v.source,
         "일치도": ", ".join(f"{'적합' if k == 'suitable_types' else '부적합'} {x:.0%}" for k, x in agreement.get(v.type, {}).items()),
         "필터 적용": "제외" if v.type in current or VERDICT_UNKNOWN in current else "허용"}
        for v in verdicts.types]
st.subheader("장애유형 판단")
st.caption("제외: 규칙·LLM·상담사 중 하나라도 부적합으로 본 유형 (다른 답이 적합이라 해도 제외) · 검토 필요: 충돌로 보류된 LLM의 "
           f"적합 판단 · {NOT_MENTIONED}: 어느 판단도 이 유형을 말하지 않음 (제외하지 않지만 적합으로 세지도 않음)")
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
if result.get("rules_fired"):
    with st.expander("분석가용: 적용된 규칙"):
        st.caption(", ".join(result["rules_fired"]))

st.subheader("상담사 확인·수정")
with st.form("correction"):
    c1, c2 = st.columns(2)
    kind = c1.selectbox("장애유형", DISABILITY_TYPES)
    # nothing chosen for the counselor: a verdict is a decision, not a default to confirm by accident
    verdict = c2.radio("판정", ["unsuitable", "suitable"], horizontal=True, index=None, format_func=VERDICT_WORDS.get)
    who = signed_in_user() or c1.text_input("확인자")  # signed in: recorded under the account, not a typed name
    if signed_in_user():
        c1.caption(f"확인자: {who} (로그인 계정)")
    why = c2.text_input("사유")
    if st.form_submit_button("저장", type="primary"):
        try:
            # the text the counselor read is the one shown before this run (a sync may have changed it since)
            seen = st.session_state.get("suitability_seen", {}).get(posting.id, source_hash(posting))
            types = apply_correction(store, None, posting.id, kind, verdict, who, why, seen)
            engine.recheck([posting.id])
            st.success(f"저장됨. 이 공고를 제외하는 장애유형: {', '.join(sorted(types)) or '없음'}")
        except ValueError as e:
            st.error(str(e))
history = store.corrections(posting.id)
if history:
    st.caption("수정 이력")
    st.dataframe(pd.DataFrame([{"시각": clock.stamp(c["at"]), "장애유형": c["disability_type"],
                                "판정": VERDICT_WORDS.get(c["verdict"], c["verdict"]), "확인자": c["who"], "사유": c["why"]}
                               for c in history]), hide_index=True, width="stretch")
st.session_state.setdefault("suitability_seen", {})[posting.id] = source_hash(posting)  # what the counselor has read
