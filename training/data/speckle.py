"""Synthetic speckle images and near-exact sub-pixel warps, generated on the fly in PyTorch.

Note: generator geometry. Every image is rendered on an oversampled grid (``oversample`` = s samples per
pixel and axis) and area-averaged down to pixels, which models pixel integration. Pixel coordinates follow
the app's convention (src/core/track/types.ts): x = column (right), y = row (down), origin at the centre of
the top-left pixel of the output image, units of pixels. The pattern is rendered on an *extended* grid with
``margin`` extra pixels on every side, so that the deformed image never samples outside the rendered pattern
(real cameras see texture beyond the border too). On that extended grid the pixel coordinate X = x + margin,
and oversampled sample j sits at X = (j + 0.5) / s - 0.5.

The deformed image obeys I_def(x + u(x)) = I_ref(x). For each oversampled sample position y of the deformed
image we solve x + u(x) = y by fixed-point iteration (x <- y - u(x); u is bilinearly interpolated from the
extended pixel-grid field, which *defines* the continuous field), read the reference pattern at x with
bicubic interpolation on the oversampled grid, and average s x s samples into each pixel. The ground truth
is u on the pixel grid (exact by construction). The residual error of this generator (bicubic sampling of
the oversampled pattern, inversion tolerance, pixel integration) is measured by
``training/data/measure_generator.py`` and reported in training/README.md.

Speckle size: the full width at half maximum (px) of the autocorrelation of the filtered-noise pattern, i.e.
Gaussian filter sigma = size / (2 sqrt(2 ln 2) sqrt(2)) = size / 3.33 before any nonlinearity.
"""
from __future__ import annotations

import math
from typing import Optional

import torch
import torch.nn.functional as F

FWHM_PER_SIGMA = 2.0 * math.sqrt(2.0 * math.log(2.0)) * math.sqrt(2.0)  # autocorrelation FWHM / filter sigma


def _uniform(gen: torch.Generator, n: int, lo: float, hi: float, device=None) -> torch.Tensor:
    return lo + (hi - lo) * torch.rand(n, generator=gen, device=device)


def render_pattern(gen: torch.Generator, n: int, height: int, width: int, *, speckle_px: torch.Tensor,
                   oversample: int = 4, kind: str = "gaussian", sharpness: Optional[torch.Tensor] = None,
                   threshold: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Random speckle patterns on an oversampled grid.

    Parameters
    ----------
    gen : torch.Generator
        Source of randomness (CPU generator; patterns are reproducible from its state).
    n, height, width : int
        Batch size and the size in *pixels* of the area to cover; the result has
        ``(height * oversample, width * oversample)`` samples.
    speckle_px : Tensor, shape (n,)
        Speckle size per pattern, px (autocorrelation FWHM of the filtered noise).
    oversample : int
        Samples per pixel and axis.
    kind : {"gaussian", "dic"}
        "gaussian": filtered Gaussian noise, zero mean and unit standard deviation (X-ray speckle from
        sandpaper or membranes looks like this at moderate visibility). "dic": the same noise through a
        sigmoid, ``sigmoid(sharpness * (z - threshold))`` in [0, 1], like sprayed paint with soft edges.

    Returns
    -------
    Tensor, shape (n, 1, height * oversample, width * oversample), float32.
    """
    if speckle_px.shape != (n,):
        raise ValueError(f"speckle_px must have shape ({n},), got {tuple(speckle_px.shape)}")
    hh, ww = height * oversample, width * oversample
    noise = torch.randn(n, 1, hh, ww, generator=gen)
    spec = torch.fft.rfft2(noise)
    fy = torch.fft.fftfreq(hh).view(1, 1, hh, 1)
    fx = torch.fft.rfftfreq(ww).view(1, 1, 1, ww // 2 + 1)
    sigma = (speckle_px.float() * oversample / FWHM_PER_SIGMA).view(n, 1, 1, 1)  # in oversampled samples
    transfer = torch.exp(-2.0 * math.pi ** 2 * sigma ** 2 * (fx ** 2 + fy ** 2))
    z = torch.fft.irfft2(spec * transfer, s=(hh, ww))
    z = (z - z.mean(dim=(2, 3), keepdim=True)) / (z.std(dim=(2, 3), keepdim=True) + 1e-12)
    if kind == "gaussian":
        return z
    if kind == "dic":
        k = sharpness.view(n, 1, 1, 1) if sharpness is not None else torch.full((n, 1, 1, 1), 2.0)
        t = threshold.view(n, 1, 1, 1) if threshold is not None else torch.zeros(n, 1, 1, 1)
        return torch.sigmoid(k * (z - t))
    raise ValueError(f"kind must be 'gaussian' or 'dic', got {kind!r}")


def _norm_coords(pos: torch.Tensor, size: int) -> torch.Tensor:
    """Index coordinates -> grid_sample's [-1, 1] with align_corners=True (sample 0 at -1, size-1 at +1)."""
    return pos * (2.0 / max(size - 1, 1)) - 1.0


def _keys(d: torch.Tensor, a: float = -0.5) -> torch.Tensor:
    """Keys cubic-convolution kernel at distance |d| (a = -0.5: third-order accurate)."""
    d = d.abs()
    near = ((a + 2) * d - (a + 3)) * d * d + 1
    far = ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
    return torch.where(d <= 1, near, torch.where(d < 2, far, torch.zeros_like(d)))


def cubic_sample(img: torch.Tensor, jx: torch.Tensor, jy: torch.Tensor) -> torch.Tensor:
    """Keys cubic interpolation (a = -0.5) of ``img`` (n, c, H, W) at index coordinates (jx, jy) (n, h, w).

    Note: why not grid_sample(mode="bicubic")? PyTorch's bicubic uses a = -0.75, which is only first-order
    accurate: it does not reproduce linear ramps, so a constant sub-pixel shift comes out biased by ~1e-3 px
    even on a well-oversampled pattern (measured by measure_generator.py). a = -0.5 removes that bias.
    Indices are clamped at the border (callers keep positions inside via the margin).
    """
    n, c, hh, ww = img.shape
    ix, iy = torch.floor(jx), torch.floor(jy)
    tx, ty = jx - ix, jy - iy
    ix, iy = ix.long(), iy.long()
    flat = img.reshape(n, c, hh * ww)
    out = torch.zeros(n, c, *jx.shape[1:], dtype=img.dtype)
    wxs = [_keys(tx - k) for k in (-1, 0, 1, 2)]
    for ky, oy in enumerate((-1, 0, 1, 2)):
        wy = _keys(ty - oy).unsqueeze(1)
        row = (iy + oy).clamp(0, hh - 1) * ww
        acc = torch.zeros_like(out)
        for kx, ox in enumerate((-1, 0, 1, 2)):
            idx = (row + (ix + ox).clamp(0, ww - 1)).reshape(n, 1, -1).expand(n, c, -1)
            acc += wxs[kx].unsqueeze(1) * torch.gather(flat, 2, idx).reshape(out.shape)
        out += wy * acc
    return out


def sample_field(field: torch.Tensor, gx: torch.Tensor, gy: torch.Tensor) -> torch.Tensor:
    """Bilinear field values at extended-grid pixel positions (gx, gy) of shape (n, h, w); out (n, 2, h, w)."""
    n, _, he, we = field.shape
    grid = torch.stack([_norm_coords(gx, we), _norm_coords(gy, he)], dim=-1)
    return F.grid_sample(field, grid, mode="bilinear", padding_mode="border", align_corners=True)


def invert_positions(field: torch.Tensor, yx: torch.Tensor, yy: torch.Tensor, *, tol: float = 1e-4,
                     max_iter: int = 30) -> tuple[torch.Tensor, torch.Tensor, float]:
    """Solve X + u(X) = Y for X by fixed-point iteration (converges where |grad u| < 1).

    ``field`` (n, 2, He, We) holds u (channel 0, along x) and v (channel 1, along y) on the extended pixel
    grid; ``yx``, ``yy`` (n, h, w) are target positions in extended-grid pixels. Samples stop iterating once
    their largest update is below ``tol`` px. Returns X positions and the largest remaining residual in px
    (large only at folds, e.g. across the crack of a piecewise field, where no unique inverse exists).
    """
    u0 = sample_field(field, yx, yy)
    xx, xy = yx - u0[:, 0], yy - u0[:, 1]
    active = torch.arange(field.shape[0])
    resid = 0.0
    for _ in range(max_iter):
        if active.numel() == 0:
            break
        u = sample_field(field[active], xx[active], xy[active])
        nx, ny = yx[active] - u[:, 0], yy[active] - u[:, 1]
        r = torch.maximum((nx - xx[active]).abs().amax(dim=(1, 2)), (ny - xy[active]).abs().amax(dim=(1, 2)))
        xx[active], xy[active] = nx, ny
        resid = float(r.max())
        active = active[r >= tol]
    return xx, xy, resid


def inverse_displacement(field_ext: torch.Tensor, *, margin: int, height: int, width: int, step: float,
                         tol: float = 1e-4, max_iter: int = 30) -> tuple[torch.Tensor, float, float]:
    """w(Y) = Y - X(Y), where X + u(X) = Y, on a grid of spacing ``step`` px covering the output crop.

    The grid starts one pixel before the crop (extended coordinate margin - 1) and ends one pixel after it,
    so bilinear interpolation of w serves every oversampled position inside the crop. Returns w with shape
    (n, 2, gh, gw), the grid origin (extended px) and the largest inversion residual in px.
    """
    n = field_ext.shape[0]
    q = int(round(1.0 / step))
    origin = margin - 1.0
    gy = origin + torch.arange((height + 1) * q + 1, dtype=torch.float32) / q
    gx = origin + torch.arange((width + 1) * q + 1, dtype=torch.float32) / q
    yy = gy.view(1, -1, 1).expand(n, -1, gx.numel())
    yx = gx.view(1, 1, -1).expand(n, gy.numel(), -1)
    xx, xy, resid = invert_positions(field_ext, yx, yy, tol=tol, max_iter=max_iter)
    return torch.stack([yx - xx, yy - xy], dim=1), origin, resid


def render_pair(pattern_hr: torch.Tensor, field_ext: torch.Tensor, *, oversample: int, margin: int,
                height: int, width: int, inverse_step: float = 0.5, tol: float = 1e-4, max_iter: int = 30
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Reference and deformed images (pixel resolution) and the ground-truth field, from one pattern.

    Parameters
    ----------
    pattern_hr : Tensor, shape (n, C, s*(height+2*margin), s*(width+2*margin))
        Oversampled pattern(s) over the extended grid; C > 1 warps several maps with the same field (e.g.
        pattern and transmission).
    field_ext : Tensor, shape (n, 2, height+2*margin, width+2*margin)
        Displacement in px on the extended pixel grid; channel 0 = u (x, columns), 1 = v (y, rows).
    inverse_step : float
        Spacing (px) of the grid on which the inverse map is solved exactly; it is bilinearly interpolated
        to the oversampled positions from there (solving at every oversampled position costs s^2 / q^2 more;
        the difference is measured by measure_generator.py).

    Returns
    -------
    ref : (n, C, height, width); deformed : (n, C, height, width); flow : (n, 2, height, width), the central
    crop of ``field_ext`` (ground truth at reference pixel centres).
    """
    s = oversample
    n, c, hh, ww = pattern_hr.shape
    he, we = height + 2 * margin, width + 2 * margin
    if (hh, ww) != (s * he, s * we):
        raise ValueError(f"pattern_hr must be {s * he}x{s * we} for {height}x{width} + margin {margin}, got {hh}x{ww}")
    if field_ext.shape != (n, 2, he, we):
        raise ValueError(f"field_ext must have shape {(n, 2, he, we)}, got {tuple(field_ext.shape)}")
    crop = pattern_hr[:, :, s * margin:s * (margin + height), s * margin:s * (margin + width)]
    ref = F.avg_pool2d(crop, s)
    # oversampled sample positions of the output crop, in extended-grid pixel coordinates
    py = (torch.arange(s * height, dtype=torch.float32) + 0.5) / s - 0.5 + margin
    px = (torch.arange(s * width, dtype=torch.float32) + 0.5) / s - 0.5 + margin
    yy = py.view(1, -1, 1).expand(n, -1, s * width)
    yx = px.view(1, 1, -1).expand(n, s * height, -1)
    if inverse_step > 0:
        wgrid, origin, _ = inverse_displacement(field_ext, margin=margin, height=height, width=width,
                                                step=inverse_step, tol=tol, max_iter=max_iter)
        q = 1.0 / inverse_step
        gh, gw = wgrid.shape[2], wgrid.shape[3]
        grid = torch.stack([_norm_coords((yx - origin) * q, gw), _norm_coords((yy - origin) * q, gh)], dim=-1)
        w = F.grid_sample(wgrid, grid, mode="bilinear", padding_mode="border", align_corners=True)
        xx, xy = yx - w[:, 0], yy - w[:, 1]
    else:  # exact inversion at every oversampled position (slow; reference for measure_generator.py)
        xx, xy, _ = invert_positions(field_ext, yx, yy, tol=tol, max_iter=max_iter)
    jx = (xx + 0.5) * s - 0.5  # oversampled index coordinates
    jy = (xy + 0.5) * s - 0.5
    warped = cubic_sample(pattern_hr, jx, jy)
    deformed = F.avg_pool2d(warped, s)
    flow = field_ext[:, :, margin:margin + height, margin:margin + width].contiguous()
    return ref, deformed, flow


def normalise(img: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """The app's input normalisation (manifest kind 'per-image-meanstd'): (x - mean) / (std + eps) per image.

    std is the population standard deviation (divide by the pixel count), as the TypeScript side computes it.
    """
    mean = img.mean(dim=(1, 2, 3), keepdim=True)
    std = (img - mean).pow(2).mean(dim=(1, 2, 3), keepdim=True).sqrt()
    return (img - mean) / (std + eps)
