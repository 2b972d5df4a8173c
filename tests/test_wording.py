"""Counselor-grade words and maps (#26): Korean particles chosen by the final syllable, '같은 시군구' instead of a
centre-to-centre '0 km', 시도 with every 시군구, no English metric names, place names the map can actually draw,
and a map without the radius when the distance filter is off. Every page is scanned for particle slips."""
from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("word, pair, expected", [
    ("공고", "이/가", "공고가"), ("구직자", "이/가", "구직자가"), ("공고문", "이/가", "공고문이"),
    ("공고/구직자", "이/가", "공고/구직자가"), ("직종", "을/를", "직종을"), ("모델", "은/는", "모델은"),
    ("'K170000000001'", "을/를", "'K170000000001'을"), ("'x9'", "은/는", "'x9'는"), ("3", "이/가", "3이"),
    ("10", "이/가", "10이"), ("1,000", "은/는", "1,000은"), ("서울", "으로/로", "서울로"), ("부산", "으로/로", "부산으로"),
    ("W-BERT", "을/를", "W-BERT를"), ("HTML", "이/가", "HTML이"), ("사과", "과/와", "사과와"),
])
def test_particle_follows_the_final_syllable(word, pair, expected):
    from core.text.particles import particle

    assert particle(word, pair) == expected


def test_place_and_distance_words():
    from core.data.records import Place
    from core.geo.naming import SAME_SIGUNGU, distance_text, place_name

    busan_dong = Place(sido="부산광역시", sigungu="동구", lat=35.13, lon=129.05, geo_level="sigungu", geo_status="ok")
    other = Place(sido="부산광역시", sigungu="동구", lat=35.13, lon=129.05, geo_level="sigungu", geo_status="ok")
    daegu_dong = Place(sido="대구광역시", sigungu="동구", lat=35.88, lon=128.63, geo_level="sigungu", geo_status="ok")
    assert place_name(busan_dong) == "부산 동구" and place_name(daegu_dong) == "대구 동구"
    assert place_name(Place(sido="세종특별자치시", sigungu=None), "세종") == "세종"
    assert place_name(Place(), "미상") == "미상"
    assert distance_text(0.0, busan_dong, other) == SAME_SIGUNGU  # centre to centre: not '0 km'
    assert distance_text(88.04, busan_dong, daegu_dong) == "88.0 km"
    fine = Place(sido="부산광역시", sigungu="동구", lat=35.12, lon=129.04, geo_level="emd", geo_status="ok")
    fine2 = Place(sido="부산광역시", sigungu="동구", lat=35.14, lon=129.06, geo_level="emd", geo_status="ok")
    assert distance_text(2.9, fine, fine2) == "2.9 km"  # both at a finer place: the distance means something
    assert distance_text(None, None, busan_dong) == ""


def test_same_sigungu_in_the_table_detail_and_pdf(engine):
    from pypdf import PdfReader

    from core.views import printout
    from core.views.frames import detail_rows, key_columns, result_frame

    corpus = engine.corpus
    seeker, posting = next((s, p) for s in corpus.seekers.values() for p in corpus.postings.values()
                           if s.place.sigungu and (s.place.sido, s.place.sigungu) == (p.place.sido, p.place.sigungu))
    result = engine.model("tfidf").recommend(seeker, k=50)
    same = [r for r in result.items if (corpus.postings[r.item_id].place.sido, corpus.postings[r.item_id].place.sigungu)
            == (seeker.place.sido, seeker.place.sigungu)]
    assert same, f"no posting of {seeker.place.sigungu} in the list for {posting.id}"
    frame = result_frame(corpus, result, "posting", "seeker->posting", seeker)
    assert "거리" in key_columns(frame, "posting") and "거리(km)" not in key_columns(frame, "posting")
    row = frame[frame["id"] == same[0].item_id].iloc[0]
    assert row["거리"] == "같은 시군구" and row["거리(km)"] == 0.0
    assert all(t.endswith(" km") or t == "같은 시군구" for t in frame["거리"])
    assert "거리(km)" not in detail_rows(frame, same[0].item_id, "posting")  # no '0.0' in the detail panel
    ranked = [(r.rank, r.item_id, r.distance_km) for r in result.items if r.item_id == same[0].item_id]
    text = PdfReader(io.BytesIO(printout.seeker_sheet(corpus, seeker, ranked, result.report.radius_km))).pages[0].extract_text()
    assert "같은 시군구" in text and "0.0 km" not in text


def test_a_posting_that_asks_no_education_reads_학력_무관_on_paper_and_in_the_judging_card(engine):
    from pypdf import PdfReader

    from core.views import judging, printout

    corpus = engine.corpus
    seeker = next(s for s in corpus.seekers.values() if s.place.lat)
    result = engine.model("tfidf").recommend(seeker, k=20)
    open_to_all = [r for r in result.items if corpus.postings[r.item_id].edu_min == 0][:1]
    assert open_to_all, "no posting without an education requirement in the list"
    ranked = [(1, open_to_all[0].item_id, open_to_all[0].distance_km)]
    text = PdfReader(io.BytesIO(printout.seeker_sheet(corpus, seeker, ranked, result.report.radius_km))).pages[0].extract_text()
    assert "학력 무관" in text and "학력 학력" not in text
    card = judging.judging_card(seeker, corpus.postings[open_to_all[0].item_id])["조건"]
    assert "학력 무관" in card and "학력 학력" not in card


def test_map_view_fits_the_results_when_the_distance_filter_is_off(engine):
    from core.filters import FilterSettings
    from core.geo import mapdata

    seeker = next(s for s in engine.corpus.seekers.values() if s.place.lat)
    on = engine.model("tfidf").recommend(seeker, k=10)
    off = engine.model("tfidf").recommend(seeker, k=10, filters=FilterSettings(distance=False))
    assert mapdata.shown_radius(on.report) in (20, 40)
    assert mapdata.shown_radius(off.report) is None and off.report.radius_km is not None  # computed, not drawn
    assert not any(label.startswith("반경") for label, _ in mapdata.legend(list(range(1, 11)), mapdata.shown_radius(off.report)))
    pts = [{"lat": engine.corpus.postings[r.item_id].place.lat, "lon": engine.corpus.postings[r.item_id].place.lon}
           for r in off.items if engine.corpus.postings[r.item_id].place.lat is not None]
    assert max(abs(p["lat"] - seeker.place.lat) for p in pts) > 0.5  # the unfiltered list reaches far
    view = mapdata.view((seeker.place.lat, seeker.place.lon), None, pts)
    # every point inside the rectangle the map shows (430 px tall, at least 640 px wide)
    cos = math.cos(math.radians(view["latitude"]))
    km_per_px = 40075 * cos / (512 * 2 ** view["zoom"])
    half_h, half_w = 430 / 2 * km_per_px / 111.0, 640 / 2 * km_per_px / (111.0 * cos)
    assert all(abs(p["lat"] - view["latitude"]) <= half_h and abs(p["lon"] - view["longitude"]) <= half_w for p in pts)


def test_the_label_layer_reaches_deck_gl_as_literal_strings():
    """pydeck turns a plain string argument into a JavaScript expression: characterSet 'auto' became a function
    and deck.gl failed with 'function is not iterable', drawing no place name at all."""
    import pydeck as pdk

    from ui.map import label_layer

    spec = json.loads(pdk.Deck(layers=[label_layer([{"name": "종로구", "lat": 37.57, "lon": 126.98}], False)]).to_json())
    layer = spec["layers"][0]
    assert layer["characterSet"] == "auto" and not layer["fontFamily"].startswith("@@")
    assert "Noto Sans CJK KR" in layer["fontFamily"] and layer["getText"] == "@@=name"
    large = json.loads(pdk.Deck(layers=[label_layer([], True)]).to_json())["layers"][0]
    assert large["getSize"] >= 18  # 큰 글씨 reaches the map's names


# -------------------------------------------------------------- every page, as AppTest renders it
# (the start page needs app.py's navigation, and 모델 비교, 판정 and 현황 encode with every model: the browser
# test scans those, tests/test_browser.py::test_every_page_at_1280)
PAGES = [("similar_postings", {"model": "tfidf", "k": "8"}), ("seeker_postings", {"model": "tfidf", "k": "8"}),
         ("posting_seekers", {"model": "tfidf", "k": "8", "dist": "0"}), ("corpus_status", {}),
         ("suitability_review", {}), ("wbert_training", {}), ("similar_postings", {"posting": "nonexistent", "model": "tfidf"})]
# particle slips, English metric names, internal names and paths a counselor must never read
FORBIDDEN = re.compile(r"이\(가\)|을\(를\)|은\(는\)|\(이\)가|공고이 |공고을|공고은|구직자이 |구직자을|구직자은|overlap@|\bRBO\b|"
                       r"OCC-[A-Z]|JOBLENS_|HF_HUB|/tmp/|\{'|\bUpload\b|Drag and drop|per file")


def _shown_text(at) -> str:
    parts = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "info", "warning", "error", "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    for frame in at.dataframe:
        parts += [" ".join(map(str, frame.value.columns))]
        parts += [" ".join(map(str, frame.value.astype(str).head(50).values.ravel()))]
    for widget in ("selectbox", "radio", "toggle", "button", "metric"):
        for e in getattr(at, widget, []):
            parts.append(str(getattr(e, "label", "")))
    for box in at.selectbox:  # the options as the picker shows them ('부산 동구', not '동구')
        parts += [str(o) for o in list(box.options)[:50]]
    return "\n".join(parts)


@pytest.mark.parametrize("name, params", PAGES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(PAGES)])
def test_pages_show_no_particle_slips_or_internal_terms(demo_store, name, params):
    from tests.test_pages import page

    at = page(name, params)
    text = _shown_text(at)
    assert text.strip()
    slips = sorted({m.group(0) for m in FORBIDDEN.finditer(text)})
    assert not slips, f"{name}: {slips} in\n" + "\n".join(line for line in text.splitlines() if FORBIDDEN.search(line))[:800]


def test_the_scan_catches_a_slip():
    """The page scan above would fail on the strings the issue found."""
    for bad in ("공고이 없습니다", "진할수록 공고이(가) 많습니다", "overlap@10", "적용된 규칙: OCC-DESK-IT", "폴더 /tmp/x",
                "분할 {'train': 3}", "구직자이 없습니다", "Upload"):
        assert FORBIDDEN.search(bad), bad
