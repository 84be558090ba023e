"""The training loop shared by train_dicnet.py and train_cade.py: steps, validation, checkpoints, budget.

The scripts supply the model, a ``BatchStream``, a ``loss_fn(model, batch, step) -> (loss, info)`` and an
LR multiplier function; this module does the rest (see the checkpoint Note in common/runtime.py).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Callable

import torch

from .evaluate import validate
from .runtime import Budget, BatchStream, RunLog, load_checkpoint, pick_device, save_checkpoint


def add_common_args(p: argparse.ArgumentParser, *, model_id: str, steps: int, batch: int, crop: int, lr: float) -> None:
    """Arguments every training script takes (each with help text)."""
    p.add_argument("--id", default=model_id, help=f"model id; the run folder is training/runs/<id> (default {model_id})")
    p.add_argument("--run-dir", default=None, help="run folder for log.jsonl and checkpoints (default training/runs/<id>)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"], help="compute device; auto = cuda if available")
    p.add_argument("--threads", type=int, default=0, help="torch intra-op CPU threads (0 = PyTorch default)")
    p.add_argument("--seed", type=int, default=1, help="seed of the training data stream and the weight initialisation")
    p.add_argument("--steps", type=int, default=steps,
                   help="optimizer steps in total; the LR schedule runs over min(steps, --max-minutes), see Budget.progress")
    p.add_argument("--batch-size", type=int, default=batch, help="pairs per step")
    p.add_argument("--crop", type=int, default=crop, help="training image size (square, px; multiple of the model stride)")
    p.add_argument("--lr", type=float, default=lr, help="peak learning rate (Adam)")
    p.add_argument("--weight-decay", type=float, default=1e-5, help="Adam weight decay (L2)")
    p.add_argument("--warmup", type=int, default=100, help="linear LR warm-up steps")
    p.add_argument("--lr-floor", type=float, default=0.02, help="final LR as a fraction of the peak (cosine decay)")
    p.add_argument("--reuse", type=int, default=2, help="steps each rendered batch is used for (with random flips/transpose)")
    p.add_argument("--max-minutes", type=float, default=0.0, help="stop after this wall-clock time (0 = no limit)")
    p.add_argument("--ckpt-minutes", type=float, default=5.0, help="write last.pt every this many minutes")
    p.add_argument("--val-every", type=int, default=200, help="validate every this many steps")
    p.add_argument("--val-pairs", type=int, default=16, help="pairs in the fixed validation set")
    p.add_argument("--log-every", type=int, default=20, help="log the training loss every this many steps")
    p.add_argument("--resume", default=None, help="checkpoint to resume from ('auto' = <run-dir>/last.pt if present)")
    p.add_argument("--init-from", default=None,
                   help="start from the model weights of this checkpoint (fresh optimizer, schedule and step count)")


def _argv() -> list[str]:
    """The command line, script path relative to the repository root (for the manifest's training command)."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    script = os.path.relpath(os.path.abspath(sys.argv[0]), root) if sys.argv and sys.argv[0] else "?"
    return [script] + sys.argv[1:]


def train(args: argparse.Namespace, *, model: torch.nn.Module, stream: BatchStream,
          loss_fn: Callable[[torch.nn.Module, dict, int, float], tuple[torch.Tensor, dict]],
          lr_fn: Callable[[int, float], float], vset: dict, val_border: int = 0) -> dict:
    """Runs (or resumes) training until ``args.steps`` or the time budget; returns a summary dict."""
    run_dir = args.run_dir or os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "runs", args.id)
    os.makedirs(run_dir, exist_ok=True)
    log = RunLog(run_dir)
    device = pick_device(args.device)
    model.to(device)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    step, elapsed, best = 0, 0.0, float("inf")
    phase_steps: dict = {}
    resume = args.resume
    if resume == "auto":
        resume = os.path.join(run_dir, "last.pt") if os.path.isfile(os.path.join(run_dir, "last.pt")) else None
    if args.init_from and not resume:
        init = load_checkpoint(args.init_from)
        own = model.state_dict()
        # A lighter architecture starts from a larger one's weights where names and shapes agree; the rest
        # keeps its fresh initialisation (listed in the log). With the same architecture this is a full load.
        taken = {k: v for k, v in init["model"].items() if k in own and own[k].shape == v.shape}
        model.load_state_dict(taken, strict=False)
        log(event="init-from", checkpoint=args.init_from, step=init.get("step"),
            not_loaded=sorted(set(own) - set(taken)), unused=sorted(set(init["model"]) - set(taken)))
    if resume:
        ck = load_checkpoint(resume)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        stream.load_state_dict(ck["stream"])
        step, elapsed, best = ck["step"], ck.get("elapsed_s", 0.0), ck.get("best_val_epe", float("inf"))
        phase_steps = dict(ck.get("phase_steps", {}))
        log(event="resume", checkpoint=resume, step=step, elapsed_s=round(elapsed, 1))
    budget = Budget(args.max_minutes, args.ckpt_minutes, elapsed)

    def state(s: int) -> dict:
        return {"model": model.state_dict(), "optimizer": opt.state_dict(),
                "scheduler": {"kind": "warm-up + cosine over progress", "lr": opt.param_groups[0]["lr"],
                              "progress": budget.progress(s, args.steps)},
                "stream": stream.state_dict(), "step": s, "phase_steps": dict(phase_steps), "elapsed_s": budget.elapsed, "best_val_epe": best,
                "args": vars(args), "argv": _argv(), "model_class": type(model).__name__, "model_config": model.config,
                "torch": torch.__version__, "threads": torch.get_num_threads(), "device": str(device)}

    log(event="start", id=args.id, device=str(device), threads=torch.get_num_threads(),
        params=sum(p.numel() for p in model.parameters()), step=step)
    model.train()
    t_last, acc, acc_n = time.time(), {}, 0
    stop_reason = "steps"
    while step < args.steps:
        if budget.exhausted():
            stop_reason = "max-minutes"
            break
        progress = budget.progress(step, args.steps)
        lr = args.lr * lr_fn(step, progress)
        for g in opt.param_groups:
            g["lr"] = lr
        batch = {k: v.to(device) for k, v in stream.next().items()}
        loss, info = loss_fn(model, batch, step, progress)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
        opt.step()
        step += 1
        if "phase" in info:
            key = str(int(info["phase"]))
            phase_steps[key] = phase_steps.get(key, 0) + 1
        for k, v in {"loss": float(loss), **info}.items():
            acc[k] = acc.get(k, 0.0) + v
        acc_n += 1
        if step % args.log_every == 0:
            dt = time.time() - t_last
            log(step=step, **{k: v / acc_n for k, v in acc.items()}, lr=lr, progress=round(progress, 4),
                s_per_step=dt / acc_n, render_s=round(stream.render_seconds, 1), elapsed_min=round(budget.elapsed / 60, 2))
            t_last, acc, acc_n = time.time(), {}, 0
        if step % args.val_every == 0 or step == args.steps:
            v = validate(model, vset, border=val_border)
            improved = v["val_epe_px"] < best
            if improved:
                best = v["val_epe_px"]
                save_checkpoint(os.path.join(run_dir, "best.pt"), state(step))
            log(step=step, **v, best=improved)
        if budget.checkpoint_due():
            save_checkpoint(os.path.join(run_dir, "last.pt"), state(step))
    v = validate(model, vset, border=val_border)
    if v["val_epe_px"] < best:
        best = v["val_epe_px"]
        save_checkpoint(os.path.join(run_dir, "best.pt"), state(step))
    save_checkpoint(os.path.join(run_dir, "last.pt"), state(step))
    summary = {"event": "end", "step": step, "stop": stop_reason, "elapsed_min": round(budget.elapsed / 60, 2), **v,
               "best_val_epe_px": best, "threads": torch.get_num_threads(), "phase_steps": phase_steps}
    log(**summary)
    return summary
