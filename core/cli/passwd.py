"""`python -m core passwd NAME`: the line to paste into .streamlit/secrets.toml for one dashboard account."""
from __future__ import annotations

import getpass

from ..access import hash_password


def register(sub) -> None:
    p = sub.add_parser("passwd", help="대시보드 계정의 비밀번호 해시 만들기 (secrets.toml [auth.users]에 붙여 넣기)")
    p.add_argument("name", help="계정 이름 (수정·판정 기록에 남는 이름)")
    p.set_defaults(func=run)


def run(args) -> int:
    password = getpass.getpass("비밀번호 (8자 이상): ")
    if password != getpass.getpass("한 번 더: "):
        raise ValueError("두 비밀번호가 다릅니다")
    print("# .streamlit/secrets.toml\n[auth.users]")
    print(f'"{args.name}" = "{hash_password(password)}"')
    return 0
