"""The W-BERT report: every variant against the two linear baselines on the one shared split, at both levels.

Accuracy and macro-F1 with bootstrap 95 % CIs (scipy.stats.bootstrap over test postings), the confusion of
major categories with the ten most frequent confusions and example titles, a learning curve (what more
data would buy), held-out similar-posting precision@5 against TF-IDF and SBERT, and training times.
"""
from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import numpy as np

from ...data import keco
from ...progress import Progress, report
from .labels import LabelledSet
from .static import StaticConfig, train_static
from .training import stratified_sample

CURVE = (0.1, 0.25, 0.5, 1.0)


def scored(y_true: list[str], y_pred: list[str], seed: int = 0) -> dict:
    """Accuracy and macro-F1 with percentile-bootstrap 95 % CIs over the test items."""
    from scipy.stats import bootstrap
    from sklearn.metrics import f1_score

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    correct = (y_true == y_pred).astype(float)
    acc = bootstrap((correct,), np.mean, n_resamples=2000, method="percentile", random_state=seed).confidence_interval
    f1 = bootstrap((y_true, y_pred), lambda t, p: f1_score(t, p, average="macro"), paired=True, vectorized=False,
                   n_resamples=300, method="percentile", random_state=seed).confidence_interval
    return {"accuracy": round(float(correct.mean()), 4), "accuracy_ci": [round(float(acc.low), 4), round(float(acc.high), 4)],
            "macro_f1": round(float(f1_score(y_true, y_pred, average="macro")), 4),
            "macro_f1_ci": [round(float(f1.low), 4), round(float(f1.high), 4)], "n": int(len(y_true))}


def logreg(X, labels: list[str], train: list[int], test: list[int]) -> list[str]:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(max_iter=2000, C=10.0)
    clf.fit(X[train], [labels[i] for i in train])
    return list(clf.predict(X[test]))


def confusions(y_true: list[str], y_pred: list[str], texts: list[str], test: list[int], top: int = 10) -> dict:
    """Major-category confusion matrix and the most frequent (true, predicted) pairs with example titles."""
    majors = sorted(keco.majors())
    index = {m: i for i, m in enumerate(majors)}
    matrix = np.zeros((len(majors), len(majors)), dtype=int)
    pairs: Counter = Counter()
    examples: dict[tuple, list[str]] = {}
    for t, p, i in zip(y_true, y_pred, test):
        matrix[index[t], index[p]] += 1
        if t != p:
            pairs[(t, p)] += 1
            examples.setdefault((t, p), []).append(texts[i][:40])
    return {"labels": [f"{m} {keco.majors()[m]}" for m in majors], "matrix": matrix.tolist(),
            "top_confusions": [{"true": f"{t} {keco.majors()[t]}", "predicted": f"{p} {keco.majors()[p]}", "count": n,
                                "examples": examples[(t, p)][:3]} for (t, p), n in pairs.most_common(top)]}


def same_category_precision(vectors, labels: list[str], queries: list[int], pool: list[int], k: int = 5) -> float:
    """Held-out postings as queries, the training postings as the pool: share of the top k in the query's category."""
    import scipy.sparse as sp

    pool_arr = np.asarray(pool)
    hits = []
    for start in range(0, len(queries), 256):
        q = queries[start:start + 256]
        s = vectors[pool_arr] @ vectors[q].T
        s = np.asarray(s.todense()) if sp.issparse(s) else np.asarray(s)
        top = np.argsort(-s, axis=0, kind="stable")[:k]
        for col, qi in enumerate(q):
            hits.append(np.mean([labels[pool_arr[r]] == labels[qi] for r in top[:, col]]))
    return round(float(np.mean(hits)), 4)


def wbert_report(data: LabelledSet, levels: tuple[str, ...] = ("major", "middle"), transformer: dict | None = None,
                 store=None, progress: Progress | None = None, seed: int = 42) -> dict:
    """The whole report. `transformer` is an already trained transformer variant's card (with its test
    predictions), trained on the same split; the static variant is trained here, at each level."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from ...text.analysers import Analyser
    from ..encoders import SBERTEncoder, cached_encode

    split = data.split(seed)
    postings = [i for i, src in enumerate(data.sources) if src != "keis"]
    timings: dict[str, float] = {}
    t = time.time()
    tfidf = TfidfVectorizer(analyzer=Analyser("mecab"), sublinear_tf=True).fit(
        [data.texts[i] for i in split.train]).transform(data.texts)
    timings["tfidf_fit_s"] = round(time.time() - t, 1)
    t = time.time()
    sbert = cached_encode(SBERTEncoder("e5-small"), data.texts, store, "passage", progress, label="SBERT 임베딩")
    timings["sbert_encode_s"] = round(time.time() - t, 1)
    out: dict = {"data": data.note, "rejects": data.rejects,
                 "split": {"train": len(split.train), "val": len(split.val), "test": len(split.test), "seed": seed,
                           "stratified_by": "middle", "keis_rows_train_only": sum(s == "keis" for s in data.sources)},
                 "results": {}, "learning_curve": {}, "similar_posting_precision_at_5": {}, "timings": timings}
    for level in levels:
        labels = data.labels(level)
        train = [i for i in split.train if labels[i]]
        test = [i for i in split.test if labels[i]]
        y_test = [labels[i] for i in test]
        rows: dict[str, dict] = {}
        cfg = StaticConfig(level=level, seed=seed)
        card, static_vectors = _train_and_encode(data, cfg, progress)
        rows["wbert_static"] = scored(y_test, card["_predictions"]["pred"]) | {"train_seconds": card["train_seconds"]}
        if level == "major":
            out["confusion_major"] = confusions(y_test, card["_predictions"]["pred"], data.texts, test)
        if transformer and transformer.get("level") == level:
            rows["wbert_transformer"] = scored(y_test, transformer["_predictions"]["pred"]) | {
                "train_seconds": transformer["train_seconds"], "train_used": transformer["split"]["train_used"]}
        for name, X in (("logreg_tfidf", tfidf), ("logreg_sbert", sbert)):
            t = time.time()
            rows[name] = scored(y_test, logreg(X, labels, train, test)) | {"train_seconds": round(time.time() - t, 1)}
        out["results"][level] = rows
        curve = []
        for fraction in CURVE:
            subset = stratified_sample(train, labels, max(1, round(fraction * len(train))), seed)
            part = card if fraction == 1.0 else train_static(data, cfg, train_idx=subset, save=False)
            curve.append({"fraction": fraction, "n_train": len(subset), "wbert_static": part["test_accuracy"],
                          "logreg_tfidf": round(float(np.mean(np.asarray(logreg(tfidf, labels, subset, test)) == np.asarray(y_test))), 4)})
            report(progress, f"학습 곡선 ({level})", len(curve), len(CURVE))
        out["learning_curve"][level] = curve
        pool = [i for i in split.train + split.val if i in set(postings)]
        queries = [i for i in split.test if labels[i]]
        out["similar_posting_precision_at_5"][level] = {
            "wbert_static": same_category_precision(static_vectors, labels, queries, pool),
            "sbert": same_category_precision(sbert, labels, queries, pool),
            "tfidf": same_category_precision(tfidf, labels, queries, pool)}
    return out


def _train_and_encode(data: LabelledSet, cfg: StaticConfig, progress: Progress | None) -> tuple[dict, np.ndarray]:
    """Train the static variant into a temporary folder, load it as the app would, and encode every text."""
    import tempfile

    from ..chargrams import load_sentence_model

    with tempfile.TemporaryDirectory() as tmp:
        cfg.out = str(Path(tmp) / "wbert-static")
        card = train_static(data, cfg, progress=progress)
        vectors = load_sentence_model(cfg.out).encode(data.texts, batch_size=256, normalize_embeddings=True)
    return card, vectors


def markdown(rep: dict) -> str:
    """The report as the note and README quote it."""
    lines = ["# W-BERT 보고서", "", f"데이터: {rep['data']}; 분할 {rep['split']}", "",
             "| 수준 | 모델 | 정확도 [95 % CI] | macro-F1 [95 % CI] | 학습 시간(s) |", "|---|---|---|---|---|"]
    for level, rows in rep["results"].items():
        for name, r in rows.items():
            lines.append(f"| {level} | {name} | {r['accuracy']:.3f} [{r['accuracy_ci'][0]:.3f}, {r['accuracy_ci'][1]:.3f}] | "
                         f"{r['macro_f1']:.3f} [{r['macro_f1_ci'][0]:.3f}, {r['macro_f1_ci'][1]:.3f}] | {r.get('train_seconds', '')} |")
    lines += ["", "## 학습 곡선 (테스트 정확도)", "", "| 수준 | 학습 비율 | 학습 건수 | W-BERT(정적) | LogReg TF-IDF |", "|---|---|---|---|---|"]
    for level, curve in rep["learning_curve"].items():
        lines += [f"| {level} | {c['fraction']:.0%} | {c['n_train']:,} | {c['wbert_static']:.3f} | {c['logreg_tfidf']:.3f} |" for c in curve]
    lines += ["", "## 유사 공고 precision@5 (테스트 공고 → 학습 공고)", "", "| 수준 | W-BERT(정적) | SBERT | TF-IDF |", "|---|---|---|---|"]
    for level, p in rep["similar_posting_precision_at_5"].items():
        lines.append(f"| {level} | {p['wbert_static']:.3f} | {p['sbert']:.3f} | {p['tfidf']:.3f} |")
    if "confusion_major" in rep:
        lines += ["", "## 자주 틀리는 대분류 (W-BERT 정적)", "", "| 실제 | 예측 | 건수 | 예 |", "|---|---|---|---|"]
        lines += [f"| {c['true']} | {c['predicted']} | {c['count']} | {' / '.join(c['examples'])} |"
                  for c in rep["confusion_major"]["top_confusions"]]
    if rep.get("rejects"):
        lines += ["", f"직종코드에 대응하지 못해 제외한 이름: {len(rep['rejects'])}건 — " +
                  ", ".join(f"{r['name']} (행 {r['row']})" for r in rep["rejects"][:10])]
    return "\n".join(lines) + "\n"
