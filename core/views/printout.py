"""Static pictures and paper: PNG charts and maps (matplotlib) and the counselor's one-page A4 sheet (fpdf2).

Both embed NanumGothic from the `koreanize-matplotlib` wheel (a maintained PyPI package that ships the TTF
files), so Korean renders offline and the same on every machine. The sheet carries no personal identifier:
the seeker's desired job and region, the postings, a small map and the date.
"""
from __future__ import annotations

import importlib.util
import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .. import clock
from ..data.normalize import career_phrase, education_phrase
from ..filters import FilterSettings, switched_off, widened
from ..geo import mapdata
from ..geo.naming import distance_text, seeker_region
from .frames import record_number


@lru_cache(maxsize=2)
def font_path(bold: bool = False) -> Path:
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("한글 글꼴이 없습니다: `pip install koreanize-matplotlib` (NanumGothic 포함)")
    path = Path(list(spec.submodule_search_locations)[0]) / "fonts" / ("NanumGothicBold.ttf" if bold else "NanumGothic.ttf")
    if not path.exists():
        raise RuntimeError(f"한글 글꼴 파일이 없습니다: {path}")
    return path


def _pyplot(large: bool):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    for bold in (False, True):
        font_manager.fontManager.addfont(str(font_path(bold)))
    plt.rcParams.update({"font.family": "NanumGothic", "axes.unicode_minus": False,
                         "font.size": 15 if large else 11})
    return plt


def _png(fig) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=150, bbox_inches="tight", facecolor="white")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return out.getvalue()


def _draw_regions(ax, level: str, values: dict[str, float] | None = None, cmap=None, norm=None,
                  bbox: tuple[float, float, float, float] | None = None) -> None:
    """Filled 시군구/시도 polygons, light grey (or coloured by `values` keyed by code/name), white borders."""
    import shapely
    from matplotlib.patches import Polygon as Patch
    from shapely.geometry import shape

    window = shapely.box(*bbox) if bbox else None
    for feature in mapdata.boundaries(level)["features"]:
        geom = shape(feature["geometry"])
        if window is not None and not geom.intersects(window):
            continue
        key = feature["properties"].get("code") or feature["properties"]["name"]
        value = values.get(key) if values is not None else None
        colour = cmap(norm(value)) if value is not None and not np.isnan(value) else (0.9, 0.91, 0.92)
        for part in getattr(geom, "geoms", [geom]):
            ax.add_patch(Patch(np.asarray(part.exterior.coords), closed=True, facecolor=colour, edgecolor="white",
                               linewidth=0.6))


def choropleth_png(frame: pd.DataFrame, column: str, title: str, large: bool = False) -> bytes:
    """A 시군구 choropleth of `column` (frame from `overview.supply_demand`) with a colour bar."""
    plt = _pyplot(large)
    from matplotlib import colors

    values = dict(zip(frame["코드"], frame[column].astype(float)))
    finite = [v for v in values.values() if not np.isnan(v)]
    norm = colors.Normalize(vmin=min(finite, default=0), vmax=max(finite, default=1))
    cmap = plt.get_cmap("Blues")
    fig, ax = plt.subplots(figsize=(6.4, 7.2))
    _draw_regions(ax, "sigungu", values, cmap, norm)
    ax.set_xlim(124.5, 131.0), ax.set_ylim(33.0, 38.7), ax.set_aspect(1.2), ax.axis("off")
    ax.set_title(title)
    fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.6, label=column)
    return _png(fig)


def bar_png(frame: pd.DataFrame, label: str, value: str, title: str, percent: bool = False, large: bool = False) -> bytes:
    plt = _pyplot(large)
    fig, ax = plt.subplots(figsize=(7.0, max(2.5, 0.38 * len(frame) + 1)))
    shown = frame[value] * (100 if percent else 1)
    ax.barh(frame[label], shown, color="#1f5fbf")
    for y, v in enumerate(shown):
        ax.text(v, y, f" {v:.0f}%" if percent else f" {v:,.0f}", va="center")
    ax.set_title(title), ax.invert_yaxis(), ax.spines[["top", "right"]].set_visible(False)
    if percent:
        ax.set_xlim(0, 110)
    return _png(fig)


def heatmap_png(matrix: pd.DataFrame, title: str, large: bool = False) -> bytes:
    plt = _pyplot(large)
    fig, ax = plt.subplots(figsize=(5.6, 4.6))
    ax.imshow(matrix.values, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(matrix.columns)), matrix.columns), ax.set_yticks(range(len(matrix.index)), matrix.index)
    for i in range(len(matrix.index)):
        for j in range(len(matrix.columns)):
            v = matrix.values[i, j]
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", color="white" if v > 0.6 else "black")
    ax.set_title(title)
    return _png(fig)


def list_map_png(origin: tuple[float, float] | None, radius_km: float | None,
                 points: list[tuple[int, float, float]], large: bool = False) -> bytes:
    """The small static map for the sheet: 시군구 around the origin, the radius circle, numbered postings."""
    plt = _pyplot(large)
    from matplotlib.patches import Ellipse

    fig, ax = plt.subplots(figsize=(4.2, 4.2))
    lat0, lon0 = origin or (np.mean([p[1] for p in points]) if points else 36.4, np.mean([p[2] for p in points]) if points else 127.8)
    if radius_km or not points:
        span = (radius_km or 30) * 1.25
    else:  # distance filter off: no circle, the window holds the postings
        span = max(15.0, 1.15 * max(max(abs(lat - lat0) * 111.0, abs(lon - lon0) * 111.0 * np.cos(np.radians(lat0)))
                                    for _, lat, lon in points))
    dlat, dlon = span / 111.0, span / (111.0 * np.cos(np.radians(lat0)))
    bbox = (lon0 - dlon, lat0 - dlat, lon0 + dlon, lat0 + dlat)
    _draw_regions(ax, "sigungu", bbox=bbox)
    if origin and radius_km:
        ax.add_patch(Ellipse((lon0, lat0), 2 * radius_km / (111.0 * np.cos(np.radians(lat0))), 2 * radius_km / 111.0,
                             facecolor=(0.12, 0.37, 0.75, 0.08), edgecolor=(0.12, 0.37, 0.75), linewidth=1.5))
        ax.plot([lon0], [lat0], marker="*", markersize=16, color="#c81e1e")
    for rank, lat, lon in points:
        ax.plot([lon], [lat], marker="o", markersize=15, color="#1f5fbf", markeredgecolor="white")
        ax.text(lon, lat, str(rank), ha="center", va="center", color="white", fontsize=9)
    ax.set_xlim(bbox[0], bbox[2]), ax.set_ylim(bbox[1], bbox[3]), ax.set_aspect(1 / np.cos(np.radians(lat0)))
    ax.axis("off")
    return _png(fig)


@dataclass
class SheetItem:
    rank: int
    title: str
    company: str
    place: str
    distance: str  # '12.3 km', '같은 시군구' or ''
    wage: str
    education: str
    career: str
    apply: str  # how to apply: 고용24 posting number, or the demo note
    closes: str = ""  # ISO closing date, '' when open-ended or unknown


def counselor_sheet(desired_job: str, region: str, items: list[SheetItem], map_of: Callable[[set[int]], bytes | None] | None,
                    today: date | None = None, large: bool = True, left_out: int = 0, withdrawn: int = 0,
                    conditions: list[str] | None = None) -> bytes:
    """One A4 page in large type: what the seeker wants, the postings, how to apply, a small map and the date.
    Postings that do not fit on the page are left off, and the footer says how many of the list it holds; the map
    (`map_of(ranks)`, drawn once the page knows which ranks it holds) pins only those. `left_out` postings of the
    list were below the relevance floor and never offered to it (the footer says how many and why); `withdrawn`
    ones were closed, past their closing date, or stopped fitting the seeker (said without saying which: the paper
    goes to the seeker). `conditions`: how the list was drawn unlike the defaults, each a sentence of the footer."""
    import logging

    from fpdf import FPDF

    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # "TSI5 NOT subset": harmless hinting tables
    today = today or clock.today()
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.add_font("Nanum", "", str(font_path(False)))
    pdf.add_font("Nanum", "B", str(font_path(True)))
    pdf.add_page()
    body, small = (14, 12) if large else (12, 10)
    pdf.set_font("Nanum", "B", 22)
    pdf.cell(0, 11, "추천 채용공고 안내", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Nanum", "", body)
    pdf.cell(0, 8, f"희망 직종: {desired_job or '-'}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 8, f"희망 지역: {region or '-'}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Nanum", "", small)
    pdf.cell(0, 7, f"작성일: {today.isoformat()} · JobLens", new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y() + 2
    pdf.set_y(max(top, 72 if map_of else top))
    listed = 0
    for item in items:
        needed = 31 if large else 26
        if pdf.get_y() + needed > 285:
            break
        pdf.set_draw_color(200, 200, 200)
        pdf.line(pdf.l_margin, pdf.get_y(), 210 - pdf.r_margin, pdf.get_y())
        pdf.ln(1.5)
        pdf.set_font("Nanum", "B", body + 1)
        pdf.cell(0, 8, _fit(pdf, f"{item.rank}. {item.title}"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Nanum", "", body - 1)
        distance = f" · {item.distance}" if item.distance else ""
        closes = f" · {item.closes} 마감" if item.closes else ""
        pdf.cell(0, 7, _fit(pdf, f"{item.company} · {item.place}{distance}{closes}"), new_x="LMARGIN", new_y="NEXT")
        pdf.cell(0, 7, _fit(pdf, f"급여 {item.wage} · {education_phrase(item.education)} · {career_phrase(item.career)}"),
                 new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Nanum", "", small)
        pdf.cell(0, 6, _fit(pdf, f"지원 방법: {item.apply}"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        listed += 1
    if map_of and (map_png := map_of({item.rank for item in items[:listed]})):
        pdf.image(io.BytesIO(map_png), x=140, y=12, w=58)
    conditions = conditions or []
    pdf.set_y(-16 - 6 * (bool(left_out) + bool(withdrawn) + len(conditions)))
    pdf.set_font("Nanum", "", small - 1)
    for line in conditions:  # the page says it; the paper the seeker takes home says it too
        pdf.cell(0, 6, line, align="C", new_x="LMARGIN", new_y="NEXT")
    if left_out:
        pdf.cell(0, 6, f"다른 직종 공고 {left_out}건은 싣지 않았습니다 (희망 직종과 달라 추천 근거가 약함).", align="C",
                 new_x="LMARGIN", new_y="NEXT")
    if withdrawn:
        pdf.cell(0, 6, f"마감되었거나 조건에 맞지 않게 된 공고 {withdrawn}건은 뺐습니다.", align="C",
                 new_x="LMARGIN", new_y="NEXT")
    held = f"공고 {listed}건" if listed == len(items) else f"추천 목록 {len(items)}건 중 앞의 {listed}건 (지면 부족)"
    pdf.cell(0, 6, f"{held} · 지원 전 고용24(www.work24.go.kr)에서 마감 여부를 확인하세요.", align="C")
    return bytes(pdf.output())


def _fit(pdf, text: str) -> str:
    """Cut a line to the page width (long titles end with '…' instead of running off the paper)."""
    width = 210 - pdf.l_margin - pdf.r_margin
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def sheet_now(engine, seeker, ranked: list[tuple[int, str, float | None]], radius_km: float | None,
              filters: FilterSettings, left_out: int = 0) -> bytes:
    """`seeker_sheet` as the button makes it, maybe minutes after the list was drawn: the engine first takes in
    what any process stored since (a close, an upload, a counselor's correction, an extraction), and the whole
    sheet is read with the engine's lock held (the button's callable runs in a worker thread, beside other
    sessions' page runs that refresh the same engine)."""
    with engine.holding():
        engine.refresh()
        return seeker_sheet(engine.corpus, seeker, ranked, radius_km, left_out=left_out, filters=filters)


def seeker_sheet(corpus, seeker, ranked: list[tuple[int, str, float | None]], radius_km: float | None,
                 large: bool = True, today: date | None = None, left_out: int = 0,
                 filters: FilterSettings | None = None) -> bytes:
    """The sheet for a seeker → postings list (rank, posting id, distance): desired job and region only (no id,
    age or disability). `ranked` holds the items above the relevance floor; `left_out` counts the rest.

    The sheet is made when the counselor presses the button, maybe minutes after the list was drawn. So the list's
    `filters` (the defaults when not given, as `recommend`'s) are checked again, for the seeker as `corpus` holds
    them now: a posting closed, or judged unsuitable for the seeker's disability, in between is not printed (the
    footer counts it; the other ranks keep the numbers the counselor's screen shows)."""
    from ..data import keco

    seeker = corpus.seekers.get(seeker.id, seeker)
    # paper goes to the seeker: the disability guards hold on it even where the counselor switched them off on the
    # page (a posting judged unsuitable for the seeker, or never judged, is not handed to them)
    guarded = replace(filters or FilterSettings(), disability=True, unknown_verdict=True)
    mask, _ = corpus.candidates(seeker, "posting", guarded)
    table = corpus.tables["posting"]
    day = (today or clock.today()).isoformat()
    # paper goes to a person who may apply: a real posting past its closing date is never on it, even from a
    # corpus served as a dated snapshot (the 실데이터 corpus has no `as_of`, so its lists keep such postings)
    allowed = {table.ids[r] for r in np.flatnonzero(mask)
               if not corpus.postings[table.ids[r]].expired_on(day)}
    withdrawn = sum(posting_id not in allowed for _, posting_id, _ in ranked)
    items, points = [], []
    for rank, posting_id, distance in ranked:
        if posting_id not in allowed:
            continue
        p = corpus.postings.get(posting_id)
        if p is None:
            continue
        number = p.wantedAuthNo or record_number(p.id)
        # only a 고용24 구인인증번호 is searched for on 고용24 (a KEAD rno or an upload's number finds nothing there)
        apply = (f"데모 공고 (실제 공고 아님) · 번호 {number}" if p.synthetic
                 else f"고용24(www.work24.go.kr)에서 구인인증번호 {number} 검색 · 또는 상담사에게 문의" if p.wantedAuthNo
                 else f"상담사에게 문의 (공고 번호 {number})")
        place = p.place.sigungu and f"{p.place.sido} {p.place.sigungu}" or p.display_region
        items.append(SheetItem(rank, p.title, p.display_company, place, distance_text(distance, seeker.place, p.place),
                               p.salary_label, p.education_label, p.career_label, apply,
                               "" if p.synthetic else p.close_date))  # a demo posting's date is no deadline
        if p.place.lat is not None:
            points.append((rank, p.place.lat, p.place.lon))
    origin = (seeker.place.lat, seeker.place.lon) if seeker.place.lat is not None else None

    def map_of(ranks: set[int]) -> bytes:  # the postings the sheet holds, no others
        return list_map_png(origin, radius_km, [p for p in points if p[0] in ranks], large=False)

    desired = seeker.desired_job_name or keco.middle_name(seeker.desired_occupation)
    conditions = []
    if off := switched_off(guarded):
        conditions.append(f"{' · '.join(off)} 조건을 따지지 않고 고른 목록입니다: 지원 전에 조건을 확인하세요.")
    if wider := widened(guarded, seeker.place.sido, radius_km):
        conditions.append(f"{wider} 고른 목록입니다.")
    return counselor_sheet(desired, seeker_region(seeker), items, map_of, today, large, left_out, withdrawn, conditions)
