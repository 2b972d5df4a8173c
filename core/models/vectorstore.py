"""Where a model's item vectors live for a filtered top-k: in this process (the default) or in Milvus.

    store = open_vector_store("milvus:data/vectors.db")      # Milvus Lite: one local file, no server
    store = open_vector_store("milvus:http://milvus:19530")  # a Milvus cluster, the same code
    engine = Engine.from_store(Store(), vector_store=store)   # settings: JOBLENS_VECTOR_STORE

The default (`memory`, no store) keeps every vector in the model's own matrices and ranks with NumPy/FAISS
(core.models.base). A `VectorStore` holds each dense model's vectors with the filter fields (place, education,
career, open/closed, disability) so many processes can share one index and the filters run inside it.

A list from Milvus is the in-process list: same items, same order, same tie-break. Milvus answers the filters
it can express exactly (education, career, open, disability, the record itself) and a superset of the distance
circle and of the seekers with a 부장애 (their cell holds two labels, which `disability not in [...]` cannot split);
this process's `filter_mask` and the exact haversine check run here on what it returns, and the rows near the k-th are re-scored
exactly (float64, as `Recommender.score(exact=True)`), ties by row. When the check removes so many that the k-th
is not settled, the search goes deeper until k survive or the candidates run out.

The distance superset is either the cap's exact bounding box on the scalar lat/lon fields (`prefilter="box"`,
the default) or the GEOMETRY point with ST_DWITHIN (`prefilter="st_dwithin"`; planar degrees in Milvus Lite
3.2.2, so the radius is sized to contain the true circle). Measured on Milvus Lite 3.2.2: ST_DWITHIN is evaluated
on every row (Lite has no RTREE index: 'supported scalar index_type: INVERTED'), ~3 s per query at 5,000 rows on
2 busy cores, against ~0.2 s for the box, so the box is the default; on a Milvus server with an RTREE index
on `geo`, ST_DWITHIN is the one to try. Both give the same lists.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np

from ..data.normalize import VERDICT_UNKNOWN
from ..data.records import disabilities
from ..filters import CAREER_CODES, FilterSettings, ItemTable, Origin, filter_mask
from ..geo.grid import PAD_DEG
from ..geo.places import EARTH_KM, haversine_km

SETTING = "JOBLENS_VECTOR_STORE"
MAX_LIMIT = 16_384  # Milvus's largest top-k per search
EXACT_MARGIN = 1e-4  # as Recommender.EXACT_MARGIN: far above float32 rounding of a dot product of unit vectors


class VectorStoreError(RuntimeError):
    """The configured store cannot be used; the message names the setting and what to do."""


def exact_scores(vectors: np.ndarray, prepared: np.ndarray) -> np.ndarray:
    """Scores summed in float64 and rounded to float32, as `Recommender.score(exact=True)`: kernel-independent."""
    s = np.asarray(vectors, dtype=np.float32).astype(np.float64) @ np.asarray(prepared, dtype=np.float32).T.astype(np.float64)
    return s[:, 0].astype(np.float32).astype(np.float64)


class VectorStore:
    """The interface: `write` a model's vectors for some rows of one side, `search` the filtered top k."""

    def write(self, model: str, table: ItemTable, rows: np.ndarray, vectors: np.ndarray) -> None:
        raise NotImplementedError

    def search(self, model: str, table: ItemTable, origin: Origin, filters: FilterSettings, prepared: np.ndarray,
               k: int) -> tuple[np.ndarray, np.ndarray]:
        """(rows, exact scores), best first: the rows the filters let through, as `filter_mask` decides."""
        raise NotImplementedError


def open_vector_store(spec: str | None) -> VectorStore | None:
    """'memory' (or empty): None, the in-process default. 'milvus:PATH_OR_URI': a MilvusStore."""
    if not spec or spec == "memory":
        return None
    kind, _, where = spec.partition(":")
    if kind != "milvus" or not where:
        raise VectorStoreError(f"{SETTING}={spec!r}: 'memory' 또는 'milvus:경로_또는_URI' 형식이어야 합니다.")
    return MilvusStore(where)


@dataclass
class _Hits:
    rows: np.ndarray
    fast: np.ndarray
    vectors: np.ndarray
    lat: np.ndarray
    lon: np.ndarray


class MilvusStore(VectorStore):
    """One collection per (model, side): the record id as primary key, the vector (FLAT index, inner product:
    exact fast scores), a GEOMETRY point and the filter fields. A local path is Milvus Lite, a URI a server.

    Keyed by id, not by row: processes sharing one Milvus number their rows differently (a corpus keeps its
    rows in grid-cell order, and one started after an add sorts the new record in while an older one has it
    appended), so each maps the ids it gets back to its own rows (`ItemTable.row_of`)."""

    def __init__(self, uri: str, prefix: str = "joblens", prefilter: str = "box"):
        if prefilter not in {"box", "st_dwithin"}:
            raise ValueError(f"prefilter: 'box' or 'st_dwithin', not {prefilter!r}")
        self.uri, self.prefix, self.prefilter = uri, prefix, prefilter
        try:
            from pymilvus import MilvusClient

            self.client = MilvusClient(uri)
            self.client.list_collections()
        except ImportError as e:
            raise VectorStoreError(f"{SETTING}=milvus:{uri}: pymilvus가 설치되어 있지 않습니다 "
                                   f"(pip install -r requirements.txt, 또는 {SETTING}=memory).") from e
        except Exception as e:  # noqa: BLE001 - pymilvus raises several kinds for a bad path or a server that is down
            raise VectorStoreError(f"{SETTING}=milvus:{uri}: Milvus에 연결할 수 없습니다 ({type(e).__name__}: {e}). "
                                   f"주소가 맞는지, 서버가 켜져 있는지 확인하거나 {SETTING}=memory로 되돌리세요.") from e
        self._ready: dict[str, int] = {}  # collection → the width this process last made sure it has

    def _name(self, model: str, kind: str) -> str:
        return f"{self.prefix}_{model}_{kind}_byid".replace("-", "_")  # '_byid': collections keyed by row are not read

    def _ensure(self, name: str, dim: int) -> None:
        if self._ready.get(name) == dim:
            return
        from pymilvus import DataType

        if self.client.has_collection(name) and self._dim(name) != dim:
            # a model retrained to another width (one W-BERT table is 384 wide, four side by side 1,536), by
            # another process or by this one (the W-BERT page trains in the app's own): the collection holds only
            # this model's vectors, all rewritten by `attach`, so it is made anew
            self.client.drop_collection(name)
        if not self.client.has_collection(name):
            schema = self.client.create_schema(auto_id=False)
            schema.add_field("item", DataType.VARCHAR, is_primary=True, max_length=256)
            schema.add_field("vec", DataType.FLOAT_VECTOR, dim=dim)
            schema.add_field("geo", DataType.GEOMETRY)
            schema.add_field("placed", DataType.BOOL)
            schema.add_field("lat", DataType.DOUBLE)
            schema.add_field("lon", DataType.DOUBLE)
            schema.add_field("education", DataType.INT8)
            schema.add_field("career", DataType.INT8)
            schema.add_field("open", DataType.BOOL)
            schema.add_field("disability", DataType.VARCHAR, max_length=128)
            schema.add_field("sido", DataType.VARCHAR, max_length=64)  # a 시도-level query keeps its own 시도
            schema.add_field("unsuitable", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=32,
                             max_length=128)
            index = self.client.prepare_index_params()
            index.add_index("vec", index_type="FLAT", metric_type="IP")
            self.client.create_collection(name, schema=schema, index_params=index)
        self.client.load_collection(name)  # a collection from an earlier process starts released
        self._ready[name] = dim

    def _dim(self, name: str) -> int | None:
        fields = self.client.describe_collection(name).get("fields", [])
        return next((int(f.get("params", {}).get("dim", 0)) for f in fields if f.get("name") == "vec"), None)

    def drop(self, model: str, kind: str) -> None:
        name = self._name(model, kind)
        if self.client.has_collection(name):
            self.client.drop_collection(name)
        self._ready.pop(name, None)

    def write(self, model: str, table: ItemTable, rows: np.ndarray, vectors: np.ndarray, batch: int = 2000) -> None:
        """Upsert these rows (new, changed, closed): visible to the next search at once."""
        vectors = np.asarray(vectors, dtype=np.float32)
        name = self._name(model, table.kind)
        self._ensure(name, vectors.shape[1])
        data = []
        for row, vec in zip(np.asarray(rows, dtype=np.int64).tolist(), vectors):
            lat, lon = float(table.lat[row]), float(table.lon[row])
            placed = not (math.isnan(lat) or math.isnan(lon))
            data.append({"item": table.ids[row], "vec": vec.tolist(), "geo": f"POINT({lon!r} {lat!r})" if placed else "POINT(0 0)",
                         "placed": placed, "lat": lat if placed else 0.0, "lon": lon if placed else 0.0,
                         "education": int(table.education[row]), "career": int(table.career[row]),
                         "open": bool(table.open[row]), "disability": table.disability[row] or "",
                         "sido": str(table.sido[row] or "") if table.sido is not None else "",
                         "unsuitable": sorted(table.unsuitable[row])})
        for start in range(0, len(data), batch):
            self.client.upsert(name, data[start:start + batch])
        if len(data) > 1:  # a bulk load: sealed, searched ~20x faster than a growing segment in Milvus Lite
            self.client.flush(name)

    def expression(self, table: ItemTable, origin: Origin, filters: FilterSettings) -> tuple[str, float | None]:
        """The Milvus filter for what `filter_mask` decides, and the radius left for the exact check (km)."""
        parts = ["open == true"]
        own = table.row_of.get(origin.id) if origin.kind == table.kind else None
        if own is not None:
            parts.append(f"item != {json.dumps(origin.id, ensure_ascii=False)}")
        radius = None
        placed = origin.lat is not None and origin.lon is not None and not np.isnan(origin.lat) and not origin.coarse
        if filters.distance and origin.coarse:  # a 시도-level origin: its 시도, no radius (see filters.same_sido_mask)
            parts.append(f"sido == {json.dumps(origin.sido, ensure_ascii=False)}")
        elif filters.distance:
            if not placed:
                return "placed == true and placed == false", None  # nothing passes, as in filter_mask
            radius = filters.radius(origin.sido)
            if self.prefilter == "st_dwithin":
                parts.append(f"placed == true and ST_DWITHIN(geo, 'POINT({origin.lon!r} {origin.lat!r})', "
                             f"{planar_degrees(origin.lat, radius)!r})")
            else:
                dlat, dlon = cap_box(origin.lat, radius)
                parts.append(f"placed == true and lat >= {origin.lat - dlat!r} and lat <= {origin.lat + dlat!r} "
                             f"and lon >= {origin.lon - dlon!r} and lon <= {origin.lon + dlon!r}")
        if filters.education:
            op = "<=" if table.kind == "posting" else ">="
            parts.append(f"education {op} {int(origin.education)}")
        if filters.career:
            if table.kind == "posting" and origin.career == "new":
                parts.append(f"career != {CAREER_CODES['experienced']}")
            elif table.kind == "seeker" and origin.career == "experienced":
                parts.append(f"career != {CAREER_CODES['new']}")
        if filters.disability:
            unknown = json.dumps(VERDICT_UNKNOWN, ensure_ascii=False)
            if table.kind == "posting" and origin.disability:
                parts += [f"not ARRAY_CONTAINS(unsuitable, {json.dumps(d, ensure_ascii=False)})" for d in disabilities(origin.disability)]
                if filters.unknown_verdict:  # '판정 없음 제외': an unknown verdict is never taken as suitable
                    parts.append(f"not ARRAY_CONTAINS(unsuitable, {unknown})")
            elif table.kind == "seeker" and origin.unsuitable:
                labels = ", ".join(json.dumps(u, ensure_ascii=False) for u in sorted(origin.unsuitable))
                parts.append(f"disability not in [{labels}]")
                if filters.unknown_verdict and VERDICT_UNKNOWN in origin.unsuitable:
                    parts.append('disability == ""')
        return " and ".join(parts), radius

    def _fetch(self, name: str, table: ItemTable, prepared: np.ndarray, expr: str, limit: int) -> _Hits:
        """The `limit` best hits, their ids mapped to this table's rows (-1: a record this process has not seen)."""
        res = self.client.search(name, data=[np.asarray(prepared, dtype=np.float32)[0].tolist()], anns_field="vec",
                                 limit=limit, filter=expr, output_fields=["vec", "lat", "lon"],
                                 search_params={"metric_type": "IP"}, consistency_level="Strong")[0]
        ent = [h["entity"] for h in res]
        items = [h["item"] if "item" in h else h["id"] for h in res]
        return _Hits(np.array([table.row_of.get(i, -1) for i in items], dtype=np.int64),
                     np.array([h["distance"] for h in res], dtype=np.float64),
                     np.array([e["vec"] for e in ent], dtype=np.float32).reshape(len(res), np.shape(prepared)[1]),
                     np.array([e["lat"] for e in ent], dtype=np.float64), np.array([e["lon"] for e in ent], dtype=np.float64))

    def search(self, model: str, table: ItemTable, origin: Origin, filters: FilterSettings, prepared: np.ndarray,
               k: int) -> tuple[np.ndarray, np.ndarray]:
        from .base import top_k

        name = self._name(model, table.kind)
        if k <= 0 or not (name in self._ready or self.client.has_collection(name)):
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        if name not in self._ready:
            self.client.load_collection(name)
            self._ready[name] = self._dim(name)
        expr, radius = self.expression(table, origin, filters)
        # this process's own filters decide, not the fields another process last wrote to the shared collection
        # (one that loaded before a counselor's correction, a close or a new verdict may rewrite a row)
        allowed = filter_mask(origin, table, filters)[0]
        limit = min(MAX_LIMIT, 2 * k + 32)
        while True:
            hits = self._fetch(name, table, prepared, expr, limit)
            exhausted = len(hits.rows) < limit
            keep = hits.rows >= 0
            keep[keep] &= allowed[hits.rows[keep]]
            if radius is not None:  # the exact check: ST_DWITHIN above let through a superset of the circle
                keep &= np.nan_to_num(haversine_km(origin.lat, origin.lon, hits.lat, hits.lon), nan=np.inf) <= radius
            fast = hits.fast[keep]
            if len(fast) >= k:
                kth = np.sort(fast)[::-1][k - 1]
                settled = exhausted or hits.fast.min() < kth - EXACT_MARGIN  # nothing unfetched can reach the k-th
            else:
                kth, settled = -np.inf, exhausted
            if settled:
                break
            if limit >= MAX_LIMIT:
                raise VectorStoreError(f"{SETTING}: {MAX_LIMIT:,}개를 가져와도 상위 {k}개가 정해지지 않습니다 "
                                       "(거리 확인에서 거의 모두 빠짐). 반경이나 필터 설정을 확인하세요.")
            limit = min(MAX_LIMIT, limit * 4)
        near = keep & (hits.fast >= kth - EXACT_MARGIN)
        return top_k(exact_scores(hits.vectors[near], prepared), hits.rows[near], k)


def cap_box(lat: float, radius_km: float) -> tuple[float, float]:
    """Half-widths (Δlat, Δlon) in degrees of the exact bounding box of the circle (Δlat = r/R,
    Δlon = asin(sin(r/R)/cos lat)), padded by 1e-6° (~0.1 m) against rounding, as the grid index does."""
    d = radius_km / EARTH_KM
    dlon = math.degrees(math.asin(min(1.0, math.sin(d) / max(1e-12, math.cos(math.radians(lat))))))
    return math.degrees(d) + PAD_DEG, dlon + PAD_DEG


def planar_degrees(lat: float, radius_km: float) -> float:
    """A radius in planar degrees whose disc contains the true circle: the half-diagonal of the cap's bounding
    box. Milvus Lite 3.2.2 measures ST_DWITHIN in the coordinates' own units (degrees), not metres."""
    return math.hypot(*cap_box(lat, radius_km)) * 1.001
