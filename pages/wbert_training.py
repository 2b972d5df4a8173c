"""W-BERT 학습: which W-BERT the app recommends with, retraining in the background, live progress."""
import pandas as pd
import streamlit as st

from core.data.datasets import DATASET_LABELS
from core.models import wbert
from core.models.wbert.background import read_status, start_background
from ui import page_header, sidebar_common
from ui.autocode import review_list

sidebar_common()
page_header("W-BERT 학습", "직종 분류로 학습한 문서 벡터로 추천합니다. 정적 변형은 몇 분, 트랜스포머 변형은 CPU로 수십 분 걸립니다.")

HISTORY_LABELS = {"epoch": "에폭", "loss": "학습 손실", "val_accuracy": "검증 정확도", "val_macro_f1": "검증 평균 F1"}


def split_text(split) -> str:
    """'학습 1,392 · 검증 192 · 시험 392건 (중분류별 층화, 시드 42)' from the card's split (a dict), not the dict itself."""
    if not isinstance(split, dict):
        return f"분할 {split}" if split else ""
    level = f"{wbert.LEVEL_NAMES[split['stratified']]}별 층화" if split.get("stratified") in wbert.LEVEL_NAMES else ""
    counts = " · ".join(f"{name} {split[key]:,}" for key, name in (("train_used", "학습"), ("val", "검증"), ("test", "시험"))
                        if isinstance(split.get(key), int))
    extra = ", ".join(x for x in (level, f"시드 {split['seed']}" if "seed" in split else "") if x)
    return f"{counts}건" + (f" ({extra})" if extra else "")


card = wbert.read_card()  # the same folder the engine recommends with (wbert.current_path)
if card:
    st.success(f"추천에 쓰는 모델: {wbert.describe(card)}", icon="🧠")
    synthetic = wbert.is_synthetic(card)  # then every figure says 합성 데이터 기준: it is not a real accuracy
    note = f" ({wbert.SYNTHETIC_NOTE})" if synthetic else ""
    if synthetic:
        st.warning("합성(데모) 데이터로 학습하고 시험한 모델입니다. 아래 수치는 합성 데이터 기준이며 실제 공고에서의 정확도가 "
                   "아닙니다. 실데이터가 있으면 '실데이터 전체'로 학습하세요.")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(f"테스트 정확도{note}", f"{card['test_accuracy']:.1%}" if card.get("test_accuracy") is not None else "없음")
    c2.metric(f"평균 F1{note}", f"{card['test_macro_f1']:.3f}" if card.get("test_macro_f1") is not None else "없음",
              help="직종마다 정밀도와 재현율의 조화평균을 구해 평균한 값 (드문 직종도 같은 무게; 1이 최고)")
    c3.metric("학습 시간", f"{card['train_seconds'] / 60:.1f}분")
    # the level goes in the label: a value as long as '53개 (중분류)' is cut to '53개 (중분…' in a quarter column
    c4.metric(f"분류 ({wbert.LEVEL_NAMES.get(card['level'], card['level'])})", f"{card['classes']}개")
    st.caption(f"데이터: {wbert.data_label(card)} · {split_text(card.get('split'))} · 학습일 {card['date']}")
    if outdated := wbert.recipe_note(card):  # an install keeps its W-BERT across upgrades
        st.info(outdated, icon="🔁")
    # a seed ensemble: each table's epochs, then what the tables read together (the figure dev chose it by)
    runs = [{"표": k + 1, **h} for k, m in enumerate(card.get("members") or [{"history": card["history"]}])
            for h in m["history"]]
    history = pd.DataFrame(runs).drop(columns=["val_by_view"] + ([] if card.get("members") else ["표"]), errors="ignore")
    accuracy = f"검증 정확도{note}"
    # accuracy as a percentage, like the figures above it (0.195 beside 63.4 % read as two scales); F1 and loss as
    # three-place numbers, like 평균 F1 above
    st.dataframe(history.rename(columns={**HISTORY_LABELS, "val_accuracy": accuracy}), hide_index=True, column_config={
        accuracy: st.column_config.NumberColumn(format="percent"),
        "검증 평균 F1": st.column_config.NumberColumn(format="%.3f"),
        "학습 손실": st.column_config.NumberColumn(format="%.3f")})
    if card.get("members") and card.get("dev_accuracy"):
        st.caption(f"표 {len(card['members'])}개를 합친 모델의 검증 정확도{note}: "
                   f"{card['dev_accuracy']['mean_of_views']:.1%} (제목·본문·긴 글 평균). 표마다 검증 정확도가 가장 높던 "
                   "에폭의 상태를 씁니다.")
else:
    st.info("**W-BERT: 학습 필요** — 아직 학습된 모델이 없습니다. 아래에서 학습을 시작하세요 (`bash run.sh` 는 정적 변형을 자동으로 만듭니다).")

with st.form("train"):
    c1, c2, c3 = st.columns(3)
    variant = c1.selectbox("변형", ["static", "transformer"],
                           format_func={"static": "정적 임베딩 (빠름)", "transformer": "트랜스포머 미세조정 (느림)"}.get)
    dataset = c2.selectbox("학습 데이터", ["demo", "real"], format_func={**DATASET_LABELS, "real": "실데이터 전체"}.get)
    level = c3.selectbox("분류 수준", ["middle", "major"], format_func={**wbert.LEVEL_NAMES, "major": f"{wbert.LEVEL_NAMES['major']} (13)"}.get)
    epochs = c1.number_input("에폭 (정적: 최대, 검증 정확도로 조기 종료)", 1, 30, 15)
    max_train = c2.number_input("학습 표본 수 (트랜스포머)", 200, 60000, 2400, 200)
    start = st.form_submit_button("학습 시작", type="primary")
if start:
    if variant == "static":
        cfg = wbert.StaticConfig(level=level, epochs=int(epochs), out=str(wbert.static_path()))
    else:
        cfg = wbert.TrainConfig(level=level, epochs=min(int(epochs), 10), max_train=int(max_train), out=str(wbert.default_path()))
    if start_background(dataset, cfg):
        st.toast("학습을 시작했습니다. 이 화면을 떠나도 계속되며, 끝나면 실행 중인 앱이 새 모델을 씁니다.")
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

review_list()
