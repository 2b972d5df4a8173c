"""Judging: the shared vocabulary (Direction, record kind, one grade rule), analyst agreement, the double-judging
queue, adjudication, qrels export and import, and the LLM judge behind its κ gate."""
from __future__ import annotations

import json

import numpy as np
import pytest

from core.data.kinds import Direction, Kind, grade, grade_codes
from core.data.records import Posting, Seeker
from core.evaluation import judgments as jd
from tests.test_extract import FakeOpenAI


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


# ---------------------------------------------------------------- export and import
def test_qrels_round_trip_and_row_level_errors(engine, tmp_path):
    from ir_datasets.formats import TrecQrels
    from ir_datasets.util import LocalDownload

    from core.data.store import Store

    seekers, postings = sorted(engine.corpus.seekers), sorted(engine.corpus.postings)
    judged = (marks("A", [2, 1, 0], query=seekers[0]) + marks("B", [2, 0, 0], query=seekers[0])
              + [jd.Judgment("A", "posting->posting", postings[0], postings[1], 1)])
    judged = [jd.Judgment(j.analyst, j.direction, j.query_id, postings[int(j.item_id.split(":")[1]) + 2]
                          if j.direction == "seeker->posting" else j.item_id, j.grade, j.model) for j in judged]
    text = jd.to_qrels(judged)
    path = tmp_path / "set.qrels"
    path.write_text(text, encoding="utf-8")
    # a standard tool reads it: ir_datasets' TREC qrels reader (ranx's Qrels.from_file reads the same four
    # columns, but builds numba typed dicts that compile anew in every process: ~25 s of the suite's CPU)
    assert "\n\n" not in text  # ir_datasets skips a blank line, which ranx's reader refused
    read = TrecQrels(LocalDownload(path), {}).qrels_iter()
    assert sorted((r.query_id, r.doc_id, r.relevance) for r in read) == sorted([
        (seekers[0], postings[2], 2), (seekers[0], postings[3], 1), (seekers[0], postings[4], 0),
        (postings[0], postings[1], 1)])
    store = Store(tmp_path / "j.db")
    assert jd.import_qrels(store, text.encode(), "가져옴", jd.direction_resolver(engine.corpus)) == 4
    back = jd.load(store)
    assert {j.direction for j in back} == {"seeker->posting", "posting->posting"}
    assert jd.to_qrels(back) == text and jd.consensus(back) == jd.consensus(judged)
    bad = text + f"{seekers[0]} 0 {postings[5]} 매우\n"
    with pytest.raises(jd.JudgmentImportError, match="5행 'grade'"):
        jd.import_qrels(store, bad.encode(), "B", jd.direction_resolver(engine.corpus))
    with pytest.raises(jd.JudgmentImportError, match="1행 'query_id'"):
        jd.import_qrels(store, f"nobody 0 {postings[5]} 1\n".encode(), "B", jd.direction_resolver(engine.corpus))
    with pytest.raises(jd.JudgmentImportError, match="1행: 칸이 3개"):
        jd.import_qrels(store, b"a 0 b\n", "B", jd.direction_resolver(engine.corpus))
    assert len(jd.load(store)) == 4  # nothing half-imported


def test_judgment_csv_goes_through_the_injection_neutraliser():
    from core.views.frames import to_csv_bytes

    frame = jd.judgments_frame([jd.Judgment("=HYPERLINK(1)", "seeker->posting", "s:1", "p:1", 2)])
    assert "'=HYPERLINK(1)" in to_csv_bytes(frame).decode("utf-8-sig")


# ---------------------------------------------------------------- the LLM judge behind its κ gate
def judge_server(grade_of) -> FakeOpenAI:
    """The extraction tests' fake OpenAI server answering every request with `grade_of(user message)`."""
    return FakeOpenAI(answer=lambda body: json.dumps({"grade": grade_of(body["messages"][-1]["content"]),
                                                      "reason": "테스트"}))


def test_llm_judge_is_cached_masked_and_trusted_only_above_the_kappa_gate(engine, tmp_path):
    from core.data.store import Store
    from core.evaluation.llm_judge import MIN_SHARED, LLMJudge, gate, pair_prompt, trusted_judges
    from core.settings import LLMSettings

    corpus = engine.corpus
    postings = [corpus.get(p) for p in sorted(corpus.postings)]
    pairs = []
    for seeker in sorted(corpus.seekers.values(), key=lambda s: s.id):
        by_grade = {g: [p.id for p in postings if grade(seeker, p) == g] for g in (0, 1, 2)}
        if len(by_grade[2]) >= 4 and len(pairs) < 150:  # relevant, related and other postings for each seeker
            pairs += [("seeker->posting", seeker.id, p) for p in by_grade[2][:8] + by_grade[1][:8] + by_grade[0][:16]]
    corpus.get(pairs[0][2]).jobCont += " 문의 담당자 010-2345-6789"  # personal data that must not leave
    shared = [p for n, p in enumerate(pairs) if n % 8 != 7]
    extra = [p for p in pairs if p not in shared]
    analyst = [jd.Judgment("A", d, q, i, grade(corpus.get(q), corpus.get(i))) for d, q, i in shared]
    assert len({j.grade for j in analyst}) == 3 and len(shared) >= MIN_SHARED
    truth = {pair_prompt(corpus.get(q), corpus.get(i)): grade(corpus.get(q), corpus.get(i)) for _, q, i in pairs}
    store = Store(tmp_path / "j.db")
    jd.record(store, analyst)
    before = jd.judged_scores(engine, ["tfidf"], jd.load(store), k=5)

    with judge_server(lambda text: truth[text]) as good_server, \
            judge_server(lambda text: (truth[text] + 1) % 3) as bad_server:  # disagrees with the analysts every time
        good = LLMJudge(LLMSettings(model="good", base_url=good_server.url, api_key="k", timeout=5, retries=1))
        bad = LLMJudge(LLMSettings(model="bad", base_url=bad_server.url, api_key="k", timeout=5, retries=1))
        plan = good.estimate(corpus, pairs, jd.load(store))
        assert plan.new == len(pairs) and plan.tokens > 0 and plan.max_seconds >= plan.seconds > 0
        assert good.judge(store, corpus, pairs, jd.load(store))["asked"] == len(pairs)
        assert bad.judge(store, corpus, pairs, jd.load(store))["asked"] == len(pairs)
        assert all("010-2345-6789" not in r["body"]["messages"][-1]["content"] for r in good_server.requests)
        asked = len(good_server.requests)
        assert good.estimate(corpus, pairs, jd.load(store)).new == 0  # cached under this prompt version
        assert good.judge(store, corpus, pairs, jd.load(store)) == {"asked": 0, "cached": len(pairs), "failed": 0}
        assert len(good_server.requests) == asked

    marks = jd.load(store)
    g, b = gate(marks, "LLM:good"), gate(marks, "LLM:bad")
    assert g.trusted and g.kappa == pytest.approx(1.0) and g.shared == len(shared) and g.label == "지표에 반영"
    assert not b.trusted and b.kappa < 0.6 and b.label == "참고용"
    assert trusted_judges(marks) == {"LLM:good"}
    # the disagreeing judge never changes a metric; the trusted one adds the pairs no analyst judged
    only_bad = [m for m in marks if m.analyst != "LLM:good"]
    assert jd.judged_scores(engine, ["tfidf"], only_bad, k=5, trusted=trusted_judges(only_bad)) == before
    assert jd.consensus(only_bad, trusted_judges(only_bad)) == jd.consensus(analyst)
    with_good = jd.consensus(marks, trusted_judges(marks))
    assert set(with_good) == set(pairs) and all(with_good[p] == jd.consensus(analyst)[p] for p in shared)
    assert all(with_good[(d, q, i)] == grade(corpus.get(q), corpus.get(i)) for d, q, i in extra)
    # too few shared pairs: even a perfect judge stays 참고용
    few = [m for m in marks if m.analyst != "A" or (m.direction, m.query_id, m.item_id) in shared[:50]]
    assert not gate(few, "LLM:good").trusted


def test_blind_queue_cards_show_duties_conditions_place_and_distance(engine):
    from core.views.judging import judging_card

    seeker = next(s for s in sorted(engine.corpus.seekers.values(), key=lambda s: s.id)
                  if s.place.lat is not None and s.place.sigungu and any(
                      p.place.sigungu == s.place.sigungu and p.place.sido == s.place.sido for p in engine.corpus.postings.values()))
    posting = next(p for p in sorted(engine.corpus.postings.values(), key=lambda p: p.id)
                   if p.jobCont and p.place.lat is not None and p.place.sigungu != seeker.place.sigungu)
    card = judging_card(seeker, posting)
    assert set(card) == {"제목", "직종", "직무", "조건", "근무지", "거리"}
    assert card["직무"].startswith(" ".join(posting.jobCont.split())[:20]) and posting.salary_label in card["조건"]
    assert posting.place.sido in card["근무지"] and card["거리"].endswith(" km")
    same = next(p for p in engine.corpus.postings.values() if (p.place.sido, p.place.sigungu) == (seeker.place.sido, seeker.place.sigungu))
    assert judging_card(seeker, same)["거리"] == "같은 시군구"
    back = judging_card(posting, seeker)  # posting → seekers: the seeker's wishes and constraints
    assert seeker.education_label in back["조건"] and back["거리"].endswith(" km")
