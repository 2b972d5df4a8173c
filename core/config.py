"""Paths and settings. Everything generated lives under `data/` (git-ignored); override with JOBLENS_DATA."""
from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("JOBLENS_DATA", REPO / "data"))
SHARED_DATA = Path(os.environ.get("JOBLENS_SHARED", REPO.parent / "shared" / "data"))
RESOURCES = Path(__file__).resolve().parent / "resources"


def data_dir() -> Path:
    """Re-read the environment so tests can point JOBLENS_DATA at a temporary folder."""
    path = Path(os.environ.get("JOBLENS_DATA", REPO / "data"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def db_path() -> Path:
    return data_dir() / "joblens.db"


def models_dir() -> Path:
    """Models can live apart from the data (tests use a temporary data folder but the converted e5)."""
    path = Path(os.environ["JOBLENS_MODELS"]) if os.environ.get("JOBLENS_MODELS") else data_dir() / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def index_dir() -> Path:
    path = data_dir() / "index"
    path.mkdir(parents=True, exist_ok=True)
    return path


def hub_offline() -> None:
    """Fail fast instead of retrying a model hub we cannot reach, unless the user opted in."""
    if os.environ.get("JOBLENS_ALLOW_HUB") != "1":
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
