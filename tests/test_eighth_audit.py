"""Eighth audit (helper, session 51): W-BERT auto-coding of 직종 codes (#25), the analyst review path, and what the app serves after a
change. Each test names what a counselor or analyst would see; they build a few postings through the real CSV
reader in a temporary folder (no ../shared, no SBERT) and stand a fixed-answer classifier in for W-BERT."""
from __future__ import annotations

import csv
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from core.data.ingest import ingest_file
from core.data.normalize import VERDICT_UNKNOWN
from core.data.store import Store
from core.llm.rules import posting_source_text, source_hash
from core.llm.suitability import unsuitable_map
from core.models.corpus import Corpus
from core.models.wbert.autocode import autocode, review
from core.views.judging import judging_card
from core.views.relevance import plain_reason

BASE = {"company": "(주)한빛", "region": "서울 강남구", "minEdubg": "학력무관", "career": "관계없음"}
QUERY = {"wantedAuthNo": "Q", "title": "웹 서비스 개발자", "jobCont": "자바 스프링 백엔드 개발", "jobsCd": "133201"}
# no jobsCd and no jobNm: the reader leaves them without a 직종 (as a Saramin row or a sync row without jobsCd)
CAFE = {"wantedAuthNo": "U1", "title": "매장 직원 모집", "jobCont": "음료 준비와 매장 정리, 손님 응대"}
DESK = {"wantedAuthNo": "U2", "title": "사내 시스템 담당자", "jobCont": "사내 프로그램 유지보수와 자료 정리"}


class Fake:
    """Stands in for WbertClassifier: a fixed (code, confidence) per posting title, card threshold 0.8."""

    path = Path("wbert-fake")
    card = {"autocode_threshold": 0.8, "date": "audit8"}

    def __init__(self, by_title: dict[str, tuple[str, float]]):
        self.by_title = by_title

    def predict(self, texts):
        return [next((v for title, v in self.by_title.items() if text.startswith(title)), ("011", 0.2))
                for text in texts]


def write_csv(path: Path, rows: list[dict]) -> Path:
    fields = list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


def ingest(store: Store, folder: Path, rows: list[dict], name: str = "postings.csv") -> None:
    """What a re-upload of the same file, or a sync page, does: the rows through the real reader and merge."""
    ingest_file(store, write_csv(folder / name, [{**BASE, **r} for r in rows]), "csv", source="t")


@pytest.fixture()
def store(tmp_data):
    s = Store()
    ingest(s, tmp_data, [QUERY, CAFE, DESK])
    assert s.posting("t:Q").occupation == "133201"
    assert not s.posting("t:U1").occupation and not s.posting("t:U2").occupation
    return s


# ------------------------------------------------------------------ a decision lost when the record is read again
@pytest.mark.parametrize("how", ["reviewed", "predicted"])
def test_a_code_given_by_autocoding_survives_the_same_posting_read_again(store, tmp_data, how):
    """An analyst corrects U1 to 소프트웨어 (024) on the review list (or W-BERT codes it surely). The next sync, or
    the same Saramin/CSV file uploaded again, brings the same row, still without jobsCd: `merge_postings` rebuilds
    `occupation` from the raw fields only, so the analyst's code (or the prediction) is gone. The counselor sees
    the posting with no 직종 again: no 직종 일치, no 희망 직종 우선 tier, no enrichment; the W-BERT page still
    counts it as reviewed/used (its autocodes row is untouched) and its '예측하기' button never offers it again."""
    if how == "reviewed":
        autocode(store, Fake({CAFE["title"]: ("011", 0.3)}))  # unsure: waits for an analyst
        review(store, "t:U1", "024", "김분석")
    else:
        autocode(store, Fake({CAFE["title"]: ("024", 0.95)}))
    assert store.posting("t:U1").occupation == "024"
    ingest(store, tmp_data, [CAFE], name="again.csv")  # the same row again (a re-sync, a re-upload)
    again = store.posting("t:U1")
    assert (again.occupation, again.occupation_source) == ("024", how)


def test_rerunning_autocode_after_a_resync_never_replaces_an_analysts_correction(store, tmp_data):
    """Analyst 김분석 corrects U1 to 024. A re-sync brings the row again (no jobsCd), then the nightly
    `python -m core autocode` runs: W-BERT's old guess (행정·경영 관리직 011) comes back marked 예측 where the
    analyst had decided otherwise, and the autocodes row no longer says 'corrected' (INSERT OR REPLACE)."""
    autocode(store, Fake({CAFE["title"]: ("011", 0.3)}))
    review(store, "t:U1", "024", "김분석")
    ingest(store, tmp_data, [CAFE], name="again.csv")
    autocode(store, Fake({CAFE["title"]: ("011", 0.95)}))  # the model now sure of its (wrong) guess
    now = store.posting("t:U1")
    assert (now.occupation, now.occupation_source) == ("024", "reviewed")
    assert next(a for a in store.autocodes() if a["record_id"] == "t:U1")["status"] in ("confirmed", "corrected")


# ------------------------------------------------------------------ the review path and official codes
def test_a_review_never_overwrites_the_official_code_a_sync_brought_since(store, tmp_data):
    """U1 waits on the review list with W-BERT's unsure guess 011. Then the 고용24 sync brings U1 with its official
    jobsCd 133201. The review list still shows it ('W-BERT 예측: 행정·경영… · 신뢰도 30%'), the selectbox defaults
    to the guess, and '확인·저장' replaces the official 133201 by 011 ('reviewed'); the audit row says
    predicted 011 → 011, with no trace of the official code it overwrote."""
    autocode(store, Fake({CAFE["title"]: ("011", 0.3)}))
    ingest(store, tmp_data, [{**CAFE, "jobsCd": "133201"}], name="sync.csv")
    assert store.posting("t:U1").occupation == "133201"
    try:
        review(store, "t:U1", "011", "김분석")
    except ValueError:
        pass  # refusing is fine too
    assert store.posting("t:U1").occupation == "133201"


def test_a_record_that_got_an_official_code_leaves_the_review_list(store, tmp_data):
    """Same case: once the sync gave U1 its official code there is nothing to review, yet the W-BERT page's list
    (`store.autocodes('review')`, read as it is) keeps showing it and counts it in '검토 대기 N건'."""
    autocode(store, Fake({CAFE["title"]: ("011", 0.3)}))
    ingest(store, tmp_data, [{**CAFE, "jobsCd": "133201"}], name="sync.csv")
    from core.models.wbert.autocode import pending_reviews

    assert "t:U1" not in {a["record_id"] for a in pending_reviews(store)}
    assert "t:U2" in {a["record_id"] for a in pending_reviews(store)}  # still uncoded: still waiting


# ------------------------------------------------------------------ a prediction weakening a disability guard
def test_a_prediction_never_lifts_verdict_unknown(store):
    """U2's LLM extraction failed: it is '판정 없음' and the default '판정 없음 제외' filter keeps it from disabled
    seekers. Auto-coding then gives it a sure 024: the 직종 line joins the extractor's text, its hash changes, the
    failed row now belongs to 'an earlier text', and the posting counts as judged by the live rules alone. The
    posting appears in disabled seekers' lists though no extractor ever read it, because W-BERT guessed a code."""
    desk = store.posting("t:U2")
    store.put_extraction((source_hash(desk), "llm", "m", "v1"), desk.id, "failed", None, "시간 초과")
    assert VERDICT_UNKNOWN in unsuitable_map(store)[desk.id]
    autocode(store, Fake({DESK["title"]: ("024", 0.95)}))
    assert store.posting(desk.id).occupation_source == "predicted"
    assert VERDICT_UNKNOWN in unsuitable_map(store).get(desk.id, frozenset())


def test_a_predicted_code_never_speaks_for_the_disability_verdict(store):
    """W-BERT surely (wrongly) codes the office job U2 as 자동차 운전 (079); the rules' OCC-DRIVE line then excluded
    시각장애 and 뇌전증장애 from it, and that exclusion outlived the analyst's correction to 소프트웨어 (024) (an
    earlier text's exclusions accumulate): seekers with those disabilities never saw the posting again, though
    nothing the employer wrote excludes them. A guessed (or analyst-given) code is no text of the posting: the
    disability judgment reads the employer's words and the official code only."""
    before = unsuitable_map(store).get("t:U2", frozenset())
    autocode(store, Fake({DESK["title"]: ("079", 0.95)}))
    assert store.posting("t:U2").occupation == "079"
    assert unsuitable_map(store).get("t:U2", frozenset()) == before
    review(store, "t:U2", "024", "김분석")
    assert unsuitable_map(store).get("t:U2", frozenset()) == before


# ------------------------------------------------------------------ the 예측 marker in every view
def test_the_blind_judging_card_marks_a_predicted_occupation(store):
    """The 판정 page's blind queue card shows '직종: 소프트웨어' for a posting whose only code is W-BERT's guess:
    the analyst grades relevance against the model's own prediction as if it were the posting's 직종."""
    autocode(store, Fake({DESK["title"]: ("024", 0.95)}))
    card = judging_card(store.posting("t:Q"), store.posting("t:U2"))
    assert "예측" in card["직종"]


def test_the_plain_reason_marks_a_predicted_occupation(store):
    """Each row's 근거 (table detail, CSV export) reads '같은 직종(소프트웨어) · …' as a fact for a posting coded by
    W-BERT, while the 직종 column of the same row says '소프트웨어 (예측)'."""
    autocode(store, Fake({DESK["title"]: ("024", 0.95)}))
    rec = SimpleNamespace(distance_km=None, filters_passed={})
    reason = plain_reason(store.posting("t:Q"), store.posting("t:U2"), rec)
    assert "직종(소프트웨어) (예측)" in reason, reason  # 같은 or 다른: 133201's middle is the full table's


def test_the_suitability_page_does_not_show_a_prediction_as_the_postings_own_text(store):
    """적합성 검토's '공고 원문' (and what the rules and the LLM read) carries '직종: 자동차 운전(…) (079)' for a
    posting whose employer never gave a 직종: the counselor reads W-BERT's guess as the posting's own line, and the
    OCC-DRIVE exclusion quotes it as evidence."""
    before = posting_source_text(store.posting("t:U2"))
    autocode(store, Fake({DESK["title"]: ("079", 0.95)}))
    assert store.posting("t:U2").occupation == "079"
    assert posting_source_text(store.posting("t:U2")) == before
    assert not [line for line in before.splitlines() if line.startswith("직종:")]


# ------------------------------------------------------------------ blind evaluation
def test_blind_evaluation_never_grades_by_a_predicted_code(store):
    """`evaluate --blind` grades by each posting's hidden *official* code. A posting auto-coded in the store
    (the W-BERT page's button writes into the real corpus's store) enters the blind corpus with its prediction as
    the hidden relevance label: W-BERT is graded against its own guesses (and the non-blind proxy likewise)."""
    autocode(store, Fake({DESK["title"]: ("024", 0.95)}))
    corpus = Corpus(store.postings(), [], blind=True)
    assert corpus.relevance_code(corpus.postings["t:U2"]) == ""


# ------------------------------------------------------------------ who gets auto-coded at all
def test_a_seeker_whose_occupation_name_does_not_map_is_kept_for_autocoding(tmp_data):
    """#25 says W-BERT codes 'seekers whose occupation name did not map'. The seekers reader rejects such a row
    ('희망직종을 직종코드에 대응할 수 없음'), so no uncoded seeker ever reaches the store and autocode never sees one:
    the counselor's upload loses the seeker. (README's crosswalk paragraph still says such a name 'stays a
    reject': the two statements conflict.)"""
    from core.models.wbert.autocode import uncoded

    row = {"id": "S1", "education": "고졸", "career": "신입", "desired_region": "서울 강남구", "disability_type": "",
           "disability_grade": "", "desired_job_name": "우주 비행 조종 보조"}
    s = Store()
    ingest_file(s, write_csv(tmp_data / "seekers.csv", [row]), "seekers-csv", source="s")
    assert "s:S1" in {r.id for r in uncoded(s)}


def test_the_autocode_command_uses_the_static_wbert_when_the_app_serves_the_transformer(tmp_path, locate, monkeypatch,
                                                                                        capsys):
    """After the README's GPU recipe the app serves the transformer W-BERT (`current_path`). The W-BERT page then
    falls back to the static folder for auto-coding, but `python -m core autocode` stops with
    '오류: …직종 분류에는 정적 W-BERT 폴더가 필요합니다' although the static W-BERT sits beside it."""
    import core.cli.autocode as command
    import core.models.wbert.classify as classify
    from core.cli import main
    from core.models.wbert.autocode import AutocodeCounts
    from core.models.wbert.classify import WbertClassifier

    models = tmp_path / "models"
    for folder, variant, accuracy in (("wbert", "transformer", 0.61), ("wbert-static", "static", 0.58)):
        (models / folder).mkdir(parents=True)
        (models / folder / "modules.json").write_text("[]", encoding="utf-8")
        (models / folder / "card.json").write_text(json.dumps({"variant": variant, "data": "demo",
                                                               "test_accuracy": accuracy}), encoding="utf-8")
    locate(data=tmp_path, models=models, wbert=None)
    used = []

    class Probe(WbertClassifier):
        def fit(self):
            card = json.loads((self.path / "card.json").read_text(encoding="utf-8"))
            if card["variant"] != "static":
                return super().fit()  # the real refusal of a folder without a calibrated head
            self.card = {"autocode_threshold": 0.8}
            return self

    monkeypatch.setattr(classify, "WbertClassifier", Probe)
    monkeypatch.setattr(command, "autocode", lambda store, clf, *a, **k: used.append(clf.path) or AutocodeCounts(0, 0, 0.8))
    assert main(["autocode"]) == 0, capsys.readouterr().err
    assert used == [models / "wbert-static"]


def test_a_seekers_code_stays_when_a_later_file_repeats_the_wish_without_it(tmp_data):
    """Since unmapped seekers are stored, a later file without the code column (the same wish, a name no table
    reaches) replaced the stored seeker and its code with none: the seeker lost 희망 직종 우선."""
    row = {"id": "S1", "education": "고졸", "career": "신입", "desired_region": "서울 강남구", "disability_type": "",
           "disability_grade": "", "desired_job_name": "우주 비행 조종 보조"}
    s = Store()
    ingest_file(s, write_csv(tmp_data / "a.csv", [{**row, "desired_occupation": "024"}]), "seekers-csv", source="s")
    assert s.seeker("s:S1").desired_occupation == "024"
    ingest_file(s, write_csv(tmp_data / "b.csv", [row]), "seekers-csv", source="s")
    assert s.seeker("s:S1").desired_occupation == "024"
    ingest_file(s, write_csv(tmp_data / "c.csv", [{**row, "desired_job_name": "화성 탐사 기지 보조"}]), "seekers-csv", source="s")
    assert s.seeker("s:S1").desired_occupation == ""  # a new wish: its own (missing) code, not the old one
