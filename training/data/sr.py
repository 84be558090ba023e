"""Training data for super-resolution: grey images, blur kernels, MATLAB-compatible bicubic resize.

Sources (read from /work/shared/data at training time, never copied into the repository):
  * ``sr/train400/*.png`` (400 grey 180×180 natural images): test_001..test_384 for training,
    test_385..test_400 held out for the quick synthetic validation;
  * SEM: ``sem/real/superalloy/super_{1,2,3}.tif`` and ``sem/real/fei-sem-rbc.tif`` (rows 0..999, the
    data bar cut off) for training; ``super_4.tif`` held out for validation. (The MIDNet SEM pairs are
    not used at all: the deblurring work holds out some of its prefixes.)
  * synthetic textures (``synthetic_texture``): band-limited noise, edges/polygons, blobs, lines, grains.
Set5 / Set12 are never read here (evaluation only).

Kernels (all 25×25, sum 1, centre (12, 12)): isotropic Gaussian, anisotropic Gaussian with a random
angle, random-trajectory motion blur, and the bicubic-approximating kernel for scale s
(``bicubic_kernel``: cubic (a = −0.5) stretched by s and shifted by (s−1)/2 so that
(x ⊗ k)[0::s, 0::s] reproduces MATLAB imresize(x, 1/s, 'bicubic') away from the borders).
"""
from __future__ import annotations

import glob
import math
import os

import numpy as np
import torch

DATA = os.environ.get("LAB_SHARED_DATA", "/work/shared/data")
KSIZE = 25


# ---------------------------------------------------------------- images

def _grey(path: str) -> np.ndarray:
    from PIL import Image
    im = Image.open(path)
    a = np.asarray(im).astype(np.float64)
    if a.ndim == 3:
        a = a[..., :3]
        a = 0.299 * a[..., 0] + 0.587 * a[..., 1] + 0.114 * a[..., 2]
    return (a / 255.0).astype(np.float32)


def load_images(split: str = "train") -> dict[str, list[np.ndarray]]:
    """{'natural': [...], 'sem': [...]} float32 [0, 1] grey images of the split ('train' or 'val')."""
    files = sorted(glob.glob(os.path.join(DATA, "sr", "train400", "*.png")))
    if len(files) != 400:
        raise SystemExit(f"expected 400 PNGs in {DATA}/sr/train400, found {len(files)}")
    nat = files[:384] if split == "train" else files[384:]
    sup = sorted(glob.glob(os.path.join(DATA, "sem", "real", "superalloy", "super_*.tif")))
    if split == "train":
        sem = [_grey(f) for f in sup if not f.endswith("super_4.tif")]
        sem.append(_grey(os.path.join(DATA, "sem", "real", "fei-sem-rbc.tif"))[:1000])
    else:
        sem = [_grey(f) for f in sup if f.endswith("super_4.tif")]
    return {"natural": [_grey(f) for f in nat], "sem": sem}


def synthetic_texture(rng: np.random.Generator, size: int) -> np.ndarray:
    """A [size, size] float32 image on [0, 1]: one of several synthetic texture families."""
    kind = rng.integers(0, 5)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    if kind == 0:  # band-limited noise, random spectral slope
        f = np.fft.fftfreq(size)
        r = np.sqrt(f[:, None] ** 2 + f[None, :] ** 2) + 1.0 / size
        spec = (rng.standard_normal((size, size)) + 1j * rng.standard_normal((size, size))) * r ** (-rng.uniform(1.0, 2.2))
        a = np.real(np.fft.ifft2(spec))
    elif kind == 1:  # polygons / edges
        a = np.full((size, size), rng.uniform(0, 1))
        for _ in range(rng.integers(3, 12)):
            cx, cy, ang = rng.uniform(0, size), rng.uniform(0, size), rng.uniform(0, np.pi)
            m = (xx - cx) * np.cos(ang) + (yy - cy) * np.sin(ang) > 0
            m &= (xx - cx) ** 2 + (yy - cy) ** 2 < rng.uniform(10, size) ** 2
            a[m] = rng.uniform(0, 1)
    elif kind == 2:  # blobs / particles (SEM-like)
        a = np.full((size, size), rng.uniform(0.1, 0.5))
        for _ in range(rng.integers(5, 40)):
            cx, cy, r = rng.uniform(0, size), rng.uniform(0, size), rng.uniform(1.5, size / 6)
            d = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2)
            a += rng.uniform(0.1, 0.6) * np.clip(r - d + 0.5, 0, 1) * (1 + 0.3 * (d < r) * (1 - d / r))
    elif kind == 3:  # lines / gratings at random angle and period
        ang, per = rng.uniform(0, np.pi), rng.uniform(2.5, 20)
        u = xx * np.cos(ang) + yy * np.sin(ang)
        a = 0.5 + 0.5 * np.sign(np.sin(2 * np.pi * u / per)) if rng.random() < 0.5 else 0.5 + 0.5 * np.sin(2 * np.pi * u / per)
    else:  # grains: Voronoi-like cells with distinct grey levels
        n = rng.integers(5, 30)
        pts = rng.uniform(0, size, (n, 2))
        d = (yy[..., None] - pts[:, 0]) ** 2 + (xx[..., None] - pts[:, 1]) ** 2
        a = rng.uniform(0, 1, n)[np.argmin(d, axis=-1)]
    a = a - a.min()
    a = a / (a.max() + 1e-9)
    lo, hi = sorted(rng.uniform(0, 1, 2))
    hi = max(hi, lo + 0.2)
    return np.clip(lo + (hi - lo) * a, 0, 1).astype(np.float32)


def _augment(a: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    if rng.random() < 0.5:
        a = a[:, ::-1]
    return np.rot90(a, rng.integers(0, 4))


def random_patch(images: dict, rng: np.random.Generator, size: int, p_sem: float = 0.25, p_syn: float = 0.15) -> np.ndarray:
    u = rng.random()
    if u < p_syn:
        return synthetic_texture(rng, size)
    pool = images["sem"] if u < p_syn + p_sem else images["natural"]
    im = pool[rng.integers(0, len(pool))]
    i, j = rng.integers(0, im.shape[0] - size + 1), rng.integers(0, im.shape[1] - size + 1)
    return np.ascontiguousarray(_augment(im[i:i + size, j:j + size], rng))


# ---------------------------------------------------------------- kernels

def _centre(k: np.ndarray) -> np.ndarray:
    """Integer-roll so that the centroid is as close as possible to (12, 12); normalise to sum 1."""
    k = np.clip(k, 0, None)
    k = k / k.sum()
    yy, xx = np.mgrid[0:k.shape[0], 0:k.shape[1]]
    cy, cx = (k * yy).sum(), (k * xx).sum()
    k = np.roll(k, (int(round(k.shape[0] // 2 - cy)), int(round(k.shape[1] // 2 - cx))), axis=(0, 1))
    return (k / k.sum()).astype(np.float32)


def gaussian_kernel(sig1: float, sig2: float | None = None, theta: float = 0.0, size: int = KSIZE) -> np.ndarray:
    sig2 = sig1 if sig2 is None else sig2
    c = size // 2
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64) - c
    ct, st = np.cos(theta), np.sin(theta)
    u, v = ct * xx + st * yy, -st * xx + ct * yy
    k = np.exp(-0.5 * (u ** 2 / sig1 ** 2 + v ** 2 / sig2 ** 2))
    return (k / k.sum()).astype(np.float32)


def motion_kernel(rng: np.random.Generator, size: int = KSIZE) -> np.ndarray:
    """Random smooth trajectory (momentum random walk) of 4..17 px, splatted bilinearly, lightly smoothed."""
    length = rng.uniform(4, 17)
    n = 200
    ang = rng.uniform(0, 2 * np.pi)
    turn = rng.normal(0, rng.uniform(0.02, 0.25), n).cumsum()
    step = length / n
    pts = np.cumsum(np.stack([np.cos(ang + turn), np.sin(ang + turn)], 1) * step, 0)
    pts -= pts.mean(0)
    pts += size // 2
    k = np.zeros((size + 1, size + 1))
    for x, y in pts:
        if not (0 <= x < size - 1 and 0 <= y < size - 1):
            continue
        x0, y0 = int(x), int(y)
        fx, fy = x - x0, y - y0
        w = rng.uniform(0.5, 1.0)  # varying exposure speed along the path
        k[y0, x0] += w * (1 - fx) * (1 - fy)
        k[y0, x0 + 1] += w * fx * (1 - fy)
        k[y0 + 1, x0] += w * (1 - fx) * fy
        k[y0 + 1, x0 + 1] += w * fx * fy
    k = k[:size, :size]
    from scipy.ndimage import gaussian_filter
    k = gaussian_filter(k, rng.uniform(0.3, 0.7))
    return _centre(k)


def cubic(x: np.ndarray) -> np.ndarray:
    """MATLAB imresize's cubic kernel (a = -0.5)."""
    ax = np.abs(x)
    ax2, ax3 = ax ** 2, ax ** 3
    return (1.5 * ax3 - 2.5 * ax2 + 1) * (ax <= 1) + (-0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2) * ((ax > 1) & (ax <= 2))


def bicubic_kernel(s: int, size: int = KSIZE) -> np.ndarray:
    """k[m] = cubic((m − c + (s−1)/2) / s) per axis (separable), normalised: (x ⊗ k)[0::s, 0::s] equals
    MATLAB's antialiased bicubic imresize(x, 1/s) in the interior."""
    m = np.arange(size) - size // 2
    w = cubic((m + (s - 1) / 2.0) / s)
    k = np.outer(w, w)
    return (k / k.sum()).astype(np.float32)


def random_kernel(rng: np.random.Generator, s: int) -> np.ndarray:
    u = rng.random()
    if u < 0.1:
        return bicubic_kernel(s)
    if u < 0.35:
        return gaussian_kernel(rng.uniform(0.6, 3.0))
    if u < 0.75:
        return gaussian_kernel(rng.uniform(0.6, 3.5), rng.uniform(0.6, 3.5), rng.uniform(0, np.pi))
    return motion_kernel(rng)


# ---------------------------------------------------------------- MATLAB-compatible bicubic imresize

def _resize_weights(in_len: int, scale: float) -> np.ndarray:
    """[out_len, in_len] weight matrix of MATLAB imresize(…, scale, 'bicubic') (antialiasing on when
    scale < 1), boundary by symmetric mirroring, as in MATLAB's contributions()."""
    out_len = int(math.ceil(in_len * scale))
    kw = 4.0 / scale if scale < 1 else 4.0
    x = np.arange(1, out_len + 1, dtype=np.float64)
    u = x / scale + 0.5 * (1 - 1 / scale)
    left = np.floor(u - kw / 2)
    P = int(math.ceil(kw)) + 2
    ind = left[:, None] + np.arange(P)[None, :]
    dist = u[:, None] - ind
    wts = scale * cubic(scale * dist) if scale < 1 else cubic(dist)
    wts = wts / wts.sum(1, keepdims=True)
    aux = np.concatenate([np.arange(in_len), np.arange(in_len - 1, -1, -1)])
    idx = aux[np.mod(ind.astype(np.int64) - 1, 2 * in_len)]
    M = np.zeros((out_len, in_len))
    for r in range(out_len):
        np.add.at(M[r], idx[r], wts[r])
    return M


_W_CACHE: dict = {}


def imresize(a: np.ndarray, scale: float) -> np.ndarray:
    """MATLAB imresize(a, scale, 'bicubic') for a 2-D float array (no rounding / clipping)."""
    out = []
    for L in a.shape:
        key = (L, scale)
        if key not in _W_CACHE:
            _W_CACHE[key] = _resize_weights(L, scale)
        out.append(_W_CACHE[key])
    return (out[0] @ a.astype(np.float64) @ out[1].T).astype(np.float32)


def bicubic_down(a: np.ndarray, s: int) -> np.ndarray:
    """LR image as the SR literature makes it: crop to a multiple of s, imresize(…, 1/s, 'bicubic'),
    quantised to 8 bits as an image file would be."""
    H, W = (a.shape[0] // s) * s, (a.shape[1] // s) * s
    lr = imresize(a[:H, :W], 1.0 / s)
    return np.clip(np.round(lr * 255.0), 0, 255).astype(np.float32) / 255.0


# ---------------------------------------------------------------- batches

def usrnet_batch(images: dict, rng: np.random.Generator, batch: int, s: int, patch: int = 96,
                 sigma_max: float = 25.0 / 255.0, p_zero_noise: float = 0.2):
    """(y [B,1,p/s,p/s], k [B,1,25,25], sigma [B,1,1,1], x [B,1,p,p]) with y = (x ⊗ k)↓s + n, circular ⊗."""
    from training.models.usrnet import blur_circular, downsample
    x = torch.from_numpy(np.stack([random_patch(images, rng, patch) for _ in range(batch)]))[:, None]
    k = torch.from_numpy(np.stack([random_kernel(rng, s) for _ in range(batch)]))[:, None]
    sig = rng.uniform(0, sigma_max, batch)
    sig[rng.random(batch) < p_zero_noise] = 0.0
    sigma = torch.from_numpy(sig.astype(np.float32)).view(batch, 1, 1, 1)
    y = downsample(blur_circular(x, k), s)
    y = y + sigma * torch.from_numpy(rng.standard_normal(y.shape).astype(np.float32))
    return y, k, sigma, x


class BicubicPairs:
    """Pre-computed (HR, LR) image pairs for one scale (MATLAB bicubic ×1/s, 8-bit LR); random aligned crops."""

    def __init__(self, images: dict, s: int) -> None:
        self.s = s
        self.pairs = {}
        for key, pool in images.items():
            out = []
            for im in pool:
                H, W = (im.shape[0] // s) * s, (im.shape[1] // s) * s
                out.append((im[:H, :W], bicubic_down(im, s)))
            self.pairs[key] = out

    def batch(self, rng: np.random.Generator, batch: int, lr_patch: int, p_sem: float = 0.3):
        s, hp = self.s, lr_patch * self.s
        lrs, hrs = [], []
        for _ in range(batch):
            pool = self.pairs["sem"] if rng.random() < p_sem else self.pairs["natural"]
            hr, lr = pool[rng.integers(0, len(pool))]
            i, j = rng.integers(0, lr.shape[0] - lr_patch + 1), rng.integers(0, lr.shape[1] - lr_patch + 1)
            a, b = lr[i:i + lr_patch, j:j + lr_patch], hr[i * s:i * s + hp, j * s:j * s + hp]
            f, r = rng.random() < 0.5, rng.integers(0, 4)
            if f:
                a, b = a[:, ::-1], b[:, ::-1]
            lrs.append(np.rot90(a, r).copy())
            hrs.append(np.rot90(b, r).copy())
        return torch.from_numpy(np.stack(lrs))[:, None], torch.from_numpy(np.stack(hrs))[:, None]


def psnr(a: torch.Tensor, b: torch.Tensor, border: int = 0) -> float:
    """PSNR (dB, peak 1) of grey images, ``border`` px cropped on every side (USRNet crops s)."""
    if border:
        a, b = a[..., border:-border, border:-border], b[..., border:-border, border:-border]
    mse = float(torch.mean((a.clamp(0, 1) - b) ** 2))
    return 10 * math.log10(1.0 / max(mse, 1e-12))
