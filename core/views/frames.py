"""Plain tables of results for the pages, the CLI and CSV export (no Streamlit here)."""
from __future__ import annotations

import pandas as pd

from ..data import keco
from ..data.export import csv_bytes
from ..data.kinds import RELEVANCE_LABELS, grade
from ..data.records import Posting, Seeker
from ..evaluation.calibration import WEAK_STRENGTH, Calibration, for_corpus, shipped
from ..filters import FILTER_LABELS, FilterSettings, switched_off, widened
from ..geo.naming import SAME_SIGUNGU, distance_text, place_name, radius_text, same_sigungu, seeker_region
from ..text.pii import mask_rrn
from .relevance import occupation_label, plain_reason, predicted_mark, relevant


def explanation_text(expl: dict) -> str:
    if not expl:
        return ""
    if expl.get("type") == "morphemes":
        return "공통 형태소: " + ", ".join(f"{t}({w:.2f})" for t, w in expl["terms"])
    if expl.get("type") == "field_pair":
        return f"'{expl['query']}' ↔ '{expl['item']}' ({expl['similarity']:.2f})"
    if expl.get("type") == "hybrid":
        return " | ".join(explanation_text(v) for v in expl["parts"].values())
    return ""


def posting_row(p: Posting) -> dict:
    # 고용24's 구인인증번호 where there is one, else the source's own number (a KEAD rno is no 고용24 number)
    return {"공고번호": p.wantedAuthNo or record_number(p.id), "제목": p.title, "회사": p.display_company,
            "지역": place_name(p.place, p.display_region),
            "학력": p.education_label, "경력": p.career_label, "급여": p.salary_label,
            "직종": occupation_label(p), "마감일": p.closing_label}


def record_number(record_id: str) -> str:
    """The number a page shows for a record: its id without the source, a resident number masked (a store filled
    before keys were checked may hold one)."""
    return mask_rrn(record_id.split(":", 1)[-1])


def seeker_row(s: Seeker) -> dict:
    """No personal identifiers: an opaque id, age band, region, wishes, disability type."""
    return {"구직자": record_number(s.id), "연령대": s.age_band, "희망지역": seeker_region(s),
            "희망직종": s.desired_job_name or occupation_label(s), "학력": s.education_label,
            "경력": s.career_label, "장애유형": s.disability_text}


def model_key(result) -> str:
    """The registry name of the model that made a result ('tfidf-mecab' → 'tfidf')."""
    return result.model.split("-")[0]


def strengths(result, direction: str, calibration: Calibration | None = None, corpus=None) -> list[int] | None:
    """적합도 (0–99) per item from the calibrated curve of the result's model, or None without a curve. The curves
    are the corpus's own (demo or real, see `calibration.for_corpus`) unless `calibration` is given."""
    calibration = calibration or (for_corpus(corpus) if corpus is not None else shipped())
    values = calibration.strength(model_key(result), direction, [r.score for r in result.items])
    return None if values is None else [int(v) for v in values]


def category_match(query, item) -> str:
    """'같은 중분류' / '같은 대분류' / '다름': how the item's 직종 relates to the query's (a posting's own, a
    seeker's desired), by the full code table (not the code's first digits)."""
    if query is None or item is None:
        return ""
    if not (query.major_code and item.major_code):  # nothing known is not 'another occupation'
        return "직종 미상"
    return RELEVANCE_LABELS[grade(query, item)] + predicted_mark(query, item)


# what the result table shows (no sideways scroll at 1280 px); everything else is in the detail panel
KEY_COLUMNS = {"posting": ["순위", "제목", "회사", "지역", "거리", "적합도", "직종 일치"],
               "seeker": ["순위", "희망직종", "연령대", "희망지역", "거리", "적합도", "직종 일치"]}


# what may go last when the text is large: the detail panel says it too (회사, 지역), the rest decides a row
SECONDARY_COLUMNS = ("회사", "지역", "연령대", "희망지역")


def key_columns(frame: pd.DataFrame, target: str, large: bool = False) -> list[str]:
    """The table's columns for this frame: 적합도 where a calibrated curve exists, else the raw 점수. With `large`
    (큰 글씨), 회사 and 지역 go last, so what a row is judged by (거리, 적합도, 직종 일치) stays beside its title
    and what scrolls off is what the detail panel repeats."""
    columns = [c for c in (c if c != "적합도" or "적합도" in frame else "점수" for c in KEY_COLUMNS[target]) if c in frame]
    # a column no row fills (a source that names no company) is left out, not shown blank on every row
    columns = [c for c in columns if c not in SECONDARY_COLUMNS or frame[c].astype(str).str.strip().ne("").any()]
    if large:
        columns = [c for c in columns if c not in SECONDARY_COLUMNS] + [c for c in columns if c in SECONDARY_COLUMNS]
    return columns


# raw model output: analysts open it (the 분석가 보기 toggle); counselors read 적합도 and the plain 근거
ANALYST_COLUMNS = ["점수", "모델 근거"]
STRENGTH_HELP = ("같은 직종일 가능성(%): 평가용 데이터에서 이 점수대의 추천이 같은 직종이었던 비율 (사례가 적으면 낮춰 잡고, "
                 "최고 99) · 모델이 달라도 같은 척도")


def counselor_frame(frame: pd.DataFrame, analyst: bool = False) -> pd.DataFrame:
    """The frame without raw scores and model evidence unless an analyst asked for them (table, detail, CSV)."""
    hidden = ["관련"] + ([] if analyst else ANALYST_COLUMNS)
    return frame.drop(columns=[c for c in hidden if c in frame])


def split_at_floor(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(items above the relevance floor, items below it), each in the model's order: what goes above and under
    the '여기부터 다른 직종' divider. A frame without the 관련 column is all above."""
    if "관련" not in frame or frame.empty:
        return frame, frame.iloc[0:0]
    above = frame["관련"].astype(bool)
    return frame[above], frame[~above]


def detail_rows(frame: pd.DataFrame, item_id: str, target: str, large: bool = False) -> dict[str, str]:
    """The selected row's other fields, for the detail panel (table row or map click). With `large` (큰 글씨) the
    columns that may scroll off the table's right edge (SECONDARY_COLUMNS) come first here too."""
    row = frame[frame["id"] == item_id].iloc[0]
    repeated = [c for c in SECONDARY_COLUMNS if large and c in frame]
    shown = set(key_columns(frame, target)) - set(repeated) | {"id", "관련", "거리(km)"}  # 거리 says it in words
    columns = repeated + [c for c in frame.columns if c not in repeated]
    return {c: "-" if pd.isna(row[c]) or row[c] == "" else str(row[c]) for c in columns if c not in shown}


def result_frame(corpus, result, target: str, direction: str | None = None, query=None,
                 calibration: Calibration | None = None) -> pd.DataFrame:
    """One row per item. With a query: 직종 일치, the plain 근거 built from facts and 관련 (above the relevance floor,
    `relevance.relevant`); 점수 and 모델 근거 are the model's own, for analysts (`counselor_frame` drops them)."""
    rows = []
    calibration = calibration or for_corpus(corpus)
    strength = strengths(result, direction, calibration) if direction else None
    for i, rec in enumerate(result.items):
        item = corpus.get(rec.item_id)
        base = posting_row(item) if target == "posting" else seeker_row(item)
        rows.append({"순위": rec.rank, **base,
                     "거리": distance_text(rec.distance_km, getattr(query, "place", None), item.place),
                     "거리(km)": None if rec.distance_km is None else round(rec.distance_km, 1),
                     **({"적합도": strength[i]} if strength is not None else {}),
                     **({"직종 일치": category_match(query, item)} if query is not None else {}),
                     "점수": round(rec.score, 4),
                     "필터": filter_badges(rec.filters_passed, getattr(query, "place", None), item.place),
                     **({"근거": plain_reason(query, item, rec)} if query is not None else {}),
                     "모델 근거": explanation_text(rec.explanation),
                     **({"관련": relevant(query, item, None if strength is None else strength[i], calibration.floor)}
                        if query is not None else {}),
                     "id": rec.item_id})
    return pd.DataFrame(rows)


def filter_badges(passed: dict[str, str], origin=None, place=None) -> str:
    """'거리 12.3 km ≤ 20 km · 학력무관 ≤ 고졸 · 경력 ✓': each filter passed with the values it compared, its name
    once ('학력 학력무관', '경력 경력' repeated it), and '같은 시군구' where the distance is centre to centre ('0.0 km'
    there was false, beside the 거리 column's '같은 시군구')."""
    out = []
    for name, value in passed.items():
        if name == "distance" and same_sigungu(origin, place) and "≤" in value:
            value = f"{SAME_SIGUNGU} ✓"
        label = FILTER_LABELS[name]
        out.append(value if value.startswith(label) else f"{label} {value}")
    return " · ".join(out)


CSV_NOTE_COLUMN = "주의"


def to_csv_bytes(frame: pd.DataFrame, notes: list[str] | tuple[str, ...] = ()) -> bytes:
    """A table as CSV through the one neutraliser (core/data/export.py): posting text is untrusted. `notes`: what the
    page said above the list (a hard filter off, a closed posting's query). A file travels without its page, so
    each of its rows carries them, in a first column '주의'."""
    said = " / ".join(n for n in notes if n)
    if said:
        frame = frame.copy()
        frame.insert(0, CSV_NOTE_COLUMN, said)
    return csv_bytes([str(c) for c in frame.columns], frame.itertuples(index=False, name=None))


def filter_summary(corpus, result, query, target: str, filters: FilterSettings) -> str:
    """'후보 5,000건 → 필터 통과 312건; 거리 필터로 4,444건 제외; 30 km이면 +503건': what the filters did and the nearest fix."""
    parts = [f"후보 {result.report.total:,}건 → 필터 통과 {result.report.kept:,}건"]
    for name, n in result.report.removed.items():
        if n:
            parts.append(f"{FILTER_LABELS[name]} 필터로 {n:,}건 제외")
    if filters.distance and result.report.radius_km:
        wider = FilterSettings(**{**filters.__dict__, "capital_km": filters.capital_km + 10,
                                  "other_km": filters.other_km + 10})
        _, rep = corpus.candidates(query, target, wider)
        parts.append(f"{radius_text(result.report.radius_km + 10)}이면 +{rep.kept - result.report.kept:,}건")
    return "; ".join(parts)


def filters_off_note(filters: FilterSettings, target: str, disability: bool = True, query=None,
                     radius_km: float | None = None) -> str | None:
    """Which hard filters are off, and whether the radius the list used (`radius_km`, its report's, for `query`) is
    wider than the default, in the list's own words; None when neither. The switches sit in the sidebar, where one
    turned off (on the page, or by a link for distance, education and career) is easy to miss: the list itself says
    it. `disability`: whether the disability filters apply (a seeker side)."""
    noun = "공고" if target == "posting" else "구직자"
    off = switched_off(filters)
    parts = []
    if off:
        parts.append(f"{' · '.join(off)} 필터가 꺼져 있어, 그 조건에 맞지 않는 {noun}도 목록에 있습니다")
    if wider := widened(filters, getattr(getattr(query, "place", None), "sido", None), radius_km):
        parts.append(f"{wider} 골라, 먼 {noun}도 목록에 있습니다")
    if disability and not filters.disability:
        parts.append("장애유형 적합성 필터가 꺼져 있어, 장애유형에 맞지 않는 " + (
            "공고도 목록에 있습니다 (출력 안내문에는 넣지 않습니다)" if target == "posting" else "구직자도 목록에 있습니다"))
    elif disability and not filters.unknown_verdict:
        parts.append("'판정 없음 제외'가 꺼져 있어, " + ("적합성 판정이 없는 공고도 장애 구직자에게 보입니다 "
                                                    "(출력 안내문에는 넣지 않습니다)"
                     if target == "posting" else "적합성 판정이 없는 공고에도 장애 구직자를 추천합니다"))
    return ". ".join(parts) + "." if parts else None


def prefer_note(query) -> str:
    """What '희망 직종 우선' did to a list: grouped by the query's 직종, or nothing where the query has no code (a
    seeker whose wish no table reaches, until W-BERT or an analyst codes it)."""
    if not getattr(query, "major_code", None):
        return "희망 직종 우선: 기준의 직종 코드가 없어 묶지 못했습니다. 목록은 모델 점수 순 그대로입니다."
    return "희망 직종 우선: 같은 중분류 직종, 같은 대분류 직종, 그 밖의 순서로 묶고 묶음 안은 모델 점수 순입니다."


def unstated_disability_note(query) -> str | None:
    """For a seeker whose record says nothing of a disability: the list is drawn as for a seeker without one (no
    type to check a posting against), which the counselor must hear before reading it."""
    if getattr(query, "disability_stated", True) or getattr(query, "filter_disability", ""):
        return None
    return ("이 구직자의 기록에는 장애 정보가 없어, 장애가 없는 구직자로 보고 추천합니다. 장애가 있다면 구직자 기록(장애유형)을 "
            "고친 뒤 다시 여세요.")


def closed_query_note(corpus, query, direction: str) -> str | None:
    """For 인재 추천 of a posting that is closed, withdrawn or past its closing date: the seekers listed cannot apply."""
    if direction != "posting->seeker" or corpus.is_open(query):
        return None
    return ("마감되었거나 목록에서 내려간 공고입니다. 추천된 구직자는 이 공고에 지원할 수 없습니다. 모집 중인 비슷한 공고는 "
            "'유사 공고 추천'에서 찾을 수 있습니다.")


def weak_list_advice(corpus, result, query, target: str, filters: FilterSettings, direction: str,
                     calibration: Calibration | None = None) -> str | None:
    """Plain Korean when a list's best items are weak, with the nearest fix; None when the list is fine.

    Weak: no item of the query's middle 직종 category in the list, or the best 적합도 under WEAK_STRENGTH.
    The fix named is the nearest that exists: same-category items inside the radius (turn on '희망 직종
    우선'), else how many a doubled radius would bring, else the filter that actually removed the same-category
    items (each filter turned off alone, the one that brings back most), else that the corpus has no more."""
    if not result.items or not query.middle_code:
        return None
    values = strengths(result, direction, calibration, corpus)
    middles, _ = corpus.occupation_codes(target)
    table = corpus.tables[target]
    in_list = sum(middles[table.row_of[r.item_id]] == query.middle_code for r in result.items)
    best = max(values) if values else None
    if in_list and (best is None or best >= WEAK_STRENGTH):
        return None
    noun, subject = ("공고", "공고가") if target == "posting" else ("구직자", "구직자가")

    def same_category(settings: FilterSettings) -> int:
        mask, _ = corpus.candidates(query, target, settings)
        return int((mask & (middles == query.middle_code)).sum())

    same = same_category(filters)
    head = (f"추천 목록이 약합니다 (최고 적합도 {best}/100)" if best is not None and in_list
            else f"목록에 같은 직종({keco.middle_name(query.middle_code)}) {subject} 없습니다")
    if same > in_list:
        return f"{head} · 필터 안에 같은 직종 {noun} {same:,}건: '희망 직종 우선'을 켜면 먼저 보입니다."
    radius = result.report.radius_km
    if filters.distance and radius:
        wider = FilterSettings(**{**filters.__dict__, "capital_km": filters.capital_km * 2, "other_km": filters.other_km * 2})
        more = same_category(wider)
        if more > same:
            return (f"반경 {radius_text(radius)} 안에 같은 직종 {subject} {'없습니다' if not same else f'{same:,}건뿐입니다'}"
                    f" · {radius_text(radius * 2)}로 넓히면 {more:,}건.")
    gains = {name: same_category(FilterSettings(**{**filters.__dict__, name: False})) - same
             for name in FILTER_LABELS if getattr(filters, name)}
    blocker = max(gains, key=gains.get, default=None)
    if blocker and gains[blocker] > 0:
        # the disability filter is named but never offered as a switch: what it removes is unsuitable for the seeker
        why = (f"필터를 끄면 보이지만, 조건에 맞지 않는 {noun}입니다" if blocker != "disability"
               else "이 장애유형에 맞지 않는 공고입니다" if noun == "공고" else "이 공고가 맞지 않는 장애유형의 구직자입니다")
        return f"{head} · {FILTER_LABELS[blocker]} 필터가 같은 직종 {noun} {gains[blocker]:,}건을 제외했습니다 ({why})."
    return f"{head} · 필터를 하나씩 꺼 봐도 같은 직종 {subject} 더 없습니다: 이 데이터에 없는 직종입니다."
