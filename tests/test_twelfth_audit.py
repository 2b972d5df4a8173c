"""The twelfth audit (a helper of session 52: access and audit trail, personal data, blind judgments, evaluation, the CLI). Each test
demonstrates a defect: it fails on the code as audited."""
from __future__ import annotations

import re
import sqlite3

import pytest

from core.data.store import Store
from core.evaluation import judgments as jd
from core.filters import FilterSettings
from core.views.frames import result_frame, to_csv_bytes
from tests.test_fourth_audit import corpus

RRN = "800101-1234567"  # a well-formed 주민등록번호 (1980-01-01, male)


# ---------------------------------------------------------------- personal data
def _talent_frame(engine, posting_id="t:K1"):
    posting = engine.corpus.postings[posting_id]
    result = engine.model("tfidf").recommend(posting, k=10, filters=FilterSettings(), target="seeker", explain=False)
    return result_frame(engine.corpus, result, "seeker", "posting->seeker", posting)


def test_a_resident_number_in_the_seekers_id_column_is_never_shown_on_the_talent_page(tmp_data):
    """A seekers file whose `id` column holds 주민등록번호 (agencies key people by it) is stored as the seeker's id
    and shown verbatim in the 인재 추천 table's 구직자 column, its CSV, the map's point data and every link
    (`seeker=…`): the resident number of a disabled job seeker goes to anyone who sees the page or the file."""
    _, engine, report = corpus(tmp_data, [{"wantedAuthNo": "K1"}], [{"id": RRN}, {"id": "2"}])
    frame = _talent_frame(engine)
    assert len(frame) >= 1
    shown = to_csv_bytes(frame).decode("utf-8-sig")
    assert "1234567" not in shown, shown


def test_a_street_address_in_the_desired_region_is_not_shown_on_the_talent_page(tmp_data):
    """A seekers file whose 희망지역 holds the seeker's home address ('서울 강남구 테헤란로 152 101동 1203호') shows
    that exact address in the 인재 추천 table's 희망지역 column and its CSV: the page must show a region, never
    where a job seeker lives."""
    _, engine, _ = corpus(tmp_data, [{"wantedAuthNo": "K1"}],
                          [{"id": "1", "desired_region": "서울 강남구 테헤란로 152 101동 1203호"}])
    shown = to_csv_bytes(_talent_frame(engine)).decode("utf-8-sig")
    assert "1203호" not in shown and "테헤란로 152" not in shown, shown


def test_a_rejected_value_holding_a_resident_number_is_not_stored_or_shown(tmp_data):
    """A seekers file with a resident number in a column read as 연령대 rejects the row, and the reject keeps the raw
    value: the number is written to the store's rejects table and shown in the upload report's 값 column (and
    the 코퍼스 현황 reject list), in the clear."""
    from core.views.upload import rejects_frame

    store, _, report = corpus(tmp_data, [{"wantedAuthNo": "K1"}], [{"id": "1", "age_band": RRN}])
    assert report.rejects, "the row should be rejected"
    frame = rejects_frame(report)
    assert not frame.astype(str).apply(lambda c: c.str.contains("1234567")).any().any(), frame.to_dict("records")
    stored = store.query("SELECT value, reason FROM rejects")
    assert not any("1234567" in str(v) for row in stored for v in row), stored


# ---------------------------------------------------------------- judgments: imports and the audit trail
def _mark(analyst, grade, item="t:K2", model="blind"):
    return jd.Judgment(analyst, "posting->posting", "t:K1", item, grade, model)


def test_a_judgments_csv_import_cannot_rewrite_another_analyst_s_stored_marks(tmp_data):
    """The 평가·감사 page imports a judgments CSV under whatever names its `analyst` column holds, and the upsert
    replaces that analyst's stored mark: any signed-in analyst can turn a colleague's 관련 into 무관 (and the
    agreement figures and metrics with it), with no record of who did it."""
    store = Store()
    jd.record(store, [_mark("김분석", 2)])
    data = "analyst,direction,query_id,item_id,grade\n김분석,posting->posting,t:K1,t:K2,무관\n".encode()
    try:
        jd.import_csv(store, data)
    except jd.JudgmentImportError:
        pass  # refusing the row is a fix
    stored = {(j.analyst, j.item_id): j.grade for j in jd.load(store)}
    assert stored[("김분석", "t:K2")] == 2, stored


def test_a_judgments_csv_cannot_file_a_ruling_from_an_analyst_who_judged_the_item(tmp_data):
    """A ruling on a disagreement must come from a third analyst (`adjudicate` refuses one who judged the item:
    'a ruling is not a third vote'). A CSV row with model 'adjudication' from one of the two disagreeing analysts
    is imported without that check, and the consensus then takes that analyst's own grade: one judge settles
    the disagreement in their own favour and it leaves the disagreement list."""
    from core.evaluation.agreement import disagreements

    store = Store()
    jd.record(store, [_mark("김분석", 2), _mark("이분석", 0)])
    assert len(disagreements(jd.load(store))) == 1
    data = ("analyst,direction,query_id,item_id,grade,model\n"
            "김분석,posting->posting,t:K1,t:K2,관련,adjudication\n").encode()
    try:
        jd.import_csv(store, data)
    except jd.JudgmentImportError:
        pass  # refused: a fix
    marks = jd.load(store)
    assert disagreements(marks), "the self-ruling closed the disagreement"
    assert jd.consensus(marks)[("posting->posting", "t:K1", "t:K2")] != 2


def test_a_qrels_import_never_replaces_the_importing_analyst_s_own_marks(tmp_data):
    """ui/judgments.py files an imported qrels file (someone else's consensus grades) under the signed-in
    account, and the upsert replaces that analyst's own blind marks of the same pairs: an analyst who imports a
    colleague's qrels silently loses their own judgments, and the colleague's grades are counted as theirs
    (in κ, in the second-judge queue, in the consensus)."""
    from core.data.kinds import Direction

    store = Store()
    jd.record(store, [_mark("김분석", 0)])
    try:
        jd.import_qrels(store, b"t:K1 0 t:K2 2\n", "김분석", lambda q, i: Direction("posting->posting"))
    except jd.JudgmentImportError:
        pass  # refused: a fix
    own = [j for j in jd.load(store) if j.analyst == "김분석" and j.item_id == "t:K2"]
    assert own and own[0].grade == 0 and own[0].model == "blind", own

def test_a_review_of_a_predicted_code_is_never_stored_without_its_audit_row(tmp_data, monkeypatch):
    """`review` writes the analyst's code onto the record in one transaction and the audit row (who, when, what
    was predicted) in another. When the second write fails (the store locked by a sync, a full disk), the record
    keeps the reviewed code and no audit row says who gave it: the W-BERT page's review history loses it."""
    from core.models.wbert.autocode import review

    store, _, _ = corpus(tmp_data, [{"wantedAuthNo": "K1"}], [{"id": "1", "desired_job_name": "퀘퀘퀘 뷁뷁"}])
    seeker = store.seeker("s:1")
    assert not seeker.official_code, seeker.desired_occupation  # unmapped: waits for auto-coding
    store.put_autocodes([("s:1", "seeker", "015", 0.3, "m", "review", 0.0)])

    def locked(*args, **kwargs):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(store, "review_autocode", locked)
    with pytest.raises((sqlite3.Error, OSError)):  # the Store may put it in words (StoreError is an OSError)
        review(store, "s:1", "015", "김분석")
    after = store.seeker("s:1")
    audited = [r for r in store.autocode_reviews() if r["record_id"] == "s:1"]
    assert after.occupation_source != "reviewed" or audited, (seeker.desired_occupation, after.desired_occupation)


# ---------------------------------------------------------------- the CLI
def test_the_documented_evaluate_split_option_exists():
    """README: `python -m core evaluate --data worknet-2024 --split test  # only test-split queries (tuning reads
    dev)`. The command has no --split: argparse stops with an English 'unrecognized arguments', and the CLI's
    report can only mix the dev queries the settings were tuned on into its figures."""
    from core.cli import build_parser

    args = build_parser().parse_args(["evaluate", "--data", "demo", "--split", "test"])
    assert args.split == "test"


HANGUL = re.compile(r"[가-힣]")


def _cli(capsys, argv):
    from core.cli import main

    try:
        rc = main(argv)
    except SystemExit as e:  # argparse refuses a bad value itself (exit 2), as it does for `recommend --k -3`
        rc = e.code
    return rc, capsys.readouterr().err


def test_evaluate_with_an_unknown_direction_says_so_in_korean(tmp_data, capsys):
    """`evaluate --directions posting-seeker` (a typo) prints Python's "'posting-seeker' is not a valid Direction":
    an English enum message, not the directions a user can choose."""
    rc, err = _cli(capsys, ["evaluate", "--directions", "posting-seeker", "--models", "tfidf", "--out", str(tmp_data)])
    assert rc != 0
    assert "is not a valid" not in err and "posting->posting" in err, err


def test_evaluate_with_a_negative_query_count_says_so_in_korean(tmp_data, capsys):
    """`evaluate --queries -5` prints random.sample's 'Sample larger than population or is negative'."""
    corpus(tmp_data, [{"wantedAuthNo": "K1"}], [{"id": "1"}])
    rc, err = _cli(capsys, ["evaluate", "--queries", "-5", "--models", "tfidf", "--out", str(tmp_data)])
    assert rc != 0
    assert "Sample larger" not in err and HANGUL.search(err.replace("오류", "")), err


def test_recsets_on_an_empty_store_says_so_in_korean(tmp_data, capsys):
    """`recsets --refresh` (and `recsets`) on a store with no usable text prints scikit-learn's 'empty vocabulary;
    perhaps the documents only contain stop words': the operator learns nothing about what to do (ingest first)."""
    Store()  # an empty store in the data folder
    rc, err = _cli(capsys, ["recsets", "--refresh"])
    assert "empty vocabulary" not in err, err
