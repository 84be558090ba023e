"""Validation and held-out test protocols for the trackers (all on synthetic pairs with known fields).

- ``validation_set``: a fixed small set from the training distribution (seeded), for logging during training.
- ``dic_test``: DICNet test: 256 x 256 pairs, translation + smooth random fields up to +-16 px per component,
  lighting changes and noise as in training; MAE / RMSE per component and mean EPE with a 20 px border
  excluded.
- ``cade_protocol``: the CADE evaluation: 256 x 256 pairs, constant shifts 0 to 1 px in 0.1 px steps along
  x, Poisson noise, uniform 90% transmission on the sample image; RMSE and bias of u per shift and overall.

Seeds for test sets are far from training seeds (training streams use the run's --seed, validation
seed + 1_000_003, tests fixed seeds below), so the test pairs are never seen in training.
"""
from __future__ import annotations

import math
from typing import Callable

import torch

from training.data.recipes import CadeRecipe, DicRecipe, cade_batch, dic_batch

DIC_TEST_SEED = 20261121
CADE_TEST_SEED = 20261122
VALIDATION_OFFSET = 1_000_003


@torch.no_grad()
def predict(model: torch.nn.Module, ref: torch.Tensor, dfm: torch.Tensor, *, batch: int = 4) -> torch.Tensor:
    """Model flow for normalised pairs (N,1,H,W) in eval mode, in chunks of ``batch``; restores train mode."""
    was_training = model.training
    model.eval()
    dev = next(model.parameters()).device
    out = [model(ref[i:i + batch].to(dev), dfm[i:i + batch].to(dev)).cpu() for i in range(0, ref.shape[0], batch)]
    model.train(was_training)
    return torch.cat(out, dim=0)


def field_errors(pred: torch.Tensor, gt: torch.Tensor, border: int = 0) -> dict:
    """EPE (mean), MAE and RMSE pooled over both components, px, excluding ``border`` px on every side."""
    if border > 0:
        pred = pred[..., border:-border, border:-border]
        gt = gt[..., border:-border, border:-border]
    d = pred - gt
    return {
        "epe_px": round(float(torch.linalg.vector_norm(d, dim=1).mean()), 5),
        "mae_px": round(float(d.abs().mean()), 5),
        "rmse_px": round(float(d.square().mean().sqrt()), 5),
    }


def validation_set(kind: str, *, seed: int, pairs: int, size: int, recipe=None) -> dict:
    """A fixed validation set from the training distribution (``kind`` 'dic' or 'cade')."""
    g = torch.Generator().manual_seed(seed + VALIDATION_OFFSET)
    if kind == "dic":
        r = recipe or DicRecipe()
        r = DicRecipe(**{**r.to_dict(), "height": size, "width": size})
        return dic_batch(g, pairs, r)
    r = recipe or CadeRecipe()
    r = CadeRecipe(**{**r.to_dict(), "height": size, "width": size})
    return cade_batch(g, pairs, r)


def validate(model: torch.nn.Module, vset: dict, *, border: int = 0) -> dict:
    pred = predict(model, vset["ref"], vset["def"])
    return {f"val_{k}": v for k, v in field_errors(pred, vset["flow"], border).items()}


def dic_test(model: torch.nn.Module, *, pairs: int = 16, size: int = 256, border: int = 20, max_disp: float = 16.0,
             progress: Callable[[str], None] = print) -> dict:
    """DICNet held-out test (see module docstring). Returns manifest-ready metrics."""
    r = DicRecipe(height=size, width=size, max_disp=max_disp, field_kind="smooth", speckle_min=3.0, speckle_max=5.0)
    g = torch.Generator().manual_seed(DIC_TEST_SEED)
    preds, gts = [], []
    for i in range(pairs):
        b = dic_batch(g, 1, r)
        preds.append(predict(model, b["ref"], b["def"]))
        gts.append(b["flow"])
        if (i + 1) % 4 == 0:
            progress(f"dic_test {i + 1}/{pairs}")
    pred, gt = torch.cat(preds), torch.cat(gts)
    e = field_errors(pred, gt, border)
    zero = field_errors(torch.zeros_like(gt), gt, border)
    return {
        "synthetic-test": {**e, "pairs": pairs, "size_px": size, "border_px": border},
        "synthetic-test-zero-flow-baseline": {"rmse_px": zero["rmse_px"], "mae_px": zero["mae_px"]},
        "synthetic-test-protocol": (
            f"{pairs} pairs {size}x{size}, seed {DIC_TEST_SEED}: paint-like speckle 3-5 px, translation + smooth random "
            f"field (2-6 bicubic nodes, gradient <= 0.25) within +-{max_disp:g} px, gain 0.7-1.3, offset +-0.15, "
            f"illumination ramp +-0.15, Gaussian noise sigma <= 0.03 (image range ~0.1-0.9); errors over both "
            f"components with a {border} px border excluded"),
    }


def cade_protocol(model: torch.nn.Module, *, size: int = 256, pairs_per_shift: int = 3, border: int = 16,
                  speckle_px: float = 4.0, visibility: float = 0.2, counts: float = 1e4, transmission: float = 0.9,
                  progress: Callable[[str], None] = print) -> dict:
    """CADE-style test (see module docstring). Returns manifest-ready metrics."""
    r = CadeRecipe(height=size, width=size)
    g = torch.Generator().manual_seed(CADE_TEST_SEED)
    rmse, bias, rmse_v = {}, {}, []
    sq_all, n_all, biases = 0.0, 0, []
    for k in range(11):
        s = round(0.1 * k, 1)
        b = cade_batch(g, pairs_per_shift, r, constant_shift=(s, 0.0), transmission=transmission,
                       visibility=visibility, counts=counts, speckle_px=speckle_px)
        pred = predict(model, b["ref"], b["def"])
        if border > 0:
            pred = pred[..., border:-border, border:-border]
        du = pred[:, 0] - s
        rmse[f"{s:.1f}"] = round(float(du.square().mean().sqrt()), 5)
        bias[f"{s:.1f}"] = round(float(du.mean()), 5)
        rmse_v.append(float(pred[:, 1].square().mean()))
        sq_all += float(du.square().sum())
        n_all += du.numel()
        biases.append(abs(float(du.mean())))
        progress(f"cade_protocol shift {s:.1f}: rmse {rmse[f'{s:.1f}']:.4f} bias {bias[f'{s:.1f}']:+.4f}")
    return {
        "cade-protocol-rmse-u-px-by-shift": rmse,
        "cade-protocol-bias-u-px-by-shift": bias,
        "cade-protocol": {
            "rmse_u_px": round(math.sqrt(sq_all / n_all), 5),
            "mean_abs_bias_u_px": round(sum(biases) / len(biases), 5),
            "rmse_v_px": round(math.sqrt(sum(rmse_v) / len(rmse_v)), 5),
            "pairs": 11 * pairs_per_shift,
        },
        "cade-protocol-description": (
            f"{pairs_per_shift} pairs of {size}x{size} per shift, seed {CADE_TEST_SEED}, constant shifts u = 0.0..1.0 px "
            f"step 0.1 (v = 0), Gaussian-filtered speckle {speckle_px:g} px, visibility {visibility:g}, "
            f"{counts:g} photons/px flat field, independent Poisson noise on both images, uniform transmission "
            f"{transmission:g} on the sample image; errors of u with a {border} px border excluded"),
    }
