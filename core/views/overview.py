"""현황 한눈에: the whole picture for a stakeholder meeting, as plain frames (the page draws them, CSV and PNG
export the same frames, tests read them).

    supply_demand(corpus)                 # 시군구 → postings, seekers, postings per seeker
    coverage_by_sido(corpus, filters)     # 시도 → share of seekers with ≥ 5 postings of their own 직종 inside their filters
    suitable_share(store, corpus)         # share of postings with at least one suitable disability type
    model_agreement(engine, models)       # overlap@10 between every pair of models, on a fixed seeker sample
"""
from __future__ import annotations

import random
from itertools import combinations

import numpy as np
import pandas as pd

from ..filters import FilterSettings
from ..geo import mapdata

MIN_RECOMMENDATIONS = 5


def region_of_points(lats: np.ndarray, lons: np.ndarray) -> list[int | None]:
    """Index of the 시군구 feature holding each point (by polygon, not by name: names differ between sources)."""
    import shapely
    from shapely.geometry import shape

    features = mapdata.boundaries("sigungu")["features"]
    polygons = [shape(f["geometry"]) for f in features]
    tree = shapely.STRtree(polygons)
    ok = ~(np.isnan(lats) | np.isnan(lons))
    points = shapely.points(np.where(ok, lons, 0.0), np.where(ok, lats, 0.0))
    hits = tree.query(points, predicate="within")  # (point index, polygon index) pairs
    out: list[int | None] = [None] * len(lats)
    for p, g in zip(*hits):
        if ok[p] and out[p] is None:
            out[p] = int(g)
    return out


def supply_demand(corpus) -> pd.DataFrame:
    """One row per 시군구: 공고 (open postings), 구직자, 공고/구직자 (supply per unit of demand; NaN without seekers).
    Records placed only at 시도 level have no point inside a 시군구 and are counted in `unplaced`."""
    features = mapdata.boundaries("sigungu")["features"]
    counts = np.zeros((len(features), 2), dtype=int)
    unplaced = 0
    for column, kind in enumerate(("posting", "seeker")):
        table = corpus.tables[kind]
        regions = region_of_points(np.asarray(table.lat, float), np.asarray(table.lon, float))
        for i, region in enumerate(regions):
            if kind == "posting" and not table.open[i]:
                continue
            if region is None:
                unplaced += 1
            else:
                counts[region, column] += 1
    frame = pd.DataFrame({"시도": [f["properties"]["sido"] for f in features],
                          "시군구": [f["properties"]["name"] for f in features],
                          "코드": [f["properties"]["code"] for f in features],
                          "공고": counts[:, 0], "구직자": counts[:, 1]})
    frame["공고/구직자"] = (frame["공고"] / frame["구직자"].where(frame["구직자"] > 0)).round(2)
    frame.attrs["unplaced"] = unplaced
    return frame


NO_VALUE = [226, 229, 233]  # a 시군구 with no figure: the grey of the other maps


def shade_color(shade: float) -> list[int]:
    """The choropleth's colour for value / max in 0–1: pale to deep blue."""
    return [round(240 - 210 * shade), round(245 - 150 * shade), round(255 - 60 * shade)]


def choropleth_legend(top: float) -> list[tuple[str, list[int]]]:
    """(label, RGB) swatches under the overview map: what the palest, middle and deepest blue mean, and the grey."""
    def fmt(v: float) -> str:
        return f"{v:,.0f}" if top >= 10 else f"{v:,.2f}".rstrip("0").rstrip(".")
    return [(fmt(0), shade_color(0.0)), (fmt(top / 2), shade_color(0.5)), (fmt(top), shade_color(1.0)),
            ("자료 없음", NO_VALUE)]


def choropleth(frame: pd.DataFrame, measure: str) -> tuple[dict, float]:
    """시군구 polygons with each one's figure, tooltip and fill colour (pale → deep blue by value / max), and the
    max. Colours are computed here, not in a deck.gl expression: pydeck's JSON converter allows no function
    calls such as Math.min."""
    values = dict(zip(frame["코드"], frame[measure].astype(float)))
    top = max((v for v in values.values() if v == v), default=1.0) or 1.0
    features = []
    for f in mapdata.boundaries("sigungu")["features"]:
        props = f["properties"]
        value = values.get(props["code"])
        known = value is not None and value == value
        shade = min(value / top, 1.0) if known else 0.0
        fill = shade_color(shade) if known else NO_VALUE
        features.append({**f, "properties": {**props, "value": value if known else None, "fill": fill,
                                             "tooltip": f"{props['sido']} {props['name']}\n{measure}: "
                                                        f"{'-' if not known else f'{value:,.2f}'.rstrip('0').rstrip('.')}"}})
    return {"type": "FeatureCollection", "features": features}, top


def coverage_by_sido(corpus, filters: FilterSettings | None = None, sample: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Per 시도: the share of seekers with at least 5 open postings of their own middle 직종 category passing all
    their filters (radius included), i.e. who can be shown 5 relevant postings, not just any 5. Seekers whose
    desired 직종 has no code cannot be judged and are left out (counted in `attrs['no_occupation']`). Up to
    `sample` seekers (fixed sample), so the page stays quick."""
    filters = filters or FilterSettings()
    seekers = sorted(corpus.seekers.values(), key=lambda s: s.id)
    if len(seekers) > sample:
        seekers = random.Random(seed).sample(seekers, sample)
    middles, _ = corpus.occupation_codes("posting")
    rows: dict[str, list[int]] = {}
    unknown = 0
    for seeker in seekers:
        if not seeker.middle_code:
            unknown += 1
            continue
        mask, _ = corpus.candidates(seeker, "posting", filters)
        counts = rows.setdefault(seeker.place.sido or "미상", [0, 0])
        counts[0] += 1
        counts[1] += int((mask & (middles == seeker.middle_code)).sum() >= MIN_RECOMMENDATIONS)
    frame = pd.DataFrame([(sido, n, full) for sido, (n, full) in rows.items()],
                         columns=["시도", "구직자", "같은 직종 5건 이상"])
    frame["비율"] = (frame["같은 직종 5건 이상"] / frame["구직자"]).round(3)
    frame = frame.sort_values("비율").reset_index(drop=True)
    frame.attrs["no_occupation"] = unknown
    return frame


def suitable_share(store, corpus) -> dict[str, float | int]:
    """How many open postings have at least one disability type settled as suitable: a settled extraction or a
    counselor said so and nothing excluded it (an answer held as a conflict, or an unknown verdict, never counts)."""
    from ..llm.suitability import suitable_map

    suitable = suitable_map(store)
    open_ids = [pid for pid, is_open in zip(corpus.tables["posting"].ids, corpus.tables["posting"].open) if is_open]
    with_type = sum(pid in suitable for pid in open_ids)
    return {"postings": len(open_ids), "with_suitable_type": with_type,
            "share": round(with_type / len(open_ids), 3) if open_ids else 0.0}


def model_agreement(engine, models: list[str], n_queries: int = 60, k: int = 10,
                    filters: FilterSettings | None = None, seed: int = 0) -> pd.DataFrame:
    """Mean overlap@k (shared items / k) of seeker→posting lists between every pair of models, on a fixed seeker
    sample; 1.0 on the diagonal. Range 0–1: how much switching models changes what a counselor sees."""
    from ..evaluation.comparison import overlap_at_k
    from ..models.batch import batch_recommend

    filters = filters or FilterSettings()
    seekers = sorted(engine.corpus.seekers.values(), key=lambda s: s.id)
    sample = random.Random(seed).sample(seekers, min(n_queries, len(seekers)))
    lists = {name: batch_recommend(engine.model(name), sample, "posting", k=k, filters=filters).rows for name in models}
    matrix = pd.DataFrame(1.0, index=models, columns=models)
    for a, b in combinations(models, 2):
        overlaps = [overlap_at_k(lists[a][s.id].tolist(), lists[b][s.id].tolist(), k) for s in sample]
        matrix.loc[a, b] = matrix.loc[b, a] = round(float(np.mean(overlaps)), 3) if overlaps else 0.0
    return matrix
