"""Where the W-BERT the app uses lives, and its card: one function each, so the page that describes the
model and the engine that recommends with it always read the same folder."""
from __future__ import annotations

import json
from pathlib import Path

from ...locations import here


def default_path() -> Path:
    """Where the transformer variant writes by default: <models>/wbert."""
    return here().models_dir / "wbert"


def static_path() -> Path:
    """Where the static variant writes by default (set-up builds it): <models>/wbert-static."""
    return here().models_dir / "wbert-static"


def current_path() -> Path:
    """The folder the app recommends with: JOBLENS_WBERT when set, else the best trained one: the higher
    test accuracy of the two default folders when both were trained on the same data, else the transformer
    (the quality variant) when it exists, else the static one set-up builds."""
    if here().wbert:
        return here().wbert
    cards = {path: read_card(path) for path in (default_path(), static_path())}
    ready = {path: card for path, card in cards.items() if card and (path / "modules.json").exists()}
    if len(ready) == 2 and len({card.get("data") for card in ready.values()}) == 1:
        return max(ready, key=lambda path: ready[path].get("test_accuracy", 0))
    return next(iter(ready), static_path())


def read_card(path: Path | None = None) -> dict | None:
    card = (path or current_path()) / "card.json"
    return json.loads(card.read_text(encoding="utf-8")) if card.exists() else None


def describe(card: dict | None) -> str:
    """'W-BERT 정적 · 중분류 · demo corpus (합성): demo 4,935 · 정확도 99.7 %': which model the app is using."""
    if not card:
        return "W-BERT: 학습 필요"
    variant = {"static": "정적 임베딩", "transformer": "트랜스포머 미세조정"}.get(card.get("variant", "transformer"), "")
    level = {"major": "대분류", "middle": "중분류"}.get(card.get("level"), card.get("level", ""))
    return f"W-BERT {variant} · {level} · {card.get('data', '')} · 테스트 정확도 {card.get('test_accuracy', 0):.1%}"


def wbert_version() -> str:
    """Changes whenever a (re)trained model replaces the folder, so a running engine refits."""
    card = current_path() / "card.json"
    return f"{card.parent}:{card.stat().st_mtime_ns}" if card.exists() else "missing"


def held_out_ids(path: Path | None = None) -> set[str]:
    """The postings the current W-BERT never trained on (its test split): evaluation queries W-BERT with these."""
    split = (path or current_path()) / "split.json"
    return set(json.loads(split.read_text(encoding="utf-8"))["test_ids"]) if split.exists() else set()
