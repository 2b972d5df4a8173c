"""Corpus figures for the 코퍼스 현황 page: sizes, sources, freshness, rejects, distributions."""
from __future__ import annotations

import pandas as pd

from .. import clock
from ..data import keco
from ..data.records import field_label
from ..data.store import Store
from ..geo import SIDO_SHORT

# what a counselor calls each source the readers name (a source the user named in an ingest stays as named)
SOURCE_LABELS = {"demo": "데모(합성)", "csv": "CSV 업로드", "worknet": "고용24", "kead": "KEAD 구인", "worknet2024": "고용24 2024",
                 "worknet-seoul": "고용24 서울 2023", "saramin": "사람인 표본"}


def sources(store: Store) -> pd.DataFrame:
    rows = store.source_summary()
    frame = pd.DataFrame(rows, columns=["출처", "공고", "합성", "지도 배치", "마지막 갱신"])
    frame["출처"] = frame["출처"].map(lambda s: SOURCE_LABELS.get(s, s))
    frame["배치율"] = (frame["지도 배치"] / frame["공고"]).round(3)
    frame["마지막 갱신"] = frame["마지막 갱신"].map(lambda t: clock.stamp(t))
    return frame


def by_category(store: Store) -> pd.DataFrame:
    rows = store.postings_per_major()
    frame = pd.DataFrame(rows, columns=["코드", "공고"])
    frame["직종 대분류"] = frame["코드"].map(lambda c: keco.majors().get(c or "", "미분류"))
    return frame.sort_values("공고", ascending=False)


def by_region(store: Store) -> pd.DataFrame:
    rows = store.postings_per_sido()
    frame = pd.DataFrame(rows, columns=["시도", "공고"])
    frame["시도"] = frame["시도"].map(lambda s: SIDO_SHORT.get(s, s))
    return frame.sort_values("공고", ascending=False)


def rejects(store: Store, limit: int = 500) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(reasons with counts, latest rejected rows)."""
    reasons = pd.DataFrame(store.reject_reasons(50), columns=["필드", "사유", "건수"])
    latest = pd.DataFrame(store.latest_rejects(limit), columns=["파일", "행", "필드", "사유", "값"])
    for frame in (reasons, latest):
        frame["필드"] = frame["필드"].map(field_label)
    return reasons, latest


def unplaced(store: Store, limit: int = 500) -> pd.DataFrame:
    return pd.DataFrame(store.unplaced_postings(limit), columns=["id", "제목", "미배치 사유"])


def freshness(store: Store, today: str | None = None) -> dict[str, object]:
    """Last successful sync per API, postings registered today, and closed postings (kept, never recommended)."""

    today = today or clock.today().isoformat()
    syncs = {api: store.sync_state(api) for api in ("worknet", "kead")}
    registered_today, closed = store.registered_and_closed(today)
    return {"last_sync": {api: (clock.stamp(s["last_success"])
                                if s and s["last_success"] else "없음") for api, s in syncs.items()},
            "sync_status": {api: (s["status"], s["message"]) for api, s in syncs.items() if s},
            "registered_today": registered_today, "closed": closed, **registration_ages(store, today)}


def registration_ages(store: Store, today: str) -> dict[str, object]:
    """Freshness from the postings' own registration dates: how many carry one, the newest and oldest, the median
    age in days and the share registered in the last 30 days (of open postings). `dated` is 0 when no posting
    has a date (then the page says so instead of showing zeros)."""
    from datetime import date

    rows = store.open_registration_dates()
    dates = sorted(d for d in rows if d)
    out: dict[str, object] = {"open_postings": len(rows), "dated": len(dates)}
    if not dates:
        return out
    now = date.fromisoformat(today)
    ages = sorted((now - date.fromisoformat(d)).days for d in dates)
    out.update(newest=dates[-1], oldest=dates[0], median_age_days=ages[len(ages) // 2],
               within_30_days=round(sum(0 <= a <= 30 for a in ages) / len(ages), 3))
    return out
