"""What one large photo upload costs the server: ``prepare_photo`` (identify, decode, turn
upright, re-encode) on a 40-megapixel JPEG, in a fresh process each round so that the peak
resident memory is this photo's alone.

    .venv/bin/python bench/photo_upload.py [--rounds 3] [--old REV]

``--old REV`` also measures ``prepare_photo`` as it was at git revision REV (its module loaded
from ``git show``: ``audit/services/photo_image.py``, or ``evidence.py`` before the two were
split), for a before/after ratio. Prints seconds, peak RSS and the stored size.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MAKE = """
import numpy as np
from PIL import Image
rng = np.random.default_rng(1)
h, w = 5000, 7900  # 39.5 MP, a phone's full-resolution mode
y, x = np.mgrid[0:h, 0:w]
img = np.stack([x * 255 // w, y * 255 // h, (x + y) * 255 // (w + h)], axis=-1).astype(np.int16)
img += rng.integers(-6, 6, img.shape, dtype=np.int16)  # some texture, about phone-sized once encoded
Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(PATH, quality=85)
"""

RUN = """
import importlib.util, json, resource, sys, time
import audit.services
spec = importlib.util.spec_from_file_location("audit.services._bench_photo_image", MODULE)
module = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = module
spec.loader.exec_module(module)
data = open(PATH, "rb").read()
started = time.perf_counter()
photo = module.prepare_photo(data)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "stored": [photo.width, photo.height], "stored_mb": len(photo.jpeg) / 1e6, "input_mb": len(data) / 1e6}))
"""


def measure(module: Path, photo: Path, rounds: int) -> dict:
    runs = []
    for _ in range(rounds):
        code = f"MODULE = {str(module)!r}\nPATH = {str(photo)!r}\n{RUN}"
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {"seconds": statistics.median(r["seconds"] for r in runs), "peak_mb": max(r["peak_mb"] for r in runs),
            "stored": runs[0]["stored"], "stored_mb": runs[0]["stored_mb"], "input_mb": runs[0]["input_mb"]}


def old_source(rev: str) -> str:
    """The module that held ``prepare_photo`` at ``rev``: photo_image.py, or evidence.py before the split."""
    for name in ("photo_image.py", "evidence.py"):
        shown = subprocess.run(["git", "show", f"{rev}:audit/services/{name}"], cwd=ROOT,
                               capture_output=True, text=True)
        if shown.returncode == 0:
            return shown.stdout
    raise SystemExit(f"no audit/services/photo_image.py nor evidence.py at {rev}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--old", help="a git revision whose prepare_photo to compare with")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-photo-"))
    photo = work / "big.jpg"
    subprocess.run([sys.executable, "-c", f"PATH = {str(photo)!r}\n{MAKE}"], check=True)
    modules = {"current": ROOT / "audit" / "services" / "photo_image.py"}
    if args.old:
        old = work / "old_photo_image.py"
        old.write_text(old_source(args.old))
        modules = {f"at {args.old}": old, **modules}
    results = {name: measure(path, photo, args.rounds) for name, path in modules.items()}
    for name, r in results.items():
        print(f"{name:>14}: {r['seconds']:.2f} s median of {args.rounds}, peak RSS {r['peak_mb']:.0f} MB, "
              f"input {r['input_mb']:.1f} MB → stored {r['stored'][0]}×{r['stored'][1]}, {r['stored_mb']:.2f} MB")
    if len(results) == 2:
        (_, before), (_, after) = results.items()
        print(f"ratio current / old: time {after['seconds'] / before['seconds']:.2f}×, "
              f"peak memory {after['peak_mb'] / before['peak_mb']:.2f}×")


if __name__ == "__main__":
    main()
