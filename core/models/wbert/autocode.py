"""Auto-coding (#25): W-BERT reads the 직종 of a record that came without one (a Saramin posting, an upload, a
synced record without jobsCd, a seeker whose desired occupation did not map), with a calibrated confidence.

At or above the threshold chosen on dev (the card's `autocode_threshold`: the lowest confidence at which dev
postings were still right 90 % of the time) the code is written into the record, marked
'predicted', and from then on feeds what any code feeds: the standard-description enrichment, 직종 일치 and
희망 직종 우선. Below it the record keeps no code (so nothing is enriched or tiered by a guess) and waits on the
review list of the W-BERT page, where an analyst confirms or corrects it; the decision is stored with the
analyst's name ('reviewed') and reaches a running app through the store like any other change.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from ...data import keco
from ...data.records import Posting, Seeker
from ...data.store import Store
from ...progress import Progress, report
from .paths import current_path, static_path

PREDICTED, REVIEWED = "predicted", "reviewed"


@dataclass
class AutocodeCounts:
    accepted: int
    review: int
    threshold: float

    def summary(self) -> str:
        return (f"직종 예측: {self.accepted + self.review:,}건 중 {self.accepted:,}건 사용 (신뢰도 ≥ {self.threshold:.2f}), "
                f"{self.review:,}건 검토 대기 (W-BERT 화면의 '직종 예측 검토')")


def coding_classifier(path=None):
    """The W-BERT that codes: `path`, else the one the app serves, else the static one beside it (a transformer
    W-BERT has no calibrated head). ValueError, in Korean, when none can."""
    from .classify import WbertClassifier

    error: Exception | None = None
    for folder in [path] if path else list(dict.fromkeys((current_path(), static_path()))):
        try:
            return WbertClassifier(folder).fit()
        except (OSError, ValueError) as e:
            error = e
    raise ValueError(f"직종 예측에는 학습된 정적 W-BERT가 필요합니다 ({error})")


def without_code(records) -> list[Posting | Seeker]:
    """The records among `records` without a 직종 code: postings without `occupation`, seekers without
    `desired_occupation` (`occupation_code` reads either)."""
    return [r for r in records if not r.occupation_code]


def uncoded(store: Store) -> list[Posting | Seeker]:
    """Every stored record without a 직종 code."""
    return without_code([*store.postings(), *store.seekers()])


def set_code(record: Posting | Seeker, code: str, source: str) -> None:
    if isinstance(record, Posting):
        record.occupation = code
    else:
        record.desired_occupation = code
    record.occupation_source = source


def autocode(store: Store, classifier, threshold: float | None = None, progress: Progress | None = None,
             records: list[Posting | Seeker] | None = None) -> AutocodeCounts:
    """Predict a code for every uncoded record (or for `records`, uncoded ones the caller chose); use it at or
    above `threshold` (default: the card's, from dev), queue it for review below. Records already reviewed keep
    the analyst's code (they are coded)."""
    threshold = float(classifier.card.get("autocode_threshold", 0.9) if threshold is None else threshold)
    records = uncoded(store) if records is None else records
    predictions = []
    for start in range(0, len(records), 512):
        predictions += classifier.predict([r.text() for r in records[start:start + 512]])
        report(progress, "직종 예측", min(start + 512, len(records)), len(records))
    rows, accepted = [], {}
    model = f"{classifier.path.name}:{classifier.card.get('date', '')}"
    for record, (code, confidence) in zip(records, predictions):
        ok = confidence >= threshold
        kind = "posting" if isinstance(record, Posting) else "seeker"
        rows.append((record.id, kind, code, round(confidence, 4), model, "accepted" if ok else "review", time.time()))
        if ok:
            accepted[kind, record.id] = code

    def take_prediction(record: Posting | Seeker) -> bool:
        """On the record as stored now (a sync may have closed or withdrawn it while the model read): coded since by
        its source or an analyst, it keeps that code."""
        if not without_code([record]):
            return False
        set_code(record, accepted["posting" if isinstance(record, Posting) else "seeker", record.id], PREDICTED)
        return True

    taken = (store.modify_postings([i for kind, i in accepted if kind == "posting"], take_prediction)
             + store.modify_seekers([i for kind, i in accepted if kind == "seeker"], take_prediction))
    store.put_autocodes(rows)
    return AutocodeCounts(len(taken), len(rows) - len(accepted), threshold)  # a record coded meanwhile took none


def pending_reviews(store: Store) -> list[dict]:
    """The predictions waiting for an analyst (`Store.autocodes('review')`) whose record is still stored and still
    without a code of its own: one a sync or an upload has coded since has nothing left to review."""
    rows = store.autocodes("review")
    ids = [r["record_id"] for r in rows]
    held = {**store.postings_by_id(ids), **store.seekers_by_id(ids)}
    return [r for r in rows if r["record_id"] in held and not held[r["record_id"]].official_code]


def review(store: Store, record_id: str, code: str, analyst: str) -> Posting | Seeker:
    """An analyst confirms or corrects a prediction: the record takes `code` ('reviewed'), audited under `analyst`."""
    if not analyst.strip():
        raise ValueError("직종 예측 검토에는 분석가 이름(로그인 계정)이 필요합니다")
    if not (keco.middle_of(code) and keco.middle_of(code) in keco.middles()):
        raise ValueError(f"'{code}'는 직종 코드가 아닙니다 (중분류 3자리 또는 세분류 6자리)")
    def take_review(record: Posting | Seeker) -> bool:
        if record.official_code:  # a sync or an upload brought its own code since the prediction: that one stands
            raise ValueError(f"'{record_id}'에는 이제 공식 직종 코드({record.official_code})가 있어 검토할 필요가 없습니다")
        set_code(record, code, REVIEWED)
        return True

    changed = store.review_autocode(record_id, code, analyst.strip(), take_review)  # record and audit row: one write
    if not changed:
        raise ValueError(f"'{record_id}' 기록이 저장소에 없습니다")
    return changed[0]
