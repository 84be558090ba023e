#!/usr/bin/env python3
"""Export a trained SEM deblurring model (MIDNet ``midnet-s`` or the NAFNet baseline ``nafnet-s``) to ONNX,
write golden parity files, measure the held-out test metrics and update the manifest.

    /usr/bin/python3 training/export_deblur.py --id midnet-s --checkpoint training/runs/midnet-s/best.pt
    /usr/bin/python3 training/export_deblur.py --id nafnet-s --checkpoint training/runs/nafnet-s/best.pt

Writes ``models/<id>.onnx`` (opset 17, dynamic N/H/W, input ``blurry`` float32 [N,1,H,W], output ``sharp``
float32 [N,1,H,W], H and W multiples of the stride; onnx.checker full check), ``test/fixtures/models/<id>/``
(golden.json + raw little-endian float32 .bin, same layout as training/common/onnx_export.py), the weights
``training/weights/<id>.pt`` and the manifest entry (metrics from training/eval_deblur.py). Check ONNX Runtime
parity afterwards with ``node training/check_onnx_parity.mjs <id>``.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402

from training.common.manifest import sha256_file, update_manifest  # noqa: E402
from training.common.runtime import load_checkpoint  # noqa: E402
from training.data.sem import TEST_PREFIXES, SemRecipe, synth_pair  # noqa: E402
from training.eval_deblur import PROTOCOL, evaluate_blurry, evaluate_model, load_test  # noqa: E402
from training.models.midnet import MIDNet, count_parameters  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPSET = 17
TOLERANCE = {"abs": 1e-4, "rel": 0.0}
NORMALISATION = {
    "kind": "unit-range",
    "notes": "x' = (x - lo)/(hi - lo): [lo, hi] = the nominal range of the image's type (8-bit 0..255, 16-bit 0..65535), "
             "or min..max over the whole image for float images; the output is mapped back by the inverse map",
}


def build_from_checkpoint(ck: dict) -> MIDNet:
    if ck.get("model_class", "MIDNet") != "MIDNet":
        raise ValueError(f"checkpoint model_class {ck.get('model_class')!r} is not MIDNet")
    m = MIDNet(**ck["model_config"])
    m.load_state_dict(ck["model"])
    return m.eval()


def export(model: MIDNet, path: str) -> onnx.ModelProto:
    model = model.eval().cpu()
    s = model.stride
    ex = torch.rand(1, 1, 4 * s, 4 * s)
    axes = {0: "N", 2: "H", 3: "W"}
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(model, (ex,), path, input_names=["blurry"], output_names=["sharp"],
                          dynamic_axes={"blurry": axes, "sharp": axes}, opset_version=OPSET, do_constant_folding=True)
    proto = onnx.load(path)
    onnx.checker.check_model(proto, full_check=True)
    return proto


def golden_cases() -> list:
    """A synthetic SEM crop 64x64, uniform random 96x128, a batch of 2 synthetic crops at 64x96 (all in [0, 1])."""
    rng = np.random.default_rng(7)
    b1, _ = synth_pair(rng, 96)
    b2 = [synth_pair(rng, 96)[0] for _ in range(2)]
    g = torch.Generator().manual_seed(7)
    return [("sem-64x64", torch.from_numpy(b1[:64, :64].copy())[None, None]),
            ("random-96x128", torch.rand(1, 1, 96, 128, generator=g)),
            ("batch2-64x96", torch.from_numpy(np.stack([b[:64, :96] for b in b2]))[:, None].contiguous())]


@torch.no_grad()
def write_golden(model: MIDNet, out_dir: str, *, model_id: str, onnx_sha256: str) -> dict:
    os.makedirs(out_dir, exist_ok=True)
    for f in os.listdir(out_dir):
        if f.endswith(".bin"):
            os.remove(os.path.join(out_dir, f))
    cases = []
    for name, x in golden_cases():
        y = model(x)
        entry = {"name": name, "tensors": {}}
        for tname, t in (("blurry", x), ("sharp", y)):
            fname = f"{name}.{tname}.bin"
            np.ascontiguousarray(t.numpy(), dtype="<f4").tofile(os.path.join(out_dir, fname))
            entry["tensors"][tname] = {"file": fname, "shape": list(t.shape)}
        cases.append(entry)
    golden = {
        "model": model_id, "onnx_sha256": onnx_sha256, "dtype": "float32", "byteOrder": "little-endian",
        "layout": "NCHW, C order", "inputs": ["blurry"], "outputs": ["sharp"], "tolerance": TOLERANCE,
        "notes": f"Inputs in unit range [0, 1] (what the ONNX model receives). PyTorch {torch.__version__} CPU outputs "
                 "(not clipped); pass if |onnx - torch| <= abs + rel * |torch| for every element.",
        "generator": "training/export_deblur.py", "cases": cases,
    }
    with open(os.path.join(out_dir, "golden.json"), "w", encoding="utf-8") as f:
        json.dump(golden, f, indent=2)
        f.write("\n")
    return golden


def io_specs(stride: int) -> tuple[list, list]:
    inputs = [{"name": "blurry", "layout": "NCHW", "dtype": "float32", "shape": ["N", 1, "H", "W"],
               "description": f"blurry grey SEM image in unit range (see normalisation); H and W multiples of {stride}"}]
    outputs = [{"name": "sharp", "layout": "NCHW", "dtype": "float32", "shape": ["N", 1, "H", "W"],
                "description": "deblurred image in the same unit range (not clipped; clip to [0, 1] before mapping back)"}]
    return inputs, outputs


def describe_training(ck: dict, model_id: str, checkpoint: str) -> dict:
    argv = ck.get("argv") or ["training/train_deblur.py"]
    ck_rel = os.path.relpath(os.path.abspath(checkpoint), REPO)
    command = "/usr/bin/python3 " + " ".join(argv) + f" && /usr/bin/python3 training/export_deblur.py --id {model_id} --checkpoint {ck_rel}"
    a = ck.get("args", {})
    minutes = ck.get("elapsed_s", 0.0) / 60.0
    dev = ck.get("device", "cpu")
    if dev.startswith("cuda"):
        hw = f"GPU ({dev})"
    else:
        hw = f"CPU, {ck.get('threads', '?')} torch thread on a shared {os.cpu_count()}-core machine"
    steps = ck.get("step", 0)
    last = os.path.join(os.path.dirname(os.path.abspath(checkpoint)), "last.pt")
    is_best = os.path.basename(checkpoint) == "best.pt"
    if is_best and os.path.isfile(last):  # the run's totals, not those at the best step
        lk = torch.load(last, map_location="cpu")
        minutes, steps = lk.get("elapsed_s", 0.0) / 60.0, lk.get("step", steps)
    hardware = (f"{hw}, {minutes:.0f} minutes, {steps} steps (batch {a.get('batch_size')}, "
                f"{a.get('crop')}x{a.get('crop')} crops)")
    chosen = (f"Checkpoint = best mean PSNR on a fixed validation set of training-prefix real crops and synthetic crops "
              f"(step {ck.get('step')} of {steps})." if is_best else f"Checkpoint = the run's state at step {ck.get('step')}.")
    sp = ck.get("split", {})
    r = ck.get("recipe", vars(SemRecipe()))
    cfg = ck["model_config"]
    arch = "MIDNet (attention-gated skips)" if cfg.get("attention_skips") else "plain NAFNet (additive skips; ablation baseline of MIDNet)"
    notes = (
        f"{arch}, CPU size: width {cfg['width']}, encoder blocks {cfg['enc_blocks']}, middle {cfg['middle_blocks']}, decoder "
        f"{cfg['dec_blocks']}. Data: {a.get('real_frac', 0.5):.0%} random {a.get('crop')}x{a.get('crop')} crops of the real "
        f"blurry/sharp SEM pairs of /work/shared/data/sem/midnet (MIDNet paper data; BT.601 luma / 255) from the training "
        f"prefixes {', '.join(sp.get('train_prefixes', []))} ({sp.get('train_pairs')} pairs), held-out test prefixes "
        f"{', '.join(sp.get('test_prefixes', TEST_PREFIXES))} ({sp.get('test_pairs')} pairs, never used for training or "
        f"model selection); the rest synthetic SEM-like microstructures (training/data/sem.py: Voronoi grains with per-grain "
        f"grey levels and bright boundaries, precipitates, pores with bright rims, edge brightening, texture) blurred by "
        f"defocus Gaussian sigma {r.get('sigma_min')}-{r.get('sigma_max')} px (or disc, p {r.get('p_disc')}), astigmatism "
        f"(p {r.get('p_astig')}), drift line <= {r.get('drift_max')} px (p {r.get('p_drift')}), Poisson ({r.get('photons_min')}-"
        f"{r.get('photons_max')} photons at 1.0) + Gaussian (std <= {r.get('read_noise_max')}) noise; random flips and 90-degree "
        f"rotations. Loss L1 + 0.05 Charbonnier(Laplacian difference, eps 1e-3) + 0.01 L1(rfft2 real/imag). Adam (0.9, 0.999), "
        f"cosine LR {a.get('lr')} -> {a.get('lr_min')} over max(step/steps, elapsed/--max-minutes), seed {a.get('seed')}. "
        + chosen)
    return {"command": command, "hardware": hardware, "notes": notes}


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--id", required=True, choices=["midnet-s", "nafnet-s"], help="model id (file models/<id>.onnx)")
    p.add_argument("--checkpoint", required=True, help="training checkpoint (training/runs/<run>/best.pt or last.pt)")
    p.add_argument("--models-dir", default=os.path.join(REPO, "models"), help="folder with manifest.json to update")
    p.add_argument("--fixtures-dir", default=os.path.join(REPO, "test", "fixtures", "models"), help="golden files go to <dir>/<id>/")
    p.add_argument("--weights-dir", default=os.path.join(REPO, "training", "weights"), help="where <id>.pt is written")
    p.add_argument("--skip-metrics", action="store_true", help="do not run the held-out test (quick export)")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    p.add_argument("--status-note", default="", help="extra sentence appended to the entry's notes")
    args = p.parse_args(argv)
    torch.set_num_threads(max(1, args.threads))
    ck = load_checkpoint(args.checkpoint)
    model = build_from_checkpoint(ck)
    want_att = args.id.startswith("midnet")
    if bool(model.config.get("attention_skips")) != want_att:
        raise SystemExit(f"{args.id} needs attention_skips={want_att}, the checkpoint has {model.config.get('attention_skips')}")
    onnx_path = os.path.join(args.models_dir, f"{args.id}.onnx")
    t0 = time.time()
    proto = export(model, onnx_path)
    sha, nbytes, params = sha256_file(onnx_path), os.path.getsize(onnx_path), count_parameters(model)
    print(f"exported {onnx_path}: {nbytes} bytes, sha256 {sha}, {params} params, {len(proto.graph.node)} nodes "
          f"({time.time() - t0:.1f}s)", flush=True)
    os.makedirs(args.weights_dir, exist_ok=True)
    torch.save({"model": model.state_dict(), "model_class": "MIDNet", "model_config": model.config, "args": ck.get("args", {}),
                "step": ck.get("step"), "split": ck.get("split"), "onnx_sha256": sha},
               os.path.join(args.weights_dir, f"{args.id}.pt"))
    golden = write_golden(model, os.path.join(args.fixtures_dir, args.id), model_id=args.id, onnx_sha256=sha)
    print(f"golden files: {len(golden['cases'])} cases in {os.path.join(args.fixtures_dir, args.id)}", flush=True)

    metrics: dict = {}
    if not args.skip_metrics:
        t1 = time.time()
        test = load_test()
        blur = evaluate_blurry(test)
        res = evaluate_model(model, test)
        metrics = {
            "test-psnr-db": res["psnr"], "test-ssim": res["ssim"],
            "test-blurry-input-psnr-db": blur["psnr"], "test-blurry-input-ssim": blur["ssim"],
            "test-protocol": PROTOCOL.format(prefixes=", ".join(TEST_PREFIXES), n=len(test)),
        }
        al, bal = evaluate_model(model, test, aligned=True), evaluate_blurry(test, aligned=True)
        metrics.update({
            "test-aligned-psnr-db": al["psnr"], "test-aligned-ssim": al["ssim"],
            "test-aligned-blurry-input-psnr-db": bal["psnr"], "test-aligned-blurry-input-ssim": bal["ssim"],
            "test-aligned-protocol": "supplementary: as test-protocol, but against the sharp image shifted by each pair's "
                                     "integer offset (cross-correlation peak of blurry vs sharp, up to ~20 px: the pairs "
                                     "are not pixel-aligned), on the overlap (training/eval_deblur.py --aligned)",
        })
        print(f"metrics ({time.time() - t1:.0f}s): {json.dumps(metrics)}", flush=True)
    inputs, outputs = io_specs(model.stride)
    notes = ("Fully convolutional, grey SEM images in unit range; H and W multiples of the stride (pad by reflection and "
             "crop back). The channel attention pools over the whole input, so tiles and the whole image can differ "
             "slightly; the metrics are whole-image inference. Trained at CPU size for minutes, not the paper's scale.")
    if args.id == "nafnet-s":
        notes = "Ablation baseline: MIDNet without the attention-gated skips (plain additive skips), same size and recipe. " + notes
    if args.status_note:
        notes += " " + args.status_note
    if args.skip_metrics:
        notes += " Metrics not measured for this export (--skip-metrics)."
    entry = {
        "id": args.id, "task": "deblur", "file": f"{args.id}.onnx", "sha256": sha, "bytes": nbytes, "opset": OPSET,
        "inputs": inputs, "outputs": outputs, "normalisation": NORMALISATION,
        "training": describe_training(ck, args.id, args.checkpoint), "metrics": metrics, "params": params,
        "stride": model.stride, "notes": notes,
    }
    update_manifest(os.path.join(args.models_dir, "manifest.json"), entry)
    print(f"manifest entry {args.id} written", flush=True)
    return entry


if __name__ == "__main__":
    main()
