#!/usr/bin/env python3
"""Measure the residual error of the synthetic pair generator (training/data/speckle.py).

Two measurements, printed as a table (the figures quoted in training/README.md come from this script):

1. Constant shift (u, v) = (0.37, 0) px. For a constant shift the exact deformed image is known: the
   oversampled pattern is periodic and smooth, so shifting it in Fourier space is exact, and pixel
   integration commutes with the shift (the "dic" nonlinearity is pointwise, so it commutes too). We compare
   the generator's image (bicubic warp of the 4x oversampled pattern, area-averaged) with that exact image:
   image RMS difference relative to the image std, and the shift a good estimator recovers from each. The
   estimator is a global-translation Gauss-Newton fit with quintic B-spline interpolation (scipy) over the
   interior; its own interpolation bias is the same for both images, so ``gen - exact`` is the generator's
   displacement error, while ``exact - 0.37`` is the estimator's (plus pixel sampling) bias for reference.
2. Inverse-map interpolation (non-constant fields): the positions X solving X + u(X) = Y computed on the
   coarse grid (``inverse_step``) and interpolated, versus solved at every oversampled position.

Run: /usr/bin/python3 training/data/measure_generator.py [--size 128] [--seeds 3]
"""
from __future__ import annotations

import argparse
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from scipy import ndimage  # noqa: E402

from training.data import fields  # noqa: E402
from training.data.speckle import (_norm_coords, invert_positions, inverse_displacement, render_pair,  # noqa: E402
                                   render_pattern)


def fourier_shift(img: torch.Tensor, dx: float, dy: float) -> torch.Tensor:
    """Exact shift of a periodic image (n, c, h, w) by (dx, dy) samples: out(x) = img(x - d)."""
    h, w = img.shape[-2:]
    fy = torch.fft.fftfreq(h, dtype=torch.float64).view(h, 1)
    fx = torch.fft.fftfreq(w, dtype=torch.float64).view(1, w)
    ph = torch.exp(-2j * math.pi * (fx * dx + fy * dy))
    return torch.fft.ifft2(torch.fft.fft2(img.double()) * ph).real


def estimate_shift(ref: np.ndarray, dfm: np.ndarray, border: int = 12, iters: int = 30) -> tuple[float, float]:
    """Global (u, v) with I_def(x + u) = I_ref(x), Gauss-Newton, quintic spline interpolation of I_def."""
    ref = ref.astype(np.float64)
    coeffs = ndimage.spline_filter(dfm.astype(np.float64), order=5)
    h, w = ref.shape
    yy, xx = np.mgrid[border:h - border, border:w - border].astype(np.float64)
    r0 = ref[border:h - border, border:w - border]
    gy, gx = np.gradient(ref)
    gx, gy = gx[border:h - border, border:w - border].ravel(), gy[border:h - border, border:w - border].ravel()
    jtj = np.array([[gx @ gx, gx @ gy], [gx @ gy, gy @ gy]])
    u = v = 0.0
    for _ in range(iters):
        warped = ndimage.map_coordinates(coeffs, [yy + v, xx + u], order=5, prefilter=False, mode="nearest")
        # model: I_def(x + p) = I_ref(x); residual r = I_def(x + p) - I_ref(x) ~ grad I_ref . (p - p_true)
        r = (warped - r0).ravel()
        du, dv = np.linalg.solve(jtj, np.array([gx @ r, gy @ r]))
        u, v = u - du, v - dv
        if abs(du) + abs(dv) < 1e-9:
            break
    return u, v


def constant_shift_table(size: int, seeds: int, shift: float = 0.37) -> None:
    s, margin = 4, 3
    print(f"\n1. constant shift u = {shift} px, v = 0; {size}x{size} images, oversample {s}, {seeds} seeds each")
    print(f"{'kind':9s} {'speckle':>7s} {'img_rms_rel':>11s} {'u_gen-u_exact':>14s} {'u_exact-0.37':>13s} {'v_gen':>9s}")
    for kind in ("gaussian", "dic"):
        for sp in (2.0, 3.0, 4.0, 6.0, 10.0):
            rel, dgen, dex, vg = [], [], [], []
            for seed in range(seeds):
                g = torch.Generator().manual_seed(100 + seed)
                he = size + 2 * margin
                kw = {"sharpness": torch.tensor([3.0]), "threshold": torch.tensor([0.0])} if kind == "dic" else {}
                if kind == "dic":
                    z = render_pattern(g, 1, he, he, speckle_px=torch.tensor([sp]), oversample=s, kind="gaussian")
                    pat = torch.sigmoid(3.0 * z)
                    exact_hr = torch.sigmoid(3.0 * fourier_shift(z, shift * s, 0.0)).float()
                else:
                    pat = render_pattern(g, 1, he, he, speckle_px=torch.tensor([sp]), oversample=s, kind=kind, **kw)
                    exact_hr = fourier_shift(pat, shift * s, 0.0).float()
                field = torch.zeros(1, 2, he, he)
                field[:, 0] = shift
                ref, dgen_img, _ = render_pair(pat, field, oversample=s, margin=margin, height=size, width=size)
                crop = exact_hr[:, :, s * margin:s * (margin + size), s * margin:s * (margin + size)]
                dex_img = F.avg_pool2d(crop, s)
                rel.append(float((dgen_img - dex_img).pow(2).mean().sqrt() / ref.std()))
                ug, vgen = estimate_shift(ref[0, 0].numpy(), dgen_img[0, 0].numpy())
                ue, _ = estimate_shift(ref[0, 0].numpy(), dex_img[0, 0].numpy())
                dgen.append(ug - ue)
                dex.append(ue - shift)
                vg.append(vgen)
            print(f"{kind:9s} {sp:7.1f} {np.mean(rel):11.2e} {np.mean(dgen):+14.2e} {np.mean(dex):+13.2e} {np.mean(vg):+9.1e}")


def inverse_table(size: int) -> None:
    print(f"\n2. inverse-map interpolation vs exact inversion at every oversampled position ({size}x{size}, oversample 4)")
    print(f"{'field':28s} {'step':>5s} {'max_err_px':>10s} {'rms_err_px':>10s}")
    s = 4
    g = torch.Generator().manual_seed(5)
    cases = []
    m = 19
    f, _ = fields.dic_field(g, 8, size + 2 * m, size + 2 * m, max_disp=16.0, max_grad=0.25)
    cases.append(("dic_field mix, +-16 px", f, m, 1.0))
    m2 = 4
    f2, _ = fields.cade_field(g, 8, size + 2 * m2, size + 2 * m2, max_disp=1.0, p_identity=0.0, p_constant=0.0)
    cases.append(("cade_field patches, +-1 px", f2, m2, 0.5))
    cases.append(("cade_field patches, +-1 px", f2, m2, 0.25))
    for name, fe, mg, step in cases:
        n = fe.shape[0]
        py = (torch.arange(s * size, dtype=torch.float32) + 0.5) / s - 0.5 + mg
        yy = py.view(1, -1, 1).expand(n, -1, s * size)
        yx = py.view(1, 1, -1).expand(n, s * size, -1)
        xx, xy, _ = invert_positions(fe, yx, yy, max_iter=60)
        wgrid, origin, _ = inverse_displacement(fe, margin=mg, height=size, width=size, step=step)
        q = 1.0 / step
        grid = torch.stack([_norm_coords((yx - origin) * q, wgrid.shape[3]), _norm_coords((yy - origin) * q, wgrid.shape[2])], -1)
        w = F.grid_sample(wgrid, grid, mode="bilinear", padding_mode="border", align_corners=True)
        # exclude folds (piecewise cracks), where the inverse is not unique
        res = (xx + F.grid_sample(fe, torch.stack([_norm_coords(xx, fe.shape[3]), _norm_coords(xy, fe.shape[2])], -1),
                                  mode="bilinear", align_corners=True)[:, 0] - yx).abs()
        ok = res < 1e-3
        err = torch.sqrt((yx - w[:, 0] - xx) ** 2 + (yy - w[:, 1] - xy) ** 2)[ok]
        print(f"{name:28s} {step:5.2f} {float(err.max()):10.2e} {float(err.square().mean().sqrt()):10.2e}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", type=int, default=128, help="image size in px")
    p.add_argument("--seeds", type=int, default=3, help="patterns per row of the constant-shift table")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    constant_shift_table(a.size, a.seeds)
    inverse_table(a.size)


if __name__ == "__main__":
    main()
