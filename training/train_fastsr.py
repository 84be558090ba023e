#!/usr/bin/env python3
"""Train a fast SR network (FSRCNN with sub-pixel output, training/models/fastsr.py) for one scale.

    /usr/bin/python3 training/train_fastsr.py --scale 2 --threads 1 --max-minutes 7   # ids fsrcnn-x2/x3/x4

Data: HR = train400 test_001..test_384 + SEM (super_1..3, FEI RBC rows 0..999); LR = MATLAB-compatible
bicubic imresize(HR, 1/s) (antialiased, quantised to 8 bits), pre-computed once per image; random aligned
crops (LR 32×32), flips / 90° rotations. L1 loss, Adam, warm-up + cosine over
progress = max(step/--steps, elapsed/--max-minutes). Validation: held-out train400 test_385..400 + super_4
(whole images), PSNR with s px border cropped, next to MATLAB-bicubic up-sampling of the same LR images.
Run folder training/runs/<id>/ with log.jsonl, last.pt, best.pt; --resume continues last.pt.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from training.common.runtime import Budget, RunLog, load_checkpoint, pick_device, save_checkpoint, setup_threads, warmup_cosine  # noqa: E402
from training.data import sr  # noqa: E402
from training.models.fastsr import FSRCNN  # noqa: E402
from training.models.usrnet import count_params  # noqa: E402


def validation_pairs(s: int) -> list[tuple[np.ndarray, np.ndarray]]:
    imgs = sr.load_images("val")
    out = []
    for im in imgs["natural"] + imgs["sem"]:
        H, W = (im.shape[0] // s) * s, (im.shape[1] // s) * s
        out.append((im[:H, :W], sr.bicubic_down(im, s)))
    return out


@torch.no_grad()
def validate(model, pairs, s: int, device) -> dict:
    model.eval()
    p_net, p_bic = [], []
    for hr, lr in pairs:
        out = model(torch.from_numpy(lr)[None, None].to(device)).cpu()[0, 0]
        p_net.append(sr.psnr(out, torch.from_numpy(hr), s))
        p_bic.append(sr.psnr(torch.from_numpy(sr.imresize(lr, float(s))), torch.from_numpy(hr), s))
    model.train()
    return {"psnr": float(np.mean(p_net)), "psnr_bicubic": float(np.mean(p_bic))}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=int, required=True, choices=[2, 3, 4])
    ap.add_argument("--id", default=None, help="default fsrcnn-x<scale>")
    ap.add_argument("--run-dir", default=None)
    ap.add_argument("--steps", type=int, default=100000)
    ap.add_argument("--max-minutes", type=float, default=7.0)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr-patch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--val-every", type=int, default=500)
    ap.add_argument("--ckpt-minutes", type=float, default=2.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--resume", action="store_true")
    args = ap.parse_args()
    s = args.scale
    mid = args.id or f"fsrcnn-x{s}"
    setup_threads(args.threads)
    device = pick_device(args.device)
    run_dir = args.run_dir or os.path.join(os.path.dirname(os.path.abspath(__file__)), "runs", mid)
    log = RunLog(run_dir)
    torch.manual_seed(args.seed)
    model = FSRCNN(s).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    sched = warmup_cosine(100, 0.02)
    rng = np.random.default_rng(args.seed)
    step, elapsed, best = 0, 0.0, -1.0
    if args.resume:
        ck = load_checkpoint(os.path.join(run_dir, "last.pt"))
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        step, elapsed, best = ck["step"], ck["elapsed"], ck.get("best", -1.0)
        rng = np.random.default_rng(args.seed + step)
    data = sr.BicubicPairs(sr.load_images("train"), s)
    val = validation_pairs(s)
    budget = Budget(args.max_minutes, args.ckpt_minutes, elapsed)
    log(event="start", id=mid, params=count_params(model), device=str(device), threads=torch.get_num_threads(), step=step)

    def state(extra=None):
        d = {"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step, "elapsed": budget.elapsed,
             "best": best, "model_class": "FSRCNN", "model_config": model.config, "args": vars(args)}
        d.update(extra or {})
        return d

    model.train()
    t_log, loss_acc, n_acc = time.time(), 0.0, 0
    while step < args.steps and not budget.exhausted():
        for g in opt.param_groups:
            g["lr"] = args.lr * sched(step, budget.progress(step, args.steps))
        lr_img, hr = data.batch(rng, args.batch, args.lr_patch)
        loss = (model(lr_img.to(device)) - hr.to(device)).abs().mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        loss_acc += float(loss)
        n_acc += 1
        if step % 100 == 0:
            log(step=step, loss=loss_acc / n_acc, lr=opt.param_groups[0]["lr"], min=budget.elapsed / 60,
                s_per_step=(time.time() - t_log) / n_acc)
            t_log, loss_acc, n_acc = time.time(), 0.0, 0
        if step % args.val_every == 0:
            v = validate(model, val, s, device)
            log(step=step, **v)
            if v["psnr"] > best:
                best = v["psnr"]
                save_checkpoint(os.path.join(run_dir, "best.pt"), state({"val": v}))
        if budget.checkpoint_due():
            save_checkpoint(os.path.join(run_dir, "last.pt"), state())
    v = validate(model, val, s, device)
    log(step=step, final=True, **v)
    if v["psnr"] > best:
        best = v["psnr"]
        save_checkpoint(os.path.join(run_dir, "best.pt"), state({"val": v}))
    save_checkpoint(os.path.join(run_dir, "last.pt"), state({"val": v}))
    log(event="done", step=step, minutes=budget.elapsed / 60, best_psnr=best)
    return 0


if __name__ == "__main__":
    sys.exit(main())
