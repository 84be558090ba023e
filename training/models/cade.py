"""CADE-style X-ray speckle tracker (model id ``cade-xst-s``): StrainNet-f / FlowNetS lineage.

The two images are concatenated and passed through a FlowNetS-like encoder-decoder whose first two
convolutions keep full resolution (StrainNet-f, Boukhtache et al. 2021, "When Deep Learning Meets Digital
Image Correlation", doi:10.1016/j.optlaseng.2020.106308), so the finest flow is at full resolution. The
decoder predicts flows at 1/16, 1/8, 1/4, 1/2 and 1/1 (FlowNet's multi-scale heads); training uses all five
(multi-scale EPE), inference only the finest.

    [ref, def] (N,2,H,W) -> conv1 7x7 -> conv2 5x5 (1/1) -> conv3 5x5 s2 (1/2) -> conv4 s2 (1/4)
    -> conv5 s2 (1/8) -> conv6 s2 (1/16) -> flow6 -> deconv + skip + upsampled flow ... -> flow2 (1/1)

I/O contract (models/manifest.json): inputs ``ref`` and ``def`` float32 (N,1,H,W), each normalised on its own
to zero mean and unit std; H and W multiples of ``STRIDE`` (16); output ``flow`` float32 (N,2,H,W), channel
0 = u (x, columns), 1 = v (y, rows), px, with I_def(x + u) = I_ref(x).

Departures from StrainNet-f: channel widths ~1/4 to 1/8 of the original (64...1024 -> 16...192) so it trains
on two CPU cores; BatchNorm in every conv (StrainNet_f_bn); one grey channel per image instead of RGB;
sizes are multiples of 16, so FlowNet's ``crop_like`` is not needed; the raw flow heads are scaled by
``flow_scale`` (FlowNet's ``div_flow`` the other way round) so sub-pixel targets are O(1).
"""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn as nn

STRIDE = 16


def conv(cin: int, cout: int, *, k: int = 3, stride: int = 1) -> nn.Sequential:
    """Conv k x k (same padding) + BatchNorm + LeakyReLU 0.1 (FlowNetS ``conv`` with batchNorm=True)."""
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, bias=False),
                         nn.BatchNorm2d(cout), nn.LeakyReLU(0.1, inplace=True))


def deconv(cin: int, cout: int) -> nn.Sequential:
    """Transposed conv 4x4 stride 2 (x2 upsampling) + LeakyReLU 0.1 (FlowNetS ``deconv``)."""
    return nn.Sequential(nn.ConvTranspose2d(cin, cout, 4, stride=2, padding=1, bias=False), nn.LeakyReLU(0.1, inplace=True))


def predict_flow(cin: int) -> nn.Conv2d:
    """3x3 conv to the 2 flow channels (u, v)."""
    return nn.Conv2d(cin, 2, 3, padding=1, bias=False)


class CadeNet(nn.Module):
    """FlowNetS-f encoder-decoder on the concatenated pair; see module docstring.

    Keyword-only arguments:
        widths: channels of conv1, conv2, conv3, conv4, conv5, conv6 (StrainNet-f: 64, 128, 256, 512, 512, 1024).
        flow_scale: px per unit of the raw flow heads.
    """

    def __init__(self, *, widths: Sequence[int] = (8, 16, 32, 48, 64, 96), flow_scale: float = 1.0) -> None:
        super().__init__()
        c1, c2, c3, c4, c5, c6 = widths
        self.config = {"widths": list(widths), "flow_scale": float(flow_scale)}
        self.flow_scale = float(flow_scale)
        self.conv1 = conv(2, c1, k=7)
        self.conv2 = conv(c1, c2, k=5)
        self.conv3 = nn.Sequential(conv(c2, c3, k=5, stride=2), conv(c3, c3))
        self.conv4 = nn.Sequential(conv(c3, c4, stride=2), conv(c4, c4))
        self.conv5 = nn.Sequential(conv(c4, c5, stride=2), conv(c5, c5))
        self.conv6 = nn.Sequential(conv(c5, c6, stride=2), conv(c6, c6))
        d5, d4, d3, d2 = c5 // 2, c4 // 2, c3 // 2, c2 // 2
        self.predict6 = predict_flow(c6)
        self.deconv5 = deconv(c6, d5)
        self.up6 = nn.ConvTranspose2d(2, 2, 4, 2, 1, bias=False)
        self.predict5 = predict_flow(c5 + d5 + 2)
        self.deconv4 = deconv(c5 + d5 + 2, d4)
        self.up5 = nn.ConvTranspose2d(2, 2, 4, 2, 1, bias=False)
        self.predict4 = predict_flow(c4 + d4 + 2)
        self.deconv3 = deconv(c4 + d4 + 2, d3)
        self.up4 = nn.ConvTranspose2d(2, 2, 4, 2, 1, bias=False)
        self.predict3 = predict_flow(c3 + d3 + 2)
        self.deconv2 = deconv(c3 + d3 + 2, d2)
        self.up3 = nn.ConvTranspose2d(2, 2, 4, 2, 1, bias=False)
        self.predict2 = predict_flow(c2 + d2 + 2)
        for m in self.modules():  # FlowNetS initialisation
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.kaiming_normal_(m.weight, 0.1)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, ref: torch.Tensor, dfm: torch.Tensor, *, all_scales: bool = False):
        """ref, dfm: (N,1,H,W) normalised images, H and W multiples of 16. Returns flow (N,2,H,W) in px, or with
        ``all_scales`` the list [flow/16, flow/8, flow/4, flow/2, flow/1] (coarsest first, px)."""
        if ref.dim() != 4 or ref.shape[1] != 1:
            raise ValueError(f"ref must have shape (N, 1, H, W), got {tuple(ref.shape)}")
        if dfm.shape != ref.shape:
            raise ValueError(f"def must have the same shape as ref {tuple(ref.shape)}, got {tuple(dfm.shape)}")
        if not torch.jit.is_tracing() and (ref.shape[2] % STRIDE or ref.shape[3] % STRIDE):
            raise ValueError(f"H and W must be multiples of {STRIDE}, got {ref.shape[2]}x{ref.shape[3]}; pad or crop the images")
        x2 = self.conv2(self.conv1(torch.cat([ref, dfm], dim=1)))
        x3 = self.conv3(x2)
        x4 = self.conv4(x3)
        x5 = self.conv5(x4)
        x6 = self.conv6(x5)
        flow6 = self.predict6(x6)
        cat5 = torch.cat([x5, self.deconv5(x6), self.up6(flow6)], dim=1)
        flow5 = self.predict5(cat5)
        cat4 = torch.cat([x4, self.deconv4(cat5), self.up5(flow5)], dim=1)
        flow4 = self.predict4(cat4)
        cat3 = torch.cat([x3, self.deconv3(cat4), self.up4(flow4)], dim=1)
        flow3 = self.predict3(cat3)
        cat2 = torch.cat([x2, self.deconv2(cat3), self.up3(flow3)], dim=1)
        flow2 = self.predict2(cat2)
        s = self.flow_scale
        if all_scales:
            return [flow6 * s, flow5 * s, flow4 * s, flow3 * s, flow2 * s]
        return flow2 * s
