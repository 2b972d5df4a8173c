"""Distil an encoder into the static W-BERT's table: each token's row is what the encoder makes of that token.

The static W-BERT starts from e5's *input* rows: a token's vector before any layer has read it. A transformer
(e5 itself, or the fine-tuned transformer W-BERT) knows more of each token than that; model2vec's recipe keeps
that knowledge at a table lookup's cost: run the encoder on every token alone ([CLS] token [SEP]), take the
token position's output as its row, remove the mean the rows share (an encoder's outputs all lean one way), and
give the rows the input table's typical norm, so the token weights (SIF) and learning rates keep their meaning.
Training then starts from these rows. Only the tokens that matter here are run (every Hangul token and every token
the training texts use: ~10k of 250k); the rest keep their input rows.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ...progress import Progress, report
from .paths import read_card, training_tokenizer
from .training import head_input

HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")


def posting_tokens(tokenizer, seen: list[list[int]]) -> list[int]:
    """The rows to distil: every token with Hangul in it (~5k of e5's 250k) and every token the training
    texts use (`seen`, token ids per text); special tokens never (e5's tokenizer lists none as added, so
    they are named: an unknown character reads as <unk>, an empty text as <s>)."""
    special = set(tokenizer.get_added_tokens_decoder())
    special |= {tokenizer.token_to_id(t) for t in ("<s>", "<pad>", "</s>", "<unk>", "<mask>", "[CLS]", "[SEP]", "[PAD]",
                                                   "[UNK]", "[MASK]")} - {None}
    korean = {i for tok, i in tokenizer.get_vocab().items() if HANGUL.search(tok)}
    return sorted((korean | {t for ids in seen for t in ids}) - special)


def distilled_table(teacher: str | Path, table: np.ndarray, token_ids: list[int], batch_size: int = 1024,
                    progress: Progress | None = None) -> np.ndarray:
    """A copy of `table` whose `token_ids` rows are the teacher's output for each token alone, centred and
    scaled to the median norm of those rows in `table`; every other row stays as it was."""
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(teacher)).eval()
    cls_id, sep_id = model.config.bos_token_id, model.config.eos_token_id
    if cls_id is None or sep_id is None:  # BERT-style configs (e5's) name neither: read them from the tokenizer
        tok = training_tokenizer(teacher)
        cls_id, sep_id = tok.cls_token_id, tok.sep_token_id
    ids = np.asarray(token_ids, dtype=np.int64)
    rows = np.zeros((len(ids), table.shape[1]), dtype=np.float32)
    with torch.inference_mode():
        for s in range(0, len(ids), batch_size):
            chunk = torch.from_numpy(ids[s:s + batch_size])
            inputs = torch.stack([torch.full_like(chunk, cls_id), chunk, torch.full_like(chunk, sep_id)], dim=1)
            rows[s:s + len(chunk)] = model(input_ids=inputs).last_hidden_state[:, 1].numpy()
            report(progress, "W-BERT 증류(토큰 벡터)", min(s + batch_size, len(ids)), len(ids))
    rows -= rows.mean(axis=0)
    target = float(np.median(np.linalg.norm(table[ids], axis=1)))
    rows *= target / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-6)
    out = table.copy()
    out[ids] = rows
    return out


def read_teacher(teacher: str | Path, classes: list[str], data: str | None = None, seed: int | None = None) -> dict:
    """The teacher's card, after checking it can teach: a transformer W-BERT folder with its head, the same
    classes and, when given, the same training data and split seed (a teacher trained on another split may
    have seen the student's dev or test rows, and the dev choice would then favour it)."""
    folder = Path(teacher)
    card = read_card(folder) or {}
    problem = ("transformer W-BERT 폴더가 아님" if card.get("variant") != "transformer" else
               "분류 헤드(classifier.safetensors) 없음" if not (folder / "classifier.safetensors").exists() else
               "직종 분류가 다름" if sorted(card.get("class_codes", [])) != sorted(classes) else
               f"학습 데이터가 다름 ({card.get('data')!r})" if data is not None and card.get("data") != data else
               f"분할 시드가 다름 ({card['split'].get('seed')})" if seed is not None and card["split"].get("seed") != seed else "")
    if problem:
        raise ValueError(f"{folder}: 교사로 쓸 수 없습니다: {problem}. 같은 직종 분류의 transformer W-BERT 폴더가 필요합니다")
    return card


def teacher_probabilities(teacher: str | Path, texts: list[str], classes: list[str], data: str | None = None,
                          seed: int | None = None, batch_size: int = 64, cache: bool = True,
                          progress: Progress | None = None) -> np.ndarray:
    """The fine-tuned transformer W-BERT's class probabilities for `texts`, columns in `classes` order: the soft
    targets the static table learns from (distillation at temperature 1; the student's cosine logits are
    scaled, so it can follow a soft teacher, not copy a sharp one). Texts are read as the teacher was trained
    (its max_len), shortest first, so batches pad little. Kept in the folder per text list when `cache` (a CPU
    pass over the real labels takes minutes, and candidates share a teacher)."""
    import hashlib
    import json
    import os

    import torch
    from safetensors.torch import load_file
    from transformers import AutoModel

    folder = Path(teacher)
    card = read_teacher(folder, classes, data, seed)
    max_len = int(card.get("config", {}).get("max_len", 128))
    head_reads = card.get("config", {}).get("head", "pooler")  # folders from before TrainConfig.head read the pooler
    column = [card["class_codes"].index(c) for c in classes]
    key = hashlib.sha1(json.dumps([texts, classes, max_len, head_reads], ensure_ascii=False).encode("utf-8")).hexdigest()[:16]
    cached = folder / f"taught-{key}.npy"
    written = max((folder / f).stat().st_mtime for f in ("classifier.safetensors", "model.safetensors") if (folder / f).exists())
    if cache and cached.exists() and cached.stat().st_mtime >= written:
        return np.load(cached)
    head_weights = load_file(str(folder / "classifier.safetensors"))
    tokenizer, bert = training_tokenizer(folder), AutoModel.from_pretrained(str(folder)).eval()
    order = np.argsort([len(t) for t in texts], kind="stable")
    out = np.zeros((len(texts), len(classes)), dtype=np.float32)
    with torch.inference_mode():
        for s in range(0, len(order), batch_size):
            rows = order[s:s + batch_size]
            enc = tokenizer([texts[i] for i in rows], truncation=True, max_length=max_len, padding=True, return_tensors="pt")
            logits = head_input(bert, enc, head_reads)[1] @ head_weights["weight"].T + head_weights["bias"]
            out[rows] = logits.softmax(-1).numpy()[:, column]
            report(progress, "W-BERT 증류(교사 확률)", min(s + batch_size, len(order)), len(order))
    if cache:  # written whole, then renamed: a candidate beside this one never reads half a file
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        with open(partial, "wb") as f:
            np.save(f, out)
        os.replace(partial, cached)
    return out
