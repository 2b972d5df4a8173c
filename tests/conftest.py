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
        if folders.get("models"):
            _link_e5(locations.here().models_dir, Path(folders["models"]))
        for name, path in folders.items():
            if path is None:
                monkeypatch.delenv(f"JOBLENS_{name.upper()}", raising=False)
            else:
                monkeypatch.setenv(f"JOBLENS_{name.upper()}", str(path))
        locations.use(dataclasses.replace(locations.here(), **{k: Path(v) if v else None for k, v in folders.items()}))
        return locations.here()

    yield point
    locations.use(previous)


def _link_e5(source: Path, target: Path) -> None:
    """A models folder of a test's own gets set-up's converted e5 as a link: the conversion is deterministic and
    costs ~9 s of CPU, which each such test paid again before (tests/test_engine.py checks the conversion)."""
    from core.models.encoders import E5_FOLDER

    if (source / E5_FOLDER / "modules.json").exists() and not (target / E5_FOLDER).exists():
        target.mkdir(parents=True, exist_ok=True)
        (target / E5_FOLDER).symlink_to(source / E5_FOLDER, target_is_directory=True)


@pytest.fixture()
def tmp_data(tmp_path, locate):
    locate(data=tmp_path)
    return tmp_path


def _build_demo(root: Path) -> Path:
    """The small deterministic demo corpus (600 postings, 150 seekers) ingested through the real readers into
    root/joblens.db, with its SBERT vectors in the store's embedding cache."""
    from core.data.demo import generate
    from core.data.ingest import ingest_file
    from core.data.store import Store
    from core.models.engine import Engine

    previous = locations.use(dataclasses.replace(locations.here(), data=root))
    try:
        paths = generate(root / "files", n_postings=600, n_seekers=150, seed=7)
        store = Store(root / "joblens.db")
        ingest_file(store, paths["worknet"], "worknet-json", source="demo")
        ingest_file(store, paths["kead"], "kead-json", source="demo")
        ingest_file(store, paths["seekers"], "seekers-csv", source="demo-seekers")
        # encoded once per run: without it every test that ranks with SBERT (or the hybrid) encoded the whole
        # corpus again in its own copy of the store, 30–90 s a test on two cores
        Engine.from_store(store).model("sbert")
        store.con.close()
    finally:
        locations.use(previous)
    return root / "joblens.db"


@pytest.fixture(scope="session")
def _demo_original(tmp_path_factory) -> Path:
    """The demo store, built once per run. With pytest-xdist (test.sh runs two workers) the first worker builds it
    in the run's shared temporary folder under a file lock and the other finds it there: each worker then works
    on a copy of its own, so no test of one worker ever sees another's writes."""
    from filelock import FileLock

    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return _build_demo(tmp_path_factory.mktemp("demo-original"))
    shared = tmp_path_factory.getbasetemp().parent / "demo-original"
    with FileLock(str(shared) + ".lock"):
        if not (shared / "built").exists():
            shared.mkdir(exist_ok=True)
            _build_demo(shared)
            (shared / "built").touch()
    return shared / "joblens.db"


def _copy_store(source: Path, target: Path):
    """A Store over a copy of `source` (the backup API copies committed pages, WAL included)."""
    import sqlite3

    from core.data.store import Store

    with sqlite3.connect(source) as original, sqlite3.connect(target) as copy:
        original.backup(copy)
    return Store(target)


@pytest.fixture(scope="session")
def demo_store(_demo_original, tmp_path_factory):
    """This process's copy of the demo corpus (600 postings, 150 seekers, SBERT vectors cached).

    Its folder becomes the session's JOBLENS_DATA (indexes and caches go there); a fixture that points
    JOBLENS_DATA elsewhere must use monkeypatch so it is restored (see `app_data`)."""
    root = tmp_path_factory.mktemp("demo")
    os.environ["JOBLENS_DATA"] = str(root)
    locations.use(dataclasses.replace(locations.here(), data=root))
    return _copy_store(_demo_original, root / "joblens.db")


@pytest.fixture(scope="session")
def demo_vectors(demo_store):
    """The demo store with its SBERT vectors cached (they come with the copy; kept as the name tests ask for)."""
    return demo_store


@pytest.fixture()
def demo_copy(demo_store, demo_vectors):
    """`demo_copy(path)`: a Store over a copy of this process's demo store (its cached vectors come along), so a
    test that writes changes no other test."""
    return lambda target: _copy_store(demo_store.path, target)


@pytest.fixture()
def engine(demo_copy, tmp_path):
    """Each test its own engine over its own copy of the demo store, so a test that adds records or corrections
    never changes what the next test sees."""
    from core.models.engine import Engine

    return Engine.from_store(demo_copy(tmp_path / "joblens.db"))


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
