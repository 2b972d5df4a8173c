"""Encoder backends (#16): ONNX Runtime runs the same model as torch, and the cache never mixes them."""
from __future__ import annotations

import numpy as np
import pytest

TEXTS = ["서울 강남구 사무보조원 모집 문서 작성 및 전화 응대", "요양보호사 1급 자격증 소지자 우대, 야간 근무 가능자",
         "아파트 경비원 순찰 및 주차 관리", "제품 포장원 (식품) 포장 상자 적재, 양손작업 가능", "웹 개발자 자바 스프링 경력 3년",
         "청소원 사무실 건물 미화 주5일", "지게차 운전원 물류센터 상하차", "바리스타 커피 제조 및 매장 관리"] * 3


@pytest.fixture(scope="module")
def encoders():
    from core.models.encoders import SBERTEncoder

    return {backend: SBERTEncoder("e5-small", backend=backend) for backend in ("torch", "onnx", "onnx-int8")}


def test_onnx_vectors_agree_with_torch(encoders):
    """fp32 ONNX runs the same graph: cosine ≥ 0.9999 (float rounding only). int8 quantises the weight matrices:
    on 256 long real-length postings it measured min 0.977 / mean 0.983 (bench/bench_backends.py), so 0.95 leaves
    room for other texts while a broken export (wrong pooling, lost attention mask, wrong prompt) falls far below."""
    ref = encoders["torch"].encode(TEXTS, "query")
    fp32 = encoders["onnx"].encode(TEXTS, "query")
    int8 = encoders["onnx-int8"].encode(TEXTS, "query")
    assert ((ref * fp32).sum(1) >= 0.9999).all()
    assert ((ref * int8).sum(1) >= 0.95).all()
    # the neighbours int8 finds are torch's: each text's nearest other text is the same
    nearest = lambda v: np.argsort(-(v @ v.T - 2 * np.eye(len(v))), axis=1)[:, 0]  # noqa: E731
    assert (nearest(ref) == nearest(int8)).mean() >= 0.9


def test_a_padded_batch_gives_each_text_its_own_vector(encoders):
    """Texts of very different lengths in one batch: the attention mask must keep padding out of the mean.
    int8 quantises activations with one scale per batch, so a text's vector moves slightly with its batch
    (measured ≥ 0.996); the embedding cache makes each text's vector once, so every path still reads the same."""
    for backend, encoder in encoders.items():
        alone = np.stack([encoder.encode([t], "passage")[0] for t in TEXTS[:4]])
        together = encoder.encode(TEXTS[:4], "passage")
        bound = 0.99 if backend == "onnx-int8" else 0.9999
        assert ((alone * together).sum(1) >= bound).all(), backend


def test_a_cached_vector_is_never_served_across_backends(encoders, tmp_data):
    from core.data.store import Store
    from core.models.encoders import cache_key, cached_encode

    store = Store()
    torch_v = cached_encode(encoders["torch"], TEXTS[:5], store, "passage")
    int8_v = cached_encode(encoders["onnx-int8"], TEXTS[:5], store, "passage")
    assert not np.allclose(torch_v, int8_v)  # int8 was computed, not read from torch's entries
    assert np.allclose(int8_v, encoders["onnx-int8"].encode(TEXTS[:5], "passage"), atol=1e-6)
    keys = {row[0] for row in store.query("SELECT DISTINCT model FROM embed_cache")}
    assert keys == {cache_key(encoders["torch"], "passage"), cache_key(encoders["onnx-int8"], "passage")}
    # a different length cap is a different vector too
    assert cache_key(encoders["torch"], "passage", 96) != cache_key(encoders["torch"], "passage")


def test_the_export_is_atomic(tmp_path, monkeypatch):
    """A failed export leaves no file that looks finished; the next call exports again."""
    from core.models import onnx_backend

    target = tmp_path / "model.onnx"
    with pytest.raises(RuntimeError):
        with onnx_backend._atomic(target) as tmp:
            open(tmp, "wb").write(b"half a model")
            raise RuntimeError("killed mid-export")
    assert not target.exists() and not list(tmp_path.glob("*.partial"))
    with onnx_backend._atomic(target) as tmp:
        open(tmp, "wb").write(b"whole")
    assert target.read_bytes() == b"whole"


def test_fields_are_cut_at_their_own_token_caps(engine, monkeypatch):
    """The own text and the enrichment have separate caps (settings), and every path applies them alike."""
    model = engine.model("sbert")
    assert model.max_tokens == {"text": 96, "enrichment": 192}
    long_text = " ".join(TEXTS * 4)  # far past 96 tokens
    cut = model.encoder.encode([long_text], "passage", max_tokens=96)[0]
    full = model.encoder.encode([long_text], "passage", max_tokens=256)[0]
    assert float(cut @ full) < 0.9999  # the cap really cuts
    assert np.allclose(model.vectors([long_text], "passage")[0], cut, atol=1e-5)
