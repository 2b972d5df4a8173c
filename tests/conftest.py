"""Shared fixtures: every test works in a temporary data folder; models come from the set-up's folder."""
from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # pages import `ui` from the repository root, as `streamlit run app.py` does
os.environ.setdefault("JOBLENS_MODELS", str(REPO / "data" / "models"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from core import locations  # noqa: E402
from core.settings import settings  # noqa: E402

locations.use(locations.Locations.from_settings(settings()))  # the tests are an edge: settings read once, here


@pytest.fixture()
def locate(monkeypatch):
    """`locate(models=…, wbert=…, shared=…, data=…)`: point this test at other folders (core reads them through
    `core.locations`; the JOBLENS_* variables follow for the CLI and subprocesses); put back afterwards."""
    previous = locations.here()

    def point(**folders) -> locations.Locations:
        for name, path in folders.items():
            if path is None:
                monkeypatch.delenv(f"JOBLENS_{name.upper()}", raising=False)
            else:
                monkeypatch.setenv(f"JOBLENS_{name.upper()}", str(path))
        locations.use(dataclasses.replace(locations.here(), **{k: Path(v) if v else None for k, v in folders.items()}))
        return locations.here()

    yield point
    locations.use(previous)


@pytest.fixture()
def tmp_data(tmp_path, locate):
    locate(data=tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory):
    """A small deterministic demo corpus (600 postings, 150 seekers) ingested through the real readers.

    Its folder becomes the session's JOBLENS_DATA (indexes and caches go there); a fixture that points
    JOBLENS_DATA elsewhere must use monkeypatch so it is restored (see `app_data`)."""
    from core.data.demo import generate
    from core.data.ingest import ingest_file
    from core.data.store import Store

    root = tmp_path_factory.mktemp("demo")
    os.environ["JOBLENS_DATA"] = str(root)
    locations.use(dataclasses.replace(locations.here(), data=root))
    paths = generate(root / "files", n_postings=600, n_seekers=150, seed=7)
    store = Store(root / "joblens.db")
    ingest_file(store, paths["worknet"], "worknet-json", source="demo")
    ingest_file(store, paths["kead"], "kead-json", source="demo")
    ingest_file(store, paths["seekers"], "seekers-csv", source="demo-seekers")
    return store


@pytest.fixture(scope="session")
def demo_vectors(demo_store):
    """The demo corpus's SBERT vectors in the demo store's embedding cache, encoded once per session. Each test's
    engine ranks over a copy of the store, so without this every test that ranks with SBERT (or the hybrid)
    encoded the whole corpus again in its own copy: 30–90 s a test on two cores, a quarter of the suite."""
    from core.models.engine import Engine

    Engine.from_store(demo_store).model("sbert")
    return demo_store


@pytest.fixture()
def engine(demo_store, demo_vectors, tmp_path):
    """Each test its own engine over its own copy of the demo store (vectors cached inside it come along),
    so a test that adds records or corrections never changes what the next test sees."""
    import sqlite3

    from core.data.store import Store
    from core.models.engine import Engine

    copy = tmp_path / "joblens.db"
    with sqlite3.connect(copy) as target:  # the backup API copies committed pages, WAL included
        demo_store.con.backup(target)
    return Engine.from_store(Store(copy))


@pytest.fixture()
def app_data(demo_store, demo_vectors, locate):
    """The app's pages (which open `Store()` in the data folder of `core.locations`) on the demo store, with no
    store, engine or frame cached by an earlier test of this process (a cached store of another folder would
    take the page's writes)."""
    import streamlit as st

    locate(data=demo_store.path.parent)
    st.cache_resource.clear()
    st.cache_data.clear()
    return demo_store


SHARED = Path(os.environ.get("JOBLENS_SHARED", REPO.parent / "shared" / "data"))
needs_shared = pytest.mark.skipif(not (SHARED / "worknet-codes-and-places" / "jobs_codes.csv").exists(),
                                  reason="../shared/data 없음 (실데이터가 필요한 시험)")
