#!/usr/bin/env python3
"""Smoke test of the training side (a few seconds, CPU): for CI to run when PyTorch and onnx are installed.

Builds both trackers at their default (CPU) sizes, runs a forward pass on a 64 x 96 pair, checks output
shapes and that bad shapes raise ValueError, renders one tiny synthetic batch of each recipe, exports both
models to a temporary ONNX file and runs onnx.checker on them.

    /usr/bin/python3 training/smoke_test.py          # exit status 0 = pass
"""
from __future__ import annotations

import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

from training.common.losses import multiscale_epe, warp_loss  # noqa: E402
from training.common.onnx_export import export  # noqa: E402
from training.data.recipes import CadeRecipe, DicRecipe, cade_batch, dic_batch  # noqa: E402
from training.models import cade, dicnet  # noqa: E402


def check(cond: bool, msg: str) -> None:
    if not cond:
        raise AssertionError(msg)


def main() -> int:
    t0 = time.time()
    torch.manual_seed(0)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    g = torch.Generator().manual_seed(0)
    ref, dfm = torch.randn(2, 1, 64, 96), torch.randn(2, 1, 64, 96)
    with tempfile.TemporaryDirectory() as tmp:
        for name, model, stride in (("dicnet-s", dicnet.DICNet(widths=(8, 16, 32, 48, 64), max_displacement=4), dicnet.STRIDE),
                                    ("cade-xst-s", cade.CadeNet(widths=(8, 16, 32, 48, 64, 96)), cade.STRIDE)):
            model.eval()
            with torch.no_grad():
                flow = model(ref, dfm)
                scales = model(ref, dfm, all_scales=True)
            check(flow.shape == (2, 2, 64, 96), f"{name}: flow shape {tuple(flow.shape)}, expected (2, 2, 64, 96)")
            check(torch.isfinite(flow).all().item(), f"{name}: non-finite flow")
            check(scales[-1].shape == flow.shape, f"{name}: finest scale must be full resolution")
            try:
                model(torch.randn(1, 1, 64, 100), torch.randn(1, 1, 64, 100))
                raise AssertionError(f"{name}: W=100 (not a multiple of {stride}) did not raise ValueError")
            except ValueError:
                pass
            try:
                model(torch.randn(1, 1, 64, 96), torch.randn(1, 1, 64, 64))
                raise AssertionError(f"{name}: mismatched shapes did not raise ValueError")
            except ValueError:
                pass
            path = os.path.join(tmp, f"{name}.onnx")
            proto = export(model, path, stride=stride)  # runs onnx.checker (full check)
            names = ([i.name for i in proto.graph.input], [o.name for o in proto.graph.output])
            check(names == (["ref", "def"], ["flow"]), f"{name}: ONNX I/O names {names}")
            check(proto.opset_import[0].version == 17, f"{name}: opset {proto.opset_import[0].version}")
            print(f"ok {name}: forward 64x96, ValueError on bad shapes, ONNX export + checker "
                  f"({os.path.getsize(path)} bytes, {len(proto.graph.node)} nodes)")
        d = dic_batch(g, 2, DicRecipe(height=32, width=32, max_disp=4.0))
        c = cade_batch(g, 2, CadeRecipe(height=32, width=32))
        for label, b in (("dic", d), ("cade", c)):
            check(b["ref"].shape == (2, 1, 32, 32) and b["flow"].shape == (2, 2, 32, 32), f"{label} batch shapes")
            check(abs(float(b["ref"].mean())) < 1e-4, f"{label} batch is not normalised")
        loss, _ = warp_loss(d["ref"], d["def"], d["flow"])
        check(torch.isfinite(loss).item(), "warp loss not finite")
        ms = multiscale_epe([d["flow"][..., ::2, ::2], d["flow"]], d["flow"], [0.5, 1.0])
        check(float(ms) < 0.5, f"multi-scale EPE of the ground truth should be ~0, got {float(ms)}")
        print("ok data: dic and cade batches, warp loss, multi-scale EPE")
    print(f"smoke test passed in {time.time() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
