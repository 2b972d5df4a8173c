"""JobLens command line: `python -m core <command>`. One module per command, each with `register(sub)`;
the CLI imports the domain packages and is never imported by them."""
from __future__ import annotations

import argparse
import importlib
import sys
import traceback

from ..data.store import DatabaseError

COMMANDS = ("setup", "demo", "ingest", "build", "recommend", "recsets", "evaluate", "extract", "train_wbert", "passwd",
            "sync", "autocode")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description="JobLens 명령줄")
    parser.add_argument("--debug", action="store_true", help="오류가 나면 전체 추적(traceback)을 보여 줍니다")
    sub = parser.add_subparsers(dest="cmd", required=True)
    for name in COMMANDS:  # an import error here is a real error: no command silently disappears
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from ..locations import Locations, use
    from ..settings import settings

    args = build_parser().parse_args(argv)
    use(Locations.from_settings(settings()))  # the CLI is an edge: the settings are read here, once per command
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("중단됨 (저장된 데이터는 그대로입니다; 같은 명령으로 이어서 실행할 수 있습니다)", file=sys.stderr)
        return 130
    except (OSError, ValueError) as e:  # a user's mistake (missing file, bad value), a store error: one clear line
        if args.debug:
            traceback.print_exc()
        print(f"오류: {e}", file=sys.stderr)
        return 1
    except DatabaseError as e:  # a store error the Store did not put in words (it names those it knows)
        if args.debug:
            traceback.print_exc()
        print(f"오류: 저장소(SQLite)를 읽거나 쓸 수 없습니다 ({e}). 다른 작업이 쓰는 중이면 끝난 뒤 다시 실행하세요", file=sys.stderr)
        return 1
