"""The heavy libraries (torch, transformers, sentence-transformers, scikit-learn), imported by one thread at a time.

Why: serve.py imports them in a background thread while the server waits for its first browser (~12 s on 2 cores
that a counselor's first page would otherwise spend). If that first page needs a model before the import is done,
two threads import sentence-transformers (or scikit-learn) at once, and Python hands both the half-built package:
"cannot import name 'SentenceTransformer' from partially initialized module", after which every model load of the
process failed. A fresh server's first W-BERT page showed exactly that. So the background import and the app's
own wait go through `import_heavy_libraries` (app.py waits before any page runs), and the two places that load a
model outside the app's thread too (a folder's n-gram module, `SBERTEncoder`) call it themselves.
"""
from __future__ import annotations

import importlib
import threading

HEAVY = ("sentence_transformers.sentence_transformer.modules",  # with torch and transformers
         "sklearn.feature_extraction.text", "sklearn.preprocessing", "sklearn.metrics")
_IMPORTING = threading.RLock()  # reentrant: a locked import that reached a module calling this again would not hang
_imported = False


def import_heavy_libraries() -> None:
    """Import them all in one hold of the lock (once per process; later calls only take and release it)."""
    global _imported
    with _IMPORTING:
        for name in HEAVY:
            importlib.import_module(name)
        _imported = True


def heavy_libraries_imported() -> bool:
    """Whether they are all imported (then `import_heavy_libraries` returns at once): the app shows a
    'preparing' note only when it will really wait."""
    return _imported
