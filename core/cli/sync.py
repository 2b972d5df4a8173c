"""`python -m core sync worknet|kead [--every 30m]`: pull new and changed postings from the live APIs."""
from __future__ import annotations

import re
import time

from ..data.store import Store
from ..progress import TerminalProgress
from ..sync import api_for, sync


def register(sub) -> None:
    p = sub.add_parser("sync", help="고용24·KEAD Open API에서 새 공고·변경 공고 받기 (이어받기 가능)")
    p.add_argument("api", choices=["worknet", "kead"])
    p.add_argument("--restart", action="store_true", help="저장된 이어받기 위치를 버리고 1쪽부터")
    p.add_argument("--pages", type=int, default=None, help="최대 페이지 수 (기본: 목록 끝까지)")
    p.add_argument("--every", default="", help="반복 주기, 예: 30m, 2h (서버 없이 이 명령이 반복; cron 대신)")
    p.set_defaults(func=run)


def _seconds(every: str) -> int:
    m = re.fullmatch(r"(\d+)\s*([smh])", every.strip())
    if not m or int(m.group(1)) == 0:
        raise ValueError(f"--every: '30m', '2h', '90s' 같은 주기가 필요합니다 ({every!r})")
    return int(m.group(1)) * {"s": 1, "m": 60, "h": 3600}[m.group(2)]


def run(args) -> int:
    if args.pages is not None and args.pages < 1:
        raise ValueError("--pages 는 1 이상이어야 합니다")
    wait = _seconds(args.every) if args.every else 0
    api, store = api_for(args.api), Store()
    while True:
        result = sync(store, api, restart=args.restart, max_pages=args.pages, progress=TerminalProgress())
        print(result.summary(), flush=True)
        if not wait:
            return 2 if result.stopped else 0
        args.restart = False
        time.sleep(wait)
