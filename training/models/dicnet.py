"""DICNet: a correlation-based CNN for dense DIC displacement fields (model id ``dicnet-s``).

Architecture (after the DICNet / "Deep DIC" family of papers: shared-weight feature branches with a
multi-scale dilated block, a FlowNet-style correlation layer, hybrid channel + spatial attention, U-Net
decoder), sized for CPU training; the ``width`` tuple scales every stage.

    ref, def (N,1,H,W) --FeatureExtractor (shared)--> f/1 (c0), f/2 (c1), f/4 (c2)
    Correlation(f_ref/4, f_def/4, d), cosine (features L2-normalised) --> (2d+1)^2 channels at 1/4; d = 4 covers +-16 px at full resolution
    SoftArgmax(corr) --> coarse flow at 1/4 (expected displacement under a softmax over the volume)
    [corr, 1x1(f_ref/4), coarse] --encoder--> e/4 --stride 2--> e/8 --HybridAttention--> bottleneck
    flow/8 = avgpool(coarse) + head(e/8)
    decoder: up to 1/4 (+ e/4), 1/2 (+ f_ref/2, f_def/2), 1/1 (+ f_ref/1, f_def/1), each level predicting a
    residual flow added to the upsampled coarser flow; output flow (N,2,H,W) in px.

Light form (``ms_depth=1, full_res_decoder=False``; the shipped dicnet-s): one dilated conv per multi-scale
branch instead of two stacked, and the decoder stops at 1/2, its flow upsampled bilinearly to full
resolution. With 4-8 channels, the full-resolution layers cost far more CPU time than their share of the
arithmetic (each is a pass over a full-size tensor), and these two were the largest of them; on speckle
fields, which are smooth at the scale of a pixel, the half-resolution flow upsampled loses nothing measurable
(training/README.md has the figures).

I/O contract (models/manifest.json): inputs ``ref`` and ``def`` float32 (N,1,H,W), each normalised on its own
to zero mean and unit std; H and W multiples of ``STRIDE`` (8); output ``flow`` float32 (N,2,H,W), channel
0 = u (x, columns), 1 = v (y, rows), px, with I_def(x + u) = I_ref(x).

Departures from the papers: (1) the correlation is written with padding, slicing and multiplication of
ordinary tensor ops so that PyTorch 1.13 exports it to ONNX (no custom CUDA correlation kernel);
(2) a soft-argmax over the correlation volume gives a coarse flow that the decoder refines, and
coarse-to-fine residual flow heads (as in FlowNet's multi-scale outputs) instead of a single head, so
the network can be trained with deep supervision; (3) channel widths are ~1/4 of the papers' to train on
two CPU cores. The channel attention pools over the whole input, so an image processed in tiles can differ
slightly from the same image processed whole (speckle statistics are stationary, so the effect is small);
(4) the light form above, for speed on CPU.
"""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

STRIDE = 8


def conv_bn(cin: int, cout: int, *, k: int = 3, stride: int = 1, dilation: int = 1, act: bool = True) -> nn.Sequential:
    """Conv k x k (same padding) + BatchNorm (+ LeakyReLU 0.1)."""
    layers: list[nn.Module] = [
        nn.Conv2d(cin, cout, k, stride=stride, padding=dilation * (k // 2), dilation=dilation, bias=False),
        nn.BatchNorm2d(cout),
    ]
    if act:
        layers.append(nn.LeakyReLU(0.1, inplace=True))
    return nn.Sequential(*layers)


class DepthwiseSeparable(nn.Sequential):
    """Depthwise 3x3 + pointwise 1x1 convolution, each with BatchNorm and LeakyReLU (MobileNet block)."""

    def __init__(self, cin: int, cout: int, *, stride: int = 1) -> None:
        super().__init__(
            nn.Conv2d(cin, cin, 3, stride=stride, padding=1, groups=cin, bias=False),
            nn.BatchNorm2d(cin),
            nn.LeakyReLU(0.1, inplace=True),
            nn.Conv2d(cin, cout, 1, bias=False),
            nn.BatchNorm2d(cout),
            nn.LeakyReLU(0.1, inplace=True),
        )


class MultiScaleBlock(nn.Module):
    """Identity skip + four branches of ``depth`` stacked dilated 3x3 convs (dilations 1, 2, 4, 8), 1x1-fused."""

    def __init__(self, channels: int, *, dilations: Sequence[int] = (1, 2, 4, 8), depth: int = 2) -> None:
        super().__init__()
        mid = max(channels // 2, 4)
        self.branches = nn.ModuleList(
            nn.Sequential(*(conv_bn(channels if i == 0 else mid, mid, dilation=d) for i in range(depth))) for d in dilations
        )
        self.fuse = conv_bn(mid * len(dilations), channels, k=1, act=False)
        self.act = nn.LeakyReLU(0.1, inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(x + self.fuse(torch.cat([b(x) for b in self.branches], dim=1)))


class FeatureExtractor(nn.Module):
    """Shared-weight branch: features at 1/1, 1/2 and 1/4 of the input resolution."""

    def __init__(self, widths: Sequence[int], *, ms_depth: int = 2) -> None:
        super().__init__()
        c0, c1, c2 = widths[0], widths[1], widths[2]
        self.stem = conv_bn(1, c0)
        self.multiscale = MultiScaleBlock(c0, depth=ms_depth)
        self.down1 = nn.Sequential(conv_bn(c0, c1, stride=2), DepthwiseSeparable(c1, c1))
        # last layer linear (no activation): signed, zero-mean features correlate better than rectified ones
        self.down2 = nn.Sequential(conv_bn(c1, c2, stride=2), DepthwiseSeparable(c2, c2), conv_bn(c2, c2, act=False))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        f1 = self.multiscale(self.stem(x))
        f2 = self.down1(f1)
        f4 = self.down2(f2)
        return f1, f2, f4


class Correlation(nn.Module):
    """FlowNet correlation, kernel 1, stride 1: out[k] = mean_c a(x) * b(x + d_k), d_k in [-d, d]^2.

    Channel k = (dy + d) * (2d + 1) + (dx + d). The export path is zero padding, then per row of
    displacements dy the 2d + 1 shifted slices of b stacked, multiplied by a and summed over channels with a
    MatMul by a constant 1/C row: plain ONNX Slice/Concat/Mul/MatMul, memory O((2d + 1) C H W), and the slice
    bounds are constants so H and W stay dynamic. (The first export reduced each of the (2d + 1)^2 products
    with ReduceMean over the channel axis; ONNX Runtime's CPU reduction over a middle axis made that 30 % of
    the whole network's time at 1024^2, the MatMul form is 2.9x faster for the same sums.)
    """

    def __init__(self, max_displacement: int) -> None:
        super().__init__()
        self.d = int(max_displacement)

    @property
    def out_channels(self) -> int:
        return (2 * self.d + 1) ** 2

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        if a.shape != b.shape:
            raise ValueError(f"Correlation inputs must have equal shapes, got {tuple(a.shape)} and {tuple(b.shape)}")
        if self.export_friendly or torch.jit.is_tracing() or torch.onnx.is_in_onnx_export():
            return self._sliced(a, b)
        return self._unfolded(a, b)

    #: force the slice-and-multiply path outside export too (golden parity files use it)
    export_friendly = False

    def _sliced(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        d = self.d
        n, c, h, w = a.shape
        k = 2 * d + 1
        bp = F.pad(b, (d, d, d, d))
        span = 2 * d
        mean_row = torch.full((1, c), 1.0 / c, dtype=a.dtype, device=a.device)
        out = []
        for dy in range(-d, d + 1):
            y0, y1 = dy + d, dy + d - span  # rows [y0, end - (span - y0)): constant bounds, dynamic H
            rows = bp[:, :, y0:(y1 if y1 != 0 else None), :]
            strip = torch.stack([rows[:, :, :, dx + d:(dx + d - span if dx + d - span != 0 else None)]
                                 for dx in range(-d, d + 1)], dim=2)  # (N, C, 2d+1, H, W)
            prod = (a.unsqueeze(2) * strip).reshape(n, c, k * h * w)
            out.append(torch.matmul(mean_row, prod).reshape(n, k, h, w))
        return torch.cat(out, dim=1)

    def _unfolded(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """Same values via one unfold (faster to train on CPU: 2 big ops instead of (2d+1)^2 small ones)."""
        n, c, h, w = a.shape
        k = 2 * self.d + 1
        bu = F.unfold(F.pad(b, (self.d,) * 4), k).view(n, c, k * k, h, w)
        return (a.unsqueeze(2) * bu).mean(dim=1)


class SoftArgmax(nn.Module):
    """Expected displacement under softmax(beta * correlation): a parameter-light coarse flow in px.

    Channel k of the correlation holds displacement (dx, dy) = (k % (2d+1) - d, k // (2d+1) - d) at 1/4
    resolution; the result is sum_k p_k (dx, dy) * 4 px, (N, 2, H/4, W/4). beta is learned. Exported as
    Exp plus fixed 1x1 convolutions (see forward); Softmax plus one 1x1 convolution otherwise.
    """

    def __init__(self, max_displacement: int, scale: float) -> None:
        super().__init__()
        d = int(max_displacement)
        r = torch.arange(-d, d + 1, dtype=torch.float32) * scale
        dy, dx = torch.meshgrid(r, r, indexing="ij")
        self.register_buffer("kernel", torch.stack([dx.reshape(-1), dy.reshape(-1)]).view(2, -1, 1, 1))
        self.log_beta = nn.Parameter(torch.tensor(2.3))  # beta ~ 10 on a cosine volume in [-1, 1]

    def forward(self, corr: torch.Tensor) -> torch.Tensor:
        beta = self.log_beta.exp()
        exporting = self.export_friendly or torch.jit.is_tracing() or torch.onnx.is_in_onnx_export()
        if exporting and float(beta) < self.EXP_SAFE_BETA:
            # Export path: ONNX Runtime's CPU Softmax over the channel axis of NCHW transposes the whole volume;
            # Exp plus two 1x1 convolutions gives the same expectation several times faster. The cosine volume
            # is at most 1, so exp(beta (corr - 1)) lies in [exp(-2 beta), 1]: no overflow, and no underflow of
            # every channel while beta < EXP_SAFE_BETA (exp(-87) is float32's smallest normal).
            e = torch.exp((corr - 1.0) * beta)
            return F.conv2d(e, self.kernel) / F.conv2d(e, torch.ones_like(self.kernel[:1]))
        p = torch.softmax(corr * beta, dim=1)
        return F.conv2d(p, self.kernel)

    #: force the export path outside export too (golden parity files and the smoke test use it)
    export_friendly = False

    #: largest beta for which the export path's un-shifted exponentials stay within float32 (2 beta < 87)
    EXP_SAFE_BETA = 40.0


class HybridAttention(nn.Module):
    """CBAM-style attention: channel (avg & max pool -> shared 2-layer MLP -> sigmoid), then spatial
    (channel-wise avg & max -> 7x7 conv -> sigmoid)."""

    def __init__(self, channels: int, *, reduction: int = 8) -> None:
        super().__init__()
        hidden = max(channels // reduction, 4)
        self.mlp = nn.Sequential(nn.Conv2d(channels, hidden, 1), nn.ReLU(inplace=True), nn.Conv2d(hidden, channels, 1))
        self.spatial = nn.Conv2d(2, 1, 7, padding=3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        avg = x.mean(dim=(2, 3), keepdim=True)
        mx = x.amax(dim=(2, 3), keepdim=True)
        x = x * torch.sigmoid(self.mlp(avg) + self.mlp(mx))
        s = torch.cat([x.mean(dim=1, keepdim=True), x.amax(dim=1, keepdim=True)], dim=1)
        return x * torch.sigmoid(self.spatial(s))


class UpLevel(nn.Module):
    """Decoder level: transposed-conv x2 upsampling, concat skip and upsampled flow, convs, residual flow."""

    def __init__(self, cin: int, cskip: int, cout: int) -> None:
        super().__init__()
        self.up = nn.Sequential(nn.ConvTranspose2d(cin, cout, 4, stride=2, padding=1, bias=False),
                                nn.BatchNorm2d(cout), nn.LeakyReLU(0.1, inplace=True))
        self.body = nn.Sequential(conv_bn(cout + cskip + 2, cout), conv_bn(cout, cout))
        self.flow = nn.Conv2d(cout, 2, 3, padding=1)

    def forward(self, x: torch.Tensor, skip: torch.Tensor, flow_up: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        y = self.body(torch.cat([self.up(x), skip, flow_up], dim=1))
        return y, flow_up + self.flow(y)


class DICNet(nn.Module):
    """Two-branch correlation network for dense displacement: (ref, def) -> flow, see module docstring.

    Keyword-only arguments:
        widths: channels of (features 1/1, 1/2, 1/4, encoder 1/4, encoder 1/8).
        max_displacement: correlation range d at 1/4 resolution (covers +-4d px at full resolution).
        flow_scale: px per unit of the raw flow heads (keeps head outputs O(1) for +-16 px targets).
        ms_depth: dilated convs stacked in each branch of the multi-scale block.
        full_res_decoder: with False the decoder stops at 1/2 and the output is that flow upsampled
            bilinearly (the lighter "fast" form: the full-resolution decoder level and half of the
            full-resolution feature work are about a third of the network's CPU time at 1024^2).
    """

    def __init__(self, *, widths: Sequence[int] = (8, 16, 32, 48, 64), max_displacement: int = 4,
                 flow_scale: float = 8.0, ms_depth: int = 2, full_res_decoder: bool = True) -> None:
        super().__init__()
        c0, c1, c2, e4, e8 = widths
        self.config = {"widths": list(widths), "max_displacement": int(max_displacement), "flow_scale": float(flow_scale)}
        if ms_depth != 2 or not full_res_decoder:  # only non-default options, so older checkpoints' configs still match
            self.config.update(ms_depth=int(ms_depth), full_res_decoder=bool(full_res_decoder))
        self.flow_scale = float(flow_scale)
        self.features = FeatureExtractor((c0, c1, c2), ms_depth=ms_depth)
        self.corr = Correlation(max_displacement)
        self.corr_act = nn.LeakyReLU(0.1)  # not in place: the soft-argmax reads the raw volume too
        self.soft_argmax = SoftArgmax(max_displacement, 4.0)
        self.reduce_ref = conv_bn(c2, 32, k=1)
        self.enc4 = nn.Sequential(conv_bn(self.corr.out_channels + 32 + 2, e4), DepthwiseSeparable(e4, e4))
        self.enc8 = nn.Sequential(conv_bn(e4, e8, stride=2), DepthwiseSeparable(e8, e8), conv_bn(e8, e8))
        self.attention = HybridAttention(e8)
        self.flow8 = nn.Conv2d(e8, 2, 3, padding=1)
        self.up4 = UpLevel(e8, e4, e4)
        self.up2 = UpLevel(e4, 2 * c1, c1)
        self.up1 = UpLevel(c1, 2 * c0, c0) if full_res_decoder else None

    def forward(self, ref: torch.Tensor, dfm: torch.Tensor, *, all_scales: bool = False):
        """ref, dfm: (N,1,H,W) normalised images, H and W multiples of 8. Returns flow (N,2,H,W) in px, or with
        ``all_scales`` the list [soft-argmax flow/4, flow/8, flow/4, flow/2, flow/1] (all in full-resolution px;
        the first is the parameter-free estimate from the correlation volume, supervised to shape the features)."""
        if ref.dim() != 4 or ref.shape[1] != 1:
            raise ValueError(f"ref must have shape (N, 1, H, W), got {tuple(ref.shape)}")
        if dfm.shape != ref.shape:
            raise ValueError(f"def must have the same shape as ref {tuple(ref.shape)}, got {tuple(dfm.shape)}")
        if not torch.jit.is_tracing() and (ref.shape[2] % STRIDE or ref.shape[3] % STRIDE):
            raise ValueError(f"H and W must be multiples of {STRIDE}, got {ref.shape[2]}x{ref.shape[3]}; pad or crop the images")
        r1, r2, r4 = self.features(ref)  # the same module twice: shared weights
        d1, d2, d4 = self.features(dfm)
        # cosine correlation: features L2-normalised per pixel, so the volume lies in [-1, 1]
        c = self.corr(F.normalize(r4, dim=1), F.normalize(d4, dim=1)) * r4.shape[1]
        s = self.flow_scale
        coarse = self.soft_argmax(c)  # px, 1/4 resolution
        e4 = self.enc4(torch.cat([self.corr_act(c), self.reduce_ref(r4), coarse / s], dim=1))
        e8 = self.attention(self.enc8(e4))
        flow8 = F.avg_pool2d(coarse / s, 2) + self.flow8(e8)
        x, flow4 = self.up4(e8, e4, F.interpolate(flow8, scale_factor=2.0, mode="bilinear", align_corners=False))
        x, flow2 = self.up2(x, torch.cat([r2, d2], dim=1), F.interpolate(flow4, scale_factor=2.0, mode="bilinear", align_corners=False))
        flow2_up = F.interpolate(flow2, scale_factor=2.0, mode="bilinear", align_corners=False)
        if self.up1 is None:
            flow1 = flow2_up
        else:
            _, flow1 = self.up1(x, torch.cat([r1, d1], dim=1), flow2_up)
        if all_scales:
            return [coarse, flow8 * s, flow4 * s, flow2 * s, flow1 * s]
        return flow1 * s


def count_parameters(model: nn.Module) -> int:
    """Trainable parameters (weights and biases; BatchNorm running statistics are buffers, not counted)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
