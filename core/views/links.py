"""Every view is a URL: the view state ↔ `st.query_params` (plain dict of strings), no Streamlit here."""
from __future__ import annotations

import math
from dataclasses import dataclass, fields

from ..filters import FilterSettings
from ..models.registry import APP_MODELS


@dataclass
class ViewState:
    posting: str = ""
    seeker: str = ""
    model: str = "sbert"
    analyser: str = "mecab"
    k: int = 10
    # filter defaults come from FilterSettings, the one place they are defined
    distance: bool = FilterSettings.distance
    capital_km: float = FilterSettings.capital_km
    other_km: float = FilterSettings.other_km
    education: bool = FilterSettings.education
    career: bool = FilterSettings.career
    disability: bool = FilterSettings.disability
    unknown_verdict: bool = FilterSettings.unknown_verdict  # '판정 없음 제외'
    prefer: bool = False  # '희망 직종 우선': same middle, then major category first (off by default)
    today: bool = False  # '오늘 등록 먼저': postings registered today first (off by default)
    item: str = ""  # the result row opened in the detail panel (a link opens the same one)

    @property
    def filters(self) -> FilterSettings:
        return FilterSettings(self.distance, self.capital_km, self.other_km, self.education, self.career, self.disability,
                              self.unknown_verdict)


# the one table of bounds: the page's widgets use it, and a link's values are clamped to it (a link with
# ckm=300 used to pass the URL clamp and then crash the 200-km widget)
BOUNDS: dict[str, tuple] = {"k": (1, 50), "capital_km": (1.0, 200.0), "other_km": (1.0, 300.0)}

_SHORT = {"posting": "posting", "seeker": "seeker", "model": "model", "analyser": "an", "k": "k", "distance": "dist",
          "capital_km": "ckm", "other_km": "okm", "education": "edu", "career": "career", "disability": "dis",
          "unknown_verdict": "unk", "prefer": "prefer", "today": "today", "item": "item"}


def to_params(state: ViewState) -> dict[str, str]:
    default = ViewState()
    out = {}
    for f in fields(ViewState):
        value = getattr(state, f.name)
        if value == getattr(default, f.name) and f.name not in {"posting", "seeker", "model"}:
            continue
        if value in ("", None):
            continue
        out[_SHORT[f.name]] = ("1" if value else "0") if isinstance(value, bool) else (
            f"{value:g}" if isinstance(value, float) else str(value))
    return out


def from_params(params: dict) -> ViewState:
    """Unknown or malformed values fall back to defaults: a shared link never crashes a page."""
    state = ViewState()
    for f in fields(ViewState):
        raw = params.get(_SHORT[f.name])
        if raw is None:
            continue
        raw = raw[0] if isinstance(raw, list) else str(raw)
        try:
            if f.type in ("bool", bool):
                value = raw not in {"0", "false", "False", ""}
            elif f.name in BOUNDS:
                number = float(raw)
                if not math.isfinite(number):  # nan, inf: not a place on the widget
                    continue
                low, high = BOUNDS[f.name]
                value = type(low)(max(low, min(high, number)))
            else:
                value = raw
        except ValueError:
            continue
        if f.name == "model" and value not in APP_MODELS:
            continue
        setattr(state, f.name, value)
    return state
