#!/usr/bin/env python3
"""TIFF read benchmark, whole commands: `mifa raster convert stack.tif out.npy` (a fresh process,
start-up included) against tifffile's in-process `imread` plus `np.save` (no interpreter start-up
in its numbers), same files, same machine, same run.

Data: a 50 x 1024 x 1024 uint16 stack (zarr_bench.py's microscopy-like image, cut into planes),
written once by tifffile as zstd (its default strips), zstd in 256 x 256 tiles, deflate with the
horizontal predictor, and uncompressed. tifffile decodes a page's strips or tiles in a thread pool
(`maxworkers` defaults to the cores); MIFAKit decodes runs of strips or tiles on one thread per core,
each through its own libtiff handle, straight into the mapped .npy. The tools alternate within each
round and the best time per cell is kept, with its CPU time (user + system, all threads) beside it;
every exported file is checked against the data. `--baseline` runs a second mifa binary in the same
rounds (before/after).

Usage: tiff_read_bench.py [--rounds 5] [--mifa .build-bench/release/mifa] [--baseline OLD_MIFA] [--markdown]
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
import zarr_bench  # noqa: E402
from zarr_bench import make_image  # noqa: E402

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


def parse_options(doc: str) -> argparse.Namespace:
    """The options both TIFF benchmarks take."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--mifa", type=Path, default=ROOT / ".build-bench" / "release" / "mifa")
    parser.add_argument("--baseline", type=Path, help="a second mifa binary measured in the same rounds")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    return parser.parse_args()


class Best:
    """The best wall time per (case, tool) over the rounds, with that run's CPU time."""

    def __init__(self, options: argparse.Namespace) -> None:
        self.cells: dict[tuple[str, str], tuple[float, float]] = {}
        self.tools = {"mifa": options.mifa} | ({"baseline": options.baseline} if options.baseline else {})
        self.load_before = os.getloadavg()

    def keep(self, name: str, tool: str, seconds: float, cpu: float) -> None:
        if seconds < self.cells.get((name, tool), (float("inf"), 0))[0]:
            self.cells[(name, tool)] = (seconds, cpu)

    def run_mifa(self, name: str, arguments: list[str]) -> None:
        """Runs every mifa binary with `arguments` (a fresh process each) and keeps its times."""
        for tool, binary in self.tools.items():
            seconds, cpu, _ = child_process.run([str(binary), *arguments])
            self.keep(name, tool, seconds, cpu)
            yield tool

    def row(self, name: str, peer: str) -> list[str]:
        """The mifa cells (baseline too), the peer's and the ratio peer / mifa."""
        cell = lambda tool: f"{self.cells[(name, tool)][0]:.3f} ({self.cells[(name, tool)][1]:.2f})"
        return [cell(tool) for tool in self.tools] + [cell(peer), f"{self.cells[(name, peer)][0] / self.cells[(name, 'mifa')][0]:.2f}x"]

    def headers(self, mifa: str, peer: str) -> list[str]:
        return [f"{mifa}, s (CPU s)"] + (["baseline mifa, s (CPU s)"] if "baseline" in self.tools else []) + [f"{peer}, s (CPU s)", "vs tifffile"]

    def footer(self, rounds: int) -> None:
        print()
        print("vs: tifffile's time over MIFAKit's (above 1 = MIFAKit faster); MIFAKit's time includes process start-up,")
        print(f"tifffile's does not; CPU is user + system of all threads. rounds: {rounds} (best per cell); stack "
              f"{PLANES}x{SIZE}x{SIZE} uint16, {PLANES * SIZE * SIZE * 2 / 2**20:.0f} MiB; tifffile {tifffile.__version__}")
        print(f"load average (1 min) {self.load_before[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end, on {os.cpu_count()} cores")


def main() -> None:
    options = parse_options(__doc__)
    best = Best(options)

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
                for tool in best.run_mifa(name, ["raster", "convert", str(path), str(out)]):
                    check(out, f"{tool} {name}")
                out = fresh()
                seconds = zarr_bench.timed(lambda: np.save(out, tifffile.imread(path)))
                best.keep(name, "tifffile", seconds, zarr_bench.LAST_CPU[0])
                check(out, f"tifffile {name}")

    header = ["TIFF"] + best.headers("mifa raster convert", "tifffile imread + np.save")
    child_process.print_table(header, [[name] + best.row(name, "tifffile") for name in paths], options.markdown)
    best.footer(options.rounds)


if __name__ == "__main__":
    main()
