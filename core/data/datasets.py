"""Named datasets as one public function: the demo corpus in the app's store, or a real dataset from
../shared/data in a separate evaluation store (ingested once, read in place, never copied)."""
from __future__ import annotations

import random
from dataclasses import dataclass

from ..locations import here
from ..progress import Progress
from .ingest import SHARED_DATASETS, ingest_file
from .records import Posting, Seeker
from .store import Store

DATASETS = {"demo": "demo", "worknet-2024": "worknet2024", "worknet-seoul-2023": "worknet-seoul", "saramin": "saramin"}
DATASET_LABELS = {"demo": "데모(합성)", "worknet-2024": "실데이터: 고용24 2024 + KEAD 구직자",
                  "worknet-seoul-2023": "실데이터: 고용24 API 서울 2023", "saramin": "실데이터: 사람인 IT 표본"}


@dataclass
class Dataset:
    name: str
    store: Store
    postings: list[Posting]
    seekers: list[Seeker]
    # the store's newest write and verdict, read before the records were: an engine that serves them refreshes from
    # there, so nothing stored while they loaded (a correction, an extraction) is skipped
    marks: tuple | None = None


def sample(items: list, n: int, seed: int = 0) -> list:
    """A fixed random sample (all items when there are fewer than n)."""
    if len(items) <= n:
        return list(items)
    return random.Random(seed).sample(items, n)


def load_dataset(name: str, seekers_sample: int = 3000, progress: Progress | None = None) -> Dataset:
    """'demo': postings and seekers of the demo sources. A real set: its postings plus a fixed sample of
    `seekers_sample` KEAD seekers, ingested into data/eval/real.db on first use."""
    if name not in DATASETS:
        raise ValueError(f"알 수 없는 데이터 '{name}' (가능: {', '.join(DATASETS)})")
    if name == "demo":
        store = Store()
        marks = (store.last_write(), store.verdicts_written())
        return Dataset(name, store, store.postings("demo"), store.seekers("demo-seekers"), marks)
    store = Store(real_store_path())
    for fmt, source in (("kead-seekers", "kead-seekers"), (name, DATASETS[name])):
        if not store.has_source(source):
            path = here().shared / SHARED_DATASETS[fmt]
            if not path.exists():
                raise FileNotFoundError(f"{path} 없음: ../shared/data 를 확인하세요")
            print(ingest_file(store, path, fmt, progress=progress).summary())
    marks = (store.last_write(), store.verdicts_written())
    # drawn from the seekers with a code, the population every committed evaluation sampled (a seeker whose desired
    # occupation no table reaches is stored since #25 for auto-coding, but grades nothing)
    coded = [s for s in store.seekers("kead-seekers") if s.official_code]
    seekers = sample(coded, seekers_sample, seed=7) if seekers_sample else []
    return Dataset(name, store, store.postings(DATASETS[name]), seekers, marks)


# ------------------------------------------------------------ the app's corpus switch (#26)
REAL_CORPUS = "worknet-2024"  # the real corpus the app offers: 고용24 2024 postings + KEAD 2025 seekers
REAL_SEEKERS_SAMPLE = 3000  # a fixed sample of the 44,588 KEAD seekers (encoding them all would take ~25 min)


def real_store_path():
    return here().data_dir / "eval" / "real.db"


def available(name: str = REAL_CORPUS) -> bool:
    """A real dataset can be opened: its files are in ../shared/data, or set-up already ingested it."""
    if all((here().shared / SHARED_DATASETS[fmt]).exists() for fmt in ("kead-seekers", name)):
        return True
    path = real_store_path()
    return path.exists() and Store(path).has_source(DATASETS[name])
