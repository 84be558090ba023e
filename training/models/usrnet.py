"""USRNet-style deep unfolding super-resolution network at CPU size (Zhang, Van Gool, Timofte, CVPR 2020).

Degradation model: y = (x ⊗ k)↓s + n, with ⊗ circular 2-D convolution (kernel centre at floor(kh/2),
floor(kw/2)), ↓s keeping the samples x[0::s, 0::s], n white Gaussian noise of std σ ([0, 1] image scale).

Note: I/O contract (the app's TypeScript loop re-implements everything here except the two ONNX nets).
  * Hyper-parameter net ``HyPaNet`` (ONNX ``usrnet-s-hypa``): input ``cond`` float32 [N, 2, 1, 1] =
    (σ on the [0, 1] scale, s as a float); output ``ab`` float32 [N, 2K, 1, 1], already Softplus + 1e-6;
    α_k = ab[:, k], β_k = ab[:, K + k], k = 0..K-1.
  * Prior ``ResUNetPrior`` (ONNX ``usrnet-s-prior``): inputs ``x`` [N, 1, H, W] (current estimate) and
    ``noise`` [N, 1, H, W] (a constant map filled with β_k), output ``y`` [N, 1, H, W]; H, W multiples
    of 8. In the unfolding loop the estimate is padded at the bottom/right to a multiple of 8 with
    REFLECT padding (F.pad mode='reflect', mirror without repeating the edge pixel), then cropped back.
  * Data step (closed form, as USRNet's DataNet) with FB = p2o(k, (H·s, W·s)), FBC = conj(FB),
    F2B = |FB|², STy = zero-insertion up-sampling of y, FBFy = FBC·fft2(STy):
        FR = FBFy + fft2(α z);  x1 = FB·FR;  FBR = blockmean(x1);  invW = blockmean(F2B)
        invWBR = FBR / (invW + α);  FCBinvWBR = FBC · tile(invWBR, s, s);  FX = (FR − FCBinvWBR) / α
        z ← real(ifft2(FX))
    where blockmean averages the s×s distinct (H×W)-sized blocks of the (H·s × W·s) spectrum (``splits``).
  * Start: z0 = nearest up-sampling of y by s. Iteration k: z ← data(z, α_k); z ← prior(z, β_k).
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

STRIDE = 8
N_ITER = 8


# ---------------------------------------------------------------- data module (FFT, closed form)

def p2o(psf: torch.Tensor, shape: tuple[int, int]) -> torch.Tensor:
    """OTF of ``psf`` [N, C, kh, kw] for images of ``shape``: zero-pad into the top-left corner, roll by
    (-floor(kh/2), -floor(kw/2)), fft2. (USRNet's p2o.) Kernels larger than the image are wrapped."""
    kh, kw = psf.shape[-2:]
    H, W = shape
    if kh > H or kw > W:  # fold the kernel circularly into the image size (same as circular convolution)
        otf = torch.zeros(psf.shape[:-2] + (max(H, kh), max(W, kw)), dtype=psf.dtype, device=psf.device)
        otf[..., :kh, :kw] = psf
        otf = torch.roll(otf, shifts=(-(kh // 2), -(kw // 2)), dims=(-2, -1))
        folded = torch.zeros(psf.shape[:-2] + (H, W), dtype=psf.dtype, device=psf.device)
        for i in range(0, otf.shape[-2], H):
            for j in range(0, otf.shape[-1], W):
                blk = otf[..., i:i + H, j:j + W]
                folded[..., :blk.shape[-2], :blk.shape[-1]] += blk
        return torch.fft.fft2(folded)
    otf = torch.zeros(psf.shape[:-2] + (H, W), dtype=psf.dtype, device=psf.device)
    otf[..., :kh, :kw] = psf
    otf = torch.roll(otf, shifts=(-(kh // 2), -(kw // 2)), dims=(-2, -1))
    return torch.fft.fft2(otf)


def upsample_zero(y: torch.Tensor, s: int) -> torch.Tensor:
    """Zero-insertion up-sampling: out[..., 0::s, 0::s] = y, zeros elsewhere."""
    z = torch.zeros(y.shape[:-2] + (y.shape[-2] * s, y.shape[-1] * s), dtype=y.dtype, device=y.device)
    z[..., 0::s, 0::s] = y
    return z


def downsample(x: torch.Tensor, s: int) -> torch.Tensor:
    return x[..., 0::s, 0::s]


def blur_circular(x: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    """Circular convolution of x [N,C,H,W] with k [N,1,kh,kw] (centre floor(k/2)), via the same p2o."""
    FB = p2o(k, x.shape[-2:])
    return torch.real(torch.fft.ifft2(FB * torch.fft.fft2(x)))


def splits(a: torch.Tensor, s: int) -> torch.Tensor:
    """[.., H·s, W·s] -> [.., H, W, s·s]: the s×s distinct blocks stacked on a new last axis (USRNet)."""
    b = torch.stack(torch.chunk(a, s, dim=-2), dim=-1)
    b = torch.cat(torch.chunk(b, s, dim=-2), dim=-1)
    return b


class DataPre:
    """Per-(y, k, s) constants of the data step."""

    def __init__(self, y: torch.Tensor, k: torch.Tensor, s: int) -> None:
        H, W = y.shape[-2:]
        self.s = s
        self.FB = p2o(k, (H * s, W * s))
        self.FBC = torch.conj(self.FB)
        self.F2B = torch.abs(self.FB) ** 2
        self.FBFy = self.FBC * torch.fft.fft2(upsample_zero(y, s))
        self.invW = torch.mean(splits(self.F2B, s), dim=-1)


def data_step(z: torch.Tensor, pre: DataPre, alpha: torch.Tensor) -> torch.Tensor:
    s = pre.s
    FR = pre.FBFy + torch.fft.fft2(alpha * z)
    x1 = pre.FB * FR
    FBR = torch.mean(splits(x1, s), dim=-1)
    invWBR = FBR / (pre.invW + alpha)
    FCBinvWBR = pre.FBC * invWBR.repeat(1, 1, s, s)
    FX = (FR - FCBinvWBR) / alpha
    return torch.real(torch.fft.ifft2(FX))


# ---------------------------------------------------------------- hyper-parameter module

class HyPaNet(nn.Module):
    """cond [N,2,1,1] = (σ, s) -> ab [N,2K,1,1] = Softplus(...) + 1e-6."""

    def __init__(self, n_iter: int = N_ITER, channels: int = 64) -> None:
        super().__init__()
        self.n_iter = n_iter
        self.mlp = nn.Sequential(
            nn.Conv2d(2, channels, 1), nn.ReLU(inplace=True),
            nn.Conv2d(channels, channels, 1), nn.ReLU(inplace=True),
            nn.Conv2d(channels, 2 * n_iter, 1), nn.Softplus())

    def forward(self, cond: torch.Tensor) -> torch.Tensor:
        return self.mlp(cond) + 1e-6


# ---------------------------------------------------------------- prior (ResUNet, no BatchNorm)

class ResBlock(nn.Module):
    def __init__(self, c: int) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(c, c, 3, padding=1, bias=False), nn.ReLU(inplace=True),
                                  nn.Conv2d(c, c, 3, padding=1, bias=False))

    def forward(self, x):
        return x + self.body(x)


class ResUNetPrior(nn.Module):
    """USRNet's ResUNet at CPU size: head conv, 3 levels (resblocks + 2×2 stride-2 conv), body, transposed
    conv up + resblocks with additive skips, tail conv. Inputs x and noise [N,1,H,W] (concatenated inside),
    H, W multiples of 8. Output = x + tail(...) (a global residual helps the short CPU training)."""

    def __init__(self, channels=(16, 32, 64, 64), nb: int = 2) -> None:
        super().__init__()
        c = list(channels)
        self.channels, self.nb = tuple(c), nb
        rb = lambda ch: [ResBlock(ch) for _ in range(nb)]  # noqa: E731
        self.head = nn.Conv2d(2, c[0], 3, padding=1, bias=False)
        self.down1 = nn.Sequential(*rb(c[0]), nn.Conv2d(c[0], c[1], 2, stride=2, bias=False))
        self.down2 = nn.Sequential(*rb(c[1]), nn.Conv2d(c[1], c[2], 2, stride=2, bias=False))
        self.down3 = nn.Sequential(*rb(c[2]), nn.Conv2d(c[2], c[3], 2, stride=2, bias=False))
        self.body = nn.Sequential(*rb(c[3]))
        self.up3 = nn.Sequential(nn.ConvTranspose2d(c[3], c[2], 2, stride=2, bias=False), *rb(c[2]))
        self.up2 = nn.Sequential(nn.ConvTranspose2d(c[2], c[1], 2, stride=2, bias=False), *rb(c[1]))
        self.up1 = nn.Sequential(nn.ConvTranspose2d(c[1], c[0], 2, stride=2, bias=False), *rb(c[0]))
        self.tail = nn.Conv2d(c[0], 1, 3, padding=1, bias=False)
        nn.init.zeros_(self.tail.weight)  # start as the identity, so 8 stacked iterations do not drift at init

    def forward(self, x: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        x1 = self.head(torch.cat((x, noise), dim=1))
        x2 = self.down1(x1)
        x3 = self.down2(x2)
        x4 = self.down3(x3)
        h = self.body(x4)
        h = self.up3(h + x4)
        h = self.up2(h + x3)
        h = self.up1(h + x2)
        return x + self.tail(h + x1)


def pad_to_stride(x: torch.Tensor, stride: int = STRIDE) -> tuple[torch.Tensor, int, int]:
    """Reflect-pad bottom/right to multiples of ``stride`` (mirror without repeating the edge pixel)."""
    H, W = x.shape[-2:]
    ph, pw = (-H) % stride, (-W) % stride
    if ph or pw:
        x = F.pad(x, (0, pw, 0, ph), mode="reflect")
    return x, H, W


class USRNetS(nn.Module):
    """Unfolding network: forward(y [N,1,h,w], k [N,1,kh,kw], s int, sigma [N,1,1,1]) -> x [N,1,h·s,w·s]."""

    def __init__(self, n_iter: int = N_ITER, channels=(16, 32, 64, 64), nb: int = 2, hypa_channels: int = 64) -> None:
        super().__init__()
        self.n_iter = n_iter
        self.config = {"n_iter": n_iter, "channels": list(channels), "nb": nb, "hypa_channels": hypa_channels}
        self.h = HyPaNet(n_iter, hypa_channels)
        self.p = ResUNetPrior(channels, nb)

    def hypa(self, sigma: torch.Tensor, s: int) -> torch.Tensor:
        cond = torch.cat((sigma, torch.full_like(sigma, float(s))), dim=1)
        return self.h(cond)

    def prior(self, z: torch.Tensor, beta: torch.Tensor) -> torch.Tensor:
        zp, H, W = pad_to_stride(z)
        out = self.p(zp, beta.expand(-1, 1, zp.shape[-2], zp.shape[-1]))
        return out[..., :H, :W]

    def forward(self, y: torch.Tensor, k: torch.Tensor, s: int, sigma: torch.Tensor, trace: bool = False):
        pre = DataPre(y, k, s)
        z = F.interpolate(y, scale_factor=s, mode="nearest")
        ab = self.hypa(sigma, s)
        steps = []
        for i in range(self.n_iter):
            z = data_step(z, pre, ab[:, i:i + 1])
            if trace:
                steps.append(("data", z.detach().clone()))
            z = self.prior(z, ab[:, self.n_iter + i:self.n_iter + i + 1])
            if trace:
                steps.append(("prior", z.detach().clone()))
        if trace:
            return z, ab, steps
        return z


def count_params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters() if p.requires_grad)
