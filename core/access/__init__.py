"""Who may use the dashboard: password hashes kept in `.streamlit/secrets.toml` ([auth] users), checked in
constant time. No Streamlit here: the login form is ui/auth.py, the hash maker `python -m core passwd`.

Why not Streamlit's own `st.login`: it signs in through an OpenID Connect provider on the internet, and
JobLens must run on a counselor's machine or an office network with nothing reachable outside.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

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


# ---------------------------------------------------------------- #29: login throttling
log = logging.getLogger("joblens.access")


@dataclass
class LoginThrottle:
    """Wrong passwords cost time, then lock: per account (someone guessing one counselor's password from many
    places) and per client (one place guessing many accounts). The first `free` failures cost nothing (a typo
    is not an attack); each one after waits twice as long as the last, up to `max_delay`; `lock_after`
    failures lock for `lock_seconds`. A success clears the account and the client. Every attempt is logged
    (name and client, never the password). 30 wrong passwords in a row once met no slowdown at all."""

    free: int = 3
    base_delay: float = 2.0
    max_delay: float = 60.0
    lock_after: int = 10
    lock_seconds: float = 15 * 60
    clock: Callable[[], float] = time.monotonic
    _failures: dict = field(default_factory=dict)  # ('account'|'client', value) → (count, time of the last)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _keys(self, name: str, client: str) -> list[tuple[str, str]]:
        return [("account", name.strip()), ("client", client or "알 수 없음")]

    def wait(self, name: str, client: str) -> float:
        """Seconds before this name from this client may try again (0: now)."""
        now = self.clock()
        with self._lock:
            waits = [last + self._delay(count) - now for count, last in
                     (self._failures.get(k, (0, 0.0)) for k in self._keys(name, client)) if count]
        return max([0.0, *waits])

    def locked(self, name: str, client: str) -> bool:
        """Locked (not merely slowed): `lock_after` failures within `lock_seconds`."""
        now = self.clock()
        with self._lock:
            return any(count >= self.lock_after and now < last + self.lock_seconds
                       for count, last in (self._failures.get(k, (0, 0.0)) for k in self._keys(name, client)))

    def _delay(self, count: int) -> float:
        if count >= self.lock_after:
            return self.lock_seconds
        if count < self.free:
            return 0.0
        return min(self.max_delay, self.base_delay * 2 ** (count - self.free))

    def failed(self, name: str, client: str) -> None:
        now = self.clock()
        with self._lock:
            for k in self._keys(name, client):
                count, last = self._failures.get(k, (0, 0.0))
                if count >= self.lock_after and now >= last + self.lock_seconds:
                    count = 0  # a lock served is forgotten
                self._failures[k] = (count + 1, now)
            counts = {k[0]: self._failures[k][0] for k in self._keys(name, client)}
        level = logging.WARNING if max(counts.values()) >= self.free else logging.INFO
        log.log(level, "login failed: account=%r client=%r failures(account)=%d failures(client)=%d%s", name.strip(),
                client, counts["account"], counts["client"],
                " — locked" if max(counts.values()) >= self.lock_after else "")

    def succeeded(self, name: str, client: str) -> None:
        with self._lock:
            for k in self._keys(name, client):
                self._failures.pop(k, None)
        log.info("login: account=%r client=%r", name.strip(), client)

    def refused(self, name: str, client: str, seconds: float) -> None:
        log.warning("login refused while throttled: account=%r client=%r wait=%.0fs", name.strip(), client, seconds)
