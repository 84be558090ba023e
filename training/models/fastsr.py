"""Fast single-image SR for grey images: FSRCNN (Dong, Loy, Tang, ECCV 2016) with the deconvolution replaced
by ESPCN's sub-pixel convolution (conv to s² channels + PixelShuffle), one model per scale.

Note: I/O contract. Input ``lr`` float32 [N, 1, h, w] on [0, 1] (8-bit / 255), any h, w (stride 1);
output ``sr`` float32 [N, 1, h·s, w·s] on [0, 1] (not clipped). Trained on MATLAB-bicubic (antialiased)
×1/s down-sampling, so LR pixel (i, j) is centred on the HR s×s block (i·s .. i·s+s−1, j·s .. j·s+s−1).
The network predicts a residual over the nearest-neighbour up-sampling of ``lr`` (written as channel
repeat + PixelShuffle, i.e. DepthToSpace in ONNX).
"""
from __future__ import annotations

import torch
import torch.nn as nn


class FSRCNN(nn.Module):
    def __init__(self, scale: int, d: int = 56, s: int = 12, m: int = 4) -> None:
        super().__init__()
        self.scale = scale
        self.config = {"scale": scale, "d": d, "s": s, "m": m}
        layers = [nn.Conv2d(1, d, 5, padding=2), nn.PReLU(d), nn.Conv2d(d, s, 1), nn.PReLU(s)]
        for _ in range(m):
            layers += [nn.Conv2d(s, s, 3, padding=1), nn.PReLU(s)]
        layers += [nn.Conv2d(s, d, 1), nn.PReLU(d), nn.Conv2d(d, scale * scale, 3, padding=1)]
        self.body = nn.Sequential(*layers)
        self.shuffle = nn.PixelShuffle(scale)
        nn.init.zeros_(self.body[-1].weight)
        nn.init.zeros_(self.body[-1].bias)

    def forward(self, lr: torch.Tensor) -> torch.Tensor:
        base = self.shuffle(lr.repeat(1, self.scale * self.scale, 1, 1))
        return base + self.shuffle(self.body(lr))
