"""A static embedding that reads a text's character n-grams beside its sentence pieces (#25), and the one way a
model folder is opened.

Why: e5's pieces split Korean job words where its vocabulary happens to (요양+보호+사), and a static table then
never sees the n-grams that cross a split. LogReg on character 2–4-gram TF-IDF reads exactly those, and beat
the piece-only W-BERT on titles. Here every text is its e5 pieces plus its char_wb n-grams (cut as scikit-learn
cuts them for that baseline), all rows of one table, averaged the way StaticEmbedding averages: fastText's
subword idea on top of e5's table (bench/bench_wbert_subwords.py and bench_wbert_length.py chose it on dev).

A folder holding it names this class in modules.json. sentence-transformers imports a class outside its own
namespace only with `trust_remote_code`, which would trust every module a folder names; `load_sentence_model`
instead builds such a folder itself from exactly this class and Normalize, and never trusts code.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .libraries import import_heavy_libraries

import_heavy_libraries()  # never beside another thread's import of the same packages (libraries.py)
from sentence_transformers.sentence_transformer.modules import StaticEmbedding  # noqa: E402

GRAMS_FILE = "chargrams.json"


def gram_cutter(ngram_max: int):
    """text → its char_wb 2..`ngram_max`-grams, lowercased: the one cut the vocabulary is fitted with and
    every text is read with."""
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(analyzer="char_wb", ngram_range=(2, ngram_max)).build_analyzer()


def fit_grams(texts: list[str], ngram_max: int, min_df: int = 2) -> list[str]:
    """The n-grams (`gram_cutter`) in at least `min_df` of `texts`, sorted: the rows added after e5's."""
    from sklearn.feature_extraction.text import CountVectorizer

    return sorted(CountVectorizer(analyzer=gram_cutter(ngram_max), min_df=min_df).fit(texts).vocabulary_)


def block_normalize(x, blocks: int = 1):
    """Each of the `blocks` equal slices of a vector L2-normalised, the whole scaled back to length 1. With one
    block, plain normalisation. Why: a seed ensemble's members sit side by side in one table (`blocks` > 1),
    and normalising each member's part alone makes the cosine of two such vectors the mean of the members'
    cosines, and the cosine head's logit the mean of the members' logits. That is the ensemble itself, served
    as one vector. A text some members cannot read at all (no kept piece, n-grams only some members hold) has zero
    parts: the whole is normalised once more, as the folder's Normalize and every caller's `normalize_embeddings`
    would, so training, calibration and serving read the same logits (the mean over the members that read it,
    scaled by √(members / those)); with every part present that last step changes nothing."""
    import torch.nn.functional as F

    if blocks < 1:
        raise ValueError(f"blocks는 1 이상이어야 합니다 (받은 값 {blocks!r})")
    if blocks == 1:
        return F.normalize(x, dim=-1)
    parts = F.normalize(x.reshape(x.shape[0], blocks, -1), dim=-1).reshape(x.shape[0], -1)
    return F.normalize(parts, dim=-1)


class CharGramEmbedding(StaticEmbedding):
    """StaticEmbedding whose bag per text is its e5 piece ids, then the ids of its known n-grams (the table's
    last rows, in `grams` order).

    `pieces`: when given, the table holds rows for just these e5 piece ids (in this order), then the n-grams'.
    A piece outside them is left out of the bag, as an unknown n-gram is. A static W-BERT trains only the rows
    of pieces its training texts hold (5,187 of e5's 250,037 on the real set). The rest are e5's rows
    untouched, which the head never learned to read, and a seed ensemble would store them once per member.
    `blocks`: how many members' tables sit side by side (`block_normalize`)."""

    def __init__(self, tokenizer, grams: list[str], ngram_max: int, embedding_weights=None,
                 pieces: list[int] | None = None, blocks: int = 1, **kwargs):
        super().__init__(tokenizer, embedding_weights=embedding_weights, **kwargs)
        self.grams, self.ngram_max = list(grams), int(ngram_max)
        self.pieces, self.blocks = (None if pieces is None else [int(p) for p in pieces]), int(blocks)
        self.offset = self.num_embeddings - len(self.grams)  # e5's table has a few rows past its vocabulary
        held = tokenizer.get_vocab_size() if self.pieces is None else len(self.pieces)
        if self.blocks < 1 or self.offset < held or self.embedding_dim % self.blocks:
            raise ValueError(f"표의 행 {self.num_embeddings:,}개·폭 {self.embedding_dim}으로는 조각 {held:,}개와 "
                             f"n-그램 {len(self.grams):,}개, 구성원 {self.blocks}개를 담을 수 없습니다")
        self._piece_row = None
        if self.pieces is not None:  # e5 piece id → its row here, -1 for a piece left out
            self._piece_row = np.full(max([tokenizer.get_vocab_size(), *self.pieces]) + 1, -1, dtype=np.int64)
            self._piece_row[self.pieces] = np.arange(len(self.pieces))
        self._row = {g: self.offset + k for k, g in enumerate(self.grams)}
        self._analyse = None

    def ids(self, texts: list[str]) -> list[list[int]]:
        """Row ids per text: its pieces (no special tokens), then its n-grams; an empty bag (an empty text, or
        one with nothing known) is a zero vector, as StaticEmbedding gives it: no class, uniform probabilities."""
        if self._analyse is None:  # no n-grams (a merged ensemble of piece-only tables): no cut to make
            self._analyse = gram_cutter(self.ngram_max) if self.grams else (lambda text: [])
        pieces = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        row = self._row
        return [self._piece_rows(enc.ids) + [row[g] for g in self._analyse(text) if g in row]
                for text, enc in zip(texts, pieces)]

    def _piece_rows(self, ids: list[int]) -> list[int]:
        if self._piece_row is None:
            return ids
        rows = self._piece_row[np.asarray(ids, dtype=np.int64)] if ids else np.zeros(0, dtype=np.int64)
        return rows[rows >= 0].tolist()

    def forward(self, features: dict, **kwargs) -> dict:
        features = super().forward(features, **kwargs)
        if self.blocks > 1:  # one block is left to the Normalize module after this one
            features["sentence_embedding"] = block_normalize(features["sentence_embedding"], self.blocks)
        return features

    def preprocess(self, inputs: list[str], prompt: str | None = None, **kwargs):
        import torch

        if prompt:
            inputs = self._prepend_prompt(inputs, prompt)
        ids = self.ids(inputs)
        offsets = torch.from_numpy(np.cumsum([0] + [len(x) for x in ids[:-1]]))
        return {"input_ids": torch.tensor([t for x in ids for t in x], dtype=torch.long), "offsets": offsets}

    def save(self, output_path: str, *args, **kwargs) -> None:
        super().save(output_path, *args, **kwargs)
        (Path(output_path) / GRAMS_FILE).write_text(
            json.dumps({"ngram_range": [2, self.ngram_max], "analyzer": "char_wb", "grams": self.grams,
                        **({"pieces": self.pieces} if self.pieces is not None else {}),
                        **({"blocks": self.blocks} if self.blocks > 1 else {})}, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, model_name_or_path: str, **kwargs) -> CharGramEmbedding:
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        folder = Path(model_name_or_path)
        spec = json.loads((folder / GRAMS_FILE).read_text(encoding="utf-8"))
        weights = load_file(str(folder / "model.safetensors"))["embedding.weight"]
        return cls(Tokenizer.from_file(str(folder / "tokenizer.json")), spec["grams"], spec["ngram_range"][1],
                   embedding_weights=weights, pieces=spec.get("pieces"), blocks=spec.get("blocks", 1))


OWN = f"{CharGramEmbedding.__module__}.{CharGramEmbedding.__name__}"
NORMALIZE = "sentence_transformers.base.modules.normalize.Normalize"


def load_sentence_model(path: str | Path, device: str = "cpu"):
    """`SentenceTransformer(path)`; a folder whose modules.json names this module is built here from its two
    modules (this class, then Normalize), so no code is ever trusted: `trust_remote_code` stays off, and a
    folder naming any other class outside sentence-transformers is refused by sentence-transformers itself."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize

    listing = Path(path) / "modules.json"
    types = [m.get("type", "") for m in json.loads(listing.read_text(encoding="utf-8"))] if listing.exists() else []
    if OWN not in types:
        return SentenceTransformer(str(path), device=device)
    if types != [OWN, NORMALIZE]:
        raise ValueError(f"{path}: n-그램 W-BERT 폴더의 모듈은 {OWN}, {NORMALIZE} 두 개여야 합니다 (받은 값 {types})")
    return SentenceTransformer(modules=[CharGramEmbedding.load(str(path)), Normalize()], device=device)
