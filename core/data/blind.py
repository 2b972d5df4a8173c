"""Blind evaluation: a posting as the text models see it when its 직종 code is hidden.

With the code present, much of what a model "understands" comes through the code itself: the KEIS
standard description a short posting is enriched with is chosen by the code, and relevance is that same
code. Blind, a posting keeps only what its employer wrote (title, duties, conditions); the code and every
field derived from it go: `jobsCd` and the normalised `occupation` (so no code-keyed enrichment, no
'희망 직종 우선' tier and no rule on the 직종 line can use it) and the occupation names `jobNm` / `relJobsNm`
(고용24 fills them from the code). The code is kept apart as the hidden relevance label.
Seekers are never blinded: their desired occupation is their own input.
"""
from __future__ import annotations

from dataclasses import replace

from .records import Posting

CODE_FIELDS = ("jobsCd", "occupation", "occupation_source")  # a guessed code goes with its mark
NAME_FIELDS = ("jobNm", "relJobsNm")
BLIND_FIELDS = CODE_FIELDS + NAME_FIELDS


def blinded(p: Posting) -> Posting:
    """A copy of `p` without its 직종 code and the occupation names derived from it."""
    return replace(p, **{f: "" for f in BLIND_FIELDS})
