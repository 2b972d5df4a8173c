"""Where the W-BERT the app uses lives, and its card: one function each, so the page that describes the
model and the engine that recommends with it always read the same folder."""
from __future__ import annotations

import json
from pathlib import Path

from ...settings import settings


def default_path() -> Path:
    """Where training writes by default: <models>/wbert."""
    return settings().models_dir / "wbert"


def current_path() -> Path:
    """The folder the app recommends with: JOBLENS_WBERT when set, else the default."""
    return settings().wbert or default_path()


def read_card(path: Path | None = None) -> dict | None:
    card = (path or current_path()) / "card.json"
    return json.loads(card.read_text(encoding="utf-8")) if card.exists() else None


def wbert_version() -> str:
    """Changes whenever a (re)trained model replaces the folder, so a running engine refits."""
    card = current_path() / "card.json"
    return f"{card.parent}:{card.stat().st_mtime_ns}" if card.exists() else "missing"
