"""`python -m core ingest FILE --format …`: read, normalise and store one file."""
from __future__ import annotations

import json
from pathlib import Path

from .. import clock
from ..data.ingest import FORMATS, ingest_file
from ..data.store import Store
from ..progress import TerminalProgress


def register(sub) -> None:
    p = sub.add_parser("ingest", help="파일 수집")
    p.add_argument("file")
    p.add_argument("--format", required=True, choices=list(FORMATS))
    p.add_argument("--mapping", help="열 대응 JSON (파일 경로 또는 문자열): {\"원본열\": \"필드\"}")
    p.add_argument("--source")
    p.set_defaults(func=run)


def load_mapping(value: str | None) -> dict[str, str] | None:
    """A JSON object, given inline or as a file path; anything else is a clear error."""
    if not value:
        return None
    text = Path(value).read_text(encoding="utf-8") if Path(value).is_file() else value
    try:
        mapping = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"--mapping: JSON이 아닙니다 ({e.msg}, 열 {e.colno})") from None
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        raise ValueError("--mapping: {\"원본열\": \"필드\"} 형태의 JSON 객체여야 합니다")
    return mapping


def run(args) -> int:
    store = Store()
    for cut in store.interrupted_ingests():
        print(f"주의: 이전 수집이 끝나지 않았습니다 ({cut['source_file']}, {clock.stamp(cut['at'])}). "
              "일부 행만 저장되었을 수 있으니 같은 파일을 다시 수집하세요 (중복 없이 갱신됩니다).")
    report = ingest_file(store, args.file, args.format, mapping=load_mapping(args.mapping), source=args.source,
                         progress=TerminalProgress())
    print(report.summary())
    return 0
