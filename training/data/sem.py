"""SEM deblurring data: real blurry/sharp pairs (split by source micrograph) and synthetic SEM-like
microstructures with realistic SEM blur and Poisson-Gaussian noise, on the fly.

Real pairs: ``/work/shared/data/sem/midnet/{blur,sharp}/<prefix>_sNNN.png`` (512x512, RGBA but grey), read as
BT.601 luma (0.299 R + 0.587 G + 0.114 B) / 255, exactly as the app's decoder does, paired by file name. Each
prefix (the part before the first ``_``) is one source micrograph cut into 12 half-overlapping crops, so the
split is by prefix: ``TEST_PREFIXES`` are held out (never used for training or model selection).

Note: what the real degradation looks like (measured on every 5th pair by fitting a shifted Gaussian blur of
the sharp image to the blurry one): a Gaussian-like blur of sigma ~6-12 px, a global offset of up to ~20 px
(mostly horizontal, sign varying between crops), and noise with std ~0.025-0.03 in a 2-px high-pass (a few
crops are much noisier, ~0.06). The synthetic blur covers that range (defocus sigma up to 14 px) so the
model does not learn only the five training micrographs.

Synthetic microstructures (``synth_pair``): Voronoi grains (on smoothly warped coordinates, so boundaries are
wavy) with per-grain grey levels, bright (or sometimes dark) grain boundaries, precipitates as small bright /
dark blobs, pores as dark ellipses with bright rims, SEM edge brightening (|gradient| added), slight texture and
shading. Blur: defocus (isotropic Gaussian or disc) or astigmatism (anisotropic Gaussian at a random angle),
optionally convolved with drift (a short motion line, sometimes one-sided so it also shifts); then
Poisson-Gaussian noise. Everything draws from one ``numpy.random.Generator``.
"""
from __future__ import annotations

import glob
import os
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage, signal
from scipy.spatial import cKDTree

DATA_DIR = "/work/shared/data/sem/midnet"
TEST_PREFIXES = ("3-1", "6-1")


def read_grey(path: str) -> np.ndarray:
    """PNG -> float32 [H, W] in [0, 1]: BT.601 luma / 255 for RGB(A), value / 255 for grey (app's decoder)."""
    a = np.asarray(Image.open(path))
    if a.dtype == np.uint16:
        scale = 65535.0
    else:
        scale = 255.0
    a = a.astype(np.float64)
    if a.ndim == 3:
        a = 0.299 * a[..., 0] + 0.587 * a[..., 1] + 0.114 * a[..., 2]
    return (a / scale).astype(np.float32)


def prefix_of(name: str) -> str:
    return os.path.basename(name).split("_", 1)[0]


def list_pairs(data_dir: str = DATA_DIR) -> list[tuple[str, str, str]]:
    """(name, blurry path, sharp path) for every file in blur/ that has a sharp/ twin of the same name."""
    out = []
    for b in sorted(glob.glob(os.path.join(data_dir, "blur", "*.png"))):
        s = os.path.join(data_dir, "sharp", os.path.basename(b))
        if os.path.isfile(s):
            out.append((os.path.basename(b), b, s))
    return out


def split_pairs(data_dir: str = DATA_DIR, test_prefixes=TEST_PREFIXES) -> dict:
    pairs = list_pairs(data_dir)
    prefixes = sorted({prefix_of(n) for n, _, _ in pairs})
    train = [p for p in pairs if prefix_of(p[0]) not in test_prefixes]
    test = [p for p in pairs if prefix_of(p[0]) in test_prefixes]
    return {"train": train, "test": test, "train_prefixes": [p for p in prefixes if p not in test_prefixes],
            "test_prefixes": [p for p in prefixes if p in test_prefixes]}


def pair_shift(blurry: np.ndarray, sharp: np.ndarray, max_shift: int = 40) -> tuple[int, int]:
    """Integer (dy, dx) with blurry(p) ~ blur(sharp)(p - d): peak of the circular cross-correlation of the
    mean-removed images (Note: misaligned pairs in training/README.md)."""
    b = blurry - blurry.mean()
    s = sharp - sharp.mean()
    c = np.real(np.fft.ifft2(np.fft.fft2(b) * np.conj(np.fft.fft2(s))))
    h, w = c.shape
    best, arg = -np.inf, (0, 0)
    for dy in range(-max_shift, max_shift + 1):
        for dx in range(-max_shift, max_shift + 1):
            v = c[dy % h, dx % w]
            if v > best:
                best, arg = v, (dy, dx)
    return arg


class RealPairs:
    """The training-prefix pairs in memory; random crops with a random dihedral transform.

    With ``align`` each pair's whole-pixel offset (pair_shift) is removed: the sharp crop is taken at
    p - d for the blurry crop at p, so the target shows the same scene the input does. Without it a
    network cannot lower its loss by deblurring (the offset varies from crop to crop and cannot be seen in
    the blurry image), which is what the first CPU runs showed.
    """

    def __init__(self, pairs: list[tuple[str, str, str]], align: bool = False) -> None:
        if not pairs:
            raise SystemExit(f"no real SEM pairs found (looked in {DATA_DIR}/blur and sharp)")
        self.names = [n for n, _, _ in pairs]
        self.blur = [read_grey(b) for _, b, _ in pairs]
        self.sharp = [read_grey(s) for _, _, s in pairs]
        self.shift = [pair_shift(b, s) if align else (0, 0) for b, s in zip(self.blur, self.sharp)]

    def crop(self, rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
        i = int(rng.integers(len(self.blur)))
        h, w = self.blur[i].shape
        dy, dx = self.shift[i]
        # blurry crop origin range such that the sharp crop at (y - dy, x - dx) is inside the image too
        y0, y1 = max(0, dy), h - size + min(0, dy)
        x0, x1 = max(0, dx), w - size + min(0, dx)
        y, x = int(rng.integers(y0, y1 + 1)), int(rng.integers(x0, x1 + 1))
        b = self.blur[i][y:y + size, x:x + size]
        s = self.sharp[i][y - dy:y - dy + size, x - dx:x - dx + size]
        return dihedral_np(b, s, int(rng.integers(8)))


def dihedral_np(b: np.ndarray, s: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    if k & 4:
        b, s = b[:, ::-1], s[:, ::-1]
    return np.ascontiguousarray(np.rot90(b, k & 3)), np.ascontiguousarray(np.rot90(s, k & 3))


# ----------------------------------------------------------------------------------------------- synthetic
@dataclass
class SemRecipe:
    sigma_min: float = 0.5          # defocus Gaussian sigma range, px
    sigma_max: float = 14.0
    p_strong: float = 0.6           # fraction drawn from the real data's range [5, sigma_max]
    p_disc: float = 0.2             # disc (out-of-focus aperture) instead of Gaussian
    p_astig: float = 0.4            # anisotropic Gaussian at a random angle
    p_drift: float = 0.35           # convolve with a motion line
    drift_max: float = 16.0         # line length, px
    photons_min: float = 100.0      # Poisson scale: photons at intensity 1
    photons_max: float = 5000.0
    read_noise_max: float = 0.02    # Gaussian noise std


def _smooth_noise(rng, shape, sigma):
    n = ndimage.gaussian_filter(rng.standard_normal(shape), sigma, mode="wrap")
    return n / (n.std() + 1e-12)


def microstructure(rng: np.random.Generator, size: int) -> np.ndarray:
    """One synthetic SEM-like micrograph, float64 [size, size], roughly in [0, 1]."""
    H = W = size
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float64)
    # wavy Voronoi grains
    grain = float(np.exp(rng.uniform(np.log(12), np.log(80))))  # mean grain diameter, px
    n = max(3, int(H * W / (grain * grain)))
    seeds = rng.uniform(0, [H, W], size=(n, 2))
    warp = rng.uniform(0, 0.25) * grain
    wy = yy + warp * _smooth_noise(rng, (H, W), grain / 3)
    wx = xx + warp * _smooth_noise(rng, (H, W), grain / 3)
    _, lab = cKDTree(seeds).query(np.stack([wy.ravel(), wx.ravel()], 1))
    lab = lab.reshape(H, W)
    base = rng.uniform(0.2, 0.6)
    levels = np.clip(base + rng.uniform(0.03, 0.18) * rng.standard_normal(n), 0.02, 0.95)
    if rng.random() < 0.3:  # two-phase: a fraction of the grains is much darker / brighter
        ph = rng.random(n) < rng.uniform(0.2, 0.6)
        levels[ph] = np.clip(levels[ph] + rng.choice([-1, 1]) * rng.uniform(0.15, 0.35), 0.02, 0.95)
    img = levels[lab]
    # boundaries
    bnd = np.zeros((H, W), bool)
    bnd[:-1] |= lab[:-1] != lab[1:]
    bnd[:, :-1] |= lab[:, :-1] != lab[:, 1:]
    bw = rng.uniform(0.5, 3.0)
    bmap = ndimage.gaussian_filter(bnd.astype(np.float64), bw)
    bmap /= bmap.max() + 1e-12
    amp = rng.uniform(0.1, 0.45) * (1 if rng.random() < 0.8 else -0.6)
    img = img + amp * bmap
    # intra-grain texture
    img = img + rng.uniform(0.0, 0.04) * _smooth_noise(rng, (H, W), rng.uniform(0.7, 3.0))
    # precipitates: small blobs with soft-but-steep edges
    for _ in range(int(rng.integers(0, 1 + int(rng.uniform(0, 2.0) * H * W / 1000)))):
        cy, cx = rng.uniform(0, H), rng.uniform(0, W)
        r = rng.uniform(0.8, 5.0)
        e = rng.uniform(0.6, 1.6)
        a = rng.uniform(0, np.pi)
        dy, dx = yy - cy, xx - cx
        u = (dx * np.cos(a) + dy * np.sin(a)) / (r * e)
        v = (-dx * np.sin(a) + dy * np.cos(a)) / r
        d = np.sqrt(u * u + v * v)
        m = np.clip((1.0 - d) * r * 1.5, 0, 1)
        val = rng.uniform(0.2, 0.45) * (1 if rng.random() < 0.65 else -1)
        img = img + val * m
    # pores: dark ellipses with bright rims
    for _ in range(int(rng.integers(0, 1 + int(rng.uniform(0, 1.0) * H * W / 4000)))):
        cy, cx = rng.uniform(0, H), rng.uniform(0, W)
        ra = rng.uniform(3, 22)
        rb = ra * rng.uniform(0.4, 1.0)
        a = rng.uniform(0, np.pi)
        dy, dx = yy - cy, xx - cx
        u = (dx * np.cos(a) + dy * np.sin(a)) / ra
        v = (-dx * np.sin(a) + dy * np.cos(a)) / rb
        d = np.sqrt(u * u + v * v)
        inside = np.clip((1.0 - d) * rb, 0, 1)
        rim_w = rng.uniform(1.0, 3.5) / rb
        rim = np.exp(-0.5 * ((d - 1.0) / rim_w) ** 2)
        img = img * (1 - inside) + inside * rng.uniform(0.0, 0.15) + rng.uniform(0.15, 0.45) * rim
    # SEM edge brightening and slow shading
    gy, gx = np.gradient(ndimage.gaussian_filter(img, rng.uniform(0.7, 1.5)))
    img = img + rng.uniform(0.0, 3.0) * np.sqrt(gx * gx + gy * gy)
    img = img + rng.uniform(0, 0.1) * ((yy / H - 0.5) * rng.standard_normal() + (xx / W - 0.5) * rng.standard_normal())
    lo, hi = np.percentile(img, [0.5, 99.5])
    tlo, thi = rng.uniform(0.0, 0.25), rng.uniform(0.7, 1.0)
    img = tlo + (img - lo) / max(hi - lo, 1e-6) * (thi - tlo)
    return np.clip(img, 0.0, 1.0)


def sem_kernel(rng: np.random.Generator, r: SemRecipe) -> np.ndarray:
    """A normalised SEM blur kernel: defocus (Gaussian / disc) or astigmatism, optionally with drift."""
    if rng.random() < r.p_strong:
        sig = rng.uniform(5.0, r.sigma_max)
    else:
        sig = float(np.exp(rng.uniform(np.log(r.sigma_min), np.log(5.0))))
    half = int(np.ceil(3 * sig * 1.6 + r.drift_max / 2)) + 1
    y, x = np.mgrid[-half:half + 1, -half:half + 1].astype(np.float64)
    u = rng.random()
    if u < r.p_disc:
        rad = max(0.7, 1.5 * sig)
        k = np.clip(rad + 0.5 - np.sqrt(x * x + y * y), 0, 1)
    elif u < r.p_disc + r.p_astig:
        a = rng.uniform(0, np.pi)
        s1, s2 = sig * rng.uniform(1.0, 1.6), sig * rng.uniform(0.4, 1.0)
        p = x * np.cos(a) + y * np.sin(a)
        q = -x * np.sin(a) + y * np.cos(a)
        k = np.exp(-0.5 * ((p / s1) ** 2 + (q / s2) ** 2))
    else:
        k = np.exp(-0.5 * (x * x + y * y) / sig ** 2)
    if rng.random() < r.p_drift:
        L = rng.uniform(2.0, r.drift_max)
        a = rng.uniform(0, np.pi)
        t0 = -L / 2 if rng.random() < 0.6 else 0.0  # one-sided lines also shift the image
        line = np.zeros_like(k)
        for t in np.linspace(t0, t0 + L, int(4 * L) + 1):
            py, px = half + t * np.sin(a), half + t * np.cos(a)
            iy, ix = int(np.floor(py)), int(np.floor(px))
            fy, fx = py - iy, px - ix
            for dy, wy in ((0, 1 - fy), (1, fy)):
                for dx, wx in ((0, 1 - fx), (1, fx)):
                    if 0 <= iy + dy < line.shape[0] and 0 <= ix + dx < line.shape[1]:
                        line[iy + dy, ix + dx] += wy * wx
        k = signal.fftconvolve(k, line, mode="same")
    k = np.clip(k, 0, None)
    return k / k.sum()


def add_noise(rng: np.random.Generator, img: np.ndarray, r: SemRecipe) -> np.ndarray:
    photons = float(np.exp(rng.uniform(np.log(r.photons_min), np.log(r.photons_max))))
    out = rng.poisson(np.clip(img, 0, None) * photons) / photons
    out = out + rng.uniform(0, r.read_noise_max) * rng.standard_normal(img.shape)
    return np.clip(out, 0.0, 1.0)


def synth_pair(rng: np.random.Generator, size: int, recipe: SemRecipe = SemRecipe()) -> tuple[np.ndarray, np.ndarray]:
    """(blurry, sharp) float32 [size, size] in [0, 1]."""
    k = sem_kernel(rng, recipe)
    m = k.shape[0] // 2
    big = microstructure(rng, size + 2 * m)
    blurred = signal.fftconvolve(big, k, mode="valid")  # size x size
    sharp = big[m:m + size, m:m + size]
    return add_noise(rng, blurred, recipe).astype(np.float32), sharp.astype(np.float32)


class MixedStream:
    """Batches of (blurry, sharp) [B, 1, crop, crop] tensors: a ``real_frac`` share of real training crops,
    the rest synthetic; a random dihedral transform on every sample."""

    def __init__(self, real: RealPairs | None, crop: int, batch: int, real_frac: float, seed: int,
                 recipe: SemRecipe = SemRecipe()) -> None:
        self.real, self.crop, self.batch, self.real_frac, self.recipe = real, crop, batch, real_frac, recipe
        self.rng = np.random.default_rng(seed)

    def sample(self) -> tuple[np.ndarray, np.ndarray]:
        if self.real is not None and self.rng.random() < self.real_frac:
            return self.real.crop(self.rng, self.crop)
        b, s = synth_pair(self.rng, self.crop, self.recipe)
        return dihedral_np(b, s, int(self.rng.integers(8)))

    def next(self):
        import torch
        bs = [self.sample() for _ in range(self.batch)]
        b = torch.from_numpy(np.stack([x[0] for x in bs])[:, None])
        s = torch.from_numpy(np.stack([x[1] for x in bs])[:, None])
        return b, s

    def state_dict(self) -> dict:
        return {"rng": self.rng.bit_generator.state}

    def load_state_dict(self, st: dict) -> None:
        self.rng.bit_generator.state = st["rng"]
