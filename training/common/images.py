"""Reading a user's image pairs for fine-tuning: TIFF (tifffile, else Pillow) and PNG/JPEG (Pillow).

Images become float32 grey (H, W) in their native scale (RGB is averaged; nothing is rescaled or clipped;
normalisation happens later, per image, as in the app). Pairs are matched by name, see ``find_pairs``.
"""
from __future__ import annotations

import os
import re

import numpy as np

EXTS = (".tif", ".tiff", ".png", ".jpg", ".jpeg")


def read_grey(path: str) -> np.ndarray:
    """float32 (H, W) grey image; raises ValueError naming the file if it cannot be read as 2-D grey/RGB."""
    ext = os.path.splitext(path)[1].lower()
    arr = None
    if ext in (".tif", ".tiff"):
        try:
            import tifffile
            arr = tifffile.imread(path)
        except ImportError:
            arr = None
    if arr is None:
        try:
            from PIL import Image
        except ImportError as e:
            raise ValueError(f"cannot read {path}: install python3-pil (and python3-tifffile for TIFF)") from e
        with Image.open(path) as im:
            arr = np.asarray(im)
    arr = np.asarray(arr)
    if arr.ndim == 3 and arr.shape[-1] in (3, 4):
        arr = arr[..., :3].astype(np.float64).mean(axis=-1)
    elif arr.ndim == 3 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.ndim != 2:
        raise ValueError(f"{path}: expected a 2-D grey or RGB image, got an array of shape {arr.shape}")
    return arr.astype(np.float32)


def _images(folder: str) -> list[str]:
    return sorted(f for f in os.listdir(folder) if f.lower().endswith(EXTS) and os.path.isfile(os.path.join(folder, f)))


def find_pairs(folder: str, reference: str | None = None) -> list[tuple[str, str]]:
    """(reference, deformed) paths found in ``folder``, by the first rule that matches:

    1. ``reference`` given: that file against every other image in the folder (a loading series);
    2. sub-folders ``ref/`` and ``def/``: files with the same name (extension may differ);
    3. ``<name>_ref.<ext>`` with ``<name>_def.<ext>`` (also ``-ref``/``-def``, ``_reference``/``_deformed``).
    """
    if not os.path.isdir(folder):
        raise ValueError(f"--pairs-dir {folder} is not a folder")
    if reference:
        ref = reference if os.path.isabs(reference) or os.path.exists(reference) else os.path.join(folder, reference)
        if not os.path.isfile(ref):
            raise ValueError(f"--reference {reference} was not found (looked for {ref})")
        return [(ref, os.path.join(folder, f)) for f in _images(folder)
                if os.path.abspath(os.path.join(folder, f)) != os.path.abspath(ref)]
    rdir, ddir = os.path.join(folder, "ref"), os.path.join(folder, "def")
    if os.path.isdir(rdir) and os.path.isdir(ddir):
        dmap = {os.path.splitext(f)[0]: f for f in _images(ddir)}
        return [(os.path.join(rdir, f), os.path.join(ddir, dmap[os.path.splitext(f)[0]]))
                for f in _images(rdir) if os.path.splitext(f)[0] in dmap]
    pat = re.compile(r"^(.*?)[_-](ref|reference|def|deformed)$", re.IGNORECASE)
    refs, defs = {}, {}
    for f in _images(folder):
        m = pat.match(os.path.splitext(f)[0])
        if m:
            (refs if m.group(2).lower().startswith("ref") else defs)[m.group(1)] = os.path.join(folder, f)
    return [(refs[k], defs[k]) for k in sorted(refs) if k in defs]
