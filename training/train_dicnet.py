#!/usr/bin/env python3
"""Train DICNet (model id ``dicnet-s``): supervised pre-training, then unsupervised warp-loss training.

Data (training/data/recipes.py ``DicRecipe``): paint-like speckle 2.5-6 px; fields within +-16 px per
component: constant, affine (gradient <= 0.25), translation + smooth random, and piecewise (two fields either
side of a straight crack); gain, offset and illumination-ramp changes on the deformed image; Gaussian noise.

Phase 1 (training progress < 1 - --unsup-fraction): multi-scale EPE against the known field, including the
soft-argmax flow read off the correlation volume (``--coarse-weight``), which trains the features to match.
Phase 2 (the rest): no labels: the deformed image is warped back by the predicted field
(grid_sample, bicubic, align_corners=True; training only) and compared with the real reference,
loss = MSE + (1 - Pearson correlation) over in-image samples. Validation EPE (against the known synthetic
field) is logged throughout, so the effect of phase 2 is visible in log.jsonl.

Example (the command behind models/dicnet-s.onnx; see training/README.md for the figures it gave):
    /usr/bin/python3 training/train_dicnet.py --threads 1 --max-minutes 40
    /usr/bin/python3 training/export_onnx.py --id dicnet-s --checkpoint training/runs/dicnet-s/last.pt
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

from training.common.evaluate import validation_set  # noqa: E402
from training.common.losses import epe, multiscale_epe, warp_loss  # noqa: E402
from training.common.runtime import BatchStream, setup_threads, warmup_cosine  # noqa: E402
from training.common.trainer import add_common_args, train  # noqa: E402
from training.data.recipes import DicRecipe, dic_batch, dihedral  # noqa: E402
from training.models.dicnet import STRIDE, DICNet  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(p, model_id="dicnet-s", steps=3000, batch=8, crop=64, lr=1e-3)
    p.add_argument("--unsup-fraction", type=float, default=0.2,
                   help="the last this fraction of training progress (steps or --max-minutes, whichever ends first) "
                        "trains without labels (warp loss)")
    p.add_argument("--unsup-lr-factor", type=float, default=0.2, help="peak LR of the unsupervised phase / --lr")
    p.add_argument("--unsup-sup-weight", type=float, default=0.0,
                   help="weight of the supervised EPE kept during the unsupervised phase (0 = purely unsupervised)")
    p.add_argument("--mse-weight", type=float, default=1.0, help="weight of the MSE term of the warp loss")
    p.add_argument("--corr-weight", type=float, default=1.0, help="weight of the (1 - Pearson) term of the warp loss")
    p.add_argument("--widths", default="8,16,32,48,64", help="channels: features 1/1, 1/2, 1/4, encoder 1/4, 1/8")
    p.add_argument("--max-displacement", type=int, default=4, help="correlation range d at 1/4 resolution (covers +-4d px)")
    p.add_argument("--flow-scale", type=float, default=8.0, help="px per unit of the raw flow heads")
    p.add_argument("--ms-depth", type=int, default=2, help="dilated convs stacked in each multi-scale branch")
    p.add_argument("--no-full-res-decoder", action="store_true",
                   help="stop the decoder at 1/2 resolution and upsample its flow (the lighter, faster form)")
    p.add_argument("--ms-weights", default="0.1,0.2,0.4,1.0", help="multi-scale EPE weights, 1/8 to 1/1 scale")
    p.add_argument("--coarse-weight", type=float, default=0.5,
                   help="EPE weight of the soft-argmax flow read off the correlation volume (trains the features to match)")
    p.add_argument("--max-disp", type=float, default=16.0, help="largest displacement component in the training fields, px")
    p.add_argument("--max-grad", type=float, default=0.25, help="largest displacement gradient in the training fields")
    p.add_argument("--speckle-min", type=float, default=2.5, help="smallest speckle size, px")
    p.add_argument("--speckle-max", type=float, default=6.0, help="largest speckle size, px")
    p.add_argument("--noise-max", type=float, default=0.03, help="largest Gaussian noise sigma (image range ~0.1-0.9)")
    p.add_argument("--oversample", type=int, default=4, help="generator oversampling (samples per pixel and axis)")
    p.add_argument("--small-fraction", type=float, default=0.0,
                   help="fraction of training pairs with the field scaled to within +-small-max px (the sub-pixel "
                        "regime of refinement passes); validation keeps the full +-max-disp fields")
    p.add_argument("--small-max", type=float, default=1.5, help="largest displacement of the small-field pairs, px")
    args = p.parse_args(argv)
    if args.crop % STRIDE:
        p.error(f"--crop must be a multiple of {STRIDE}, got {args.crop}")
    if not 0.0 <= args.small_fraction <= 1.0:
        p.error("--small-fraction must be between 0 and 1")
    if not 0.0 < args.small_max <= args.max_disp:
        p.error("--small-max must be in (0, --max-disp]")
    if not 0.0 <= args.unsup_fraction <= 1.0:
        p.error("--unsup-fraction must be between 0 and 1")
    return args


def lr_schedule(args: argparse.Namespace):
    """Warm-up + cosine over the supervised phase, then a second, lower cosine over the unsupervised phase
    (both over training progress, see common/runtime.py Budget.progress)."""
    split = 1.0 - args.unsup_fraction
    sup = warmup_cosine(args.warmup, args.lr_floor)
    uns = warmup_cosine(0, args.lr_floor)

    def f(step: int, progress: float) -> float:
        if progress < split or args.unsup_fraction == 0:
            return sup(step, progress / max(split, 1e-9))
        return args.unsup_lr_factor * uns(step, (progress - split) / args.unsup_fraction)
    return f


def main(argv=None) -> dict:
    args = parse_args(argv)
    setup_threads(args.threads)
    torch.manual_seed(args.seed)
    widths = tuple(int(c) for c in args.widths.split(","))
    weights = [float(w) for w in args.ms_weights.split(",")]
    model = DICNet(widths=widths, max_displacement=args.max_displacement, flow_scale=args.flow_scale,
                   ms_depth=args.ms_depth, full_res_decoder=not args.no_full_res_decoder)
    recipe = DicRecipe(height=args.crop, width=args.crop, max_disp=args.max_disp, max_grad=args.max_grad,
                       speckle_min=args.speckle_min, speckle_max=args.speckle_max, noise_max=args.noise_max,
                       oversample=args.oversample, small_fraction=args.small_fraction, small_max=args.small_max)
    stream = BatchStream(lambda g: dic_batch(g, args.batch_size, recipe), dihedral, seed=args.seed, reuse=args.reuse)
    vset = validation_set("dic", seed=args.seed, pairs=args.val_pairs, size=args.crop,
                          recipe=dataclasses.replace(recipe, small_fraction=0.0))
    split = 1.0 - args.unsup_fraction

    def loss_fn(m, batch, step, progress):
        if progress < split:
            preds = m(batch["ref"], batch["def"], all_scales=True)
            loss = multiscale_epe(preds, batch["flow"], [args.coarse_weight] + weights)
            return loss, {"epe": float(epe(preds[-1].detach(), batch["flow"])), "phase": 1.0}
        flow = m(batch["ref"], batch["def"])
        loss, info = warp_loss(batch["ref"], batch["def"], flow, mse_weight=args.mse_weight, corr_weight=args.corr_weight)
        if args.unsup_sup_weight > 0:
            loss = loss + args.unsup_sup_weight * epe(flow, batch["flow"])
        return loss, {**info, "epe": float(epe(flow.detach(), batch["flow"])), "phase": 2.0}

    args.recipe = recipe.to_dict()
    return train(args, model=model, stream=stream, loss_fn=loss_fn, lr_fn=lr_schedule(args), vset=vset)


if __name__ == "__main__":
    main()
