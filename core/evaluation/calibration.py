"""적합도: a model's raw score turned into 0–100, how often an item at that score is a same-category match.

Raw scores say little on their own (every SBERT cosine is ≥ 0.5). Per model and direction, an isotonic
regression (monotone, non-decreasing) maps score → P(item shares the query's middle 직종 category), fitted
on the top-10 lists of dev-split queries of real data only (`query_split`), never on what the evaluation
reports. The fitted curves are small tables, committed as `core/resources/calibration.json`
(`python bench/bench_quality.py` writes them); without a curve for a model, 적합도 is not shown.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..settings import RESOURCES
from .runner import ModelResult, query_split

CALIBRATION_FILE = RESOURCES / "calibration.json"
WEAK_STRENGTH = 35  # a list whose best item is below this 적합도 is called weak (say so, and the nearest fix)


@dataclass
class Curve:
    """Isotonic breakpoints: strength(score) interpolates y over x, clipped at both ends."""

    x: list[float]
    y: list[float]
    n: int  # (score, match) pairs fitted on
    base_rate: float  # share of matches among them

    def strength(self, scores) -> np.ndarray:
        """0–100 (rounded), non-decreasing in the score."""
        return np.round(100 * np.interp(np.asarray(scores, dtype=float), self.x, self.y)).astype(int)


@dataclass
class Calibration:
    curves: dict[str, Curve] = field(default_factory=dict)  # "model|direction" → curve
    dataset: str = ""
    split: str = "dev"
    query_ids: list[str] = field(default_factory=list)  # the queries fitted on (all dev split, checked)

    def curve(self, model: str, direction: str) -> Curve | None:
        return self.curves.get(f"{model}|{direction}")

    def strength(self, model: str, direction: str, scores) -> np.ndarray | None:
        curve = self.curve(model, direction)
        return None if curve is None else curve.strength(scores)

    def save(self, path: Path = CALIBRATION_FILE) -> Path:
        data = {"dataset": self.dataset, "split": self.split, "query_ids": sorted(self.query_ids),
                "curves": {k: c.__dict__ for k, c in sorted(self.curves.items())}}
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> Calibration:
        if not Path(path).exists():
            return cls()
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls({k: Curve(**c) for k, c in data["curves"].items()}, data.get("dataset", ""), data.get("split", "dev"),
                   data.get("query_ids", []))


def fit_curve(scores: np.ndarray, matches: np.ndarray, max_points: int = 40) -> Curve:
    """Isotonic fit of match (0/1) on score, thinned to at most `max_points` breakpoints (still monotone)."""
    from sklearn.isotonic import IsotonicRegression

    scores, matches = np.asarray(scores, dtype=float), np.asarray(matches, dtype=float)
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip").fit(scores, matches)
    grid = np.unique(np.quantile(scores, np.linspace(0, 1, max_points)))
    y = np.maximum.accumulate(iso.predict(grid))  # guard: interpolation points stay non-decreasing
    return Curve([round(float(v), 6) for v in grid], [round(float(v), 4) for v in y], int(len(scores)),
                 round(float(matches.mean()), 4))


def fit_calibration(results: list[ModelResult], dataset: str) -> Calibration:
    """Curves from evaluation results of dev-split queries. A result from any other split, or holding a
    test-split query, is refused: a curve fitted on reported queries would flatter the report."""
    calibration = Calibration(dataset=dataset)
    ids: set[str] = set()
    for r in results:
        if r.variant:
            continue
        if r.split != "dev" or any(query_split(o.query_id) != "dev" for o in r.outcomes):
            raise ValueError(f"보정은 dev 분할로만 맞춥니다: {r.model} {r.direction} 결과의 분할이 '{r.split}'")
        scores = [s for o in r.outcomes for s in o.scores]
        matches = [int(g == 2) for o in r.outcomes for g in o.grades]
        if len(scores) >= 20:
            calibration.curves[f"{r.model}|{r.direction}"] = fit_curve(np.array(scores), np.array(matches))
            ids.update(o.query_id for o in r.outcomes)
    calibration.query_ids = sorted(ids)
    return calibration


@lru_cache(maxsize=1)
def shipped() -> Calibration:
    """The committed calibration (fitted on the real data's dev split)."""
    return Calibration.load()
