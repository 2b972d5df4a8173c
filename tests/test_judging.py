"""Judging: the shared vocabulary (Direction, record kind, one grade rule), analyst agreement, the double-judging
queue, adjudication, qrels export and import, and the LLM judge behind its κ gate."""
from __future__ import annotations

import numpy as np
import pytest

from core.data.kinds import Direction, Kind, grade, grade_codes
from core.data.records import Posting, Seeker
from core.evaluation import judgments as jd


def posting(pid: str, code: str) -> Posting:
    return Posting(id=f"t:{pid}", source="t", title=pid, occupation=code)


# ---------------------------------------------------------------- one vocabulary
def test_direction_parses_once_and_still_equals_its_string():
    d = Direction("seeker->posting")
    assert d.source is Kind.SEEKER and d.target is Kind.POSTING and d == "seeker->posting"
    assert {"seeker->posting": 1}[d] == 1 and d.label == "구직자→공고"
    assert Direction.of(Seeker(id="s:1", source="s"), "posting") is Direction.SEEKER_POSTING
    assert Posting.kind is Kind.POSTING and Seeker(id="s:1", source="s").kind == "seeker"
    with pytest.raises(ValueError):
        Direction("seeker->seeker")


def test_one_grade_rule_and_an_empty_code_never_matches():
    a, same, sibling, other = posting("a", "011"), posting("b", "011"), posting("c", "012"), posting("d", "021")
    assert (grade(a, same), grade(a, sibling), grade(a, other)) == (2, 1, 0)
    blank = posting("x", "")
    assert not blank.middle_code and grade(blank, posting("y", "")) == 0  # the judgments copy said 2
    assert grade_codes("01", "", np.array(["01", "02"], dtype=object), np.array(["", ""], dtype=object)).tolist() == [1, 0]


def test_the_proxy_in_judged_scores_uses_the_guarded_rule(engine):
    """An item and a query both without a middle code are not 'the same category' for the proxy κ."""
    seeker = next(iter(engine.corpus.seekers.values()))
    item = next(iter(engine.corpus.postings.values()))
    seeker.desired_occupation, item.occupation = "", ""
    marks = [jd.Judgment("가", "seeker->posting", seeker.id, item.id, 0)]
    kappa, pairs = jd.proxy_agreement(engine, marks)
    assert pairs == 1 and kappa == 1.0  # proxy 0 (no match) agrees with 무관; the old copy said 'relevant'


# ---------------------------------------------------------------- agreement (hand-checked small cases)
def marks(analyst, grades, direction="seeker->posting", query="s:1", model=jd.BLIND):
    return [jd.Judgment(analyst, direction, query, f"p:{i}", g, model) for i, g in enumerate(grades)]


def test_cohen_fleiss_and_krippendorff_match_hand_computed_values():
    from core.evaluation.agreement import agreement, cohen, fleiss, krippendorff_alpha

    # A: 무관 부분 관련 관련, B: 무관 부분 관련 부분. p_o = 3/4; A's marginals (1, 1, 2), B's (1, 2, 1):
    # p_e = (1·1 + 1·2 + 2·1) / 16 = 5/16, κ = (3/4 − 5/16) / (1 − 5/16) = 7/11
    a, b = [0, 1, 2, 2], [0, 1, 2, 1]
    assert cohen(list(zip(a, b))) == pytest.approx(7 / 11)
    # ordinal α: n = 8 values, counts n0 = 2, n1 = 3, n2 = 3; δ²(c, k) = (Σ_{g=c..k} n_g − (n_c + n_k)/2)²:
    # δ²01 = 2.5² = 6.25, δ²12 = 3² = 9, δ²02 = 5.5² = 30.25. D_o = 2·9 / 8 = 2.25;
    # D_e = 2(2·3·6.25 + 2·3·30.25 + 3·3·9) / (8·7) = 600/56; α = 1 − 2.25·56/600 = 0.79
    units = [{"A": x, "B": y} for x, y in zip(a, b)]
    assert krippendorff_alpha(units, ["A", "B"]) == pytest.approx(0.79)
    # Fleiss, 3 raters: three unanimous items (P_i = 1) and one split 1-1-1 (P_i = 0): P̄ = 3/4, p_j = 1/3 each,
    # P_e = 1/3, κ = (3/4 − 1/3) / (1 − 1/3) = 5/8
    assert fleiss([[0, 0, 0], [1, 1, 1], [2, 2, 2], [0, 1, 2]]) == pytest.approx(5 / 8)
    # the same numbers through the stored-judgment path, with a third analyst on every item
    judged = marks("A", a) + marks("B", b) + marks("C", [0, 1, 2, 2])
    result = agreement(judged, n_boot=200)
    pair = next(c for c in result.cohen if (c["a"], c["b"]) == ("A", "B"))
    assert pair["kappa"][0] == pytest.approx(7 / 11) and pair["items"] == 4
    assert result.fleiss_raters == 3 and result.fleiss_items == 4
    lo, hi = result.alpha[1], result.alpha[2]
    assert lo <= result.alpha[0] <= hi


def test_a_second_judgment_never_comes_from_the_same_account(engine):
    from core.evaluation.agreement import double_judged, second_tasks

    queries = sorted(engine.corpus.seekers)
    chosen = [q for q in queries if double_judged("seeker->posting", q, 0.2)]
    assert 0.1 < len(chosen) / len(queries) < 0.3  # the share is a setting, about 20 % by default
    first = [m for q in queries for m in marks("김", [2, 0], query=q)]
    assert second_tasks(first, "김") == []  # the first account is never asked again
    waiting = second_tasks(first, "이")
    assert {t.query_id for t in waiting} == set(chosen) and all(t.first == "김" for t in waiting)
    second = first + [m for t in waiting for m in marks("이", [2, 1], query=t.query_id)]
    assert second_tasks(second, "박") == [] and second_tasks(second, "김") == []  # two judges are enough
    assert all(double_judged("seeker->posting", q, 0.0) is False for q in queries)
    assert all(double_judged("seeker->posting", q, 1.0) for q in queries)


def test_disagreements_wait_for_a_third_analyst(tmp_path):
    from core.data.store import Store
    from core.evaluation.agreement import adjudicate, disagreements

    store = Store(tmp_path / "j.db")

    judged = marks("A", [2, 1]) + marks("B", [0, 1])
    open_ = disagreements(judged)
    assert [(d.item_id, d.marks) for d in open_] == [("p:0", {"A": 2, "B": 0})]
    pair = (open_[0].direction, open_[0].query_id, open_[0].item_id)
    with pytest.raises(jd.JudgmentImportError, match="이미 판정"):
        adjudicate(store, judged, "A", pair, 2)
    adjudicate(store, judged, "C", pair, 0)
    ruled = [j for j in jd.load(store) if j.model == jd.ADJUDICATION]
    assert [(j.analyst, j.grade) for j in ruled] == [("C", 0)]
    assert disagreements(judged + ruled) == []
    assert jd.consensus(judged)[pair] == 1 and jd.consensus(judged + ruled)[pair] == 0  # the ruling, not the mean
    assert jd.consensus(marks("A", [2]) + marks("B", [1]))[pair] == 2  # mean 1.5 rounds half up
