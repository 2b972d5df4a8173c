"""One 적합도 scale for the demo corpus (issue #26 items 2 and 3): per model and direction, isotonic curves from raw
score to P(same middle 직종) fitted on dev-split lists of a demo corpus, the relevance floor chosen on the same dev
lists, and a check on other queries of how far apart the four models put the same item.

    python bench/bench_calibration.py                      # 60 min wall on the shared 2-core machine at load ~20
                                                           # (~10 CPU-min: mostly SBERT encoding 2,400 texts)
    python bench/bench_calibration.py --postings 1000      # quicker

Writes core/resources/calibration-demo.json (the app reads it for the demo corpus; real data keeps
core/resources/calibration.json from bench_quality.py) and bench/results/calibration.json. Run without the KEIS
descriptions (`JOBLENS_SHARED=/nonexistent python bench/bench_calibration.py`, a user's machine has no
../shared), it fits the plain demo corpus's curves instead: core/resources/calibration-demo-plain.json and
bench/results/calibration-plain.json.

The demo corpus here is generated with seed 42 (the app's) in a folder of its own under data/; the tests use
seed 7, so the test that checks the spread across models reads curves fitted on other data.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
REPO = Path(__file__).resolve().parent.parent

MODELS = ("tfidf", "sbert", "wbert", "hybrid")


def spread_on_test(engine, calibration, k: int = 10, n_queries: int = 120) -> dict:
    """On test-split seekers: for each list item ranked by any model, the 적합도 each of the four models gives it
    (its score under each model, whatever that model's rank for it), and the spread max − min."""
    import numpy as np

    from core.evaluation.runner import query_split
    from core.filters import FilterSettings

    seekers = sorted((s for s in engine.corpus.seekers.values() if s.middle_code and query_split(s.id) == "test"),
                     key=lambda s: s.id)[:n_queries]
    spreads, top_spreads = [], []
    for seeker in seekers:
        mask, report = engine.corpus.candidates(seeker, "posting", FilterSettings())
        rows = mask.nonzero()[0]
        if not len(rows):
            continue
        per_model = {}
        for name in MODELS:
            model = engine.model(name)
            scores = model.score(model.prepare([engine.corpus.text_of(seeker)], "seeker"), "posting", rows)[:, 0]
            per_model[name] = calibration.strength(name, "seeker->posting", scores)
        stacked = np.vstack([per_model[m] for m in MODELS])
        top = set()
        for m in MODELS:
            top.update(np.argsort(-per_model[m])[:k].tolist())
        spread = stacked[:, sorted(top)].max(axis=0) - stacked[:, sorted(top)].min(axis=0)
        spreads.extend(spread.tolist())
        best = int(np.argmax(stacked.mean(axis=0)))
        top_spreads.append(int(stacked[:, best].max() - stacked[:, best].min()))
    s, t = np.asarray(spreads), np.asarray(top_spreads)
    return {"queries": len(top_spreads), "items": int(len(s)),
            "spread_all_top10_items": {"median": float(np.median(s)), "p90": float(np.quantile(s, 0.9)),
                                       "share_within_15": round(float((s <= 15).mean()), 4)},
            "spread_best_item": {"median": float(np.median(t)), "p90": float(np.quantile(t, 0.9)),
                                 "share_within_15": round(float((t <= 15).mean()), 4)}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--postings", type=int, default=2000)
    ap.add_argument("--seekers", type=int, default=400)
    ap.add_argument("--queries", type=int, default=150, help="dev queries per direction")
    ap.add_argument("--keep", action="store_true", help="keep the bench's data folder (vectors cached) for a rerun")
    args = ap.parse_args()
    root = REPO / "data" / "bench-calibration"  # the same records either way: only the descriptions differ
    os.environ.setdefault("JOBLENS_MODELS", str(REPO / "data" / "models"))
    os.environ["JOBLENS_DATA"] = str(root)
    os.environ["JOBLENS_WBERT"] = str(root / "wbert-static")
    started = time.time()

    from core.data.demo import generate
    from core.data.ingest import ingest_file
    from core.data.store import Store
    from core.evaluation.calibration import CALIBRATION_FILES, Calibration, choose_floor, corpus_kind, fit_calibration
    from core.evaluation.metrics import DIRECTIONS
    from core.evaluation.runner import evaluate
    from core.models.engine import Engine
    from core.models.wbert import ensure_static

    store = Store(root / "joblens.db")
    if not store.counts()["postings"]:
        paths = generate(root / "files", n_postings=args.postings, n_seekers=args.seekers, seed=42)
        ingest_file(store, paths["worknet"], "worknet-json", source="demo")
        ingest_file(store, paths["kead"], "kead-json", source="demo")
        ingest_file(store, paths["seekers"], "seekers-csv", source="demo-seekers")
    ensure_static("demo")
    engine = Engine.from_store(store)
    print(f"코퍼스: 공고 {len(engine.corpus.postings):,} · 구직자 {len(engine.corpus.seekers):,} · {time.time() - started:.0f}s",
          flush=True)
    kind = corpus_kind(engine.corpus)  # 'demo', or 'demo-plain' without the KEIS descriptions
    print(f"보정 대상: {kind}", flush=True)
    dev = evaluate(engine, "demo", list(MODELS), list(DIRECTIONS), args.queries, split="dev", audit=False)
    calibration = fit_calibration(dev, "demo")
    floor = choose_floor(calibration, dev)
    calibration.floor = floor["floor"]
    calibration.save(CALIBRATION_FILES[kind])
    print(f"보정 곡선 {len(calibration.curves)}개 · 하한 {floor['floor']} (dev 정확도 {floor['accuracy']}) · "
          f"{time.time() - started:.0f}s", flush=True)
    spread = spread_on_test(engine, calibration)
    # the same spread before: each model read through the real data's curves, as the app did on the demo corpus
    raw = spread_on_test(engine, Calibration.load(CALIBRATION_FILES["real"]))
    out = {"corpus": {"postings": len(engine.corpus.postings), "seekers": len(engine.corpus.seekers), "seed": 42,
                      "kind": kind},
           "dev_queries_per_direction": args.queries, "floor": floor,
           "curves": {k: {"n": c.n, "base_rate": c.base_rate} for k, c in calibration.curves.items()},
           "spread_test_seekers": {"after_demo_curves": spread, "before_real_curves": raw},
           "seconds": round(time.time() - started)}
    results = REPO / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / ("calibration.json" if kind == "demo" else "calibration-plain.json")).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps({k: out[k] for k in ("floor", "spread_test_seekers")}, ensure_ascii=False, indent=1))
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
