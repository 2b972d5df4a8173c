"""The pydeck map of a ranked list: offline 시도 outlines, the origin, the radius circle, rank-coloured points."""
from __future__ import annotations

import pandas as pd
import pydeck as pdk
import streamlit as st

from core.geo import mapdata
from core.models.base import RecommendResult
from core.models.engine import Engine


def render_map(engine: Engine, result: RecommendResult, query, frame: pd.DataFrame, selected: str | None,
               key: str) -> str | None:
    rows = []
    for _, r in frame.iterrows():
        item = engine.corpus.get(r["id"])
        rows.append({"id": r["id"], "rank": int(r["순위"]), "lat": item.place.lat, "lon": item.place.lon,
                     "title": str(r.get("제목") or r.get("희망직종")), "company": str(r.get("회사") or ""),
                     "distance_km": r["거리(km)"] if pd.notna(r["거리(km)"]) else None})
    pts = mapdata.points(rows, selected)
    origin = (query.place.lat, query.place.lon) if query.place.lat is not None else None
    layers = [pdk.Layer("GeoJsonLayer", mapdata.sido_boundaries(), id="boundaries", stroked=True, filled=False,
                        get_line_color=[140, 140, 150, 255],
                        line_width_min_pixels=1, pickable=False)]
    if origin and result.report.radius_km:
        layers.append(pdk.Layer("ScatterplotLayer", [{"lat": origin[0], "lon": origin[1]}], id="radius",
                                get_position="[lon, lat]", get_radius=result.report.radius_km * 1000,
                                stroked=True, filled=True, get_fill_color=[31, 95, 191, 25],
                                get_line_color=[31, 95, 191, 200], line_width_min_pixels=2, pickable=False))
    if origin:
        layers.append(pdk.Layer("ScatterplotLayer", [{"lat": origin[0], "lon": origin[1], "tooltip": "기준 위치"}],
                                id="origin", get_position="[lon, lat]", get_radius=300, radius_min_pixels=7,
                                radius_max_pixels=11, get_fill_color=[200, 30, 30, 255], pickable=True))
    layers.append(pdk.Layer("ScatterplotLayer", pts, id="items", get_position="[lon, lat]", get_radius="radius",
                            radius_min_pixels=5, radius_max_pixels=14, get_fill_color="color", pickable=True,
                            auto_highlight=True))
    basemap = st.session_state.get("basemap", False)
    deck = pdk.Deck(layers=layers, initial_view_state=pdk.ViewState(**mapdata.view(origin, result.report.radius_km, pts)),
                    map_style="light" if basemap else None, tooltip={"text": "{tooltip}"})
    event = st.pydeck_chart(deck, on_select="rerun", selection_mode="single-object", key=f"{key}_map", height=430)
    st.toggle("배경 지도 타일 (인터넷 필요)", key="basemap")
    try:
        objects = event.selection.get("objects", {}) if event else {}
        chosen = objects.get("items") or []
        return chosen[0]["id"] if chosen else None
    except (AttributeError, KeyError, IndexError, TypeError):
        return None
