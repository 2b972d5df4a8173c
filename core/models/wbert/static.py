"""W-BERT, static variant: the seed's own representation, trained directly.

The seed's document vectors were the average of a fine-tuned model's word-embedding rows over a posting's
tokens. Here that average is the model: e5's 250k-token embedding table (e5's own rows to start with) is
trained with a cosine classification head on 직종 labels, with no transformer layers in between. Only the
rows of tokens that occur are touched (sparse gradients), so it trains in minutes on 2 cores, and a document
vector costs a table lookup. The result is a sentence-transformers folder (StaticEmbedding or
CharGramEmbedding, then Normalize) with a card, loadable in one line (`chargrams.load_sentence_model`).

Character n-grams (`char_ngram_max`, chargrams.py): the bag also holds the text's char_wb 2–3-grams seen in
training, as rows after e5's that start at zero, so a job word e5 splits still has rows of its own (fastText's
subwords). Chosen on dev with the rest (bench_wbert_length.py).

Length: the vector is normalised, so the mean over a text's rows points where their *sum* points, and a
row's norm is that token's weight. Rows start as e5's scaled by a token weight (SIF: a / (a + p(token)),
or IDF) so frequent words start light, and training sees long forms of its postings (lengths.py) next to
the titles and short texts, so it learns to keep the words that pad a long posting light. A long text
is then classified like its title, and serving stays a table lookup (no weighting step at run time).
"""
from __future__ import annotations

import functools
import json
import math
import random
import shutil
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from ... import clock
from ...progress import Progress, report
from ..encoders import ensure_e5
from .labels import LabelledSet, Split
from .lengths import length_views, long_text, neutral_text

WEIGHTINGS = ("mean", "idf", "sif")
NEUTRAL = -1  # the target and origin of a training text that names no job


@dataclass
class StaticConfig:
    level: str = "middle"
    epochs: int = 15
    batch_size: int = 32  # chosen on the dev split: bench/tune_wbert_static.py, bench/results/wbert-tuning.json
    # SparseAdam on the touched rows of the table: 0.02 for pieces alone; with character n-grams, whose rows
    # start at zero, 0.005 (bench_wbert_length.py's dev grid: 0.02 … 0.001; 0.001 fails the one-word length case)
    lr_embedding: float = 0.005
    lr_head: float = 0.01
    scale: float = 10.0  # cosine-classifier temperature (dev split, as above)
    patience: int = 3  # epochs without a better dev accuracy before stopping
    # token weights the rows start with ('mean' = none, 'idf', 'sif') and long forms per training posting
    # (lengths.py): SIF with four long forms, bench_wbert_length's dev choice (bench/results/wbert.json
    # 'by_length'; a test holds these defaults to it)
    weighting: str = "sif"
    sif_a: float = 1e-3
    long_variants: int = 4
    # the rows training starts from: e5's input rows ('input'), or a teacher encoder's output for each token
    # alone ('distilled', distil.py; `teacher` is its folder, e5-small when empty)
    rows: str = "input"
    teacher: str = ""
    # the share of the loss that follows a fine-tuned transformer W-BERT's class probabilities (`teacher`, which
    # must then be such a folder) instead of the labels alone: distillation; 0 = the labels alone
    teacher_weight: float = 0.0
    # character n-grams read beside the pieces (char_wb 2..char_ngram_max, in ≥ 2 training examples, long forms
    # included; 0 = pieces only): chargrams.py; 2–3-grams, chosen on dev over 2–4 like the rest
    char_ngram_max: int = 3
    # occupation-neutral texts (other postings' place, career, wage, days fields alone) per training posting,
    # each taught the uniform distribution: rows that name no job learn to favour none, so the filler of a long
    # text cannot pull it toward the frequent classes (0 = none)
    neutral_share: float = 0.0
    # the share of each training text's tokens (pieces and n-grams) left out of its bag each time it is read: word
    # dropout (Iyyer et al. 2015, deep averaging networks), so the table cannot learn each posting by one rare
    # token; the plain recipe was best after one epoch and overfit from the second (0 = none)
    token_dropout: float = 0.0
    # a seed ensemble: this many tables trained alike from seeds seed, seed + 1, … (other initial heads, batch
    # orders and long forms; one split), served as one model whose vector is theirs side by side
    # (chargrams.block_normalize) and whose head reads the mean of theirs. Chosen on dev
    # (bench_wbert_length.py, the `…-x4` candidate): on the mean of the three length views one table scored 0.5927,
    # two 0.5970, four 0.6007, and they lifted long texts most (each member reads their filler differently)
    members: int = 4
    # the share of the loss read at the major level: the cross-entropy of the middle classes' probabilities summed
    # within each major (the 'sum' reading of a major), beside the middle one (0 = middle alone). A wrong middle
    # class inside the right major then costs less than one in another major. 2.0 with four tables is
    # bench_wbert_length's dev choice (mean of the three views 0.6010 against 0.6007 without: one dev text of 3,489;
    # the major is then read from the best middle class, 'argmax', chosen on dev as well)
    major_weight: float = 2.0
    seed: int = 42
    out: str = ""


# the knobs that make a static W-BERT's recipe (not where it is written, its level or how long it may train), in
# words for the W-BERT page
RECIPE_LABELS = {"weighting": "토큰 가중치", "sif_a": "SIF a", "long_variants": "긴 글 변형 수", "rows": "시작 행",
                 "teacher_weight": "교사 비중", "char_ngram_max": "문자 n-그램 최대 길이", "neutral_share": "중립 문장 비율",
                 "token_dropout": "단어 드롭아웃", "members": "앙상블 구성원 수", "major_weight": "대분류 손실 비중",
                 "lr_embedding": "임베딩 표 학습률", "lr_head": "분류기 학습률",
                 "scale": "코사인 배율", "batch_size": "배치 크기"}
# what a knob added after the first static W-BERT was before it existed (cards written then do not record it);
# the other knobs are on every static card (git history of this file)
BEFORE_KNOB = {"weighting": "mean", "sif_a": 1e-3, "rows": "input", "long_variants": 0, "teacher_weight": 0.0,
               "char_ngram_max": 0, "neutral_share": 0.0, "token_dropout": 0.0, "members": 1, "major_weight": 0.0}
VALUE_LABELS = {"mean": "평균", "idf": "IDF 가중", "sif": "SIF 가중", "input": "e5 입력 행", "distilled": "증류 행"}


def recipe_changes(card: dict | None) -> dict[str, tuple[object, object]]:
    """How a static W-BERT's recipe differs from today's (StaticConfig's defaults): knob → (then, now). An install
    keeps the W-BERT it has, so after an upgrade this says it was built the old way. Empty for a current one or a
    transformer. SIF's a counts only where SIF weighting is used."""
    if not card or card.get("variant") != "static":
        return {}
    then, now = card.get("config") or {}, asdict(StaticConfig())
    changes = {}
    for knob in RECIPE_LABELS:
        old = then.get(knob, BEFORE_KNOB.get(knob))
        if old != now[knob]:
            changes[knob] = (old, now[knob])
    if "sif" not in (then.get("weighting", BEFORE_KNOB["weighting"]), now["weighting"]):
        changes.pop("sif_a", None)
    return changes


def recipe_note(card: dict | None) -> str:
    """The one sentence the W-BERT page and set-up say about an outdated recipe ('' when it is current)."""
    changes = recipe_changes(card)
    if not changes:
        return ""

    def shown(value) -> str:
        if value in (0, "", None):
            return "없음"
        return f"{value:g}" if isinstance(value, float) else VALUE_LABELS.get(value, str(value))

    listed = ", ".join(f"{RECIPE_LABELS[k]} {shown(a)} → {shown(b)}" for k, (a, b) in changes.items())
    return f"지금과 다른 방식으로 학습한 W-BERT입니다 ({listed}). 정적 임베딩으로 다시 학습하면 지금 방식이 됩니다."


@dataclass
class Prepared:
    """What one training run reads: labels, the split, the training examples and the dev views."""

    labels: list[str]
    split: Split
    train_idx: list[int]
    classes: list[str]
    examples: list[str]  # the training texts: every training row as given, then the long forms, then neutral ones
    targets: list[int]  # a class index; NEUTRAL for a text that names no job (taught the uniform distribution)
    origins: list[int]  # the labelled row each example is (or is a long form of); NEUTRAL for a neutral text
    dev: dict[str, list[str]]  # dev postings as title / text / long (lengths.length_views)
    dev_y: list[str]


def _e5_table() -> tuple[object, np.ndarray]:
    from safetensors import safe_open

    folder = ensure_e5()
    with safe_open(str(folder / "model.safetensors"), "np") as f:
        table = f.get_tensor("embeddings.word_embeddings.weight")
    path = folder / "tokenizer.json"
    return _tokenizer(str(path), path.stat().st_mtime_ns), table


@functools.lru_cache(maxsize=4)
def _tokenizer(path: str, mtime_ns: int):
    """e5's tokenizer.json (250k pieces) takes about a second to parse: read once a process for each version of
    the file. Shared safely: it is only read; the one call that touches it, sentence-transformers'
    StaticEmbedding switching padding off, leaves it as it was (no padding or truncation is ever set)."""
    from tokenizers import Tokenizer

    return Tokenizer.from_file(path)


def prepare(data: LabelledSet, cfg: StaticConfig, train_idx: list[int] | None = None, member: int = 0) -> Prepared:
    """Step 1: the shared split's train rows (or `train_idx`), each as given plus `long_variants` long
    forms (postings only; filler from training postings), and the dev postings in their three lengths.
    An ensemble's `member` k draws its long forms from seed + k; the split and dev views are the same for all."""
    labels = data.labels(cfg.level)
    split = data.split(cfg.seed)
    train_idx = [i for i in (split.train if train_idx is None else train_idx) if labels[i]]
    classes = sorted({labels[i] for i in train_idx})
    to_id = {y: k for k, y in enumerate(classes)}
    rng = random.Random(cfg.seed + member)
    postings = [i for i in train_idx if data.sources[i] != "keis"]
    pool = [c for c in (data.context(i) for i in postings) if c]
    examples = [data.texts[i] for i in train_idx]
    origins = list(train_idx)
    for _ in range(cfg.long_variants):
        examples += [long_text(data, i, pool, rng) for i in postings]
        origins += postings
    targets = [to_id[labels[i]] for i in origins]
    neutral = [neutral_text(pool, rng) for _ in range(round(cfg.neutral_share * len(postings)) if pool else 0)]
    examples += neutral
    origins += [NEUTRAL] * len(neutral)
    targets += [NEUTRAL] * len(neutral)
    dev_idx = [i for i in split.val if labels[i] in to_id]
    return Prepared(labels, split, train_idx, classes, examples, targets, origins,
                    length_views(data, dev_idx, cfg.seed), [labels[i] for i in dev_idx])


def token_weights(token_ids: list[list[int]], vocab: int, how: str, a: float = 1e-3) -> np.ndarray:
    """Step 2: a weight per table row from the training texts: 1 ('mean'), IDF, or SIF a / (a + p(token));
    scaled so an average token occurrence keeps weight 1 (the learning rates stay meaningful)."""
    if how not in WEIGHTINGS:
        raise ValueError(f"weighting은 {', '.join(WEIGHTINGS)} 중 하나여야 합니다 (받은 값 {how!r})")
    if how == "mean" or not token_ids:
        return np.ones(vocab, dtype=np.float32)
    flat = np.concatenate([np.asarray(x, dtype=np.int64) for x in token_ids])
    counts = np.bincount(flat, minlength=vocab).astype(np.float64)
    if how == "sif":
        w = a / (a + counts / counts.sum())
    else:
        df = np.zeros(vocab)
        for x in token_ids:
            df[np.unique(x)] += 1
        w = np.log((len(token_ids) + 1) / (df + 1)) + 1
    w /= (w * counts).sum() / counts.sum()
    return w.astype(np.float32)


def token_ids(tokenizer, texts: list[str]) -> list[list[int]]:
    """Token ids as StaticEmbedding reads them (no special tokens; an empty text is the padding row)."""
    return [e.ids or [0] for e in tokenizer.encode_batch(texts, add_special_tokens=False)]


class StaticModel:
    """The table (an EmbeddingBag, mean pooling) and the cosine head: what training updates."""

    def __init__(self, tokenizer, table: np.ndarray, n_classes: int, scale: float, seed: int,
                 grams: list[str] | None = None, ngram_max: int = 0, pieces: list[int] | None = None, blocks: int = 1):
        """`grams`: character n-grams whose rows follow the tokenizer's in `table` (chargrams.py); none = pieces.
        `pieces`, `blocks`: a merged seed ensemble's table (`merge_members`)."""
        import torch
        from sentence_transformers.sentence_transformer.modules import StaticEmbedding

        from ..chargrams import CharGramEmbedding

        torch.manual_seed(seed)
        self.tokenizer, self.scale, self.temperature = tokenizer, scale, 1.0
        self._ids: dict[str, list[int]] = {}
        self.static = (CharGramEmbedding(tokenizer, grams or [], ngram_max, embedding_weights=table, pieces=pieces,
                                         blocks=blocks) if grams or pieces is not None
                       else StaticEmbedding(tokenizer, embedding_weights=table))
        self.bag = self.static.embedding
        self.bag.sparse = True
        self.head = torch.nn.Parameter(torch.randn(n_classes, table.shape[1]) * 0.01)

    def ids(self, texts: list[str]) -> list[list[int]]:
        """Token ids, each text tokenized once per run (the same dev texts are read every epoch)."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._ids))
        read = getattr(self.static, "ids", None)  # CharGramEmbedding: pieces then n-grams, as it serves them
        self._ids.update(zip(missing, read(missing) if read else token_ids(self.tokenizer, missing)))
        return [self._ids[t] for t in texts]

    def vectors(self, ids: list[list[int]]):
        import torch

        from ..chargrams import block_normalize

        offsets = torch.from_numpy(np.cumsum([0] + [len(x) for x in ids[:-1]]))
        blocks = getattr(self.static, "blocks", 1)  # > 1 for a merged ensemble: read as its module serves it
        return block_normalize(self.bag(torch.tensor([t for x in ids for t in x], dtype=torch.long), offsets), blocks)

    def logits(self, ids: list[list[int]]):
        import torch.nn.functional as F

        return self.scale * self.vectors(ids) @ F.normalize(self.head, dim=-1).T

    def predict(self, ids: list[list[int]]) -> np.ndarray:
        """Class indices, in batches, without gradients."""
        import torch

        with torch.no_grad():
            return np.concatenate([self.logits(ids[s:s + 512]).argmax(-1).numpy() for s in range(0, len(ids), 512)]
                                  or [np.zeros(0, dtype=np.int64)])

    def state(self, rows):
        """The head and the table's `rows` (a tensor of row ids): the only rows training can change, as the
        sparse optimiser steps just the rows a batch used; a copy of the whole 250k-row table cost ~0.3 s a
        better epoch."""
        return rows, self.bag.weight.detach()[rows].clone(), self.head.detach().clone()

    def load_state(self, state) -> None:
        import torch

        rows, weights, head = state
        with torch.no_grad():
            self.bag.weight[rows] = weights
            self.head.copy_(head)


def fit(model: StaticModel, prep: Prepared, cfg: StaticConfig, progress: Progress | None = None,
        soft: np.ndarray | None = None, stage: str = "W-BERT(정적) 학습") -> list[dict]:
    """Step 3: epochs of cross-entropy over the examples (mixed with the teacher's probabilities, `soft`, one
    row per labelled row, when distilling); keeps the state with the best dev accuracy (the mean over the
    three length views) and stops after `patience` epochs without a better one."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small sparse steps: one thread is 5x faster than two fighting over a busy machine
    try:
        return _epochs(model, prep, cfg, progress, soft, stage)
    finally:
        torch.set_num_threads(threads)


def _epochs(model: StaticModel, prep: Prepared, cfg: StaticConfig, progress: Progress | None,
            soft: np.ndarray | None = None, stage: str = "W-BERT(정적) 학습") -> list[dict]:
    import torch
    import torch.nn.functional as F

    opt_table = torch.optim.SparseAdam(list(model.bag.parameters()), lr=cfg.lr_embedding)
    opt_head = torch.optim.Adam([model.head], lr=cfg.lr_head)
    ids = model.ids(prep.examples)  # once, not per epoch
    dev_ids = {name: model.ids(texts) for name, texts in prep.dev.items()}
    dev_y = np.asarray([prep.classes.index(y) for y in prep.dev_y])
    rng = random.Random(cfg.seed)
    drop = np.random.default_rng(cfg.seed)
    to_major = major_matrix(prep.classes) if cfg.major_weight else None
    trained_rows = torch.from_numpy(np.unique(np.concatenate([np.asarray(x, dtype=np.int64) for x in ids]))
                                    if ids else np.zeros(0, dtype=np.int64))
    history, best, best_state, stale = [], -1.0, model.state(trained_rows), 0
    steps = -(-len(ids) // cfg.batch_size)
    for epoch in range(cfg.epochs):
        order = list(range(len(ids)))
        rng.shuffle(order)
        losses = []
        for step in range(steps):
            batch = order[step * cfg.batch_size:(step + 1) * cfg.batch_size]
            logits = model.logits([dropped(ids[i], cfg.token_dropout, drop) for i in batch])
            target = torch.tensor([prep.targets[i] for i in batch])
            named = target != NEUTRAL
            loss = label_loss(logits, target, to_major, cfg.major_weight)
            if soft is not None:  # a long form learns its posting's teacher probabilities (a neutral text: uniform)
                taught = torch.from_numpy(soft[[max(prep.origins[i], 0) for i in batch]])
                taught[~named] = 1.0 / logits.shape[1]
                loss = (1 - cfg.teacher_weight) * loss + cfg.teacher_weight * F.cross_entropy(logits, taught)
            opt_table.zero_grad()
            opt_head.zero_grad()
            loss.backward()
            opt_table.step()
            opt_head.step()
            losses.append(float(loss.detach()))
            report(progress, stage, epoch * steps + step + 1, cfg.epochs * steps,
                   f"에폭 {epoch + 1} · 손실 {np.mean(losses[-20:]):.3f}")
        dev = dev_accuracy(model, dev_ids, dev_y)
        score = float(np.mean(list(dev.values())))
        history.append({"epoch": epoch + 1, "loss": round(float(np.mean(losses)), 4), "val_accuracy": round(score, 4),
                        "val_by_view": {k: round(v, 4) for k, v in dev.items()}})
        if score > best or math.isnan(score):
            best, stale, best_state = score, 0, model.state(trained_rows)
        else:
            stale += 1
            if stale >= cfg.patience:
                break
    report(progress, stage, cfg.epochs * steps, cfg.epochs * steps)
    model.load_state(best_state)
    return history


def label_loss(logits, target, to_major=None, major_weight: float = 0.0):
    """The loss on the labels: cross-entropy with the class (a neutral text, target NEUTRAL: with the uniform
    distribution, at least ln C, so with neutral texts the loss in `history` is not comparable with a recipe's
    without them), plus `major_weight` × the cross-entropy of each major's summed middle probabilities with the
    class's major (`to_major`: `major_matrix`), averaged over the texts that name a job (so with neutral texts in
    the batch it weighs a little more than `major_weight` says; the loss in `history` then holds it too)."""
    import torch
    import torch.nn.functional as F

    named = target != NEUTRAL
    loss = torch.where(named, F.cross_entropy(logits, target.clamp(min=0), reduction="none"),
                       -F.log_softmax(logits, dim=-1).mean(-1)).mean()
    if to_major is not None and major_weight and bool(named.any()):
        major_p = F.softmax(logits[named], dim=-1) @ to_major
        loss = loss + major_weight * F.nll_loss(major_p.clamp_min(1e-12).log(), to_major[target[named]].argmax(-1))
    return loss


def major_matrix(classes: list[str]):
    """A (middle class × major) 0/1 matrix: which major each middle class belongs to, as keco's table says (the
    rule every major is read by)."""
    import torch

    from ...data import keco

    majors = sorted({keco.major_of(c) or "" for c in classes})
    m = torch.zeros(len(classes), len(majors))
    for k, c in enumerate(classes):
        m[k, majors.index(keco.major_of(c) or "")] = 1.0
    return m


def dev_accuracy(model: StaticModel, dev_ids: dict[str, list[list[int]]], dev_y: np.ndarray) -> dict[str, float]:
    """Accuracy on each dev view (title, text, long): the figure training stops on and the bench chooses by."""
    return {name: float((model.predict(v) == dev_y).mean()) if len(dev_y) else float("nan") for name, v in dev_ids.items()}


def dropped(ids: list[int], share: float, rng: np.random.Generator) -> list[int]:
    """`ids` with each left out at probability `share`, keeping at least one (the bag is never empty)."""
    if not share or len(ids) < 2:
        return ids
    keep = rng.random(len(ids)) >= share
    if not keep.any():
        keep[rng.integers(len(ids))] = True
    return [t for t, k in zip(ids, keep) if k]


def calibrate(model: StaticModel, prep: Prepared) -> float:
    """Step 4: the softmax temperature that minimises the dev log-loss (all three views), so a confidence
    of 0.9 means right about nine times in ten; auto-coding thresholds read it."""
    import torch

    texts = [t for v in prep.dev.values() for t in v]
    if not texts:
        return 1.0
    y = torch.tensor([prep.classes.index(c) for _ in prep.dev for c in prep.dev_y])
    with torch.no_grad():
        z = model.logits(model.ids(texts))
        grid = np.exp(np.linspace(np.log(0.2), np.log(5.0), 41))
        nll = [float(torch.nn.functional.cross_entropy(z / t, y)) for t in grid]
    model.temperature = float(grid[int(np.argmin(nll))])
    return model.temperature


def autocode_threshold(model: StaticModel, prep: Prepared, precision: float = 0.9) -> float:
    """Step 4b: the lowest calibrated confidence at which the dev postings (as given) at or above it are still
    right `precision` of the time: auto-coding uses a prediction from there and sends the rest to review."""
    import torch

    if not prep.dev_y:
        return 1.0
    with torch.no_grad():
        p = torch.softmax(model.logits(model.ids(prep.dev["text"])) / model.temperature, dim=-1).numpy()
    conf = p.max(axis=1)
    right = p.argmax(axis=1) == np.asarray([prep.classes.index(y) for y in prep.dev_y])
    order = np.argsort(-conf, kind="stable")
    running = np.cumsum(right[order]) / np.arange(1, len(order) + 1)
    ok = np.flatnonzero(running >= precision)
    return round(float(conf[order][ok[-1]]), 4) if len(ok) else 1.0


def train_static(data: LabelledSet, cfg: StaticConfig, train_idx: list[int] | None = None,
                 progress: Progress | None = None, save: bool = True) -> dict:
    """Train on the shared split's train rows (or `train_idx`, a subset for the learning curve), stop on the
    dev accuracy, report on the test rows: `cfg.members` tables, merged into one model when more than one.
    Returns the card; writes the folder when `save`."""
    started = time.time()
    if not (0 <= cfg.token_dropout < 1 and cfg.neutral_share >= 0 and cfg.members >= 1):
        raise ValueError(f"token_dropout은 0 이상 1 미만, neutral_share는 0 이상, members는 1 이상이어야 합니다 "
                         f"(받은 값 {cfg.token_dropout!r}, {cfg.neutral_share!r}, {cfg.members!r})")
    if cfg.rows not in ("input", "distilled"):
        raise ValueError(f"rows는 input 또는 distilled여야 합니다 (받은 값 {cfg.rows!r})")
    if cfg.char_ngram_max == 1 or cfg.char_ngram_max < 0:
        raise ValueError(f"char_ngram_max는 0(사용 안 함) 또는 2 이상이어야 합니다 (받은 값 {cfg.char_ngram_max!r})")
    tokenizer, e5_rows = _e5_table()
    preps = [prepare(data, cfg, train_idx, member=k) for k in range(cfg.members)]
    prep = preps[0]
    soft = teacher_soft(data, cfg, prep, progress) if cfg.teacher_weight else None
    if cfg.members == 1:
        model, history = train_member(prep, cfg, tokenizer, e5_rows, progress, soft)
        histories = [history]
    else:
        member_ids = [token_ids(tokenizer, p.examples) for p in preps]  # once: the kept pieces and training read them
        pieces, members, histories = kept_pieces(member_ids), [], []
        for k, p in enumerate(preps):
            member, h = train_member(p, replace(cfg, seed=cfg.seed + k), tokenizer, e5_rows, progress, soft,
                                     f"W-BERT(정적) 학습 · 표 {k + 1}/{cfg.members}", member_ids[k])
            members.append(Member.of(member, pieces))
            histories.append(h)
            del member  # its whole table goes before the next one is made
        model, history = merge_members(members, pieces, tokenizer, cfg.scale), histories[0]
    temperature = calibrate(model, prep)
    card = make_card(data, cfg, prep, model, history, temperature, time.time() - started)
    dev = dev_accuracy(model, {k: model.ids(v) for k, v in prep.dev.items()},
                       np.asarray([prep.classes.index(y) for y in prep.dev_y]))
    card["dev_accuracy"] = {"mean_of_views": round(float(np.mean(list(dev.values()))), 4),
                            "by_view": {k: round(v, 4) for k, v in dev.items()}}
    if cfg.members > 1:
        card["members"] = [{"seed": cfg.seed + k, "history": h} for k, h in enumerate(histories)]
    card["autocode_threshold"] = autocode_threshold(model, prep)
    if save:
        model.bag.sparse = False
        save_static(model.static, model.head.detach(), prep.classes, Path(cfg.out), card)
    return card


def teacher_soft(data: LabelledSet, cfg: StaticConfig, prep: Prepared, progress: Progress | None) -> np.ndarray:
    """The fine-tuned transformer's class probabilities for every labelled row training reads (distillation)."""
    from .distil import teacher_probabilities

    if not (0 < cfg.teacher_weight <= 1 and cfg.teacher):
        raise ValueError(f"teacher_weight는 0과 1 사이이고 teacher 폴더가 있어야 합니다 (받은 값 {cfg.teacher_weight!r}, "
                         f"{cfg.teacher!r})")
    taught = sorted(set(prep.origins) - {NEUTRAL})
    probs = teacher_probabilities(cfg.teacher, [data.texts[i] for i in taught], prep.classes, data=data.note,
                                  seed=cfg.seed, progress=progress)
    soft = np.zeros((len(data.texts), len(prep.classes)), dtype=np.float32)
    soft[taught] = probs
    return soft


def train_member(prep: Prepared, cfg: StaticConfig, tokenizer, e5_rows: np.ndarray, progress: Progress | None,
                 soft: np.ndarray | None, stage: str = "W-BERT(정적) 학습",
                 ids: list[list[int]] | None = None) -> tuple[StaticModel, list[dict]]:
    """One table and head, trained on `prep` from `cfg.seed` (an ensemble member's own seed); `ids`: its examples'
    token ids when the caller has them already."""
    ids = token_ids(tokenizer, prep.examples) if ids is None else ids
    table = e5_rows
    if cfg.rows == "distilled":
        from .distil import distilled_table, posting_tokens

        table = distilled_table(cfg.teacher or ensure_e5(), table, posting_tokens(tokenizer, ids), progress=progress)
    weights = token_weights(ids, table.shape[0], cfg.weighting, cfg.sif_a)
    rows, grams = table * weights[:, None], []
    if cfg.char_ngram_max:
        from ..chargrams import fit_grams

        # n-gram rows start at zero: training writes them (a small random start was no better on dev,
        # bench/results/wbert-subwords.json)
        grams = fit_grams(prep.examples, cfg.char_ngram_max)
        rows = np.concatenate([rows, np.zeros((len(grams), table.shape[1]), dtype=rows.dtype)])
    model = StaticModel(tokenizer, rows, len(prep.classes), cfg.scale, cfg.seed, grams, cfg.char_ngram_max)
    if not grams:
        model._ids.update(zip(prep.examples, ids))
    history = fit(model, prep, cfg, progress, soft, stage)
    return model, history


@dataclass
class Member:
    """What an ensemble keeps of a trained table once it is trained: the rows of the kept pieces, its n-grams' rows
    and its head (the whole 250k-row table and its optimiser state are let go before the next one trains)."""

    piece_rows: np.ndarray  # one row per kept piece, in `pieces` order
    grams: list[str]
    gram_rows: np.ndarray
    head: np.ndarray
    ngram_max: int

    @classmethod
    def of(cls, model: StaticModel, pieces: list[int]) -> Member:
        weight = model.bag.weight.detach().numpy()
        grams = list(getattr(model.static, "grams", []))
        offset = getattr(model.static, "offset", weight.shape[0])
        return cls(weight[pieces].copy(), grams, weight[offset:offset + len(grams)].copy(),
                   model.head.detach().numpy().copy(), getattr(model.static, "ngram_max", 0))


def kept_pieces(member_ids: list[list[list[int]]]) -> list[int]:
    """The e5 pieces some member's training texts hold (`member_ids`: each member's token ids): the only piece
    rows training moves."""
    ids = [np.asarray(x, dtype=np.int64) for ids in member_ids for x in ids]
    return np.unique(np.concatenate(ids)).tolist() if ids else []


def merge_members(members: list[Member], pieces: list[int], tokenizer, scale: float) -> StaticModel:
    """One model from a seed ensemble: each member's rows side by side (a block each), its head's rows likewise,
    so the served logit is the mean of the members' (chargrams.block_normalize). The table keeps `pieces` and
    every member's n-grams (a member's block is zero for an n-gram it never kept: a zero row does not turn a
    normalised mean, as a gram left out of its bag does not)."""
    import torch

    grams = sorted(set().union(*(m.grams for m in members)))
    dim = members[0].piece_rows.shape[1]
    table = np.zeros((len(pieces) + len(grams), dim * len(members)), dtype=np.float32)
    at = {g: len(pieces) + k for k, g in enumerate(grams)}
    for b, m in enumerate(members):
        block = slice(b * dim, (b + 1) * dim)
        table[:len(pieces), block] = m.piece_rows
        if m.grams:
            table[[at[g] for g in m.grams], block] = m.gram_rows
    merged = StaticModel(tokenizer, table, members[0].head.shape[0], scale, 0, grams, members[0].ngram_max,
                         pieces=pieces, blocks=len(members))
    heads = [m.head / np.linalg.norm(m.head, axis=1, keepdims=True) for m in members]
    with torch.no_grad():
        merged.head.copy_(torch.from_numpy(np.concatenate(heads, axis=1) / len(members) ** 0.5))
    return merged


def make_card(data: LabelledSet, cfg: StaticConfig, prep: Prepared, model: StaticModel, history: list[dict],
              temperature: float, seconds: float) -> dict:
    """Step 5: test accuracy and macro-F1, sizes, the dev-calibrated temperature and a reload check."""
    import torch
    from sklearn.metrics import accuracy_score, f1_score

    test = [i for i in prep.split.test if prep.labels[i]]
    pred = [prep.classes[k] for k in model.predict(model.ids([data.texts[i] for i in test]))]
    y_test = [prep.labels[i] for i in test]
    card = {
        "name": "W-BERT", "variant": "static", "level": cfg.level,
        "base_model": "e5-small (word-embedding table)" + (f" + char 2–{cfg.char_ngram_max}-grams" if cfg.char_ngram_max else ""),
        "classes": len(prep.classes), "data": data.note,
        "synthetic": any(src == "demo" for src in data.sources),  # the demo corpus: cards say '합성 데이터 기준'
        "split": {"train_pool": len(prep.split.train), "train_used": len(prep.train_idx), "examples": len(prep.examples),
                  "val": len(prep.split.val), "test": len(test), "seed": cfg.seed, "stratified": "middle"},
        "test_accuracy": round(float(accuracy_score(y_test, pred)), 4) if test else None,
        "test_macro_f1": round(float(f1_score(y_test, pred, average="macro")), 4) if test else None,
        "scale": cfg.scale, "temperature": round(temperature, 4),
        "history": history, "train_seconds": round(seconds, 1), "config": asdict(cfg),
        "date": clock.stamp(),
    }
    probe = [data.texts[i] for i in prep.train_idx[:4]]
    with torch.no_grad():  # vectors of a few texts from the in-memory model, so a reload can be checked against them
        vectors = model.vectors(model.ids(probe))
    card["check"] = {"texts": probe, "vectors": vectors.numpy().round(6).tolist()}
    card["_predictions"] = {"test": test, "pred": pred}  # for the report; not written to the card file
    card["_test_ids"] = [data.ids[i] for i in test]  # saved as split.json: evaluation queries W-BERT only with these
    return card


def save_static(static, head, classes: list[str], out: Path, card: dict) -> None:
    """A sentence-transformers folder (StaticEmbedding or CharGramEmbedding, + Normalize), the classifier head, card.json, README."""
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
        f"# W-BERT (static)\n\nThe mean of trained rows ({card['base_model']}: the seed's document vectors), trained "
        f"as a {card['level']} 직종 classifier on {card['data']}. Test accuracy {card['test_accuracy']:.3f}, macro-F1 "
        f"{card['test_macro_f1']:.3f}; {card['train_seconds']:.0f} s on {card['date']}.\n\n"
        "    core.models.chargrams.load_sentence_model(this_folder).encode(texts)  # L2-normalised\n", encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
