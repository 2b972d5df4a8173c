"""W-BERT: fine-tune a transformer to classify postings into 직종 categories, then use its encoder
for similarity (the seed fine-tuned KoBERT on ~60k postings; here e5-small, on 2 CPU cores).

Defaults are CPU-aware (a stratified sample of 2,400 training postings, 128 tokens, frozen word
embeddings — 96 M of e5-small's 118 M parameters — so an epoch takes minutes); every epoch is
checkpointed and a run resumes from its last checkpoint. The result is a sentence-transformers
folder (mean pooling + normalise) with a card, so `make_model('wbert')` loads it in one line.
"""
from __future__ import annotations

import json
import math
import os
import random
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ...progress import Progress, report
from ..encoders import E5_FOLDER, ensure_e5
from .labels import LabelledSet, Split
from .paths import default_path


@dataclass
class TrainConfig:
    base: str = "e5-small"  # a folder, or a name when the hub is allowed
    level: str = "major"
    max_train: int = 2400
    max_len: int = 128
    batch_size: int = 16
    epochs: int = 3
    lr: float = 8e-5
    freeze_embeddings: bool = True
    seed: int = 42
    out: str = ""


def stratified_sample(indices: list[int], labels: list[str], n: int, seed: int = 42) -> list[int]:
    if len(indices) <= n:
        return list(indices)
    rng = random.Random(seed)
    by: dict[str, list[int]] = {}
    for i in indices:
        by.setdefault(labels[i], []).append(i)
    out = []
    for _, idx in sorted(by.items()):
        rng.shuffle(idx)
        out += idx[:max(1, round(n * len(idx) / len(indices)))]
    return sorted(out[:n])


def _base_path(base: str) -> str:
    return str(ensure_e5()) if base == E5_FOLDER else base


def train(data: LabelledSet, cfg: TrainConfig, progress: Progress | None = None) -> dict:
    """The transformer variant: fine-tune on the shared split, checkpoint every epoch, resume if a checkpoint
    for the same config exists. Returns the card (accuracy, macro-F1, sizes, timings)."""
    import torch
    from sklearn.metrics import accuracy_score, f1_score
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.manual_seed(cfg.seed)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    texts, labels = data.texts, data.labels(cfg.level)
    split = data.split(cfg.seed)
    split = Split(*[[i for i in part if labels[i]] for part in (split.train, split.val, split.test)])
    train_idx = stratified_sample(split.train, labels, cfg.max_train, cfg.seed)
    classes = sorted({labels[i] for i in split.train})
    to_id = {y: i for i, y in enumerate(classes)}
    out = Path(cfg.out or default_path())
    ckpt_dir = out.parent / (out.name + "-ckpt")
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    base = _base_path(cfg.base)
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=len(classes), id2label=dict(enumerate(classes)), label2id=to_id)
    device = "cuda" if torch.cuda.is_available() else "cpu"  # a GPU, when there is one, is used as is
    model.to(device)
    if cfg.freeze_embeddings:
        model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    params = [p for p in model.parameters() if p.requires_grad]
    # frozen rows (the 250k-token embedding table, 80 % of e5-small) come from the base at every load,
    # so checkpoints leave them out: ~90 MB instead of ~470 MB written per epoch
    frozen = {name for name, p in model.named_parameters() if not p.requires_grad}
    trainable_keys = set(model.state_dict()) - frozen
    optim = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.01)
    steps_per_epoch = math.ceil(len(train_idx) / cfg.batch_size)
    total_steps = steps_per_epoch * cfg.epochs
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: min(1.0, (s + 1) / max(1, total_steps // 10)) * max(0.0, (total_steps - s) / total_steps))
    signature = json.dumps({k: v for k, v in asdict(cfg).items() if k not in {"epochs", "out"}}, sort_keys=True)
    start_epoch, history, previous_seconds = 0, [], 0.0
    state_file = ckpt_dir / "last.pt"
    if state_file.exists():
        state = torch.load(state_file, map_location="cpu", weights_only=False)
        # same config, same classes, and exactly the trainable weights (an older full checkpoint also fits)
        if (state.get("signature") == signature and state.get("classes") == classes
                and trainable_keys <= set(state["model"]) <= trainable_keys | frozen):
            model.load_state_dict(state["model"], strict=False)
            optim.load_state_dict(state["optim"])
            sched.load_state_dict(state["sched"])
            start_epoch, history = state["epoch"], state["history"]
            previous_seconds = state.get("train_seconds", 0.0)  # time already spent before a resume

    def batches(idx: list[int], shuffle: bool, seed: int):
        order = list(idx)
        if shuffle:
            random.Random(seed).shuffle(order)
        for s in range(0, len(order), cfg.batch_size):
            chunk = order[s:s + cfg.batch_size]
            enc = tokenizer([texts[i] for i in chunk], truncation=True, max_length=cfg.max_len, padding=True,
                            return_tensors="pt").to(device)
            yield enc, torch.tensor([to_id[labels[i]] for i in chunk], device=device)

    def predict(idx: list[int]) -> list[str]:
        model.eval()
        preds = []
        with torch.no_grad():
            for enc, _ in batches(idx, False, 0):
                preds += model(**enc).logits.argmax(-1).tolist()
        return [classes[p] for p in preds]

    started = time.time()
    step_times: list[float] = []
    losses: list[float] = []
    for epoch in range(start_epoch, cfg.epochs):
        model.train()
        for step, (enc, y) in enumerate(batches(train_idx, True, cfg.seed + epoch)):
            t0 = time.time()
            loss = model(**enc, labels=y).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optim.step()
            sched.step()
            optim.zero_grad()
            losses.append(float(loss.detach()))
            step_times.append(time.time() - t0)
            done = epoch * steps_per_epoch + step + 1
            eta = (total_steps - done) * float(np.mean(step_times[-20:]))
            report(progress, "W-BERT 학습", done, total_steps,
                   f"에폭 {epoch + 1}/{cfg.epochs} · 손실 {np.mean(losses[-20:]):.3f} · 남은 시간 {eta / 60:.1f}분")
        val_pred = predict(split.val) if split.val else []
        val_acc = accuracy_score([labels[i] for i in split.val], val_pred) if split.val else None
        history.append({"epoch": epoch + 1, "loss": float(np.mean(losses[-steps_per_epoch:])), "val_accuracy": val_acc})
        trainable = {k: v for k, v in model.state_dict().items() if k in trainable_keys}
        torch.save({"model": trainable, "optim": optim.state_dict(), "sched": sched.state_dict(),
                    "epoch": epoch + 1, "history": history, "signature": signature, "classes": classes,
                    "train_seconds": previous_seconds + time.time() - started}, state_file)
    train_seconds = previous_seconds + time.time() - started
    test_pred = predict(split.test)
    y_test = [labels[i] for i in split.test]
    card = {
        "name": "W-BERT", "variant": "transformer", "base_model": cfg.base, "level": cfg.level, "classes": len(classes),
        "data": data.note, "synthetic": any(src == "demo" for src in data.sources),
        "split": {"train_pool": len(split.train), "train_used": len(train_idx), "val": len(split.val), "test": len(split.test),
                  "seed": cfg.seed, "stratified": "middle"},
        "test_accuracy": round(float(accuracy_score(y_test, test_pred)), 4),
        "test_macro_f1": round(float(f1_score(y_test, test_pred, average="macro")), 4),
        "history": history, "train_seconds": round(train_seconds, 1), "losses": [round(x, 4) for x in losses],
        "config": asdict(cfg), "date": time.strftime("%Y-%m-%d %H:%M"),
    }
    # vectors of a few texts from the in-memory model, so a reload can be checked against them
    model.eval()
    probe = [texts[i] for i in train_idx[:4]]
    with torch.no_grad():
        enc = tokenizer(probe, truncation=True, max_length=cfg.max_len, padding=True, return_tensors="pt").to(device)
        hidden = model.bert(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).float()
        vec = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)
    card["check"] = {"texts": probe, "vectors": vec.cpu().numpy().round(6).tolist()}
    model.to("cpu")
    card["_test_ids"] = [data.ids[i] for i in split.test]
    save_encoder(model.bert, tokenizer, out, card, cfg)
    card["_predictions"] = {"test": list(split.test), "pred": test_pred}  # for the report; not in the card file
    return card


def save_encoder(bert, tokenizer, out: Path, card: dict, cfg: TrainConfig) -> None:
    """A sentence-transformers folder: tuned BERT + mean pooling + normalise (+ e5 prompts), and card.json."""
    tmp = out.parent / (out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    bert.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    dim = bert.config.hidden_size
    (tmp / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]))
    (tmp / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": cfg.max_len, "do_lower_case": False}))
    (tmp / "1_Pooling").mkdir()
    (tmp / "1_Pooling" / "config.json").write_text(json.dumps({"word_embedding_dimension": dim, "pooling_mode_mean_tokens": True}))
    (tmp / "2_Normalize").mkdir()
    (tmp / "config_sentence_transformers.json").write_text(json.dumps({"prompts": {"query": "query: ", "passage": "passage: "},
                                                                       "default_prompt_name": None}))
    (tmp / "card.json").write_text(json.dumps({k: v for k, v in card.items() if not k.startswith("_")},
                                              ensure_ascii=False, indent=2))
    (tmp / "split.json").write_text(json.dumps({"test_ids": card.get("_test_ids", [])}))
    (tmp / "README.md").write_text(f"# W-BERT\n\nFine-tuned from {card['base_model']} on {card['data']} "
                                   f"({card['level']} 직종, {card['classes']} classes). Test accuracy {card['test_accuracy']:.3f}, "
                                   f"macro-F1 {card['test_macro_f1']:.3f}. Trained {card['date']}.\n")
    shutil.rmtree(out, ignore_errors=True)
    tmp.replace(out)


