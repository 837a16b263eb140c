"""What the visit PDF pays per photo for the 640-pixel copy it prints (``evidence.print_copy``):
made from the stored photo (3000 px on its longest side, decoded at a reduced scale and
re-encoded), as for photos stored before 2026-12-05, or read back as kept since the upload; and
what the upload's ``prepare_photo`` costs, print copy included.

    .venv/bin/python bench/print_copy.py [--rounds 20]

Prints the median time of one copy, the thumbnail's read for comparison, and the bytes each puts
into the PDF.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from PIL import Image

from audit.services.evidence import print_copy, print_path, visit_folder
from audit.services.photo_image import prepare_photo


def photo_bytes() -> bytes:
    rng = np.random.default_rng(1)
    h, w = 3000, 4000  # a 12 MP phone photo
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([x * 255 // w, y * 255 // h, (x + y) * 255 // (w + h)], axis=-1).astype(np.int16)
    img += rng.integers(-6, 6, img.shape, dtype=np.int16)
    path = Path(tempfile.mkdtemp()) / "p.jpg"
    Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(path, quality=85)
    return path.read_bytes()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    prepared = prepare_photo(photo_bytes())
    upload_dir = Path(tempfile.mkdtemp())
    evidence = SimpleNamespace(id=1, visit_id=1, stored_name="0" * 32 + ".jpg", thumb_name="0" * 32 + "_thumb.jpg")
    folder = visit_folder(upload_dir, 1)
    folder.mkdir(parents=True)
    (folder / evidence.stored_name).write_bytes(prepared.jpeg)
    (folder / evidence.thumb_name).write_bytes(prepared.thumb)
    kept_path = print_path(evidence, upload_dir)
    copies, reads, kept = [], [], []
    for _ in range(rounds):
        start = time.perf_counter()
        copy = print_copy(evidence, upload_dir)  # made from the stored photo: no copy kept
        copies.append(time.perf_counter() - start)
        kept_path.write_bytes(prepared.printed)  # the copy kept since the upload
        start = time.perf_counter()
        kept_copy = print_copy(evidence, upload_dir)
        kept.append(time.perf_counter() - start)
        kept_path.unlink()
        start = time.perf_counter()
        thumb = (folder / evidence.thumb_name).read_bytes()
        reads.append(time.perf_counter() - start)
    print(f"stored photo {prepared.width}×{prepared.height}, {len(prepared.jpeg) / 1024:.0f} KB")
    print(f"print copy (640 px): {statistics.median(copies) * 1000:.1f} ms median of {rounds}, "
          f"{len(copy) / 1024:.0f} KB in the PDF")
    print(f"thumbnail (320 px) read: {statistics.median(reads) * 1000:.2f} ms, {len(thumb) / 1024:.0f} KB in the PDF")
    print(f"print copy kept since the upload, read: {statistics.median(kept) * 1000:.2f} ms, "
          f"{len(kept_copy) / 1024:.0f} KB in the PDF")
    print(f"a visit with 13 photos: +{13 * statistics.median(copies):.2f} s for the copies made, "
          f"+{13 * statistics.median(kept):.3f} s for the copies kept")
    uploads = []
    data = photo_bytes()
    for _ in range(max(3, rounds // 4)):
        start = time.perf_counter()
        prepare_photo(data)
        uploads.append(time.perf_counter() - start)
    print(f"prepare_photo of the 12 MP upload (photo, print copy, thumbnail): {statistics.median(uploads) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
