"""W-BERT: fine-tune a transformer to classify postings into 직종 categories, then use its encoder
for similarity (the seed fine-tuned KoBERT on ~60k postings; here e5-small, on 2 CPU cores).

Defaults are CPU-aware (a stratified sample of 2,400 training postings, 128 tokens, frozen word
embeddings — 96 M of e5-small's 118 M parameters — so an epoch takes minutes); every epoch is
checkpointed and a run resumes from its last checkpoint. The result is a sentence-transformers
folder (mean pooling + normalise) with a card, so `make_model('wbert')` loads it in one line.
"""
from __future__ import annotations

import json
import logging
import math
import os
import random
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ... import clock
from ...progress import Progress, report
from ..encoders import E5_FOLDER, ensure_e5
from .labels import LabelledSet, Split
from .paths import default_path, training_tokenizer

HEADS = ("mean", "pooler")


@dataclass
class TrainConfig:
    base: str = "e5-small"  # a folder, or a name when the hub is allowed
    level: str = "major"
    max_train: int | None = 2400  # None: every training label (the GPU run)
    max_len: int = 128
    batch_size: int = 16
    epochs: int = 3
    lr: float = 8e-5
    # what the classification head reads (HEADS): 'mean', the mean over the text's tokens (the vector e5 was
    # trained to make; the folder serves it normalised), or 'pooler', tanh(dense([CLS])) (the earlier recipe; e5 has
    # no trained pooler: on every real label a pooler head at lr 1e-4 reached 0.34 dev accuracy after an epoch, the
    # mean head with lr_head 1e-3 0.45 (same lengths and batches), and a linear model on e5's frozen mean vectors
    # scores 0.56 on test, 'logreg_sbert' in bench/results/wbert.json)
    head: str = "mean"
    lr_head: float | None = None  # the head's learning rate (a fresh layer); None: `lr`
    freeze_embeddings: bool = True
    # weight of the same-occupation contrastive loss beside the classification one (0: classification alone):
    # the vectors, not only the head, are pulled together by occupation, which is what similarity reads
    contrastive: float = 0.0
    contrastive_temperature: float = 0.1  # SupCon's (Khosla et al. 2020)
    seed: int = 42
    out: str = ""

    def __post_init__(self):
        if self.head not in HEADS:
            raise ValueError(f"head={self.head!r}: {' 또는 '.join(HEADS)} 중 하나여야 합니다")


def stratified_sample(indices: list[int], labels: list[str], n: int | None, seed: int = 42) -> list[int]:
    if n is None or len(indices) <= n:
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


def same_occupation_loss(vectors, targets, temperature: float = 0.1):
    """Supervised contrastive loss (Khosla et al. 2020, L_out) over a batch of normalised vectors: each vector
    is pulled towards the batch's other vectors of its occupation and pushed from the rest. Anchors with no
    other vector of their occupation in the batch add nothing; a batch with none gives 0."""
    import torch

    sim = vectors @ vectors.T / temperature
    self_mask = torch.eye(len(targets), dtype=torch.bool, device=vectors.device)
    positive = (targets[:, None] == targets[None, :]) & ~self_mask
    log_prob = sim.masked_fill(self_mask, float("-inf")).log_softmax(dim=1)
    anchors = positive.any(dim=1)
    if not anchors.any():
        return vectors.sum() * 0.0
    per_anchor = (log_prob.masked_fill(~positive, 0.0).sum(1) / positive.sum(1).clamp(min=1))[anchors]
    return -per_anchor.mean()


def length_grouped(idx: list[int], lengths: list[int], batch_size: int, rng: random.Random,
                   window: int = 50) -> list[list[int]]:
    """Shuffled batches of like-length texts (transformers' `group_by_length`): shuffle, sort each window of
    `window` batches by length, cut it into batches, shuffle the batches. A batch is padded to its longest
    text, and the labelled texts run from a few tokens to ~140 (median 21; 90 % under 84), so random batches
    were mostly padding: a CPU step of 32 took 6.5–7.3 s before and 3.6–4.5 s after (every real label, middle)."""
    order = list(idx)
    rng.shuffle(order)
    span = batch_size * window
    batches = []
    for s in range(0, len(order), span):
        part = sorted(order[s:s + span], key=lengths.__getitem__)
        batches += [part[b:b + batch_size] for b in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return batches


def masked_mean(hidden, mask):
    """The mean over a text's real tokens (padding left out)."""
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1)


def mean_pool(hidden, mask):
    """The sentence vector the saved folder serves: the mean over real tokens, normalised."""
    import torch

    return torch.nn.functional.normalize(masked_mean(hidden, mask), dim=-1)


def head_input(bert, enc, head: str):
    """(last hidden states, the vector the classification head reads) for a BERT encoder whose head reads `head`
    ('mean' or 'pooler'; TrainConfig.head). Training, its predictions and a saved folder's teacher probabilities
    all read it here, so the folder's head is read as it was trained."""
    if head not in HEADS:
        raise ValueError(f"분류 헤드 입력 {head!r}: {' 또는 '.join(HEADS)} 중 하나여야 합니다")
    out = bert(**enc)
    pooled = masked_mean(out.last_hidden_state, enc["attention_mask"]) if head == "mean" else out.pooler_output
    return out.last_hidden_state, pooled


def _base_path(base: str) -> str:
    return str(ensure_e5()) if base == E5_FOLDER else base


def train(data: LabelledSet, cfg: TrainConfig, progress: Progress | None = None) -> dict:
    """The transformer variant: fine-tune on the shared split, checkpoint every epoch, resume if a checkpoint
    for the same config exists. Returns the card (accuracy, macro-F1, sizes, timings).

    The steps run in a fixed order that the torch random stream depends on (seed, then the classifier head's
    initialisation, then dropout during the epochs), so a run is repeatable and a resumed run continues it."""
    import torch

    torch.manual_seed(cfg.seed)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    run = _Run(data, cfg, progress)
    run.load_classifier()
    run.resume()
    started = time.time()
    for epoch in range(run.start_epoch, cfg.epochs):
        run.fit_epoch(epoch)
        run.checkpoint(epoch, started)
    train_seconds = run.previous_seconds + time.time() - started
    card = run.card(train_seconds)
    run.model.to("cpu")
    card["_test_ids"] = [data.ids[i] for i in run.split.test]
    save_encoder(run.model, run.tokenizer, run.out, card, cfg)
    card["_predictions"] = {"test": list(run.split.test), "pred": card.pop("_test_pred")}  # for the report only
    return card


class _Run:
    """One fine-tuning run's state, built and advanced by `train` step by step."""

    def __init__(self, data: LabelledSet, cfg: TrainConfig, progress: Progress | None):
        import torch

        self.data, self.cfg, self.progress = data, cfg, progress
        self.texts, self.labels = data.texts, data.labels(cfg.level)
        self.lengths = [len(t) for t in self.texts]  # characters: enough to group texts of like token counts
        split = data.split(cfg.seed)
        self.split = Split(*[[i for i in part if self.labels[i]] for part in (split.train, split.val, split.test)])
        self.train_idx = stratified_sample(self.split.train, self.labels, cfg.max_train, cfg.seed)
        self.classes = sorted({self.labels[i] for i in self.split.train})
        self.to_id = {y: i for i, y in enumerate(self.classes)}
        self.out = Path(cfg.out or default_path())
        self.ckpt_dir = self.out.parent / (self.out.name + "-ckpt")
        self.ckpt_dir.mkdir(parents=True, exist_ok=True)
        self.state_file = self.ckpt_dir / "last.pt"
        self.device = "cuda" if torch.cuda.is_available() else "cpu"  # a GPU, when there is one, is used as is
        self.steps_per_epoch = math.ceil(len(self.train_idx) / cfg.batch_size)
        self.total_steps = self.steps_per_epoch * cfg.epochs
        self.signature = json.dumps({k: v for k, v in asdict(cfg).items() if k not in {"epochs", "out"}}, sort_keys=True)
        self.start_epoch, self.history, self.previous_seconds = 0, [], 0.0
        self.losses: list[float] = []
        self.step_times: list[float] = []

    def load_classifier(self) -> None:
        """The base encoder with a fresh classification head, its optimiser and learning-rate schedule."""
        import torch
        from transformers import AutoModelForSequenceClassification

        cfg, base = self.cfg, _base_path(self.cfg.base)
        self.tokenizer = training_tokenizer(base)
        self.model = AutoModelForSequenceClassification.from_pretrained(
            base, num_labels=len(self.classes), id2label=dict(enumerate(self.classes)), label2id=self.to_id)
        self.model.to(self.device)
        if cfg.freeze_embeddings:
            self.model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
        self.params = [p for p in self.model.parameters() if p.requires_grad]
        head_params = list(self.model.classifier.parameters())
        body = [p for p in self.params if id(p) not in {id(h) for h in head_params}]
        # frozen rows (the 250k-token embedding table, 80 % of e5-small) come from the base at every load,
        # so checkpoints leave them out: ~90 MB instead of ~470 MB written per epoch
        self.frozen = {name for name, p in self.model.named_parameters() if not p.requires_grad}
        self.trainable_keys = set(self.model.state_dict()) - self.frozen
        lr_head = cfg.lr if cfg.lr_head is None else cfg.lr_head
        self.optim = torch.optim.AdamW([{"params": body}, {"params": head_params, "lr": lr_head}], lr=cfg.lr,
                                       weight_decay=0.01)
        total = self.total_steps
        self.sched = torch.optim.lr_scheduler.LambdaLR(
            self.optim, lambda s: min(1.0, (s + 1) / max(1, total // 10)) * max(0.0, (total - s) / total))

    def resume(self) -> None:
        """Continue from the last checkpoint when it is of the same config and classes, with exactly the
        trainable weights (an older full checkpoint also fits)."""
        import torch

        if not self.state_file.exists():
            return
        state = torch.load(self.state_file, map_location="cpu", weights_only=False)
        if not (state.get("signature") == self.signature and state.get("classes") == self.classes
                and self.trainable_keys <= set(state["model"]) <= self.trainable_keys | self.frozen):
            logging.getLogger(__name__).warning("체크포인트 %s는 이 설정(또는 직종 분류)과 달라 처음부터 학습합니다",
                                                self.state_file)
        else:
            self.model.load_state_dict(state["model"], strict=False)
            self.optim.load_state_dict(state["optim"])
            self.sched.load_state_dict(state["sched"])
            self.start_epoch, self.history = state["epoch"], state["history"]
            self.previous_seconds = state.get("train_seconds", 0.0)  # time already spent before a resume

    def batches(self, idx: list[int], shuffle: bool, seed: int):
        import torch

        chunks = (length_grouped(idx, self.lengths, self.cfg.batch_size, random.Random(seed)) if shuffle else
                  [idx[s:s + self.cfg.batch_size] for s in range(0, len(idx), self.cfg.batch_size)])
        for chunk in chunks:
            enc = self.tokenizer([self.texts[i] for i in chunk], truncation=True, max_length=self.cfg.max_len,
                                 padding=True, return_tensors="pt").to(self.device)
            yield enc, torch.tensor([self.to_id[self.labels[i]] for i in chunk], device=self.device)

    def forward(self, enc):
        """(last hidden states, class logits), the head reading what `cfg.head` names."""
        hidden, pooled = head_input(self.model.bert, enc, self.cfg.head)
        return hidden, self.model.classifier(self.model.dropout(pooled))

    def predict(self, idx: list[int]) -> list[str]:
        import torch

        self.model.eval()
        preds = []
        with torch.no_grad():
            for enc, _ in self.batches(idx, False, 0):
                preds += self.forward(enc)[1].argmax(-1).tolist()
        return [self.classes[p] for p in preds]

    def fit_epoch(self, epoch: int) -> None:
        """One pass over the training sample (shuffled by seed + epoch), then the validation accuracy."""
        import torch
        from sklearn.metrics import accuracy_score

        cfg, model = self.cfg, self.model
        model.train()
        for step, (enc, y) in enumerate(self.batches(self.train_idx, True, cfg.seed + epoch)):
            t0 = time.time()
            hidden, logits = self.forward(enc)
            loss = torch.nn.functional.cross_entropy(logits, y)
            if cfg.contrastive > 0:
                vectors = mean_pool(hidden, enc["attention_mask"])
                loss = loss + cfg.contrastive * same_occupation_loss(vectors, y, cfg.contrastive_temperature)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.params, 1.0)
            self.optim.step()
            self.sched.step()
            self.optim.zero_grad()
            self.losses.append(float(loss.detach()))
            self.step_times.append(time.time() - t0)
            done = epoch * self.steps_per_epoch + step + 1
            eta = (self.total_steps - done) * float(np.mean(self.step_times[-20:]))
            report(self.progress, "W-BERT 학습", done, self.total_steps,
                   f"에폭 {epoch + 1}/{cfg.epochs} · 손실 {np.mean(self.losses[-20:]):.3f} · 남은 시간 {eta / 60:.1f}분")
        val = self.split.val
        val_acc = accuracy_score([self.labels[i] for i in val], self.predict(val)) if val else None
        self.history.append({"epoch": epoch + 1, "loss": float(np.mean(self.losses[-self.steps_per_epoch:])),
                             "val_accuracy": val_acc})

    def checkpoint(self, epoch: int, started: float) -> None:
        import torch

        trainable = {k: v for k, v in self.model.state_dict().items() if k in self.trainable_keys}
        torch.save({"model": trainable, "optim": self.optim.state_dict(), "sched": self.sched.state_dict(),
                    "epoch": epoch + 1, "history": self.history, "signature": self.signature, "classes": self.classes,
                    "train_seconds": self.previous_seconds + time.time() - started}, self.state_file)

    def card(self, train_seconds: float) -> dict:
        """Test accuracy and macro-F1, the sizes, the history, and the vectors and class probabilities of a few texts
        from the model in memory, so a reload (and its head) can be checked against them."""
        from sklearn.metrics import accuracy_score, f1_score

        cfg, split, data = self.cfg, self.split, self.data
        test_pred = self.predict(split.test)
        y_test = [self.labels[i] for i in split.test]
        card = {
            "name": "W-BERT", "variant": "transformer", "base_model": cfg.base, "level": cfg.level,
            "classes": len(self.classes), "class_codes": self.classes, "data": data.note,
            "synthetic": any(src == "demo" for src in data.sources),
            "split": {"train_pool": len(split.train), "train_used": len(self.train_idx), "val": len(split.val),
                      "test": len(split.test), "seed": cfg.seed, "stratified": "middle"},
            "test_accuracy": round(float(accuracy_score(y_test, test_pred)), 4),
            "test_macro_f1": round(float(f1_score(y_test, test_pred, average="macro")), 4),
            "history": self.history, "train_seconds": round(train_seconds, 1),
            "losses": [round(x, 4) for x in self.losses], "config": asdict(cfg), "date": clock.stamp(),
        }
        card["check"] = {"texts": [self.texts[i] for i in self.train_idx[:4]]}
        card["check"]["vectors"], card["check"]["probabilities"] = self.read_back(card["check"]["texts"])
        card["_test_pred"] = test_pred
        return card

    def read_back(self, texts: list[str]) -> tuple[list[list[float]], list[list[float]]]:
        """The saved folder's sentence vectors (mean pooling, normalised) and class probabilities (columns in
        `classes` order), computed from the model in memory."""
        import torch

        self.model.eval()
        with torch.no_grad():
            enc = self.tokenizer(texts, truncation=True, max_length=self.cfg.max_len, padding=True,
                                 return_tensors="pt").to(self.device)
            hidden, logits = self.forward(enc)
            vec = mean_pool(hidden, enc["attention_mask"])
        return vec.cpu().numpy().round(6).tolist(), logits.softmax(-1).cpu().numpy().round(6).tolist()


def save_encoder(model, tokenizer, out: Path, card: dict, cfg: TrainConfig) -> None:
    """A sentence-transformers folder: tuned BERT + mean pooling + normalise (+ e5 prompts), card.json, and the
    classification head over what card['config']['head'] names (classifier.safetensors, rows in
    card['class_codes'] order), so the folder can teach the static W-BERT (distil.teacher_probabilities)."""
    from safetensors.torch import save_file

    tmp = out.parent / (out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    bert = model.bert
    bert.save_pretrained(tmp)
    save_file({"weight": model.classifier.weight.detach().cpu().contiguous(),
               "bias": model.classifier.bias.detach().cpu().contiguous()}, str(tmp / "classifier.safetensors"))
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


