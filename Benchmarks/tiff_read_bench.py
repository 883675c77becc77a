#!/usr/bin/env python3
"""TIFF read benchmark, whole commands: `mifa raster convert stack.tif out.npy` (a fresh process,
start-up included) against tifffile's in-process `imread` plus `np.save` (no interpreter start-up
in its numbers), same files, same machine, same run.

Data: a 50 x 1024 x 1024 uint16 stack (zarr_bench.py's microscopy-like image, cut into planes),
written once by tifffile as zstd (its default strips), zstd in 256 x 256 tiles, deflate with the
horizontal predictor, and uncompressed. tifffile decodes a page's strips or tiles in a thread pool
(`maxworkers` defaults to the cores); MIFAKit decodes runs of strips or tiles on one thread per core,
each through its own libtiff handle. The tools alternate within each round and the best time per
cell is kept; every exported file is checked against the data.

Usage: tiff_read_bench.py [--rounds 5] [--mifa .build-bench/release/mifa] [--markdown]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import tifffile

sys.path.insert(0, str(Path(__file__).resolve().parent))
import child_process  # noqa: E402
from zarr_bench import make_image, timed  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PLANES, SIZE = 50, 1024


def make_stack() -> np.ndarray:
    image = make_image()  # 4096 x 4096 uint16
    tiles = [image[r * SIZE:(r + 1) * SIZE, c * SIZE:(c + 1) * SIZE] for r in range(4) for c in range(4)]
    return np.stack([np.roll(tiles[i % 16], i, axis=0) for i in range(PLANES)])


def write_files(folder: Path, data: np.ndarray) -> dict[str, Path]:
    variants = {
        "zstd strips": dict(compression="zstd"),
        "zstd 256x256 tiles": dict(compression="zstd", tile=(256, 256)),
        "deflate + predictor strips": dict(compression="zlib", predictor=True),
        "uncompressed": dict(),
    }
    paths = {}
    for name, options in variants.items():
        path = folder / (name.replace(" ", "-").replace("+", "") + ".tif")
        tifffile.imwrite(path, data, **options)
        paths[name] = path
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--mifa", type=Path, default=ROOT / ".build-bench" / "release" / "mifa")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    options = parser.parse_args()

    load_before = os.getloadavg()
    best: dict[tuple[str, str], float] = {}

    def keep(name: str, tool: str, seconds: float) -> None:
        best[(name, tool)] = min(best.get((name, tool), float("inf")), seconds)

    with tempfile.TemporaryDirectory(prefix="tiff-bench-") as tmp:
        tmp = Path(tmp)
        data = make_stack()
        paths = write_files(tmp, data)
        serial = [0]

        def fresh() -> Path:
            serial[0] += 1
            return tmp / f"out-{serial[0]}.npy"

        def check(out: Path, what: str) -> None:
            loaded = np.load(out)
            assert loaded.dtype == data.dtype and np.array_equal(loaded, data), f"{what}: the exported file differs from the data"
            out.unlink()

        for _ in range(options.rounds):
            for name, path in paths.items():
                out = fresh()
                seconds, _, _ = child_process.run([str(options.mifa), "raster", "convert", str(path), str(out)])
                keep(name, "mifa", seconds)
                check(out, f"mifa {name}")
                out = fresh()
                keep(name, "tifffile", timed(lambda: np.save(out, tifffile.imread(path))))
                check(out, f"tifffile {name}")

    header = ["TIFF", "mifa raster convert (s)", "tifffile imread + np.save (s)", "vs tifffile"]
    lines = [[name, f"{best[(name, 'mifa')]:.3f}", f"{best[(name, 'tifffile')]:.3f}",
              f"{best[(name, 'tifffile')] / best[(name, 'mifa')]:.2f}x"] for name in paths]
    child_process.print_table(header, lines, options.markdown)
    print()
    print("vs: tifffile's time over MIFAKit's (above 1 = MIFAKit faster); MIFAKit's time includes process start-up,")
    print(f"tifffile's does not. rounds: {options.rounds} (best per cell); stack {PLANES}x{SIZE}x{SIZE} uint16, "
          f"{PLANES * SIZE * SIZE * 2 / 2**20:.0f} MiB; tifffile {tifffile.__version__}")
    print(f"load average (1 min) {load_before[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end, on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
