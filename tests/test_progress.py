"""Library progress reaches a terminal bar throttled as tqdm throttles, and model conversion is atomic."""
import io

import pytest

from core.progress import TerminalProgress


def test_progress_to_a_log_file_prints_a_few_lines_not_one_per_item():
    log = io.StringIO()  # not a terminal, as in CI or `setup > log`
    bar = TerminalProgress(stream=log)
    for i in range(1, 5001):
        bar("적합성 추출", i, 5000)
    lines = [x for x in log.getvalue().replace("\r", "\n").splitlines() if x.strip()]
    assert 1 <= len(lines) <= 5, len(lines)
    assert "5000/5000" in lines[-1]


def test_e5_conversion_is_atomic(tmp_path, monkeypatch):
    import core.models.e5convert as e5convert

    def broken(out, variant):
        out.mkdir(parents=True)
        (out / "model.safetensors").write_bytes(b"half")  # the weights, then a crash
        raise RuntimeError("디스크 가득 참")

    monkeypatch.setattr(e5convert, "_write_folder", broken)
    with pytest.raises(RuntimeError):
        e5convert.convert(tmp_path / "e5-small")
    assert not (tmp_path / "e5-small").exists()  # nothing that looks finished is left behind
