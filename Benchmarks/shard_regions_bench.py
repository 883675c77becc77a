#!/usr/bin/env python3
"""Random region reads of sharded arrays: MIFAKit without and with its opt-in caches against
tensorstore with its cache pool off and on, same arrays, same machine, same run.

Data: zarr_bench.py's 4096x4096 uint16 image as Zarr v3, 1024x1024 shards of 256x256 inner chunks,
zstd level 3 and blosc-lz4-shuffle, written by zarr-python. Operation: zarr_bench.py's 1000 random
unaligned 256x256 regions (each touches up to four inner chunks in up to four shards), one after
the other, in-process. Each tool reads the 1000 regions three times in a row per round with the
same array handle (and caches): "cold" is the first pass of a fresh handle, "warm" the best later
pass. Each row pairs the two tools at one cache budget: tensorstore's cache pool holds decoded
chunks and shard indexes under its `total_bytes_limit`; MIFAKit's `DecodedChunkCache` gets the
same bound for decoded chunks, plus a 4 MiB `ShardIndexCache` (the 16 indexes take ~6 KiB of it).
"off": tensorstore's pool at 0 against MIFAKit with no cache and with the shard-index cache only.

Usage: shard_regions_bench.py [--rounds 3] [--bench-bin .build-bench/release/ZarrBench] [--markdown]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import tensorstore as ts

sys.path.insert(0, str(Path(__file__).resolve().parent))
import child_process  # noqa: E402
from zarr_bench import CHUNK, DATASETS, N, REGIONS, make_image, zarr_python_write  # noqa: E402

warnings.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parents[1]
PASSES = 3
CACHE_MB = 4


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bench-bin", type=Path, default=ROOT / ".build-bench" / "release" / "ZarrBench")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    options = parser.parse_args()

    load_before = os.getloadavg()
    sharded = {name: spec for name, spec in DATASETS.items() if spec[1]}
    best: dict[tuple[str, str, str], float] = {}

    def keep(dataset: str, tool: str, seconds: list[float]) -> None:
        for phase, value in (("cold", seconds[0]), ("warm", min(seconds[1:]))):
            key = (dataset, tool, phase)
            best[key] = min(best.get(key, float("inf")), value)

    with tempfile.TemporaryDirectory(prefix="shard-regions-bench-") as tmp:
        tmp = Path(tmp)
        data = make_image()
        offsets = np.random.default_rng(7).integers(0, N - CHUNK, size=(REGIONS, 2))
        (tmp / "offsets.txt").write_text("\n".join(f"{a},{b}" for a, b in offsets))
        wanted = sum(int(data[a, b]) + int(data[a + CHUNK - 1, b + CHUNK - 1]) for a, b in offsets)
        for name, (codec, shard) in sharded.items():
            zarr_python_write(tmp / f"{name}.zarr", data, codec, shard)

        def mifa(path: Path, *extra: str) -> list[float]:
            proc = subprocess.run([str(options.bench_bin), "regions", str(path), str(tmp / "offsets.txt"), "--size", str(CHUNK),
                                   "--repeat", str(PASSES), *extra], capture_output=True, text=True, check=True)
            result = json.loads(proc.stdout)
            assert result["checksum"] == wanted, f"MIFAKit's region reads of {path.name} are wrong"
            return result["seconds"]

        def tensorstore(path: Path, cache_bytes: int) -> list[float]:
            spec = {"driver": "zarr3", "kvstore": {"driver": "file", "path": str(path)},
                    "context": {"cache_pool": {"total_bytes_limit": cache_bytes}}}
            store = ts.open(spec, open=True).result()
            times = []
            for _ in range(PASSES):
                total = 0
                start = time.perf_counter()
                for a, b in offsets:
                    region = store[a:a + CHUNK, b:b + CHUNK].read().result()
                    total += int(region[0, 0]) + int(region[-1, -1])
                times.append(time.perf_counter() - start)
                assert total == wanted, f"tensorstore's region reads of {path.name} are wrong"
            return times

        # (row, MIFAKit's options, tensorstore's cache pool bytes)
        rows = [
            ("off; MIFAKit no cache", [], 0),
            (f"off; MIFAKit shard indexes {CACHE_MB} MiB", ["--shard-index-cache-mb", str(CACHE_MB)], 0),
        ] + [(label, ["--shard-index-cache-mb", str(CACHE_MB), "--decoded-chunk-cache-mb", str(mb)], mb << 20)
             for label, mb in ((f"{CACHE_MB} MiB", CACHE_MB), ("1 GiB", 1024))]
        for _ in range(options.rounds):
            for name in sharded:
                path = tmp / f"{name}.zarr"
                for row, extra, _ in rows:
                    keep(name, f"mifa {row}", mifa(path, *extra))
                for pool in sorted({pool for _, _, pool in rows}):
                    keep(name, f"tensorstore {pool}", tensorstore(path, pool))

    header = ["array", "cache budget", "MIFAKit cold (s)", "MIFAKit warm (s)", "tensorstore cold (s)", "tensorstore warm (s)",
              "vs tensorstore cold", "vs tensorstore warm"]
    lines = []
    for name in sharded:
        for row, _, pool in rows:
            ours = [best[(name, f"mifa {row}", phase)] for phase in ("cold", "warm")]
            theirs = [best[(name, f"tensorstore {pool}", phase)] for phase in ("cold", "warm")]
            lines.append([name, row, *(f"{v:.3f}" for v in ours + theirs), *(f"{t / o:.2f}x" for o, t in zip(ours, theirs))])
    child_process.print_table(header, lines, options.markdown)
    print()
    print("vs: tensorstore's time over MIFAKit's in the same row (above 1 = MIFAKit faster)")
    print(f"rounds: {options.rounds} (best per cell); {REGIONS} regions of {CHUNK}x{CHUNK}, {PASSES} passes per handle")
    print(f"load average (1 min) {load_before[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end, on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
