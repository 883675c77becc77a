#!/usr/bin/env python3
"""Whole-command export benchmark: `mifa zarr export <array> out.npy` (a fresh process, start-up
included) against tensorstore's and zarr-python's in-process read plus `np.save` (no interpreter
start-up in their numbers), same arrays, same machine, same run; and `mifa --version` (start-up).

Data: zarr_bench.py's 4096x4096 uint16 microscopy-like image, written once by zarr-python as Zarr v2
zstd level 3 (256x256 chunks), Zarr v3 sharded zstd level 3 (1024x1024 shards of 256x256 inner
chunks) and Zarr v3 blosc-lz4-shuffle (256x256 chunks). Every export goes to a fresh file name in
one temporary folder; the tools alternate within
each round and the best time per cell is kept. Every exported file is checked against the data.

Usage: export_bench.py [--rounds 5] [--mifa .build-bench/release/mifa] [--markdown]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import numcodecs
import tensorstore as ts
import zarr
from zarr.codecs import BloscCodec, BytesCodec, ShardingCodec, ZstdCodec

sys.path.insert(0, str(Path(__file__).resolve().parent))
import child_process  # noqa: E402
from zarr_bench import CHUNK, N, SHARD, TS_CONTEXT, make_image, timed  # noqa: E402

warnings.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parents[1]


def write_arrays(folder: Path, data: np.ndarray) -> dict[str, Path]:
    arrays = {
        "v2 zstd": dict(zarr_format=2, chunks=(CHUNK, CHUNK), compressors=numcodecs.Zstd(level=3)),
        "v3 sharded zstd": dict(zarr_format=3, chunks=(SHARD, SHARD), compressors=None,
                                serializer=ShardingCodec(chunk_shape=(CHUNK, CHUNK), codecs=[BytesCodec(), ZstdCodec(level=3)])),
        "v3 blosc-lz4-shuffle": dict(zarr_format=3, chunks=(CHUNK, CHUNK),
                                     compressors=[BloscCodec(cname="lz4", clevel=5, shuffle="shuffle", typesize=2)]),
    }
    paths = {}
    for name, options in arrays.items():
        path = folder / (name.replace(" ", "-") + ".zarr")
        zarr.create_array(store=str(path), shape=data.shape, dtype="uint16", **options)[...] = data
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

    def keep(dataset: str, tool: str, seconds: float) -> None:
        best[(dataset, tool)] = min(best.get((dataset, tool), float("inf")), seconds)

    with tempfile.TemporaryDirectory(prefix="export-bench-") as tmp:
        tmp = Path(tmp)
        data = make_image()
        paths = write_arrays(tmp, data)
        serial = [0]

        def fresh() -> Path:
            serial[0] += 1
            return tmp / f"out-{serial[0]}.npy"

        def check(out: Path, what: str) -> None:
            loaded = np.load(out)
            assert loaded.dtype == data.dtype and np.array_equal(loaded, data), f"{what}: the exported file differs from the data"
            out.unlink()

        for _ in range(options.rounds):
            seconds, _, _ = child_process.run([str(options.mifa), "--version"])
            keep("start-up", "mifa --version", seconds)
            for name, path in paths.items():
                out = fresh()
                seconds, _, _ = child_process.run([str(options.mifa), "zarr", "export", str(path), str(out)])
                keep(name, "mifa zarr export", seconds)
                check(out, f"mifa {name}")
                out = fresh()
                driver = "zarr" if name.startswith("v2") else "zarr3"
                spec = {"driver": driver, "kvstore": {"driver": "file", "path": str(path)}, "context": TS_CONTEXT}
                keep(name, "tensorstore read + np.save",
                     timed(lambda: np.save(out, ts.open(spec, open=True).result().read().result())))
                check(out, f"tensorstore {name}")
                out = fresh()
                keep(name, "zarr-python read + np.save", timed(lambda: np.save(out, zarr.open_array(str(path), mode="r")[...])))
                check(out, f"zarr-python {name}")

    header = ["array", "mifa zarr export (s)", "tensorstore read + np.save (s)", "zarr-python read + np.save (s)",
              "vs tensorstore", "vs zarr-python"]
    lines = []
    for name in paths:
        ours, theirs, zp = (best[(name, tool)] for tool in ("mifa zarr export", "tensorstore read + np.save", "zarr-python read + np.save"))
        lines.append([name, f"{ours:.3f}", f"{theirs:.3f}", f"{zp:.3f}", f"{theirs / ours:.2f}x", f"{zp / ours:.2f}x"])
    child_process.print_table(header, lines, options.markdown)
    print()
    print("vs: the peer's time over MIFAKit's (above 1 = MIFAKit faster); MIFAKit's time includes process start-up,")
    print(f"the peers' do not. `mifa --version` (start-up alone): {best[('start-up', 'mifa --version')] * 1000:.0f} ms")
    print(f"rounds: {options.rounds} (best per cell); image {N}x{N} uint16, {CHUNK}x{CHUNK} chunks, shards {SHARD}x{SHARD}")
    print(f"load average (1 min) {load_before[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end, on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
