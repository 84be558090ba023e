"""Losses for image restoration (SEM deblurring): L = L1 + 0.05 * L_edge + 0.01 * L_FFT.

* L_edge: Charbonnier (eps 1e-3) of the difference of the Laplacian responses of output and target
  (3x3 kernel [[0, 1, 0], [1, -4, 1], [0, 1, 0]], replicate padding).
* L_FFT: mean L1 distance between the real and imaginary parts of torch.fft.rfft2 of output and target
  (ortho normalisation). Training only; none of this is in the ONNX graph.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

_LAP = torch.tensor([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]).view(1, 1, 3, 3)


def laplacian(x: torch.Tensor) -> torch.Tensor:
    c = x.shape[1]
    k = _LAP.to(x.device, x.dtype).repeat(c, 1, 1, 1)
    return F.conv2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), k, groups=c)


def charbonnier(d: torch.Tensor, eps: float = 1e-3) -> torch.Tensor:
    return torch.sqrt(d * d + eps * eps).mean()


def edge_loss(out: torch.Tensor, target: torch.Tensor, eps: float = 1e-3) -> torch.Tensor:
    return charbonnier(laplacian(out) - laplacian(target), eps)


def fft_loss(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    a = torch.view_as_real(torch.fft.rfft2(out, norm="ortho"))
    b = torch.view_as_real(torch.fft.rfft2(target, norm="ortho"))
    return (a - b).abs().mean()


def deblur_loss(out: torch.Tensor, target: torch.Tensor, w_edge: float = 0.05, w_fft: float = 0.01):
    """Total loss and its parts (floats) for logging."""
    l1 = (out - target).abs().mean()
    le = edge_loss(out, target)
    lf = fft_loss(out, target)
    total = l1 + w_edge * le + w_fft * lf
    return total, {"l1": float(l1), "edge": float(le), "fft": float(lf)}


def psnr_t(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Per-sample PSNR (data range 1) of [N, C, H, W] tensors."""
    mse = ((out.clamp(0, 1) - target) ** 2).flatten(1).mean(1)
    return 10 * torch.log10(1.0 / mse.clamp_min(1e-12))
