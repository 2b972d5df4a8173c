"""Korean morpheme analysers for TF-IDF: content morphemes only (nouns, roots, foreign words).

Backends: `mecab` (python-mecab-ko, fast, no Java: the default), `kiwi` (kiwipiepy), and konlpy's
`komoran`, `okt`, `kkma` (the paper's; ~25x slower than Komoran, kept available). Particles, endings
and verbs are dropped, as the paper did.
"""
from __future__ import annotations

import re
from functools import cache

ANALYSERS = ("mecab", "kiwi", "komoran", "okt", "kkma")
_SEJONG_KEEP = ("NNG", "NNP", "XR", "SL", "SH")  # mecab / komoran / kkma / kiwi (Sejong-style tags)
_KKMA_KEEP = ("NNG", "NNP", "XR", "OL", "OH")
_OKT_KEEP = ("Noun", "Alpha")


class Analyser:
    """Callable text → list of content morphemes; picklable by name (the backend loads lazily)."""

    def __init__(self, name: str = "mecab"):
        if name not in ANALYSERS:
            raise ValueError(f"알 수 없는 형태소 분석기 '{name}' (가능: {', '.join(ANALYSERS)})")
        self.name = name

    def __getstate__(self) -> dict:
        return {"name": self.name}

    def __setstate__(self, state: dict) -> None:
        self.name = state["name"]

    def __call__(self, text: str) -> list[str]:
        text = re.sub(r"[^\w\s]", " ", text or "")
        if not text.strip():
            return []
        backend = _backend(self.name)
        if self.name == "mecab":
            return [w for w, tag in backend.pos(text) if tag.split("+")[0] in _SEJONG_KEEP and len(w) > 0]
        if self.name == "kiwi":
            return [t.form for t in backend.tokenize(text) if t.tag in _SEJONG_KEEP]
        if self.name == "okt":
            return [w for w, tag in backend.pos(text, norm=True) if tag in _OKT_KEEP]
        if self.name == "kkma":
            return [w for w, tag in backend.pos(text) if tag in _KKMA_KEEP]
        return [w for w, tag in backend.pos(text) if tag in _SEJONG_KEEP]


@cache
def _backend(name: str):
    if name == "mecab":
        from mecab import MeCab

        return MeCab()
    if name == "kiwi":
        from kiwipiepy import Kiwi

        return Kiwi()
    try:
        from konlpy import tag
    except ImportError as e:  # pragma: no cover - konlpy is in requirements
        raise RuntimeError("konlpy가 설치되어 있지 않습니다") from e
    try:
        tagger = {"komoran": tag.Komoran, "okt": tag.Okt, "kkma": tag.Kkma}[name]()
    except Exception as e:
        raise RuntimeError(f"konlpy {name} 를 시작할 수 없습니다 (Java 필요): {e}") from e
    _unlink_java_gc()
    return tagger


def _unlink_java_gc() -> None:
    """Take JPype's hook out of Python's garbage collector once the JVM runs.

    JPype (1.7) checks Java's heap on every Python collection, generation 0 included
    (jpype-project/jpype#1197), which made everything else in the process slower once a konlpy
    tagger had started: parsing a tokenizer's JSON took 23 s instead of 3 s, W-BERT training 6x
    longer. konlpy hands back plain Python strings and keeps no Python objects inside Java, so
    the two collectors have nothing to coordinate; Java still collects its own heap."""
    import gc

    for hook in java_gc_hooks():
        gc.callbacks.remove(hook)


def java_gc_hooks() -> list:
    """JPype's callbacks in Python's garbage collector (none once a konlpy tagger has started here)."""
    import gc

    return [cb for cb in gc.callbacks if getattr(cb, "__module__", None) == "_jpype"]
