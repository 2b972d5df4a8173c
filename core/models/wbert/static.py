"""W-BERT, static variant: the seed's own representation, trained directly.

The seed's document vectors were the average of a fine-tuned model's word-embedding rows over a posting's
tokens. Here that average is the model: e5's 250k-token embedding table (e5's own rows to start with) is
trained with a cosine classification head on 직종 labels, through mean pooling, with no transformer
layers in between. Only the rows of tokens that occur are touched (sparse gradients), so the demo corpus
trains in well under a minute on 2 cores, and a document vector costs a table lookup. The result is a
sentence-transformers folder (StaticEmbedding + Normalize) with a card, loadable in one line.
"""
from __future__ import annotations

import json
import random
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ...progress import Progress, report
from ..encoders import ensure_e5
from .labels import LabelledSet


@dataclass
class StaticConfig:
    level: str = "middle"
    epochs: int = 15
    batch_size: int = 32  # chosen on the dev split: bench/tune_wbert_static.py, bench/results/wbert-tuning.json
    lr_embedding: float = 0.02  # SparseAdam on the touched rows of the table
    lr_head: float = 0.01
    scale: float = 10.0  # cosine-classifier temperature (dev split, as above)
    patience: int = 3  # epochs without a better dev accuracy before stopping
    seed: int = 42
    out: str = ""


def _e5_table() -> tuple[object, np.ndarray]:
    from safetensors import safe_open
    from tokenizers import Tokenizer

    folder = ensure_e5()
    with safe_open(str(folder / "model.safetensors"), "np") as f:
        table = f.get_tensor("embeddings.word_embeddings.weight")
    return Tokenizer.from_file(str(folder / "tokenizer.json")), table


def train_static(data: LabelledSet, cfg: StaticConfig, train_idx: list[int] | None = None,
                 progress: Progress | None = None, save: bool = True) -> dict:
    """Train on the shared split's train rows (or `train_idx`, a subset for the learning curve), stop on the
    dev accuracy, report on the test rows. Returns the card; writes the folder when `save`."""
    import torch
    import torch.nn.functional as F
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding
    from sklearn.metrics import accuracy_score, f1_score

    started = time.time()
    torch.manual_seed(cfg.seed)
    labels = data.labels(cfg.level)
    split = data.split(cfg.seed)
    train_idx = [i for i in (split.train if train_idx is None else train_idx) if labels[i]]
    classes = sorted({labels[i] for i in train_idx})
    to_id = {y: k for k, y in enumerate(classes)}
    tokenizer, table = _e5_table()
    static = StaticEmbedding(tokenizer, embedding_weights=table)
    bag = static.embedding
    bag.sparse = True
    head = torch.nn.Parameter(torch.randn(len(classes), table.shape[1]) * 0.01)
    opt_table = torch.optim.SparseAdam(list(bag.parameters()), lr=cfg.lr_embedding)
    opt_head = torch.optim.Adam([head], lr=cfg.lr_head)

    token_ids = [e.ids or [0] for e in tokenizer.encode_batch(data.texts, add_special_tokens=False)]  # once, not per epoch

    def logits(idx: list[int]):
        ids = [token_ids[i] for i in idx]
        offsets = torch.from_numpy(np.cumsum([0] + [len(x) for x in ids[:-1]]))
        z = F.normalize(bag(torch.tensor([t for x in ids for t in x], dtype=torch.long), offsets), dim=-1)
        return cfg.scale * z @ F.normalize(head, dim=-1).T

    def predict(idx: list[int]) -> list[str | None]:
        out: list[str | None] = []
        with torch.no_grad():
            for s in range(0, len(idx), 512):
                out += [classes[k] for k in logits(idx[s:s + 512]).argmax(-1).tolist()]
        return out

    def accuracy(idx: list[int]) -> float:
        idx = [i for i in idx if labels[i]]
        return float(accuracy_score([labels[i] for i in idx], predict(idx))) if idx else float("nan")

    rng = random.Random(cfg.seed)
    history, best, best_state, stale = [], -1.0, None, 0
    steps_per_epoch = -(-len(train_idx) // cfg.batch_size)
    for epoch in range(cfg.epochs):
        order = list(train_idx)
        rng.shuffle(order)
        losses = []
        for step in range(steps_per_epoch):
            batch = order[step * cfg.batch_size:(step + 1) * cfg.batch_size]
            y = torch.tensor([to_id[labels[i]] for i in batch])
            loss = F.cross_entropy(logits(batch), y)
            opt_table.zero_grad()
            opt_head.zero_grad()
            loss.backward()
            opt_table.step()
            opt_head.step()
            losses.append(float(loss.detach()))
            report(progress, "W-BERT(정적) 학습", epoch * steps_per_epoch + step + 1, cfg.epochs * steps_per_epoch,
                   f"에폭 {epoch + 1} · 손실 {np.mean(losses[-20:]):.3f}")
        dev = accuracy(split.val)
        history.append({"epoch": epoch + 1, "loss": round(float(np.mean(losses)), 4), "val_accuracy": round(dev, 4)})
        if dev > best:
            best, stale = dev, 0
            best_state = (bag.weight.detach().clone(), head.detach().clone())
        else:
            stale += 1
            if stale >= cfg.patience:
                break
    report(progress, "W-BERT(정적) 학습", cfg.epochs * steps_per_epoch, cfg.epochs * steps_per_epoch)
    with torch.no_grad():
        bag.weight.copy_(best_state[0])
        head.copy_(best_state[1])
    test = [i for i in split.test if labels[i]]
    pred = predict(test)
    y_test = [labels[i] for i in test]
    card = {
        "name": "W-BERT", "variant": "static", "base_model": "e5-small (word-embedding table)", "level": cfg.level,
        "classes": len(classes), "data": data.note,
        "split": {"train_pool": len(split.train), "train_used": len(train_idx), "val": len(split.val), "test": len(test),
                  "seed": cfg.seed, "stratified": "middle"},
        "test_accuracy": round(float(accuracy_score(y_test, pred)), 4),
        "test_macro_f1": round(float(f1_score(y_test, pred, average="macro")), 4),
        "history": history, "train_seconds": round(time.time() - started, 1), "config": asdict(cfg),
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }
    probe = train_idx[:4]
    with torch.no_grad():  # vectors of a few texts from the in-memory model, so a reload can be checked against them
        ids = [token_ids[i] for i in probe]
        offsets = torch.from_numpy(np.cumsum([0] + [len(x) for x in ids[:-1]]))
        vectors = F.normalize(bag(torch.tensor([t for x in ids for t in x], dtype=torch.long), offsets), dim=-1)
    card["check"] = {"texts": [data.texts[i] for i in probe], "vectors": vectors.numpy().round(6).tolist()}
    card["_predictions"] = {"test": test, "pred": pred}  # for the report; not written to the card file
    card["_test_ids"] = [data.ids[i] for i in test]  # saved as split.json: evaluation queries W-BERT only with these
    if save:
        bag.sparse = False
        save_static(static, head.detach(), classes, Path(cfg.out), card)
    return card


def save_static(static, head, classes: list[str], out: Path, card: dict) -> None:
    """A sentence-transformers folder (StaticEmbedding + Normalize), the classifier head, card.json, README."""
    from safetensors.torch import save_file
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize

    tmp = out.parent / (out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    SentenceTransformer(modules=[static, Normalize()], device="cpu").save(str(tmp))
    save_file({"weight": head.contiguous()}, str(tmp / "classifier.safetensors"))
    written = {k: v for k, v in card.items() if not k.startswith("_")} | {"class_codes": classes}
    (tmp / "split.json").write_text(json.dumps({"test_ids": card.get("_test_ids", [])}), encoding="utf-8")
    (tmp / "card.json").write_text(json.dumps(written, ensure_ascii=False, indent=2), encoding="utf-8")
    (tmp / "README.md").write_text(
        f"# W-BERT (static)\n\nThe mean of trained e5-small word embeddings (the seed's document vectors), trained as a "
        f"{card['level']} 직종 classifier on {card['data']}. Test accuracy {card['test_accuracy']:.3f}, macro-F1 "
        f"{card['test_macro_f1']:.3f}; {card['train_seconds']:.0f} s on {card['date']}.\n\n"
        "    SentenceTransformer(this_folder).encode(texts)  # L2-normalised, cosine = dot product\n", encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
