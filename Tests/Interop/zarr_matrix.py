"""The Zarr interop matrix: cases, test data, and writers/readers for zarr-python and tensorstore.

A codec is named as `mifa zarr import --codec` names it: none, zstd:L, gzip:L, zlib:L,
blosc:CNAME:L:SHUFFLE (SHUFFLE noshuffle, shuffle, bitshuffle, or auto = numcodecs' -1, v2 only).
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numcodecs
import numpy as np
import tensorstore as ts
import zarr
from zarr.codecs import BloscCodec, BytesCodec, Crc32cCodec, GzipCodec, ShardingCodec, TransposeCodec, ZstdCodec

SHAPE = (37, 29)          # ragged against the chunks below
CHUNKS = (10, 8)
SHARDS = (20, 16)
DTYPES = ["uint8", "int16", "uint16", "int32", "float32", "float64", "bool"]
CODECS = ["none", "zstd:3", "gzip:5", "zlib:1",
          "blosc:lz4:5:noshuffle", "blosc:lz4:5:shuffle", "blosc:lz4:5:bitshuffle",
          "blosc:zstd:5:noshuffle", "blosc:zstd:5:shuffle", "blosc:zstd:5:bitshuffle"]
BLOSC_SHUFFLE = {"noshuffle": 0, "shuffle": 1, "bitshuffle": 2, "auto": -1}


@dataclasses.dataclass(frozen=True)
class Case:
    fmt: int
    dtype: str
    codec: str
    order: str = "C"
    shards: str | None = None      # None, "crc" or "nocrc" (index codecs with or without crc32c)
    missing: bool = False          # only a block is written; the other chunks stay missing

    @property
    def id(self) -> str:
        parts = [f"v{self.fmt}", self.dtype.replace("<", "le").replace(">", "be"), self.codec.replace(":", "-"), self.order]
        if self.shards:
            parts.append("shard-" + self.shards)
        if self.missing:
            parts.append("missing")
        return "_".join(parts)

    @property
    def fill(self):
        return False if np.dtype(self.dtype).kind == "b" else 7


def cases(writer: str) -> list[Case]:
    """Every case for one writer ('zarr-python', 'tensorstore' or 'mifa')."""
    result = []
    for fmt in (2, 3):
        for dtype in DTYPES:
            for codec in CODECS:
                if fmt == 3 and codec.startswith("zlib") and writer == "tensorstore":
                    continue  # tensorstore's zarr3 driver has no numcodecs.zlib
                result.append(Case(fmt, dtype, codec))
            for codec in ("zstd:3", "blosc:lz4:5:shuffle"):
                result.append(Case(fmt, dtype, codec, order="F"))
            result.append(Case(fmt, dtype, "zstd:3", missing=True))
        if fmt == 2 and writer != "mifa":
            for dtype in (">u2", ">i4", ">f8"):
                result.append(Case(2, dtype, "blosc:lz4:5:shuffle"))
                result.append(Case(2, dtype, "zstd:3", order="F"))
            result.append(Case(2, "uint16", "blosc:lz4:5:auto"))
            result.append(Case(2, "uint8", "blosc:zstd:5:auto"))
    for dtype in DTYPES:
        for shards in (("crc",) if writer == "mifa" else ("crc", "nocrc")):
            for codec in ("zstd:3", "blosc:lz4:5:shuffle", "none"):
                result.append(Case(3, dtype, codec, shards=shards))
            result.append(Case(3, dtype, "zstd:3", order="F", shards=shards))
            result.append(Case(3, dtype, "gzip:5", shards=shards, missing=True))
    return result


def make_data(dtype: str, seed: int = 0) -> np.ndarray:
    """Microscopy-like data: smooth structure plus noise, covering the type's range."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:SHAPE[0], 0:SHAPE[1]]
    structure = np.sin(x / 3.0) * np.cos(y / 5.0)
    noise = rng.normal(0, 0.3, SHAPE)
    value = structure + noise
    kind = np.dtype(dtype).kind
    if kind == "b":
        return value > 0.2
    if kind == "f":
        data = (value * 1000).astype(dtype)
        data[0, 0] = np.nan
        data[1, 1] = -np.inf
        return data
    info = np.iinfo(np.dtype(dtype))
    scaled = (value - value.min()) / (value.max() - value.min())
    return (info.min + scaled * (float(info.max) - float(info.min))).astype(dtype)


def expected(case: Case, data: np.ndarray) -> np.ndarray:
    """What the array holds after the writer ran."""
    if not case.missing:
        return data
    result = np.full(SHAPE, case.fill, dtype=data.dtype)
    result[12:25, 9:20] = data[12:25, 9:20]
    return result


def _write(target, case: Case, data: np.ndarray) -> None:
    if case.missing:
        target[12:25, 9:20] = data[12:25, 9:20]
    else:
        target[...] = data


# ---------------------------------------------------------------------------------------------- zarr-python

def _zp_v3_compressors(codec: str, itemsize: int):
    name, *options = codec.split(":")
    if name == "none":
        return None
    if name == "zstd":
        return [ZstdCodec(level=int(options[0]))]
    if name == "gzip":
        return [GzipCodec(level=int(options[0]))]
    if name == "zlib":
        from zarr.codecs.numcodecs import Zlib
        return [Zlib(level=int(options[0]))]
    cname, level, shuffle = options
    return [BloscCodec(cname=cname, clevel=int(level), shuffle=shuffle, typesize=itemsize)]


def _zp_v2_compressor(codec: str):
    name, *options = codec.split(":")
    if name == "none":
        return None
    if name == "zstd":
        return numcodecs.Zstd(level=int(options[0]))
    if name == "gzip":
        return numcodecs.GZip(level=int(options[0]))
    if name == "zlib":
        return numcodecs.Zlib(level=int(options[0]))
    cname, level, shuffle = options
    return numcodecs.Blosc(cname=cname, clevel=int(level), shuffle=BLOSC_SHUFFLE[shuffle])


def write_zarr_python(path: Path, case: Case, data: np.ndarray) -> None:
    dtype = np.dtype(case.dtype)
    if case.fmt == 2:
        array = zarr.create_array(store=str(path), shape=SHAPE, chunks=CHUNKS, dtype=dtype, zarr_format=2,
                                  compressors=_zp_v2_compressor(case.codec), filters=None, order=case.order,
                                  fill_value=case.fill)
    else:
        filters = [TransposeCodec(order=(1, 0))] if case.order == "F" else None
        compressors = _zp_v3_compressors(case.codec, dtype.itemsize)
        if case.shards:
            inner = (filters or []) + [BytesCodec()] + (compressors or [])
            index = [BytesCodec(), Crc32cCodec()] if case.shards == "crc" else [BytesCodec()]
            array = zarr.create_array(store=str(path), shape=SHAPE, chunks=SHARDS, dtype=dtype, zarr_format=3,
                                      serializer=ShardingCodec(chunk_shape=CHUNKS, codecs=inner, index_codecs=index),
                                      compressors=None, filters=None, fill_value=case.fill)
        else:
            array = zarr.create_array(store=str(path), shape=SHAPE, chunks=CHUNKS, dtype=dtype, zarr_format=3,
                                      filters=filters, serializer=BytesCodec(), compressors=compressors, fill_value=case.fill)
    _write(array, case, data.astype(dtype))


def read_zarr_python(path: Path) -> np.ndarray:
    return zarr.open_array(str(path), mode="r")[...]


# ---------------------------------------------------------------------------------------------- tensorstore

def _ts_v3_codecs(codec: str, itemsize: int) -> list[dict]:
    name, *options = codec.split(":")
    if name == "none":
        return []
    if name == "zstd":
        return [{"name": "zstd", "configuration": {"level": int(options[0])}}]
    if name == "gzip":
        return [{"name": "gzip", "configuration": {"level": int(options[0])}}]
    if name == "blosc":
        cname, level, shuffle = options
        return [{"name": "blosc", "configuration": {"cname": cname, "clevel": int(level), "shuffle": shuffle, "typesize": itemsize}}]
    raise ValueError(codec)


def _ts_v2_compressor(codec: str):
    name, *options = codec.split(":")
    if name == "none":
        return None
    if name in ("zstd", "gzip", "zlib"):
        return {"id": name, "level": int(options[0])}
    cname, level, shuffle = options
    return {"id": "blosc", "cname": cname, "clevel": int(level), "shuffle": BLOSC_SHUFFLE[shuffle]}


def _ts_dtype_v3(dtype: np.dtype) -> str:
    return "bool" if dtype.kind == "b" else dtype.name


def write_tensorstore(path: Path, case: Case, data: np.ndarray) -> None:
    dtype = np.dtype(case.dtype)
    fill = bool(case.fill) if dtype.kind == "b" else case.fill
    kvstore = {"driver": "file", "path": str(path)}
    if case.fmt == 2:
        spec = {"driver": "zarr", "kvstore": kvstore, "metadata": {
            "shape": list(SHAPE), "chunks": list(CHUNKS), "dtype": dtype.str, "order": case.order,
            "compressor": _ts_v2_compressor(case.codec), "fill_value": fill, "filters": None}}
    else:
        transpose = [{"name": "transpose", "configuration": {"order": [1, 0]}}] if case.order == "F" else []
        chain = transpose + [{"name": "bytes", "configuration": {"endian": "little"}}] + _ts_v3_codecs(case.codec, dtype.itemsize)
        grid = CHUNKS
        if case.shards:
            index = [{"name": "bytes", "configuration": {"endian": "little"}}]
            if case.shards == "crc":
                index.append({"name": "crc32c"})
            chain = [{"name": "sharding_indexed", "configuration": {"chunk_shape": list(CHUNKS), "codecs": chain, "index_codecs": index}}]
            grid = SHARDS
        spec = {"driver": "zarr3", "kvstore": kvstore, "metadata": {
            "shape": list(SHAPE), "data_type": _ts_dtype_v3(dtype), "fill_value": fill, "codecs": chain,
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": list(grid)}}}}
    store = ts.open(spec, create=True).result()
    _write(store, case, data.astype(dtype))


def read_tensorstore(path: Path) -> np.ndarray:
    driver = "zarr3" if (path / "zarr.json").exists() else "zarr"
    return ts.open({"driver": driver, "kvstore": {"driver": "file", "path": str(path)}}, open=True).result().read().result()


WRITERS = {"zarr-python": write_zarr_python, "tensorstore": write_tensorstore}
READERS = {"zarr-python": read_zarr_python, "tensorstore": read_tensorstore}


def assert_same(actual: np.ndarray, wanted: np.ndarray, what: str) -> None:
    """Exact equality: same shape, same type (byte order aside), same bits for floats (NaN included)."""
    assert actual.shape == wanted.shape, f"{what}: shape {actual.shape} != {wanted.shape}"
    a = np.ascontiguousarray(actual.astype(actual.dtype.newbyteorder("=")))
    w = np.ascontiguousarray(wanted.astype(wanted.dtype.newbyteorder("=")))
    assert a.dtype == w.dtype, f"{what}: dtype {actual.dtype} != {wanted.dtype}"
    if w.dtype.kind == "f":
        a, w = a.view(f"u{w.dtype.itemsize}"), w.view(f"u{w.dtype.itemsize}")
    mismatch = np.argwhere(a != w)
    assert mismatch.size == 0, f"{what}: {len(mismatch)} values differ, first at {tuple(mismatch[0])}: {a[tuple(mismatch[0])]} != {w[tuple(mismatch[0])]}"
