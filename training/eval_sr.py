#!/usr/bin/env python3
"""Quick held-out evaluation of the exported SR weights (training/weights/*.pt): the USRNet training script's
synthetic validation set (usrnet-s vs aligned bicubic interpolation of y) and bicubic-degraded images.

    /usr/bin/python3 training/eval_sr.py [--threads 1] [--json out.json]

Images: held-out train400 test_385..400 (180×180) + super_4.tif (512×512) — never Set5 / Set12 (the app's
benchmark measures those). For each s ∈ {2, 3, 4}: LR = MATLAB bicubic imresize(HR, 1/s), 8-bit; PSNR
(grey, [0, 1], s px border cropped) of MATLAB-bicubic up-sampling, fsrcnn-x<s>, and usrnet-s run with the
bicubic-approximating kernel (training/data/sr.py bicubic_kernel, σ = 1/255 for the 8-bit quantisation).
usrnet-s assumes circular boundaries, so its border pixels are worse than its interior; the LR is
mirror-padded by 4 px before and the result cropped after, which removes most of the wrap-around.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from training.data import sr  # noqa: E402
from training.export_sr import load_usrnet  # noqa: E402
from training.models.fastsr import FSRCNN  # noqa: E402

W = os.path.join(os.path.dirname(os.path.abspath(__file__)), "weights")


@torch.no_grad()
def usrnet_bicubic(model, lr: np.ndarray, s: int, pad: int = 4) -> torch.Tensor:
    y = torch.from_numpy(np.pad(lr, pad, mode="symmetric"))[None, None]
    k = torch.from_numpy(sr.bicubic_kernel(s))[None, None]
    out = model(y, k, s, torch.full((1, 1, 1, 1), 1.0 / 255))
    return out[0, 0, pad * s:-pad * s, pad * s:-pad * s]


def cubic_upsample_aligned(y: torch.Tensor, s: int) -> torch.Tensor:
    """Bicubic interpolation (PyTorch's a = -0.75) of y [N,1,h,w] sampled at HR positions i·s (the [0::s] grid of
    the degradation model) onto every HR pixel p (LR coordinate p / s), border replicated."""
    N, _, h, w = y.shape
    ys = torch.arange(h * s, dtype=torch.float32) / s
    xs = torch.arange(w * s, dtype=torch.float32) / s
    gy = (ys + 0.5) / h * 2 - 1
    gx = (xs + 0.5) / w * 2 - 1
    grid = torch.stack(torch.meshgrid(gy, gx, indexing="ij")[::-1], dim=-1)[None].expand(N, -1, -1, -1)
    return torch.nn.functional.grid_sample(y, grid, mode="bicubic", padding_mode="border", align_corners=False)


@torch.no_grad()
def synthetic_val(model) -> dict:
    """The training script's validation set (12 USRNet kernels + bicubic kernel, sigma 0 / 2.55 / 7.65, held-out
    96x96 crops): usrnet-s vs aligned bicubic interpolation of y, per scale."""
    from training.train_usrnet import validation_set
    out = {}
    for s, (y, k, sigma, x) in validation_set().items():
        net = model(y, k, s, sigma)
        base = cubic_upsample_aligned(y, s)
        out[f"x{s}"] = {"usrnet-s": round(float(np.mean([sr.psnr(net[i], x[i], s) for i in range(len(x))])), 3),
                        "interp": round(float(np.mean([sr.psnr(base[i], x[i], s) for i in range(len(x))])), 3)}
        print(f"synthetic val x{s}: usrnet-s {out[f'x{s}']['usrnet-s']:.2f} dB, bicubic interpolation of y {out[f'x{s}']['interp']:.2f} dB", flush=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", default=None)
    ap.add_argument("--skip-synthetic", action="store_true")
    ap.add_argument("--skip-bicubic", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    imgs = sr.load_images("val")
    pool = [("natural", im) for im in imgs["natural"]] + [("sem", im) for im in imgs["sem"]]
    usr, _ = load_usrnet(os.path.join(W, "usrnet-s.pt"))
    res = {}
    if not args.skip_synthetic:
        res["synthetic"] = synthetic_val(usr)
    for s in (() if args.skip_bicubic else (2, 3, 4)):
        fp = os.path.join(W, f"fsrcnn-x{s}.pt")
        fs = None
        if os.path.isfile(fp):
            ck = torch.load(fp, map_location="cpu")
            fs = FSRCNN(**ck["model_config"])
            fs.load_state_dict(ck["model"])
            fs.eval()
        acc = {"bicubic": [], "fsrcnn": [], "usrnet-s": []}
        for _, im in pool:
            H, W_ = (im.shape[0] // s) * s, (im.shape[1] // s) * s
            hr = torch.from_numpy(im[:H, :W_])
            lr = sr.bicubic_down(im, s)
            acc["bicubic"].append(sr.psnr(torch.from_numpy(sr.imresize(lr, float(s))), hr, s))
            if fs is not None:
                with torch.no_grad():
                    acc["fsrcnn"].append(sr.psnr(fs(torch.from_numpy(lr)[None, None])[0, 0], hr, s))
            acc["usrnet-s"].append(sr.psnr(usrnet_bicubic(usr, lr, s), hr, s))
        res[f"bicubic-x{s}"] = {k: round(float(np.mean(v)), 3) for k, v in acc.items() if v}
        print(f"bicubic LR x{s}: " + ", ".join(f"{k} {v:.2f} dB" for k, v in res[f'bicubic-x{s}'].items()), flush=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(res, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
