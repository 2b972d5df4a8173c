"""Engine benchmark: demo corpus scaled to 72k (the seed's size) / 100k postings, and the real data in
../shared/data. Prints a table and writes JSON.

    python bench/bench_engine.py                       # full run (~15–25 min on 2 cores)
    python bench/bench_engine.py --postings 8000 --latency-postings 10000 --no-real   # quick look

Timings of search and filtering at 72k/100k use 384-d dense vectors made by LSA (TruncatedSVD of the
TF-IDF matrix): the same shape as e5-small's, so search cost is identical, without 30 minutes of CPU
encoding. Encoder throughput is measured separately per model on a sample; on the real data every
posting is encoded with SBERT for real.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


class Precomputed:
    """A recommender whose vectors are given: isolates search + filter cost from query encoding."""

    def __init__(self, base, vectors: dict[str, np.ndarray]):
        self.base, self.vectors = base, vectors

    def encode(self, texts, kind="query"):
        return np.stack([self.vectors[t] for t in texts])


def seed_style_filter(query, candidates, radius_of) -> list[str]:
    """The seed's way: a Python loop over every candidate pair, distance and checks computed one by one."""
    kept = []
    radius = radius_of(query.place.sido)
    for c in candidates:
        if c.id == query.id or c.place.lat is None:
            continue
        p1, p2 = math.radians(query.place.lat), math.radians(c.place.lat)
        dl = math.radians(c.place.lon - query.place.lon)
        h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        if 2 * 6371.0088 * math.asin(math.sqrt(h)) > radius:
            continue
        if c.edu_min > query.edu_min:
            continue
        if query.career_kind == "new" and c.career_kind == "experienced":
            continue
        kept.append(c.id)
    return kept


def run_corpus(label: str, postings: list, seekers: list, dense: np.ndarray | None, sbert_real: bool,
               n_batch: int | None, n_latency: int, seed_sample: int, store) -> dict:
    from core.filters import FilterSettings
    from core.models.batch import batch_recommend
    from core.models.corpus import Corpus
    from core.models.embedding import EmbeddingRecommender
    from core.models.tfidf import TfidfRecommender

    out: dict = {"corpus": label, "postings": len(postings)}
    rng = random.Random(0)
    corpus = Corpus(postings, seekers)

    # tokenise + TF-IDF fit
    tfidf = TfidfRecommender("mecab", cache=False)
    texts = corpus.texts("posting")
    t = time.perf_counter()
    tokens = [tfidf.analyser(x) for x in texts]
    out["tokenise_docs_per_s"] = round(len(texts) / (time.perf_counter() - t))
    t = time.perf_counter()
    tfidf.fit(corpus)
    out["tfidf_fit_s"] = round(time.perf_counter() - t, 2)
    del tokens

    # dense vectors
    if sbert_real:
        from core.models.encoders import SBERTEncoder, cached_encode

        enc = SBERTEncoder("e5-small")
        t = time.perf_counter()
        dense = cached_encode(enc, texts, None, "passage")
        out["sbert_encode_all_s"] = round(time.perf_counter() - t, 1)
        out["dense_vectors"] = "SBERT e5-small (real)"
    elif dense is None:
        from sklearn.decomposition import TruncatedSVD

        t = time.perf_counter()
        dense = TruncatedSVD(384, random_state=0).fit_transform(tfidf.matrices["posting"]).astype(np.float32)
        dense /= np.maximum(np.linalg.norm(dense, axis=1, keepdims=True), 1e-12)
        out["lsa_s"] = round(time.perf_counter() - t, 1)
        out["dense_vectors"] = "LSA-384 stand-in (same shape as e5-small)"
    model = EmbeddingRecommender(lambda: None, "dense")
    model.corpus = corpus
    model.matrices = {"posting": dense, "seeker": np.zeros((len(seekers), dense.shape[1]), np.float32)}
    pre = Precomputed(model, {x: v for x, v in zip(texts, dense)})
    model.encode = pre.encode

    # index build
    import faiss

    t = time.perf_counter()
    index = faiss.IndexFlatIP(dense.shape[1])
    index.add(np.ascontiguousarray(dense))
    out["faiss_build_s"] = round(time.perf_counter() - t, 3)

    # batch: filtered top-10 for every posting
    filters = FilterSettings()
    batch_queries = postings[:n_batch] if n_batch else postings
    qv = dense[:len(batch_queries)]
    t = time.perf_counter()
    res = batch_recommend(model, batch_queries, "posting", k=10, filters=filters, prepared=qv)
    out["batch_queries"] = len(batch_queries)
    out["batch_total_s"] = round(time.perf_counter() - t, 2)
    out["batch_filter_s"] = round(res.mask_seconds, 2)
    out["batch_score_s"] = round(res.score_seconds, 2)
    out["batch_groups"] = res.groups
    short = sum(len(v) < 10 for v in res.rows.values())
    out["batch_lists_shorter_than_10"] = short

    # the seed's way on a sample, extrapolated; also checks both agree on the candidate sets
    sample = rng.sample(batch_queries, min(seed_sample, len(batch_queries)))
    by_id = {p.id: p for p in postings}
    t = time.perf_counter()
    seed_sets = {q.id: seed_style_filter(q, postings, filters.radius) for q in sample}
    per_query = (time.perf_counter() - t) / len(sample)
    out["seed_filter_per_query_ms"] = ms(per_query)
    out["seed_filter_extrapolated_s"] = round(per_query * len(batch_queries), 1)
    out["speedup_filtering"] = round(out["seed_filter_extrapolated_s"] / max(out["batch_filter_s"], 1e-6), 1)
    table = corpus.tables["posting"]
    from core.filters import filter_mask

    agree = 0
    for q in sample:
        mask, _ = filter_mask(corpus.origin(q), table, filters)
        agree += set(np.asarray(table.ids)[mask]) == set(seed_sets[q.id])
    out["seed_vs_vectorised_same_candidates"] = f"{agree}/{len(sample)}"
    del by_id

    # single-query latency with filters, excluding query encoding
    lat = []
    for q in rng.sample(postings, min(n_latency, len(postings))):
        t = time.perf_counter()
        model.recommend(q, k=10, filters=filters, explain=False)
        lat.append(time.perf_counter() - t)
    out["query_p50_ms"] = ms(float(np.percentile(lat, 50)))
    out["query_p95_ms"] = ms(float(np.percentile(lat, 95)))
    # the same, through FAISS with an ID selector (forced), for comparison
    import core.models.base as rec

    saved = rec.EXACT_SEARCH_MAX
    rec.EXACT_SEARCH_MAX = 0
    lat_f = []
    for q in rng.sample(postings, min(100, len(postings))):
        t = time.perf_counter()
        model.recommend(q, k=10, filters=filters, explain=False)
        lat_f.append(time.perf_counter() - t)
    rec.EXACT_SEARCH_MAX = saved
    out["query_faiss_selector_p95_ms"] = ms(float(np.percentile(lat_f, 95)))
    return out | {"_models": (tfidf, model)}


def incremental(tfidf, dense_model, postings, n: int = 20) -> dict:
    """Add n new postings: TF-IDF row + SBERT encode of the new text + vector append, as Engine.add does."""
    from core.models.encoders import SBERTEncoder

    enc = SBERTEncoder("e5-small")
    dense_model.encode = lambda texts, kind="query": enc.encode(texts, kind)
    enc.encode(["워밍업 문장"])  # the app's encoder is warm; measure steady-state adds
    times = {"tfidf": [], "sbert": []}
    for i in range(n):
        base = postings[i]
        new = replace(base, id=f"bench:new{i}", title=f"{base.title} 신규 {i}")
        dense_model.corpus.upsert(new)
        for name, m in (("tfidf", tfidf), ("sbert", dense_model)):
            t = time.perf_counter()
            m.add_vector(new)
            times[name].append(time.perf_counter() - t)
    return {f"add_{k}_p50_ms": ms(float(np.median(v))) for k, v in times.items()} | {
        f"add_{k}_max_ms": ms(max(v)) for k, v in times.items()}


def encoder_throughput(texts: list[str]) -> dict:
    from core.models.encoders import SBERTEncoder, USEEncoder

    out = {}
    for name, factory in (("sbert_e5_small", lambda: SBERTEncoder("e5-small")), ("use_m3", USEEncoder)):
        enc = factory()
        enc.encode(texts[:16])
        t = time.perf_counter()
        enc.encode(texts)
        out[f"encode_{name}_docs_per_s"] = round(len(texts) / (time.perf_counter() - t), 1)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--postings", type=int, default=72000)
    ap.add_argument("--latency-postings", type=int, default=100000)
    ap.add_argument("--latency-queries", type=int, default=300)
    ap.add_argument("--seed-sample", type=int, default=100)
    ap.add_argument("--encode-sample", type=int, default=400)
    ap.add_argument("--no-real", action="store_true")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "engine.json"))
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="joblens-bench-"))
    os.environ["JOBLENS_DATA"] = str(tmp)
    os.environ.setdefault("JOBLENS_MODELS", str(Path(__file__).resolve().parent.parent / "data" / "models"))
    from core import locations
    from core.data.demo import generate
    from core.data.ingest import SHARED_DATASETS, ingest_file
    from core.data.store import Store
    from core.settings import settings

    locations.use(locations.Locations.from_settings(settings()))  # this script is an edge

    results: dict = {"machine": f"{os.cpu_count()} cores", "rows": []}
    store = Store(tmp / "joblens.db")
    n_total = max(args.postings, args.latency_postings)
    t = time.perf_counter()
    paths = generate(tmp / "demo", n_postings=n_total, n_seekers=500, seed=1)
    gen_s = time.perf_counter() - t
    t = time.perf_counter()
    rep = [ingest_file(store, paths["worknet"], "worknet-json", source="demo"),
           ingest_file(store, paths["kead"], "kead-json", source="demo"),
           ingest_file(store, paths["seekers"], "seekers-csv", source="demo-seekers")]
    ingest_s = time.perf_counter() - t
    postings = store.postings("demo")
    seekers = store.seekers()
    rows = sum(r.rows for r in rep)
    print(f"demo: generated {n_total:,} postings in {gen_s:.1f}s; ingested {rows:,} rows in {ingest_s:.1f}s "
          f"({rows / ingest_s:,.0f} rows/s)", flush=True)

    enc = encoder_throughput([p.text() for p in postings[:args.encode_sample]])
    print("encoders:", enc, flush=True)

    # 72k: batch + seed comparison; 100k: latency and incremental add
    r72 = run_corpus(f"demo {args.postings // 1000}k", postings[:args.postings], seekers, None, False, None,
                     args.latency_queries, args.seed_sample, store)
    r72.pop("_models")
    r72 |= {"ingest_rows_per_s": round(rows / ingest_s), **enc}
    print(json.dumps(r72, ensure_ascii=False), flush=True)
    r100 = run_corpus(f"demo {args.latency_postings // 1000}k", postings[:args.latency_postings], seekers, None,
                      False, 2000, args.latency_queries, 20, store)
    tfidf, dense_model = r100.pop("_models")
    r100 |= incremental(tfidf, dense_model, postings)
    print(json.dumps(r100, ensure_ascii=False), flush=True)
    results["rows"] += [r72, r100]

    if not args.no_real and settings().shared.exists():
        t = time.perf_counter()
        reps = [ingest_file(store, settings().shared / SHARED_DATASETS[f], f) for f in ("worknet-2024", "worknet-seoul-2023")]
        real_ingest = time.perf_counter() - t
        real = [p for p in store.postings() if p.source in {"worknet2024", "worknet-seoul"}]
        rr = run_corpus("real (worknet 2024 + seoul 2023)", real, seekers, None, True, None,
                        args.latency_queries, args.seed_sample, store)
        tfidf, dense_model = rr.pop("_models")
        rr |= incremental(tfidf, dense_model, real) | {
            "ingest_rows_per_s": round(sum(r.rows for r in reps) / real_ingest)}
        print(json.dumps(rr, ensure_ascii=False), flush=True)
        results["rows"].append(rr)

    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print_table(results)
    return 0


def print_table(results: dict) -> None:
    keys = ["postings", "ingest_rows_per_s", "tokenise_docs_per_s", "tfidf_fit_s", "encode_sbert_e5_small_docs_per_s",
            "encode_use_m3_docs_per_s", "sbert_encode_all_s", "dense_vectors", "faiss_build_s", "batch_queries",
            "batch_filter_s", "batch_score_s", "batch_total_s", "batch_groups", "seed_filter_extrapolated_s",
            "speedup_filtering", "seed_vs_vectorised_same_candidates", "query_p50_ms", "query_p95_ms",
            "query_faiss_selector_p95_ms", "add_tfidf_p50_ms", "add_tfidf_max_ms", "add_sbert_p50_ms", "add_sbert_max_ms"]
    cols = results["rows"]
    print("\n| metric | " + " | ".join(c["corpus"] for c in cols) + " |")
    print("|---|" + "---|" * len(cols))
    for k in keys:
        if any(k in c for c in cols):
            print(f"| {k} | " + " | ".join(str(c.get(k, "")) for c in cols) + " |")
    print(f"\npeak RSS: {results['peak_rss_mb']} MB")


if __name__ == "__main__":
    sys.exit(main())
