"""The whole real-size pipeline (#16 item 4): ingest → encode (each dense model and backend) → index → batch
top-10 of every posting and seeker in every direction for all four models → write the recommendation sets.

    python bench/bench_pipeline.py                              # 72k postings, 10k seekers (~12 min on 2 cores)
    python bench/bench_pipeline.py --encode-sample 0            # encode all 82k texts for real (hours on 2 cores)
    python bench/bench_pipeline.py --postings 5000 --seekers 1000   # a quick look

Corpus: the demo generator at 72k postings with each posting's duties (jobCont) stretched or cut so its length
follows the real worknet-2024 postings' text lengths (`--lengths real`, the default; resampled from
../shared/data when present) or the issue's full-length condition (`--lengths full`: ~400 characters, ≈ 256
tokens). The measured token lengths are printed and kept in the JSON.

Encoding is the cost floor, so it is always counted: by default each model/backend encodes a sample of
`--encode-sample` texts of this corpus for real, and its stage time is that rate times the texts the
pipeline encodes (postings as passages, seekers as passages and as queries); the index and batch stages
then use 384-d stand-in vectors (LSA of the TF-IDF matrix: the same shape, so the same search cost) written into
the embedding cache under each model's key, so the pipeline runs exactly as with encoded vectors. With
`--encode-sample 0` everything is encoded. "before" = SBERT through torch (the previous path); "after" = the
`onnx-int8` backend. Writes bench/results/pipeline.json.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.settings import REPO  # noqa: E402

MODELS = ["tfidf", "sbert", "wbert", "hybrid"]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stretch(path: Path, lengths: list[int], seed: int) -> None:
    """Give each generated posting's duties a length drawn from `lengths` (characters of the whole text; the
    title and other fields take ~30 of them), repeating its occupation's duty phrases or cutting them."""
    rng = random.Random(seed)
    data = json.loads(path.read_text(encoding="utf-8"))
    for record in data["wantedRoot"]["wanted"]:
        phrases = [p for p in record["jobCont"].split(" / ") if p] or ["업무 보조"]
        target = max(10, rng.choice(lengths) - 30)
        text = record["jobCont"]
        while len(text) < target:
            text += " / " + rng.choice(phrases)
        record["jobCont"] = text[:target]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--postings", type=int, default=72_000)
    ap.add_argument("--seekers", type=int, default=10_000)
    ap.add_argument("--lengths", choices=("real", "full"), default="real")
    ap.add_argument("--encode-sample", type=int, default=1500, help="texts encoded per model/backend (0 = all)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="joblens-pipeline-"))
    os.environ["JOBLENS_DATA"] = str(work)
    os.environ.setdefault("JOBLENS_MODELS", str(REPO / "data" / "models"))
    from core import locations
    from core.settings import settings

    locations.use(locations.Locations.from_settings(settings()))  # this script is an edge

    from core.data.datasets import load_dataset
    from core.data.demo import generate
    from core.data.ingest import ingest_file
    from core.data.store import Store
    from core.models import recsets
    from core.models.encoders import cache_key
    from core.models.engine import Engine
    from core.models.registry import ModelParams
    from core.models.wbert import wbert_recommender

    stages: dict[str, float] = {}
    t = time.perf_counter()
    paths = generate(work / "files", n_postings=args.postings, n_seekers=args.seekers, seed=11, kead_share=0.0)
    if args.lengths == "real" and (settings().shared / "worknet-postings-2024").exists():
        real = load_dataset("worknet-2024", 10)
        lengths, basis = [len(p.text()) for p in real.postings], "worknet-2024 text lengths (resampled)"
    else:
        lengths, basis = [400], "full 직무내용 (~400 chars ≈ 256 tokens)"
    stretch(paths["worknet"], lengths, seed=11)
    stages["generate_s"] = time.perf_counter() - t  # not part of the pipeline: the input files

    t = time.perf_counter()
    store = Store(work / "joblens.db")
    ingest_file(store, paths["worknet"], "worknet-json", source="demo")
    ingest_file(store, paths["seekers"], "seekers-csv", source="demo-seekers")
    # the stored lists are made by ONNX int8 (the encoders below fill its cache), the rest as configured
    engine = Engine.from_store(store, params=dataclasses.replace(ModelParams.from_settings(settings()),
                                                                 encoder_backend="onnx-int8"))
    stages["ingest_s"] = time.perf_counter() - t
    corpus = engine.corpus
    print(f"코퍼스: 공고 {len(corpus.postings):,} · 구직자 {len(corpus.seekers):,} · 길이 기준: {basis}", flush=True)

    # ---- encode: what the pipeline encodes, per dense model: postings and seekers as passages, seekers as queries
    from core.data.standard_jobs import split_enriched

    own = {kind: [split_enriched(t)[0] for t in corpus.texts(kind)] for kind in ("posting", "seeker")}
    enrich = sorted({e for kind in ("posting", "seeker") for _, e in map(split_enriched, corpus.texts(kind)) if e})
    n_texts = len(own["posting"]) + 2 * len(own["seeker"]) + len(enrich)
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(REPO / "data" / "models" / "e5-small"))
    sample_rng = random.Random(3)
    token_lengths = np.array([len(tokenizer(x)["input_ids"]) for x in sample_rng.sample(own["posting"], 2000)])
    print(f"공고 본문 토큰 p50/p90/p99: {np.percentile(token_lengths, [50, 90, 99]).round().tolist()}", flush=True)

    from core.models.encoders import SBERTEncoder

    encoders = {("sbert", "torch"): lambda: SBERTEncoder("e5-small", name="sbert:e5-small", backend="torch"),
                ("sbert", "onnx-int8"): lambda: SBERTEncoder("e5-small", name="sbert:e5-small", backend="onnx-int8")}
    encode: dict[str, dict] = {}
    sample = sample_rng.sample(own["posting"], min(args.encode_sample or len(own["posting"]), len(own["posting"])))
    for (model, backend), factory in [*encoders.items(), (("wbert", "app"), None)]:
        # W-BERT: the app's own (its recommender's encoder, whatever its variant; a static one has no ONNX form)
        encoder = factory() if factory else wbert_recommender(None).encoder
        backend = encoder.backend if model == "wbert" else backend
        encoder.encode(sample[:16], "passage")  # warm-up: session start, first allocations
        t = time.perf_counter()
        if args.encode_sample:
            encoder.encode(sample, "passage", max_tokens=settings().max_tokens_text)
            rate = len(sample) / (time.perf_counter() - t)
            seconds = n_texts / rate
        else:
            for kind, texts in (("passage", own["posting"]), ("passage", own["seeker"]), ("query", own["seeker"])):
                encoder.encode(texts, kind, max_tokens=settings().max_tokens_text)
            encoder.encode(enrich, "passage", max_tokens=settings().max_tokens_enrichment)
            seconds = time.perf_counter() - t
            rate = n_texts / seconds
        encode[f"{model}|{backend}"] = {"docs_per_s": round(rate, 1), "texts": n_texts, "seconds": round(seconds, 1),
                                        "measured_on": len(sample) if args.encode_sample else n_texts,
                                        "encoder": encoder.name}
        print(f"  인코딩 {model:5s} {backend:9s} {rate:6.1f} docs/s → {seconds:7.1f}s "
              f"({'표본 ' + str(len(sample)) + '건 기준 환산' if args.encode_sample else '전체'})", flush=True)
        if model == "wbert":
            wbert_key = (encoder.name, encoder.backend)

    # ---- index: TF-IDF fitted for real; the dense models read their vectors from the embedding cache
    t = time.perf_counter()
    tfidf = engine.model("tfidf")
    if args.encode_sample:  # stand-in vectors (LSA, 384-d) under each dense model's cache keys
        from sklearn.decomposition import TruncatedSVD
        from sklearn.preprocessing import normalize

        texts_all = own["posting"] + own["seeker"] + enrich
        lsa = TruncatedSVD(384, random_state=0).fit(tfidf.matrices["posting"])
        vectors = normalize(lsa.transform(tfidf.encode(texts_all))).astype(np.float32)
        from core.models.encoders import text_hash

        hashes = [text_hash(x) for x in texts_all]
        sbert_int8 = encoders[("sbert", "onnx-int8")]()
        for enc_name, backend in ((sbert_int8.name, sbert_int8.backend), wbert_key):
            stub = type("E", (), {"name": enc_name, "backend": backend})
            for kind, cap, rows in (("passage", settings().max_tokens_text, slice(0, len(own["posting"]) + len(own["seeker"]))),
                                    ("query", settings().max_tokens_text, slice(len(own["posting"]), len(own["posting"]) + len(own["seeker"]))),
                                    ("passage", settings().max_tokens_enrichment, slice(len(texts_all) - len(enrich), len(texts_all)))):
                store.cache_vectors(cache_key(stub, kind, cap), hashes[rows], vectors[rows])
    for name in MODELS:
        engine.model(name)
    stages["index_s"] = time.perf_counter() - t

    t = time.perf_counter()
    from core.progress import TerminalProgress

    spent = recsets.build(engine, MODELS, k=10, progress=TerminalProgress())
    stages["batch_top10_s"] = sum(rank for per in spent.values() for rank, _ in per.values())
    stages["write_s"] = sum(write for per in spent.values() for _, write in per.values())
    lists = store.query("SELECT COUNT(*) FROM recsets")[0][0]
    print(f"  일괄 top-10: {stages['batch_top10_s']:.1f}s · 쓰기 {stages['write_s']:.1f}s · 목록 {lists:,}개", flush=True)

    # ---- the app's query on a long posting: stored vector, no encoder call (explanations off: they encode spans)
    sbert = engine.model("sbert")
    calls = []
    original = sbert.encoder.encode
    sbert.encoder.encode = lambda texts, *a, **kw: (calls.append(len(texts)), original(texts, *a, **kw))[1]
    longest = sorted(corpus.postings.values(), key=lambda p: -len(p.text()))[:200]
    latency = []
    for posting in longest:
        t = time.perf_counter()
        sbert.recommend(posting, k=10, explain=False)
        latency.append((time.perf_counter() - t) * 1000)
    sbert.encoder.encode = original
    app_query = {"postings": len(longest), "chars_min": len(longest[-1].text()),
                 "p50_ms": round(float(np.percentile(latency, 50)), 1), "p95_ms": round(float(np.percentile(latency, 95)), 1),
                 "encoder_calls": len(calls)}
    print(f"  앱 질의 (가장 긴 공고 200건, SBERT): p50 {app_query['p50_ms']} ms · p95 {app_query['p95_ms']} ms · "
          f"인코더 호출 {len(calls)}회", flush=True)

    dense = ("sbert", "wbert")
    common = stages["ingest_s"] + stages["index_s"] + stages["batch_top10_s"] + stages["write_s"]
    wbert_s = encode[next(k for k in encode if k.startswith("wbert|"))]["seconds"]
    before = common + encode["sbert|torch"]["seconds"] + wbert_s
    after = common + encode["sbert|onnx-int8"]["seconds"] + wbert_s
    out = {"machine": f"{os.cpu_count()} cores, CPU", "postings": len(corpus.postings), "seekers": len(corpus.seekers),
           "lengths": basis, "posting_tokens_p50_p90_p99": np.percentile(token_lengths, [50, 90, 99]).round().tolist(),
           "texts_encoded_per_dense_model": n_texts, "encode_sample": args.encode_sample,
           "encode_docs_per_s": {k: v["docs_per_s"] for k, v in encode.items()}, "encode": encode,
           "stages_s": {k: round(v, 1) for k, v in stages.items()},
           "per_model_direction_s": {m: {d: [round(r, 2), round(w, 2)] for d, (r, w) in per.items()} for m, per in spent.items()},
           "lists_written": lists, "dense_models": dense, "app_query_long_posting": app_query,
           "total_s": {"before (sbert torch)": round(before, 1), "after (sbert onnx-int8)": round(after, 1)},
           "target_s": 600, "met": after <= 600, "peak_rss_mb": round(peak_rss_mb())}
    path = REPO / "bench" / "results" / "pipeline.json"
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    print("\n| 단계 | 전 (torch) s | 후 (onnx-int8) s |\n|---|---|---|")
    print(f"| 적재 (ingest) | {stages['ingest_s']:.1f} | {stages['ingest_s']:.1f} |")
    print(f"| 인코딩 SBERT | {encode['sbert|torch']['seconds']:.1f} | {encode['sbert|onnx-int8']['seconds']:.1f} |")
    print(f"| 인코딩 W-BERT | {wbert_s:.1f} | {wbert_s:.1f} |")
    print(f"| 색인 | {stages['index_s']:.1f} | {stages['index_s']:.1f} |")
    print(f"| 일괄 top-10 (4모델 × 3방향) | {stages['batch_top10_s']:.1f} | {stages['batch_top10_s']:.1f} |")
    print(f"| 쓰기 | {stages['write_s']:.1f} | {stages['write_s']:.1f} |")
    print(f"| **합계** | **{before:.1f}** | **{after:.1f}** |")
    print(f"\n최대 RSS {out['peak_rss_mb']:,} MB · 목표 600 s {'달성' if out['met'] else '미달'} → {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
