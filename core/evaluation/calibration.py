"""적합도: a model's raw score turned into 0–99, how often an item at that score is a same-category match.

Raw scores say little on their own (every SBERT cosine is ≥ 0.5). Per model and direction, an isotonic
regression (monotone, non-decreasing) maps score → P(item shares the query's middle 직종 category), each of its
blocks read by the rule of succession so no finite sample reads as certain (`fit_curve`), fitted on the top-10 lists
of dev-split queries of real data only (`query_split`), never on what the evaluation reports. The fitted curves are
small tables, committed per corpus: `core/resources/calibration.json` for real data (`python
bench/bench_quality.py` writes it) and `calibration-demo.json` for the synthetic demo corpus (`python
bench/bench_calibration.py`). A curve fitted on one corpus says little on another (the demo's templated texts score
far higher than real ones), so each corpus is read with its own; without a curve, 적합도 is not shown.

Every model is mapped to the same target, so 적합도 is one scale: the same item gets comparable numbers whichever
model ranked it. The relevance floor (`floor`, chosen on the same dev lists by `choose_floor`) is the 적합도 under
which a list item more likely belongs to another 직종 than to the query's.
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
CALIBRATION_FILES = {"real": CALIBRATION_FILE, "demo": RESOURCES / "calibration-demo.json",
                     "demo-plain": RESOURCES / "calibration-demo-plain.json"}
DEFAULT_FLOOR = 50  # 적합도 is P(same 직종) in %: under 50 another 직종 is the likelier (used until a floor is chosen)
WEAK_STRENGTH = 35  # a list whose best item is below this 적합도 is called weak (say so, and the nearest fix)


@dataclass
class Curve:
    """Isotonic breakpoints: strength(score) interpolates y over x, clipped at both ends."""

    x: list[float]
    y: list[float]
    n: int  # (score, match) pairs fitted on
    base_rate: float  # share of matches among them

    def strength(self, scores) -> np.ndarray:
        """0–99 (rounded), non-decreasing in the score. A rate read from a finite sample is never certain: 99 is the
        top of the scale (a top block of 300 dev pairs that all matched reads 99.7 %, shown 99, never 100)."""
        return np.minimum(99, np.round(100 * np.interp(np.asarray(scores, dtype=float), self.x, self.y))).astype(int)


@dataclass
class Calibration:
    curves: dict[str, Curve] = field(default_factory=dict)  # "model|direction" → curve
    dataset: str = ""
    split: str = "dev"
    query_ids: list[str] = field(default_factory=list)  # the queries fitted on (all dev split, checked)
    floor: int = DEFAULT_FLOOR  # relevance floor on the 적합도 scale, chosen on dev (`choose_floor`)

    def curve(self, model: str, direction: str) -> Curve | None:
        return self.curves.get(f"{model}|{direction}")

    def strength(self, model: str, direction: str, scores) -> np.ndarray | None:
        curve = self.curve(model, direction)
        return None if curve is None else curve.strength(scores)

    def save(self, path: Path = CALIBRATION_FILE) -> Path:
        data = {"dataset": self.dataset, "split": self.split, "floor": self.floor, "query_ids": sorted(self.query_ids),
                "curves": {k: c.__dict__ for k, c in sorted(self.curves.items())}}
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> Calibration:
        if not Path(path).exists():
            return cls()
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls({k: Curve(**c) for k, c in data["curves"].items()}, data.get("dataset", ""), data.get("split", "dev"),
                   data.get("query_ids", []), int(data.get("floor", DEFAULT_FLOOR)))


def fit_curve(scores: np.ndarray, matches: np.ndarray, max_points: int = 40) -> Curve:
    """Isotonic fit of match (0/1) on score, thinned to at most `max_points` breakpoints (still monotone).

    Each isotonic block reads (matches + 1) / (pairs + 2), Laplace's rule of succession, not its bare share: a top
    block whose 40 dev pairs all matched showed 적합도 100, a certainty no sample gives, and counselors saw 100 beside
    an item of another 직종. Smoothing can put a small block under a bigger one below it, so the smoothed blocks are
    pooled again (weighted by size) to stay non-decreasing."""
    from sklearn.isotonic import IsotonicRegression

    scores, matches = np.asarray(scores, dtype=float), np.asarray(matches, dtype=float)
    order = np.argsort(scores, kind="stable")
    fitted = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True).fit(scores, matches).predict(scores[order])
    starts = np.flatnonzero(np.r_[True, np.diff(fitted) != 0])  # blocks: runs of one fitted value, in score order
    size = np.diff(np.r_[starts, len(fitted)])
    smoothed = (np.add.reduceat(matches[order], starts) + 1) / (size + 2)
    smoothed = IsotonicRegression(increasing=True).fit_transform(np.arange(len(size)), smoothed, sample_weight=size)
    per_pair = np.repeat(smoothed, size)  # each pair in score order, its block's smoothed rate
    curve = IsotonicRegression(increasing=True, out_of_bounds="clip").fit(scores[order], per_pair)
    grid = np.unique(np.quantile(scores, np.linspace(0, 1, max_points)))
    y = np.maximum.accumulate(curve.predict(grid))  # guard: interpolation points stay non-decreasing
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


def choose_floor(calibration: Calibration, results: list[ModelResult], grid=range(5, 96, 5)) -> dict:
    """The relevance floor on the shared 적합도 scale, chosen on dev lists: the threshold whose 'at or above' best
    predicts 'same middle 직종' (accuracy, pooled over every model and direction, each list item once). Returns the
    floor with its accuracy, precision and recall, and the accuracy at every threshold tried."""
    strengths, matches = [], []
    for r in results:
        curve = calibration.curve(r.model, r.direction)
        if r.variant or curve is None:
            continue
        for o in r.outcomes:
            strengths.extend(curve.strength(o.scores).tolist())
            matches.extend(int(g == 2) for g in o.grades)
    s, m = np.asarray(strengths), np.asarray(matches, dtype=bool)
    if not len(s):
        return {"floor": DEFAULT_FLOOR, "n": 0}
    accuracy = {int(t): round(float(((s >= t) == m).mean()), 4) for t in grid}
    best = max(accuracy, key=lambda t: (accuracy[t], -abs(t - DEFAULT_FLOOR)))  # ties: the one nearest 50
    above = s >= best
    return {"floor": best, "n": int(len(s)), "accuracy": accuracy[best],
            "precision": round(float(m[above].mean()), 4) if above.any() else None,
            "recall": round(float(above[m].mean()), 4) if m.any() else None, "by_threshold": accuracy}


@lru_cache(maxsize=3)
def shipped(corpus: str = "real") -> Calibration:
    """The committed calibration of a corpus kind (`corpus_kind`): 'real' (fitted on the real data's dev split),
    'demo' or 'demo-plain'."""
    return Calibration.load(CALIBRATION_FILES[corpus])


def corpus_kind(corpus) -> str:
    """Which committed curves fit a corpus: 'real' unless most postings are synthetic; then 'demo', or
    'demo-plain' when its texts carry no standard (KEIS) description, as on a machine without ../shared/data.
    The descriptions lift every model's scores, and SBERT's most, so curves fitted with them would read a plain
    corpus's scores as weak matches (a 0 km care posting got SBERT 0 against 90-100 from the others)."""
    postings = corpus.postings
    synthetic = sum(p.synthetic for p in postings.values())
    if not postings or synthetic * 2 <= len(postings):
        return "real"
    # a seeker with a 직종 is enriched whenever descriptions exist (any() stops at the first one)
    return "demo" if any(corpus.enrichment_of(s) for s in corpus.seekers.values()) else "demo-plain"


def for_corpus(corpus) -> Calibration:
    """The committed calibration that fits this corpus (see `corpus_kind`)."""
    return shipped(corpus_kind(corpus))
