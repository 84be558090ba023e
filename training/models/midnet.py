"""MIDNet (SEM deblurring) and its plain NAFNet baseline, at CPU size.

MIDNet is a U-shaped NAFNet-style network (issue #6):

* MID-Block: LayerNorm -> 1x1 conv (expand x2) -> 3x3 depthwise conv -> SimpleGate (split the channels in two
  halves and multiply them) -> Simplified Channel Attention (global average pool -> 1x1 conv -> channel-wise
  multiply) -> 1x1 conv, added to the input with a learned per-channel scale initialised at zero; then a
  feed-forward branch (LayerNorm -> 1x1 (expand x2) -> SimpleGate -> 1x1) with its own zero-initialised scale.
  No nonlinear activation functions inside the block.
* Down-sampling by a 2x2 stride-2 conv (channels x2), up-sampling by a 1x1 conv (channels x2) + PixelShuffle(2)
  (channels / 2 at twice the resolution), a 3x3 conv in and out, and a global residual (output = input + net).
* Skip connections pass through a soft attention gate: encoder feature x and decoder feature g -> 1x1 convs
  -> sum -> ReLU -> 1x1 conv to one channel -> sigmoid -> weights a; the decoder continues with g + a * x.
  ``attention_skips=False`` gives the plain NAFNet baseline (g + x), all else equal.

LayerNorm is channel-wise (over C at every pixel, like NAFNet's LayerNorm2d), written with torch.mean so it
exports to plain ONNX ops (ReduceMean, Sub, Mul, Sqrt, Div). Fully convolutional; H and W must be multiples
of ``stride = 2 ** len(enc_blocks)``. Input and output: [N, 1, H, W] grey images in unit range [0, 1].

Note: channel attention pools over the whole input, so running on tiles and on the whole image can differ
slightly; the shipped metrics are whole-image inference.
"""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F


class LayerNorm2d(nn.Module):
    """LayerNorm over the channels at every pixel (NAFNet's LayerNorm2d), plain ops only."""

    def __init__(self, channels: int, eps: float = 1e-6) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(1, channels, 1, 1))
        self.bias = nn.Parameter(torch.zeros(1, channels, 1, 1))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mu = torch.mean(x, dim=1, keepdim=True)
        d = x - mu
        var = torch.mean(d * d, dim=1, keepdim=True)
        return d / torch.sqrt(var + self.eps) * self.weight + self.bias


class SimpleGate(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a, b = x.chunk(2, dim=1)
        return a * b


class MIDBlock(nn.Module):
    """NAFNet block: spatial branch with SimpleGate + simplified channel attention, then a gated FFN."""

    def __init__(self, c: int, dw_expand: int = 2, ffn_expand: int = 2) -> None:
        super().__init__()
        dw = c * dw_expand
        self.norm1 = LayerNorm2d(c)
        self.conv1 = nn.Conv2d(c, dw, 1)
        self.conv2 = nn.Conv2d(dw, dw, 3, padding=1, groups=dw)
        self.sg = SimpleGate()
        self.sca = nn.Conv2d(dw // 2, dw // 2, 1)
        self.conv3 = nn.Conv2d(dw // 2, c, 1)
        self.beta = nn.Parameter(torch.zeros(1, c, 1, 1))
        ffn = c * ffn_expand
        self.norm2 = LayerNorm2d(c)
        self.conv4 = nn.Conv2d(c, ffn, 1)
        self.conv5 = nn.Conv2d(ffn // 2, c, 1)
        self.gamma = nn.Parameter(torch.zeros(1, c, 1, 1))

    def forward(self, inp: torch.Tensor) -> torch.Tensor:
        x = self.conv2(self.conv1(self.norm1(inp)))
        x = self.sg(x)
        x = x * self.sca(torch.mean(x, dim=(2, 3), keepdim=True))
        y = inp + self.conv3(x) * self.beta
        x = self.conv5(self.sg(self.conv4(self.norm2(y))))
        return y + x * self.gamma


class AttentionGate(nn.Module):
    """Soft attention on the skip: a = sigmoid(psi(relu(Wx x + Wg g))); returns g + a * x."""

    def __init__(self, c: int, inter: int | None = None) -> None:
        super().__init__()
        inter = inter or max(c // 2, 4)
        self.wx = nn.Conv2d(c, inter, 1)
        self.wg = nn.Conv2d(c, inter, 1)
        self.psi = nn.Conv2d(inter, 1, 1)

    def forward(self, x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        a = torch.sigmoid(self.psi(F.relu(self.wx(x) + self.wg(g))))
        return g + a * x


class PlainSkip(nn.Module):
    def forward(self, x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        return g + x


class MIDNet(nn.Module):
    def __init__(self, width: int = 16, enc_blocks: Sequence[int] = (1, 1, 1, 2), middle_blocks: int = 2,
                 dec_blocks: Sequence[int] = (1, 1, 1, 1), attention_skips: bool = True, in_channels: int = 1) -> None:
        super().__init__()
        if len(enc_blocks) != len(dec_blocks):
            raise ValueError("enc_blocks and dec_blocks must have the same length")
        self.config = dict(width=width, enc_blocks=list(enc_blocks), middle_blocks=middle_blocks,
                           dec_blocks=list(dec_blocks), attention_skips=attention_skips, in_channels=in_channels)
        self.stride = 2 ** len(enc_blocks)
        self.intro = nn.Conv2d(in_channels, width, 3, padding=1)
        self.ending = nn.Conv2d(width, in_channels, 3, padding=1)
        self.encoders, self.downs = nn.ModuleList(), nn.ModuleList()
        c = width
        for n in enc_blocks:
            self.encoders.append(nn.Sequential(*[MIDBlock(c) for _ in range(n)]))
            self.downs.append(nn.Conv2d(c, 2 * c, 2, stride=2))
            c *= 2
        self.middle = nn.Sequential(*[MIDBlock(c) for _ in range(middle_blocks)])
        self.ups, self.skips, self.decoders = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        for n in dec_blocks:
            self.ups.append(nn.Sequential(nn.Conv2d(c, 2 * c, 1, bias=False), nn.PixelShuffle(2)))
            c //= 2
            self.skips.append(AttentionGate(c) if attention_skips else PlainSkip())
            self.decoders.append(nn.Sequential(*[MIDBlock(c) for _ in range(n)]))

    def forward(self, inp: torch.Tensor) -> torch.Tensor:
        if inp.dim() != 4 or inp.shape[1] != self.config["in_channels"]:
            raise ValueError(f"expected [N, {self.config['in_channels']}, H, W], got {tuple(inp.shape)}")
        if inp.shape[-2] % self.stride or inp.shape[-1] % self.stride:
            raise ValueError(f"H and W must be multiples of {self.stride}, got {tuple(inp.shape[-2:])}")
        x = self.intro(inp)
        feats = []
        for enc, down in zip(self.encoders, self.downs):
            x = enc(x)
            feats.append(x)
            x = down(x)
        x = self.middle(x)
        for up, skip, dec, f in zip(self.ups, self.skips, self.decoders, reversed(feats)):
            x = dec(skip(f, up(x)))
        return inp + self.ending(x)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def build(arch: str, **kw) -> MIDNet:
    """'midnet' (attention-gated skips) or 'nafnet' (plain additive skips)."""
    if arch not in ("midnet", "nafnet"):
        raise ValueError(f"arch must be 'midnet' or 'nafnet', got {arch!r}")
    return MIDNet(attention_skips=(arch == "midnet"), **kw)
