"""The blind evaluation regime (#25): postings without their 직종 code, relevance by the hidden code."""
from __future__ import annotations

import numpy as np

from core.data.blind import BLIND_FIELDS, blinded
from core.data.standard_jobs import ENRICH_MARK
from core.evaluation.runner import evaluate, prepare_queries
from core.filters import FilterSettings
from core.llm.rules import extract_rules
from core.models.corpus import Corpus


def test_blind_mode_strips_the_code_from_every_posting_field_and_prepared_text(engine, monkeypatch):
    asked: list[str] = []

    def fake_enrichment(code):  # a code-keyed enrichment that would show the code if it were ever reached
        asked.append(code or "")
        return f"표준직무 {code}" if code else ""

    monkeypatch.setattr("core.models.corpus.enrichment", fake_enrichment)
    postings = list(engine.corpus.postings.values())
    seekers = list(engine.corpus.seekers.values())
    coded = Corpus(postings, seekers, enrich=True, short_posting_chars=100_000)
    assert any(ENRICH_MARK in coded.text_of(p) for p in postings)  # the enrichment the blind corpus must lose
    assert any(p.relJobsNm and p.relJobsNm in coded.text_of(p) for p in postings)

    blind = Corpus(postings, seekers, enrich=True, short_posting_chars=100_000, blind=True)
    codes = {p.id: p.occupation for p in postings}
    asked.clear()
    texts = dict(zip(blind.tables["posting"].ids, blind.texts("posting")))
    assert not any(asked)  # no posting text looked its enrichment up by a code
    for p in blind.records("posting"):
        assert all(getattr(p, f) == "" for f in BLIND_FIELDS), p.id
        assert p.major_code is None and p.middle_code is None
        text = texts[p.id]
        assert ENRICH_MARK not in text and (not codes[p.id] or codes[p.id] not in text)
        original = engine.corpus.postings[p.id]
        assert text == blinded(original).text()  # title and duties as written, nothing else
        for name in (original.relJobsNm, original.jobNm):
            if name and name not in original.title + original.jobCont:
                assert name not in text, (p.id, name)
        assert blind.relevance_code(p) == codes[p.id]  # relevance: the hidden code
    assert any(ENRICH_MARK in blind.text_of(s) for s in seekers)  # seekers keep their own desired occupation

    # the prepared queries carry neither the code nor a code tier, and grade by the hidden code
    queries = blind.records("posting")[:40]
    prepared, _ = prepare_queries(blind, "posting->posting", queries, FilterSettings())
    assert prepared and all(pq.query.occupation == "" and ENRICH_MARK not in blind.text_of(pq.query) for pq in prepared)
    middles, majors = blind.relevance_codes("posting")
    assert set(majors) - {""} and set(blind.occupation_codes("posting")[1]) == {""}
    q = prepared[0].query
    assert len(blind.occupation_tiers(q, "posting", prepared[0].candidates[0])) == 1  # no same-직종 tier
    assert np.array_equal(prepared[0].pool_grades >= 1, majors[np.flatnonzero(prepared[0].candidates[0])] == majors[
        blind.tables["posting"].row_of[q.id]])


def test_blind_rules_never_read_the_occupation_line(engine):
    fired = [rule for p in engine.corpus.postings.values() for rule in extract_rules(blinded(p))[1]]
    coded = [rule for p in engine.corpus.postings.values() for rule in extract_rules(p)[1]]
    assert any(r.startswith("OCC-") for r in coded)
    assert not any(r.startswith("OCC-") for r in fired)


def test_blind_evaluation_runs_and_grades_by_the_hidden_code(engine):
    from core.models.engine import Engine, blind_unsuitable

    postings = list(engine.corpus.postings.values())
    blind = Engine(engine.store, Corpus(postings, list(engine.corpus.seekers.values()), blind_unsuitable(postings), blind=True))
    results = evaluate(blind, "demo (블라인드)", ["tfidf"], ["posting->posting", "seeker->posting"], n_queries=30,
                       wbert_held_out=False)
    assert {r.direction for r in results} == {"posting->posting", "seeker->posting"}
    assert all(r.n_queries > 0 and 0 < r.metrics["precision@5"][0] <= 1 for r in results)
