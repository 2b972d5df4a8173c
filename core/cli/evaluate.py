"""`python -m core evaluate`: every model and direction on the same queries, Markdown + JSON report."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..data.standard_jobs import missing_hint
from ..evaluation.metrics import DIRECTIONS
from ..evaluation.report import write_report
from ..evaluation.runner import evaluate
from ..locations import here
from ..models.engine import Engine
from ..models.registry import APP_MODELS, ModelParams
from ..progress import TerminalProgress
from ..settings import settings
from .build import bounded


def register(sub) -> None:
    p = sub.add_parser("evaluate", help="평가 보고서 (Markdown + JSON)")
    p.add_argument("--data", default="demo", help="demo, worknet-2024, worknet-seoul-2023 (쉼표) 또는 all")
    p.add_argument("--models", default="all")
    p.add_argument("--directions", type=directions_arg, default="all", help="all 또는 " + ", ".join(DIRECTIONS) + " (쉼표)")
    p.add_argument("--queries", type=bounded(int, 1, 1_000_000), default=300)
    p.add_argument("--seekers", type=bounded(int, 1, 10_000_000), default=3000, help="실데이터 평가에 쓰는 KEAD 구직자 표본 수")
    p.add_argument("--split", choices=["dev", "test"], help="그 절반의 질의만 (튜닝은 dev를 읽습니다; 보고는 test)")
    p.add_argument("--out")
    p.add_argument("--stem", help="보고서 파일 이름 (기본: evaluation, --blind 이면 evaluation-blind)")
    p.add_argument("--blind", action="store_true",
                   help="블라인드: 공고의 직종코드와 거기서 나온 필드(직종명·표준직무 보강·우선 순위)를 숨기고, 숨긴 코드로만 관련성 판정")
    p.set_defaults(func=run)


def directions_arg(text: str) -> list[str]:
    """'all' or directions separated by commas, each one of DIRECTIONS (a typo once ended in an English enum error)."""
    if text == "all":
        return list(DIRECTIONS)
    wanted = [d.strip() for d in text.split(",") if d.strip()]
    unknown = [d for d in wanted if d not in DIRECTIONS]
    if unknown or not wanted:
        raise argparse.ArgumentTypeError(f"알 수 없는 방향 {', '.join(map(repr, unknown)) or repr(text)}: all 또는 "
                                         + ", ".join(DIRECTIONS) + " 중에서 고르세요")
    return wanted


def run(args) -> int:
    models = list(APP_MODELS) if args.models == "all" else args.models.split(",")
    directions = args.directions
    datasets = ["demo", "worknet-2024"] if args.data == "all" else args.data.split(",")
    progress = TerminalProgress()
    if hint := missing_hint():
        print(f"※ {hint}")
    results = []
    for ds in datasets:
        engine = Engine.for_dataset(ds, args.seekers, progress, ModelParams.from_settings(settings()), blind=args.blind)
        dirs = [d for d in directions if ds != "worknet-seoul-2023" or d == "posting->posting"]
        label = f"{ds} (블라인드)" if args.blind else ds
        results += evaluate(engine, label, models, dirs, args.queries, progress=progress, split=args.split)
    stem = args.stem or ("evaluation-blind" if args.blind else "evaluation")
    md, js = write_report(results, Path(args.out) if args.out else here().reports_dir, stem)
    print(md.read_text(encoding="utf-8"))
    print(f"\n보고서: {md}\n       {js}")
    return 0
