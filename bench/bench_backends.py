"""Encoder backends (#16 item 1): speed on real-length and full-length postings, agreement with torch, and
recommendation quality on the real data, deciding the default on the dev split and reporting the test split.

    python bench/bench_backends.py                 # ~15 min on 2 cores
    python bench/bench_backends.py --docs 128 --queries 60   # a quicker look

Speed: e5-small (SBERT) and the fine-tuned transformer W-BERT when trained (data/models/wbert-transformer-real),
each backend on (a) the real worknet-2024 posting texts as they are (median 58 tokens) and (b) full-length
postings: five real texts joined (median ≈ 256 tokens, the issue's "full 직무내용" condition), cut at 256.
Quality: the tuned configuration (settings defaults) on worknet-2024 + 1,500 KEAD seekers, SBERT and hybrid,
P@5 and Top-5 with 95 % bootstrap CIs, and the paired difference int8 − torch with its CI. Rule: int8 becomes the
default when on dev no model/direction loses more than its CI (the paired difference's CI contains 0 or is
above it). Writes bench/results/backends.json.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import bootstrap

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_quality import DATASET, engine_for  # noqa: E402

from core import locations  # noqa: E402
from core.data.datasets import load_dataset  # noqa: E402
from core.evaluation.metrics import DIRECTIONS  # noqa: E402
from core.evaluation.runner import evaluate  # noqa: E402
from core.locations import here  # noqa: E402
from core.models.encoders import SBERTEncoder  # noqa: E402
from core.settings import REPO, settings  # noqa: E402

BACKENDS = ("torch", "onnx", "onnx-int8")
METRICS = ("precision@5", "top_k_accuracy@5")


def speed(folder: str, name: str, texts: dict[str, list[str]]) -> dict:
    out: dict = {}
    ref: dict[str, np.ndarray] = {}
    for backend in BACKENDS:
        encoder = SBERTEncoder(folder, name=name, backend=backend)
        encoder.encode(texts["real"][:16], "passage")  # warm-up (session start, first allocations)
        for profile, batch in texts.items():
            cap = 256 if profile == "full" else settings().max_tokens_text
            start = time.perf_counter()
            v = encoder.encode(batch, "passage", max_tokens=cap)
            seconds = time.perf_counter() - start
            row = {"docs_per_s": round(len(batch) / seconds, 1), "docs": len(batch), "max_tokens": cap}
            if backend == "torch":
                ref[profile] = v
            else:
                cos = (v * ref[profile]).sum(1)
                row.update(cos_min=round(float(cos.min()), 4), cos_mean=round(float(cos.mean()), 4))
            out.setdefault(profile, {})[backend] = row
            print(f"  {name:6s} {profile:4s} {backend:9s} {row}", flush=True)
    for profile in out:
        out[profile]["speedup_int8"] = round(out[profile]["onnx-int8"]["docs_per_s"] / out[profile]["torch"]["docs_per_s"], 2)
    return out


def quality(data, split: str, n: int, models: list[str]) -> dict:
    out: dict = {}
    for backend in ("torch", "onnx-int8"):
        engine = engine_for({"crosswalk": True, "encoder_backend": backend}, data)
        start = time.time()
        for r in evaluate(engine, DATASET, models, list(DIRECTIONS), n, split=split, wbert_held_out=True):
            out.setdefault(r.direction, {}).setdefault(r.model, {})[backend] = {
                "n": r.n_queries, **{m: r.metrics[m] for m in METRICS}, "per_query": {m: r.per_query[m] for m in METRICS}}
        print(f"  [{split}] {backend}: {time.time() - start:.0f}s", flush=True)
    for per_model in out.values():
        for rows in per_model.values():
            int8, torch = rows["onnx-int8"].pop("per_query"), rows["torch"].pop("per_query")
            for m in METRICS:
                diff = np.array(int8[m]) - np.array(torch[m])  # same queries in the same order (fixed sample)
                ci = bootstrap((diff,), np.mean, n_resamples=2000, random_state=0).confidence_interval if diff.std() else None
                rows[f"diff_{m}"] = [round(float(diff.mean()), 4), round(float(ci.low), 4) if ci else 0.0,
                                     round(float(ci.high), 4) if ci else 0.0]
    return out


def no_loss(table: dict) -> bool:
    """int8 keeps the default when no paired difference's CI lies wholly below zero."""
    return all(rows[f"diff_{m}"][2] >= 0 for per_model in table.values() for rows in per_model.values() for m in METRICS)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=256, help="texts per speed measurement")
    ap.add_argument("--queries", type=int, default=150)
    ap.add_argument("--seekers", type=int, default=1500)
    args = ap.parse_args()
    locations.use(dataclasses.replace(locations.Locations.from_settings(settings()),
                                      wbert=here().models_dir / "wbert-static-real"))
    started = time.time()
    data = load_dataset(DATASET, args.seekers)
    rng = random.Random(0)
    real = [p.text() for p in data.postings]
    texts = {"real": rng.sample(real, args.docs), "full": [" ".join(rng.sample(real, 5)) for _ in range(args.docs)]}
    print("1) 인코딩 속도 (docs/s, 2코어)", flush=True)
    speeds = {"sbert": speed("e5-small", "sbert", texts)}
    transformer = here().models_dir / "wbert-transformer-real"
    if (transformer / "modules.json").exists():
        speeds["wbert-transformer"] = speed(str(transformer), "wbert", texts)
    print("2) 품질: dev에서 결정", flush=True)
    models = ["sbert", "hybrid"]
    dev = quality(data, "dev", args.queries, models)
    default = "onnx-int8" if no_loss(dev) else "torch"
    print(f"  → 기본 백엔드: {default}", flush=True)
    print("3) 품질: test 보고", flush=True)
    test = quality(data, "test", args.queries, models)
    out = {"machine": f"{os.cpu_count()} cores", "speed": speeds, "dev": dev, "test": test, "chosen_default": default,
           "rule": "int8 unless a dev paired-difference CI (int8 − torch, P@5 or Top-5) lies wholly below 0",
           "test_no_loss": no_loss(test), "seconds": round(time.time() - started)}
    path = REPO / "bench" / "results" / "backends.json"
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    print("\n| 모델 | 길이 | torch | onnx | onnx-int8 | 배속 | 코사인 최소 |\n|---|---|---|---|---|---|---|")
    for model, profiles in speeds.items():
        for profile, rows in profiles.items():
            print(f"| {model} | {profile} | {rows['torch']['docs_per_s']} | {rows['onnx']['docs_per_s']} | "
                  f"{rows['onnx-int8']['docs_per_s']} | {rows['speedup_int8']}× | {rows['onnx-int8']['cos_min']} |")
    print("\n| 분할 | 방향 | 모델 | torch P@5 | int8 P@5 | 차이 [CI] |\n|---|---|---|---|---|---|")
    for split, table in (("dev", dev), ("test", test)):
        for direction, per_model in table.items():
            for model, rows in per_model.items():
                print(f"| {split} | {direction} | {model} | {rows['torch']['precision@5'][0]:.3f} | "
                      f"{rows['onnx-int8']['precision@5'][0]:.3f} | {rows['diff_precision@5']} |")
    print(f"\n기본 백엔드 (dev 결정): {default} · test 손실 없음: {out['test_no_loss']} · {out['seconds']}s → {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
