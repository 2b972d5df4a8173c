"""Corpus encoding through Ray (`python -m core build --ray`) against the plain local path, on 2 cores.

    nice python bench/bench_ray.py [--sample 1500]   # writes bench/results/ray.json

A sample of real-length posting texts (the generated demo postings stretched to the worknet-2024 length
distribution when ../shared has it, as bench_pipeline.py does) is encoded by SBERT (e5-small, torch) three ways:
locally (one process, torch on both cores), and by Ray Data `map_batches` over an actor pool of 1 and of 2 local
workers (one encoder per actor, one CPU each). Each Ray run starts its own local Ray and counts that start and the
actors' model load as overhead. The rates are multiplied out to the 72k pipeline's 92,203 texts per dense model
(bench/results/pipeline.json), and the Ray vectors are checked bit for bit against the local ones.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
PIPELINE_TEXTS = 92_203  # texts per dense model in the 72k pipeline (bench/results/pipeline.json)


def sample_texts(n: int) -> tuple[list[str], str]:
    from bench_pipeline import stretch

    from core.data.datasets import load_dataset
    from core.data.demo import generate
    from core.data.ingest import iter_records
    from core.settings import settings

    work = Path(tempfile.mkdtemp(prefix="joblens-ray-"))
    paths = generate(work, n_postings=max(n, 200), n_seekers=1, seed=11, kead_share=0.0)
    if (settings().shared / "worknet-postings-2024").exists():
        lengths, basis = [len(p.text()) for p in load_dataset("worknet-2024", 10).postings], "worknet-2024 lengths"
    else:
        lengths, basis = [400], "full 직무내용 (~400 chars)"
    stretch(paths["worknet"], lengths, seed=11)
    texts = [r.text() for _, r, _ in iter_records(paths["worknet"], "worknet-json") if r]
    return random.Random(3).sample(texts, min(n, len(texts))), basis


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sample", type=int, default=1500)
    ap.add_argument("--note", default="")
    args = ap.parse_args()
    os.environ.setdefault("JOBLENS_MODELS", str(REPO / "data" / "models"))
    import ray

    from core.models.distributed import RayRunner
    from core.models.encoders import SBERTEncoder
    from core.settings import settings

    texts, basis = sample_texts(args.sample)
    cap = settings().max_tokens_text
    factory = lambda: SBERTEncoder("e5-small", name="sbert:e5-small", backend="torch")  # noqa: E731
    local = factory()
    local.encode(texts[:16], "passage", max_tokens=cap)  # warm-up, as bench_pipeline
    t = time.perf_counter()
    reference = local.encode(texts, "passage", max_tokens=cap)
    runs = {"local": {"workers": 1, "wall_s": round(time.perf_counter() - t, 1), "overhead_s": 0.0}}
    for workers in (1, 2):
        t = time.perf_counter()
        runner = RayRunner(workers=workers).start()
        encoder = runner.encoder(factory)
        encoder.encode(texts[:workers], "passage", max_tokens=cap)  # start + one model load per actor
        started = time.perf_counter() - t
        t = time.perf_counter()
        vectors = encoder.encode(texts, "passage", max_tokens=cap)
        wall = time.perf_counter() - t
        runs[f"ray_{workers}"] = {"workers": workers, "wall_s": round(wall, 1), "start_and_load_s": round(started, 1),
                                  "identical_to_local": bool(np.array_equal(vectors, reference))}
        ray.shutdown()
    for run in runs.values():
        run["docs_per_s"] = round(len(texts) / run["wall_s"], 1)
        run["pipeline_72k_encode_s"] = round(PIPELINE_TEXTS / run["docs_per_s"] + run.get("start_and_load_s", 0.0))
    for name in ("ray_1", "ray_2"):
        runs[name]["overhead_vs_local"] = round(runs[name]["wall_s"] / runs["local"]["wall_s"] - 1, 3)
    out = {"sample": len(texts), "basis": basis, "encoder": "sbert:e5-small torch", "max_tokens": cap,
           "pipeline_texts": PIPELINE_TEXTS, "runs": runs, "gpu": "none lent to this session",
           "load_average_1m": round(os.getloadavg()[0], 1), "cpus": os.cpu_count(), "note": args.note}
    (REPO / "bench" / "results" / "ray.json").write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(f"{len(texts)} texts ({basis}), SBERT e5-small torch, multiplied out to {PIPELINE_TEXTS:,} texts")
    print("| path | docs/s | sample wall s | start+load s | 72k encode s | overhead vs local | identical |")
    print("|---|---|---|---|---|---|---|")
    for name, r in runs.items():
        print(f"| {name} | {r['docs_per_s']} | {r['wall_s']} | {r.get('start_and_load_s', 0)} | {r['pipeline_72k_encode_s']:,} | "
              f"{r.get('overhead_vs_local', 0):+.1%} | {r.get('identical_to_local', True)} |")


if __name__ == "__main__":
    main()
