"""The demo corpus depends only on what the package ships: the same files on every machine."""
from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO, SHARED, needs_shared

GENERATE = "import sys; from core.data.demo import generate; generate(sys.argv[1], n_postings=300, n_seekers=60, seed=7)"


def generated(out, shared, data) -> dict[str, bytes]:
    """The demo files made in a fresh process (no cache of an earlier run) with JOBLENS_SHARED = `shared`."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(data), "JOBLENS_DATA": str(data), "JOBLENS_SHARED": str(shared),
           "HF_HUB_OFFLINE": "1"}
    subprocess.run([sys.executable, "-c", GENERATE, str(out)], cwd=REPO, env=env, check=True, timeout=300)
    return {path.name: path.read_bytes() for path in sorted(out.iterdir())}


@needs_shared
def test_the_demo_is_the_same_with_or_without_shared_data(tmp_path):
    (tmp_path / "empty").mkdir()
    without = generated(tmp_path / "without", tmp_path / "empty", tmp_path / "data")
    with_shared = generated(tmp_path / "with", SHARED, tmp_path / "data")
    assert set(without) == {"worknet_demo.json", "kead_demo.json", "seekers_demo.csv"}
    assert without == with_shared
