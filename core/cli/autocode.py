"""`python -m core autocode`: W-BERT predicts the 직종 of every record without one; sure predictions are used,
the rest wait for an analyst on the W-BERT page."""
from __future__ import annotations

import math

from ..data.store import Store
from ..models.wbert.autocode import autocode, coding_classifier
from ..progress import TerminalProgress


def register(sub) -> None:
    p = sub.add_parser("autocode", help="직종 코드 없는 공고·구직자의 직종을 W-BERT로 예측 (확실하면 사용, 아니면 검토 목록)")
    p.add_argument("--model", help="정적 W-BERT 폴더 (기본: 앱이 쓰는 W-BERT)")
    p.add_argument("--threshold", type=float, help="이 신뢰도 이상이면 사용 (기본: 모델 카드의 dev 선택값)")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.threshold is not None and not (math.isfinite(args.threshold) and 0 <= args.threshold <= 1):
        raise ValueError(f"--threshold는 0에서 1 사이의 신뢰도여야 합니다 (지금: {args.threshold})")
    classifier = coding_classifier(args.model)
    counts = autocode(Store(), classifier, args.threshold, progress=TerminalProgress())
    print(counts.summary())
    return 0
