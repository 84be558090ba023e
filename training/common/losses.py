"""Training losses for the displacement networks: EPE, multi-scale EPE, and the unsupervised warp loss.

Flows are (N, 2, H, W) in px, channel 0 = u (x, columns), 1 = v (y, rows), I_def(x + u) = I_ref(x).
"""
from __future__ import annotations

from typing import Optional, Sequence

import torch
import torch.nn.functional as F


def epe(pred: torch.Tensor, gt: torch.Tensor, mask: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Mean end-point error |pred - gt|_2 over pixels (and over ``mask`` (N,1,H,W) where given), px."""
    if pred.shape != gt.shape:
        raise ValueError(f"pred and gt must have equal shapes, got {tuple(pred.shape)} and {tuple(gt.shape)}")
    e = torch.linalg.vector_norm(pred - gt, dim=1, keepdim=True)
    if mask is None:
        return e.mean()
    return (e * mask).sum() / mask.sum().clamp(min=1.0)


def multiscale_epe(preds: Sequence[torch.Tensor], gt: torch.Tensor, weights: Sequence[float]) -> torch.Tensor:
    """Weighted sum of per-scale mean EPEs; ``preds`` coarsest first, each compared with the area-averaged gt.

    Note: FlowNetPytorch / StrainNet apply [0.005, 0.01, 0.02, 0.08, 0.32] finest-first to per-scale *sums*
    of EPE (so the finest scale, with 4x the pixels of the next, still dominates). We use per-scale *means*,
    which are independent of image size, and the same list coarsest-first (finest weight 0.32), which keeps
    the finest scale dominant in the same way.
    """
    if len(preds) != len(weights):
        raise ValueError(f"need one weight per scale: {len(preds)} predictions, {len(weights)} weights")
    total = gt.new_zeros(())
    for p, w in zip(preds, weights):
        target = gt if p.shape[-2:] == gt.shape[-2:] else F.adaptive_avg_pool2d(gt, p.shape[-2:])
        total = total + w * epe(p, target)
    return total


def warp_by_flow(dfm: torch.Tensor, flow: torch.Tensor, *, mode: str = "bicubic") -> tuple[torch.Tensor, torch.Tensor]:
    """Predicted reference I_def(x + u(x)) by sampling ``dfm`` at x + u; also the in-image mask (N,1,H,W).

    grid_sample with align_corners=True maps pixel centre 0 to -1 and W-1 to +1, matching the pixel
    coordinates of the tracking convention. Used only in training (the exported graph has no grid_sample).
    """
    n, _, h, w = dfm.shape
    ys = torch.arange(h, dtype=dfm.dtype, device=dfm.device).view(1, h, 1)
    xs = torch.arange(w, dtype=dfm.dtype, device=dfm.device).view(1, 1, w)
    px = xs + flow[:, 0]
    py = ys + flow[:, 1]
    grid = torch.stack([px * (2.0 / max(w - 1, 1)) - 1.0, py * (2.0 / max(h - 1, 1)) - 1.0], dim=-1)
    warped = F.grid_sample(dfm, grid, mode=mode, padding_mode="border", align_corners=True)
    inside = (px >= 0) & (px <= w - 1) & (py >= 0) & (py <= h - 1)
    return warped, inside.unsqueeze(1).to(dfm.dtype)


def masked_pearson(a: torch.Tensor, b: torch.Tensor, mask: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """Pearson correlation per image over the pixels where mask = 1; shape (N,)."""
    m = mask
    cnt = m.sum(dim=(1, 2, 3)).clamp(min=1.0)
    ma = (a * m).sum(dim=(1, 2, 3)) / cnt
    mb = (b * m).sum(dim=(1, 2, 3)) / cnt
    da = (a - ma.view(-1, 1, 1, 1)) * m
    db = (b - mb.view(-1, 1, 1, 1)) * m
    cov = (da * db).sum(dim=(1, 2, 3))
    return cov / ((da.square().sum(dim=(1, 2, 3)) * db.square().sum(dim=(1, 2, 3))).sqrt() + eps)


def warp_loss(ref: torch.Tensor, dfm: torch.Tensor, flow: torch.Tensor, *, mse_weight: float = 1.0,
              corr_weight: float = 1.0) -> tuple[torch.Tensor, dict]:
    """Unsupervised DICNet loss: MSE + (1 - Pearson) between the real reference and the deformed image warped
    back by the predicted flow, over in-image samples only. Inputs are normalised images (N,1,H,W)."""
    pred_ref, mask = warp_by_flow(dfm, flow)
    cnt = mask.sum().clamp(min=1.0)
    mse = ((pred_ref - ref).square() * mask).sum() / cnt
    r = masked_pearson(pred_ref, ref, mask).mean()
    loss = mse_weight * mse + corr_weight * (1.0 - r)
    return loss, {"mse": float(mse), "pearson": float(r), "valid_fraction": float(mask.mean())}
