#!/usr/bin/env python3
"""OME-Zarr ingest benchmark: MIFAKit's `mifa omezarr from-tiff` against tifffile + ome-zarr-py, same
TIFF, same layout, same machine, same run.

Data: a 64 x 2048 x 2048 uint16 z-stack (512 MiB), microscopy-like (background gradient, Gaussian
"nuclei" that drift through z, Poisson and Gaussian noise), written once with tifffile as an
uncompressed multi-page TIFF (one page per plane).

Task: convert it into an OME-Zarr 0.5 image (Zarr v3), axes z, y, x, chunks 16 x 256 x 256, zstd
level 3, a 4-level pyramid halving y and x with the block mean. MIFAKit streams the pages
(`mifa omezarr from-tiff`); the peer reads the TIFF with tifffile and writes with ome-zarr-py's
`write_image(..., method=LOCAL_MEAN)` (dask, skimage's downscale_local_mean). Each tool runs in a
child process, rounds interleave the tools, and the best wall time and CPU time (user + system, all
threads) per tool are kept. Peak memory is the child's maximum resident set (`wait4`), compared with
one chunk row of the stack: the planes one row of chunks spans, 16 x 2048 x 2048 x 2 bytes = 128 MiB.
Both outputs are checked afterwards: level 0 equals the TIFF in both, every level has the same
shape, and the largest difference between the two pyramids is printed (local_mean computes in
floating point and truncates; MIFAKit rounds the exact mean half to even).

Usage: omezarr_bench.py [--rounds 3] [--mifa .build-bench-omezarr/release/mifa] [--planes 64] [--markdown]
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from child_process import best_of_rounds, comparison_table  # noqa: E402

warnings.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parents[1]
SIZE = 2048
CHUNKS = (16, 256, 256)
LEVELS = 4

PEER = r'''
import sys, warnings
warnings.filterwarnings("ignore")
import tifffile, zarr
from zarr.codecs import ZstdCodec
from ome_zarr.format import FormatV05
from ome_zarr.scale import Methods
from ome_zarr.writer import write_image
data = tifffile.imread(sys.argv[1])
group = zarr.open_group(sys.argv[2], mode="w", zarr_format=3)
write_image(data, group, fmt=FormatV05(), axes="zyx", scale_factors=(2, 4, 8), method=Methods.LOCAL_MEAN,
            storage_options={"chunks": tuple(int(c) for c in sys.argv[3].split(",")), "compressors": [ZstdCodec(level=3)]})
'''


def make_stack(path: Path, planes: int, seed: int = 1) -> None:
    import tifffile

    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    background = 300 + 0.02 * x + 0.01 * y
    nuclei = [(rng.uniform(0, SIZE, 2), rng.uniform(8, 24), rng.uniform(800, 3000), rng.uniform(-1, 1, 2)) for _ in range(400)]
    def planes_of_stack():
        for z in range(planes):
            plane = background.copy()
            for (cy, cx), r, a, (dy, dx) in nuclei:
                cy, cx = cy + dy * z, cx + dx * z
                y0, y1, x0, x1 = int(max(cy - 3 * r, 0)), int(min(cy + 3 * r, SIZE)), int(max(cx - 3 * r, 0)), int(min(cx + 3 * r, SIZE))
                if y0 >= y1 or x0 >= x1:
                    continue
                yy, xx = y[y0:y1, x0:x1], x[y0:y1, x0:x1]
                plane[y0:y1, x0:x1] += a * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))
            noisy = rng.poisson(np.clip(plane, 0, None)).astype(np.float32) + rng.normal(0, 20, plane.shape)
            yield np.clip(noisy, 0, 65535).astype(np.uint16)

    # One series of `planes` pages, written plane by plane (tifffile takes an iterator of pages).
    tifffile.imwrite(path, planes_of_stack(), shape=(planes, SIZE, SIZE), dtype=np.uint16, bigtiff=True)


def check(tiff: Path, ours: Path, theirs: Path) -> str:
    import tifffile
    import zarr

    data = tifffile.imread(tiff)
    a, b = zarr.open_group(str(ours), mode="r"), zarr.open_group(str(theirs), mode="r")
    paths_a = [d["path"] for d in a.attrs["ome"]["multiscales"][0]["datasets"]]
    paths_b = [d["path"] for d in b.attrs["ome"]["multiscales"][0]["datasets"]]
    assert len(paths_a) == len(paths_b) == LEVELS, (paths_a, paths_b)
    assert np.array_equal(a[paths_a[0]][...], data) and np.array_equal(b[paths_b[0]][...], data)
    worst = 0
    for pa, pb in zip(paths_a[1:], paths_b[1:]):
        la, lb = a[pa][...].astype(np.int64), b[pb][...].astype(np.int64)
        assert la.shape == lb.shape, (la.shape, lb.shape)
        worst = max(worst, int(np.abs(la - lb).max()))
    return f"level 0 identical to the TIFF in both; levels 1-3 same shapes, largest difference {worst}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mifa", default=str(ROOT / ".build-bench-omezarr" / "release" / "mifa"))
    parser.add_argument("--planes", type=int, default=64)
    parser.add_argument("--markdown", action="store_true", help="print the table only, as Markdown")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="omezarr-bench-"))
    try:
        tiff = work / "stack.tif"
        print(f"generating {args.planes} x {SIZE} x {SIZE} uint16 TIFF ...", file=sys.stderr)
        make_stack(tiff, args.planes)
        chunks = ",".join(map(str, CHUNKS))
        ours, theirs = work / "mifa.zarr", work / "peer.zarr"
        tools = {
            "MIFAKit (mifa omezarr from-tiff)": ([args.mifa, "omezarr", "from-tiff", str(tiff), str(ours), "--levels", str(LEVELS),
                                                  "--chunks", chunks, "--codec", "zstd:3", "--overwrite"], ours),
            "tifffile + ome-zarr-py 0.18": ([sys.executable, "-c", PEER, str(tiff), str(theirs), chunks], theirs),
        }
        best = best_of_rounds(tools, args.rounds)
        verdict = check(tiff, ours, theirs)
        row = CHUNKS[0] * SIZE * SIZE * 2
        lines = comparison_table(best, {f"peak / chunk row ({row / 2**20:.0f} MiB)": lambda seconds, cpu, peak: f"{peak / row:.2f}"})
        if not args.markdown:
            print(f"\n{args.planes} x {SIZE} x {SIZE} uint16 TIFF -> OME-Zarr 0.5, chunks {CHUNKS}, zstd:3, {LEVELS} levels (mean), "
                  f"{os.cpu_count()} cores, best of {args.rounds} rounds")
        print("\n".join(lines))
        print(f"\ncheck: {verdict}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
