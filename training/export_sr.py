#!/usr/bin/env python3
"""Export the super-resolution models to ONNX (models/), PyTorch weights (training/weights/), golden parity
files (test/fixtures/models/<id>/), the USRNet end-to-end golden (test/fixtures/sr/usrnet-e2e/) and
manifest entries (models/manifest.json).

    /usr/bin/python3 training/export_sr.py usrnet --checkpoint training/runs/usrnet-s/best.pt
    /usr/bin/python3 training/export_sr.py fastsr --scale 2 --checkpoint training/runs/fsrcnn-x2/best.pt

``--checkpoint`` may also be the exported weights (training/weights/<id>.pt), which re-creates the same
files. ``--command`` / ``--hardware`` / ``--notes-extra`` override what the manifest records about training.

Note: USRNet end-to-end golden (test/fixtures/sr/usrnet-e2e/golden.json) — see ``E2E_NOTES`` below for the
layout; the app's TypeScript HQS loop must reproduce ``x`` within 1e-3 (max abs) from ``y``, ``k``,
``scale``, ``sigma`` and the two ONNX nets.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from training.common.manifest import sha256_file, update_manifest  # noqa: E402
from training.data import sr  # noqa: E402
from training.models.fastsr import FSRCNN  # noqa: E402
from training.models.usrnet import USRNetS, blur_circular, count_params, downsample  # noqa: E402

OPSET = 17
TOL = {"abs": 1e-4, "rel": 0.0}
MANIFEST = os.path.join(ROOT, "models", "manifest.json")
FIX = os.path.join(ROOT, "test", "fixtures")

E2E_NOTES = (
    "USRNet-style unfolding (usrnet-s), end to end, PyTorch float32 CPU with the exported weights. Every tensor is a raw "
    "little-endian float32 .bin, C order (row-major, rows = y, down). Per case: 'y' [h, w] the LR input on the [0, 1] "
    "scale; 'k' [kh, kw] the blur kernel (sum 1, centre at (floor(kh/2), floor(kw/2)), circular convolution); 'scale' s "
    "(int) and 'sigma' (noise std on the [0, 1] scale) as JSON numbers; 'cond' [2] = (sigma, s), the hypa ONNX input as "
    "[1, 2, 1, 1]; 'ab' [2K] the hypa ONNX output (alpha_k = ab[k], beta_k = ab[K + k], K = 8); 'z0' [h*s, w*s] the "
    "start (nearest up-sampling of y); 'z1_data' [h*s, w*s] the estimate after iteration 1's data step only "
    "(FFT closed form with alpha_0; to debug the FFT code); 'z1_prior' [h*s, w*s] after iteration 1's prior step "
    "(estimate reflect-padded bottom/right to multiples of 8, noise map filled with beta_0, prior ONNX, cropped); "
    "'x' [h*s, w*s] the final output after K = 8 iterations (not clipped). The LR y was made from a held-out image as "
    "(x_hr circularly convolved with k)[0::s, 0::s] + sigma * N(0, 1). Pass: max |x_app - x| <= tolerance.abs."
)


def _write(arr, path: str) -> None:
    np.ascontiguousarray(np.asarray(arr), dtype="<f4").tofile(path)


def _clear(d: str) -> None:
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        if f.endswith(".bin") or f == "golden.json":
            os.remove(os.path.join(d, f))


def export_onnx(module: torch.nn.Module, args: tuple, path: str, inputs: list[str], outputs: list[str], axes: dict) -> None:
    module = module.eval().cpu()
    with torch.no_grad():
        torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs, dynamic_axes=axes,
                          opset_version=OPSET, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path), full_check=True)


@torch.no_grad()
def write_golden(module, model_id: str, cases: list[tuple[str, dict]], inputs: list[str], outputs: list[str]) -> float:
    out_dir = os.path.join(FIX, "models", model_id)
    _clear(out_dir)
    module = module.eval().cpu()
    desc = []
    amax = 0.0
    for name, feeds in cases:
        res = module(*[feeds[k] for k in inputs])
        res = res if isinstance(res, tuple) else (res,)
        entry = {"name": name, "tensors": {}}
        for tname, t in list(feeds.items()) + list(zip(outputs, res)):
            fname = f"{name}.{tname}.bin"
            _write(t.numpy(), os.path.join(out_dir, fname))
            entry["tensors"][tname] = {"file": fname, "shape": list(t.shape)}
        amax = max(amax, float(res[0].abs().max()))
        desc.append(entry)
    golden = {
        "model": model_id, "onnx_sha256": sha256_file(os.path.join(ROOT, "models", f"{model_id}.onnx")),
        "dtype": "float32", "byteOrder": "little-endian", "layout": "NCHW, C order",
        "inputs": inputs, "outputs": outputs, "tolerance": TOL,
        "notes": f"Inputs stored exactly as the ONNX model receives them. PyTorch {torch.__version__} CPU outputs; "
                 "pass if |onnx - torch| <= abs + rel * |torch| for every element.",
        "generator": "training/export_sr.py", "cases": desc,
    }
    with open(os.path.join(out_dir, "golden.json"), "w", encoding="utf-8") as f:
        json.dump(golden, f, indent=2)
        f.write("\n")
    return amax


def tensor_spec(name, shape, desc):
    return {"name": name, "layout": "NCHW", "dtype": "float32", "shape": shape, "description": desc}


def entry_base(model_id: str, task: str) -> dict:
    path = os.path.join(ROOT, "models", f"{model_id}.onnx")
    return {"id": model_id, "task": task, "file": f"{model_id}.onnx", "sha256": sha256_file(path),
            "bytes": os.path.getsize(path), "opset": OPSET}


def test_image(h: int, w: int, seed: int) -> np.ndarray:
    """A deterministic crop of a held-out image (train400 test_385..400), h × w."""
    imgs = sr.load_images("val")["natural"]
    im = imgs[seed % len(imgs)]
    if h > im.shape[0] or w > im.shape[1]:
        raise ValueError(f"test image {h}x{w} larger than the {im.shape} source")
    i, j = (im.shape[0] - h) // 2, (im.shape[1] - w) // 2
    return np.ascontiguousarray(im[i:i + h, j:j + w])


def describe_training(ck: dict, default_cmd: str, what: str) -> tuple[str, str]:
    a = ck.get("args", {})
    steps, minutes = ck.get("step", 0), ck.get("elapsed", 0.0) / 60
    hw = (f"CPU, {a.get('threads', 1)} torch thread on a shared 2-core machine (other trainings running), "
          f"exported checkpoint (best validation) after {minutes:.1f} minutes, {steps} steps ({what})")
    return default_cmd, hw


# ---------------------------------------------------------------- USRNet

def load_usrnet(path: str) -> tuple[USRNetS, dict]:
    ck = torch.load(path, map_location="cpu")
    cfg = ck["model_config"]
    m = USRNetS(n_iter=cfg["n_iter"], channels=tuple(cfg["channels"]), nb=cfg["nb"], hypa_channels=cfg["hypa_channels"])
    m.load_state_dict(ck["model"])
    return m.eval(), ck


@torch.no_grad()
def e2e_golden(model: USRNetS) -> list[dict]:
    from training.data.sr import gaussian_kernel, motion_kernel
    out_dir = os.path.join(FIX, "sr", "usrnet-e2e")
    _clear(out_dir)
    specs = [
        ("gauss1.2-x2", 20, 24, 2, 0.0, gaussian_kernel(1.2), 0),
        ("motion-x3", 17, 22, 3, 2.55 / 255, motion_kernel(np.random.default_rng(7)), 3),
        ("aniso-x4", 16, 16, 4, 7.65 / 255, gaussian_kernel(2.6, 1.1, 0.6), 5),
    ]
    rng = np.random.default_rng(2024)
    cases = []
    for name, h, w, s, sig, k, seed in specs:
        xh = torch.from_numpy(test_image(h * s, w * s, seed))[None, None]
        kt = torch.from_numpy(k)[None, None]
        y = downsample(blur_circular(xh, kt), s)
        y = (y + sig * torch.from_numpy(rng.standard_normal(y.shape).astype(np.float32))).float()
        sigma = torch.tensor([[[[sig]]]], dtype=torch.float32)
        x, ab, steps = model(y, kt, s, sigma, trace=True)
        z0 = F.interpolate(y, scale_factor=s, mode="nearest")
        tensors = {"y": y[0, 0], "k": kt[0, 0], "cond": torch.tensor([sig, float(s)], dtype=torch.float32),
                   "ab": ab.reshape(-1), "z0": z0[0, 0], "z1_data": steps[0][1][0, 0], "z1_prior": steps[1][1][0, 0],
                   "x": x[0, 0]}
        entry = {"name": name, "scale": s, "sigma": float(np.float32(sig)), "tensors": {}}
        for tn, t in tensors.items():
            fname = f"{name}.{tn}.bin"
            _write(t.numpy(), os.path.join(out_dir, fname))
            entry["tensors"][tn] = {"file": fname, "shape": list(t.shape)}
        entry["psnr_vs_hr_db"] = round(sr.psnr(x[0, 0], xh[0, 0], s), 3)
        cases.append(entry)
    return cases


def do_usrnet(args) -> None:
    model, ck = load_usrnet(args.checkpoint)
    mid = "usrnet-s"
    wpath = os.path.join(ROOT, "training", "weights", f"{mid}.pt")
    if os.path.abspath(args.checkpoint) != os.path.abspath(wpath):
        os.makedirs(os.path.dirname(wpath), exist_ok=True)
        torch.save({"model_class": "USRNetS", "model_config": model.config, "model": model.state_dict(),
                    "step": ck.get("step"), "elapsed": ck.get("elapsed"), "args": ck.get("args"), "val": ck.get("val")}, wpath)
    K = model.n_iter
    prior_path = os.path.join(ROOT, "models", f"{mid}-prior.onnx")
    hypa_path = os.path.join(ROOT, "models", f"{mid}-hypa.onnx")
    ax = {0: "N", 2: "H", 3: "W"}
    export_onnx(model.p, (torch.rand(1, 1, 32, 32), torch.full((1, 1, 32, 32), 0.05)), prior_path, ["x", "noise"], ["y"],
                {"x": ax, "noise": ax, "y": ax})
    export_onnx(model.h, (torch.tensor([[[[0.01]], [[2.0]]]]),), hypa_path, ["cond"], ["ab"], {"cond": {0: "N"}, "ab": {0: "N"}})

    g = torch.Generator().manual_seed(0)
    ab = model.hypa(torch.tensor([[[[2.55 / 255]]]]), 3).reshape(-1)
    img = torch.from_numpy(test_image(48, 80, 1))[None, None]
    two = torch.from_numpy(np.stack([test_image(32, 40, 2), test_image(32, 40, 4)]))[:, None]
    prior_cases = [
        ("rand-64x64", {"x": torch.rand(1, 1, 64, 64, generator=g), "noise": torch.full((1, 1, 64, 64), 0.05)}),
        ("image-48x80", {"x": img + 0.03 * torch.randn(img.shape, generator=g), "noise": torch.full((1, 1, 48, 80), float(ab[K]))}),
        ("batch2-32x40", {"x": two, "noise": torch.cat([torch.full((1, 1, 32, 40), float(ab[K + 7])), torch.full((1, 1, 32, 40), 0.1)])}),
    ]
    d_prior = write_golden(model.p, f"{mid}-prior", prior_cases, ["x", "noise"], ["y"])
    hypa_cases = [
        ("sigma0-x2", {"cond": torch.tensor([0.0, 2.0]).view(1, 2, 1, 1)}),
        ("batch3", {"cond": torch.tensor([[2.55 / 255, 3.0], [7.65 / 255, 4.0], [25 / 255, 2.0]]).view(3, 2, 1, 1)}),
    ]
    write_golden(model.h, f"{mid}-hypa", hypa_cases, ["cond"], ["ab"])
    cases = e2e_golden(model)
    e2e = {
        "model": mid, "prior": f"{mid}-prior", "hypa": f"{mid}-hypa",
        "prior_sha256": sha256_file(prior_path), "hypa_sha256": sha256_file(hypa_path),
        "iterations": K, "stride": 8, "padding": "reflect, bottom/right, to multiples of 8 (torch F.pad mode='reflect')",
        "dtype": "float32", "byteOrder": "little-endian", "layout": "C order, [rows, cols]",
        "tolerance": {"abs": 1e-3}, "notes": E2E_NOTES, "generator": "training/export_sr.py usrnet",
        "cases": cases,
    }
    with open(os.path.join(FIX, "sr", "usrnet-e2e", "golden.json"), "w", encoding="utf-8") as f:
        json.dump(e2e, f, indent=2)
        f.write("\n")

    val = ck.get("val") or {}
    a = ck.get("args", {})
    cmd = args.command or (f"/usr/bin/python3 training/train_usrnet.py --threads 1 --max-minutes {a.get('max_minutes', 45):g} "
                           f"&& /usr/bin/python3 training/export_sr.py usrnet --checkpoint training/runs/usrnet-s/best.pt")
    _, hw = describe_training(ck, cmd, f"batch {a.get('batch')}, HR {a.get('patch')}x{a.get('patch')}, K = {K} unfolded iterations")
    hw = args.hardware or hw
    prov = "PROVISIONAL (smoke-trained weights; to be replaced by the full run). " if args.provisional else ""
    recipe = (f"Trained end to end as the full K = {K} unfolding (training/models/usrnet.py USRNetS: data step in closed form "
              "by FFT, shared prior, hyper-parameter net) with L1 on the final estimate. Data (training/data/sr.py): HR "
              "96x96 patches from train400 (test_001..384), SEM (superalloy super_1..3, FEI RBC) and synthetic textures; per "
              "sample a random 25x25 kernel (isotropic / anisotropic Gaussian, random-trajectory motion, bicubic), one "
              "scale per batch from {2, 3, 4}, sigma ~ U[0, 25/255] (20% zero); y = (x circ-conv k)[0::s, 0::s] + n. "
              f"Adam lr {a.get('lr')}, warm-up + cosine, grad-norm clip 1, seed {a.get('seed')}.")
    metrics = {}
    if val:
        metrics["synthetic-val-psnr-db"] = {k: round(v, 3) for k, v in val.items()}
        metrics["synthetic-val-protocol"] = ("held-out train400 test_385..400 + super_4.tif centre/quadrant crops, 96x96 HR, "
                                             "the 12 USRNet kernels (kernels_12.mat) + the bicubic kernel per scale, "
                                             "sigma cycling 0 / 2.55 / 7.65 (/255), circular blur, PSNR on [0,1] grey with s px border cropped")
    common_notes = (f"{prov}USRNet-style deep unfolding SR (Zhang et al., CVPR 2020), grey only, at CPU size; the app runs the "
                    f"HQS loop (K = {K}) in TypeScript around the two ONNX nets usrnet-s-hypa and usrnet-s-prior; see "
                    "training/models/usrnet.py (Note: I/O contract) and test/fixtures/sr/usrnet-e2e/golden.json.")
    prior = entry_base(f"{mid}-prior", "super-resolution")
    prior.update({
        "inputs": [tensor_spec("x", ["N", 1, "H", "W"], "current HR estimate, [0, 1] scale; H and W multiples of 8 (reflect-pad bottom/right, crop after)"),
                   tensor_spec("noise", ["N", 1, "H", "W"], "constant map filled with beta_k = ab[K + k] of usrnet-s-hypa for iteration k")],
        "outputs": [tensor_spec("y", ["N", 1, "H", "W"], "denoised estimate z_k, [0, 1] scale (not clipped)")],
        "normalisation": {"kind": "unit-range", "notes": "Images on [0, 1] (8-bit / 255, 16-bit / 65535). The prior sees the HQS "
                          "estimate on that scale and returns it on the same scale; only used inside the unfolding loop."},
        "training": {"command": cmd, "hardware": hw, "notes": recipe},
        "metrics": metrics,
        "params": count_params(model.p),
        "stride": 8,
        "notes": common_notes + " Prior: ResUNet (head conv, 3 levels of residual blocks + 2x2 stride-2 conv, body, "
                 f"transposed-conv up, additive skips, tail conv, global residual), channels {model.config['channels']}, "
                 f"{model.config['nb']} resblocks per level, no BatchNorm, shared across iterations. Whole model params "
                 f"{count_params(model)} (prior {count_params(model.p)} + hypa {count_params(model.h)}).",
    })
    hypa = entry_base(f"{mid}-hypa", "super-resolution")
    hypa.update({
        "inputs": [tensor_spec("cond", ["N", 2, 1, 1], "(sigma, s): noise std on the [0, 1] scale (sigma_8bit / 255) and the scale factor as a float")],
        "outputs": [tensor_spec("ab", ["N", 2 * K, 1, 1], f"Softplus(...) + 1e-6; alpha_k = ab[:, k], beta_k = ab[:, {K} + k], k = 0..{K - 1}")],
        "normalisation": {"kind": "none", "notes": "Raw (sigma, s) in, raw (alpha, beta) out."},
        "training": {"command": cmd, "hardware": hw, "notes": recipe},
        "metrics": metrics,
        "params": count_params(model.h),
        "notes": common_notes + " Hyper-parameter net: 1x1 convs 2 -> 64 -> 64 -> 2K with ReLU, Softplus, + 1e-6.",
    })
    if args.metrics_json:
        with open(args.metrics_json, encoding="utf-8") as f:
            metrics.update(json.load(f))
    update_manifest(MANIFEST, hypa)
    update_manifest(MANIFEST, prior)
    print(json.dumps({"prior_params": count_params(model.p), "hypa_params": count_params(model.h), "val": val,
                      "prior_golden_absmax": d_prior, "e2e": [(c["name"], c["psnr_vs_hr_db"]) for c in cases]}, indent=1))


# ---------------------------------------------------------------- fast SR

def do_fastsr(args) -> None:
    s = args.scale
    ck = torch.load(args.checkpoint, map_location="cpu")
    model = FSRCNN(**ck["model_config"])
    model.load_state_dict(ck["model"])
    model.eval()
    mid = f"fsrcnn-x{s}"
    wpath = os.path.join(ROOT, "training", "weights", f"{mid}.pt")
    if os.path.abspath(args.checkpoint) != os.path.abspath(wpath):
        torch.save({"model_class": "FSRCNN", "model_config": model.config, "model": model.state_dict(),
                    "step": ck.get("step"), "elapsed": ck.get("elapsed"), "args": ck.get("args"), "val": ck.get("val")}, wpath)
    path = os.path.join(ROOT, "models", f"{mid}.onnx")
    ax_in, ax_out = {0: "N", 2: "h", 3: "w"}, {0: "N", 2: "H", 3: "W"}
    export_onnx(model, (torch.rand(1, 1, 24, 24),), path, ["lr"], ["sr"], {"lr": ax_in, "sr": ax_out})
    g = torch.Generator().manual_seed(s)
    lr_img = torch.from_numpy(sr.bicubic_down(test_image(40 * s, 44 * s, 3), s))[None, None]
    two = torch.from_numpy(np.stack([sr.bicubic_down(test_image(20 * s, 30 * s, i), s) for i in (5, 6)]))[:, None]
    cases = [("rand-17x23", {"lr": torch.rand(1, 1, 17, 23, generator=g)}),
             ("image-40x44", {"lr": lr_img}),
             ("batch2-20x30", {"lr": two})]
    write_golden(model, mid, cases, ["lr"], ["sr"])
    val = ck.get("val") or {}
    a = ck.get("args", {})
    cmd = args.command or (f"/usr/bin/python3 training/train_fastsr.py --scale {s} --threads 1 --max-minutes {a.get('max_minutes', 7):g} "
                           f"&& /usr/bin/python3 training/export_sr.py fastsr --scale {s} --checkpoint training/runs/{mid}/best.pt")
    _, hw = describe_training(ck, cmd, f"batch {a.get('batch')}, LR {a.get('lr_patch')}x{a.get('lr_patch')} patches")
    hw = args.hardware or hw
    prov = "PROVISIONAL (short training; to be replaced). " if args.provisional else ""
    metrics = {}
    if val:
        metrics["synthetic-val-psnr-db"] = {"fsrcnn": round(val["psnr"], 3), "bicubic": round(val["psnr_bicubic"], 3)}
        metrics["synthetic-val-protocol"] = ("held-out train400 test_385..400 (180x180) + super_4.tif (512x512), LR = MATLAB "
                                             f"bicubic x1/{s} (antialiased, 8-bit), PSNR on [0,1] grey with {s} px border cropped; "
                                             "'bicubic' = MATLAB bicubic up-sampling of the same LR")
    if args.metrics_json:
        with open(args.metrics_json, encoding="utf-8") as f:
            metrics.update(json.load(f))
    entry = entry_base(mid, "super-resolution")
    entry.update({
        "inputs": [tensor_spec("lr", ["N", 1, "h", "w"], "low-resolution grey image, [0, 1] scale, any size")],
        "outputs": [tensor_spec("sr", ["N", 1, "H", "W"], f"super-resolved image, H = {s}h, W = {s}w, [0, 1] scale (not clipped)")],
        "normalisation": {"kind": "unit-range", "notes": "Images on [0, 1] (8-bit / 255); output mapped back by the inverse. "
                          f"Scale factor {s} (fixed per model, also encoded in the id)."},
        "training": {"command": cmd, "hardware": hw,
                     "notes": ("HR: train400 test_001..384 + SEM (superalloy super_1..3, FEI RBC rows 0..999); LR = MATLAB-compatible "
                               f"bicubic imresize(HR, 1/{s}) with antialiasing, quantised to 8 bits (training/data/sr.py); random aligned "
                               f"crops (LR {a.get('lr_patch')}), flips / rotations; L1, Adam lr {a.get('lr')}, warm-up + cosine, seed {a.get('seed')}.")},
        "metrics": metrics,
        "params": count_params(model),
        "stride": 1,
        "notes": (f"{prov}Fast SR x{s}, grey: FSRCNN (d=56, s=12, m=4, PReLU) with the deconvolution replaced by sub-pixel convolution "
                  f"(conv to {s * s} channels + PixelShuffle / DepthToSpace), residual over nearest-neighbour up-sampling "
                  f"(training/models/fastsr.py). Scale factor {s}. Bicubic degradation only: for other blurs use usrnet-s."),
    })
    update_manifest(MANIFEST, entry)
    print(json.dumps({"id": mid, "params": count_params(model), "val": val}, indent=1))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["usrnet", "fastsr"])
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--scale", type=int, choices=[2, 3, 4])
    ap.add_argument("--provisional", action="store_true")
    ap.add_argument("--command", default=None)
    ap.add_argument("--hardware", default=None)
    ap.add_argument("--metrics-json", default=None, help="JSON object merged into the manifest metrics (e.g. from eval_sr.py)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    if args.what == "usrnet":
        do_usrnet(args)
    else:
        if not args.scale:
            raise SystemExit("fastsr needs --scale")
        do_fastsr(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
