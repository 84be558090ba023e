"""Random displacement fields on a pixel grid, in px: channel 0 = u (along x, columns), 1 = v (along y, rows).

Every generator takes a ``torch.Generator`` and returns (n, 2, h, w) float32. Fields are defined on the
*extended* grid that training/data/speckle.py warps with (image plus margin), so no extrapolation happens at
the image border. Bilinear interpolation between grid values defines the field between pixel centres.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def _rand(gen: torch.Generator, *shape: int) -> torch.Tensor:
    return torch.rand(*shape, generator=gen)


def smooth_random(gen: torch.Generator, n: int, h: int, w: int, *, nodes_min: int = 2,
                  nodes_max: int = 6) -> torch.Tensor:
    """Smooth random field: uniform random values on a coarse k x k node grid, bicubic-upsampled.

    k is drawn per sample in [nodes_min, nodes_max]; values are in [-1, 1] before upsampling (bicubic can
    overshoot slightly). Scale the result to the amplitude you need.
    """
    out = torch.empty(n, 2, h, w)
    for i in range(n):
        k = int(torch.randint(nodes_min, nodes_max + 1, (1,), generator=gen))
        coarse = 2.0 * _rand(gen, 1, 2, k, k) - 1.0
        out[i:i + 1] = F.interpolate(coarse, size=(h, w), mode="bicubic", align_corners=True)
    return out


def affine(gen: torch.Generator, n: int, h: int, w: int, *, max_gradient: float) -> torch.Tensor:
    """Zero-mean linear field u = A (x - xc): random displacement gradient with entries in +-max_gradient."""
    a = (2.0 * _rand(gen, n, 2, 2) - 1.0) * max_gradient
    ys = torch.arange(h, dtype=torch.float32) - (h - 1) / 2.0
    xs = torch.arange(w, dtype=torch.float32) - (w - 1) / 2.0
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    u = a[:, 0, 0, None, None] * gx + a[:, 0, 1, None, None] * gy
    v = a[:, 1, 0, None, None] * gx + a[:, 1, 1, None, None] * gy
    return torch.stack([u, v], dim=1)


def max_gradient(field: torch.Tensor) -> torch.Tensor:
    """Largest absolute finite-difference gradient entry per sample, shape (n,)."""
    gx = (field[:, :, :, 1:] - field[:, :, :, :-1]).abs().amax(dim=(1, 2, 3))
    gy = (field[:, :, 1:, :] - field[:, :, :-1, :]).abs().amax(dim=(1, 2, 3))
    return torch.maximum(gx, gy)


def half_plane_mask(gen: torch.Generator, n: int, h: int, w: int) -> torch.Tensor:
    """Boolean (n, 1, h, w): one side of a random straight line through a random interior point."""
    cx = (0.25 + 0.5 * _rand(gen, n)) * (w - 1)
    cy = (0.25 + 0.5 * _rand(gen, n)) * (h - 1)
    ang = _rand(gen, n) * math.pi
    ys = torch.arange(h, dtype=torch.float32).view(1, h, 1)
    xs = torch.arange(w, dtype=torch.float32).view(1, 1, w)
    d = (xs - cx.view(n, 1, 1)) * torch.cos(ang).view(n, 1, 1) + (ys - cy.view(n, 1, 1)) * torch.sin(ang).view(n, 1, 1)
    return (d > 0).unsqueeze(1)


def dic_field(gen: torch.Generator, n: int, h: int, w: int, *, max_disp: float = 16.0,
              max_grad: float = 0.25) -> tuple[torch.Tensor, list[str]]:
    """Mechanics-style fields within +-max_disp px per component, for DICNet.

    Mix per sample: 20% constant translation, 25% translation + affine (strain/rotation up to max_grad),
    40% translation + smooth random variation (gradient capped at max_grad), 15% piecewise: two smooth or
    affine fields on either side of a random straight line (crack / slip band). Returns the field and the
    kind of each sample.
    """
    trans = (2.0 * _rand(gen, n, 2, 1, 1) - 1.0) * max_disp
    aff = affine(gen, n, h, w, max_gradient=max_grad)
    smooth = smooth_random(gen, n, h, w)
    amp = _rand(gen, n).view(n, 1, 1, 1) * max_disp
    smooth = smooth * amp
    g = max_gradient(smooth).view(n, 1, 1, 1)
    smooth = smooth * torch.clamp(max_grad * _rand(gen, n).view(n, 1, 1, 1) / (g + 1e-9), max=1.0)
    trans2 = (2.0 * _rand(gen, n, 2, 1, 1) - 1.0) * max_disp
    mask = half_plane_mask(gen, n, h, w)
    choice = _rand(gen, n)
    fields, kinds = [], []
    for i in range(n):
        c = float(choice[i])
        if c < 0.20:
            f, k = trans[i].expand(2, h, w), "constant"
        elif c < 0.45:
            f, k = trans[i] + aff[i], "affine"
        elif c < 0.85:
            f, k = trans[i] + smooth[i], "smooth"
        else:
            a = trans[i] + 0.5 * smooth[i]
            b = trans2[i] + 0.5 * aff[i]
            f, k = torch.where(mask[i], a, b), "piecewise"
        fields.append(f)
        kinds.append(k)
    return torch.stack(fields).clamp(-max_disp, max_disp), kinds


def patch_field(gen: torch.Generator, n: int, h: int, w: int, *, p_min: float = 4.0, p_max: float = 128.0,
                lo: float, hi: float) -> torch.Tensor:
    """Random piecewise-smooth scalar maps (n, 1, h, w) in [lo, hi] made of patches p_min..p_max px.

    Patch size p is log-uniform per sample. Half the samples are smooth (bicubic through random nodes every
    p px), half piecewise (nearest-neighbour patches of p px whose edges are softened by a Gaussian of p/8 px).
    """
    out = torch.empty(n, 1, h, w)
    for i in range(n):
        p = math.exp(math.log(p_min) + float(_rand(gen, 1)) * (math.log(p_max) - math.log(p_min)))
        kh, kw = max(2, math.ceil(h / p) + 1), max(2, math.ceil(w / p) + 1)
        nodes = lo + (hi - lo) * _rand(gen, 1, 1, kh, kw)
        if float(_rand(gen, 1)) < 0.5:
            m = F.interpolate(nodes, size=(h, w), mode="bicubic", align_corners=True)
        else:
            m = F.interpolate(nodes, size=(h, w), mode="nearest")
            sig = max(p / 8.0, 1.0)
            r = int(math.ceil(3 * sig))
            t = torch.arange(-r, r + 1, dtype=torch.float32)
            k1 = torch.exp(-0.5 * (t / sig) ** 2)
            k1 = k1 / k1.sum()
            m = F.pad(m, (r, r, r, r), mode="replicate")
            m = F.conv2d(m, k1.view(1, 1, 1, -1))
            m = F.conv2d(m, k1.view(1, 1, -1, 1))
        out[i:i + 1] = m
    return out.clamp(lo, hi)


def cade_field(gen: torch.Generator, n: int, h: int, w: int, *, max_disp: float = 1.0,
               p_identity: float = 0.02, p_constant: float = 0.02, small_constant: float = 0.15,
               max_grad: float = 0.4) -> tuple[torch.Tensor, list[str]]:
    """X-ray speckle-tracking fields within +-max_disp px, after the CADE data recipe.

    ``p_identity`` of the samples are zero fields, ``p_constant`` constant fields (half of them within
    +-small_constant px, the rest within +-max_disp); the rest are, for u and v independently, a random
    offset plus a piecewise-smooth patch map (4-128 px patches, see ``patch_field``):
    c + a * patch with c ~ U(-max_disp, max_disp) and a ~ U(0, max_disp - |c|), so every value stays
    within +-max_disp and the values cover that range roughly uniformly. The variation a * patch is scaled
    down where needed so that no displacement gradient exceeds ``max_grad`` (small patches with the full
    swing would otherwise fold the map, which has no inverse).

    Note: an earlier version used a * patch without the offset; its values crowded near 0, and the model
    trained on it over-estimated constant shifts of 0.4-0.8 px by up to 0.2 px (training/README.md).
    """
    fields, kinds = [], []
    choice = _rand(gen, n)
    pu = patch_field(gen, n, h, w, lo=-1.0, hi=1.0)
    pv = patch_field(gen, n, h, w, lo=-1.0, hi=1.0)
    offs = (2.0 * _rand(gen, n, 2) - 1.0) * max_disp
    amp = _rand(gen, n, 2) * (max_disp - offs.abs())
    consts = (2.0 * _rand(gen, n, 2) - 1.0)
    small = _rand(gen, n) < 0.5
    for i in range(n):
        c = float(choice[i])
        if c < p_identity:
            f, k = torch.zeros(2, h, w), "identity"
        elif c < p_identity + p_constant:
            scale = small_constant if bool(small[i]) else max_disp
            f, k = (consts[i] * scale).view(2, 1, 1).expand(2, h, w), "constant"
        else:
            var = torch.cat([pu[i] * amp[i, 0], pv[i] * amp[i, 1]], dim=0)
            g = float(max_gradient(var[None]))
            if g > max_grad:  # keep the map invertible and smooth enough for the exact warp
                var = var * (max_grad / g)
            f, k = offs[i].view(2, 1, 1) + var, "patches"
        fields.append(f)
        kinds.append(k)
    return torch.stack(fields).clamp(-max_disp, max_disp), kinds
