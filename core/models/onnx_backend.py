"""ONNX Runtime backends for the transformer encoders (SBERT's e5 and the fine-tuned W-BERT).

Why: encoding is the cost floor of every pipeline on 2 CPU cores. ONNX Runtime runs the same BERT graph,
and with dynamic int8 quantisation of its weight matrices it runs ~1.5× faster than torch on 256-token texts
(bench/bench_backends.py) at cosine ≥ 0.97 to the fp32 vectors.

The export is made once per model folder and backend, into `<folder>/onnx/<backend>.onnx`, written to a
temporary name and renamed into place, so a crash mid-export never leaves a file that looks finished. The
folder's tokenizer and pooling are the model's own, so a vector means the same thing under either backend;
the embedding cache still keys vectors by backend (`Encoder.backend`), because the last digits differ.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np

from ..progress import Progress, report

BACKENDS = ("torch", "onnx", "onnx-int8")


def onnx_file(folder: str | Path, backend: str) -> Path:
    return Path(folder) / "onnx" / f"{backend}.onnx"


def _pooling(folder: Path) -> str:
    """'mean' or 'cls', read from the folder's sentence-transformers pooling config."""
    for config in folder.glob("*_Pooling/config.json"):
        values = json.loads(config.read_text(encoding="utf-8"))
        return "cls" if values.get("pooling_mode_cls_token") else "mean"
    return "mean"


def export(folder: str | Path, backend: str, progress: Progress | None = None) -> Path:
    """The folder's transformer as ONNX (fp32, or int8 weights for 'onnx-int8'); a no-op when already there."""
    if backend not in BACKENDS[1:]:
        raise ValueError(f"알 수 없는 ONNX 백엔드 '{backend}' (가능: {', '.join(BACKENDS[1:])})")
    folder = Path(folder)
    target = onnx_file(folder, backend)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    if backend == "onnx-int8":
        from onnxruntime.quantization import QuantType, quantize_dynamic

        source = export(folder, "onnx", progress)
        report(progress, "ONNX int8 양자화", 0, 1)
        with _atomic(target) as tmp:
            quantize_dynamic(str(source), tmp, weight_type=QuantType.QInt8)
        report(progress, "ONNX int8 양자화", 1, 1)
        return target
    import torch
    from sentence_transformers import SentenceTransformer

    report(progress, "ONNX 내보내기", 0, 1)
    transformer = SentenceTransformer(str(folder), device="cpu")[0]
    auto = transformer.auto_model
    auto.set_attn_implementation("eager")  # plain attention ops: a graph ONNX Runtime fuses and quantises well

    class Hidden(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    sample = transformer.tokenizer(["예시 문장", "서울 강남구 사무보조원 모집"], padding=True, return_tensors="pt")
    dynamic = {name: {0: "batch", 1: "tokens"} for name in ("input_ids", "attention_mask", "hidden")}
    with _atomic(target) as tmp, torch.no_grad():
        torch.onnx.export(Hidden(auto.eval()), (sample["input_ids"], sample["attention_mask"]), tmp,
                          input_names=["input_ids", "attention_mask"], output_names=["hidden"],
                          dynamic_axes=dynamic, opset_version=17, dynamo=False)
    report(progress, "ONNX 내보내기", 1, 1)
    return target


class _atomic:
    """A temporary file beside `target`, renamed onto it only when the block finishes without error."""

    def __init__(self, target: Path):
        self.target = target

    def __enter__(self) -> str:
        fd, self.tmp = tempfile.mkstemp(dir=self.target.parent, suffix=".partial")
        os.close(fd)
        return self.tmp

    def __exit__(self, kind, value, tb) -> None:
        if kind is None:
            os.chmod(self.tmp, 0o644)
            os.replace(self.tmp, self.target)
        else:
            Path(self.tmp).unlink(missing_ok=True)


class OnnxRunner:
    """Tokenize with the model's own tokenizer, run the exported graph, pool as the folder says, normalise."""

    def __init__(self, folder: str | Path, backend: str, tokenizer, progress: Progress | None = None):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, os.cpu_count() or 1)
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(export(folder, backend, progress)), options,
                                            providers=["CPUExecutionProvider"])
        self.tokenizer = tokenizer
        self.pooling = _pooling(Path(folder))

    def __call__(self, texts: list[str], max_tokens: int) -> np.ndarray:
        batch = self.tokenizer(texts, padding=True, truncation=True, max_length=max_tokens, return_tensors="np")
        mask = batch["attention_mask"].astype(np.int64)
        hidden = self.session.run(None, {"input_ids": batch["input_ids"].astype(np.int64), "attention_mask": mask})[0]
        if self.pooling == "cls":
            v = hidden[:, 0]
        else:
            weights = mask[..., None].astype(np.float32)
            v = (hidden * weights).sum(1) / np.maximum(weights.sum(1), 1e-9)
        return (v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)).astype(np.float32)
