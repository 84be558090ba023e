"""ONNX export of the trackers and the golden parity files the Node tests compare ONNX Runtime against.

Note: I/O contract. Inputs ``ref`` and ``def`` float32 [N,1,H,W] (each image normalised on its own:
(x - mean) / (std + 1e-6), population std), H and W multiples of the model's stride; output ``flow``
float32 [N,2,H,W], channel 0 = u (px along x / columns), 1 = v (px along y / rows), I_def(x + u) = I_ref(x).
Opset 17, dynamic N, H, W. There is no onnxruntime for Python on the build machines, so parity is checked
in Node against the golden files written here (training/check_onnx_parity.mjs, and the app's own test).

Golden files (``test/fixtures/models/<id>/``): ``golden.json`` plus one raw little-endian float32 ``.bin``
per tensor and case (C order, NCHW). Inputs are stored already normalised, i.e. exactly what the ONNX
model receives.
"""
from __future__ import annotations

import json
import os
from typing import Sequence

import numpy as np
import onnx
import torch

from training.models.cade import CadeNet
from training.models.dicnet import Correlation, DICNet, SoftArgmax

MODEL_CLASSES = {"DICNet": DICNet, "CadeNet": CadeNet}
OPSET = 17


def build_from_checkpoint(ck: dict) -> torch.nn.Module:
    """The model a training checkpoint describes, weights loaded, in eval mode."""
    cls = MODEL_CLASSES.get(ck.get("model_class", ""))
    if cls is None:
        raise ValueError(f"checkpoint model_class {ck.get('model_class')!r} is not one of {sorted(MODEL_CLASSES)}")
    model = cls(**ck["model_config"])
    model.load_state_dict(ck["model"])
    return model.eval()


class _ExportFriendly:
    """Context: make every Correlation and SoftArgmax use their ONNX export paths (the same values to float
    rounding), so the golden outputs come from the graph that is exported."""

    def __enter__(self):
        self.prev = (Correlation.export_friendly, SoftArgmax.export_friendly)
        Correlation.export_friendly = SoftArgmax.export_friendly = True

    def __exit__(self, *exc):
        Correlation.export_friendly, SoftArgmax.export_friendly = self.prev


class _InferenceOnly(torch.nn.Module):
    """forward(ref, def) -> flow only. torch.onnx (1.13) fills every remaining forward parameter with its
    default *positionally*, which breaks keyword-only options such as ``all_scales``; this wrapper hides them."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, ref: torch.Tensor, dfm: torch.Tensor) -> torch.Tensor:
        return self.model(ref, dfm)


def export(model: torch.nn.Module, path: str, *, stride: int) -> onnx.ModelProto:
    """Export with named I/O and dynamic N/H/W, then onnx.checker (full check, incl. shape inference)."""
    model = model.eval().cpu()
    ex = (torch.randn(1, 1, 4 * stride, 4 * stride), torch.randn(1, 1, 4 * stride, 4 * stride))
    axes = {0: "N", 2: "H", 3: "W"}
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with _ExportFriendly(), torch.no_grad():
        torch.onnx.export(_InferenceOnly(model), ex, path, input_names=["ref", "def"], output_names=["flow"],
                          dynamic_axes={"ref": axes, "def": axes, "flow": axes}, opset_version=OPSET,
                          do_constant_folding=True)
    proto = onnx.load(path)
    onnx.checker.check_model(proto, full_check=True)
    ops = {n.op_type for n in proto.graph.node}
    if "GridSample" in ops:
        raise ValueError("the exported graph contains GridSample; the forward pass must not warp")
    return proto


def _write(arr: np.ndarray, path: str) -> None:
    np.ascontiguousarray(arr, dtype="<f4").tofile(path)


@torch.no_grad()
def write_golden(model: torch.nn.Module, out_dir: str, cases: Sequence[tuple[str, torch.Tensor, torch.Tensor]], *,
                 model_id: str, onnx_sha256: str, tolerance: dict) -> dict:
    """Write PyTorch outputs for ``cases`` (name, ref, def) as .bin files plus golden.json; returns the JSON."""
    os.makedirs(out_dir, exist_ok=True)
    for f in os.listdir(out_dir):
        if f.endswith(".bin"):
            os.remove(os.path.join(out_dir, f))
    model = model.eval().cpu()
    desc = []
    with _ExportFriendly():
        for name, ref, dfm in cases:
            flow = model(ref, dfm)
            entry = {"name": name, "tensors": {}}
            for tname, t in (("ref", ref), ("def", dfm), ("flow", flow)):
                fname = f"{name}.{tname}.bin"
                _write(t.numpy(), os.path.join(out_dir, fname))
                entry["tensors"][tname] = {"file": fname, "shape": list(t.shape)}
            entry["flow_abs_max"] = float(flow.abs().max())
            desc.append(entry)
    golden = {
        "model": model_id,
        "onnx_sha256": onnx_sha256,
        "dtype": "float32",
        "byteOrder": "little-endian",
        "layout": "NCHW, C order",
        "inputs": ["ref", "def"],
        "outputs": ["flow"],
        "tolerance": tolerance,
        "notes": "Inputs are stored already normalised (what the ONNX model receives). PyTorch "
                 f"{torch.__version__} CPU outputs; pass if |onnx - torch| <= abs + rel * |torch| for every element.",
        "generator": "training/export_onnx.py",
        "cases": desc,
    }
    with open(os.path.join(out_dir, "golden.json"), "w", encoding="utf-8") as f:
        json.dump(golden, f, indent=2)
        f.write("\n")
    return golden
