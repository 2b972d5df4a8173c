"""The pydeck map of a ranked list: offline filled 시도/시군구 with names, the origin, the radius circle,
rank-coloured points and a legend."""
from __future__ import annotations

import pandas as pd
import pydeck as pdk
import streamlit as st

from core.geo import mapdata
from core.models.base import RecommendResult
from core.models.engine import Engine

from .widgets import a11y_on


def legend_row(entries: list[tuple[str, list[int]]], large: bool, square: bool = False) -> None:
    """Colour swatches with their meaning, one line under the map (our own HTML; labels are ours, not data).
    Round swatches stand for points, square ones for filled areas."""
    size = "20px" if large else "14px"
    radius = "2px" if square else "50%"
    swatches = "".join(
        f'<span style="display:inline-flex;align-items:center;margin-right:1.1em">'
        f'<span style="width:0.9em;height:0.9em;border-radius:{radius};background:rgb({r},{g},{b});'
        f'display:inline-block;margin-right:0.35em;border:1px solid #555"></span>{label}</span>'
        for label, (r, g, b) in entries)
    st.markdown(f'<div class="joblens-legend" style="font-size:{size};color:#222">{swatches}</div>',
                unsafe_allow_html=True)


# Korean system fonts (Linux, Windows, macOS) before the generic family: deck.gl draws names into a font atlas
# with the canvas, which falls back to any installed Korean font when none of these is present
LABEL_FONTS = '"Noto Sans CJK KR", "Noto Sans KR", "Malgun Gothic", "Apple SD Gothic Neo", "NanumGothic", sans-serif'


def label_layer(labels: list[dict], large: bool, declutter: bool = True) -> pdk.Layer:
    """Place names (dicts with name, lat, lon, and a `priority`) drawn over the polygons, white-outlined so they
    read on any fill. Names that would overlap are hidden in the browser, at every zoom, by deck.gl's
    CollisionFilterExtension (Streamlit's deck.gl registers it): the higher priority is kept, so the places
    nearest the query keep their names where districts crowd (부산's 구, 창원's 구 in 큰 글씨). The overview's 17 시도
    names all fit, and all are shown (`declutter=False`): a hidden 인천 or 세종 reads as missing there.

    pydeck sends every plain string argument as a JavaScript expression ('auto' would become a function, which
    is what broke this layer: 'function is not iterable'), so literal strings go as `pdk.types.String`. The
    character set is built from the names themselves ('auto'): deck.gl's default atlas holds ASCII only."""
    return pdk.Layer("TextLayer", labels, id="labels", get_position="[lon, lat]", get_text="name",
                     get_size=22 if large else 14, get_color=[0, 0, 0, 255] if large else [55, 60, 70, 255],
                     character_set=pdk.types.String("auto"), font_family=pdk.types.String(LABEL_FONTS),
                     font_weight=700 if large else 600, outline_width=4, outline_color=[255, 255, 255, 255],
                     font_settings={"sdf": True}, pickable=False,
                     extensions=[{"@@type": "CollisionFilterExtension"}], collision_enabled=declutter,
                     get_collision_priority="priority", collision_test_props={"sizeScale": 2, "background": True})


def render_map(engine: Engine, result: RecommendResult, query, frame: pd.DataFrame, selected: str | None,
               key: str) -> str | None:
    rows = []
    for _, r in frame.iterrows():
        item = engine.corpus.get(r["id"])
        rows.append({"id": r["id"], "rank": int(r["순위"]), "lat": item.place.lat, "lon": item.place.lon,
                     "title": str(r.get("제목") or r.get("희망직종")), "company": str(r.get("회사") or ""),
                     "distance": r.get("거리") or ""})
    pts = mapdata.points(rows, selected)
    origin = (query.place.lat, query.place.lon) if query.place.lat is not None else None
    radius_km = mapdata.shown_radius(result.report)  # distance filter off: no circle, the view fits the results
    view = mapdata.view(origin, radius_km, pts)
    large = a11y_on()
    base = mapdata.base_layers_data(view)
    layers = [pdk.Layer("GeoJsonLayer", base["polygons"], id="regions", stroked=True, filled=True,
                        get_fill_color=base["fill"], get_line_color=[255, 255, 255, 255],
                        line_width_min_pixels=2 if base["level"] == "sido" else 1.5, pickable=False)]
    if origin and radius_km:
        layers.append(pdk.Layer("ScatterplotLayer", [{"lat": origin[0], "lon": origin[1]}], id="radius",
                                get_position="[lon, lat]", get_radius=radius_km * 1000,
                                stroked=True, filled=True, get_fill_color=[*mapdata.LEGEND_RADIUS, 25],
                                get_line_color=[*mapdata.LEGEND_RADIUS, 200], line_width_min_pixels=2, pickable=False))
    layers.append(label_layer(base["labels"], large))
    if origin:
        layers.append(pdk.Layer("ScatterplotLayer", [{"lat": origin[0], "lon": origin[1], "tooltip": "기준 위치"}],
                                id="origin", get_position="[lon, lat]", get_radius=300, radius_min_pixels=7,
                                radius_max_pixels=11, get_fill_color=[*mapdata.LEGEND_ORIGIN, 255], pickable=True))
    layers.append(pdk.Layer("ScatterplotLayer", pts, id="items", get_position="[lon, lat]", get_radius="radius",
                            radius_min_pixels=6 if large else 5, radius_max_pixels=14, get_fill_color="color",
                            stroked=True, get_line_color=[255, 255, 255, 255], line_width_min_pixels=1,
                            pickable=True, auto_highlight=True))
    basemap = st.session_state.get("basemap", False)
    # no provider = no basemap request at all (map_style=None alone makes Streamlit fetch carto's style: an
    # offline 'Failed to fetch' in the console); the tile basemap is the user's explicit choice
    deck = pdk.Deck(layers=layers, initial_view_state=pdk.ViewState(**view), tooltip={"text": "{tooltip}"},
                    **({"map_style": "light"} if basemap else {"map_provider": None}))
    event = st.pydeck_chart(deck, on_select="rerun", selection_mode="single-object", key=f"{key}_map",
                            height=mapdata.MAP_HEIGHT_PX)
    legend_row(mapdata.legend([p["rank"] for p in pts], radius_km), large)
    st.toggle("배경 지도 타일 (인터넷 필요)", key="basemap", help="끄면 내장 행정구역 지도만 씁니다 (오프라인)")
    try:
        objects = event.selection.get("objects", {}) if event else {}
        chosen = objects.get("items") or []
        return chosen[0]["id"] if chosen else None
    except (AttributeError, KeyError, IndexError, TypeError):
        return None
