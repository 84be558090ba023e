#!/usr/bin/env python3
"""Held-out test metrics of the SEM deblurring models: PSNR and SSIM on the test prefixes' real pairs.

Protocol: every pair of the held-out prefixes (training/data/sem.py ``TEST_PREFIXES``), full 512x512 images
read as BT.601 luma / 255 (the app's decoder), whole-image inference (no tiling), output clipped to [0, 1].
PSNR with data range 1.0; SSIM (Wang et al. 2004) with an 11x11 Gaussian window, sigma 1.5, K1 = 0.01,
K2 = 0.03, data range 1.0, weighted population (co)variances, mean over the 'valid' windows (no padding),
as the reference MATLAB ssim.m. Per prefix = mean over its 12 images; "mean" = mean over all test images.
Reported for the blurry input itself and for each model.

``--aligned`` (supplementary): the pairs are not pixel-aligned (the blurry image is offset from the sharp one by
up to ~20 px, differently per micrograph; see training/README.md), so this also scores every method against
the sharp image shifted by the pair's integer offset (cross-correlation peak of blurry vs sharp), on the overlap.

    /usr/bin/python3 training/eval_deblur.py --checkpoint midnet-s=training/weights/midnet-s.pt \
        --checkpoint nafnet-s=training/weights/nafnet-s.pt [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
from scipy import signal  # noqa: E402

from training.data.sem import TEST_PREFIXES, pair_shift, prefix_of, read_grey, split_pairs  # noqa: E402

PROTOCOL = ("held-out real pairs (prefixes {prefixes}, {n} images, 512x512, BT.601 luma / 255), whole-image "
            "inference, output clipped to [0, 1]; PSNR data range 1.0; SSIM 11x11 Gaussian sigma 1.5, K1 0.01, "
            "K2 0.03, data range 1.0, mean over valid windows; per prefix = mean over its images, mean = over all")


def psnr(x: np.ndarray, y: np.ndarray, data_range: float = 1.0) -> float:
    mse = float(np.mean((np.asarray(x, np.float64) - np.asarray(y, np.float64)) ** 2))
    return float("inf") if mse == 0 else 10.0 * np.log10(data_range ** 2 / mse)


def _gauss_window(size: int = 11, sigma: float = 1.5) -> np.ndarray:
    ax = np.arange(size) - (size - 1) / 2.0
    g = np.exp(-0.5 * (ax / sigma) ** 2)
    w = np.outer(g, g)
    return w / w.sum()


def ssim(x: np.ndarray, y: np.ndarray, data_range: float = 1.0, k1: float = 0.01, k2: float = 0.03) -> float:
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)
    w = _gauss_window()
    f = lambda a: signal.correlate2d(a, w, mode="valid")  # noqa: E731  (w is symmetric)
    mx, my = f(x), f(y)
    sxx = f(x * x) - mx * mx
    syy = f(y * y) - my * my
    sxy = f(x * y) - mx * my
    c1, c2 = (k1 * data_range) ** 2, (k2 * data_range) ** 2
    m = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return float(m.mean())


def aligned_views(x: np.ndarray, sharp: np.ndarray, d: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """x[p] against sharp[p - d] on the overlap (the same region for every method of one pair)."""
    dy, dx = d
    h, w = sharp.shape
    xs = x[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)]
    ss = sharp[max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)]
    return xs, ss


def load_test(test_prefixes=TEST_PREFIXES) -> list[tuple[str, np.ndarray, np.ndarray]]:
    return [(n, read_grey(b), read_grey(s)) for n, b, s in split_pairs(test_prefixes=test_prefixes)["test"]]


def _table(rows: dict[str, list[tuple[float, float]]], names: list[str]) -> dict:
    prefixes = sorted({prefix_of(n) for n in names})
    out = {"psnr": {}, "ssim": {}}
    for p in prefixes:
        idx = [i for i, n in enumerate(names) if prefix_of(n) == p]
        out["psnr"][p] = round(float(np.mean([rows[i][0] for i in idx])), 3)
        out["ssim"][p] = round(float(np.mean([rows[i][1] for i in idx])), 4)
    out["psnr"]["mean"] = round(float(np.mean([r[0] for r in rows.values()])), 3)
    out["ssim"]["mean"] = round(float(np.mean([r[1] for r in rows.values()])), 4)
    return out


def _score(y: np.ndarray, s: np.ndarray, d: tuple[int, int] | None) -> tuple[float, float]:
    if d is not None:
        y, s = aligned_views(y, s, d)
    return psnr(y, s), ssim(y, s)


def evaluate_blurry(test, aligned: bool = False) -> dict:
    rows = {i: _score(b, s, pair_shift(b, s) if aligned else None) for i, (_, b, s) in enumerate(test)}
    return _table(rows, [n for n, _, _ in test])


def evaluate_model(model, test, aligned: bool = False) -> dict:
    import torch
    model = model.eval().cpu()
    rows = {}
    with torch.no_grad():
        for i, (_, b, s) in enumerate(test):
            y = model(torch.from_numpy(b)[None, None]).clamp(0, 1)[0, 0].numpy()
            rows[i] = _score(y, s, pair_shift(b, s) if aligned else None)
    return _table(rows, [n for n, _, _ in test])


def main(argv=None) -> dict:
    import torch
    from training.models.midnet import MIDNet
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", action="append", default=[], help="LABEL=path to a training checkpoint or weights/<id>.pt")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    p.add_argument("--json", default=None, help="also write the table as JSON here")
    p.add_argument("--aligned", action="store_true",
                   help="supplementary: score against the sharp image shifted by the pair's global offset (pair_shift)")
    args = p.parse_args(argv)
    torch.set_num_threads(max(1, args.threads))
    test = load_test()
    res = {"protocol": PROTOCOL.format(prefixes=", ".join(TEST_PREFIXES), n=len(test)), "blurry": evaluate_blurry(test, args.aligned)}
    for spec in args.checkpoint:
        label, path = spec.split("=", 1) if "=" in spec else (os.path.basename(spec), spec)
        ck = torch.load(path, map_location="cpu")
        m = MIDNet(**ck["model_config"])
        m.load_state_dict(ck["model"])
        res[label] = evaluate_model(m, test, args.aligned)
    prefixes = list(res["blurry"]["psnr"].keys())
    print("PSNR dB / SSIM  " + "  ".join(f"{p:>16}" for p in prefixes))
    for k, v in res.items():
        if k == "protocol":
            continue
        print(f"{k:15} " + "  ".join(f"{v['psnr'][p]:7.3f} / {v['ssim'][p]:.4f}" for p in prefixes))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(res, f, indent=2)
    return res


if __name__ == "__main__":
    main()
