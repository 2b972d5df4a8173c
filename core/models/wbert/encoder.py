"""The seed's own document vectors: the mean of the (fine-tuned) word-embedding rows of a text's tokens."""
from __future__ import annotations

from pathlib import Path

import numpy as np


class WordEmbeddingEncoder:
    """The seed's variant: a document vector = mean of the (fine-tuned) word-embedding rows of its tokens.
    With frozen embeddings (the CPU default) these equal the base model's rows."""

    def __init__(self, folder: str | Path):
        from safetensors.numpy import load_file
        from transformers import AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(str(folder))
        weights = load_file(str(Path(folder) / "model.safetensors"))
        key = next(k for k in weights if k.endswith("word_embeddings.weight"))
        self.table = weights[key]
        self.name = f"wbert-wordemb:{Path(folder).name}"
        self.dim = self.table.shape[1]

    def encode(self, texts, kind="passage", batch_size=256, progress=None):
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            ids = self.tokenizer(t, add_special_tokens=False, truncation=True, max_length=256)["input_ids"]
            if ids:
                v = self.table[ids].mean(axis=0)
                out[i] = v / max(np.linalg.norm(v), 1e-12)
        if progress:
            progress(len(texts), len(texts))
        return out
