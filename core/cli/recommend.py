"""`python -m core recommend --posting ID | --seeker ID`: one filtered list, printed as a table."""
from __future__ import annotations

import sys

from ..data.kinds import Direction
from ..filters import FilterSettings
from ..models.registry import MODEL_LABELS, REGISTRY
from ..progress import TerminalProgress
from ..text.particles import particle
from ..views.frames import (
    closed_query_note,
    filters_off_note,
    prefer_note,
    result_frame,
    split_at_floor,
    unstated_disability_note,
    weak_list_advice,
)
from ..views.links import BOUNDS
from ..views.relevance import DIVIDER
from .build import add_corpus_arguments, bounded, engine_for


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
    engine = engine_for(args, read_only=True)  # a list only reads: it works on a read-only or busy store
    query = engine.corpus.get(args.posting or args.seeker)
    if query is None:
        print(f"{particle(repr(args.posting or args.seeker), '을/를')} 찾을 수 없습니다", file=sys.stderr)
        return 1
    filters = FilterSettings(distance=not args.no_distance, education=not args.no_education,
                             career=not args.no_career, disability=not args.no_disability,
                             capital_km=args.capital_km, other_km=args.other_km)
    result = engine.recommend(args.model, args.analyser, query, args.target, args.k, filters,
                              prefer_occupation=args.prefer, progress=TerminalProgress())
    print(f"[{MODEL_LABELS[args.model]}] {query.id}: {getattr(query, 'title', '') or query.text()[:40]}")
    direction = Direction.of(query, args.target)
    frame = result_frame(engine.corpus, result, args.target, direction, query)
    if result.report.note:  # e.g. a 시도-level place: 시도 membership instead of a distance
        print(f"※ {result.report.note}")
    for note in (unstated_disability_note(query),  # as the pages say them above a list
                 closed_query_note(engine.corpus, query, direction),
                 filters_off_note(filters, args.target, disability=direction != "posting->posting", query=query,
                                  radius_km=result.report.radius_km)):
        if note:
            print(f"※ {note}")
    if args.prefer:
        print(f"※ {prefer_note(query)}")
    advice = weak_list_advice(engine.corpus, result, query, args.target, filters, direction)
    if advice:
        print(f"※ {advice}")
    above, below = split_at_floor(frame)
    for part in (above, below):
        if part is below and not part.empty:
            print(f"── {DIVIDER} ({len(part)}건) ──")
        if not part.empty:
            print(part.drop(columns=["근거", "모델 근거", "관련"], errors="ignore").to_string(index=False))
    removed = ", ".join(f"{k} {v}건" for k, v in result.report.removed.items())
    print(f"\n후보 {result.report.total:,} → 통과 {result.report.kept:,} (제외: {removed}); {result.seconds * 1000:.0f} ms"
          + (" (저장된 추천 세트)" if result.stored else ""))
    return 0
