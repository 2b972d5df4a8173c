"""A trained static W-BERT folder as a 직종 classifier with a calibrated confidence: what auto-coding and the
by-length report read. The confidence is the softmax of the cosine head at the temperature fitted on dev
(card 'temperature'), so 0.9 means right about nine times in ten on dev postings."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ...data import keco


class WbertClassifier:
    def __init__(self, path: str | Path):
        self.path = Path(path)

    def fit(self) -> WbertClassifier:
        """Load the folder (the table, the head, the card); no training happens here."""
        from safetensors.numpy import load_file

        from ..chargrams import load_sentence_model

        card = json.loads((self.path / "card.json").read_text(encoding="utf-8"))
        if card.get("variant") != "static" or not (self.path / "classifier.safetensors").exists():
            raise ValueError(f"{self.path}: 직종 분류에는 정적 W-BERT 폴더가 필요합니다")
        self.card = card
        self.classes = list(card["class_codes"])
        head = load_file(str(self.path / "classifier.safetensors"))["weight"]
        self.head = head / np.linalg.norm(head, axis=1, keepdims=True)
        self.scale = float(card.get("scale") or card["config"]["scale"])
        self.temperature = float(card.get("temperature", 1.0))
        self.encoder = load_sentence_model(self.path)
        return self

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        z = self.encoder.encode(list(texts), batch_size=256, normalize_embeddings=True, convert_to_numpy=True)
        logits = self.scale * z @ self.head.T / self.temperature
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, texts: list[str]) -> list[tuple[str, float]]:
        """(code, confidence) per text: the most probable class and its calibrated probability."""
        return best_class(self.predict_proba(texts), self.classes) if texts else []


def best_class(p: np.ndarray, classes: list[str]) -> list[tuple[str, float]]:
    """(class, its probability) per row of class probabilities `p` (columns in `classes` order)."""
    best = p.argmax(axis=1)
    return [(classes[k], float(p[i, k])) for i, k in enumerate(best)]


def best_major(p: np.ndarray, classes: list[str]) -> list[tuple[str, float]]:
    """(major code, its probability) per row of middle-class probabilities `p`: a major's probability is the sum
    over its middle classes.

    Why not the major of the single best middle class: when a job's probability is spread over several middle
    classes of one major, none of them may win, yet that major is the likely answer. For a static W-BERT trained on
    middle classes alone the sum was right more often on the dev split in every length view. Trained with the
    major-level loss too (the served recipe, which already spreads a job's probability within its major), and for
    a transformer after one epoch, whose probabilities are nearly flat, it was not (bench/bench_wbert_length.py,
    `major_rule` in wbert.json)."""
    class_majors = [keco.major_of(c) or "" for c in classes]
    majors = sorted(set(class_majors))
    member = np.array([[cm == m for m in majors] for cm in class_majors], dtype=p.dtype)
    return best_class(p @ member, majors)
