"""Who may use the dashboard: password hashes kept in `.streamlit/secrets.toml` ([auth] users), checked in
constant time. No Streamlit here: the login form is ui/auth.py, the hash maker `python -m core passwd`.

Why not Streamlit's own `st.login`: it signs in through an OpenID Connect provider on the internet, and
JobLens must run on a counselor's machine or an office network with nothing reachable outside.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

LOCAL_ADDRESSES = {"127.0.0.1", "localhost", "::1"}
ROUNDS = 200_000


def hash_password(password: str, salt: str | None = None, rounds: int = ROUNDS) -> str:
    """'pbkdf2_sha256$rounds$salt$hex': what goes into secrets.toml, never the password itself."""
    if len(password) < 8:
        raise ValueError("비밀번호는 8자 이상이어야 합니다")
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt.encode("ascii"), rounds).hex()
    return f"pbkdf2_sha256${rounds}${salt}${digest}"


def verify(stored: str, password: str) -> bool:
    """True when `password` matches the stored hash; a malformed entry never matches."""
    try:
        scheme, rounds, salt, digest = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        got = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt.encode("ascii"), int(rounds)).hex()
    except (ValueError, UnicodeEncodeError):
        return False
    return hmac.compare_digest(got, digest)


def sign_in(users: dict[str, str], name: str, password: str) -> str | None:
    """The user's name when name and password match an entry, else None (the same answer for both mistakes)."""
    stored = users.get(name.strip())
    ok = verify(stored, password) if stored else verify(hash_password("x" * 8, "0" * 32), password)  # same cost
    return name.strip() if stored and ok else None


def login_required(address: str | None, users: dict[str, str]) -> bool:
    """Localhost with no accounts: a counselor's own machine, no login. Accounts configured, or a server
    listening beyond this machine: everyone signs in."""
    return bool(users) or (address or "").strip() not in LOCAL_ADDRESSES
