"""Where the W-BERT the app uses lives, and its card: one function each, so the page that describes the
model and the engine that recommends with it always read the same folder."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ...locations import here
from .labels import LEVEL_NAMES


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


SYNTHETIC_NOTE = "합성 데이터 기준"


def is_synthetic(card: dict) -> bool:
    """Trained (and tested) on the synthetic demo corpus: its accuracy says nothing about real postings.
    Cards written before the 'synthetic' key existed say so in their data note ('demo corpus (합성)')."""
    return bool(card.get("synthetic")) or "합성" in str(card.get("data", ""))


SOURCE_NAMES = {"demo": "데모", "worknet-2024": "고용24 2024", "worknet-seoul-2023": "고용24 서울 2023", "keis": "KEIS 직무 설명",
                "saramin": "사람인 표본"}


def data_label(card: dict) -> str:
    """'합성(데모) 데이터 4,517건' or '실데이터 고용24 2024 3,082 · … · KEIS 직무 설명 3,598건' from the card's data
    note ('demo corpus (합성): demo 4,517', the form the card stores): words a counselor reads, not a file's."""
    note = str(card.get("data", ""))
    kind, _, counts = note.partition(": ")
    parts = [part.rsplit(" ", 1) for part in counts.split(", ") if " " in part]
    if not parts:
        return note
    listed = " · ".join(f"{SOURCE_NAMES.get(name, name)} {count}" for name, count in parts)
    if is_synthetic(card):
        return f"합성(데모) 데이터 {listed.removeprefix('데모 ')}건"
    return f"실데이터 {listed}건" if kind.startswith("real") else f"{kind}: {listed}건"


def accuracy_label(card: dict, name: str = "테스트 정확도") -> str:
    """'테스트 정확도 70.1 %', or for a synthetic card '합성 데이터 기준 테스트 정확도 99.9 % (실제 공고 정확도 아님)':
    a figure from generated postings is never shown as if it were a real one."""
    value = card.get("test_accuracy")
    figure = "없음" if value is None else f"{value:.1%}"
    if is_synthetic(card):
        return f"{SYNTHETIC_NOTE} {name} {figure} (실제 공고에서의 정확도가 아님)"
    return f"{name} {figure}"


def describe(card: dict | None) -> str:
    """'W-BERT 정적 임베딩 · 중분류 · real, ../shared/data: … · 테스트 정확도 57.8 %': which model the app is using."""
    if not card:
        return "W-BERT: 학습 필요"
    variant = {"static": "정적 임베딩", "transformer": "트랜스포머 미세조정"}.get(card.get("variant", "transformer"), "")
    members = (card.get("config") or {}).get("members", 1)
    if card.get("variant") == "static" and members > 1:
        variant += f"(표 {members}개 앙상블)"
    level = LEVEL_NAMES.get(card.get("level"), card.get("level", ""))
    return f"W-BERT {variant} · {level} · {data_label(card)} · {accuracy_label(card)}"


def wbert_version() -> str:
    """Changes whenever a (re)trained model replaces the folder, so a running engine refits."""
    card = current_path() / "card.json"
    return f"{card.parent}:{card.stat().st_mtime_ns}" if card.exists() else "missing"


def held_out_ids(path: Path | None = None) -> set[str]:
    """The postings the current W-BERT never trained on (its test split): evaluation queries W-BERT with these."""
    split = (path or current_path()) / "split.json"
    return set(json.loads(split.read_text(encoding="utf-8"))["test_ids"]) if split.exists() else set()


TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")
_TOKENIZERS: dict[str, object] = {}  # content digest → tokenizer, the two used last


def training_tokenizer(folder: str | Path):
    """The Hugging Face tokenizer of a model folder, for training and distillation: loaded once a process for
    each content (e5's 250k-piece tokenizer takes 1–2 s; a base is read at every training, a teacher at every
    distillation, and folders with the same files share one). Only a folder with a tokenizer.json is kept: a
    hub name or another layout is loaded each time, as its files are not what the key reads. Shared, so meant
    for the one training a process runs at a time (`background.start_background` refuses a second); every call
    of the tokenizer sets its own truncation and padding. A served model loads its own through
    sentence-transformers."""
    from transformers import AutoTokenizer

    folder = Path(folder)
    if not (folder / "tokenizer.json").is_file():
        return AutoTokenizer.from_pretrained(str(folder))
    digest = hashlib.sha1()
    for name in TOKENIZER_FILES:
        path = folder / name
        digest.update(path.read_bytes() if path.exists() else b"-")
    key = digest.hexdigest()
    tokenizer = _TOKENIZERS.pop(key) if key in _TOKENIZERS else AutoTokenizer.from_pretrained(str(folder))
    _TOKENIZERS[key] = tokenizer  # the one used last goes last
    while len(_TOKENIZERS) > 2:
        _TOKENIZERS.pop(next(iter(_TOKENIZERS)))
    return tokenizer
