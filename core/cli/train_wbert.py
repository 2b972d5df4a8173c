"""`python -m core train-wbert`: train W-BERT (static by default, or the transformer), optionally with the report."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from ..locations import here
from ..models.wbert import LEVELS, StaticConfig, TrainConfig, accuracy_label, default_path, labelled_set, static_path, train, train_static
from ..models.wbert.report import markdown, wbert_report
from ..progress import TerminalProgress


def write_bench_report(path: Path, rep: dict) -> None:
    """The report into the bench's JSON. Keys this report does not write stay (`by_length`, which
    bench_wbert_length.py writes); the note saying the report is stale goes, as the report is now fresh."""
    kept = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    kept.pop("results_note", None)
    path.write_text(json.dumps({**kept, **rep}, ensure_ascii=False, indent=2), encoding="utf-8")


def register(sub) -> None:
    p = sub.add_parser("train-wbert", help="W-BERT 학습 (직종 분류 → 추천용 문서 벡터)과 보고서")
    p.add_argument("--variant", default="static", choices=["static", "transformer"],
                   help="static: 단어 임베딩 표 학습 (몇 분); transformer: e5 미세조정 (CPU 수십 분, GPU 권장)")
    p.add_argument("--data", default="demo", help="demo, real (고용24 2024 + 서울 2023 + 표준직무기술서), worknet-2024, worknet-seoul-2023")
    p.add_argument("--level", default="middle", choices=list(LEVELS))
    p.add_argument("--epochs", type=int, help="기본: static 15 (검증 정확도로 조기 종료), transformer 3")
    p.add_argument("--max-train", type=int, default=2400, help="transformer: 학습 표본 수 (0: 학습 라벨 전부, GPU 권장)")
    p.add_argument("--contrastive", type=float, default=0.0,
                   help="transformer: 같은 직종끼리 벡터를 모으는 대조 손실의 가중치 (0: 분류 손실만)")
    p.add_argument("--rows", default="input", choices=["input", "distilled"],
                   help="static: 시작 행 (input: e5 입력 임베딩, distilled: 교사 인코더가 토큰 하나씩 읽은 출력)")
    p.add_argument("--teacher", default="", help="static --rows distilled: 교사 폴더 (기본 e5-small; 학습한 transformer W-BERT 폴더도 됨)")
    p.add_argument("--max-len", type=int, default=128, help="transformer: 최대 토큰")
    p.add_argument("--batch", type=int, default=16, help="transformer: 배치 크기")
    p.add_argument("--lr", type=float, default=8e-5, help="transformer: 학습률")
    p.add_argument("--head", default="mean", choices=["mean", "pooler"],
                   help="transformer: 분류 헤드가 읽는 벡터 (mean: 토큰 평균 — e5가 학습한 문장 벡터, pooler: tanh(dense([CLS])), 이전 방식)")
    p.add_argument("--lr-head", type=float, help="transformer: 분류 헤드의 학습률 (기본: --lr)")
    p.add_argument("--no-freeze", action="store_true", help="transformer: 단어 임베딩도 학습 (GPU 권장)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--out", help="모델 폴더 (기본: data/models/wbert-static 또는 data/models/wbert)")
    p.add_argument("--resume", action="store_true", help="transformer: 마지막 체크포인트에서 이어서 학습")
    p.add_argument("--report", action="store_true", help="기준선(LogReg)·신뢰구간·혼동·학습 곡선·유사공고 P@5 보고서")
    p.add_argument("--bench", action="store_true", help="보고서 JSON을 bench/results/wbert.json 에도 저장")
    p.set_defaults(func=run)


def run(args) -> int:
    progress = TerminalProgress()
    data = labelled_set(args.data)
    print(f"학습 데이터: {data.note}; 직종코드에 대응하지 못한 이름 {len(data.rejects)}건")
    if args.variant == "static":
        cfg = StaticConfig(level=args.level, seed=args.seed, rows=args.rows, teacher=args.teacher,
                           out=args.out or str(static_path()))
        if args.epochs:
            cfg.epochs = args.epochs
        card = train_static(data, cfg, progress=progress)
    else:
        cfg = TrainConfig(level=args.level, max_train=args.max_train or None, max_len=args.max_len,
                          batch_size=args.batch, epochs=args.epochs or 3, lr=args.lr, head=args.head,
                          lr_head=args.lr_head, freeze_embeddings=not args.no_freeze,
                          contrastive=args.contrastive, seed=args.seed, out=args.out or str(default_path()))
        if not args.resume:
            shutil.rmtree(Path(cfg.out).parent / (Path(cfg.out).name + "-ckpt"), ignore_errors=True)
        card = train(data, cfg, progress=progress)
    print(f"W-BERT ({card['variant']}, {card['level']}): {accuracy_label(card)}, "
          f"macro-F1 {card['test_macro_f1']:.3f}, 학습 {card['train_seconds']:.0f}s → {cfg.out}")
    if args.report:
        from ..data.datasets import load_dataset

        store = load_dataset("worknet-2024", 0).store if args.data != "demo" else None  # caches SBERT vectors
        rep = wbert_report(data, transformer=card if args.variant == "transformer" else None, store=store,
                           progress=progress, seed=args.seed)
        out = here().reports_dir
        out.mkdir(parents=True, exist_ok=True)
        text = markdown(rep)
        (out / "wbert.md").write_text(text, encoding="utf-8")
        (out / "wbert.json").write_text(json.dumps(rep, ensure_ascii=False, indent=2), encoding="utf-8")
        if args.bench:
            write_bench_report(Path(__file__).resolve().parents[2] / "bench" / "results" / "wbert.json", rep)
        print(text)
        print(f"보고서: {out / 'wbert.md'}")
    return 0
