"""The grid behind the distance filter returns exactly what a full pass over the table returns: at the radius
(19.99 km in, 20.01 km out, in every direction), on the borders between grid cells, and after rows move or
arrive. The reference is a brute-force haversine over every row, with the same tie-break for the lists."""
import math

import numpy as np
import pytest

from core.filters import CAREER_CODES, FilterSettings, ItemTable, Origin, filter_mask
from core.geo.grid import GridIndex
from core.geo.places import EARTH_KM, haversine_km
from core.models.base import Recommender, top_k

CELL = GridIndex().cell_deg


def destination(lat: float, lon: float, km: float, bearing_deg: float) -> tuple[float, float]:
    """The point `km` from (lat, lon) along a bearing, on the sphere haversine_km measures on."""
    p1, l1, d, t = math.radians(lat), math.radians(lon), km / EARTH_KM, math.radians(bearing_deg)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(t))
    l2 = l1 + math.atan2(math.sin(t) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), math.degrees(l2)


def brute(origin: Origin, table: ItemTable, f: FilterSettings) -> np.ndarray:
    """Every filter as a full pass over every row (no grid)."""
    keep = table.open.copy()
    if origin.id in table.row_of:
        keep[table.row_of[origin.id]] = False
    if f.distance:
        keep &= np.nan_to_num(haversine_km(origin.lat, origin.lon, table.lat, table.lon), nan=np.inf) <= f.radius(origin.sido)
    if f.education:
        keep &= table.education <= origin.education
    if f.career and origin.career == "new":
        keep &= table.career != CAREER_CODES["experienced"]
    return keep


def box_half_widths(lat: float, km: float = 20.0) -> tuple[float, float]:
    d = km / EARTH_KM
    return math.degrees(d), math.degrees(math.asin(math.sin(d) / math.cos(math.radians(lat))))


def centers() -> list[tuple[float, float]]:
    """Three 서울 origins: on a cell corner; with the 20 km circle crossing a cell border by 1 m to the north and
    east; and likewise to the south and west (a box a hair too small would miss the points just inside)."""
    out = [(37.55, 127.0)]
    dlat, _ = box_half_widths(37.57)
    lat = 37.75 - dlat + 1e-5
    out.append((lat, 127.05 - box_half_widths(lat)[1] + 1e-5))
    lat = 37.40 + dlat - 1e-5
    out.append((lat, 126.90 + box_half_widths(lat)[1] - 1e-5))
    return out


@pytest.fixture(scope="module")
def ring():
    """Around each center: points at 19.99, 20.0 and 20.01 km every 5°, at 19.9999 / 20.0001 km due N/S/E/W (on the
    far side of a cell border for the aligned centers), points on cell borders (lat or lon an exact multiple
    of the cell size) across the circle; then a random crowd with a few unplaced rows."""
    rng = np.random.default_rng(27)
    pts = []
    for lat0, lon0 in centers():
        for bearing in range(0, 360, 5):
            pts += [destination(lat0, lon0, 19.99, bearing), destination(lat0, lon0, 20.01, bearing),
                    destination(lat0, lon0, 20.0, bearing)]  # on the circle: whatever the full pass decides
        for bearing in (0, 90, 180, 270):
            pts += [destination(lat0, lon0, 19.9999, bearing), destination(lat0, lon0, 20.0001, bearing)]
        for i in range(-8, 9):  # grid lines through and around the circle
            for j in range(-8, 9):
                pts.append((round(lat0 / CELL + i / 2) * CELL, round(lon0 / CELL + j / 2) * CELL))
    lat0, lon0 = centers()[0]
    crowd = np.column_stack([lat0 + rng.normal(0, 0.3, 3000), lon0 + rng.normal(0, 0.4, 3000)])
    lat = np.concatenate([[p[0] for p in pts], crowd[:, 0], [np.nan] * 5])
    lon = np.concatenate([[p[1] for p in pts], crowd[:, 1], [np.nan] * 5])
    n = len(lat)
    table = ItemTable("posting", [f"p{i}" for i in range(n)], lat, lon, rng.integers(0, 6, n).astype(np.int8),
                      rng.integers(0, 3, n).astype(np.int8), [""] * n, [frozenset()] * n,
                      open=rng.random(n) > 0.05)
    return table, centers()[0]


def origins(center, rng, count):
    lat0, lon0 = center
    out = [Origin("q0", "seeker", lat0, lon0, "서울특별시", 5, "experienced"),
           Origin("q1", "seeker", lat0 + CELL, lon0 - 2 * CELL, "서울특별시", 3, "new")]  # on cell borders too
    for i in range(count):
        out.append(Origin(f"q{i + 2}", "seeker", lat0 + rng.normal(0, 0.3), lon0 + rng.normal(0, 0.4),
                          str(rng.choice(["서울특별시", "강원특별자치도"])), int(rng.integers(0, 6)),
                          str(rng.choice(["new", "experienced"]))))
    return out


def test_radius_boundary_and_cell_borders_match_brute_force(ring):
    table, center = ring
    f = FilterSettings()
    plain = FilterSettings(education=False, career=False)
    for at in centers():
        o = Origin("q", "seeker", *at, "서울특별시", 5, "experienced")
        mask, report = filter_mask(o, table, plain)
        d = haversine_km(o.lat, o.lon, table.lat, table.lon)
        inside = (np.isclose(d, 19.99, atol=1e-6, rtol=0) | np.isclose(d, 19.9999, atol=1e-7, rtol=0)) & table.open
        outside = np.isclose(d, 20.01, atol=1e-6, rtol=0) | np.isclose(d, 20.0001, atol=1e-7, rtol=0)
        assert inside.sum() >= 60 and outside.sum() >= 76  # the ring is really there, not filtered away by accident
        assert mask[inside].all() and not mask[outside].any()
        assert np.array_equal(mask, brute(o, table, plain)) and report.kept == mask.sum()
    on_border = (np.isclose(table.lat / CELL, np.round(table.lat / CELL)) | np.isclose(table.lon / CELL, np.round(table.lon / CELL)))
    assert (mask & on_border).sum() > 50  # points on cell borders are among those let through
    for origin in origins(center, np.random.default_rng(1), 60):
        for settings in (f, FilterSettings(capital_km=5, other_km=80), FilterSettings(education=False, career=False)):
            mask, report = filter_mask(origin, table, settings)
            expected = brute(origin, table, settings)
            assert np.array_equal(mask, expected), origin
            assert report.kept == expected.sum()
            alive = brute(origin, table, FilterSettings(distance=False, education=False, career=False))
            within = brute(origin, table, FilterSettings(education=False, career=False, capital_km=settings.capital_km,
                                                         other_km=settings.other_km))
            assert report.removed["distance"] == alive.sum() - within.sum()


def test_lists_through_the_grid_equal_brute_force_lists(ring):
    table, center = ring
    rng = np.random.default_rng(5)
    vectors = rng.standard_normal((len(table), 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors[7] = vectors[8]  # an exact tie: the row tie-break must decide it the same way
    model = Recommender()
    model.matrices = {"posting": vectors}
    for origin in origins(center, rng, 40):
        q = rng.standard_normal((1, 16)).astype(np.float32)
        mask, _ = filter_mask(origin, table, FilterSettings())
        rows, scores = model.search("", "posting", mask, 10, prepared=q)
        cand = np.flatnonzero(brute(origin, table, FilterSettings()))
        exact = (vectors[cand].astype(np.float64) @ q[0].astype(np.float64)).astype(np.float32)
        want_rows, _ = top_k(exact.astype(np.float64), cand, 10)
        assert list(rows) == list(want_rows)


def test_moved_and_appended_rows_are_found_at_once(ring):
    table, center = ring
    table = ItemTable("posting", list(table.ids), table.lat.copy(), table.lon.copy(), table.education.copy(),
                      table.career.copy(), list(table.disability), list(table.unsuitable), table.open.copy())
    o = Origin("q", "seeker", *center, "서울특별시", 5, "experienced")
    f = FilterSettings(education=False, career=False)
    filter_mask(o, table, f)  # fits the grid
    far = int(np.flatnonzero(~filter_mask(o, table, f)[0] & table.open & ~np.isnan(table.lat))[0])
    near = int(np.flatnonzero(filter_mask(o, table, f)[0])[0])
    table.lat[far], table.lon[far] = destination(*center, 3.0, 45)  # moves into the circle
    table.place_changed(far)
    table.lat[near], table.lon[near] = destination(*center, 60.0, 45)  # moves out of it
    table.place_changed(near)
    lat, lon = destination(*center, 19.99, 200)
    table.ids.append("new")
    table.row_of["new"] = len(table.ids) - 1
    for name, value in (("lat", lat), ("lon", lon), ("education", 0), ("career", 0), ("open", True)):
        setattr(table, name, np.append(getattr(table, name), np.array(value).astype(getattr(table, name).dtype)))
    table.disability.append("")
    table.unsuitable.append(frozenset())
    mask, report = filter_mask(o, table, f)
    assert mask[far] and not mask[near] and mask[-1]
    assert np.array_equal(mask, brute(o, table, f)) and report.kept == mask.sum()
    table.grid = None  # a fresh grid over the changed table gives the same answer
    assert np.array_equal(filter_mask(o, table, f)[0], brute(o, table, f)) and table.grid.n_fit == len(table)


def test_each_band_reaches_as_far_east_and_west_as_the_circle_does():
    """The grid reads, per latitude band, only the cells from the circle's westmost to its eastmost point in that
    band. Points 1 m inside the circle every 2° of bearing, around origins at random places within a cell and
    at high latitude (where the widest point lies well north of the center), must all be found; 1 m outside,
    none."""
    rng = np.random.default_rng(11)
    centers_ = [(33 + rng.random() * 5, 126 + rng.random() * 3) for _ in range(12)]
    centers_ += [(round(37.5 / CELL) * CELL, 127.0), (round(35.1 / CELL) * CELL + 1e-9, 129.0)]  # on band edges
    far = [(60.01, 10.02), (-45.03, 170.0), (70.0, 20.0)]  # the widest point lies km north (south) of the center
    for lat0, lon0 in centers_ + far:
        for km in (20.0, 40.0) + ((300.0, 800.0) if (lat0, lon0) in far else ()):
            inside = [destination(lat0, lon0, km - 0.001, b) for b in range(0, 360, 2)]
            outside = [destination(lat0, lon0, km + 0.001, b) for b in range(0, 360, 2)]
            pts = np.array(inside + outside)
            n = len(pts)
            table = ItemTable("posting", [f"p{i}" for i in range(n)], pts[:, 0], pts[:, 1], np.zeros(n, np.int8),
                              np.zeros(n, np.int8), [""] * n, [frozenset()] * n)
            settings = FilterSettings(capital_km=km, other_km=km, education=False, career=False)
            mask, _ = filter_mask(Origin("q", "seeker", lat0, lon0, "서울특별시", 5, "experienced"), table, settings)
            assert mask[:len(inside)].all() and not mask[len(inside):].any(), (lat0, lon0, km)
            grid = table.spatial()  # the runs themselves hold every point inside (the exact check only removes)
            read = np.concatenate([grid.rows[a:b] for a, b in grid._runs(lat0, lon0, km)])
            assert set(range(len(inside))) <= set(read.tolist()), (lat0, lon0, km)


def test_wide_lists_scored_in_place_equal_brute_force_lists():
    """Many candidates are scored in place (`dense_scores`): as slices when the rows lie in runs (a table in
    grid-cell order, as the Corpus keeps it), through a gather when they are scattered. Both give the float32
    products of a gather, and the lists equal brute force."""
    from core.geo.grid import cell_order
    from core.models.base import EXACT_SEARCH_MAX, dense_scores

    rng = np.random.default_rng(3)
    n = 30_000
    lat, lon = 37.5 + rng.normal(0, 0.12, n), 127.0 + rng.normal(0, 0.15, n)
    order = cell_order(lat, lon)
    lat, lon = lat[order], lon[order]
    table = ItemTable("posting", [f"p{i}" for i in range(n)], lat, lon, rng.integers(0, 6, n).astype(np.int8),
                      rng.integers(0, 3, n).astype(np.int8), [""] * n, [frozenset()] * n)
    vectors = rng.standard_normal((n, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors[101] = vectors[100]  # an exact tie inside one run
    model = Recommender()
    model.matrices = {"posting": vectors}
    q = rng.standard_normal(32).astype(np.float32)
    runs, scattered = np.arange(5_000, 9_000), np.sort(rng.choice(n, 4_000, replace=False))
    for rows in (runs[rng.random(len(runs)) > 0.3], scattered, scattered[::-1], runs[:1], runs[:0]):
        assert np.allclose(dense_scores(vectors, q, rows), vectors[rows] @ q, atol=1e-6)
        assert np.allclose(dense_scores(vectors.astype(np.float64), q.astype(np.float64), rows), vectors[rows] @ q, atol=1e-6)
    wide = 0
    for i in range(25):
        origin = Origin(f"q{i}", "seeker", 37.5 + rng.normal(0, 0.05), 127.0 + rng.normal(0, 0.05), "서울특별시",
                        int(rng.integers(2, 6)), str(rng.choice(["new", "experienced"])))
        mask, _ = filter_mask(origin, table, FilterSettings())
        wide += mask.sum() > EXACT_SEARCH_MAX
        rows, _ = model.search("", "posting", mask, 10, prepared=q[None, :])
        cand = np.flatnonzero(brute(origin, table, FilterSettings()))
        exact = (vectors[cand].astype(np.float64) @ q.astype(np.float64)).astype(np.float32)
        assert list(rows) == list(top_k(exact.astype(np.float64), cand, 10)[0])
    assert wide >= 20  # the in-place path really ran


def test_the_corpus_keeps_its_rows_in_grid_cell_order(engine):
    """Rows in cell order are what lets a radius query read slices of the vector matrix; a corpus built in
    store order would give the same lists, only slower, so this is checked directly. People browse records in
    the order they arrived, not by cell."""
    from core.geo.grid import cell_order

    stored = {"posting": [p.id for p in engine.store.postings()], "seeker": [s.id for s in engine.store.seekers()]}
    for side in ("posting", "seeker"):
        table = engine.corpus.tables[side]
        assert np.array_equal(cell_order(table.lat, table.lon), np.arange(len(table)))
        assert table.ids != stored[side]  # really reordered
        assert engine.corpus.arrival[side] == stored[side]  # what pickers list: the store's order, as before
