"""A lat/lon grid over one side's points, so a radius query touches only the rows near it.

Rows are sorted by cell (row-major: latitude band, then longitude) and found by binary search on the sorted
cell ids, so a query reads one contiguous run of rows per latitude band the spherical cap crosses: the cells
from the cap's westmost to its eastmost longitude within that band (`_runs`), padded by 1e-6° (~0.1 m)
against rounding, so the runs hold every point within the radius.

Inside the runs each point is tested by the dot product of unit 3-vectors (cos of the angle between them, three
products per row on contiguous arrays instead of haversine's trigonometry); only the rare points within 1e-11 of
the threshold (~2 cm at 20 km) are decided by `haversine_km` itself, so the answer is exactly the full pass's.

`cell_order` gives the same order for a table's rows themselves: a corpus stored in it keeps each run's rows
next to each other in memory too, so scoring a query's neighbourhood reads a few long slices of the vector
matrix instead of gathering rows from all over it (`core/models/base.py`, `dense_scores`).

Points that move or arrive after `fit` are not in the sorted runs: a moved row is marked stale there and, like
every appended row, returned on every query until the next refit (made lazily when they pile up).
"""
from __future__ import annotations

import math

import numpy as np

from .places import EARTH_KM, haversine_km

PAD_DEG = 1e-6
BAND = 1e-11  # |cos angle - cos radius| below this: decided by haversine_km, as the full pass decides


CELL_DEG = 0.025  # ~2.8 km of latitude: a 20 km circle crosses ~16 bands


def cell_order(lat, lon, cell_deg: float = CELL_DEG) -> np.ndarray:
    """The stable permutation that sorts points by grid cell (latitude band, then longitude), unplaced points
    last: the order `GridIndex` keeps its runs in, for a table to store its rows in."""
    lat, lon = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
    unplaced = np.isnan(lat) | np.isnan(lon)
    band = np.where(unplaced, 0, np.floor(np.nan_to_num(lat) / cell_deg)).astype(np.int64)
    col = np.where(unplaced, 0, np.floor(np.nan_to_num(lon) / cell_deg)).astype(np.int64)
    return np.lexsort((col, band, unplaced))


class GridIndex:
    """Rows sorted by (lat, lon) cell with binary-searchable cell ids; `near` → candidate rows for a radius."""

    def __init__(self, cell_deg: float = CELL_DEG, refit_share: float = 0.02):
        self.cell_deg = cell_deg
        self.refit_share = refit_share  # refit once moved + appended rows exceed this share of the fitted rows

    def fit(self, lat: np.ndarray, lon: np.ndarray) -> GridIndex:
        lat, lon = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
        placed = np.flatnonzero(~(np.isnan(lat) | np.isnan(lon)))
        self.n_fit = len(lat)
        self.lat0 = float(np.floor(lat[placed].min() / self.cell_deg)) * self.cell_deg if len(placed) else 0.0
        self.lon0 = float(np.floor(lon[placed].min() / self.cell_deg)) * self.cell_deg if len(placed) else 0.0
        ilon = self._ilon(lon[placed])
        self.ncols = int(ilon.max()) + 1 if len(placed) else 1
        cells = self._ilat(lat[placed]) * self.ncols + ilon
        order = np.argsort(cells, kind="stable")
        self.cells = cells[order]
        self.rows = placed[order].astype(np.int64)
        self.xyz = unit_vectors(lat[self.rows], lon[self.rows])  # (3, placed rows), contiguous per axis
        self.moved: set[int] = set()
        self.stale = np.zeros(self.n_fit, dtype=bool)
        return self

    def _ilat(self, lat) -> np.ndarray:
        return np.floor((np.asarray(lat) - self.lat0) / self.cell_deg).astype(np.int64)

    def _ilon(self, lon) -> np.ndarray:
        return np.floor((np.asarray(lon) - self.lon0) / self.cell_deg).astype(np.int64)

    def mark_moved(self, row: int) -> None:
        """A fitted row's point changed (or became unplaced): serve it from the always-scanned set."""
        if row < self.n_fit:
            self.moved.add(row)
            self.stale[row] = True

    def needs_refit(self, n_now: int) -> bool:
        return len(self.moved) + (n_now - self.n_fit) > max(1000, self.refit_share * self.n_fit)

    def within(self, lat: float, lon: float, radius_km: float, table_lat: np.ndarray, table_lon: np.ndarray) -> np.ndarray:
        """The rows within `radius_km` of (lat, lon) (haversine ≤ radius, as a full pass decides), in cell order.
        `table_lat`/`table_lon` are the table's current columns (for moved, appended and threshold rows)."""
        n_now = len(table_lat)
        cos_r = math.cos(radius_km / EARTH_KM)
        q = unit_vectors(np.array([lat]), np.array([lon]))[:, 0]
        parts = []
        for a, b in self._runs(lat, lon, radius_km):
            cos_d = self.xyz[0, a:b] * q[0]
            cos_d += self.xyz[1, a:b] * q[1]
            cos_d += self.xyz[2, a:b] * q[2]
            rows = self.rows[a:b]
            parts.append(rows[cos_d >= cos_r + BAND])
            close = np.abs(cos_d - cos_r) < BAND
            if close.any():
                parts.append(_haversine_within(lat, lon, radius_km, rows[close], table_lat, table_lon))
        found = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        if self.moved:
            found = found[~self.stale[found]]
            parts = [found, _haversine_within(lat, lon, radius_km, np.fromiter(self.moved, np.int64, len(self.moved)),
                                              table_lat, table_lon)]
            found = np.concatenate(parts)
        if n_now > self.n_fit:
            found = np.concatenate([found, _haversine_within(lat, lon, radius_km, np.arange(self.n_fit, n_now),
                                                             table_lat, table_lon)])
        return found

    def _runs(self, lat: float, lon: float, radius_km: float) -> list[tuple[int, int]]:
        """(start, end) in the sorted rows of each latitude band's cells that the cap can reach.

        Each band gets its own longitude range: the cap's half-width Δλ(φ) (cos Δλ = (cos δ − sin φ sin φ0) /
        (cos φ cos φ0)) peaks at φm = asin(sin φ0 / cos δ) and falls away on both sides, so within a band it is
        widest at φm clamped into the band. A band near the top or bottom of the circle reads a short run
        instead of the bounding box's full width. Longitudes are not wrapped at ±180° (a circle across the date
        line or a pole would miss points on the far side): Korea is nowhere near either."""
        delta = radius_km / EARTH_KM  # the cap's angular radius
        dlat = math.degrees(delta) + PAD_DEG
        lo_lat, hi_lat = self._ilat(lat - dlat), self._ilat(lat + dlat)
        bands = np.arange(max(0, int(lo_lat)), int(hi_lat) + 1)
        if math.radians(abs(lat)) + delta >= math.pi / 2 or delta >= math.pi / 2:  # a cap over a pole: every longitude
            half = np.full(len(bands), 180.0)
        else:
            phi0 = math.radians(lat)
            peak = math.degrees(math.asin(math.sin(phi0) / math.cos(delta)))
            south = self.lat0 + bands * self.cell_deg
            phi = np.radians(np.clip(peak, np.maximum(south, lat - dlat), np.minimum(south + self.cell_deg, lat + dlat)))
            cos_dlon = (math.cos(delta) - np.sin(phi) * math.sin(phi0)) / (np.cos(phi) * math.cos(phi0))
            half = np.degrees(np.arccos(np.clip(cos_dlon, -1.0, 1.0))) + PAD_DEG
        lo_lon = np.maximum(0, self._ilon(lon - half))
        hi_lon = np.minimum(self.ncols - 1, self._ilon(lon + half))
        starts = np.searchsorted(self.cells, bands * self.ncols + lo_lon, side="left")
        ends = np.searchsorted(self.cells, bands * self.ncols + hi_lon, side="right")
        return [(int(a), int(b)) for a, b, lo, hi in zip(starts, ends, lo_lon, hi_lon) if b > a and lo <= hi]


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    p, la = np.radians(lat), np.radians(lon)
    return np.ascontiguousarray(np.stack([np.cos(p) * np.cos(la), np.cos(p) * np.sin(la), np.sin(p)]))


def _haversine_within(lat: float, lon: float, radius_km: float, rows: np.ndarray, table_lat, table_lon) -> np.ndarray:
    d = haversine_km(lat, lon, table_lat[rows], table_lon[rows])
    return rows[np.nan_to_num(d, nan=np.inf) <= radius_km]
