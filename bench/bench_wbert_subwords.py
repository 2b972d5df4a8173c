"""Does static W-BERT gain from character n-grams (#25)? fastText's answer to out-of-vocabulary morphology.

    python bench/bench_wbert_subwords.py            # → bench/results/wbert-subwords.json

LogReg on character 2–4-gram TF-IDF beats the served static W-BERT on titles (bench/results/wbert.json
'by_length'). The static model reads e5's 250k sentence pieces only; a Korean job word split across pieces
(요양+보호+사) loses the n-grams that cross the split. Here the same model (the served recipe: SIF rows, four long
forms, cosine head, dev early stopping) reads, in one bag, its e5 pieces and the text's char_wb 2–4-grams that
occur in ≥ 2 training texts, as extra table rows starting at `init` × the mean e5 row. Every variant is trained
from the same seed; the choice is read on the dev split (mean of the three length views), test is reported
beside it with bootstrap CIs, at middle and at major (the best middle class's major).

This probe came first: zero rows won on dev (0.5801 against 0.5781 random, 0.5635 pieces alone), which led to
core/models/chargrams.py and the `…-char…` candidates of bench_wbert_length.py, where the served recipe is chosen.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from core.data import keco  # noqa: E402
from core.models.wbert import StaticConfig, labelled_set  # noqa: E402
from core.models.wbert.lengths import length_views  # noqa: E402
from core.models.wbert.report import scored  # noqa: E402
from core.models.wbert.static import StaticModel, _e5_table, fit, prepare, token_ids, token_weights  # noqa: E402
from core.settings import REPO  # noqa: E402

RESULTS = REPO / "bench" / "results" / "wbert-subwords.json"
# StaticConfig's defaults when this probe ran (before chargrams.py): its n-grams are its own, cut the same way
PIECES_RECIPE = {"char_ngram_max": 0, "lr_embedding": 0.02}
VARIANTS = {"pieces (served recipe)": None,
            "pieces + char 2-4, zero rows": {"ngrams": (2, 4), "init": 0.0},
            "pieces + char 2-4, rows x0.1 weighted SIF": {"ngrams": (2, 4), "init": 0.1}}


class NgramFeatures:
    """char_wb n-grams of a text as row ids after the e5 table (`offset`), from a vocabulary fitted on training
    texts (min_df 2), the way scikit-learn's TfidfVectorizer cuts them for the LogReg baseline."""

    def __init__(self, ngram_range: tuple[int, int], offset: int):
        self.ngram_range, self.offset = ngram_range, offset

    def fit(self, texts: list[str]) -> NgramFeatures:
        from sklearn.feature_extraction.text import CountVectorizer

        self.vec = CountVectorizer(analyzer="char_wb", ngram_range=self.ngram_range, min_df=2, lowercase=True).fit(texts)
        self.analyse = self.vec.build_analyzer()
        self.vocab = self.vec.vocabulary_
        return self

    def ids(self, text: str) -> list[int]:
        return [self.offset + self.vocab[g] for g in self.analyse(text) if g in self.vocab]


def run_variant(data, prep, tokenizer, table, spec) -> dict:
    cfg = StaticConfig(level="middle", **PIECES_RECIPE)
    started = time.time()
    piece_ids = token_ids(tokenizer, prep.examples)
    weights = token_weights(piece_ids, table.shape[0], cfg.weighting, cfg.sif_a)
    rows = table * weights[:, None]
    feats = None
    if spec:
        feats = NgramFeatures(spec["ngrams"], table.shape[0]).fit(prep.examples)
        gram_ids = [feats.ids(t) for t in prep.examples]
        extra = np.zeros((len(feats.vocab), table.shape[1]), dtype=np.float32)
        if spec["init"]:
            # each n-gram row starts as its SIF-weighted share of the mean e5 row direction, small beside the pieces
            counts = np.bincount(np.concatenate([np.asarray(g, dtype=np.int64) - table.shape[0] for g in gram_ids if g]),
                                 minlength=len(feats.vocab)).astype(np.float64)
            sif = cfg.sif_a / (cfg.sif_a + counts / counts.sum())
            rng = np.random.default_rng(cfg.seed)
            extra = (spec["init"] * np.abs(rows).mean() * sif[:, None]
                     * rng.standard_normal((len(feats.vocab), table.shape[1]))).astype(np.float32)
        rows = np.concatenate([rows, extra])
    model = StaticModel(tokenizer, rows, len(prep.classes), cfg.scale, cfg.seed)
    if feats is not None:
        plain = model.ids

        def ids(texts, plain=plain):
            return [p + feats.ids(t) for p, t in zip(plain(texts), texts)]
        model.ids = ids
    history = fit(model, prep, cfg)
    test = [i for i in prep.split.test if prep.labels[i]]
    views = length_views(data, test, seed=1)
    y_mid = [prep.labels[i] for i in test]
    out = {"dev_best": max(history, key=lambda h: h["val_accuracy"]), "epochs": len(history),
           "train_seconds": round(time.time() - started, 1), "rows": int(rows.shape[0]), "test": {}}
    for level, conv in (("middle", lambda c: c), ("major", lambda c: keco.major_of(c) or "")):
        out["test"][level] = {}
        for name, texts in views.items():
            pred = [prep.classes[k] for k in model.predict(model.ids(texts))]
            out["test"][level][name] = scored([conv(y) for y in y_mid], [conv(p) for p in pred])
    print(json.dumps({k: out[k] for k in ("dev_best", "train_seconds", "rows")}, ensure_ascii=False),
          {lv: {v: r["accuracy"] for v, r in d.items()} for lv, d in out["test"].items()}, flush=True)
    return out


def main() -> int:
    data = labelled_set("real")
    prep = prepare(data, StaticConfig(level="middle", **PIECES_RECIPE))
    tokenizer, table = _e5_table()
    results = {name: run_variant(data, prep, tokenizer, table, spec) for name, spec in VARIANTS.items()}
    chosen = max(results, key=lambda n: results[n]["dev_best"]["val_accuracy"])
    RESULTS.write_text(json.dumps({"command": "python bench/bench_wbert_subwords.py", "variants": VARIANTS,
                                   "dev_choice": chosen, "results": results}, ensure_ascii=False, indent=2),
                       encoding="utf-8")
    print(f"dev 선택: {chosen} → {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
