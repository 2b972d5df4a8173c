"""One filtered query at national scale: 1,000,000 postings with synthetic 384-d vectors (encoding excluded).

    python bench/bench_scale.py [--n 1000000] [--queries 300]   # writes bench/results/scale.json

Postings sit around the real 시군구 centroids of the offline gazetteer (jittered ~3 km) with random education and
career requirements; vectors are random unit vectors. Each query runs JobLens's own path: `filter_mask` (distance
20/40 km, education, career) over the whole table, then `Recommender.search` (exact scoring of the survivors, or
FAISS with an ID selector when they are many). It reports p50/p95 per stage and the process's peak RSS, and
measures what the Python record objects would cost at this size, which is where one machine stops holding first.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.filters import FilterSettings, ItemTable, Origin, filter_mask  # noqa: E402
from core.geo.places import gazetteer  # noqa: E402
from core.models.base import EXACT_SEARCH_MAX, Recommender  # noqa: E402

DIM = 384


def synthetic_table(n: int, rng: np.random.Generator) -> tuple[ItemTable, np.ndarray, list[str]]:
    g = gazetteer()
    places = [(sido, lat, lon) for (sido, _), (lat, lon) in g.sigungu.items()] if hasattr(g, "sigungu") else []
    if not places:  # fall back to 읍면동 points grouped by 시도
        places = [(sido, lat, lon) for (sido, _, _), (lat, lon) in g.emd.items()]
    pick = rng.integers(0, len(places), n)
    sido = [places[i][0] for i in pick]
    lat = np.array([places[i][1] for i in pick]) + rng.normal(0, 0.027, n)  # ~3 km
    lon = np.array([places[i][2] for i in pick]) + rng.normal(0, 0.034, n)
    table = ItemTable("posting", [f"s:{i}" for i in range(n)], lat, lon, rng.integers(0, 6, n).astype(np.int8),
                      rng.choice(np.array([0, 1, 2], dtype=np.int8), n, p=[0.3, 0.2, 0.5]), [""] * n,
                      [frozenset()] * n)
    return table, lat, sido


def percentiles(xs: list[float]) -> dict[str, float]:
    a = np.array(xs) * 1000
    return {"p50_ms": round(float(np.percentile(a, 50)), 2), "p95_ms": round(float(np.percentile(a, 95)), 2),
            "max_ms": round(float(a.max()), 2)}


def record_cost() -> float:
    """Bytes per Posting object held in memory as the Corpus holds them (measured on demo postings)."""
    import tempfile

    from core.data.demo import generate
    from core.data.ingest import iter_records

    files = generate(Path(tempfile.mkdtemp()), n_postings=2000, n_seekers=1, seed=3)
    tracemalloc.start()
    records = [r for _, r, _ in iter_records(files["worknet"], "worknet-json") if r]
    size, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return size / len(records)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    rng = np.random.default_rng(16)
    t0 = time.time()
    table, _, sido = synthetic_table(args.n, rng)
    vectors = rng.standard_normal((args.n, DIM), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    model = Recommender()
    model.matrices = {"posting": vectors}
    build_s = time.time() - t0
    settings = FilterSettings()
    mask_t, search_t, total_t, kept = [], [], [], []
    faiss_used = 0
    for q in rng.integers(0, args.n, args.queries):
        origin = Origin(f"q{q}", "seeker", float(table.lat[q]), float(table.lon[q]), sido[q],
                        int(rng.integers(2, 6)), str(rng.choice(["new", "experienced"])))
        query = vectors[q:q + 1] + rng.standard_normal((1, DIM), dtype=np.float32) * 0.05
        query /= np.linalg.norm(query)
        start = time.perf_counter()
        mask, report = filter_mask(origin, table, settings)
        mid = time.perf_counter()
        rows, _ = model.search("", "posting", mask, 10, prepared=query.astype(np.float32))
        end = time.perf_counter()
        mask_t.append(mid - start)
        search_t.append(end - mid)
        total_t.append(end - start)
        kept.append(report.kept)
        faiss_used += report.kept > EXACT_SEARCH_MAX
    rss = psutil.Process().memory_info().rss / 2**20
    per_record = record_cost()
    out = {"n": args.n, "dim": DIM, "queries": args.queries, "build_s": round(build_s, 1),
           "filter": percentiles(mask_t), "search": percentiles(search_t), "total": percentiles(total_t),
           "candidates_after_filters": {"p50": int(np.percentile(kept, 50)), "p95": int(np.percentile(kept, 95))},
           "queries_through_faiss": int(faiss_used), "peak_rss_mb": round(rss), "vectors_mb": round(vectors.nbytes / 2**20),
           "posting_object_bytes": round(per_record), "posting_objects_at_n_gb": round(per_record * args.n / 2**30, 1)}
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "scale.json").write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(f"{args.n:,} postings × {DIM}-d, {args.queries} filtered queries (encoding excluded), 2 cores")
    print("| stage | p50 ms | p95 ms | max ms |\n|---|---|---|---|")
    for stage in ("filter", "search", "total"):
        print(f"| {stage} | {out[stage]['p50_ms']} | {out[stage]['p95_ms']} | {out[stage]['max_ms']} |")
    print(f"candidates after filters p50 {out['candidates_after_filters']['p50']:,}, p95 "
          f"{out['candidates_after_filters']['p95']:,}; via FAISS {faiss_used}/{args.queries}")
    print(f"peak RSS {out['peak_rss_mb']:,} MB (vectors {out['vectors_mb']:,} MB); Posting objects as the Corpus holds them: "
          f"{out['posting_object_bytes']:,} B each → {out['posting_objects_at_n_gb']} GB at {args.n:,}")


if __name__ == "__main__":
    main()
