"""How consistent are the 직종 labels themselves? The label noise #25's accuracy targets meet.

    python bench/bench_label_ceiling.py        # → bench/results/label-ceiling.json

For every test posting of the shared split (seed 42, as bench_wbert_length.py), its nearest training posting by
character 2–4-gram TF-IDF cosine, and whether the two carry the same middle and major category, by how alike the
texts are. Two (nearly) identical postings with different codes are label noise no model can read away. If each
label were wrong at rate e, independently, two copies would agree about (1 − e)² of the time, and a model that read
every posting perfectly would score about 1 − e = √agreement on such postings (so agreement 0.88 puts that near
0.94). Training postings that share one text are counted too. KEIS descriptions are left out (one per occupation,
not postings).
"""
from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from core.data import keco  # noqa: E402
from core.models.wbert import labelled_set  # noqa: E402
from core.models.wbert.report import scored  # noqa: E402
from core.settings import REPO  # noqa: E402

RESULTS = REPO / "bench" / "results" / "label-ceiling.json"
BINS = [(0.95, 1.01, "≥ 0.95 (같은 공고 수준)"), (0.9, 0.95, "0.90–0.95"), (0.8, 0.9, "0.80–0.90"),
        (0.6, 0.8, "0.60–0.80"), (0.0, 0.6, "< 0.60")]


def same_text(text: str) -> str:
    """The text with spacing and punctuation gone: what two copies of one posting share."""
    return re.sub(r"[\s\W_]+", "", text).lower()


def agreement(pairs: list[tuple[str, str]]) -> dict:
    """How often two labels agree, at middle and at major, with bootstrap CIs (report.scored)."""
    true, other = [a for a, _ in pairs], [b for _, b in pairs]
    return {"middle": scored(true, other), "major": scored([keco.major_of(c) or "" for c in true],
                                                           [keco.major_of(c) or "" for c in other])}


def main() -> int:
    from sklearn.feature_extraction.text import TfidfVectorizer

    started = time.time()
    data = labelled_set("real")
    labels = data.labels("middle")
    split = data.split(42)
    train = [i for i in split.train if labels[i] and data.sources[i] != "keis"]
    test = [i for i in split.test if labels[i]]
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, min_df=2)
    X_train = vec.fit_transform([data.texts[i] for i in train])
    X_test = vec.transform([data.texts[i] for i in test])
    nearest, cosine = [], []
    for s in range(0, len(test), 256):  # rows are L2-normalised: the dot product is the cosine
        sims = (X_test[s:s + 256] @ X_train.T).toarray()
        nearest += [train[j] for j in sims.argmax(1)]
        cosine += sims.max(1).tolist()
    cosine = np.asarray(cosine)
    by_bin = []
    for low, high, name in BINS:
        rows = [k for k, c in enumerate(cosine) if low <= c < high]
        if rows:
            pairs = [(labels[test[k]], labels[nearest[k]]) for k in rows]
            by_bin.append({"cosine": name, "n": len(rows), "share_of_test": round(len(rows) / len(test), 4),
                           **agreement(pairs)})
    groups: dict[str, Counter] = defaultdict(Counter)
    for i in train:
        groups[same_text(data.texts[i])][labels[i]] += 1
    shared = [c for c in groups.values() if sum(c.values()) >= 2]
    rows_shared = sum(sum(c.values()) for c in shared)
    out = {
        "command": "python bench/bench_label_ceiling.py",
        "data": data.note, "split": {"seed": 42, "train_postings": len(train), "test_postings": len(test)},
        "nearest_training_posting": "character 2–4-gram TF-IDF cosine (the LogReg baseline's features)",
        "by_similarity": by_bin,
        "one_nearest_neighbour_overall": agreement([(labels[i], labels[j]) for i, j in zip(test, nearest)]),
        "training_texts_shared": {
            "groups": len(shared), "rows": rows_shared,
            "rows_with_their_groups_majority_middle": round(sum(c.most_common(1)[0][1] for c in shared) / max(rows_shared, 1), 4),
            "groups_with_more_than_one_middle": sum(len(c) > 1 for c in shared)},
        "seconds": round(time.time() - started, 1),
    }
    RESULTS.write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    for b in by_bin:
        print(f"{b['cosine']:>22}  n={b['n']:5d} ({b['share_of_test']:.1%})  middle {b['middle']['accuracy']:.3f} "
              f"{b['middle']['accuracy_ci']}  major {b['major']['accuracy']:.3f} {b['major']['accuracy_ci']}")
    print("training texts shared:", out["training_texts_shared"])
    print(f"→ {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
