"""`python -m core extract`: posting structure and disability suitability, LLM when configured, else rules."""
from __future__ import annotations

import time
from collections import Counter

from ..data.datasets import load_dataset
from ..data.store import Store
from ..llm.extract import answer_model, cache_key, extract_all
from ..progress import TerminalProgress
from ..settings import settings


def register(sub) -> None:
    p = sub.add_parser("extract", help="공고 구조화·장애유형 적합성 추출 (기본: 오프라인 규칙)")
    p.add_argument("--extractor", choices=["rules", "llm"], default=None, help="기본: LLM 설정이 있으면 llm, 없으면 rules")
    p.add_argument("--data", default="demo", help="demo (앱 저장소) 또는 worknet-2024, worknet-seoul-2023, saramin")
    p.add_argument("--sources", default="", help="공고 출처 (쉼표); 빈 값이면 전체")
    p.add_argument("--runs", type=int, default=1, help="일관성 모드: LLM에 N번 묻고 유형별 일치도 저장")
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--refresh", action="store_true", help="저장된 성공 결과도 다시 추출 (실패는 언제나 다시 시도)")
    p.set_defaults(func=run)


def run(args) -> int:
    cfg = settings().llm
    extractor = args.extractor or ("llm" if cfg else "rules")
    if args.data == "demo":
        store = Store()
        sources = [s for s in args.sources.split(",") if s]
        postings = [p for p in store.postings() if not sources or p.source in sources]
    else:  # a shared dataset, in the evaluation store (ingested once)
        data = load_dataset(args.data, seekers_sample=0)
        store, postings = data.store, data.postings
    if args.limit:
        postings = postings[:args.limit]
    start = time.time()
    counts = extract_all(store, postings, extractor, cfg, args.runs, progress=TerminalProgress(), refresh=args.refresh)
    seconds = time.time() - start
    stored = [store.get_extraction(cache_key(p, extractor, answer_model(extractor, cfg, args.runs))) for p in postings]
    ok = [r["result"] for r in stored if r and r["status"] == "ok"]
    with_suitable = sum(bool(r["suitable_types"]) for r in ok)
    with_any = sum(bool(r["suitable_types"] or r["unsuitable_types"]) for r in ok)
    fired = Counter(f for r in ok for f in r.get("rules_fired", []))
    print(f"{extractor}: 공고 {len(postings):,}건, 성공 {counts['ok']:,} · 충돌(검토 필요) {counts['conflict']:,} · "
          f"실패(판정 없음) {counts['failed']:,}, {seconds:.1f}s")
    failed = [(p, r) for p, r in zip(postings, stored) if r and r["status"] == "failed"]
    for p, r in failed[:5]:
        print(f"  판정 없음: {p.id} — {r['error']}")
    if len(failed) > 5:
        print(f"  … 외 {len(failed) - 5:,}건 (장애 구직자에게는 '판정 없음 제외' 필터로 보이지 않음)")
    if ok:
        print(f"적합 유형 1개 이상: {with_suitable / len(ok):.1%}; 적합/부적합 중 하나 이상: {with_any / len(ok):.1%}")
    if fired:
        print("자주 적용된 규칙: " + ", ".join(f"{k} {v:,}" for k, v in fired.most_common(8)))
    if "stopped" in counts:
        print(f"중단: {counts['stopped']}\n설정을 고친 뒤 같은 명령을 다시 실행하면 {counts['resume_at']:,}번째 공고부터 이어서 추출합니다 "
              "(저장된 성공 결과는 건너뜀).")
        return 2
    return 0
