"""Characters a reader cannot see but a matcher does: zero-width spaces and joiners, bidi controls, the BOM,
the soft hyphen and NUL. '강남구\u200b' looks like '강남구' on screen and in a spreadsheet, yet no gazetteer
entry equals it; a bidi override can make a title read backwards. They are taken out before any matching,
and the ingest says when it did (a notice, never silence)."""
from __future__ import annotations

import re

INVISIBLE = re.compile(r"[\x00\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def strip_invisible(text: str) -> str:
    return INVISIBLE.sub("", text)
