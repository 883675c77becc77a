#!/usr/bin/env python3
"""TIFF write benchmark, whole commands: `mifa raster convert stack.npy out.tif --compression ...` (a
fresh process, start-up included) against tifffile's in-process `np.load` plus `imwrite` with the same
compression and level (no interpreter start-up in its numbers), same data, same machine, same run.

Data: tiff_read_bench.py's 50 x 1024 x 1024 uint16 stack. Compression levels are libtiff's defaults,
given to tifffile too: zstd 9, deflate 7 (libtiff encodes whole strips with libdeflate at 7).
tifffile encodes a page's strips or tiles in a thread pool (`maxworkers` defaults to the cores);
MIFAKit encodes runs of strips or tiles on one thread per core, each through its own libtiff handle,
and writes them in order. Every written file is read back with tifffile and checked against the
data, and its compression tag against the one asked for. `--baseline` runs a second mifa binary in
the same rounds (before/after). The tools alternate within each round; the best time per cell is kept
and its CPU time (user + system, all threads) reported beside it.

Usage: tiff_write_bench.py [--rounds 5] [--mifa .build-bench/release/mifa] [--baseline OLD_MIFA] [--markdown]
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import tifffile

sys.path.insert(0, str(Path(__file__).resolve().parent))
import child_process  # noqa: E402
import zarr_bench  # noqa: E402
from tiff_read_bench import Best, make_stack, parse_options  # noqa: E402

# name: (mifa options, tifffile options, tifffile's compression name)
VARIANTS = {
    "zstd strips": (["--compression", "zstd"], dict(compression="zstd", compressionargs={"level": 9}), "ZSTD"),
    "zstd 256x256 tiles": (["--compression", "zstd", "--tile", "256,256"], dict(compression="zstd", compressionargs={"level": 9}, tile=(256, 256)), "ZSTD"),
    "deflate + predictor strips": (["--compression", "deflate", "--predictor"], dict(compression="zlib", compressionargs={"level": 7}, predictor=True), "ADOBE_DEFLATE"),
    "uncompressed": ([], dict(), "NONE"),
}


def main() -> None:
    options = parse_options(__doc__)
    best = Best(options)
    sizes: dict[tuple[str, str], int] = {}

    with tempfile.TemporaryDirectory(prefix="tiff-write-bench-") as tmp:
        tmp = Path(tmp)
        data = make_stack()
        source = tmp / "stack.npy"
        np.save(source, data)
        serial = [0]

        def fresh() -> Path:
            serial[0] += 1
            return tmp / f"out-{serial[0]}.tif"

        def check(out: Path, name: str, tool: str, compression: str) -> None:
            with tifffile.TiffFile(out) as tif:
                assert all(page.compression.name == compression for page in tif.pages), f"{tool} {name}: compression is not {compression}"
                read = tif.asarray()
            assert read.dtype == data.dtype and np.array_equal(read, data), f"{tool} {name}: the written file differs from the data"
            sizes[(name, tool)] = out.stat().st_size
            out.unlink()

        for _ in range(options.rounds):
            for name, (mifa_options, tifffile_options, compression) in VARIANTS.items():
                out = fresh()
                for tool in best.run_mifa(name, ["raster", "convert", str(source), str(out), *mifa_options]):
                    check(out, name, tool, compression)
                seconds = zarr_bench.timed(lambda: tifffile.imwrite(out, np.load(source), photometric="minisblack", **tifffile_options))
                best.keep(name, "tifffile", seconds, zarr_bench.LAST_CPU[0])
                check(out, name, "tifffile", compression)

    header = ["TIFF written"] + best.headers("mifa raster convert", "tifffile load + imwrite") + ["MiB mifa / tifffile"]
    lines = [[name] + best.row(name, "tifffile") + [f"{sizes[(name, 'mifa')] / 2**20:.1f} / {sizes[(name, 'tifffile')] / 2**20:.1f}"]
             for name in VARIANTS]
    child_process.print_table(header, lines, options.markdown)
    best.footer(options.rounds)


if __name__ == "__main__":
    main()
