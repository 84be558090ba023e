#!/usr/bin/env python3
"""Train the SEM deblurring models: MIDNet (``midnet-s``, attention-gated skips) or the plain NAFNet baseline
(``nafnet-s``, additive skips), on a mix of real training-prefix crops and synthetic SEM microstructures.

Data (training/data/sem.py): ``--real-frac`` of every batch are random ``--crop`` crops of the real blurry/sharp
pairs of the training prefixes (the test prefixes ``TEST_PREFIXES`` are never read here), the rest synthetic
SEM-like microstructures with defocus / astigmatism / drift blur and Poisson-Gaussian noise; random flips and
90-degree rotations. Loss (training/common/restore_losses.py): L1 + 0.05 Charbonnier(Laplacian difference) +
0.01 L1(rfft2 real/imag). Adam (0.9, 0.999), cosine LR from --lr to --lr-min over the training progress
max(step / --steps, elapsed / --max-minutes) (common/runtime.py Budget). Validation: a fixed set of crops,
half real crops of the *training* prefixes (fixed seed, so not independent of training) and half synthetic;
best.pt = highest mean validation PSNR, last.pt at the end and every --ckpt-minutes.

    /usr/bin/python3 training/train_deblur.py --arch midnet --threads 1 --max-minutes 45
    /usr/bin/python3 training/train_deblur.py --arch nafnet --threads 1 --max-minutes 25
    /usr/bin/python3 training/export_deblur.py --id midnet-s --checkpoint training/runs/midnet-s/best.pt
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from training.common.restore_losses import deblur_loss, psnr_t  # noqa: E402
from training.common.runtime import Budget, RunLog, load_checkpoint, pick_device, save_checkpoint, setup_threads  # noqa: E402
from training.data.sem import TEST_PREFIXES, MixedStream, RealPairs, SemRecipe, split_pairs  # noqa: E402
from training.models.midnet import build, count_parameters  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", default="midnet", choices=["midnet", "nafnet"], help="midnet = attention-gated skips; nafnet = plain skips")
    p.add_argument("--id", default=None, help="model id / run folder name (default midnet-s or nafnet-s)")
    p.add_argument("--run-dir", default=None, help="run folder (default training/runs/<id>)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"], help="auto = cuda if available")
    p.add_argument("--threads", type=int, default=0, help="torch intra-op CPU threads (0 = PyTorch default)")
    p.add_argument("--seed", type=int, default=1, help="seed of the data stream and the weight initialisation")
    p.add_argument("--width", type=int, default=12, help="channels at full resolution")
    p.add_argument("--enc-blocks", default="1,1,1,2", help="MID-Blocks per encoder level (number of levels = stride exponent)")
    p.add_argument("--middle-blocks", type=int, default=1, help="MID-Blocks at the bottom")
    p.add_argument("--dec-blocks", default="1,1,1,1", help="MID-Blocks per decoder level")
    p.add_argument("--steps", type=int, default=100000, help="optimizer steps in total (LR schedule over min(steps, --max-minutes))")
    p.add_argument("--batch-size", type=int, default=8, help="crops per step")
    p.add_argument("--crop", type=int, default=128, help="training crop size, px (multiple of the stride)")
    p.add_argument("--real-frac", type=float, default=0.5, help="share of real crops in a batch (rest synthetic)")
    p.add_argument("--lr", type=float, default=1e-3, help="peak learning rate")
    p.add_argument("--lr-min", type=float, default=1e-7, help="final learning rate (cosine)")
    p.add_argument("--warmup", type=int, default=0, help="linear LR warm-up steps (0 = pure cosine)")
    p.add_argument("--max-minutes", type=float, default=0.0, help="wall-clock budget (0 = none)")
    p.add_argument("--ckpt-minutes", type=float, default=5.0, help="write last.pt every this many minutes")
    p.add_argument("--val-every", type=int, default=200, help="validate every this many steps")
    p.add_argument("--val-crops", type=int, default=16, help="validation crops of each kind (real-train, synthetic)")
    p.add_argument("--log-every", type=int, default=20, help="log the loss every this many steps")
    p.add_argument("--align-pairs", action="store_true",
                   help="remove each real pair's whole-pixel offset before cropping (see training/data/sem.py RealPairs)")
    p.add_argument("--init", default=None, help="start from this checkpoint's weights (new optimizer and schedule)")
    p.add_argument("--resume", default=None, help="checkpoint to resume ('auto' = <run-dir>/last.pt if present)")
    args = p.parse_args(argv)
    args.id = args.id or f"{args.arch}-s"
    return args


def validation_set(real: RealPairs, n: int, crop: int, seed: int = 12345) -> dict:
    rng = np.random.default_rng(seed)
    rs = [real.crop(rng, crop) for _ in range(n)]
    stream = MixedStream(None, crop, n, 0.0, seed + 1)
    ss = [stream.sample() for _ in range(n)]
    t = lambda xs, i: torch.from_numpy(np.stack([x[i] for x in xs])[:, None])  # noqa: E731
    return {"real": (t(rs, 0), t(rs, 1)), "synth": (t(ss, 0), t(ss, 1))}


@torch.no_grad()
def validate(model, vset: dict, device) -> dict:
    model.eval()
    out = {}
    for k, (b, s) in vset.items():
        ps = []
        for i in range(0, b.shape[0], 8):
            y = model(b[i:i + 8].to(device))
            ps.append(psnr_t(y, s[i:i + 8].to(device)).cpu())
        out[k] = float(torch.cat(ps).mean())
        out[k + "_in"] = float(psnr_t(b, s).mean())
    model.train()
    out["mean"] = 0.5 * (out["real"] + out["synth"])
    return out


def _argv() -> list[str]:
    script = os.path.relpath(os.path.abspath(sys.argv[0]), REPO) if sys.argv and sys.argv[0] else "training/train_deblur.py"
    return [script] + sys.argv[1:]


def main(argv=None) -> dict:
    args = parse_args(argv)
    setup_threads(args.threads)
    torch.manual_seed(args.seed)
    cfg = dict(width=args.width, enc_blocks=[int(x) for x in args.enc_blocks.split(",")], middle_blocks=args.middle_blocks,
               dec_blocks=[int(x) for x in args.dec_blocks.split(",")])
    model = build(args.arch, **cfg)
    if args.crop % model.stride:
        raise SystemExit(f"--crop must be a multiple of the stride {model.stride}")
    split = split_pairs()
    real = RealPairs(split["train"], align=args.align_pairs)
    stream = MixedStream(real, args.crop, args.batch_size, args.real_frac, args.seed, SemRecipe())
    vset = validation_set(real, args.val_crops, args.crop)

    run_dir = args.run_dir or os.path.join(REPO, "training", "runs", args.id)
    os.makedirs(run_dir, exist_ok=True)
    log = RunLog(run_dir)
    device = pick_device(args.device)
    model.to(device)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.999))
    step, elapsed, best = 0, 0.0, -float("inf")
    resume = args.resume
    if resume == "auto":
        resume = os.path.join(run_dir, "last.pt") if os.path.isfile(os.path.join(run_dir, "last.pt")) else None
    if args.init and not resume:
        model.load_state_dict(load_checkpoint(args.init)["model"])
        log(event="init", checkpoint=args.init)
    if resume:
        ck = load_checkpoint(resume)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        stream.load_state_dict(ck["stream"])
        step, elapsed, best = ck["step"], ck.get("elapsed_s", 0.0), ck.get("best_val_psnr", -float("inf"))
        log(event="resume", checkpoint=resume, step=step, elapsed_s=round(elapsed, 1))
    budget = Budget(args.max_minutes, args.ckpt_minutes, elapsed)
    split_rec = {"test_prefixes": split["test_prefixes"], "train_prefixes": split["train_prefixes"],
                 "train_pairs": len(split["train"]), "test_pairs": len(split["test"])}

    def state(s: int, val: dict | None = None) -> dict:
        return {"model": model.state_dict(), "optimizer": opt.state_dict(), "stream": stream.state_dict(), "step": s,
                "elapsed_s": budget.elapsed, "best_val_psnr": best, "val": val, "args": vars(args), "argv": _argv(),
                "model_class": "MIDNet", "model_config": model.config, "arch": args.arch, "split": split_rec,
                "recipe": vars(SemRecipe()), "torch": torch.__version__, "threads": torch.get_num_threads(),
                "device": str(device), "lr": opt.param_groups[0]["lr"]}

    def lr_at(s: int, progress: float) -> float:
        if s < args.warmup:
            return args.lr * (s + 1) / args.warmup
        return args.lr_min + (args.lr - args.lr_min) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))

    log(event="start", id=args.id, arch=args.arch, device=str(device), threads=torch.get_num_threads(),
        params=count_parameters(model), step=step, split=split_rec)
    model.train()
    t_last, acc, acc_n, data_s = time.time(), {}, 0, 0.0
    stop = "steps"
    val = None
    while step < args.steps:
        if budget.exhausted():
            stop = "max-minutes"
            break
        progress = budget.progress(step, args.steps)
        lr = lr_at(step, progress)
        for g in opt.param_groups:
            g["lr"] = lr
        t0 = time.time()
        b, s = stream.next()
        data_s += time.time() - t0
        b, s = b.to(device), s.to(device)
        out = model(b)
        loss, info = deblur_loss(out, s)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        for k, v in {"loss": float(loss), **info}.items():
            acc[k] = acc.get(k, 0.0) + v
        acc_n += 1
        if step % args.log_every == 0:
            dt = time.time() - t_last
            log(step=step, **{k: v / acc_n for k, v in acc.items()}, lr=lr, progress=round(progress, 4),
                s_per_step=dt / acc_n, data_s=round(data_s, 1), elapsed_min=round(budget.elapsed / 60, 2))
            t_last, acc, acc_n = time.time(), {}, 0
        if step % args.val_every == 0:
            val = validate(model, vset, device)
            if val["mean"] > best:
                best = val["mean"]
                save_checkpoint(os.path.join(run_dir, "best.pt"), state(step, val))
            log(event="val", step=step, **{f"psnr_{k}": round(v, 3) for k, v in val.items()}, best=round(best, 3))
        if budget.checkpoint_due():
            save_checkpoint(os.path.join(run_dir, "last.pt"), state(step, val))
    val = validate(model, vset, device)
    if val["mean"] > best:
        best = val["mean"]
        save_checkpoint(os.path.join(run_dir, "best.pt"), state(step, val))
    save_checkpoint(os.path.join(run_dir, "last.pt"), state(step, val))
    summary = {"event": "end", "stop": stop, "step": step, "elapsed_min": round(budget.elapsed / 60, 2),
               **{f"psnr_{k}": round(v, 3) for k, v in val.items()}, "best": round(best, 3)}
    log(**summary)
    return summary


if __name__ == "__main__":
    main()
