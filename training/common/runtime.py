"""Run plumbing shared by the training scripts: device choice, threads, logging, checkpoints, LR schedule,
and the on-the-fly batch stream.

Note: checkpoints. ``last.pt`` (every ``--ckpt-minutes`` and at the end) and ``best.pt`` (lowest validation
EPE) in the run folder hold model, optimizer, scheduler, step, elapsed seconds, the data generator state
and the argparse namespace, so ``--resume`` continues the same run (the batch being reused when the run
stopped is re-rendered, so a resumed run is not bit-identical to an uninterrupted one). Files are written to
a temporary name and renamed, so a killed run never leaves a half-written checkpoint.
"""
from __future__ import annotations

import json
import math
import os
import time
from typing import Callable, Optional

import torch


def pick_device(name: str) -> torch.device:
    """'auto' -> cuda if available else cpu; 'cuda' fails with a clear message when there is none."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda was given but torch.cuda.is_available() is False; use --device cpu or auto.")
    return torch.device(name)


def setup_threads(threads: int) -> None:
    """Set intra-op threads (0 = leave PyTorch's default)."""
    if threads > 0:
        torch.set_num_threads(threads)


class RunLog:
    """Prints one line per record and appends it as JSON to ``<run_dir>/log.jsonl``."""

    def __init__(self, run_dir: str) -> None:
        os.makedirs(run_dir, exist_ok=True)
        self.path = os.path.join(run_dir, "log.jsonl")

    def __call__(self, **record) -> None:
        record.setdefault("time", time.strftime("%Y-%m-%dT%H:%M:%S"))
        parts = [f"{k}={v:.5g}" if isinstance(v, float) else f"{k}={v}" for k, v in record.items() if k != "time"]
        print(" ".join(parts), flush=True)
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")


def save_checkpoint(path: str, state: dict) -> None:
    tmp = path + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: str, map_location="cpu") -> dict:
    if not os.path.isfile(path):
        raise SystemExit(f"Checkpoint {path} does not exist; check --resume / --checkpoint (runs live in training/runs/<id>/).")
    return torch.load(path, map_location=map_location)


def warmup_cosine(warmup: int, floor: float) -> Callable[[int, float], float]:
    """LR multiplier f(step, progress): linear warm-up over ``warmup`` steps, then cosine from 1 down to
    ``floor`` as training progress (0..1, see ``Budget.progress``) goes to 1."""
    def f(step: int, progress: float) -> float:
        if step < warmup:
            return (step + 1) / max(warmup, 1)
        t = min(1.0, max(0.0, progress))
        return floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * t))
    return f


class BatchStream:
    """Renders a batch with ``render(gen)`` and serves it ``reuse`` times, each time with an independent
    random dihedral transform (``augment``), so the costly exact warp is amortised over several steps."""

    def __init__(self, render: Callable[[torch.Generator], dict], augment: Optional[Callable], *, seed: int, reuse: int) -> None:
        self.render = render
        self.augment = augment
        self.gen = torch.Generator().manual_seed(seed)
        self.reuse = max(1, reuse)
        self.left = 0
        self.batch: Optional[dict] = None
        self.render_seconds = 0.0

    def next(self) -> dict:
        if self.left == 0 or self.batch is None:
            t = time.time()
            self.batch = self.render(self.gen)
            self.render_seconds += time.time() - t
            self.left = self.reuse
            self.left -= 1
            return self.batch
        self.left -= 1
        return self.augment(self.batch, self.gen) if self.augment else self.batch

    def state_dict(self) -> dict:
        return {"gen": self.gen.get_state()}

    def load_state_dict(self, state: dict) -> None:
        self.gen.set_state(state["gen"])
        self.left = 0


class Budget:
    """Wall-clock budget (``--max-minutes``, 0 = none) and periodic checkpoint timer, resumable."""

    def __init__(self, max_minutes: float, ckpt_minutes: float, elapsed: float = 0.0) -> None:
        self.start = time.time() - elapsed
        self.max_s = max_minutes * 60.0
        self.ckpt_s = ckpt_minutes * 60.0
        self.last_ckpt = time.time()

    @property
    def elapsed(self) -> float:
        return time.time() - self.start

    def progress(self, step: int, total_steps: int) -> float:
        """Training progress in [0, 1]: the larger of step / total_steps and elapsed / --max-minutes.

        Note: time-aware schedule. On a shared CPU the step rate varies several-fold, so a schedule over
        steps alone would be cut off by --max-minutes before the LR decays (and before DICNet's unsupervised
        phase). Driving the LR and the phase switch by this progress makes a run end decayed and with both
        phases whichever limit comes first; the price is that a budget-limited run depends on wall-clock time.
        """
        p = step / max(total_steps, 1)
        if self.max_s > 0:
            p = max(p, self.elapsed / self.max_s)
        return min(1.0, p)

    def exhausted(self) -> bool:
        return self.max_s > 0 and self.elapsed >= self.max_s

    def checkpoint_due(self) -> bool:
        if time.time() - self.last_ckpt >= self.ckpt_s:
            self.last_ckpt = time.time()
            return True
        return False
