"""The day in Korea. A posting closes at the end of its closing date there, whatever the server's own time zone: a
server on UTC kept a posting that closed at midnight open (and printable) until 09:00 KST."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

SERVICE_TZ = ZoneInfo("Asia/Seoul")


def today() -> date:
    """Today's date in Korea (the day every closing date, registration date and 'today' view is read on)."""
    return datetime.now(SERVICE_TZ).date()
