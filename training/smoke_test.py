#!/usr/bin/env python3
"""Smoke test of the training side (a few seconds, CPU): for CI to run when PyTorch and onnx are installed.

Builds both trackers at their default (CPU) sizes, runs a forward pass on a 64 x 96 pair, checks output
shapes and that bad shapes raise ValueError, renders one tiny synthetic batch of each recipe, exports both
models to a temporary ONNX file and runs onnx.checker on them.
Then the same for the SEM deblurring nets (MIDNet and its NAFNet baseline, small widths) on a synthetic SEM pair.
Then super-resolution: the USRNet-style unfolding net (tiny widths) and FSRCNN x2/x3/x4 forward, data-step
consistency, bicubic kernel vs MATLAB imresize, ONNX export of prior / hypa / FSRCNN + checker.

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


def smoke_deblur(tmp: str) -> None:
    """SEM deblurring: MIDNet and the NAFNet baseline forward 64x96, ValueError on a bad size, loss + backward on a
    synthetic SEM pair, ONNX export (input 'blurry', output 'sharp') + checker."""
    import numpy as np

    from training.common.restore_losses import deblur_loss
    from training.data.sem import synth_pair
    from training.export_deblur import export as export_deblur
    from training.models.midnet import build

    rng = np.random.default_rng(0)
    b, s = synth_pair(rng, 64)
    check(b.shape == (64, 64) and 0.0 <= float(b.min()) and float(b.max()) <= 1.0, "synthetic SEM pair shape / range")
    for name, arch in (("midnet-s", "midnet"), ("nafnet-s", "nafnet")):
        model = build(arch, width=8, enc_blocks=(1, 1), middle_blocks=1, dec_blocks=(1, 1))
        x = torch.rand(2, 1, 64, 96)
        y = model(x)
        check(y.shape == x.shape and torch.isfinite(y).all().item(), f"{name}: output shape {tuple(y.shape)}")
        try:
            model(torch.rand(1, 1, 64, 98))
            raise AssertionError(f"{name}: W=98 (not a multiple of {model.stride}) did not raise ValueError")
        except ValueError:
            pass
        loss, _ = deblur_loss(model(torch.from_numpy(b)[None, None]), torch.from_numpy(s)[None, None])
        loss.backward()
        check(torch.isfinite(loss).item(), f"{name}: loss not finite")
        model.eval()
        path = os.path.join(tmp, f"{name}.onnx")
        proto = export_deblur(model, path)
        names = ([i.name for i in proto.graph.input], [o.name for o in proto.graph.output])
        check(names == (["blurry"], ["sharp"]), f"{name}: ONNX I/O names {names}")
        print(f"ok {name}: forward 64x96, ValueError on bad shapes, loss + backward, ONNX export + checker")


def smoke_sr(tmp: str) -> None:
    """Super-resolution: USRNet-style unfolding (tiny prior) forward with shapes, the closed-form data step's
    consistency for a tiny alpha, bicubic kernel == MATLAB imresize in the interior, FSRCNN shapes, ONNX exports."""
    import numpy as np

    from training.data import sr
    from training.export_sr import export_onnx
    from training.models.fastsr import FSRCNN
    from training.models.usrnet import DataPre, USRNetS, blur_circular, data_step, downsample

    rng = np.random.default_rng(0)
    x = torch.from_numpy(np.stack([sr.synthetic_texture(rng, 48) for _ in range(2)]))[:, None]
    for s in (2, 3, 4):
        k = torch.from_numpy(np.stack([sr.random_kernel(rng, s) for _ in range(2)]))[:, None]
        check(abs(float(k.sum()) - 2.0) < 1e-4, "kernels must sum to 1")
        y = downsample(blur_circular(x, k), s)
        # float64: FX = (FR - FCBinvWBR) / alpha cancels, so float32 cannot take alpha -> 0
        kg = torch.from_numpy(sr.gaussian_kernel(0.8))[None, None].expand(2, 1, -1, -1).double()
        yg = downsample(blur_circular(x.double(), kg), s)
        z = data_step(torch.zeros_like(x).double(), DataPre(yg, kg, s), torch.full((2, 1, 1, 1), 1e-8, dtype=torch.float64))
        res = float((downsample(blur_circular(z, kg), s) - yg).abs().max())
        check(res < 1e-3, f"data step x{s}: (z * k)↓s differs from y by {res}")
        a = x[0, 0].numpy()
        diff = np.abs(sr.imresize(a, 1.0 / s) - downsample(blur_circular(x[:1], torch.from_numpy(sr.bicubic_kernel(s))[None, None]), s)[0, 0].numpy())
        b = 8 // s + 2
        check(float(diff[b:-b, b:-b].max()) < 1e-5, f"bicubic kernel x{s} does not reproduce imresize")
        m = FSRCNN(s)
        check(m(torch.rand(2, 1, 10, 13)).shape == (2, 1, 10 * s, 13 * s), f"fsrcnn-x{s} output shape")
        export_onnx(m, (torch.rand(1, 1, 12, 12),), os.path.join(tmp, f"fsrcnn-x{s}.onnx"), ["lr"], ["sr"],
                    {"lr": {0: "N", 2: "h", 3: "w"}, "sr": {0: "N", 2: "H", 3: "W"}})
    net = USRNetS(channels=(8, 8, 16, 16), nb=1).eval()
    with torch.no_grad():
        y = torch.rand(1, 1, 11, 13)
        out = net(y, torch.from_numpy(sr.gaussian_kernel(1.2))[None, None], 3, torch.full((1, 1, 1, 1), 0.01))
    check(out.shape == (1, 1, 33, 39) and torch.isfinite(out).all().item(), f"usrnet output shape {tuple(out.shape)}")
    ax = {0: "N", 2: "H", 3: "W"}
    export_onnx(net.p, (torch.rand(1, 1, 16, 16), torch.rand(1, 1, 16, 16)), os.path.join(tmp, "prior.onnx"), ["x", "noise"], ["y"],
                {"x": ax, "noise": ax, "y": ax})
    export_onnx(net.h, (torch.rand(1, 2, 1, 1),), os.path.join(tmp, "hypa.onnx"), ["cond"], ["ab"], {"cond": {0: "N"}, "ab": {0: "N"}})
    print("ok sr: usrnet-s forward 11x13 x3, data-step consistency, bicubic kernel == imresize, fsrcnn x2/x3/x4, ONNX exports + checker")


def smoke_export_paths() -> None:
    """DICNet's export-only formulations (correlation summed by MatMul, soft-argmax by Exp + 1x1 convs) give the
    training path's values: the ONNX file computes the network that was trained."""
    a = torch.nn.functional.normalize(torch.randn(2, 16, 24, 40), dim=1)
    b = torch.nn.functional.normalize(torch.randn(2, 16, 24, 40), dim=1)
    corr = dicnet.Correlation(4)
    diff = float((corr._sliced(a, b) - corr._unfolded(a, b)).abs().max())
    check(diff < 1e-6, f"correlation: export path differs from the unfolded one by {diff}")
    sa = dicnet.SoftArgmax(4, 4.0)
    volume = corr._unfolded(a, b) * 16  # cosine volume in [-1, 1], as in DICNet.forward
    with torch.no_grad():
        plain = sa(volume)
        dicnet.SoftArgmax.export_friendly = True
        try:
            exported = sa(volume)
        finally:
            dicnet.SoftArgmax.export_friendly = False
    diff = float((plain - exported).abs().max())
    check(diff < 1e-4, f"soft-argmax: export path differs from Softmax by {diff} px (float rounding is ~1e-5)")
    print(f"ok dicnet export paths: correlation |diff| < 1e-6, soft-argmax |diff| {diff:.1e} px")


def main() -> int:
    t0 = time.time()
    torch.manual_seed(0)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    g = torch.Generator().manual_seed(0)
    ref, dfm = torch.randn(2, 1, 64, 96), torch.randn(2, 1, 64, 96)
    with tempfile.TemporaryDirectory() as tmp:
        for name, model, stride in (("dicnet-s", dicnet.DICNet(widths=(8, 16, 32, 48, 64), max_displacement=4, ms_depth=1,
                                                               full_res_decoder=False), dicnet.STRIDE),
                                    ("dicnet (full form)", dicnet.DICNet(widths=(8, 16, 32, 48, 64), max_displacement=4), dicnet.STRIDE),
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
        smoke_export_paths()
        d = dic_batch(g, 2, DicRecipe(height=32, width=32, max_disp=4.0))
        c = cade_batch(g, 2, CadeRecipe(height=32, width=32))
        for label, b in (("dic", d), ("cade", c)):
            check(b["ref"].shape == (2, 1, 32, 32) and b["flow"].shape == (2, 2, 32, 32), f"{label} batch shapes")
            check(abs(float(b["ref"].mean())) < 1e-4, f"{label} batch is not normalised")
        small = dic_batch(g, 2, DicRecipe(height=32, width=32, max_disp=4.0, small_fraction=1.0, small_max=0.5))
        check(float(small["flow"].abs().max()) <= 0.5 + 1e-4, "dic batch: small_fraction=1 must keep fields within small_max")
        loss, _ = warp_loss(d["ref"], d["def"], d["flow"])
        check(torch.isfinite(loss).item(), "warp loss not finite")
        ms = multiscale_epe([d["flow"][..., ::2, ::2], d["flow"]], d["flow"], [0.5, 1.0])
        check(float(ms) < 0.5, f"multi-scale EPE of the ground truth should be ~0, got {float(ms)}")
        print("ok data: dic and cade batches, warp loss, multi-scale EPE")
        smoke_deblur(tmp)
        smoke_sr(tmp)
    print(f"smoke test passed in {time.time() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
