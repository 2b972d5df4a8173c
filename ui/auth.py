"""The login gate in front of every page (app.py calls it before navigation) and the signed-in user that
corrections and judgments are recorded under."""
from __future__ import annotations

import streamlit as st

from core.access import LoginThrottle, login_required, sign_in


def accounts() -> dict[str, str]:
    """[auth.users] of .streamlit/secrets.toml: name → password hash. None configured → {}."""
    try:
        return {str(k): str(v) for k, v in st.secrets.get("auth", {}).get("users", {}).items()}
    except FileNotFoundError:  # no secrets.toml at all
        return {}


@st.cache_resource
def throttle() -> LoginThrottle:
    """One per server process: wrong passwords from every session count together."""
    return LoginThrottle()


def _client() -> str:
    try:
        return st.context.ip_address or "local"
    except Exception:  # no request context (a test harness)
        return "local"


def signed_in_user() -> str | None:
    return st.session_state.get("user")


def require_login() -> str | None:
    """Stop the page until someone signs in, where a login is needed; the user's name, or None when not."""
    users = accounts()
    if not login_required(st.get_option("server.address"), users):
        return None
    if not users:
        st.error("이 서버는 이 컴퓨터 밖에서도 접속할 수 있는데 계정이 없습니다. 구직자 정보를 보호하려면 "
                 "`python -m core passwd 이름`으로 만든 줄을 .streamlit/secrets.toml의 [auth.users]에 넣고 다시 시작하세요.")
        st.stop()
    user = signed_in_user()
    if user in users:
        with st.sidebar:
            st.caption(f"로그인: {user}")
            if st.button("로그아웃", key="logout"):
                del st.session_state["user"]
                st.rerun()
        return user
    st.title("JobLens 로그인")
    with st.form("login"):
        name = st.text_input("이름")
        password = st.text_input("비밀번호", type="password")
        if st.form_submit_button("로그인", type="primary"):
            gate, client = throttle(), _client()
            wait = gate.wait(name, client)
            if wait > 0:  # not even checked: a guess during the wait tells nothing and costs the guesser
                gate.refused(name, client, wait)
                minutes = f"{wait / 60:.0f}분" if wait >= 90 else f"{wait:.0f}초"
                st.error(("로그인이 잠겼습니다: 틀린 비밀번호가 너무 많습니다. " if gate.locked(name, client)
                          else "틀린 비밀번호가 여러 번 입력되었습니다. ") + f"{minutes} 뒤에 다시 시도하세요.")
                st.stop()
            user = sign_in(users, name, password)
            if user:
                gate.succeeded(name, client)
                st.session_state["user"] = user
                st.rerun()
            gate.failed(name, client)
            st.error("이름 또는 비밀번호가 맞지 않습니다.")
    st.stop()
