"""Read, update and write a models manifest (models/manifest.json or a user models folder's manifest.json).

The schema is src/core/infer/manifest.ts (``ModelEntrySchema``); ``check_entry`` mirrors the parts a Python
writer can get wrong. ``dumps`` keeps the file's hand-written style (2-space indent, short scalar arrays and
small scalar objects on one line, as Prettier leaves them) so regenerating an entry does not reformat others.
"""
from __future__ import annotations

import hashlib
import json
import os
import re

ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
FILE_RE = re.compile(r"^[A-Za-z0-9._-]+\.onnx$")
INLINE_WIDTH = 120


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _scalar(v) -> bool:
    return v is None or isinstance(v, (str, int, float, bool))


def _inline(v) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(json.dumps(x, ensure_ascii=False) for x in v) + "]"
    return "{ " + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {json.dumps(x, ensure_ascii=False)}" for k, x in v.items()) + " }"


def dumps(obj, indent: int = 0, key_len: int = 0) -> str:
    """JSON text in the manifest's style (see module docstring)."""
    pad = " " * indent
    if isinstance(obj, list):
        if all(_scalar(x) for x in obj) and indent + key_len + len(_inline(obj)) <= INLINE_WIDTH:
            return _inline(obj)
        if not obj:
            return "[]"
        return "[\n" + ",\n".join(pad + "  " + dumps(x, indent + 2) for x in obj) + "\n" + pad + "]"
    if isinstance(obj, dict):
        if obj and all(_scalar(x) for x in obj.values()) and len(obj) <= 3 and indent + key_len + len(_inline(obj)) <= INLINE_WIDTH:
            return _inline(obj)
        if not obj:
            return "{}"
        items = []
        for k, v in obj.items():
            kk = json.dumps(k, ensure_ascii=False)
            items.append(pad + "  " + kk + ": " + dumps(v, indent + 2, len(kk) + 2))
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    return json.dumps(obj, ensure_ascii=False)


def check_entry(e: dict) -> None:
    """Raises ValueError naming the field when ``e`` would fail the TypeScript schema."""
    if not ID_RE.match(e.get("id", "")):
        raise ValueError(f"model id {e.get('id')!r} must be lower-case letters, digits, '.', '_' and '-'")
    if not FILE_RE.match(e.get("file", "")):
        raise ValueError(f"file {e.get('file')!r} must be a plain .onnx file name")
    if not re.fullmatch(r"[0-9a-f]{64}", e.get("sha256", "")):
        raise ValueError("sha256 must be 64 lower-case hex digits")
    for k in ("task", "bytes", "opset", "inputs", "outputs", "normalisation", "training", "metrics", "params"):
        if k not in e:
            raise ValueError(f"manifest entry {e['id']} lacks '{k}'")
    for k, v in e["metrics"].items():
        ok = _scalar(v) and not isinstance(v, bool) and v is not None or (
            isinstance(v, dict) and all(isinstance(x, (int, float, str)) and not isinstance(x, bool) for x in v.values()))
        if not ok:
            raise ValueError(f"metric {k!r} must be a number, a string, or a flat object of numbers/strings")


def update_manifest(path: str, entry: dict) -> None:
    """Insert or replace (by id) ``entry`` in the manifest at ``path`` (created if missing); atomic write."""
    check_entry(entry)
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            man = json.load(f)
    else:
        man = {"manifestVersion": 1, "models": []}
    models = man.setdefault("models", [])
    for i, m in enumerate(models):
        if m.get("id") == entry["id"]:
            models[i] = entry
            break
    else:
        models.append(entry)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(dumps(man) + "\n")
    os.replace(tmp, path)
