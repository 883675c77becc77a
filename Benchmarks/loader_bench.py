#!/usr/bin/env python3
"""Batch loader benchmark: `mifa bench` against PyTorch DataLoaders reading the same patches with
tensorstore and with zarr-python, same data, same machine, same run.

Data: 16 OME-Zarr 0.5 images of 4096x4096 uint16 (background gradient, ~1500 Gaussian-ish "cells",
noise), zstd level 3, 256x256 chunks, each with an instance label image (uint32, one value per cell)
at labels/cells, made with `mifa omezarr from-tiff` (one level).

Workload: one list of random 256x256 patches (uniform over images and positions, seeded) with their
label patches, batches of 32; every loader reads exactly this list (`mifa bench --patch-list`).
MIFAKit: `mifa bench --workers 2 --prefetch 2` (release build), and with --workers 4 (threads, not
processes: on a machine shared with other work a process's CPU share grows with its runnable threads,
and the peers run several threads per worker process: tensorstore's thread pools, torch's pin thread). Peers: torch.utils.data.DataLoader
(num_workers=2, prefetch_factor=2, default collation into tensors) over a Dataset whose item i
reads patch i (image and mask) with tensorstore, or with zarr-python; arrays are opened lazily in
each worker. Without torch (Benchmarks/requirements.txt) the peers fall back to an imitation with
Python multiprocessing. With --step-ms 20 the consumer sleeps 20 ms per batch (a simulated
training step). Wall time starts when iteration starts (DataLoader: worker start included); CPU
time is user + system of the whole process tree (consumer, workers, threads).

Ceiling: the machine's zstd decode speed on these very chunks (imagecodecs.zstd_decode), one
process per core decoding at the same time, in chunks per CPU second (process_time; unaffected by
other load) and per wall second; divided by the chunks an uncached patch needs (the image and label
chunks a random 256x256 patch touches: on average (1 + 255/256)^2 = 3.99 of each). Times the cores,
the CPU-second figure is the ceiling of an idle machine; the wall-second figure is what both cores
delivered during the run.

MIFAKit's decoded-chunk cache (the memory budget minus the batch buffers) starts empty, so the
first patches of a run decode more than later ones: 8192 patches (256 batches) let a run reach
its steady state. The row with --budget-mb 40 leaves no room for a cache (the batch buffers and
one chunk per worker take 37 MiB): every chunk a patch touches is read and decoded, as the peers do.

Usage: loader_bench.py [--data DIR (default: $TMPDIR/mifa-loader-bench, made once)] [--patches 8192]
       [--rounds 1] [--mifa .build-bench/release/mifa] [--markdown]
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


# ---- Peers ----

def patch_list(paths: list[str], count: int, seed: int = 1) -> list[tuple[int, int, int]]:
    rng = random.Random(seed)
    return [(rng.randrange(len(paths)), rng.randrange(N - PATCH + 1), rng.randrange(N - PATCH + 1)) for _ in range(count)]


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


def _read(kind: str, arrays, item):
    s, y, x = item
    image, label = arrays[s]
    if kind == "tensorstore":
        return image[y:y + PATCH, x:x + PATCH].read().result(), label[y:y + PATCH, x:x + PATCH].read().result()
    return image[y:y + PATCH, x:x + PATCH], label[y:y + PATCH, x:x + PATCH]


class PatchDataset:
    """Item i: patch i of the list, as (image [1, 256, 256] uint16, mask [256, 256] as int32 bits)."""

    def __init__(self, kind: str, paths: list[str], patches: list):
        self.kind, self.paths, self.patches, self.arrays = kind, paths, patches, None

    def __len__(self):
        return len(self.patches)

    def __getitem__(self, i):
        if self.arrays is None:  # opened in the worker (never in the parent: tensorstore and fork)
            self.arrays = _open(self.kind, self.paths)
        image, mask = _read(self.kind, self.arrays, self.patches[i])
        return image[None], mask.view(np.int32)


def _cpu() -> float:
    import resource
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def torch_loader(kind: str, paths: list[str], patches: list, step_ms: float) -> dict:
    import torch
    from torch.utils.data import DataLoader
    torch.set_num_threads(1)
    dataset = type("TorchPatchDataset", (PatchDataset, torch.utils.data.Dataset), {})(kind, paths, patches)
    loader = DataLoader(dataset, batch_size=BATCH, num_workers=2, prefetch_factor=2, shuffle=False)
    cpu, load = _cpu(), os.getloadavg()[0]
    start = time.perf_counter()
    waited, count = 0.0, 0
    iterator = iter(loader)
    while True:
        t = time.perf_counter()
        try:
            images, masks = next(iterator)
        except StopIteration:
            waited += time.perf_counter() - t
            break
        waited += time.perf_counter() - t
        count += images.shape[0]
        if step_ms:
            time.sleep(step_ms / 1000)
    seconds = time.perf_counter() - start
    del iterator  # joins the workers, so their CPU time is counted
    cpu = _cpu() - cpu
    return {"patches_per_second": count / seconds, "consumer_wait_fraction": waited / seconds, "seconds": seconds,
            "cpu_seconds": cpu, "patches_per_cpu_second": count / cpu, "load_average": load, "patches": count}


_arrays = None


def _init(kind: str, paths: list[str]) -> None:
    global _arrays
    _arrays = (kind, _open(kind, paths))


def _batch(items):
    kind, arrays = _arrays
    images = np.empty((len(items), 1, PATCH, PATCH), np.uint16)
    masks = np.empty((len(items), PATCH, PATCH), np.uint32)
    for k, item in enumerate(items):
        images[k, 0], masks[k] = _read(kind, arrays, item)
    return images, masks


def multiprocessing_loader(kind: str, paths: list[str], patches: list, step_ms: float, workers=2, prefetch=2) -> dict:
    """DataLoader's design without torch: worker processes, bounded prefetch, in-order delivery."""
    ctx = mp.get_context("spawn")
    batches = [patches[i:i + BATCH] for i in range(0, len(patches), BATCH)]
    cpu, load = _cpu(), os.getloadavg()[0]
    with ctx.Pool(workers, initializer=_init, initargs=(kind, paths)) as pool:
        start = time.perf_counter()
        waited = 0.0
        pending = collections.deque()
        issued = 0
        for _ in batches:
            while issued < len(batches) and len(pending) < workers * prefetch:
                pending.append(pool.apply_async(_batch, (batches[issued],)))
                issued += 1
            t = time.perf_counter()
            pending.popleft().get()
            waited += time.perf_counter() - t
            if step_ms:
                time.sleep(step_ms / 1000)
        seconds = time.perf_counter() - start
    cpu = _cpu() - cpu
    return {"patches_per_second": len(patches) / seconds, "consumer_wait_fraction": waited / seconds, "seconds": seconds,
            "cpu_seconds": cpu, "patches_per_cpu_second": len(patches) / cpu, "load_average": load, "patches": len(patches)}


def mifa_bench(mifa: str, folder: Path, listing: Path, step_ms: float, workers: int = 2, budget_mb: int = 512) -> dict:
    args = [mifa, "bench", str(folder), "--patch", "256,256", "--batch", str(BATCH), "--workers", str(workers), "--prefetch", "2",
            "--patch-list", str(listing), "--label", "cells", "--seed", "1", "--step-ms", str(step_ms),
            "--budget-mb", str(budget_mb), "--json"]
    cpu = _cpu()
    report = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
    report["process_cpu_seconds"] = _cpu() - cpu  # including opening the images
    return report


def _decode_all(paths: list[str]) -> tuple[int, int, float]:
    import imagecodecs
    blobs = [Path(p).read_bytes() for p in paths]
    cpu = time.process_time()
    size = sum(len(imagecodecs.zstd_decode(b)) for b in blobs)
    return len(blobs), size, time.process_time() - cpu


NO_CACHE_MB = 40


def ceiling(folder: Path) -> dict:
    """Decode speed of these chunks, one process per core decoding at the same time: per CPU second
    (what a core delivers when it is free; times the cores: the ceiling of an idle machine) and per
    wall second (what both cores delivered now, under the machine's load)."""
    cores = os.cpu_count() or 1
    def rate(files):
        files = [str(p) for p in files if p.is_file()]
        best = None
        with mp.get_context("spawn").Pool(cores) as pool:
            pool.map(_decode_all, [files[:2]] * cores)  # warm (imports)
            for _ in range(3):
                t = time.perf_counter()
                results = pool.map(_decode_all, [files] * cores)
                wall = time.perf_counter() - t
                chunks, cpu = sum(r[0] for r in results), sum(r[2] for r in results)
                if best is None or chunks / cpu > best[0]:
                    best = (chunks / cpu, chunks / wall, sum(r[1] for r in results) / cpu)
        return best
    image_cpu, image_wall, image_bytes = rate(sorted((folder / "img00.zarr" / "0" / "c").rglob("*"))[:200])
    label_cpu, label_wall, label_bytes = rate(sorted((folder / "img00.zarr" / "labels" / "cells" / "0" / "c").rglob("*"))[:200])
    per_patch = (1 + (PATCH - 1) / CHUNK) ** 2
    def patches(image, label):
        return 1 / (per_patch / image + per_patch / label)
    return {"cores": cores, "image_decode_mb_per_cpu_s": image_bytes / 1e6, "label_decode_mb_per_cpu_s": label_bytes / 1e6,
            "uncached_patches_per_cpu_second": patches(image_cpu, label_cpu),
            "uncached_patches_per_second_idle_machine": cores * patches(image_cpu, label_cpu),
            "uncached_patches_per_second_now": patches(image_wall, label_wall), "load_average": os.getloadavg()[0]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(Path(tempfile.gettempdir()) / "mifa-loader-bench"))
    parser.add_argument("--patches", type=int, default=8192)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--mifa", default=str(ROOT / ".build-bench" / "release" / "mifa"))
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    folder = Path(args.data)
    make_data(folder, args.mifa)
    paths = [str(p) for p in sorted(folder.glob("img*.zarr"))]
    patches = patch_list(paths, args.patches)
    listing = Path(tempfile.mkdtemp()) / "patches.json"
    listing.write_text(json.dumps([list(p) for p in patches]))
    try:
        import torch  # noqa: F401
        peer, kind_name = torch_loader, "torch DataLoader"
    except ImportError:
        peer, kind_name = multiprocessing_loader, "multiprocessing imitation"
    rows: dict = {}
    for _ in range(args.rounds):
        for step in (0.0, 20.0):
            runs = {("MIFAKit mifa bench", step): lambda: mifa_bench(args.mifa, folder, listing, step),
                    ("MIFAKit mifa bench --workers 4", step): lambda: mifa_bench(args.mifa, folder, listing, step, workers=4),
                    (f"MIFAKit mifa bench --budget-mb {NO_CACHE_MB} (no room for a cache)", step):
                        lambda: mifa_bench(args.mifa, folder, listing, step, budget_mb=NO_CACHE_MB),
                    (f"tensorstore + {kind_name}", step): lambda: peer("tensorstore", paths, patches, step),
                    (f"zarr-python + {kind_name}", step): lambda: peer("zarr", paths, patches, step)}
            for key, run in runs.items():
                r = run()
                if key not in rows or r["patches_per_second"] > rows[key]["patches_per_second"]:
                    rows[key] = r
    limit = ceiling(folder)
    print(json.dumps({"rows": {f"{k[0]} step {k[1]:g} ms": v for k, v in rows.items()}, "ceiling": limit}, indent=1))
    if args.markdown:
        print("\n| loader | step | patches/s | patches per CPU s | consumer wait | cache hit rate | peak memory | load avg |")
        print("|---|---|---:|---:|---:|---:|---|---:|")
        for (name, step), r in rows.items():
            print(f"| {name} | {step:g} ms | {r['patches_per_second']:.0f} | {r['patches_per_cpu_second']:.0f} | "
                  f"{100 * r['consumer_wait_fraction']:.1f}% | "
                  f"{'%.1f%%' % (100 * r['cache_hit_rate']) if 'cache_hit_rate' in r else '-'} | "
                  f"{'%d MiB of %d' % (r['peak_memory_bytes'] >> 20, r['memory_budget_bytes'] >> 20) if 'peak_memory_bytes' in r else '-'} | "
                  f"{r['load_average']:.1f} |")
        print()
        for line in goals(rows, limit):
            print(line)


def goals(rows: dict, limit: dict) -> list[str]:
    """The issue's goals, read off this run's rows (MIFAKit with its defaults: 2 workers)."""
    ours = rows[("MIFAKit mifa bench", 0.0)]
    ours_step = rows[("MIFAKit mifa bench", 20.0)]
    peers = {name: r for (name, step), r in rows.items() if step == 0.0 and not name.startswith("MIFAKit")}
    peer_name, peer = max(peers.items(), key=lambda item: item[1]["patches_per_second"])
    idle = limit["uncached_patches_per_second_idle_machine"]
    chunks = ours["chunks_decoded"] / ours["patches"]
    uncached_chunks = 2 * (1 + (PATCH - 1) / CHUNK) ** 2
    return [
        f"- vs the faster peer ({peer_name}): {ours['patches_per_second'] / peer['patches_per_second']:.2f}x in patches/s, "
        f"{ours['patches_per_cpu_second'] / peer['patches_per_cpu_second']:.2f}x per CPU second (goal: 2x)",
        f"- consumer wait with a 20 ms step: {100 * ours_step['consumer_wait_fraction']:.1f}% (goal: < 5%)",
        f"- ceiling: {idle:.0f} uncached patches/s on {limit['cores']} idle cores "
        f"({limit['image_decode_mb_per_cpu_s']:.0f} MB per CPU-s for image chunks, {limit['label_decode_mb_per_cpu_s']:.0f} for label chunks); "
        f"MIFAKit reaches {100 * ours['patches_per_second'] / idle:.0f}% of it (goal: 80%)",
        f"- MIFAKit decoded {chunks:.2f} chunks per patch (an uncached patch needs {uncached_chunks:.2f}); its cache hit rate was "
        f"{100 * ours['cache_hit_rate']:.1f}%",
        f"- peak memory: {ours['peak_memory_bytes'] >> 20} MiB of a {ours['memory_budget_bytes'] >> 20} MiB budget",
    ]


if __name__ == "__main__":
    main()
