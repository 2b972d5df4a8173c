"""W-BERT (#25): a long text is classified like its title; a synthetic card never shows a bare accuracy."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.data.keco import major_of
from core.models.wbert import LabelledSet, StaticConfig, describe, train_static
from core.models.wbert.lengths import LONG_CHARS, lengthen

REPO = Path(__file__).resolve().parent.parent
# one word names the job; everything else is what any posting says (place, career, wage, days, hours)
JOBS = {"01": ["경리", "사무원", "회계", "총무"], "06": ["조리사", "요양보호사", "미화원", "경비원"],
        "09": ["용접공", "선반", "금형", "판금"]}
CODES = {"01": "018", "06": "068", "09": "093"}  # a real middle code per group (회계·경리 사무, 돌봄, 금형·공작기계)
FILLER = ["서울 강남구", "경기 수원시", "부산 해운대구", "관계없음", "신입", "경력 2년", "학력무관", "고졸", "월급 250만원",
          "시급 12,000원", "주5일근무", "주6일근무", "09:00~18:00", "2교대", "4대보험", "퇴직금", "인근 거주자 우대", "모집"]


def _texts(seed: int, n: int) -> tuple[list[str], list[str], list[str]]:
    rng = np.random.default_rng(seed)
    titles, contexts, codes = [], [], []
    for k in range(n):
        major = list(JOBS)[k % 3]
        titles.append(f"{rng.choice(JOBS[major])} {rng.choice(['모집', '채용', '구인'])}")
        contexts.append(" ".join(rng.choice(FILLER, size=4)))
        codes.append(CODES[major])
    return titles, contexts, codes


def _labelled(titles: list[str], contexts: list[str], codes: list[str]) -> LabelledSet:
    """The synthetic texts as a labelled set of postings, each title with its neutral fields."""
    return LabelledSet(titles, codes, ["t"] * len(titles), [f"t:{i}" for i in range(len(titles))], "길이 시험",
                       titles=titles, contexts=contexts)


@pytest.fixture(scope="module")
def length_model(tmp_path_factory):
    from core.models.wbert.classify import WbertClassifier

    titles, contexts, codes = _texts(0, 240)
    data = _labelled(titles, contexts, codes)
    out = tmp_path_factory.mktemp("wbert-len") / "m"
    # the served recipe (StaticConfig's defaults: SIF rows, four long forms per title) with a short training (the
    # plain mean with three long forms and the same training kept 0.52 of the long texts with their titles)
    train_static(data, StaticConfig(level="major", epochs=4, batch_size=16, out=str(out)))
    return WbertClassifier(out).fit()


def test_the_served_recipe_is_the_one_the_length_bench_chose_on_dev():
    by_length = json.loads((REPO / "bench" / "results" / "wbert.json").read_text(encoding="utf-8"))["by_length"]
    chosen = by_length["dev_choice"]["chosen"]
    dev = by_length["dev_choice"]["dev_accuracy_mean_of_views"]
    assert dev[chosen] == max(v for name, v in dev.items() if name not in by_length["dev_choice"]["excluded"])
    served = StaticConfig()
    assert {k: getattr(served, k) for k in by_length["candidates"][chosen]} == by_length["candidates"][chosen]


def test_a_long_text_is_classified_like_its_title_when_one_token_names_the_job(length_model):
    titles, contexts, _ = _texts(1, 60)
    rng = __import__("random").Random(3)
    pool = [" ".join(FILLER[i:i + 5]) for i in range(0, len(FILLER), 2)]
    longs = [lengthen(t, c, pool, rng, 3 * LONG_CHARS) for t, c in zip(titles, contexts)]
    assert all(len(x) >= LONG_CHARS and x.startswith(t) for x, t in zip(longs, titles))
    by_title = [c for c, _ in length_model.predict(titles)]
    by_long = [c for c, _ in length_model.predict(longs)]
    expected = [major_of(CODES[list(JOBS)[k % 3]]) for k in range(60)]  # the major the code table gives, not its digits
    assert np.mean(np.array(by_title) == np.array(expected)) >= 0.9
    assert np.mean(np.array(by_title) == np.array(by_long)) >= 0.9  # the long text lands where its title does


def test_confidence_is_a_probability_and_lower_on_filler_alone(length_model):
    named = length_model.predict(["경리 모집", "용접공 채용"])
    filler = length_model.predict([" ".join(FILLER[:6])])
    assert all(0 < p <= 1 for _, p in named + filler)
    assert filler[0][1] < min(p for _, p in named)


def test_neutral_texts_are_taught_no_class_and_make_filler_alone_uncertain(tmp_path):
    """Neutral training texts are other postings' neutral fields only, each taught the uniform distribution; a
    model trained with them is less sure of a text of filler alone (read over 100 such texts)."""
    import random

    from core.models.wbert.classify import WbertClassifier
    from core.models.wbert.static import NEUTRAL, prepare

    titles, contexts, codes = _texts(0, 240)
    data = _labelled(titles, contexts, codes)
    cfg = StaticConfig(level="major", epochs=4, batch_size=16, neutral_share=1.0)
    prep = prepare(data, cfg)
    neutral = [x for x, t in zip(prep.examples, prep.targets) if t == NEUTRAL]
    postings = len(prep.train_idx)
    assert len(neutral) == postings and prep.origins.count(NEUTRAL) == postings
    assert prep.examples[:len(prep.examples) - postings] == prepare(data, StaticConfig(level="major")).examples
    job_words = {w for words in JOBS.values() for w in words}
    assert not any(w in x for x in neutral for w in job_words)  # nothing in them names a job
    draw = random.Random(7)
    fillers = [" ".join(draw.sample(FILLER, 6)) for _ in range(100)]  # many draws, not one string that may be odd
    sure = {}
    for share in (0.0, 1.0):
        out = tmp_path / f"m{share}"
        train_static(data, StaticConfig(level="major", epochs=4, batch_size=16, neutral_share=share, members=1,
                                        out=str(out)))
        model = WbertClassifier(out).fit()
        # the head as trained (temperature 1): this toy's dev titles are all right, so calibration pins the
        # temperature to its sharpest value and would sharpen filler too (then 0.88 against 0.92)
        model.temperature = 1.0
        sure[share] = float(np.mean([p for _, p in model.predict(fillers)]))
    # three classes (uniform 0.33): 0.58 with neutral texts, 0.69 without
    assert sure[1.0] < min(0.65, sure[0.0] - 0.05), sure


def test_with_a_teacher_a_neutral_text_still_learns_no_class(tmp_path, monkeypatch):
    """Neutral texts and a teacher together (the whole loss on the teacher): a neutral text has no posting of its
    own, so its soft target is the uniform distribution too, not some posting's teacher row. The teacher is a
    stand-in sure of each training posting's class. Read over 100 texts of filler alone: with the neutral texts
    they are less certain than without, and no class takes most of them (were a neutral text taught the first
    posting's row instead, 79 of the 100 went to that posting's class, at 0.965 on average)."""
    import collections
    import random

    import core.models.wbert.distil as distil
    from core.models.wbert.classify import WbertClassifier

    titles, contexts, codes = _texts(0, 240)
    data = _labelled(titles, contexts, codes)
    code_of = dict(zip(titles, codes))
    asked = []

    def sure_teacher(teacher, texts, classes, **_):
        asked.extend(texts)
        probs = np.full((len(texts), len(classes)), 0.01 / (len(classes) - 1), dtype=np.float32)
        probs[np.arange(len(texts)), [classes.index(major_of(code_of[t])) for t in texts]] = 0.99
        return probs

    monkeypatch.setattr(distil, "teacher_probabilities", sure_teacher)
    draw = random.Random(5)
    fillers = [" ".join(draw.sample(FILLER, 6)) for _ in range(100)]
    read = {}
    for share in (0.0, 1.0):
        out = tmp_path / f"kd{share}"
        card = train_static(data, StaticConfig(level="major", epochs=4, batch_size=16, neutral_share=share, members=1,
                                               teacher=str(tmp_path / "teacher"), teacher_weight=1.0, out=str(out)))
        assert card["config"]["teacher_weight"] == 1.0 and asked and set(asked) <= set(titles)  # labelled postings only
        model = WbertClassifier(out).fit()
        assert [c for c, _ in model.predict(["경리 모집", "용접공 채용"])] == [major_of("018"), major_of("093")]
        read[share] = model.predict(fillers)
    sure = {share: float(np.mean([p for _, p in r])) for share, r in read.items()}
    assert sure[1.0] < sure[0.0], sure
    assert max(collections.Counter(c for c, _ in read[1.0]).values()) <= 60


def test_a_major_is_read_from_the_probability_of_all_its_middle_classes():
    """Spread over two middle classes of one major, a job belongs to that major even when a middle class of another
    major is the single most probable (the 'sum' rule; the length bench chooses between it and 'argmax' on dev)."""
    from core.models.wbert.classify import best_class, best_major

    classes = ["021", "018", "022"]  # two middle classes of 02 around 회계·경리 사무 (01): columns stay aligned
    p = np.array([[0.35, 0.40, 0.25], [0.20, 0.70, 0.10]])
    assert [c for c, _ in best_class(p, classes)] == ["018", "018"]
    assert best_major(p, classes) == [("02", pytest.approx(0.60)), ("01", pytest.approx(0.70))]


def test_the_major_level_loss_costs_a_wrong_major_more_than_a_wrong_middle_class_of_the_right_major():
    """`major_weight` (bench_wbert_length's `…-major…` candidates): beside the middle cross-entropy, the loss reads
    each major's summed middle probabilities, as the major is served. Two answers equally wrong at middle: the one
    inside the right major costs less; without the weight they cost the same; a neutral text adds nothing."""
    import torch

    from core.models.wbert.static import NEUTRAL, label_loss, major_matrix

    classes = ["021", "018", "022"]  # 02, 01, 02 (keco's table)
    to_major = major_matrix(classes)
    assert to_major.tolist() == [[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]]
    target = torch.tensor([0])  # 021
    near, far = torch.tensor([[0.0, 0.0, 4.0]]), torch.tensor([[0.0, 4.0, 0.0]])  # the rest on 022 (02) or on 018 (01)
    assert label_loss(near, target) == pytest.approx(float(label_loss(far, target)))
    with_major = {name: float(label_loss(z, target, to_major, 1.0)) for name, z in (("near", near), ("far", far))}
    assert with_major["far"] - with_major["near"] > 3.0, with_major
    assert with_major["near"] - float(label_loss(near, target)) < 0.05  # inside the right major: almost no extra cost
    neutral = torch.tensor([NEUTRAL])
    assert float(label_loss(far, neutral, to_major, 1.0)) == pytest.approx(float(label_loss(far, neutral)))


SYNTHETIC = {"name": "W-BERT", "variant": "static", "base_model": "e5-small", "level": "middle", "classes": 30,
             "data": "demo corpus (합성): demo 4,935", "synthetic": True, "split": {"test": 987}, "test_accuracy": 0.999,
             "test_macro_f1": 0.998, "train_seconds": 35.0, "date": "2026-11-29 10:00",
             "history": [{"epoch": 1, "loss": 0.3, "val_accuracy": 0.991}]}
FIGURE = re.compile(r"\d+(\.\d+)?\s*%|0\.9\d")


# a seed ensemble's card (StaticConfig.members): each table's epochs, and what the tables read together
ENSEMBLE = {**SYNTHETIC, "config": {"members": 2}, "dev_accuracy": {"mean_of_views": 0.993, "by_view": {}},
            "members": [{"seed": 42, "history": SYNTHETIC["history"]},
                        {"seed": 43, "history": [{"epoch": 1, "loss": 0.2, "val_accuracy": 0.992}]}]}


@pytest.mark.parametrize("card", [SYNTHETIC, ENSEMBLE], ids=["one-table", "ensemble"])
def test_the_synthetic_card_never_shows_a_bare_accuracy(tmp_path, locate, demo_store, card):
    folder = tmp_path / "wbert-static"
    folder.mkdir()
    (folder / "card.json").write_text(json.dumps(card, ensure_ascii=False), encoding="utf-8")
    locate(wbert=folder)
    assert "합성 데이터 기준" in describe(SYNTHETIC)  # what every W-BERT list shows under itself
    assert "합성 데이터 기준" not in describe({**SYNTHETIC, "synthetic": False, "data": "real, ../shared/data"})
    # the card's data note in words, under every W-BERT list (it read 'demo corpus (합성): demo 4,935')
    assert "합성(데모) 데이터 4,935건" in describe(SYNTHETIC) and "demo corpus" not in describe(SYNTHETIC)
    real = describe({**SYNTHETIC, "synthetic": False, "data": "real, ../shared/data: worknet-2024 3,082, keis 3,598"})
    assert "실데이터 고용24 2024 3,082 · KEIS 직무 설명 3,598건" in real and "../shared" not in real
    at = AppTest.from_file(str(REPO / "pages" / "wbert_training.py"), default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [e.value for e in [*at.success, *at.info, *at.warning, *at.caption, *at.markdown]]
    shown += [f"{m.label} {m.value}" for m in at.metric]
    shown += [" ".join(map(str, d.value.columns)) + " " + d.value.to_string() for d in at.dataframe]
    with_figures = [s for s in shown if FIGURE.search(s) or "정확도" in s]
    assert any("99.9" in s for s in with_figures)  # the figure is there…
    if card is ENSEMBLE:  # both tables' epochs, and the merged model's dev figure
        assert list(at.dataframe[0].value["표"]) == [1, 2]
        assert any("표 2개를 합친 모델의 검증 정확도" in s and "99.3%" in s for s in shown), shown
    for s in with_figures:  # …and nowhere without saying it is a synthetic one
        if "정확도" in s or "99.9" in s or "0.99" in s:
            assert "합성 데이터 기준" in s, s
    # the epochs' accuracy reads as a percentage, like the figures above it (0.195 beside 63.4 % read as two scales)
    config = json.loads(at.dataframe[0].proto.columns)
    assert any(c.startswith("검증 정확도") and v["type_config"]["format"] == "percent" for c, v in config.items()), config


def test_a_wbert_built_the_old_way_says_so_and_how_to_rebuild(tmp_path, locate, demo_store):
    """An install keeps its W-BERT across upgrades: one trained before today's recipe says how it differs (a knob its
    card does not record is read as it was before it existed) and how to rebuild; a current one says nothing."""
    from dataclasses import asdict

    from core.cli.setup import retrain_command
    from core.models.wbert import recipe_changes, recipe_note

    current = {**SYNTHETIC, "synthetic": False, "data": "real, ../shared/data", "config": asdict(StaticConfig())}
    before_ngrams = {k: v for k, v in current["config"].items() if k not in ("char_ngram_max", "neutral_share",
                                                                              "token_dropout")} | {"lr_embedding": 0.02}
    old = {**current, "config": before_ngrams}
    assert recipe_changes(current) == {}
    assert recipe_changes(old) == {"char_ngram_max": (0, 3), "lr_embedding": (0.02, 0.005)}
    assert recipe_changes({**old, "variant": "transformer"}) == {}
    # the first static cards recorded nine knobs: the ones added since are read as they were before they existed
    first = {"level": "middle", "epochs": 15, "batch_size": 64, "lr_embedding": 0.02, "lr_head": 0.01, "scale": 20.0,
             "patience": 3, "seed": 42, "out": ""}
    assert recipe_changes({**current, "config": first}) == {
        "weighting": ("mean", "sif"), "long_variants": (0, 4), "char_ngram_max": (0, 3), "lr_embedding": (0.02, 0.005),
        "scale": (20.0, 10.0), "batch_size": (64, 32), "members": (1, 4), "major_weight": (0.0, 2.0)}
    # not rows (always e5's input rows) nor SIF's a (no SIF then)
    assert "토큰 가중치 평균 → SIF 가중" in recipe_note({**current, "config": first})
    # set-up's retraining line rebuilds on the same kind of data, at the same level, where the app reads
    assert retrain_command({**old, "level": "major"}) == "python -m core train-wbert --data real --level major"
    assert retrain_command({**old, "synthetic": True}).startswith("python -m core train-wbert --data demo --level middle")
    shown = {}
    for name, card in (("current", current), ("old", old)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "card.json").write_text(json.dumps(card, ensure_ascii=False), encoding="utf-8")
        locate(wbert=folder)
        at = AppTest.from_file(str(REPO / "pages" / "wbert_training.py"), default_timeout=180)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        shown[name] = [i.value for i in at.info]
    assert retrain_command(old).endswith(f" --out {folder}")  # JOBLENS_WBERT names the folder the app reads
    assert not any("다른 방식" in s for s in shown["current"]), shown["current"]
    assert any("문자 n-그램 최대 길이 없음 → 3" in s and "표 학습률 0.02 → 0.005" in s and "정적 임베딩" in s
               for s in shown["old"]), shown["old"]


def test_setup_replaces_a_synthetic_wbert_with_a_real_label_one(tmp_path, monkeypatch, locate):
    """With real labels present, set-up trains on them, and the app then serves that W-BERT (no 합성 note)."""
    import core.models.wbert as wb

    locate(models=tmp_path, wbert=None)
    demo = tmp_path / "wbert-static"
    demo.mkdir()
    (demo / "card.json").write_text(json.dumps(SYNTHETIC, ensure_ascii=False), encoding="utf-8")
    (demo / "modules.json").write_text("[]")
    titles, contexts, codes = _texts(2, 120)
    real = LabelledSet(titles, codes, ["worknet-2024"] * len(titles), [f"w:{i}" for i in range(len(titles))],
                       "real stand-in", titles=titles, contexts=contexts)
    monkeypatch.setattr(wb, "real_labels_available", lambda: True)
    monkeypatch.setattr(wb, "labelled_set", lambda name: real if name == "real" else pytest.fail(f"trained on {name}"))
    card = wb.ensure_static()
    assert card is not None and not card["synthetic"]
    assert wb.current_path() == demo and wb.read_card()["data"] == "real stand-in"
    assert "합성" not in wb.describe(wb.read_card())
    assert wb.ensure_static() is None  # a real-label one is kept


def test_a_fresh_whole_split_report_keeps_the_by_length_tables(tmp_path):
    """`train-wbert --report --bench` rewrites bench/results/wbert.json with its own keys; the by-length tables
    (bench_wbert_length.py) stay, and the note that the old report was stale goes."""
    from core.cli.train_wbert import write_bench_report

    bench = tmp_path / "wbert.json"
    bench.write_text(json.dumps({"results_note": "stale", "results": {"major": {"old": 1}}, "by_length": {"kept": 1}}),
                     encoding="utf-8")
    write_bench_report(bench, {"results": {"major": {"new": 1}}, "learning_curve": {}})
    written = json.loads(bench.read_text(encoding="utf-8"))
    assert written == {"results": {"major": {"new": 1}}, "by_length": {"kept": 1}, "learning_curve": {}}
