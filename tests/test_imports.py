"""A fresh server imports the heavy libraries in a background thread (serve.py) while its first page may already
need a model. Two threads importing sentence-transformers at once break it for the whole process ("cannot import
name 'SentenceTransformer' from partially initialized module"): a fresh server's first W-BERT page said
'W-BERT: 학습 필요' with that error, and every later load failed the same way. Each test runs in a fresh
interpreter, where nothing is imported yet."""
from __future__ import annotations

import subprocess
import sys
import textwrap

from core.settings import REPO


def _fresh_python(script: str) -> str:
    run = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=REPO, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout.strip()


def test_a_page_loading_a_model_waits_for_the_background_import():
    """While the background import holds the lock, the page's model module does not start its own import of
    sentence-transformers; once it is released, the page's import completes."""
    out = _fresh_python("""
        import sys, threading, time
        from core.models import libraries

        libraries._IMPORTING.acquire()  # as serve.py's background thread holds it while importing
        failed = []

        def page():
            try:
                from core.models.chargrams import load_sentence_model  # noqa: F401
            except Exception as e:
                failed.append(repr(e))

        thread = threading.Thread(target=page)
        thread.start()
        time.sleep(1.5)
        started = "sentence_transformers" in sys.modules
        libraries._IMPORTING.release()
        thread.join(240)
        print(started, thread.is_alive(), failed)
    """)
    assert out == "False False []", out


def test_serve_py_background_import_beside_a_first_page_leaves_both_working():
    """serve.py's own background function (its wait for the runtime satisfied) and, a moment later, a page
    opening the W-BERT model module and the TF-IDF one: neither sees a half-imported package."""
    out = _fresh_python("""
        import threading, time
        from streamlit.runtime import Runtime, RuntimeState

        import serve

        class Running:
            state = RuntimeState.NO_SESSIONS_CONNECTED

        Runtime.exists = staticmethod(lambda: True)
        Runtime.instance = staticmethod(lambda: Running)
        failed = []

        def page():
            try:
                from core.models.chargrams import load_sentence_model  # noqa: F401
                from core.models.tfidf import TfidfRecommender
                from sentence_transformers import SentenceTransformer  # noqa: F401

                TfidfRecommender.fit  # noqa: B018
            except Exception as e:
                failed.append(repr(e))

        background = threading.Thread(target=serve._import_heavy_libraries)
        background.start()
        time.sleep(0.5)
        first_page = threading.Thread(target=page)
        first_page.start()
        background.join(240)
        first_page.join(240)
        from sentence_transformers import SentenceTransformer  # noqa: F401  (the process can still load models)

        print(failed)
    """)
    assert out == "[]", out


def test_the_app_waits_for_the_background_import_before_any_page(demo_store):
    """app.py, before any page runs: while the background import holds the lock, the app imports nothing heavy
    of its own; once it is released, the start page draws without an exception."""
    out = _fresh_python("""
        import sys, threading, time
        from streamlit.testing.v1 import AppTest
        from core.models import libraries

        libraries._IMPORTING.acquire()  # serve.py's background import under way
        app = AppTest.from_file("app.py", default_timeout=240)
        done = threading.Event()

        def open_the_app():
            app.run()
            done.set()

        thread = threading.Thread(target=open_the_app)
        thread.start()
        time.sleep(3)
        waited = not done.is_set() and "sentence_transformers" not in sys.modules
        libraries._IMPORTING.release()
        thread.join(240)
        print(waited, done.is_set(), [e.value for e in app.exception])
    """)
    assert out == "True True []", out
