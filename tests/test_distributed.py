"""Ray (local, 2 CPUs) gives the local results bit for bit: encoded vectors, the embedding cache they fill, and the
stored lists of `recsets` ranked in Ray actors."""
import functools

import numpy as np
import pytest

pytest.importorskip("ray")


@pytest.fixture(scope="module")
def runner():
    import ray

    from core.models.distributed import RayRunner

    r = RayRunner(workers=2).start()
    yield r
    ray.shutdown()


def test_ray_encoded_vectors_equal_local_ones_through_the_cache(runner, engine, tmp_path, monkeypatch):
    from core.data.store import Store
    from core.models.encoders import cached_encode

    model = engine.model("sbert")  # fitted locally (vectors from the demo store's cache)
    # three batches of up to 4 (4, 4, 2) over two actors: one actor encodes two; both sides cut batches of 4
    # (64 by default: the same shape at 130 texts, at ~13 times the encoding)
    texts = [t for t in engine.corpus.texts("posting")[:8]] + ["처음 보는 문장 하나", "짧다"]
    local = model.encoder_factory()
    monkeypatch.setattr(local, "encode", functools.partial(local.encode, batch_size=4))
    ray_store, local_store = Store(tmp_path / "ray.db"), Store(tmp_path / "local.db")
    by_ray = cached_encode(runner.encoder(model.encoder_factory, batch_size=4), texts, ray_store, "passage",
                           max_tokens=96)
    by_local = cached_encode(local, texts, local_store, "passage", max_tokens=96)
    assert by_ray.dtype == by_local.dtype and np.array_equal(by_ray, by_local)  # bit for bit
    monkeypatch.setattr(local, "encode", lambda *a, **k: pytest.fail("a Ray-filled cache must serve every text"))
    assert np.array_equal(cached_encode(local, texts, ray_store, "passage", max_tokens=96), by_local)


def test_ray_built_stored_lists_equal_the_local_build(runner, engine):
    from core.filters import FilterSettings
    from core.models import recsets
    from core.models.batch import batch_recommend

    model = engine.model("sbert")
    seekers = engine.corpus.records("seeker")
    local = batch_recommend(model, seekers, "posting", k=10, filters=FilterSettings())
    chunked = batch_recommend(model, seekers, "posting", k=10, filters=FilterSettings(), map_chunks=runner.map_chunks,
                              chunk_size=40)  # several chunks over both actors
    assert local.rows.keys() == chunked.rows.keys()
    for qid in local.rows:
        assert list(local.rows[qid]) == list(chunked.rows[qid]) and np.array_equal(local.scores[qid], chunked.scores[qid])

    stored = lambda: engine.store.query("SELECT direction, query_id, items FROM recsets ORDER BY 1, 2")  # noqa: E731
    recsets.build(engine, ["sbert"], k=10)
    by_local = stored()
    recsets.build(engine, ["sbert"], k=10, map_chunks=runner.map_chunks)
    assert stored() == by_local and len(by_local) == len(engine.corpus.postings) * 2 + len(engine.corpus.seekers)
