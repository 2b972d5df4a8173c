"""The one way JobLens writes a CSV for people to open: every text cell a spreadsheet would run as a formula
gets a leading apostrophe (OWASP CSV injection), and UTF-8 with a BOM so Excel reads Korean. Posting text,
imported judgments and source names are untrusted, so no export may bypass this (an imported
'=HYPERLINK(…)' once went out raw through the judgments export)."""
from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence

FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """'=1+1' → "'=1+1"; a missing value (None, NaN) → '' as a spreadsheet shows it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_LEAD) else value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([neutralise(h) for h in header])
    writer.writerows([neutralise(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")
