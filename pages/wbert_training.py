"""W-BERT 학습: status of the tuned model, a start button, live progress while training runs in the background."""
import pandas as pd
import streamlit as st

from core.models import wbert
from core.models.wbert.background import read_status, start_background
from ui import page_header, sidebar_common

sidebar_common()
page_header("W-BERT 학습", "직종 분류로 미세조정한 트랜스포머의 인코더를 추천에 씁니다 (CPU 기본 설정: 약 10~20분).")

card = wbert.read_card()  # the same folder the engine recommends with
if card:
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("테스트 정확도", f"{card['test_accuracy']:.1%}")
    c2.metric("macro-F1", f"{card['test_macro_f1']:.3f}")
    c3.metric("학습 시간", f"{card['train_seconds'] / 60:.1f}분")
    c4.metric("분류", f"{card['classes']}개 ({'대분류' if card['level'] == 'major' else '중분류'})")
    st.caption(f"기반 모델 {card['base_model']} · 데이터: {card['data']} · 분할 {card['split']} · {card['date']}")
    st.dataframe(pd.DataFrame(card["history"]), hide_index=True)
else:
    st.info("**W-BERT: 학습 필요** — 아직 학습된 모델이 없습니다. 아래에서 학습을 시작하세요.")

with st.form("train"):
    c1, c2, c3 = st.columns(3)
    dataset = c1.selectbox("학습 데이터", ["demo", "worknet-2024"], format_func={"demo": "데모(합성)", "worknet-2024": "실데이터 고용24 2024"}.get)
    level = c2.selectbox("분류 수준", ["major", "middle"], format_func={"major": "대분류 (13)", "middle": "중분류"}.get)
    epochs = c3.number_input("에폭", 1, 10, 3)
    max_train = c1.number_input("학습 표본 수", 200, 60000, 2400, 200)
    max_len = c2.number_input("최대 토큰", 32, 512, 128, 32)
    start = st.form_submit_button("학습 시작", type="primary")
if start:
    cfg = wbert.TrainConfig(level=level, epochs=int(epochs), max_train=int(max_train), max_len=int(max_len),
                            out=str(wbert.current_path()))
    if start_background(dataset, cfg):
        st.toast("학습을 시작했습니다. 이 화면을 떠나도 계속됩니다.")
    else:
        st.warning("이미 학습이 진행 중입니다.")


@st.fragment(run_every=2)
def live_status() -> None:
    status = read_status()
    if not status:
        return
    frac = status["done"] / max(status["total"], 1)
    st.progress(min(1.0, frac), text=f"{status['state']}: {status['message']}")


live_status()
