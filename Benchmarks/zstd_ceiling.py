#!/usr/bin/env python3
"""The compression ceiling of zstd writes: libzstd alone, one thread, level 3, on the benchmark's chunks.

Every zstd chunk that `zarr_bench.py` writes is one frame of one 256x256 uint16 chunk (128 KiB) of
its image, compressed at level 3 with the content size in the header. This script compresses exactly
those chunk bytes, one frame per chunk with one reused context (`ZSTD_compress_usingDict` without a
dictionary, which is what `ZSTD_compressCCtx` calls), and reports MB per CPU second (user + system
time of this single thread) for:

- the system libzstd (the one MIFAKit links through CZstd),
- the libzstd that tensorstore's Python wheel bundles, called through its own symbols in
  `_tensorstore*.so` (found with `nm`; the wheel keeps them in its symbol table),
- any other `libzstd.so` given with `--lib` (for example one built from source with its own flags).

Rounds are interleaved across the libraries and the best round is kept. The script checks that
every library produces the same frames, byte for byte; a write can never be faster than
`cores x` the ceiling of the library it uses.

Usage: zstd_ceiling.py [--rounds 5] [--lib path/to/libzstd.so ...]
"""
from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import subprocess
import time
from pathlib import Path

import numpy as np
import tensorstore

from zarr_bench import CHUNK, N, make_image

SIZE = ctypes.c_size_t
COMPRESS = ctypes.CFUNCTYPE(SIZE, ctypes.c_void_p, ctypes.c_void_p, SIZE, ctypes.c_char_p, SIZE, ctypes.c_void_p, SIZE, ctypes.c_int)
CREATE = ctypes.CFUNCTYPE(ctypes.c_void_p)
VERSION = ctypes.CFUNCTYPE(ctypes.c_uint)
NAMES = ("ZSTD_versionNumber", "ZSTD_createCCtx", "ZSTD_compress_usingDict")


def shared_library(path: str) -> tuple:
    library = ctypes.CDLL(path)
    return tuple(kind(ctypes.cast(getattr(library, name), ctypes.c_void_p).value)
                 for kind, name in zip((VERSION, CREATE, COMPRESS), NAMES))


def tensorstore_library() -> tuple | None:
    """tensorstore's bundled libzstd: its local symbols' offsets from `nm` plus the module's load address."""
    module = next(Path(tensorstore.__path__[0]).glob("_tensorstore*.so"))
    listing = subprocess.run(["nm", str(module)], capture_output=True, text=True).stdout
    offsets = {parts[2]: int(parts[0], 16) for parts in map(str.split, listing.splitlines())
               if len(parts) == 3 and parts[2] in NAMES}
    if len(offsets) != len(NAMES):
        return None
    with open("/proc/self/maps") as maps:
        base = next(int(line.split("-")[0], 16) for line in maps if str(module) in line)
    return tuple(kind(base + offsets[name]) for kind, name in zip((VERSION, CREATE, COMPRESS), NAMES))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--lib", action="append", default=[], help="another libzstd.so to measure")
    parser.add_argument("--level", type=int, default=3)
    options = parser.parse_args()

    data = make_image()
    chunks = [np.ascontiguousarray(data[y:y + CHUNK, x:x + CHUNK]).tobytes() for y in range(0, N, CHUNK) for x in range(0, N, CHUNK)]
    libraries = {"system libzstd": shared_library(ctypes.util.find_library("zstd"))}
    bundled = tensorstore_library()
    if bundled:
        libraries["tensorstore's libzstd"] = bundled
    else:
        print("tensorstore's libzstd: its symbols are not in the wheel's symbol table; not measured")
    for path in options.lib:
        libraries[path] = shared_library(path)

    output = ctypes.create_string_buffer(2 * CHUNK * CHUNK * 2)
    cpu: dict[str, list[float]] = {name: [] for name in libraries}
    frames: dict[str, list[bytes]] = {}
    for _ in range(options.rounds):
        for name, (_, create, compress) in libraries.items():
            context = create()
            start = time.process_time()
            for chunk in chunks:
                compress(context, output, len(output), chunk, len(chunk), None, 0, options.level)
            cpu[name].append(time.process_time() - start)
    # The frames, made once more outside the timed loops, to compare them byte for byte.
    for name, (_, create, compress) in libraries.items():
        context = create()
        frames[name] = [output.raw[:compress(context, output, len(output), chunk, len(chunk), None, 0, options.level)] for chunk in chunks]

    total = sum(map(len, chunks))
    reference = frames["system libzstd"]
    print(f"zstd level {options.level}, {len(chunks)} chunks of {CHUNK}x{CHUNK} uint16 ({total / 1e6:.1f} MB), one thread, "
          f"{options.rounds} interleaved rounds (best; all rounds in brackets)")
    for name, (version, _, _) in libraries.items():
        number = version()
        rounds = ", ".join(f"{total / seconds / 1e6:.0f}" for seconds in cpu[name])
        same = "same frames" if frames[name] == reference else "DIFFERENT frames"
        print(f"{name} {number // 10000}.{number // 100 % 100}.{number % 100}: {total / min(cpu[name]) / 1e6:.0f} MB per CPU-s "
              f"({rounds}); {sum(map(len, frames[name]))} bytes out, {same} as the system libzstd")


if __name__ == "__main__":
    main()
