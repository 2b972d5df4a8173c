"""Where JobLens keeps its files: the data folder (store, indexes, caches), the models folder, the public
reference data (../shared/data) and a W-BERT folder the user named.

These are places, not parameters: what a model computes enters through its constructor (see
`core.models.registry.ModelParams`). Each edge (the CLI, the app, a bench script, the test fixtures) reads the
settings once and points JobLens at its folders with `use(Locations.from_settings(settings()))`; code below
only asks `here()`. A process no edge configured (a `python -c` script, a notebook) gets the folders from the
settings on its first `here()`, so it never writes into the repository's data/ by mistake. Tables read from a
place are cached per path, so a new place is seen at once and a cache never outlives the folder it came from.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .settings import REPO, Settings


@dataclass(frozen=True)
class Locations:
    data: Path = REPO / "data"
    models: Path | None = None  # default: <data>/models
    shared: Path = REPO.parent / "shared" / "data"
    wbert: Path | None = None  # a W-BERT folder the user named; default: the best one under <models>

    @classmethod
    def from_settings(cls, config: Settings) -> Locations:
        return cls(config.data, config.models, config.shared, config.wbert)

    @property
    def data_dir(self) -> Path:
        self.data.mkdir(parents=True, exist_ok=True)
        return self.data

    @property
    def db_path(self) -> Path:
        return self.data_dir / "joblens.db"

    @property
    def models_dir(self) -> Path:
        path = self.models or self.data_dir / "models"
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def reports_dir(self) -> Path:
        """Evaluation and training reports: written by set-up, `evaluate` and `train-wbert`, read by the analyst
        pages (not created here, so a page that only reads never makes an empty folder)."""
        return self.data_dir / "reports"

    @property
    def index_dir(self) -> Path:
        path = self.data_dir / "index"
        path.mkdir(parents=True, exist_ok=True)
        return path


_current: list[Locations | None] = [None]


def here() -> Locations:
    """The folders the running edge pointed JobLens at (from the settings, read once, if none did)."""
    if _current[0] is None:
        from .settings import settings

        _current[0] = Locations.from_settings(settings())
    return _current[0]


def is_set() -> bool:
    """Whether an edge has pointed JobLens somewhere (the app sets its folders only when nothing else did,
    so a test that runs pages in-process keeps the folders its fixtures chose)."""
    return _current[0] is not None


def use(locations: Locations | None) -> Locations | None:
    """Point JobLens at these folders; returns the previous ones (a fixture puts them back)."""
    previous, _current[0] = _current[0], locations
    return previous
