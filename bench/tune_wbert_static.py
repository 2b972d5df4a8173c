"""Tune the static W-BERT on the dev split only (never the test split): a small grid over the embedding learning
rate, the cosine temperature and the batch size, at both levels, on all real labels. Prints best dev accuracy per
setting and writes bench/results/wbert-tuning.json; the chosen setting becomes StaticConfig's default.

    python bench/tune_wbert_static.py
"""
from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    from core import locations
    from core.models.wbert import StaticConfig, labelled_set, train_static
    from core.settings import settings

    locations.use(locations.Locations.from_settings(settings()))  # this script is an edge

    data = labelled_set("real")
    rows = []
    for level, lr, scale, batch in itertools.product(("major", "middle"), (0.005, 0.02), (10.0, 20.0), (32, 64)):
        cfg = StaticConfig(level=level, lr_embedding=lr, scale=scale, batch_size=batch)
        card = train_static(data, cfg, save=False)
        best = max(h["val_accuracy"] for h in card["history"])
        rows.append({"level": level, "lr_embedding": lr, "scale": scale, "batch_size": batch, "dev_accuracy": best,
                     "epochs_run": len(card["history"]), "seconds": card["train_seconds"]})
        print(json.dumps(rows[-1]), flush=True)
    out = Path(__file__).resolve().parent / "results" / "wbert-tuning.json"
    out.write_text(json.dumps({"data": data.note, "selection": "best dev (val) accuracy; test split untouched", "rows": rows},
                              ensure_ascii=False, indent=2))
    for level in ("major", "middle"):
        best = max((r for r in rows if r["level"] == level), key=lambda r: r["dev_accuracy"])
        print(f"{level}: best {best}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
