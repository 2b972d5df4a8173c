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
from dataclasses import asdict, dataclass, field
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


@dataclass
class Run:
    """One fine-tuning run's state: the data, the model and its optimiser, and where it checkpoints."""

    cfg: TrainConfig
    texts: list[str]
    labels: list[str]
    split: Split
    train_idx: list[int]
    classes: list[str]
    tokenizer: object
    model: object
    params: list
    optim: object
    sched: object
    device: str
    trainable_keys: set
    frozen: set
    state_file: Path
    signature: str
    steps_per_epoch: int
    start_epoch: int = 0
    history: list = field(default_factory=list)
    previous_seconds: float = 0.0
    losses: list = field(default_factory=list)

    def batches(self, idx: list[int], shuffle: bool, seed: int):
        import torch

        order = list(idx)
        if shuffle:
            random.Random(seed).shuffle(order)
        to_id = {y: i for i, y in enumerate(self.classes)}
        for s in range(0, len(order), self.cfg.batch_size):
            chunk = order[s:s + self.cfg.batch_size]
            enc = self.tokenizer([self.texts[i] for i in chunk], truncation=True, max_length=self.cfg.max_len, padding=True,
                                 return_tensors="pt").to(self.device)
            yield enc, torch.tensor([to_id[self.labels[i]] for i in chunk], device=self.device)

    def predict(self, idx: list[int]) -> list[str]:
        import torch

        self.model.eval()
        preds = []
        with torch.no_grad():
            for enc, _ in self.batches(idx, False, 0):
                preds += self.model(**enc).logits.argmax(-1).tolist()
        return [self.classes[p] for p in preds]


def setup(data: LabelledSet, cfg: TrainConfig) -> Run:
    """Step 1: the shared split (a stratified sample of its train rows), e5 with a classification head, the
    optimiser and schedule; the frozen word-embedding table is left out of what trains and checkpoints."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.manual_seed(cfg.seed)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    labels = data.labels(cfg.level)
    split = data.split(cfg.seed)
    split = Split(*[[i for i in part if labels[i]] for part in (split.train, split.val, split.test)])
    train_idx = stratified_sample(split.train, labels, cfg.max_train, cfg.seed)
    classes = sorted({labels[i] for i in split.train})
    out = Path(cfg.out or default_path())
    ckpt_dir = out.parent / (out.name + "-ckpt")
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    base = _base_path(cfg.base)
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=len(classes), id2label=dict(enumerate(classes)), label2id={y: i for i, y in enumerate(classes)})
    device = "cuda" if torch.cuda.is_available() else "cpu"  # a GPU, when there is one, is used as is
    model.to(device)
    if cfg.freeze_embeddings:
        model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    params = [p for p in model.parameters() if p.requires_grad]
    # frozen rows (the 250k-token embedding table, 80 % of e5-small) come from the base at every load,
    # so checkpoints leave them out: ~90 MB instead of ~470 MB written per epoch
    frozen = {name for name, p in model.named_parameters() if not p.requires_grad}
    optim = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.01)
    steps_per_epoch = math.ceil(len(train_idx) / cfg.batch_size)
    total_steps = steps_per_epoch * cfg.epochs
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: min(1.0, (s + 1) / max(1, total_steps // 10)) * max(0.0, (total_steps - s) / total_steps))
    signature = json.dumps({k: v for k, v in asdict(cfg).items() if k not in {"epochs", "out"}}, sort_keys=True)
    return Run(cfg, data.texts, labels, split, train_idx, classes, tokenizer, model, params, optim, sched, device,
               set(model.state_dict()) - frozen, frozen, ckpt_dir / "last.pt", signature, steps_per_epoch)


def resume(run: Run) -> None:
    """Step 2: continue from the last checkpoint when it is of the same config, classes and trainable weights."""
    import torch

    if not run.state_file.exists():
        return
    state = torch.load(run.state_file, map_location="cpu", weights_only=False)
    # same config, same classes, and exactly the trainable weights (an older full checkpoint also fits)
    if (state.get("signature") == run.signature and state.get("classes") == run.classes
            and run.trainable_keys <= set(state["model"]) <= run.trainable_keys | run.frozen):
        run.model.load_state_dict(state["model"], strict=False)
        run.optim.load_state_dict(state["optim"])
        run.sched.load_state_dict(state["sched"])
        run.start_epoch, run.history = state["epoch"], state["history"]
        run.previous_seconds = state.get("train_seconds", 0.0)  # time already spent before a resume


def epochs(run: Run, progress: Progress | None = None) -> float:
    """Step 3: the epochs left, each ending with the dev accuracy and a checkpoint. Returns the training seconds."""
    import torch
    from sklearn.metrics import accuracy_score

    cfg, started, step_times = run.cfg, time.time(), []
    total_steps = run.steps_per_epoch * cfg.epochs
    for epoch in range(run.start_epoch, cfg.epochs):
        run.model.train()
        for step, (enc, y) in enumerate(run.batches(run.train_idx, True, cfg.seed + epoch)):
            t0 = time.time()
            loss = run.model(**enc, labels=y).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(run.params, 1.0)
            run.optim.step()
            run.sched.step()
            run.optim.zero_grad()
            run.losses.append(float(loss.detach()))
            step_times.append(time.time() - t0)
            done = epoch * run.steps_per_epoch + step + 1
            eta = (total_steps - done) * float(np.mean(step_times[-20:]))
            report(progress, "W-BERT 학습", done, total_steps,
                   f"에폭 {epoch + 1}/{cfg.epochs} · 손실 {np.mean(run.losses[-20:]):.3f} · 남은 시간 {eta / 60:.1f}분")
        val = run.split.val
        val_acc = accuracy_score([run.labels[i] for i in val], run.predict(val)) if val else None
        run.history.append({"epoch": epoch + 1, "loss": float(np.mean(run.losses[-run.steps_per_epoch:])), "val_accuracy": val_acc})
        trainable = {k: v for k, v in run.model.state_dict().items() if k in run.trainable_keys}
        torch.save({"model": trainable, "optim": run.optim.state_dict(), "sched": run.sched.state_dict(),
                    "epoch": epoch + 1, "history": run.history, "signature": run.signature, "classes": run.classes,
                    "train_seconds": run.previous_seconds + time.time() - started}, run.state_file)
    return run.previous_seconds + time.time() - started


def make_card(data: LabelledSet, run: Run, train_seconds: float) -> dict:
    """Step 4: test accuracy and macro-F1, sizes, timings, and vectors of a few texts to check a reload against."""
    import torch
    from sklearn.metrics import accuracy_score, f1_score

    cfg = run.cfg
    test_pred = run.predict(run.split.test)
    y_test = [run.labels[i] for i in run.split.test]
    card = {
        "name": "W-BERT", "variant": "transformer", "base_model": cfg.base, "level": cfg.level, "classes": len(run.classes),
        "data": data.note, "synthetic": any(src == "demo" for src in data.sources),
        "split": {"train_pool": len(run.split.train), "train_used": len(run.train_idx), "val": len(run.split.val),
                  "test": len(run.split.test), "seed": cfg.seed, "stratified": "middle"},
        "test_accuracy": round(float(accuracy_score(y_test, test_pred)), 4),
        "test_macro_f1": round(float(f1_score(y_test, test_pred, average="macro")), 4),
        "history": run.history, "train_seconds": round(train_seconds, 1), "losses": [round(x, 4) for x in run.losses],
        "config": asdict(cfg), "date": time.strftime("%Y-%m-%d %H:%M"),
    }
    run.model.eval()
    probe = [run.texts[i] for i in run.train_idx[:4]]
    with torch.no_grad():
        enc = run.tokenizer(probe, truncation=True, max_length=cfg.max_len, padding=True, return_tensors="pt").to(run.device)
        hidden = run.model.bert(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).float()
        vec = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)
    card["check"] = {"texts": probe, "vectors": vec.cpu().numpy().round(6).tolist()}
    card["_test_ids"] = [data.ids[i] for i in run.split.test]
    card["_predictions"] = {"test": list(run.split.test), "pred": test_pred}  # for the report; not in the card file
    return card


def train(data: LabelledSet, cfg: TrainConfig, progress: Progress | None = None) -> dict:
    """The transformer variant: fine-tune on the shared split, checkpoint every epoch, resume if a checkpoint
    for the same config exists. Returns the card (accuracy, macro-F1, sizes, timings)."""
    run = setup(data, cfg)
    resume(run)
    seconds = epochs(run, progress)
    card = make_card(data, run, seconds)
    run.model.to("cpu")
    save_encoder(run.model.bert, run.tokenizer, Path(cfg.out or default_path()), card, cfg)
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


