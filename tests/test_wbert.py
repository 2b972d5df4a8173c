"""W-BERT: a tiny configuration trains for a few steps, the loss drops, the saved folder reloads with the
same embeddings, training resumes from its checkpoint, and the model plugs into the recommender.

The base is a randomly initialised 1-layer, 32-wide BERT with e5's tokenizer: the same code path as the
real e5-small base (`TrainConfig.base` is any folder) at a hundredth of the compute, so these tests take
seconds on a shared CI machine. Full-size training is measured by `python -m core train-wbert --report`."""
import json

import numpy as np
import pytest

from core.models.wbert import TrainConfig, stratified_split, train


@pytest.fixture(scope="module")
def sample(demo_store):
    posts = [p for p in demo_store.postings("demo") if p.major_code in {"01", "06", "09"}][:90]
    return [p.text() for p in posts], [p.occupation for p in posts]


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory):
    from transformers import AutoTokenizer, BertConfig, BertModel

    from core.models.encoders import ensure_e5

    folder = tmp_path_factory.mktemp("tiny-bert")
    tokenizer = AutoTokenizer.from_pretrained(str(ensure_e5()))
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=128)
    BertModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


@pytest.fixture()
def tiny(tiny_base):
    def config(out, epochs=3) -> TrainConfig:
        return TrainConfig(base=tiny_base, max_train=48, max_len=32, batch_size=8, epochs=epochs, lr=2e-3, out=str(out))
    return config


def test_split_is_stratified_and_fixed():
    labels = ["a"] * 50 + ["b"] * 30 + ["c"] * 20
    s1, s2 = stratified_split(labels, 1), stratified_split(labels, 1)
    assert s1 == s2
    assert set(s1.train) | set(s1.val) | set(s1.test) == set(range(100))
    assert sum(labels[i] == "a" for i in s1.test) == 10 and sum(labels[i] == "c" for i in s1.test) == 4


def test_tiny_training_loss_drops_and_folder_reloads(sample, tiny, tmp_path):
    from sentence_transformers import SentenceTransformer

    texts, codes = sample
    card = train(texts, codes, tiny(tmp_path / "wbert"), "test sample")
    losses = card["losses"]
    assert len(losses) >= 12
    assert np.mean(losses[-4:]) < np.mean(losses[:4])
    folder = tmp_path / "wbert"
    saved = json.loads((folder / "card.json").read_text())
    assert saved["level"] == "major" and 0 <= saved["test_accuracy"] <= 1 and saved["split"]["stratified"]
    reloaded = SentenceTransformer(str(folder), device="cpu").encode(saved["check"]["texts"], normalize_embeddings=True)
    assert np.allclose(reloaded, np.array(saved["check"]["vectors"]), atol=1e-4)


def test_training_resumes_from_checkpoint(sample, tiny, tmp_path):
    texts, codes = sample
    first = train(texts, codes, tiny(tmp_path / "w", epochs=1), "test")
    second = train(texts, codes, tiny(tmp_path / "w", epochs=2), "test")
    assert len(second["history"]) == 2
    assert second["history"][0] == first["history"][0]  # epoch 1 came from the checkpoint, not retrained
    assert len(second["losses"]) == len(first["losses"])  # only epoch 2's steps ran in the second call
    import torch

    saved = torch.load(tmp_path / "w-ckpt" / "last.pt", map_location="cpu", weights_only=False)["model"]
    assert "bert.embeddings.word_embeddings.weight" not in saved  # frozen table comes from the base, not the checkpoint
    assert "classifier.weight" in saved


def test_wbert_is_a_recommender_like_the_others(sample, tiny, tmp_path, monkeypatch, engine):
    from core.filters import FilterSettings
    from core.models.registry import make_model

    texts, codes = sample
    monkeypatch.setenv("JOBLENS_MODELS", str(tmp_path))
    train(texts, codes, tiny(tmp_path / "wbert", epochs=1), "test")
    model = make_model("wbert", engine.store).fit(engine.corpus)
    query = next(iter(engine.corpus.seekers.values()))
    result = model.recommend(query, k=5, filters=FilterSettings(distance=False))
    assert result.items and result.items[0].explanation["type"] == "field_pair"


def test_missing_wbert_says_training_needed(tmp_path, monkeypatch):
    from core.models.encoders import ModelNotReady
    from core.models.registry import make_model

    monkeypatch.setenv("JOBLENS_MODELS", str(tmp_path))
    with pytest.raises(ModelNotReady, match="학습 필요"):
        make_model("wbert")


def test_retrain_is_picked_up_by_a_running_engine_and_the_card_describes_it(sample, tiny, tmp_path, monkeypatch, engine):
    from core.models.wbert import current_path, read_card

    texts, codes = sample
    monkeypatch.setenv("JOBLENS_MODELS", str(tmp_path))
    monkeypatch.delenv("JOBLENS_WBERT", raising=False)
    train(texts, codes, tiny(tmp_path / "wbert", epochs=1), "test")
    first = engine.model("wbert")
    before = first.matrices["posting"].copy()
    assert engine.loaded("wbert") is first
    train(texts, codes, tiny(tmp_path / "wbert", epochs=2), "test")  # resumes: a second epoch, new weights
    assert engine.loaded("wbert") is None  # the loaded one is stale now
    second = engine.model("wbert")
    assert second is not first and not np.allclose(second.matrices["posting"], before)
    assert len(read_card()["history"]) == 2 and current_path() == tmp_path / "wbert"


def test_card_and_engine_follow_joblens_wbert(sample, tiny, tmp_path, monkeypatch):
    from core.models.wbert import current_path, read_card

    texts, codes = sample
    monkeypatch.setenv("JOBLENS_MODELS", str(tmp_path))
    train(texts, codes, tiny(tmp_path / "elsewhere", epochs=1), "elsewhere-data")
    monkeypatch.setenv("JOBLENS_WBERT", str(tmp_path / "elsewhere"))
    assert current_path() == tmp_path / "elsewhere"
    assert read_card()["data"] == "elsewhere-data"  # the page describes the model the engine recommends with
