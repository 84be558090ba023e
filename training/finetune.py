#!/usr/bin/env python3
"""Unsupervised fine-tuning of DICNet on a user's unlabelled image pairs; exports a new versioned model.

No displacement labels are needed: the deformed image is warped back by the predicted field (bicubic,
training only) and compared with the reference (loss = MSE + (1 - Pearson) over in-image samples, the
second phase of train_dicnet.py). Random crops of every pair (same position in both images) with random
flips / transposes are used; BatchNorm statistics stay frozen by default (few pairs, small batches).

Pairs in --pairs-dir (first rule that matches; see training/common/images.py):
  --reference FILE (a loading series: every other image against it) | ref/ + def/ sub-folders with equal
  names | <name>_ref.<ext> with <name>_def.<ext>. TIFF (8/16/32-bit) and PNG/JPEG are read; RGB is averaged.

Output in --out-dir (the user models folder): <id>.onnx (same I/O contract as dicnet-s), a manifest.json
entry for it (created or updated), and <id>.pt (PyTorch weights, to fine-tune again). The id defaults to
<base id>-ft-<UTC timestamp>, so every run is a new version and nothing is overwritten.

Example:
    /usr/bin/python3 training/finetune.py --pairs-dir ~/dic/series1 --reference ref.tif \\
        --steps 300 --max-minutes 20

The default --out-dir is the user models folder the app lists beside its shipped models
(src/core/infer/model-catalog.ts): $LAB_USER_MODELS_DIR, else <app data folder>/models (Linux:
$XDG_DATA_HOME/speckle-lab/models or ~/.local/share/speckle-lab/models; macOS: ~/Library/Application
Support/Speckle Lab/models; Windows: %APPDATA%/Speckle Lab/models; LAB_DATA_DIR replaces the data folder).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from training.common.images import find_pairs, read_grey  # noqa: E402
from training.common.losses import masked_pearson, warp_by_flow, warp_loss  # noqa: E402
from training.common.manifest import sha256_file, update_manifest  # noqa: E402
from training.common.onnx_export import OPSET, build_from_checkpoint, export  # noqa: E402
from training.common.runtime import load_checkpoint, pick_device, setup_threads  # noqa: E402
from training.data.recipes import dihedral  # noqa: E402
from training.data.speckle import normalise  # noqa: E402
from training.models.dicnet import STRIDE, DICNet, count_parameters  # noqa: E402


def user_models_dir() -> str:
    """The user models folder, by the same rule as src/core/infer/model-catalog.ts userModelsDir()."""
    env = os.environ
    if env.get("LAB_USER_MODELS_DIR", "").strip():
        return os.path.abspath(env["LAB_USER_MODELS_DIR"])
    if env.get("LAB_DATA_DIR"):
        data = env["LAB_DATA_DIR"]
    elif sys.platform == "win32":
        data = os.path.join(env.get("APPDATA", os.path.join(os.path.expanduser("~"), "AppData", "Roaming")), "Speckle Lab")
    elif sys.platform == "darwin":
        data = os.path.join(os.path.expanduser("~"), "Library", "Application Support", "Speckle Lab")
    else:
        data = os.path.join(env.get("XDG_DATA_HOME", os.path.join(os.path.expanduser("~"), ".local", "share")), "speckle-lab")
    return os.path.join(data, "models")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_WEIGHTS = os.path.join(REPO, "training", "weights", "dicnet-s.pt")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pairs-dir", required=True, help="folder with the unlabelled image pairs")
    p.add_argument("--reference", default=None, help="reference image (file in --pairs-dir or a path): pair it with every other image")
    p.add_argument("--out-dir", default=None,
                   help="user models folder: <id>.onnx, <id>.pt and manifest.json go here (default: the folder the app "
                        f"lists, {user_models_dir()})")
    p.add_argument("--checkpoint", default=DEFAULT_WEIGHTS,
                   help="starting weights: training/weights/dicnet-s.pt (written by export_onnx.py), a training "
                        "checkpoint from training/runs/, or an earlier fine-tune's <id>.pt")
    p.add_argument("--base-id", default="dicnet-s", help="id of the starting model (recorded in the manifest notes)")
    p.add_argument("--id", default=None, help="id of the new model (default <base-id>-ft-<UTC yyyymmdd-hhmmss>)")
    p.add_argument("--steps", type=int, default=300, help="optimizer steps")
    p.add_argument("--batch-size", type=int, default=4, help="crops per step")
    p.add_argument("--crop", type=int, default=128, help="crop size (px, multiple of 8); larger than twice the displacement helps")
    p.add_argument("--lr", type=float, default=1e-4, help="Adam learning rate (constant)")
    p.add_argument("--mse-weight", type=float, default=1.0, help="weight of the MSE term of the warp loss")
    p.add_argument("--corr-weight", type=float, default=1.0, help="weight of the (1 - Pearson) term of the warp loss")
    p.add_argument("--smooth-weight", type=float, default=0.0, help="weight of a first-order smoothness term on the field (0 = off)")
    p.add_argument("--train-bn", action="store_true", help="update BatchNorm statistics too (default: frozen)")
    p.add_argument("--val-fraction", type=float, default=0.2,
                   help="fraction of pairs held out to report the photometric fit before/after (needs >= 3 pairs)")
    p.add_argument("--max-minutes", type=float, default=0.0, help="stop after this wall-clock time (0 = no limit)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"], help="compute device")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = default)")
    p.add_argument("--seed", type=int, default=1, help="seed for crops and augmentation")
    a = p.parse_args(argv)
    if a.out_dir is None:
        a.out_dir = user_models_dir()
    if a.crop % STRIDE:
        p.error(f"--crop must be a multiple of {STRIDE}")
    return a


def refuse_taken_id(new_id: str, out_dir: str) -> None:
    """Every fine-tuning run is a new version: never replace a shipped model or an earlier user model."""
    for folder in (os.path.join(REPO, "models"), out_dir):
        man = os.path.join(folder, "manifest.json")
        if os.path.isfile(man):
            with open(man, encoding="utf-8") as f:
                ids = {m.get("id") for m in json.load(f).get("models", [])}
            if new_id in ids:
                sys.exit(f"finetune.py: model id {new_id!r} already exists in {man}; choose another --id")
    for ext in (".onnx", ".pt"):
        if os.path.exists(os.path.join(out_dir, new_id + ext)):
            sys.exit(f"finetune.py: {os.path.join(out_dir, new_id + ext)} already exists; choose another --id")


def load_pairs(pairs: list[tuple[str, str]]) -> list[tuple[torch.Tensor, torch.Tensor]]:
    out = []
    for r, d in pairs:
        a, b = read_grey(r), read_grey(d)
        if a.shape != b.shape:
            raise ValueError(f"{r} is {a.shape[1]}x{a.shape[0]} but {d} is {b.shape[1]}x{b.shape[0]}; pairs must have equal sizes")
        out.append((torch.from_numpy(a)[None, None], torch.from_numpy(b)[None, None]))
    return out


def random_crops(data, n: int, crop: int, gen: torch.Generator) -> dict:
    """n crops (same position in ref and def), each normalised on its own like the app's tiles."""
    refs, defs = [], []
    for _ in range(n):
        r, d = data[int(torch.randint(len(data), (1,), generator=gen))]
        h, w = r.shape[-2:]
        y = int(torch.randint(h - crop + 1, (1,), generator=gen))
        x = int(torch.randint(w - crop + 1, (1,), generator=gen))
        refs.append(normalise(r[..., y:y + crop, x:x + crop]))
        defs.append(normalise(d[..., y:y + crop, x:x + crop]))
    ref, dfm = torch.cat(refs), torch.cat(defs)
    return {"ref": ref, "def": dfm, "flow": torch.zeros(n, 2, crop, crop)}


@torch.no_grad()
def photometric_fit(model, data, device) -> dict:
    """Mean Pearson correlation and RMS difference of ref vs def warped back by the model, whole images
    (centre-cropped to multiples of 8), normalised intensities."""
    model.eval()
    rs, ms = [], []
    for r, d in data:
        h, w = (r.shape[-2] // STRIDE) * STRIDE, (r.shape[-1] // STRIDE) * STRIDE
        y0, x0 = (r.shape[-2] - h) // 2, (r.shape[-1] - w) // 2
        rn = normalise(r[..., y0:y0 + h, x0:x0 + w]).to(device)
        dn = normalise(d[..., y0:y0 + h, x0:x0 + w]).to(device)
        flow = model(rn, dn)
        pred, mask = warp_by_flow(dn, flow)
        rs.append(float(masked_pearson(pred, rn, mask).mean()))
        ms.append(float((((pred - rn) ** 2) * mask).sum() / mask.sum()) ** 0.5)
    return {"pearson": float(np.mean(rs)), "rms_diff": float(np.mean(ms)), "pairs": len(data)}


def set_bn_eval(model: torch.nn.Module) -> None:
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.eval()


def main(argv=None) -> dict:
    args = parse_args(argv)
    new_id = args.id or f"{args.base_id}-ft-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}"
    refuse_taken_id(new_id, args.out_dir)
    setup_threads(args.threads)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    device = pick_device(args.device)
    pairs = find_pairs(args.pairs_dir, args.reference)
    if not pairs:
        raise SystemExit(f"No image pairs found in {args.pairs_dir}: use --reference FILE, ref/ + def/ sub-folders, "
                         "or <name>_ref.<ext> / <name>_def.<ext> names.")
    data = load_pairs(pairs)
    small = min(min(r.shape[-2:]) for r, _ in data)
    if small < args.crop:
        raise SystemExit(f"--crop {args.crop} is larger than the smallest image side ({small} px); use a smaller --crop.")
    n_val = int(round(len(data) * args.val_fraction)) if len(data) >= 3 else 0
    val, train_data = data[:n_val], data[n_val:]
    ck = load_checkpoint(args.checkpoint)
    model = build_from_checkpoint(ck).to(device)
    if not isinstance(model, DICNet):
        raise SystemExit(f"{args.checkpoint} holds a {type(model).__name__}; fine-tuning is for DICNet checkpoints.")
    before = photometric_fit(model, val or train_data, device)
    print(f"{len(pairs)} pairs ({len(train_data)} train, {len(val)} held out); before: {before}", flush=True)

    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    t0, step = time.time(), 0
    model.train()
    if not args.train_bn:
        set_bn_eval(model)
    while step < args.steps and not (args.max_minutes > 0 and time.time() - t0 > args.max_minutes * 60):
        b = dihedral(random_crops(train_data, args.batch_size, args.crop, gen), gen)
        ref, dfm = b["ref"].to(device), b["def"].to(device)
        flow = model(ref, dfm)
        loss, info = warp_loss(ref, dfm, flow, mse_weight=args.mse_weight, corr_weight=args.corr_weight)
        if args.smooth_weight > 0:
            sm = (flow[..., 1:, :] - flow[..., :-1, :]).abs().mean() + (flow[..., :, 1:] - flow[..., :, :-1]).abs().mean()
            loss = loss + args.smooth_weight * sm
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        if step % 20 == 0 or step == args.steps:
            print(f"step={step} loss={float(loss):.4f} pearson={info['pearson']:.4f} "
                  f"elapsed_min={(time.time() - t0) / 60:.2f}", flush=True)
    minutes = (time.time() - t0) / 60
    after = photometric_fit(model, val or train_data, device)
    print(f"after: {after}", flush=True)

    os.makedirs(args.out_dir, exist_ok=True)
    model = model.cpu().eval()
    onnx_path = os.path.join(args.out_dir, f"{new_id}.onnx")
    export(model, onnx_path, stride=STRIDE)
    torch.save({"model": model.state_dict(), "model_class": "DICNet", "model_config": model.config,
                "step": step, "elapsed_s": minutes * 60, "args": vars(args), "base": args.checkpoint},
               os.path.join(args.out_dir, f"{new_id}.pt"))
    held = "held-out" if val else "training (no held-out pairs: fewer than 3)"
    img = "grey image, normalised on its own (see normalisation); H and W multiples of 8"
    entry = {
        "id": new_id,
        "task": "displacement",
        "file": f"{new_id}.onnx",
        "sha256": sha256_file(onnx_path),
        "bytes": os.path.getsize(onnx_path),
        "opset": OPSET,
        "inputs": [
            {"name": "ref", "layout": "NCHW", "dtype": "float32", "shape": ["N", 1, "H", "W"], "description": "reference " + img},
            {"name": "def", "layout": "NCHW", "dtype": "float32", "shape": ["N", 1, "H", "W"], "description": "deformed " + img},
        ],
        "outputs": [{"name": "flow", "layout": "NCHW", "dtype": "float32", "shape": ["N", 2, "H", "W"],
                     "description": "displacement in px: channel 0 = u (x, columns), 1 = v (y, rows), I_def(x + u) = I_ref(x)"}],
        "normalisation": {"kind": "per-image-meanstd", "eps": 1e-6,
                          "notes": "Each input image on its own: (x - mean(x)) / (std(x) + 1e-6), population std."},
        "training": {
            "command": "/usr/bin/python3 training/finetune.py " + " ".join(sys.argv[1:]),
            "hardware": f"{'GPU' if device.type == 'cuda' else 'CPU'} ({os.cpu_count()} cores), {minutes:.0f} minutes, {step} steps",
            "notes": (f"Unsupervised fine-tuning of {args.base_id} ({args.checkpoint}) on {len(train_data)} unlabelled pairs from "
                      f"{os.path.abspath(args.pairs_dir)}: warp loss MSE x {args.mse_weight} + (1 - Pearson) x {args.corr_weight}"
                      f"{f' + smoothness x {args.smooth_weight}' if args.smooth_weight else ''}, crops {args.crop} px, batch "
                      f"{args.batch_size}, Adam lr {args.lr}, BatchNorm {'trained' if args.train_bn else 'frozen'}."),
        },
        "metrics": {
            f"photometric-{'heldout' if val else 'train'}-before": {k: round(v, 5) for k, v in before.items()},
            f"photometric-{'heldout' if val else 'train'}-after": {k: round(v, 5) for k, v in after.items()},
            "photometric-description": (f"Pearson correlation and RMS difference between the reference and the deformed "
                                        f"image warped back by the predicted field, normalised intensities, {held} pairs; "
                                        "no ground truth exists for user data, so this is not a displacement error."),
        },
        "params": count_parameters(model),
        "stride": STRIDE,
        "maxDisplacementPx": float(ck.get("args", {}).get("max_disp", 16.0)),
        "notes": f"Fine-tuned from {args.base_id}; same I/O contract.",
    }
    update_manifest(os.path.join(args.out_dir, "manifest.json"), entry)
    print(f"wrote {onnx_path} and the manifest entry {new_id} in {os.path.join(args.out_dir, 'manifest.json')}", flush=True)
    return entry


if __name__ == "__main__":
    main()
