"""The heavy libraries (torch, transformers, sentence-transformers, scikit-learn's text module), imported by one
thread at a time.

Why: serve.py imports them in a background thread while the server waits for its first browser (~12 s on 2 cores
that a counselor's first page would otherwise spend). If that first page needs a model before the import is done,
two threads import sentence-transformers at once, and Python hands the second one the half-built package:
"cannot import name 'SentenceTransformer' from partially initialized module". A fresh server's first W-BERT page
showed exactly that. The imports on a page's path go through `import_library`, so the page waits for the
background import instead of racing it.
"""
from __future__ import annotations

import importlib
import threading

SENTENCE_TRANSFORMERS = "sentence_transformers.sentence_transformer.modules"  # with torch and transformers
SKLEARN_TEXT = "sklearn.feature_extraction.text"
_IMPORTING = threading.Lock()


def import_library(name: str) -> None:
    """Import module `name` while no other thread is importing through here (once per process; later calls only
    take and release the lock)."""
    with _IMPORTING:
        importlib.import_module(name)


def import_heavy_libraries() -> None:
    """All of them, as serve.py's background thread does."""
    for name in (SENTENCE_TRANSFORMERS, SKLEARN_TEXT):
        import_library(name)
