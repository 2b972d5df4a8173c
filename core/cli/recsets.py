"""`python -m core recsets`: every list of every model in every direction, stored for the app (the seed's
nightly 'recommendation sets'); `--refresh` rewrites only the lists the postings changed since then reach."""
from __future__ import annotations

import time

from ..filters import FilterSettings
from ..models import recsets
from ..models.encoders import ModelNotReady
from ..progress import TerminalProgress
from .build import add_corpus_arguments, add_ray_arguments, engine_for, ray_runner


def register(sub) -> None:
    p = sub.add_parser("recsets", help="추천 세트 일괄 계산·저장 (모든 공고·구직자, 모든 방향)")
    add_corpus_arguments(p)
    p.add_argument("--models", default="tfidf,sbert,wbert,hybrid")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--refresh", action="store_true", help="마지막 계산 뒤 바뀐 공고가 닿는 목록만 다시 계산")
    add_ray_arguments(p)
    p.set_defaults(func=run)


def run(args) -> int:
    engine = engine_for(args)
    models = []
    for name in args.models.split(","):
        try:
            engine.model(name, args.analyser, progress=TerminalProgress())
            models.append(name)
        except ModelNotReady as e:
            print(f"{name}: 건너뜀 — {e}")
    start = time.time()
    if args.refresh:
        since = engine.store.recsets_first_built()
        if since is None:
            print("저장된 추천 세트가 없습니다: 먼저 `python -m core recsets` 로 전체를 계산하세요.")
            return 1
        changed, _, _ = engine.store.changed_since(since)
        counts = recsets.refresh(engine, changed, models, args.k, FilterSettings(), analyser=args.analyser)
        print(f"바뀐 공고 {len(changed):,}건 → 다시 계산한 목록 (모델마다): "
              + ", ".join(f"{d} {n:,}" for d, n in counts.items()) + f" · {time.time() - start:.1f}s")
        return 0
    runner = ray_runner(args)
    seconds = recsets.build(engine, models, args.k, FilterSettings(), progress=TerminalProgress(), analyser=args.analyser,
                            map_chunks=runner.map_chunks if runner else None)
    for name, per_direction in seconds.items():
        print(f"{name}: " + ", ".join(f"{d} {rank + write:.1f}s" for d, (rank, write) in per_direction.items()))
    print(f"추천 세트 저장 완료 ({time.time() - start:.1f}s): 앱이 같은 필터의 목록을 계산 없이 보여 줍니다.")
    return 0
