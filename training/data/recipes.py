"""Training, validation and test pair recipes for the two trackers (DICNet and the CADE-style XST net).

A recipe is a small dataclass of physical parameters; ``*_batch(gen, n, recipe)`` renders n pairs with
training/data/speckle.py and returns a dict of float32 tensors:

- ``ref``, ``def``: (n, 1, H, W), already normalised per image as the app does (manifest normalisation
  ``per-image-meanstd``, eps 1e-6), i.e. exactly what the ONNX model sees;
- ``flow``: (n, 2, H, W) ground truth in px, channel 0 = u (x, columns), 1 = v (y, rows),
  I_def(x + u) = I_ref(x);
- ``ref_raw``, ``def_raw``: the same images before normalisation (grey levels or photon counts).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import torch

from . import fields
from .speckle import normalise, render_pair, render_pattern


def _u(gen: torch.Generator, n: int, lo: float, hi: float) -> torch.Tensor:
    return lo + (hi - lo) * torch.rand(n, generator=gen)


@dataclass
class DicRecipe:
    """Mechanics DIC pairs: paint-like speckle, fields up to +-max_disp px, lighting changes, sensor noise."""
    height: int = 96
    width: int = 96
    max_disp: float = 16.0
    max_grad: float = 0.25  # largest displacement gradient (strain / rotation) in the non-constant fields
    speckle_min: float = 2.5
    speckle_max: float = 6.0
    oversample: int = 4
    inverse_step: float = 1.0
    contrast: tuple = (0.7, 1.3)  # gain of the deformed image relative to the reference
    offset: float = 0.15  # +- brightness offset of the deformed image (image range is ~[0.1, 0.9])
    ramp: float = 0.15  # +- linear illumination change across the deformed image
    noise_max: float = 0.03  # Gaussian sensor noise sigma, drawn in [0, noise_max] per pair
    field_kind: str = "mix"  # "mix" (dic_field's mixture) or "smooth" (translation + smooth; test protocol)
    # Fraction of pairs whose field is scaled down to within +-small_max px. The network then also learns the
    # sub-pixel regime that its refinement passes work in (a residual after warping); without it dicnet-s
    # answered ~0.05 px for a 0.3 px shift, a slope that makes refinement passes crawl.
    small_fraction: float = 0.0
    small_max: float = 1.5

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class CadeRecipe:
    """X-ray speckle-tracking pairs after the CADE recipe: +-1 px patch fields, transmission, Poisson noise."""
    height: int = 64
    width: int = 64
    max_disp: float = 1.0
    speckle_min: float = 2.0
    speckle_max: float = 10.0
    oversample: int = 4
    inverse_step: float = 0.25
    visibility: tuple = (0.05, 0.5)  # speckle contrast std / mean of the reference
    counts: tuple = (1e3, 1e5)  # mean photons per pixel of the flat field, log-uniform
    transmission_min: float = 0.5  # sample transmission patches are drawn in [transmission_min, 1]
    p_identity: float = 0.02
    p_constant: float = 0.02
    small_constant: float = 0.15

    def to_dict(self) -> dict:
        return asdict(self)


def _margin(max_disp: float) -> int:
    return int(math.ceil(max_disp)) + 3


def dic_batch(gen: torch.Generator, n: int, r: DicRecipe) -> dict:
    """n DIC pairs rendered with recipe ``r`` (see module docstring for the returned dict)."""
    m = _margin(r.max_disp)
    he, we = r.height + 2 * m, r.width + 2 * m
    size = _u(gen, n, r.speckle_min, r.speckle_max)
    pat = render_pattern(gen, n, he, we, speckle_px=size, oversample=r.oversample, kind="dic",
                         sharpness=_u(gen, n, 1.5, 4.0), threshold=_u(gen, n, -0.6, 0.6))
    pat = 0.1 + 0.8 * pat
    if r.field_kind == "mix":
        f, _ = fields.dic_field(gen, n, he, we, max_disp=r.max_disp, max_grad=r.max_grad)
    elif r.field_kind == "smooth":
        trans = (2.0 * torch.rand(n, 2, 1, 1, generator=gen) - 1.0) * r.max_disp
        sm = fields.smooth_random(gen, n, he, we)
        amp = torch.rand(n, 1, 1, 1, generator=gen) * r.max_disp
        sm = sm * amp
        g = fields.max_gradient(sm).view(n, 1, 1, 1)
        sm = sm * torch.clamp(r.max_grad / (g + 1e-9), max=1.0)
        f = (trans + sm).clamp(-r.max_disp, r.max_disp)
    else:
        raise ValueError(f"field_kind must be 'mix' or 'smooth', got {r.field_kind!r}")
    if r.small_fraction > 0:  # drawn only when asked, so recipes without it render the same pairs as before
        small = torch.rand(n, generator=gen) < r.small_fraction
        f = f * torch.where(small, r.small_max / r.max_disp, 1.0).view(n, 1, 1, 1)
    ref, dfm, flow = render_pair(pat, f, oversample=r.oversample, margin=m, height=r.height, width=r.width,
                                 inverse_step=r.inverse_step)
    gain = _u(gen, n, *r.contrast).view(n, 1, 1, 1)
    off = _u(gen, n, -r.offset, r.offset).view(n, 1, 1, 1)
    ang = _u(gen, n, 0.0, 2 * math.pi).view(n, 1, 1, 1)
    ramp = _u(gen, n, -r.ramp, r.ramp).view(n, 1, 1, 1)
    ys = torch.linspace(-0.5, 0.5, r.height).view(1, 1, -1, 1)
    xs = torch.linspace(-0.5, 0.5, r.width).view(1, 1, 1, -1)
    dfm = gain * dfm + off + ramp * (torch.cos(ang) * xs + torch.sin(ang) * ys)
    sig = _u(gen, n, 0.0, r.noise_max).view(n, 1, 1, 1)
    ref = ref + sig * torch.randn(ref.shape, generator=gen)
    dfm = dfm + sig * torch.randn(dfm.shape, generator=gen)
    return {"ref": normalise(ref), "def": normalise(dfm), "flow": flow, "ref_raw": ref, "def_raw": dfm}


def xray_images(gen: torch.Generator, pattern: torch.Tensor, warped: torch.Tensor, transmission: torch.Tensor,
                visibility: torch.Tensor, counts: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Flat-field-like X-ray speckle images with independent Poisson noise, in photons / counts.

    ``pattern`` and ``warped`` are zero-mean unit-std speckle maps at pixel resolution (reference and sample
    positions); I_ref = N0 (1 + vis z), I_sample = N0 T (1 + vis z(x - u)), clamped at 2% of N0 before noise.
    """
    n = pattern.shape[0]
    vis = visibility.view(n, 1, 1, 1)
    n0 = counts.view(n, 1, 1, 1)
    ref = n0 * torch.clamp(1.0 + vis * pattern, min=0.02)
    smp = n0 * transmission * torch.clamp(1.0 + vis * warped, min=0.02)
    return torch.poisson(ref, generator=gen), torch.poisson(smp, generator=gen)


def cade_batch(gen: torch.Generator, n: int, r: CadeRecipe, *, constant_shift: tuple | None = None,
               transmission: float | None = None, visibility: float | None = None, counts: float | None = None,
               speckle_px: float | None = None) -> dict:
    """n X-ray pairs with recipe ``r``; keyword overrides fix parameters for test protocols.

    ``constant_shift=(u, v)`` replaces the random field by that constant; ``transmission`` replaces the
    random transmission patches by a uniform value; ``visibility``, ``counts`` and ``speckle_px`` fix those.
    """
    m = _margin(r.max_disp)
    he, we = r.height + 2 * m, r.width + 2 * m
    size = torch.full((n,), float(speckle_px)) if speckle_px is not None else _u(gen, n, r.speckle_min, r.speckle_max)
    pat = render_pattern(gen, n, he, we, speckle_px=size, oversample=r.oversample, kind="gaussian")
    if constant_shift is not None:
        f = torch.tensor(constant_shift, dtype=torch.float32).view(1, 2, 1, 1).expand(n, 2, he, we).contiguous()
    else:
        f, _ = fields.cade_field(gen, n, he, we, max_disp=r.max_disp, p_identity=r.p_identity,
                                 p_constant=r.p_constant, small_constant=r.small_constant)
    ref, warped, flow = render_pair(pat, f, oversample=r.oversample, margin=m, height=r.height, width=r.width,
                                    inverse_step=r.inverse_step)
    if transmission is not None:
        t = torch.full((n, 1, r.height, r.width), float(transmission))
    else:
        tmin = _u(gen, n, r.transmission_min, 1.0)
        t = torch.stack([fields.patch_field(gen, 1, r.height, r.width, lo=float(tmin[i]), hi=1.0)[0]
                         if float(tmin[i]) < 1.0 else torch.ones(1, r.height, r.width) for i in range(n)])
    vis = torch.full((n,), float(visibility)) if visibility is not None else _u(gen, n, *r.visibility)
    if counts is not None:
        n0 = torch.full((n,), float(counts))
    else:
        n0 = torch.exp(_u(gen, n, math.log(r.counts[0]), math.log(r.counts[1])))
    ref_c, smp_c = xray_images(gen, ref, warped, t, vis, n0)
    return {"ref": normalise(ref_c), "def": normalise(smp_c), "flow": flow, "ref_raw": ref_c, "def_raw": smp_c}


def dihedral(batch: dict, gen: torch.Generator) -> dict:
    """Random flips / transpose per batch (exact augmentation): images and flow transformed consistently.

    Flipping columns negates u, flipping rows negates v, transposing swaps x and y (and u and v). Transpose is
    applied only to square images.
    """
    out = dict(batch)
    fx, fy, tr = (torch.rand(3, generator=gen) < 0.5).tolist()
    keys = [k for k in ("ref", "def", "ref_raw", "def_raw") if k in out]
    flow = out["flow"]
    if fx:
        for k in keys:
            out[k] = out[k].flip(-1)
        flow = flow.flip(-1) * torch.tensor([-1.0, 1.0]).view(1, 2, 1, 1)
    if fy:
        for k in keys:
            out[k] = out[k].flip(-2)
        flow = flow.flip(-2) * torch.tensor([1.0, -1.0]).view(1, 2, 1, 1)
    if tr and flow.shape[-1] == flow.shape[-2]:
        for k in keys:
            out[k] = out[k].transpose(-1, -2)
        flow = flow.transpose(-1, -2).flip(1)
    out["flow"] = flow.contiguous()
    for k in keys:
        out[k] = out[k].contiguous()
    return out
