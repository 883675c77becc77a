#!/usr/bin/env python3
"""Batch loader benchmark: `mifa bench` against PyTorch DataLoaders reading the same patches with
tensorstore and with zarr-python, same data, same machine, same run.

Cases (--case, Benchmarks/loader_cases.py): 2d (the default: 16 images of 4096x4096 uint16 with
uint32 labels, 256x256 chunks, 256x256 patches with their labels), 3d (4 EM-like volumes of
512x1024x1024 uint8, 64^3 chunks, 64x64x64 patches) and channels (4 images of 4x4096x4096 uint16,
1x256x256 chunks, 256x256 patches of all 4 channels); all zstd level 3, OME-Zarr 0.5, one level.

Workload: one list of random patches (uniform over images and positions, seeded) with their label
patches if the case has labels, batches of 32; every loader reads exactly this list (`mifa bench --patch-list`).
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
chunks a random patch touches: for a 256x256 patch in 256x256 chunks (1 + 255/256)^2 = 3.99 of each). Times the cores,
the CPU-second figure is the ceiling of an idle machine; the wall-second figure is what both cores
delivered during the run.

MIFAKit's decoded-chunk cache (the memory budget minus the batch buffers) starts empty, so the
first patches of a run decode more than later ones: 8192 patches (256 batches) let a run reach
its steady state. The row with the smallest budget the loader takes (--budget-mb: the batch buffers
and one chunk per worker; 37 MiB in the 2d case) leaves no room for a cache: every chunk a patch
touches is read and decoded, as the peers do.

Before any timing, the first two batches `mifa bench --save-batches` delivers are compared with
zarr-python's reads of the regions they report, and a few patches of tensorstore with zarr-python's:
a loader reading wrong data stops the benchmark. All MIFAKit rows must report the same digest.

Usage: loader_bench.py [--case 2d|3d|channels] [--data DIR (default: $TMPDIR/mifa-loader-bench[-CASE],
       made once)] [--patches 8192] [--rounds 1] [--mifa .build-bench/release/mifa] [--markdown]
"""
from __future__ import annotations

import argparse
import collections
import json
import multiprocessing as mp
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from loader_cases import CASES, Case  # noqa: E402

DEFAULT = CASES["2d"]


# ---- Peers ----

def patch_list(paths: list[str], count: int, seed: int = 1, case: Case = DEFAULT) -> list[tuple[int, ...]]:
    """`count` patches, (image, origin per spatial axis), uniform over the images and positions."""
    rng = random.Random(seed)
    return [(rng.randrange(len(paths)), *(rng.randrange(n - p + 1) for n, p in zip(case.spatial, case.patch))) for _ in range(count)]


def _open(kind: str, paths: list, case: Case = DEFAULT):
    """Each image's level 0 and label array. A path is a local folder, or for tensorstore also the
    kvstore spec of an image's folder (an `http` or `s3` kvstore whose `path` ends with "/")."""
    if kind == "tensorstore":
        import tensorstore as ts
        def op(p, array):
            kvstore = {**p, "path": p.get("path", "") + array + "/"} if isinstance(p, dict) else {"driver": "file", "path": f"{p}/{array}"}
            return ts.open({"driver": "zarr3", "kvstore": kvstore}, read=True).result()
    else:
        import zarr
        def op(p, array):
            return zarr.open_array(f"{p}/{array}", mode="r")
    return [(op(p, "0"), op(p, f"labels/{case.label}/0") if case.label else None) for p in paths]


def _read(kind: str, arrays, item, case: Case = DEFAULT):
    """Patch `item` as (image [C, (Z,) Y, X], label or None)."""
    image, label = arrays[item[0]]
    region = case.region(item[1:])
    def read(array):
        return array[region].read().result() if kind == "tensorstore" else array[region]
    pixels = read(image)
    return pixels.reshape((case.channels, *case.patch)), read(label) if label is not None else None


class PatchDataset:
    """Item i: patch i of the list, as (image [C, (Z,) Y, X]) or, with labels, (image, mask as int32 bits)."""

    def __init__(self, kind: str, paths: list[str], patches: list, case: Case = DEFAULT):
        self.kind, self.paths, self.patches, self.case, self.arrays = kind, paths, patches, case, None

    def __len__(self):
        return len(self.patches)

    def __getitem__(self, i):
        if self.arrays is None:  # opened in the worker (never in the parent: tensorstore and fork)
            self.arrays = _open(self.kind, self.paths, self.case)
        image, mask = _read(self.kind, self.arrays, self.patches[i], self.case)
        return (image,) if mask is None else (image, mask.view(np.int32))


def _cpu() -> float:
    import resource
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def torch_loader(kind: str, paths: list[str], patches: list, step_ms: float, case: Case = DEFAULT) -> dict:
    import torch
    from torch.utils.data import DataLoader
    torch.set_num_threads(1)
    dataset = type("TorchPatchDataset", (PatchDataset, torch.utils.data.Dataset), {})(kind, paths, patches, case)
    loader = DataLoader(dataset, batch_size=case.batch, num_workers=2, prefetch_factor=2, shuffle=False)
    cpu, load = _cpu(), os.getloadavg()[0]
    start = time.perf_counter()
    waited, count = 0.0, 0
    iterator = iter(loader)
    while True:
        t = time.perf_counter()
        try:
            images = next(iterator)[0]
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


def _init(kind: str, paths: list[str], case: Case) -> None:
    global _arrays
    _arrays = (kind, case, _open(kind, paths, case))


def _batch(items):
    kind, case, arrays = _arrays
    reads = [_read(kind, arrays, item, case) for item in items]
    return np.stack([r[0] for r in reads]), None if case.label is None else np.stack([r[1] for r in reads])


def multiprocessing_loader(kind: str, paths: list[str], patches: list, step_ms: float, workers=2, prefetch=2, case: Case = DEFAULT) -> dict:
    """DataLoader's design without torch: worker processes, bounded prefetch, in-order delivery."""
    ctx = mp.get_context("spawn")
    batches = [patches[i:i + case.batch] for i in range(0, len(patches), case.batch)]
    cpu, load = _cpu(), os.getloadavg()[0]
    with ctx.Pool(workers, initializer=_init, initargs=(kind, paths, case)) as pool:
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


def _bench_args(mifa: str, folder: Path | list[str], listing: Path, step_ms: float, workers: int, budget_mb: int, case: Case) -> list[str]:
    """`mifa bench` over `folder` (a folder of images, or a list of images: paths or URLs) reading `listing`."""
    inputs = list(map(str, folder)) if isinstance(folder, list) else [str(folder)]
    return [mifa, "bench", *inputs, "--patch", ",".join(map(str, case.patch)), "--batch", str(case.batch), "--workers", str(workers),
            "--prefetch", "2", "--patch-list", str(listing), *(["--label", case.label] if case.label else []), "--seed", "1",
            "--step-ms", str(step_ms), "--budget-mb", str(budget_mb), "--json"]


def mifa_bench(mifa: str, folder: Path | list[str], listing: Path, step_ms: float, workers: int = 2, budget_mb: int = 512, case: Case = DEFAULT,
               extra: tuple[str, ...] = (), env: dict | None = None) -> dict:
    """`mifa bench`'s JSON report (`extra`: more options; `env`: its environment, e.g. S3 settings)."""
    cpu = _cpu()
    report = json.loads(subprocess.run(_bench_args(mifa, folder, listing, step_ms, workers, budget_mb, case) + list(extra),
                                       check=True, capture_output=True, text=True, env=env).stdout)
    report["process_cpu_seconds"] = _cpu() - cpu  # including opening the images
    return report


def check_patches(mifa: str, folder: Path, paths: list[str], patches: list, case: Case) -> None:
    """Stops the benchmark unless the first two batches `mifa bench` delivers equal zarr-python's
    reads of the regions they report, and a few patches of tensorstore equal zarr-python's."""
    zarr_arrays, ts_arrays = _open("zarr", paths, case), _open("tensorstore", paths, case)
    for item in patches[:8]:
        a, b = _read("zarr", zarr_arrays, item, case), _read("tensorstore", ts_arrays, item, case)
        if not np.array_equal(a[0], b[0]) or (case.label and not np.array_equal(a[1], b[1])):
            raise SystemExit(f"tensorstore and zarr-python read patch {item} differently")
    with tempfile.TemporaryDirectory() as scratch:
        listing, saved = Path(scratch) / "patches.json", Path(scratch) / "batches"
        listing.write_text(json.dumps([list(p) for p in patches[:2 * case.batch]]))
        subprocess.run(_bench_args(mifa, folder, listing, 0, 2, 512, case) + ["--save-batches", str(saved), "--save-count", "2"],
                       check=True, capture_output=True)
        by_name = {Path(p).resolve(): k for k, p in enumerate(paths)}
        checked = 0
        for number in range(2):
            images = np.load(saved / f"batch-{number:03d}-images.npy")
            masks = np.load(saved / f"batch-{number:03d}-masks.npy") if case.label else None
            described = json.loads((saved / f"batch-{number:03d}.json").read_text())
            for i, patch in enumerate(described["patches"] if isinstance(described, dict) else described):
                origin = patch["origin"][-len(case.patch):]
                image, label = _read("zarr", zarr_arrays, (by_name[Path(patch["image"]).resolve()], *origin), case)
                if not np.array_equal(images[i], image) or (masks is not None and not np.array_equal(masks[i], label)):
                    raise SystemExit(f"mifa bench delivered patch {i} of batch {number} ({patch['image']} at {origin}) unlike zarr-python's read")
                checked += 1
    print(f"checked: {checked} patches of mifa bench and 8 of tensorstore equal zarr-python's reads", file=sys.stderr)


def _decode_all(paths: list[str]) -> tuple[int, int, float]:
    import imagecodecs
    blobs = [Path(p).read_bytes() for p in paths]
    cpu = time.process_time()
    size = sum(len(imagecodecs.zstd_decode(b)) for b in blobs)
    return len(blobs), size, time.process_time() - cpu


def ceiling(folder: Path, case: Case = DEFAULT) -> dict:
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
    first = Path(case.paths(folder)[0])
    image_cpu, image_wall, image_bytes = rate(sorted((first / "0" / "c").rglob("*"))[:200])
    per_patch = case.chunks_per_patch()
    cost_cpu, cost_wall = per_patch / image_cpu, per_patch / image_wall
    label_bytes = 0.0
    if case.label:
        label_cpu, label_wall, label_bytes = rate(sorted((first / "labels" / case.label / "0" / "c").rglob("*"))[:200])
        cost_cpu, cost_wall = cost_cpu + per_patch / label_cpu, cost_wall + per_patch / label_wall
    return {"cores": cores, "image_decode_mb_per_cpu_s": image_bytes / 1e6, "label_decode_mb_per_cpu_s": label_bytes / 1e6,
            "uncached_patches_per_cpu_second": 1 / cost_cpu, "uncached_patches_per_second_idle_machine": cores / cost_cpu,
            "uncached_patches_per_second_now": 1 / cost_wall, "load_average": os.getloadavg()[0]}


def warm_page_cache(folder: Path) -> None:
    """Reads every file of the data once, untimed, so that every loader reads from the page cache: the
    first run read from disk otherwise (after other benchmarks evicted the data it got 0.45 of a core
    and a third of the patches per second of the same run a minute later)."""
    total = 0
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            with open(path, "rb") as file:
                while chunk := file.read(1 << 20):
                    total += len(chunk)
    print(f"page cache: read {total / 1e6:.0f} MB of {folder} once before the runs", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", choices=sorted(CASES), default="2d")
    parser.add_argument("--data", help="the case's data folder (default: $TMPDIR/mifa-loader-bench, -3d or -channels; made once)")
    parser.add_argument("--patches", type=int, default=8192)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--mifa", default=str(ROOT / ".build-bench" / "release" / "mifa"))
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    case = CASES[args.case]
    folder = Path(args.data or Path(tempfile.gettempdir()) / ("mifa-loader-bench" + ("" if case.name == "2d" else f"-{case.name}")))
    folder.mkdir(parents=True, exist_ok=True)
    case.make(case, folder, args.mifa)
    paths = case.paths(folder)
    patches = patch_list(paths, args.patches, case=case)
    # In a process of its own: tensorstore opened here would abort the DataLoader's forked workers.
    checker = mp.get_context("spawn").Process(target=check_patches, args=(args.mifa, folder, paths, patches, case))
    checker.start()
    checker.join()
    if checker.exitcode != 0:
        raise SystemExit("the correctness check failed (above): no speed is reported for wrong data")
    listing = Path(tempfile.mkdtemp()) / "patches.json"
    listing.write_text(json.dumps([list(p) for p in patches]))
    warm_page_cache(folder)
    try:
        import torch  # noqa: F401
        peer, kind_name = torch_loader, "torch DataLoader"
    except ImportError:
        peer, kind_name = multiprocessing_loader, "multiprocessing imitation"
    no_cache = case.no_cache_mb()
    rows: dict = {}
    for _ in range(args.rounds):
        for step in (0.0, 20.0):
            runs = {("MIFAKit mifa bench", step): lambda: mifa_bench(args.mifa, folder, listing, step, case=case),
                    ("MIFAKit mifa bench --workers 4", step): lambda: mifa_bench(args.mifa, folder, listing, step, workers=4, case=case),
                    (f"MIFAKit mifa bench --budget-mb {no_cache} (no room for a cache)", step):
                        lambda: mifa_bench(args.mifa, folder, listing, step, budget_mb=no_cache, case=case),
                    (f"tensorstore + {kind_name}", step): lambda: peer("tensorstore", paths, patches, step, case=case),
                    (f"zarr-python + {kind_name}", step): lambda: peer("zarr", paths, patches, step, case=case)}
            for key, run in runs.items():
                r = run()
                if key not in rows or r["patches_per_second"] > rows[key]["patches_per_second"]:
                    rows[key] = r
    digests = {r["digest"] for (name, _), r in rows.items() if "digest" in r}
    if len(digests) != 1:
        raise SystemExit(f"the MIFAKit runs delivered different batches (digests {sorted(digests)}): the same list must give the same batches")
    limit = ceiling(folder, case)
    print(json.dumps({"case": case.name, "rows": {f"{k[0]} step {k[1]:g} ms": v for k, v in rows.items()}, "ceiling": limit}, indent=1))
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
        for line in goals(rows, limit, case):
            print(line)


def goals(rows: dict, limit: dict, case: Case = DEFAULT) -> list[str]:
    """The issue's goals, read off this run's rows (MIFAKit with its defaults: 2 workers; from a
    cold start: the row without room for a cache)."""
    ours = rows[("MIFAKit mifa bench", 0.0)]
    ours_step = rows[("MIFAKit mifa bench", 20.0)]
    cold = next(r for (name, step), r in rows.items() if step == 0.0 and "no room for a cache" in name)
    peers = {name: r for (name, step), r in rows.items() if step == 0.0 and not name.startswith("MIFAKit")}
    peer_name, peer = max(peers.items(), key=lambda item: item[1]["patches_per_second"])
    idle = limit["uncached_patches_per_second_idle_machine"]
    chunks = ours["chunks_decoded"] / ours["patches"]
    uncached_chunks = (2 if case.label else 1) * case.chunks_per_patch()
    return [
        f"- vs the faster peer ({peer_name}): {ours['patches_per_second'] / peer['patches_per_second']:.2f}x in patches/s, "
        f"{ours['patches_per_cpu_second'] / peer['patches_per_cpu_second']:.2f}x per CPU second (goal: 2x); "
        f"without room for a cache {cold['patches_per_second'] / peer['patches_per_second']:.2f}x",
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
