"""`python -m core train-wbert`: fine-tune W-BERT (직종 classifier → recommender encoder), optional report."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from ..models.wbert import LEVELS, TrainConfig, default_path, train
from ..models.wbert.report import labelled_postings, training_report
from ..progress import TerminalProgress


def register(sub) -> None:
    p = sub.add_parser("train-wbert", help="W-BERT 학습 (직종 분류 미세조정 → 추천용 인코더)")
    p.add_argument("--data", default="demo", help="demo, worknet-2024, worknet-seoul-2023")
    p.add_argument("--level", default="major", choices=list(LEVELS))
    p.add_argument("--max-train", type=int, default=2400)
    p.add_argument("--max-len", type=int, default=128)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--lr", type=float, default=8e-5)
    p.add_argument("--no-freeze", action="store_true", help="단어 임베딩도 학습 (GPU 권장)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--out")
    p.add_argument("--resume", action="store_true", help="마지막 체크포인트에서 이어서 학습")
    p.add_argument("--report", action="store_true", help="기준선(LogReg)과 유사공고 정밀도 보고서 작성")
    p.set_defaults(func=run)


def run(args) -> int:
    texts, codes, note = labelled_postings(args.data)
    cfg = TrainConfig(level=args.level, max_train=args.max_train, max_len=args.max_len, batch_size=args.batch,
                      epochs=args.epochs, lr=args.lr, freeze_embeddings=not args.no_freeze, seed=args.seed,
                      out=args.out or str(default_path()))
    if not args.resume:
        shutil.rmtree(Path(cfg.out).parent / (Path(cfg.out).name + "-ckpt"), ignore_errors=True)
    card = train(texts, codes, cfg, note, progress=TerminalProgress())
    print(f"W-BERT: 테스트 정확도 {card['test_accuracy']:.3f}, macro-F1 {card['test_macro_f1']:.3f}, 학습 {card['train_seconds']:.0f}s")
    if args.report:
        report = training_report(card, texts, codes, Path(cfg.out))
        path = Path(cfg.out) / "report.json"
        path.write_text(json.dumps(report, ensure_ascii=False, indent=2))
        print(json.dumps({k: v for k, v in report.items() if k != "card"}, ensure_ascii=False, indent=2))
        print(f"보고서: {path}")
    return 0
