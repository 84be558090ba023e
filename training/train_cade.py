#!/usr/bin/env python3
"""Train the CADE-style X-ray speckle tracker (model id ``cade-xst-s``) on synthetic pairs, on the fly.

Data (CADE recipe, training/data/recipes.py ``CadeRecipe``): Gaussian-filtered speckle 2-10 px, random
piecewise-smooth displacement patches of 4-128 px within +-1 px, ~2% identity and ~2% constant fields (half
of the constants within +-0.15 px), 50-100% transmission patches on the sample image, independent Poisson
noise on both images. Loss: multi-scale EPE, weights 0.005, 0.01, 0.02, 0.08, 0.32 (coarsest to finest).

Example (the command behind models/cade-xst-s.onnx; see training/README.md for the figures it gave):
    /usr/bin/python3 training/train_cade.py --threads 1 --max-minutes 40
    /usr/bin/python3 training/export_onnx.py --id cade-xst-s --checkpoint training/runs/cade-xst-s/best.pt
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

from training.common.evaluate import validation_set  # noqa: E402
from training.common.losses import epe, multiscale_epe  # noqa: E402
from training.common.runtime import BatchStream, setup_threads, warmup_cosine  # noqa: E402
from training.common.trainer import add_common_args, train  # noqa: E402
from training.data.recipes import CadeRecipe, cade_batch, dihedral  # noqa: E402
from training.models.cade import STRIDE, CadeNet  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(p, model_id="cade-xst-s", steps=3000, batch=8, crop=64, lr=1e-3)
    p.add_argument("--widths", default="8,16,32,48,64,96", help="channels of conv1..conv6 (StrainNet-f: 64,128,256,512,512,1024)")
    p.add_argument("--flow-scale", type=float, default=1.0, help="px per unit of the raw flow heads")
    p.add_argument("--ms-weights", default="0.005,0.01,0.02,0.08,0.32",
                   help="multi-scale EPE weights, coarsest (1/16) to finest (1/1) scale")
    p.add_argument("--max-disp", type=float, default=1.0, help="largest displacement component in the training fields, px")
    p.add_argument("--speckle-min", type=float, default=2.0, help="smallest speckle size, px (autocorrelation FWHM)")
    p.add_argument("--speckle-max", type=float, default=10.0, help="largest speckle size, px")
    p.add_argument("--transmission-min", type=float, default=0.5, help="lowest transmission of the sample patches")
    p.add_argument("--p-identity", type=float, default=0.02, help="fraction of zero fields")
    p.add_argument("--p-constant", type=float, default=0.02, help="fraction of constant fields (half within +-0.15 px)")
    p.add_argument("--oversample", type=int, default=4, help="generator oversampling (samples per pixel and axis)")
    args = p.parse_args(argv)
    if args.crop % STRIDE:
        p.error(f"--crop must be a multiple of {STRIDE}, got {args.crop}")
    return args


def main(argv=None) -> dict:
    args = parse_args(argv)
    setup_threads(args.threads)
    torch.manual_seed(args.seed)
    widths = tuple(int(c) for c in args.widths.split(","))
    weights = [float(w) for w in args.ms_weights.split(",")]
    model = CadeNet(widths=widths, flow_scale=args.flow_scale)
    recipe = CadeRecipe(height=args.crop, width=args.crop, max_disp=args.max_disp, speckle_min=args.speckle_min,
                        speckle_max=args.speckle_max, transmission_min=args.transmission_min,
                        p_identity=args.p_identity, p_constant=args.p_constant, oversample=args.oversample)
    stream = BatchStream(lambda g: cade_batch(g, args.batch_size, recipe), dihedral, seed=args.seed, reuse=args.reuse)
    vset = validation_set("cade", seed=args.seed, pairs=args.val_pairs, size=args.crop, recipe=recipe)

    def loss_fn(m, batch, step, progress):
        preds = m(batch["ref"], batch["def"], all_scales=True)
        loss = multiscale_epe(preds, batch["flow"], weights)
        return loss, {"epe": float(epe(preds[-1].detach(), batch["flow"]))}

    args.recipe = recipe.to_dict()
    return train(args, model=model, stream=stream, loss_fn=loss_fn,
                 lr_fn=warmup_cosine(args.warmup, args.lr_floor), vset=vset)


if __name__ == "__main__":
    main()
