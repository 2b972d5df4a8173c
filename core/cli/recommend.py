"""`python -m core recommend --posting ID | --seeker ID`: one filtered list, printed as a table."""
from __future__ import annotations

import argparse
import math
import sys

from ..data.kinds import Direction
from ..filters import FilterSettings
from ..models.registry import MODEL_LABELS, REGISTRY
from ..progress import TerminalProgress
from ..views.frames import result_frame, weak_list_advice
from ..views.links import BOUNDS
from .build import add_corpus_arguments, engine_for


def bounded(kind: type, low, high):
    """An argparse type that refuses what the app's widgets refuse (negative, nan, out of range) with a clear line."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}'은(는) 숫자가 아닙니다") from None
        if not math.isfinite(value) or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text}: {low}~{high} 사이여야 합니다")
        return value
    return parse


def register(sub) -> None:
    p = sub.add_parser("recommend", help="추천")
    add_corpus_arguments(p)
    p.add_argument("--posting")
    p.add_argument("--seeker")
    p.add_argument("--target", default="posting", choices=["posting", "seeker"])
    p.add_argument("--model", default="sbert", choices=list(REGISTRY))
    p.add_argument("--k", type=bounded(int, 1, 1000), default=10)
    p.add_argument("--capital-km", type=bounded(float, *BOUNDS["capital_km"]), default=FilterSettings.capital_km)
    p.add_argument("--other-km", type=bounded(float, *BOUNDS["other_km"]), default=FilterSettings.other_km)
    for f in ("distance", "education", "career", "disability"):
        p.add_argument(f"--no-{f}", action="store_true")
    p.add_argument("--prefer", action="store_true", help="희망 직종 우선: 같은 중분류, 같은 대분류 직종을 먼저")
    p.set_defaults(func=run)


def run(args) -> int:
    engine = engine_for(args)
    query = engine.corpus.get(args.posting or args.seeker)
    if query is None:
        print(f"'{args.posting or args.seeker}' 을(를) 찾을 수 없습니다", file=sys.stderr)
        return 1
    filters = FilterSettings(distance=not args.no_distance, education=not args.no_education,
                             career=not args.no_career, disability=not args.no_disability,
                             capital_km=args.capital_km, other_km=args.other_km)
    model = engine.model(args.model, args.analyser, progress=TerminalProgress())
    result = model.recommend(query, k=args.k, filters=filters, target=args.target, prefer_occupation=args.prefer)
    print(f"[{MODEL_LABELS[args.model]}] {query.id}: {getattr(query, 'title', '') or query.text()[:40]}")
    direction = Direction.of(query, args.target)
    frame = result_frame(engine.corpus, result, args.target, direction)
    advice = weak_list_advice(engine.corpus, result, query, args.target, filters, direction)
    if advice:
        print(f"※ {advice}")
    print(frame.drop(columns=["근거"], errors="ignore").to_string(index=False))
    removed = ", ".join(f"{k} {v}건" for k, v in result.report.removed.items())
    print(f"\n후보 {result.report.total:,} → 통과 {result.report.kept:,} (제외: {removed}); {result.seconds * 1000:.0f} ms")
    return 0
