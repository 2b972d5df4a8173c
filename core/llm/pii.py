"""Personal data masked before any text leaves the machine: phones, e-mails, resident numbers, contact
names and addresses below 읍면동."""
from __future__ import annotations

import re

_PII_PATTERNS: list[tuple[str, re.Pattern, str]] = [
    ("주민등록번호", re.compile(r"\b\d{6}\s*-\s*[1-4]\d{6}\b"), "[주민번호]"),
    ("이메일", re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "[이메일]"),
    ("전화번호", re.compile(r"(?<!\d)(0\d{1,2}|1\d{3})[\s.-]?\d{3,4}[\s.-]?\d{4}(?!\d)"), "[전화번호]"),
    ("담당자", re.compile(r"(담당자(?:명)?|채용담당|인사담당|문의)\s*[:：]?\s*([가-힣]{2,4})(\s*(?:과장|대리|주임|팀장|부장|차장|실장|사원|매니저|님))?"),
     r"\1 [담당자]"),
    ("상세주소", re.compile(r"([가-힣0-9]+(?:로|길))\s*\d+(?:-\d+)?(?:\s*,?\s*[\w가-힣-]*\s*\d+\s*(?:층|호|동))*"), "[상세주소]"),
    ("지번", re.compile(r"([가-힣]+(?:동|읍|면|리|가))\s+\d+(?:-\d+)?(?:번지)?(?:\s*\d+\s*(?:층|호))*"), r"\1 [상세주소]"),
]


def mask_pii(text: str) -> tuple[str, dict[str, int]]:
    """Mask phone numbers, e-mails, resident numbers, contact names and addresses below 읍면동."""
    counts: dict[str, int] = {}
    for name, pattern, repl in _PII_PATTERNS:
        text, n = pattern.subn(repl, text)
        if n:
            counts[name] = n
    return text, counts
