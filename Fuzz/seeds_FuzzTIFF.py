#!/usr/bin/env python3
"""Write a small corpus of valid TIFFs for the FuzzTIFF target: usage seeds_FuzzTIFF.py <corpus-dir>.

Covers the reader's paths: every sample type, striped and tiled, planar, RGB, every compression
MIFAKit reads (none, packbits, LZW, deflate, zstd, with predictors), classic and BigTIFF, both byte
orders, multi-page and ImageJ hyperstacks. Each file stays under 16 KB; seeded, so reproducible.
"""
import sys
from pathlib import Path

import numpy as np
import tifffile


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20240611)
    seeds = [
        ("u8", np.uint8, (16, 24), {}),
        ("u16-zlib-tiled", np.uint16, (40, 40), dict(compression="zlib", tile=(16, 16))),
        ("u32-lzw-big", np.uint32, (12, 20), dict(compression="lzw", byteorder=">")),
        ("i8-packbits", np.int8, (20, 17), dict(compression="packbits")),
        ("i16-zstd-bigtiff", np.int16, (3, 16, 16), dict(compression="zstd", bigtiff=True)),
        ("i32-tiled-big-bigtiff", np.int32, (20, 33), dict(tile=(16, 16), byteorder=">", bigtiff=True)),
        ("f32-predictor", np.float32, (16, 16), dict(compression="zlib", predictor=True)),
        ("f32-predictor-big", np.float32, (16, 16), dict(compression="lzw", predictor=True, byteorder=">")),
        ("f64-zstd", np.float64, (8, 12), dict(compression="zstd")),
        ("u16-predictor-tiled", np.uint16, (32, 32), dict(compression="zstd", predictor=True, tile=(16, 16))),
        ("rgb", np.uint8, (12, 14, 3), dict(photometric="rgb", compression="zlib")),
        ("rgba-planar", np.uint16, (4, 10, 10), dict(photometric="rgb", planarconfig="separate")),
        ("stack-rows", np.uint8, (4, 20, 20), dict(rowsperstrip=3)),
        ("imagej", np.uint16, (2, 2, 3, 10, 10), dict(imagej=True, metadata={"axes": "TZCYX", "unit": "um", "spacing": 2.0})),
        ("ome", np.uint8, (2, 3, 8, 8), dict(ome=True, metadata={"axes": "TCYX", "PhysicalSizeX": 0.5, "PhysicalSizeZUnit": "nm",
                                                                 "TimeIncrement": 2, "Channel": {"Name": ["a", "b", "c"]}})),
    ]
    for name, dtype, shape, options in seeds:
        info = np.iinfo(dtype) if np.issubdtype(dtype, np.integer) else None
        if info is not None:
            data = rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
        else:
            data = rng.normal(size=shape).astype(dtype)
        # Half of each image is smooth so that compressed strips differ from stored ones.
        data.reshape(-1)[: data.size // 2] = data.reshape(-1)[0]
        path = out / f"seed-{name}.tif"
        tifffile.imwrite(path, data, **options)
        size = path.stat().st_size
        assert size < 16384, f"{path} is {size} bytes"
    print(f"wrote {len(seeds)} seeds to {out}")


if __name__ == "__main__":
    main()
