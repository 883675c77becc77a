#!/usr/bin/env python3
"""Write a small corpus for the FuzzZarr target: usage seeds_FuzzZarr.py <corpus-dir>.

Each file is one mode byte followed by the input (see Fuzz/FuzzZarr/main.swift): valid v3 and v2
metadata documents for every data type and codec written by zarr-python, group documents with
consolidated metadata, and chunks and shards encoded by zarr-python/numcodecs for the fixed arrays
the target decodes. Seeded, so the corpus is the same on every run.
"""
import json
import sys
import tempfile
import warnings
from pathlib import Path

import numcodecs
import numpy as np
import zarr
from zarr.codecs import BloscCodec, BytesCodec, Crc32cCodec, GzipCodec, ShardingCodec, TransposeCodec, ZstdCodec

warnings.filterwarnings("ignore")


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(42)
    data = (rng.integers(0, 200, size=(16, 16)) + np.arange(16)[:, None] * 100).astype("uint16")

    def seed(name: str, mode: int, payload: bytes) -> None:
        (out / f"seed-{name}").write_bytes(bytes([mode]) + payload)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # Metadata of every type and a spread of codecs, v3 and v2.
        for i, dtype in enumerate(["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                                   "float16", "float32", "float64", "complex64", "complex128"]):
            path = tmp / f"m3-{dtype}"
            zarr.create_array(store=str(path), shape=(5, 7), chunks=(2, 3), dtype=dtype, zarr_format=3,
                              compressors=[ZstdCodec(level=1)] if i % 2 else [BloscCodec(cname="lz4", shuffle="shuffle")],
                              dimension_names=["y", "x"])
            seed(f"v3-{dtype}", 0, (path / "zarr.json").read_bytes())
            path = tmp / f"m2-{dtype}"
            zarr.create_array(store=str(path), shape=(5, 7), chunks=(2, 3), dtype=dtype, zarr_format=2,
                              compressors=numcodecs.Blosc(cname="zstd", shuffle=-1) if i % 2 else numcodecs.Zlib(level=1),
                              order="F" if i % 3 == 0 else "C")
            seed(f"v2-{dtype}", 1, (path / ".zarray").read_bytes())
        for fill in ("NaN", "Infinity", "-Infinity", "0x7fc00001"):
            doc = json.loads((tmp / "m3-float32" / "zarr.json").read_text())
            doc["fill_value"] = fill
            seed(f"v3-fill-{fill}", 0, json.dumps(doc).encode())
        # Groups with consolidated metadata.
        for fmt in (2, 3):
            root = zarr.open_group(str(tmp / f"g{fmt}"), mode="w", zarr_format=fmt)
            root.attrs["name"] = "seed"
            root.create_array("a", shape=(4, 4), chunks=(2, 2), dtype="uint16")
            root.create_group("labels").create_array("cells", shape=(4, 4), chunks=(2, 2), dtype="uint32")
            zarr.consolidate_metadata(str(tmp / f"g{fmt}"))
            name = "zarr.json" if fmt == 3 else ".zmetadata"
            seed(f"group-v{fmt}", 2, (tmp / f"g{fmt}" / name).read_bytes())

        # Chunks for the fixed arrays (16x16 uint16, fill 7), in the order of `chunkArrays`.
        def chunk_of(index: int, dtype="uint16", fill=7, values=data, **options) -> None:
            path = tmp / f"c{index}"
            array = zarr.create_array(store=str(path), shape=(16, 16), dtype=dtype, zarr_format=3, fill_value=fill, **options)
            array[...] = values
            seed(f"chunk{index}", 3 + index, (path / "c" / "0" / "0").read_bytes())
            # A second seed with one quarter missing (empty inner chunks for shards).
            array[0:8, 0:8] = fill
            chunk = path / "c" / "0" / "0"
            if chunk.exists():
                seed(f"chunk{index}-partial", 3 + index, chunk.read_bytes())

        chunk_of(0, chunks=(16, 16), serializer=BytesCodec(), compressors=[BloscCodec(cname="lz4", clevel=5, shuffle="shuffle", typesize=2)])
        chunk_of(1, chunks=(16, 16), serializer=BytesCodec(), compressors=[ZstdCodec(level=3)])
        chunk_of(2, chunks=(16, 16), serializer=BytesCodec(), compressors=[GzipCodec(level=5)])
        from zarr.codecs.numcodecs import Zlib
        chunk_of(3, chunks=(16, 16), serializer=BytesCodec(), compressors=[Zlib(level=1)])
        chunk_of(4, chunks=(16, 16), serializer=BytesCodec(), compressors=[ZstdCodec(level=3, checksum=True), Crc32cCodec()])
        chunk_of(5, chunks=(16, 16), compressors=None, serializer=ShardingCodec(
            chunk_shape=(8, 8), codecs=[BytesCodec(), ZstdCodec(level=3)], index_codecs=[BytesCodec(), Crc32cCodec()]))
        chunk_of(6, chunks=(16, 16), compressors=None, serializer=ShardingCodec(
            chunk_shape=(8, 8), codecs=[BytesCodec(), BloscCodec(cname="zstd", clevel=5, shuffle="bitshuffle", typesize=2)],
            index_codecs=[BytesCodec()], index_location="start"))
        from zarr.codecs.numcodecs import Delta
        chunk_of(7, chunks=(16, 16), filters=[TransposeCodec(order=(1, 0)), Delta(dtype="<u2")], serializer=BytesCodec(endian="big"),
                 compressors=[BloscCodec(cname="zstd", clevel=3, shuffle="noshuffle", typesize=2)])
        # String arrays (`stringChunkArrays`, fill "f"): vlen-utf8 + zstd, and sharded vlen-utf8.
        from zarr.codecs import VLenUTF8Codec
        words = np.array([["", "a", "\u00e9", "\U0001F600x"][(i * 7 + j) % 4] * (i % 3) for i in range(16) for j in range(16)],
                         dtype=object).reshape(16, 16)
        chunk_of(8, dtype=str, fill="f", values=words, chunks=(16, 16), serializer=VLenUTF8Codec(), compressors=[ZstdCodec(level=3)])
        chunk_of(9, dtype=str, fill="f", values=words, chunks=(16, 16), compressors=None, serializer=ShardingCodec(
            chunk_shape=(8, 8), codecs=[VLenUTF8Codec()], index_codecs=[BytesCodec(), Crc32cCodec()]))
    print(f"seeds_FuzzZarr: {len(list(out.glob('seed-*')))} seeds in {out}")


if __name__ == "__main__":
    main()
