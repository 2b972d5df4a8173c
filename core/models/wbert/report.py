"""W-BERT against the linear baselines on the same split, and similar-posting precision@5."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from .training import LEVELS, Split, stratified_split


def baselines(texts: list[str], labels: list[str], split: Split, sbert_vectors: np.ndarray, tfidf_matrix) -> dict:
    """Logistic regression on frozen SBERT embeddings and on TF-IDF, on the same split."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score

    out = {}
    y_train = [labels[i] for i in split.train]
    y_test = [labels[i] for i in split.test]
    for name, X in (("logreg_sbert", sbert_vectors), ("logreg_tfidf", tfidf_matrix)):
        clf = LogisticRegression(max_iter=2000, C=10.0)
        clf.fit(X[split.train], y_train)
        pred = clf.predict(X[split.test])
        out[name] = {"test_accuracy": round(float(accuracy_score(y_test, pred)), 4),
                     "test_macro_f1": round(float(f1_score(y_test, pred, average="macro")), 4)}
    return out


def same_category_precision(vectors, labels: list[str], queries: list[int], pool: list[int], k: int = 5) -> float:
    """Held-out postings as queries, the rest as the pool: share of the top-k with the query's category."""
    import scipy.sparse as sp

    pool_arr = np.asarray(pool)
    P = vectors[pool_arr]
    hits = []
    for q in queries:
        s = P @ vectors[q].T
        s = np.asarray(s.todense()).ravel() if sp.issparse(s) else np.asarray(s).ravel()
        top = pool_arr[np.argsort(-s, kind="stable")[:k]]
        hits.append(np.mean([labels[i] == labels[q] for i in top]))
    return round(float(np.mean(hits)), 4)


def training_report(card: dict, texts: list[str], codes: list[str], folder: Path, analyser: str = "mecab") -> dict:
    """W-BERT vs baselines (accuracy, macro-F1) and similar-posting precision@5 for W-BERT / SBERT / TF-IDF."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from ...text.analysers import Analyser
    from ..encoders import SBERTEncoder

    level_of = LEVELS[card["level"]]
    labels_all = [level_of(c) or "" for c in codes]
    keep = [i for i, y in enumerate(labels_all) if y and texts[i].strip()]
    texts = [texts[i] for i in keep]
    labels = [labels_all[i] for i in keep]
    split = stratified_split(labels, card["split"]["seed"])
    an = Analyser(analyser)
    tfidf = TfidfVectorizer(analyzer=an, sublinear_tf=True).fit_transform(texts)
    timings = {}
    t = time.time()
    sbert = SBERTEncoder("e5-small").encode(texts, kind="passage")
    timings["sbert_encode_s"] = round(time.time() - t, 1)
    t = time.time()
    wbert = SBERTEncoder(str(folder), name="wbert-report").encode(texts, kind="passage")
    timings["wbert_encode_s"] = round(time.time() - t, 1)
    report = {"wbert": {"test_accuracy": card["test_accuracy"], "test_macro_f1": card["test_macro_f1"],
                        "train_seconds": card["train_seconds"]}, **baselines(texts, labels, split, sbert, tfidf)}
    pool = split.train + split.val
    report["similar_posting_precision_at_5"] = {
        "wbert": same_category_precision(wbert, labels, split.test, pool),
        "sbert": same_category_precision(sbert, labels, split.test, pool),
        "tfidf": same_category_precision(tfidf, labels, split.test, pool)}
    report["timings"] = timings
    report["card"] = {k: v for k, v in card.items() if k != "losses"}
    return report


def labelled_postings(dataset: str) -> tuple[list[str], list[str], str]:
    """(texts, codes, note) for 'demo' (the app's store) or a shared dataset (evaluation store)."""
    from ...data.datasets import load_dataset

    data = load_dataset(dataset, seekers_sample=0)
    posts = [p for p in data.postings if p.occupation]
    kind = "demo corpus (합성)" if dataset == "demo" else f"{dataset} (real, ../shared/data)"
    return [p.text() for p in posts], [p.occupation for p in posts], f"{kind}, {len(posts)} postings"
