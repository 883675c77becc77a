"""Zarr string arrays as zarr-python 3 writes them (issue 20): v3 `string` (codec `vlen-utf8`),
v2 `|O` with the `vlen-utf8` object codec, sharded v3 string arrays; `mifa zarr export` writes the
NumPy `<U n` array that `numpy.asarray(arr[...], dtype=str)` gives, `mifa zarr info` lists them,
damaged chunks are refused naming the chunk key, and pixel paths refuse strings."""
import json
import struct

import numcodecs
import numpy as np
import pytest
import zarr
from zarr.core.dtype import VariableLengthBytes

# Code points from several planes: ASCII, Latin-1, Greek, CJK, emoji (non-BMP), combining marks.
_ALPHABET = [chr(c) for c in list(range(0x20, 0x7F)) + [0xE9, 0xDF, 0x3B1, 0x3C9, 0x4E2D, 0x6587, 0x1F600, 0x1F9EC, 0x10348, 0x301]]


def _random_strings(rng, count):
    """Random strings, a fifth of them empty, up to 12 code points each."""
    lengths = rng.integers(0, 13, size=count)
    lengths[rng.random(count) < 0.2] = 0
    return [''.join(rng.choice(_ALPHABET, size=n)) for n in lengths]


def _expected(array, region=None):
    """zarr-python's read as a fixed-width NumPy str array (what `numpy.array(list_of_str)` makes)."""
    values = array[...] if region is None else array[region]
    return np.array(values.tolist(), dtype=str).reshape(values.shape)


def _write(path, rng, zarr_format, compressor, shards=None):
    rank = int(rng.integers(1, 3))
    shape = tuple(int(n) for n in rng.integers(3, 14, size=rank))
    chunks = tuple(int(rng.integers(1, n + 1)) for n in shape)
    if shards is not None:
        shards = tuple(c * int(rng.integers(1, 3)) for c in chunks)
    kwargs = {"compressors": compressor}
    if shards is not None:
        kwargs["shards"] = shards
    fill = rng.choice(["", "fill", "\u00e9\U0001F600"])
    array = zarr.create_array(str(path), shape=shape, chunks=chunks, dtype=str, zarr_format=zarr_format,
                              fill_value=str(fill), **kwargs)
    values = np.array(_random_strings(rng, int(np.prod(shape))), dtype=object).reshape(shape)
    written = tuple(slice(0, max(1, n // 2)) for n in shape)      # chunks beyond the written part stay missing
    array[written] = values[written]
    return zarr.open_array(str(path), mode="r")


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_string_arrays_export_as_zarr_python_reads_them(mifa, tmp_path, zarr_format):
    """Random unicode strings (empty ones, non-BMP code points), several chunks, unwritten chunks
    (the fill value), with and without a compressor: `mifa zarr export` equals zarr-python's read."""
    rng = np.random.default_rng(2000 + zarr_format)
    compressors = [None, numcodecs.Zstd(level=3), numcodecs.GZip(level=5)] if zarr_format == 2 else \
        [None, zarr.codecs.ZstdCodec(level=3), zarr.codecs.GzipCodec(level=5)]
    for index in range(9):
        path = tmp_path / f"s{index}.zarr"
        array = _write(path, rng, zarr_format, compressors[index % 3])
        out = tmp_path / f"s{index}.npy"
        mifa("zarr", "export", path, out)
        got = np.load(out)
        expected = _expected(array)
        assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
        np.testing.assert_array_equal(got, expected)
        # A region.
        region = tuple(slice(int(n // 3), n) for n in array.shape)
        mifa("zarr", "export", path, out, "--region", ",".join(f"{s.start}:{s.stop}" for s in region))
        np.testing.assert_array_equal(np.load(out), _expected(array, region))


def test_sharded_string_arrays_export_as_zarr_python_reads_them(mifa, tmp_path):
    rng = np.random.default_rng(2020)
    for index in range(5):
        path = tmp_path / f"sh{index}.zarr"
        array = _write(path, rng, 3, zarr.codecs.ZstdCodec(level=1) if index % 2 else None, shards=True)
        assert json.loads((path / "zarr.json").read_text())["codecs"][0]["name"] == "sharding_indexed"
        mifa("zarr", "export", path, tmp_path / "sh.npy")
        np.testing.assert_array_equal(np.load(tmp_path / "sh.npy"), _expected(array))


def test_info_lists_string_arrays(mifa, tmp_path):
    root = zarr.open_group(str(tmp_path / "g.zarr"), mode="w", zarr_format=2)
    root.create_array("names", shape=(4,), chunks=(2,), dtype=str)[:] = ["a", "b", "", "d"]
    root.create_array("blobs", shape=(2,), chunks=(2,), dtype=VariableLengthBytes())[:] = np.array([b"x", b"\x00"], dtype=object)
    root.create_array("n", shape=(2,), chunks=(2,), dtype="uint8")
    _, info = mifa("zarr", "info", tmp_path / "g.zarr", "--json", parse_json=True)
    children = {c["name"]: c for c in info["children"]}
    assert children["names"]["data_type"] == "string" and children["names"]["dtype"] == "|O"
    assert children["names"]["object_codec"] == "vlen-utf8" and children["names"]["fill_value"] == ""
    assert children["blobs"]["data_type"] == "variable_length_bytes" and children["blobs"]["object_codec"] == "vlen-bytes"
    assert all(c.get("supported", True) for c in children.values()), children
    assert "(string, dtype |O vlen-utf8)" in mifa("zarr", "info", tmp_path / "g.zarr" / "names").stdout
    v3 = zarr.create_array(str(tmp_path / "v3.zarr"), shape=(3,), chunks=(2,), dtype=str, fill_value="zz", zarr_format=3)
    _, info = mifa("zarr", "info", tmp_path / "v3.zarr", "--json", parse_json=True)
    assert info["data_type"] == "string" and info["fill_value"] == v3.metadata.fill_value == "zz"
    assert [c["name"] for c in info["codecs"]][0] == "vlen-utf8"
    # Byte strings are listed but not exported (NumPy's fixed-width bytes drop trailing zeros).
    proc = mifa("zarr", "export", tmp_path / "g.zarr" / "blobs", tmp_path / "b.npy", check=False)
    assert proc.returncode == 1 and "blobs" in proc.stderr and not (tmp_path / "b.npy").exists()


def test_v2_fill_values_of_object_arrays_follow_zarr_python(mifa, tmp_path):
    """zarr-python 2 wrote 0 (or null) as the fill value of object arrays; zarr-python 3 reads
    numbers as their str() and null as the empty string."""
    path = tmp_path / "f.zarr"
    zarr.create_array(str(path), shape=(5,), chunks=(2,), dtype=str, zarr_format=2)[:2] = ["a", "b"]
    for fill in (0, None, "x", 17, True):
        meta = json.loads((path / ".zarray").read_text())
        meta["fill_value"] = fill
        (path / ".zarray").write_text(json.dumps(meta))
        mifa("zarr", "export", path, tmp_path / "f.npy")
        np.testing.assert_array_equal(np.load(tmp_path / "f.npy"), _expected(zarr.open_array(str(path), mode="r")), err_msg=str(fill))


def _damage(chunk, how):
    count = struct.unpack_from("<I", chunk)[0]
    if how == "count":
        return struct.pack("<I", count + 1000) + chunk[4:]
    if how == "length":
        return chunk[:4] + struct.pack("<I", 0x7FFFFFF0) + chunk[8:]
    return chunk[:-1]                                                    # truncated


@pytest.mark.parametrize("how", ["count", "length", "truncated"])
def test_damaged_string_chunk_is_refused_with_its_key(mifa, tmp_path, how):
    path = tmp_path / "d.zarr"
    array = zarr.create_array(str(path), shape=(6,), chunks=(3,), dtype=str, compressors=None, zarr_format=3)
    array[:] = ["ab", "c", "", "d\u00e9", "\U0001F600", "x"]
    chunk = path / "c" / "1"
    chunk.write_bytes(_damage(chunk.read_bytes(), how))
    with pytest.raises(Exception):
        zarr.open_array(str(path), mode="r")[...]
    out = tmp_path / "d.npy"
    proc = mifa("zarr", "export", path, out, check=False)
    assert proc.returncode == 1 and "c/1" in proc.stderr, proc.stderr
    assert not out.exists()


def test_pixel_paths_refuse_strings(mifa, tmp_path):
    """A string array is not an image: OME-Zarr reading refuses it, saying strings are not pixels."""
    path = tmp_path / "img.zarr"
    root = zarr.open_group(str(path), mode="w", zarr_format=3)
    root.create_array("0", shape=(4, 4), chunks=(2, 2), dtype=str)[:] = np.full((4, 4), "p", dtype=object)
    root.attrs["ome"] = {"version": "0.5", "multiscales": [{"axes": [{"name": "y", "type": "space"}, {"name": "x", "type": "space"}],
                                                            "datasets": [{"path": "0", "coordinateTransformations": [{"type": "scale", "scale": [1, 1]}]}]}]}
    proc = mifa("omezarr", "export", path, tmp_path / "o.npy", check=False)
    assert proc.returncode == 1 and "strings are not" in proc.stderr and "pixels" in proc.stderr, proc.stderr
    assert not (tmp_path / "o.npy").exists()
