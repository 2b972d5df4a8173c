"""`python -m core build --models …`: fit models and cache their vectors for the stored corpus."""
from __future__ import annotations

import argparse
import math
import time

from .. import clock
from ..data.store import Store
from ..models.encoders import ModelNotReady, ensure_e5
from ..models.engine import Engine
from ..models.registry import ModelParams
from ..models.vectorstore import open_vector_store
from ..progress import TerminalProgress
from ..settings import settings
from ..text.particles import particle


def add_corpus_arguments(p) -> None:
    # by default the whole store, as the app holds it: lists stored for another scope ('demo' only) were never
    # served by the app, whose engine holds every source
    p.add_argument("--sources", default="", help="공고 출처 (쉼표 구분); 빈 값이면 앱처럼 전체")
    p.add_argument("--seeker-sources", default="", help="구직자 출처 (쉼표 구분); 빈 값이면 앱처럼 전체")
    p.add_argument("--analyser", default="mecab")


def bounded(kind: type, low, high):
    """An argparse type that refuses what the app's widgets refuse (negative, nan, out of range) with a clear line."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{particle(repr(text), '은/는')} 숫자가 아닙니다") from None
        if not math.isfinite(value) or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text}: {low}~{high} 사이여야 합니다")
        return value
    return parse


def engine_for(args, read_only: bool = False) -> Engine:
    sources = args.sources.split(",") if args.sources else None
    seeker_sources = args.seeker_sources.split(",") if args.seeker_sources else None
    engine = Engine.from_store(Store(read_only=read_only), sources, seeker_sources,
                               ModelParams.from_settings(settings()), open_vector_store(settings().vector_store),
                               as_of=clock.today().isoformat())
    if not engine.corpus.postings:  # a model fitted on nothing fails in a library's words ('empty vocabulary')
        where = f" (출처 {args.sources})" if args.sources else ""
        raise ValueError(f"저장소에 공고가 없습니다{where}. 먼저 `python -m core demo` 또는 `python -m core ingest 파일`로 "
                         "데이터를 넣으세요")
    return engine


def add_ray_arguments(p) -> None:
    p.add_argument("--ray", nargs="?", const="local", default=None, metavar="ADDRESS",
                   help="Ray로 일괄 계산 (주소 없으면 이 컴퓨터에서, 있으면 그 클러스터에서)")
    p.add_argument("--workers", type=int, default=2, help="Ray 작업자 수 (이 컴퓨터에서 돌릴 때 CPU 수)")


def ray_runner(args):
    """The Ray session `--ray [ADDRESS]` asks for, or None."""
    if not getattr(args, "ray", None):
        return None
    from ..models.distributed import RayRunner

    return RayRunner(None if args.ray == "local" else args.ray, args.workers).start()


def register(sub) -> None:
    p = sub.add_parser("build", help="모델·색인 구축")
    add_corpus_arguments(p)
    p.add_argument("--models", default="tfidf,sbert")
    add_ray_arguments(p)
    p.set_defaults(func=run)


def run(args) -> int:
    ensure_e5(progress=TerminalProgress())
    engine = engine_for(args)
    runner = ray_runner(args)
    for name in args.models.split(","):
        start = time.time()
        try:
            if runner is not None:  # Ray actors fill the embedding cache; the fit below reads it back
                from ..models.distributed import encode_corpus

                encode_corpus(engine, name, runner, args.analyser, TerminalProgress())
            engine.model(name, args.analyser, progress=TerminalProgress())
        except ModelNotReady as e:
            print(f"{name}: 건너뜀 — {e}")
            continue
        print(f"{name}: 준비 완료 ({time.time() - start:.1f}s, 공고 {len(engine.corpus.postings):,} · "
              f"구직자 {len(engine.corpus.seekers):,})")
    return 0
