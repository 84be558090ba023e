#!/usr/bin/env python3
"""Export a trained tracker to ONNX, write golden parity files, measure test metrics, update the manifest.

    /usr/bin/python3 training/export_onnx.py --id cade-xst-s --checkpoint training/runs/cade-xst-s/best.pt
    /usr/bin/python3 training/export_onnx.py --id dicnet-s --checkpoint training/runs/dicnet-s/last.pt

Writes ``models/<id>.onnx`` (opset 17, dynamic N/H/W, checked with onnx.checker),
``test/fixtures/models/<id>/`` (golden.json + float32 .bin inputs/outputs from PyTorch),
``training/weights/<id>.pt`` (the PyTorch weights, starting point of finetune.py), and the entry for
<id> in ``models/manifest.json`` (sha256, bytes, params, stride, I/O, normalisation, the training command
and hardware read from the checkpoint, data recipe, metrics on the held-out synthetic test protocol of
training/common/evaluate.py). Check ONNX Runtime parity afterwards with
``node training/check_onnx_parity.mjs <id>``.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

from training.common.evaluate import cade_protocol, dic_test  # noqa: E402
from training.common.manifest import sha256_file, update_manifest  # noqa: E402
from training.common.onnx_export import OPSET, build_from_checkpoint, export, write_golden  # noqa: E402
from training.common.runtime import load_checkpoint, setup_threads  # noqa: E402
from training.data.recipes import CadeRecipe, DicRecipe, cade_batch, dic_batch  # noqa: E402
from training.models import cade as cade_mod  # noqa: E402
from training.models import dicnet as dic_mod  # noqa: E402
from training.models.dicnet import count_parameters  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOLERANCE = {"abs": 2e-3, "rel": 1e-3}
NORMALISATION = {
    "kind": "per-image-meanstd",
    "eps": 1e-6,
    "notes": "Each input image on its own: (x - mean(x)) / (std(x) + 1e-6), population std (divide by the pixel "
             "count) over the whole image or tile given to the model. The flow output is in px and is not rescaled.",
}


def io_specs(stride: int) -> tuple[list, list]:
    img = "grey image, normalised on its own (see normalisation); H and W multiples of " + str(stride)
    inputs = [
        {"name": "ref", "layout": "NCHW", "dtype": "float32", "shape": ["N", 1, "H", "W"], "description": "reference " + img},
        {"name": "def", "layout": "NCHW", "dtype": "float32", "shape": ["N", 1, "H", "W"], "description": "deformed / sample " + img},
    ]
    outputs = [{"name": "flow", "layout": "NCHW", "dtype": "float32", "shape": ["N", 2, "H", "W"],
                "description": "displacement in px at every reference pixel: channel 0 = u (x, columns), "
                               "1 = v (y, rows), I_def(x + u) = I_ref(x)"}]
    return inputs, outputs


def golden_cases(model_id: str) -> list:
    """Three small cases: a synthetic pair from the model's recipe (64x64), random inputs (96x128), batch 2."""
    g = torch.Generator().manual_seed(7)
    if model_id.startswith("cade"):
        pair = cade_batch(g, 1, CadeRecipe(height=64, width=64))
        pair2 = cade_batch(g, 2, CadeRecipe(height=64, width=96))
    else:
        pair = dic_batch(g, 1, DicRecipe(height=64, width=64))
        pair2 = dic_batch(g, 2, DicRecipe(height=64, width=96))
    rnd = torch.randn(2, 1, 1, 96, 128, generator=g)
    return [("speckle-64x64", pair["ref"], pair["def"]), ("random-96x128", rnd[0], rnd[1]),
            ("batch2-64x96", pair2["ref"], pair2["def"])]


def _stage(ck: dict, model_id: str) -> tuple[str, str]:
    """(training command, hardware line) of one training run, from its checkpoint."""
    args = ck.get("args", {})
    argv = ck.get("argv") or [f"training/train_{'cade' if model_id.startswith('cade') else 'dicnet'}.py"]
    minutes = ck.get("elapsed_s", 0.0) / 60.0
    dev = ck.get("device", "cpu")
    if dev.startswith("cuda"):
        hw = f"GPU ({torch.cuda.get_device_name(0) if torch.cuda.is_available() else dev})"
    else:
        hw = (f"CPU ({os.cpu_count()} cores, shared with other work; {ck.get('threads', '?')} torch thread(s))")
    hardware = f"{hw}, {minutes:.0f} minutes, {ck.get('step', 0)} steps (batch {args.get('batch_size', '?')}, {args.get('crop', '?')}x{args.get('crop', '?')})"
    return "/usr/bin/python3 " + " ".join(argv), hardware


def describe_training(ck: dict, model_id: str, checkpoint: str) -> dict:
    args = ck.get("args", {})
    ck_rel = os.path.relpath(os.path.abspath(checkpoint), REPO)
    # A run that started from another one's weights (--init-from) is only reproducible with that run first,
    # and that one may have started from another: follow the chain back to the run that started fresh.
    stages = [_stage(ck, model_id)]
    init = args.get("init_from")
    while init and len(stages) < 8:
        path = init if os.path.isabs(init) else os.path.join(REPO, init)
        if not os.path.exists(path):
            break
        earlier = load_checkpoint(path)
        stages.insert(0, _stage(earlier, model_id))
        init = earlier.get("args", {}).get("init_from")
    command = " && ".join(c for c, _ in stages)
    hardware = stages[0][1] if len(stages) == 1 else "; ".join(
        f"stage {i + 1}{' (--init-from stage ' + str(i) + ')' if i else ''}: {hw}" for i, (_, hw) in enumerate(stages))
    command += f" && /usr/bin/python3 training/export_onnx.py --id {model_id} --checkpoint {ck_rel}"
    rec = args.get("recipe", {})
    if model_id.startswith("cade"):
        notes = (
            f"CADE-style XST tracker, StrainNet-f / FlowNetS-f architecture at CPU size (widths {ck['model_config']['widths']}; "
            "StrainNet-f: 64..1024). Synthetic pairs rendered on the fly (training/data/recipes.py CadeRecipe: "
            f"Gaussian-filtered speckle {rec.get('speckle_min')}-{rec.get('speckle_max')} px, piecewise-smooth patch fields of 4-128 px "
            f"within +-{rec.get('max_disp')} px, {rec.get('p_identity')} identity / {rec.get('p_constant')} constant fields (half within "
            f"+-{rec.get('small_constant')} px), visibility {rec.get('visibility')}, transmission patches {rec.get('transmission_min')}-1 on "
            f"the sample image, Poisson noise {rec.get('counts')} photons/px), 4x oversampled exact warps. Loss: multi-scale EPE, weights "
            f"{args.get('ms_weights')} coarsest to finest. Adam lr {args.get('lr')}, warm-up + cosine, seed {args.get('seed')}.")
    else:
        cfg = ck["model_config"]
        light = ("" if cfg.get("full_res_decoder", True) and cfg.get("ms_depth", 2) == 2 else
                 f"; light form: {cfg.get('ms_depth', 2)} dilated conv(s) per multi-scale branch, "
                 + ("full-resolution decoder level" if cfg.get("full_res_decoder", True)
                    else "decoder ending at 1/2 resolution, its flow upsampled bilinearly"))
        notes = (
            f"DICNet at CPU size (widths {cfg['widths']}, correlation d={cfg['max_displacement']} "
            f"at 1/4 resolution{light}). Synthetic pairs rendered on the fly (training/data/recipes.py DicRecipe: paint-like speckle "
            f"{rec.get('speckle_min')}-{rec.get('speckle_max')} px; constant / affine / smooth / piecewise (crack) fields within "
            f"+-{rec.get('max_disp')} px, gradient <= {rec.get('max_grad')}; gain {rec.get('contrast')}, offset +-{rec.get('offset')}, "
            f"illumination ramp +-{rec.get('ramp')}, Gaussian noise <= {rec.get('noise_max')}"
            + (f"; {rec.get('small_fraction'):.0%} of the pairs with the field scaled to within +-{rec.get('small_max')} px"
               if rec.get("small_fraction") else "")
            + "), 4x oversampled exact warps. "
            f"Supervised multi-scale EPE (weights {args.get('ms_weights')} for flow/8..flow/1, {args.get('coarse_weight')} for the "
            f"soft-argmax flow) for the first {1 - args.get('unsup_fraction', 0):.0%} of training progress, then unsupervised "
            "(bicubic warp of def by the predicted field; loss MSE + (1 - Pearson) over in-image samples"
            + (f", plus {args.get('unsup_sup_weight')} x the supervised EPE" if args.get("unsup_sup_weight") else "")
            + ") for the rest; "
            f"{ck.get('step')} steps in all ({ck.get('phase_steps', {}).get('2', 0)} unsupervised). Adam lr {args.get('lr')}, "
            f"seed {args.get('seed')}.")
    return {"command": command, "hardware": hardware, "notes": notes}


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--id", required=True, choices=["dicnet-s", "dicnet-f", "cade-xst-s"], help="model id (file models/<id>.onnx)")
    p.add_argument("--checkpoint", required=True, help="training checkpoint (.pt from training/runs/<id>/)")
    p.add_argument("--models-dir", default=os.path.join(REPO, "models"), help="folder with manifest.json to update")
    p.add_argument("--fixtures-dir", default=os.path.join(REPO, "test", "fixtures", "models"),
                   help="golden parity files go to <fixtures-dir>/<id>/")
    p.add_argument("--weights-dir", default=os.path.join(REPO, "training", "weights"),
                   help="where <id>.pt (model weights + config, the starting point of finetune.py) is written")
    p.add_argument("--skip-metrics", action="store_true", help="do not run the test protocol (quick export)")
    p.add_argument("--test-pairs", type=int, default=16, help="dicnet: pairs in the synthetic test set")
    p.add_argument("--pairs-per-shift", type=int, default=3, help="cade: pairs per shift in the CADE protocol")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = default)")
    p.add_argument("--compare-checkpoint", default=None,
                   help="another checkpoint of the same run to evaluate on the same test protocol (reported, not exported)")
    p.add_argument("--compare-label", default="other", help="metrics key suffix for --compare-checkpoint")
    p.add_argument("--status-note", default="", help="extra sentence appended to the entry's notes (e.g. 'barely trained')")
    args = p.parse_args(argv)
    setup_threads(args.threads)

    ck = load_checkpoint(args.checkpoint)
    model = build_from_checkpoint(ck)
    is_cade = args.id.startswith("cade")
    stride = cade_mod.STRIDE if is_cade else dic_mod.STRIDE
    onnx_path = os.path.join(args.models_dir, f"{args.id}.onnx")
    t0 = time.time()
    proto = export(model, onnx_path, stride=stride)
    sha = sha256_file(onnx_path)
    nbytes = os.path.getsize(onnx_path)
    params = count_parameters(model)
    print(f"exported {onnx_path}: {nbytes} bytes, sha256 {sha}, {params} params, {len(proto.graph.node)} nodes "
          f"({time.time() - t0:.1f}s)", flush=True)
    os.makedirs(args.weights_dir, exist_ok=True)
    torch.save({"model": model.state_dict(), "model_class": ck["model_class"], "model_config": ck["model_config"],
                "args": ck.get("args", {}), "step": ck.get("step"), "onnx_sha256": sha},
               os.path.join(args.weights_dir, f"{args.id}.pt"))
    golden = write_golden(model, os.path.join(args.fixtures_dir, args.id), golden_cases(args.id), model_id=args.id,
                          onnx_sha256=sha, tolerance=TOLERANCE)
    print(f"golden files: {len(golden['cases'])} cases in {os.path.join(args.fixtures_dir, args.id)}", flush=True)

    metrics: dict = {}
    if not args.skip_metrics:
        t1 = time.time()
        if is_cade:
            metrics = cade_protocol(model, pairs_per_shift=args.pairs_per_shift)
        else:
            metrics = dic_test(model, pairs=args.test_pairs)
        print(f"metrics ({time.time() - t1:.0f}s): {metrics}", flush=True)
        if args.compare_checkpoint:
            other_ck = load_checkpoint(args.compare_checkpoint)
            other = build_from_checkpoint(other_ck)
            om = cade_protocol(other, pairs_per_shift=args.pairs_per_shift) if is_cade else dic_test(other, pairs=args.test_pairs)
            key = "cade-protocol" if is_cade else "synthetic-test"
            metrics[f"{key}-{args.compare_label}"] = {**om[key], "step": other_ck.get("step", -1)}
            print(f"compare {args.compare_checkpoint}: {om[key]}", flush=True)
    inputs, outputs = io_specs(stride)
    training = describe_training(ck, args.id, args.checkpoint)
    notes = ("Fully convolutional; run on tiles whose sides are multiples of the stride, with overlap. "
             + ("Trained for sub-pixel X-ray speckle tracking, displacements within +-1 px."
                if is_cade else "Trained for displacements within +-16 px per component; the channel attention pools "
                "over the whole input, so tiles and the whole image can differ slightly."))
    if args.status_note:
        notes += " " + args.status_note
    if args.skip_metrics:
        notes += " Metrics not measured for this export (--skip-metrics)."
    entry = {
        "id": args.id,
        "task": "displacement",
        "file": f"{args.id}.onnx",
        "sha256": sha,
        "bytes": nbytes,
        "opset": OPSET,
        "inputs": inputs,
        "outputs": outputs,
        "normalisation": NORMALISATION,
        "training": training,
        "metrics": metrics,
        "params": params,
        "stride": stride,
        "maxDisplacementPx": float(ck.get("args", {}).get("max_disp", 1.0 if is_cade else 16.0)),
        "notes": notes,
    }
    update_manifest(os.path.join(args.models_dir, "manifest.json"), entry)
    print(f"manifest entry {args.id} written to {os.path.join(args.models_dir, 'manifest.json')}", flush=True)
    return entry


if __name__ == "__main__":
    main()
