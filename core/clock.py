"""The day in Korea. A posting closes at the end of its closing date there, whatever the server's own time zone: a
server on UTC kept a posting that closed at midnight open (and printable) until 09:00 KST."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

SERVICE_TZ = ZoneInfo("Asia/Seoul")


def today() -> date:
    """Today's date in Korea (the day every closing date, registration date and 'today' view is read on)."""
    return datetime.now(SERVICE_TZ).date()


def stamp(seconds: float | None = None) -> str:
    """'2026-12-04 01:31': a moment (epoch seconds; now when None) as a counselor in Korea reads it. A server on UTC
    printed the corpus's last update nine hours behind the sheet's own date."""
    moment = datetime.now(SERVICE_TZ) if seconds is None else datetime.fromtimestamp(seconds, SERVICE_TZ)
    return moment.strftime("%Y-%m-%d %H:%M")
