#!/usr/bin/env python3
"""Batch loader benchmark: `mifa bench` against Python loaders reading the same kind of patches with
tensorstore and with zarr-python, same data, same machine, same run.

Data: 16 OME-Zarr 0.5 images of 4096x4096 uint16 (background gradient, ~1500 Gaussian-ish "cells",
noise), zstd level 3, 256x256 chunks, each with an instance label image (uint32, one value per cell)
at labels/cells, made with `mifa omezarr from-tiff` (one level).

Workload: random 256x256 patches (uniform over images and positions) with their label patches,
batches of 32. MIFAKit: `mifa bench --workers 2 --prefetch 2` (release build). Peers: PyTorch's
DataLoader is not installed (torch's PyPI wheel pulls the CUDA stack, gigabytes); its design is
reproduced with Python multiprocessing: 2 worker processes, 2 batches prefetched per worker,
each batch read patch by patch with tensorstore (or zarr-python) and stacked with NumPy, sent to
the consumer by pickling (DataLoader uses shared memory instead, which saves one copy).
With --step-ms 20 the consumer sleeps 20 ms per batch (a simulated training step).

Ceiling: the machine's zstd decode speed on these very chunks (imagecodecs.zstd_decode, one core,
best of 3) times the cores, divided by the decoded bytes an uncached patch needs (the image and
label chunks a random 256x256 patch touches: on average (1 + 255/256)^2 = 3.99 of each).

Usage: loader_bench.py [--data DIR (default: $TMPDIR/mifa-loader-bench, made once)] [--patches 2048] [--mifa .build-bench/release/mifa] [--markdown]
"""
from __future__ import annotations

import argparse
import collections
import json
import multiprocessing as mp
import os
import random
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
N, CHUNK, IMAGES, PATCH, BATCH = 4096, 256, 16, 256, 32


def make_data(folder: Path, mifa: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    import tifffile
    rng = np.random.default_rng(7)
    yy, xx = np.mgrid[0:N, 0:N]
    for i in range(IMAGES):
        out = folder / f"img{i:02d}.zarr"
        if (out / "zarr.json").exists():
            continue
        image = (300 + 200 * (yy / N) + 100 * (xx / N)).astype(np.float32)
        labels = np.zeros((N, N), np.uint32)
        for k in range(1, 1501):
            cy, cx, r = rng.integers(0, N), rng.integers(0, N), int(rng.integers(6, 20))
            y0, y1, x0, x1 = max(0, cy - r), min(N, cy + r), max(0, cx - r), min(N, cx + r)
            disc = (yy[y0:y1, x0:x1] - cy) ** 2 + (xx[y0:y1, x0:x1] - cx) ** 2 <= r * r
            labels[y0:y1, x0:x1][disc] = k
            image[y0:y1, x0:x1][disc] += float(rng.integers(500, 3000))
        image += rng.normal(0, 30, size=(N, N)).astype(np.float32)
        tif, mask = folder / "tmp.tif", folder / "tmp-mask.tif"
        tifffile.imwrite(tif, np.clip(image, 0, 65535).astype(np.uint16))
        tifffile.imwrite(mask, labels)
        subprocess.run([mifa, "omezarr", "from-tiff", str(tif), str(out), "--chunks", "256,256", "--levels", "1",
                        "--codec", "zstd:3", "--label", f"cells={mask}"], check=True)
        tif.unlink()
        mask.unlink()


# ---- Python loaders (DataLoader design: worker processes, bounded prefetch, in-order delivery) ----

_arrays = None


def _open(kind: str, paths: list[str]):
    if kind == "tensorstore":
        import tensorstore as ts
        def op(p):
            return ts.open({"driver": "zarr3", "kvstore": {"driver": "file", "path": p}}, read=True).result()
    else:
        import zarr
        def op(p):
            return zarr.open_array(p, mode="r")
    return [(op(p + "/0"), op(p + "/labels/cells/0")) for p in paths]


def _init(kind: str, paths: list[str]) -> None:
    global _arrays
    _arrays = (kind, _open(kind, paths))


def _batch(args):
    seed, index = args
    kind, arrays = _arrays
    rng = random.Random(seed * 1_000_003 + index)
    images = np.empty((BATCH, 1, PATCH, PATCH), np.uint16)
    masks = np.empty((BATCH, PATCH, PATCH), np.uint32)
    for k in range(BATCH):
        image, label = arrays[rng.randrange(len(arrays))]
        y, x = rng.randrange(N - PATCH + 1), rng.randrange(N - PATCH + 1)
        if kind == "tensorstore":
            images[k, 0] = image[y:y + PATCH, x:x + PATCH].read().result()
            masks[k] = label[y:y + PATCH, x:x + PATCH].read().result()
        else:
            images[k, 0] = image[y:y + PATCH, x:x + PATCH]
            masks[k] = label[y:y + PATCH, x:x + PATCH]
    return images, masks


def python_loader(kind: str, paths: list[str], batches: int, step_ms: float, workers=2, prefetch=2) -> dict:
    ctx = mp.get_context("spawn")
    with ctx.Pool(workers, initializer=_init, initargs=(kind, paths)) as pool:
        pool.map(_batch, [(99, i) for i in range(workers)])  # warm the workers (imports, opens)
        start = time.perf_counter()
        waited = 0.0
        pending = collections.deque()
        issued = 0
        for _ in range(batches):
            while issued < batches and len(pending) < workers * prefetch:
                pending.append(pool.apply_async(_batch, ((1, issued),)))
                issued += 1
            t = time.perf_counter()
            images, masks = pending.popleft().get()
            waited += time.perf_counter() - t
            if step_ms:
                time.sleep(step_ms / 1000)
        seconds = time.perf_counter() - start
    return {"patches_per_second": batches * BATCH / seconds, "consumer_wait_fraction": waited / seconds, "seconds": seconds}


def mifa_bench(mifa: str, folder: Path, patches: int, step_ms: float) -> dict:
    args = [mifa, "bench", str(folder), "--patch", "256,256", "--batch", str(BATCH), "--workers", "2", "--prefetch", "2",
            "--samples", str(patches), "--label", "cells", "--seed", "1", "--step-ms", str(step_ms), "--budget-mb", "512", "--json"]
    return json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)


def ceiling(folder: Path) -> dict:
    import imagecodecs
    files = sorted((folder / "img00.zarr" / "0" / "c").rglob("*"))[:200]
    lfiles = sorted((folder / "img00.zarr" / "labels" / "cells" / "0" / "c").rglob("*"))[:200]
    def rate(paths):
        blobs = [p.read_bytes() for p in paths if p.is_file()]
        best = 1e9
        for _ in range(3):
            t = time.perf_counter()
            total = sum(len(imagecodecs.zstd_decode(b)) for b in blobs)
            best = min(best, time.perf_counter() - t)
        return len(blobs) / best, total / best
    image_chunks_s, image_mb = rate(files)
    label_chunks_s, label_mb = rate(lfiles)
    per_patch = (1 + 255 / 256) ** 2
    seconds_per_patch_one_core = per_patch / image_chunks_s + per_patch / label_chunks_s
    cores = os.cpu_count() or 1
    return {"image_decode_mb_s_one_core": image_mb / 1e6, "label_decode_mb_s_one_core": label_mb / 1e6,
            "cores": cores, "uncached_patches_per_second": cores / seconds_per_patch_one_core}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(Path(tempfile.gettempdir()) / "mifa-loader-bench"))
    parser.add_argument("--patches", type=int, default=2048)
    parser.add_argument("--mifa", default=str(ROOT / ".build-bench" / "release" / "mifa"))
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    folder = Path(args.data)
    make_data(folder, args.mifa)
    paths = [str(p) for p in sorted(folder.glob("img*.zarr"))]
    batches = args.patches // BATCH
    rows = {}
    for step in (0.0, 20.0):
        rows[("MIFAKit mifa bench", step)] = mifa_bench(args.mifa, folder, args.patches, step)
        rows[("tensorstore + multiprocessing", step)] = python_loader("tensorstore", paths, batches, step)
        rows[("zarr-python + multiprocessing", step)] = python_loader("zarr", paths, batches, step)
    limit = ceiling(folder)
    print(json.dumps({"rows": {f"{k[0]} step {k[1]:g} ms": v for k, v in rows.items()}, "ceiling": limit}, indent=1))
    if args.markdown:
        print("\n| loader | step | patches/s | consumer wait | cache hit rate | peak memory |")
        print("|---|---|---|---|---|---|")
        for (name, step), r in rows.items():
            print(f"| {name} | {step:g} ms | {r['patches_per_second']:.0f} | {100 * r['consumer_wait_fraction']:.1f}% | "
                  f"{'%.1f%%' % (100 * r['cache_hit_rate']) if 'cache_hit_rate' in r else '-'} | "
                  f"{'%d MiB of %d' % (r['peak_memory_bytes'] >> 20, r['memory_budget_bytes'] >> 20) if 'peak_memory_bytes' in r else '-'} |")


if __name__ == "__main__":
    main()
