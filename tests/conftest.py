"""Shared fixtures: every test works in a temporary data folder; models come from the set-up's folder."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # pages import `ui` from the repository root, as `streamlit run app.py` does
os.environ.setdefault("JOBLENS_MODELS", str(REPO / "data" / "models"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture()
def tmp_data(tmp_path, monkeypatch):
    monkeypatch.setenv("JOBLENS_DATA", str(tmp_path))
    return tmp_path


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory):
    """A small deterministic demo corpus (600 postings, 150 seekers) ingested through the real readers."""
    from core.demo import generate
    from core.ingest import ingest_file
    from core.store import Store

    root = tmp_path_factory.mktemp("demo")
    os.environ["JOBLENS_DATA"] = str(root)
    paths = generate(root / "files", n_postings=600, n_seekers=150, seed=7)
    store = Store(root / "joblens.db")
    ingest_file(store, paths["worknet"], "worknet-json", source="demo")
    ingest_file(store, paths["kead"], "kead-json", source="demo")
    ingest_file(store, paths["seekers"], "seekers-csv", source="demo-seekers")
    return store


@pytest.fixture(scope="session")
def engine(demo_store):
    from core.recommend import Engine

    return Engine.from_store(demo_store)
