"""Start the dashboard: `python serve.py [streamlit options]` (run.sh, the browser test and bench_app use it).

Why not plain `streamlit run app.py`: JobLens declares its pages with st.navigation, and the design keeps them in a
folder named pages/. Streamlit treats a pages/ folder beside the entry script as its legacy auto-discovered
multipage app until some session has called st.navigation. On a freshly started server the first request is
therefore routed by the legacy router, which knows /similar_postings but not /similar, and a shared deep link
(/seeker?seeker=…) opens with a "Page not found" notice before app.py takes over. Declaring up front that this
app does not use the pages directory closes that window; the browser test checks a fresh server's first deep
link shows no such notice. `streamlit run app.py` still works, with that notice possible on the first link only.
"""
from __future__ import annotations

import sys
import threading
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"


def _import_heavy_libraries() -> None:
    """torch, transformers and sentence-transformers take ~12 s to import on 2 cores; do it once the server is
    up and waiting for the first browser, not inside the first counselor's page load (imports are process-wide).
    Waiting for the runtime first matters: importing holds the GIL, and on a loaded CI machine importing
    alongside the server's own start delayed its health check past a minute."""
    import time

    from streamlit.runtime import Runtime, RuntimeState

    while not (Runtime.exists() and Runtime.instance().state != RuntimeState.INITIAL):
        time.sleep(0.2)
    try:
        from core.models.libraries import import_heavy_libraries

        import_heavy_libraries()  # under the lock a page's own import waits on (core/models/libraries.py)
    except Exception:  # the page that needs them reports the real error
        pass


def _without_metrics_endpoint() -> None:
    """Streamlit serves /_stcore/metrics (sessions, memory, cache sizes) to anyone, before and outside the login.
    JobLens uses none of it, and a shared server must not hand it out, so the route is never added (#29).
    Streamlit 1.67 has no setting for this: its app factory builds the route list from
    `create_metrics_routes`, replaced here by an empty list. Re-check on every Streamlit upgrade
    (tests/test_issue29.py asks a started server for the endpoint)."""
    from streamlit.web.server.starlette import starlette_app

    starlette_app.create_metrics_routes = lambda runtime, base_url: []


def main(argv: list[str]) -> int:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    _without_metrics_endpoint()

    # Streamlit 1.67 has no public setting for this: PagesManager decides from the mere existence of pages/ (its
    # class flag uses_pages_directory), and st.navigation only clears that flag on its first run. Streamlit's own
    # advice is to rename pages/ (streamlit/streamlit#9992, #8860), which the design card rules out. So we set
    # the flag as st.navigation would, before the first request. Re-check on every Streamlit upgrade.
    PagesManager.uses_pages_directory = False
    threading.Thread(target=_import_heavy_libraries, name="joblens-prewarm", daemon=True).start()
    sys.argv = ["streamlit", "run", str(APP), *argv]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
