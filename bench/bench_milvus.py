"""The Milvus Lite path beside the in-process one, on bench_scale's synthetic postings and queries.

    nice python bench/bench_milvus.py [--n 100000] [--queries 200]   # writes bench/results/milvus.json

Postings (around the real 시군구 centroids, random education/career, random unit 384-d vectors) go into a Milvus
Lite file through `MilvusStore.write`; each query then runs both ways: in-process (`filter_mask` through the grid,
then `Recommender.search`) and `MilvusStore.search` (filters inside Milvus, ST_DWITHIN box, exact haversine check
and exact re-score here). Every pair of lists must be identical (rows, order, scores); p50/p95 of each path.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_scale import DIM, percentiles, synthetic_table  # noqa: E402

from core.filters import FilterSettings, Origin, filter_mask  # noqa: E402
from core.models.base import Recommender  # noqa: E402
from core.models.vectorstore import MilvusStore  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--note", default="")
    args = parser.parse_args()
    rng = np.random.default_rng(16)
    table, _, sido = synthetic_table(args.n, rng)
    vectors = rng.standard_normal((args.n, DIM), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    model = Recommender()
    model.matrices = {"posting": vectors}
    folder = Path(tempfile.mkdtemp())
    store = MilvusStore(str(folder / "bench.db"))
    store.drop("bench", "posting")
    start = time.time()
    store.write("bench", table, np.arange(args.n), vectors, batch=5000)
    write_s = time.time() - start
    settings = FilterSettings()
    local_t, milvus_t, same = [], [], 0
    for q in rng.integers(0, args.n, args.queries):
        origin = Origin(f"q{q}", "seeker", float(table.lat[q]), float(table.lon[q]), sido[q],
                        int(rng.integers(2, 6)), str(rng.choice(["new", "experienced"])))
        query = vectors[q:q + 1] + rng.standard_normal((1, DIM), dtype=np.float32) * 0.05
        query = (query / np.linalg.norm(query)).astype(np.float32)
        t0 = time.perf_counter()
        mask, _ = filter_mask(origin, table, settings)
        rows, scores = model.search("", "posting", mask, 10, prepared=query)
        t1 = time.perf_counter()
        m_rows, m_scores = store.search("bench", table, origin, settings, query, 10)
        t2 = time.perf_counter()
        local_t.append(t1 - t0)
        milvus_t.append(t2 - t1)
        same += list(rows) == list(m_rows) and np.array_equal(scores, m_scores)
    out = {"n": args.n, "dim": DIM, "queries": args.queries, "milvus": "Milvus Lite 3.2.2 (pymilvus 3.0.2), FLAT/IP",
           "write_s": round(write_s, 1), "in_process": percentiles(local_t), "milvus_lite": percentiles(milvus_t),
           "identical_lists": f"{same}/{args.queries}", "identical_share": round(same / args.queries, 4),
           "load_average_1m": round(os.getloadavg()[0], 1), "cpus": os.cpu_count(), "note": args.note}
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "milvus.json").write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(f"{args.n:,} postings × {DIM}-d, {args.queries} filtered queries; Milvus Lite write {write_s:.1f} s")
    print("| path | p50 ms | p95 ms |\n|---|---|---|")
    for name in ("in_process", "milvus_lite"):
        print(f"| {name} | {out[name]['p50_ms']} | {out[name]['p95_ms']} |")
    print(f"identical lists (rows, order, scores): {out['identical_lists']}")


if __name__ == "__main__":
    main()
