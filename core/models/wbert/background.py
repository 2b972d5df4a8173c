"""Training in a background thread for the app, with progress in a small JSON file the page polls."""
from __future__ import annotations

import json
import time
from pathlib import Path

from ...locations import here
from .labels import labelled_set
from .paths import accuracy_label, static_path
from .static import StaticConfig, train_static
from .training import TrainConfig, train


def status_path() -> Path:
    return here().models_dir / "wbert-status.json"


def _status(path: Path, **kw) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({**kw, "at": time.time()}, ensure_ascii=False))
    tmp.replace(path)


_RUNNING: dict[str, object] = {}


def start_background(dataset: str = "demo", cfg: TrainConfig | StaticConfig | None = None) -> bool:
    """Train either variant in a daemon thread, writing progress to wbert-status.json; False if one is already
    running. torch releases the GIL in its kernels, so the app stays responsive; the running engine picks the
    new model up on its next query (see wbert_version)."""
    import threading

    thread = _RUNNING.get("thread")
    if thread is not None and thread.is_alive():
        return False
    cfg = cfg or StaticConfig(out=str(static_path()))
    path = status_path()

    def run() -> None:
        try:
            _status(path, state="준비", done=0, total=1, message="데이터 불러오는 중")
            data = labelled_set(dataset)
            trainer = train_static if isinstance(cfg, StaticConfig) else train
            card = trainer(data, cfg, progress=lambda label, i, n, note="": _status(
                path, state="학습 중", done=i, total=n, message=note or label))
            _status(path, state="완료", done=1, total=1, message=accuracy_label(card))
        except Exception as e:  # shown on the page; the previous model folder is left untouched
            _status(path, state="실패", done=0, total=1, message=f"{type(e).__name__}: {e}")

    thread = threading.Thread(target=run, name="wbert-train", daemon=True)
    _RUNNING["thread"] = thread
    thread.start()
    return True


def read_status() -> dict | None:
    path = status_path()
    return json.loads(path.read_text()) if path.exists() else None
