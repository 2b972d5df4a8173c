"""`python -m core demo`: generate the synthetic demo corpus and ingest it through the real readers."""
from __future__ import annotations

from ..data.demo import generate
from ..data.ingest import ingest_file
from ..data.store import Store
from ..locations import here
from ..progress import TerminalProgress


def register(sub) -> None:
    p = sub.add_parser("demo", help="합성 데모 코퍼스 생성·수집")
    p.add_argument("--postings", type=int, default=5000)
    p.add_argument("--seekers", type=int, default=500)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=run)


def run(args) -> int:
    store = Store()
    if store.count_postings("demo") >= args.postings and not args.force:
        print(f"데모 코퍼스 이미 있음: {store.counts()}")
        return 0
    paths = generate(here().data_dir / "demo", n_postings=args.postings, n_seekers=args.seekers, seed=args.seed)
    for fmt, key, source in (("worknet-json", "worknet", "demo"), ("kead-json", "kead", "demo"),
                             ("seekers-csv", "seekers", "demo-seekers")):
        print(ingest_file(store, paths[key], fmt, source=source, progress=TerminalProgress()).summary())
    return 0
