#!/usr/bin/env python3
"""Train the USRNet-style unfolding SR network (usrnet-s) end to end on synthetic degradations.

    /usr/bin/python3 training/train_usrnet.py --threads 1 --max-minutes 45      # then training/export_sr.py

Every batch: one scale s ∈ {2, 3, 4}; HR 96×96 patches (train400 / SEM / synthetic textures, see
training/data/sr.py); per sample a random 25×25 kernel (isotropic / anisotropic Gaussian, motion, bicubic);
σ ~ U[0, 25/255] (20 % σ = 0); y = (x ⊗ k)↓s + n with circular convolution (the data module's model).
L1 loss on the final estimate, Adam, warm-up + cosine over progress = max(step/--steps, elapsed/--max-minutes).
Validation: held-out images (train400 test_385..400, super_4.tif) × the 12 USRNet kernels + the bicubic
kernel, s = 2, 3, 4, σ ∈ {0, 2.55, 7.65}/255, PSNR with s px border cropped. Run folder
training/runs/<id>/: log.jsonl, last.pt, best.pt (highest mean validation PSNR); --resume continues last.pt.
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
from training.models.usrnet import USRNetS, blur_circular, count_params, downsample  # noqa: E402


def usrnet_12_kernels() -> list[np.ndarray]:
    from scipy.io import loadmat
    m = loadmat(os.path.join(sr.DATA, "sr", "kernels_12.mat"))["kernels"]
    return [np.asarray(m[0, i], dtype=np.float32) / np.asarray(m[0, i]).sum() for i in range(m.shape[1])]


def validation_set(patch: int = 96) -> dict[int, tuple]:
    """{s: (y, k, sigma, x)} deterministic held-out cases (13 per scale)."""
    imgs = sr.load_images("val")
    pool = imgs["natural"] + [imgs["sem"][0][i:i + 160, j:j + 160] for i in (40, 300) for j in (40, 300)]
    rng = np.random.default_rng(1234)
    out = {}
    for s in (2, 3, 4):
        ks = usrnet_12_kernels() + [sr.bicubic_kernel(s)]
        xs, kk, sg = [], [], []
        for i, k in enumerate(ks):
            im = pool[(i * 7 + s) % len(pool)]
            a, b = (im.shape[0] - patch) // 2, (im.shape[1] - patch) // 2
            xs.append(im[a:a + patch, b:b + patch])
            kk.append(k)
            sg.append((0.0, 2.55 / 255, 7.65 / 255)[i % 3])
        x = torch.from_numpy(np.stack(xs))[:, None]
        k = torch.from_numpy(np.stack(kk))[:, None]
        sigma = torch.tensor(sg, dtype=torch.float32).view(-1, 1, 1, 1)
        y = downsample(blur_circular(x, k), s)
        y = y + sigma * torch.from_numpy(rng.standard_normal(y.shape).astype(np.float32))
        out[s] = (y, k, sigma, x)
    return out


@torch.no_grad()
def validate(model: USRNetS, val: dict, device) -> dict:
    model.eval()
    res = {}
    for s, (y, k, sigma, x) in val.items():
        out = model(y.to(device), k.to(device), s, sigma.to(device)).cpu()
        res[f"psnr_x{s}"] = float(np.mean([sr.psnr(out[i], x[i], s) for i in range(x.shape[0])]))
    res["psnr_mean"] = float(np.mean(list(res.values())))
    model.train()
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--id", default="usrnet-s")
    ap.add_argument("--run-dir", default=None)
    ap.add_argument("--steps", type=int, default=100000)
    ap.add_argument("--max-minutes", type=float, default=45.0)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--patch", type=int, default=96)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--channels", default="16,32,64,64")
    ap.add_argument("--nb", type=int, default=2)
    ap.add_argument("--val-every", type=int, default=150)
    ap.add_argument("--ckpt-minutes", type=float, default=3.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--init", default=None, help="start from this checkpoint's weights (fine-tuning)")
    ap.add_argument("--only", choices=["all", "hypa"], default="all", help="train all weights or only the hyper-parameter net")
    args = ap.parse_args()
    if args.patch % 24:
        raise SystemExit("--patch must be divisible by 2, 3, 4 and 8 (a multiple of 24)")
    setup_threads(args.threads)
    device = pick_device(args.device)
    run_dir = args.run_dir or os.path.join(os.path.dirname(os.path.abspath(__file__)), "runs", args.id)
    log = RunLog(run_dir)
    torch.manual_seed(args.seed)
    model = USRNetS(channels=tuple(int(c) for c in args.channels.split(",")), nb=args.nb).to(device)
    if args.init:
        model.load_state_dict(load_checkpoint(args.init)["model"])
    params = model.h.parameters() if args.only == "hypa" else model.parameters()
    if args.only == "hypa":
        for p in model.p.parameters():
            p.requires_grad_(False)
    opt = torch.optim.Adam(params, lr=args.lr)
    sched = warmup_cosine(50, 0.02)
    rng = np.random.default_rng(args.seed)
    step, elapsed, best = 0, 0.0, -1.0
    if args.resume:
        ck = load_checkpoint(os.path.join(run_dir, "last.pt"))
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        step, elapsed, best = ck["step"], ck["elapsed"], ck.get("best", -1.0)
        rng = np.random.default_rng(args.seed + step)
    images = sr.load_images("train")
    val = validation_set(args.patch)
    budget = Budget(args.max_minutes, args.ckpt_minutes, elapsed)
    log(event="start", id=args.id, params=count_params(model), device=str(device), threads=torch.get_num_threads(), step=step)

    def state(extra=None):
        d = {"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step, "elapsed": budget.elapsed,
             "best": best, "model_class": "USRNetS", "model_config": model.config, "args": vars(args)}
        d.update(extra or {})
        return d

    model.train()
    t_log, loss_acc, n_acc = time.time(), 0.0, 0
    while step < args.steps and not budget.exhausted():
        progress = budget.progress(step, args.steps)
        for g in opt.param_groups:
            g["lr"] = args.lr * sched(step, progress)
        s = int(rng.choice([2, 3, 4]))
        y, k, sigma, x = sr.usrnet_batch(images, rng, args.batch, s, args.patch)
        out = model(y.to(device), k.to(device), s, sigma.to(device))
        loss = (out - x.to(device)).abs().mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        loss_acc += float(loss)
        n_acc += 1
        if step % 25 == 0:
            log(step=step, loss=loss_acc / n_acc, lr=opt.param_groups[0]["lr"], min=budget.elapsed / 60,
                s_per_step=(time.time() - t_log) / n_acc)
            t_log, loss_acc, n_acc = time.time(), 0.0, 0
        if step % args.val_every == 0:
            v = validate(model, val, device)
            log(step=step, **v)
            if v["psnr_mean"] > best:
                best = v["psnr_mean"]
                save_checkpoint(os.path.join(run_dir, "best.pt"), state({"val": v}))
        if budget.checkpoint_due():
            save_checkpoint(os.path.join(run_dir, "last.pt"), state())
    v = validate(model, val, device)
    log(step=step, final=True, **v)
    if v["psnr_mean"] > best:
        best = v["psnr_mean"]
        save_checkpoint(os.path.join(run_dir, "best.pt"), state({"val": v}))
    save_checkpoint(os.path.join(run_dir, "last.pt"), state({"val": v}))
    log(event="done", step=step, minutes=budget.elapsed / 60, best_psnr_mean=best)
    return 0


if __name__ == "__main__":
    sys.exit(main())
