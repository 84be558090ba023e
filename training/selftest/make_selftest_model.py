#!/usr/bin/env python3
"""Build models/selftest.onnx, the tiny model the app runs to prove an execution provider really computes.

The model is one fixed 3x3 Conv (opset 17) from input "x" float32 [1, 1, H, W] (H and W dynamic) to output
"y" float32 [1, 1, H, W], zero padding 1 on every side, plus a scalar bias. The kernel is deliberately
asymmetric (weights (k - 5) / 8 for k = 1..9 in row-major order; they sum to zero, so a flat image maps to
the bias away from the border). A provider or a reference implementation that flips the kernel (true
convolution instead of ONNX's cross-correlation) or swaps rows and columns gives a different answer, so the
probe in src/core/infer/probe.ts catches it.

The weights are written here once and mirrored by SELFTEST_KERNEL / SELFTEST_BIAS in
src/core/infer/probe.ts; change both together, re-run this script and update models/manifest.json (sha256,
bytes), which the tests check against the file.

Run with Debian's Python (no torch needed):
    apt-get install -y python3-onnx python3-numpy
    /usr/bin/python3 training/selftest/make_selftest_model.py [--out models/selftest.onnx]
"""
import argparse
import hashlib
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
# Row-major 3x3 kernel (rows = y, columns = x). Eighths are exact in float32, so the JS reference in the
# probe and tests can mirror the weights without rounding questions.
KERNEL = ((np.arange(1, 10, dtype=np.float32).reshape(3, 3) - 5.0) / 8.0).astype(np.float32)
BIAS = np.float32(0.5)


def build() -> onnx.ModelProto:
    w = numpy_helper.from_array(KERNEL.reshape(1, 1, 3, 3), name="w")
    b = numpy_helper.from_array(np.array([BIAS], dtype=np.float32), name="b")
    conv = helper.make_node("Conv", ["x", "w", "b"], ["y"], kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    graph = helper.make_graph(
        [conv],
        "selftest",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, "H", "W"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1, "H", "W"])],
        initializer=[w, b],
    )
    # ir_version 8 is what opset 17 pairs with and what every ONNX Runtime >= 1.13 reads.
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], ir_version=8,
                              producer_name="speckle-lab-selftest")
    onnx.checker.check_model(model, full_check=True)
    return model


def reference(x: np.ndarray) -> np.ndarray:
    """Cross-correlation with zero padding, the ONNX Conv definition, for a [H, W] image."""
    h, wd = x.shape
    p = np.pad(x.astype(np.float64), 1)
    y = np.full((h, wd), float(BIAS))
    for dy in range(3):
        for dx in range(3):
            y += KERNEL[dy, dx] * p[dy:dy + h, dx:dx + wd]
    return y


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.normpath(os.path.join(here, "..", "..", "models", "selftest.onnx"))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=default_out, help="where to write the .onnx file (default: models/selftest.onnx)")
    args = ap.parse_args()

    data = build().SerializeToString()
    # Sanity check of the reference itself: a flat image maps to the bias away from the border.
    flat = reference(np.ones((5, 5)))
    assert abs(flat[2, 2] - float(BIAS)) < 1e-6, flat
    tmp = args.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, args.out)
    print(f"wrote {args.out}")
    print(f"bytes  {len(data)}")
    print(f"sha256 {hashlib.sha256(data).hexdigest()}")
    print("kernel", KERNEL.tolist(), "bias", float(BIAS))


if __name__ == "__main__":
    main()
