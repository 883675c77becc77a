"""Zarr as zarr-python writes it (issue 20): v2 `fill_value: null` reported as null and read as
zarr-python reads it; a group with an unsupported child still described, the child marked with
the reason; messages say what a CLI user can do, not which Swift function to call; numcodecs'
bz2 and lzma compressors read as zarr-python reads them."""
import json
import re
from pathlib import Path

import numcodecs
import numpy as np
import pytest
import zarr

ROOT = Path(__file__).resolve().parents[2]


def test_v2_fill_value_null_is_reported_and_read_as_zarr_python(mifa, tmp_path):
    path = tmp_path / "nofill.zarr"
    for dtype in ("int32", "float64", "bool"):
        array = zarr.create_array(str(path / dtype), shape=(6, 5), chunks=(3, 5), dtype=dtype, fill_value=None, zarr_format=2)
        array[0:3] = np.arange(15).reshape(3, 5).astype(dtype)           # the second chunk is never written
        assert json.loads((path / dtype / ".zarray").read_text())["fill_value"] is None
        reopened = zarr.open_array(str(path / dtype))
        _, info = mifa("zarr", "info", path / dtype, "--json", parse_json=True)
        assert info["fill_value"] is None and reopened.metadata.fill_value is None, (dtype, info["fill_value"])
        mifa("zarr", "export", path / dtype, tmp_path / f"{dtype}.npy")
        np.testing.assert_array_equal(np.load(tmp_path / f"{dtype}.npy"), reopened[:])
        assert "fill value   null" in mifa("zarr", "info", path / dtype).stdout


def test_group_with_an_unsupported_child_is_listed(mifa, tmp_path):
    path = tmp_path / "group.zarr"
    root = zarr.open_group(str(path), mode="w", zarr_format=2)
    root.create_array("good", shape=(4,), chunks=(2,), dtype="uint8")[:] = np.arange(4, dtype=np.uint8)
    odd = root.create_array("quantized", shape=(4,), chunks=(2,), dtype="float64",
                            filters=[numcodecs.Quantize(digits=2, dtype="float64")])
    odd[:] = np.linspace(0, 1, 4)
    proc, info = mifa("zarr", "info", path, "--json", parse_json=True)
    children = {c["name"]: c for c in info["children"]}
    assert set(children) == {"good", "quantized"} == set(root.array_keys())
    assert children["good"]["node_type"] == "array" and children["good"]["shape"] == [4]
    assert children["quantized"]["supported"] is False and "quantize" in children["quantized"]["reason"].lower(), children
    text = mifa("zarr", "info", path).stdout
    assert "quantized: not supported" in text and "good: Zarr v2 array" in text, text
    # The child itself is still refused (exit 1) with the reason.
    proc = mifa("zarr", "info", path / "quantized", check=False)
    assert proc.returncode == 1 and "quantize" in proc.stderr.lower()


def test_messages_name_what_the_user_can_do(mifa, tmp_path):
    array = zarr.create_array(str(tmp_path / "r.zarr"), shape=(4,), chunks=(2,), dtype="|V2", zarr_format=2)
    proc = mifa("zarr", "export", tmp_path / "r.zarr", tmp_path / "r.npy", check=False)
    assert proc.returncode == 1 and "r.zarr" in proc.stderr and "zarr-python" in proc.stderr, proc.stderr
    assert not (tmp_path / "r.npy").exists()
    assert "readBytes" not in proc.stderr and "NDArray" not in proc.stderr
    # No error message in the sources tells the user to call a Swift function.
    internal = re.compile(r'(?:Error\(|throw |error\()[^\n]*"[^"\n]*\b(?:readBytes|readPage|readStack|readRaw)\b')
    found = [f"{p.relative_to(ROOT)}:{n}" for p in (ROOT / "Sources").rglob("*.swift")
             for n, line in enumerate(p.read_text().splitlines(), 1) if internal.search(line) and not line.strip().startswith("///")]
    assert found == [], found


def _bz2_lzma_cases():
    from zarr.codecs.numcodecs import BZ2, LZMA
    v2 = [numcodecs.BZ2(level=1), numcodecs.BZ2(level=9), numcodecs.LZMA(), numcodecs.LZMA(format=2, preset=1),
          numcodecs.LZMA(format=1, check=0, preset=9)]
    v3 = [BZ2(level=3), LZMA(), LZMA(format=2, preset=0)]
    return [(2, c) for c in v2] + [(3, c) for c in v3]


def test_bz2_and_lzma_arrays_read_as_zarr_python_reads_them(mifa, tmp_path):
    """numcodecs' BZ2 and LZMA compressors (v2 `compressor`, v3 `numcodecs.bz2`/`numcodecs.lzma`),
    written by zarr-python over random shapes and chunkings with edge chunks and unwritten chunks:
    `mifa zarr export` gives zarr-python's array exactly, and `zarr info` names the codec."""
    rng = np.random.default_rng(20)
    for index, (version, codec) in enumerate(_bz2_lzma_cases()):
        dtype = rng.choice(["uint8", "uint16", "int32", "float32", "float64"])
        shape = tuple(int(n) for n in rng.integers(5, 40, size=2))
        chunks = tuple(int(rng.integers(2, n + 1)) for n in shape)
        path = tmp_path / f"a{index}.zarr"
        array = zarr.create_array(str(path), shape=shape, chunks=chunks, dtype=dtype, fill_value=7, zarr_format=version, compressors=[codec])
        data = (rng.random(shape) * 200).astype(dtype)
        array[: shape[0] // 2 + 1] = data[: shape[0] // 2 + 1]          # later chunks stay unwritten (fill value)
        expected = zarr.open_array(str(path))[:]
        mifa("zarr", "export", path, tmp_path / f"a{index}.npy")
        np.testing.assert_array_equal(np.load(tmp_path / f"a{index}.npy"), expected, err_msg=f"{version} {codec}")
        info = mifa("zarr", "info", path).stdout
        assert ("bz2" in info) if "BZ2" in type(codec).__name__ else ("lzma" in info), info


def test_corrupt_bz2_chunk_fails_naming_the_chunk(mifa, tmp_path):
    path = tmp_path / "bad.zarr"
    array = zarr.create_array(str(path), shape=(8, 8), chunks=(4, 8), dtype="uint16", zarr_format=2, compressors=[numcodecs.BZ2()])
    array[:] = np.arange(64, dtype=np.uint16).reshape(8, 8)
    chunk = path / "1.0"
    chunk.write_bytes(chunk.read_bytes()[:-8])
    proc = mifa("zarr", "export", path, tmp_path / "bad.npy", check=False)
    assert proc.returncode == 1 and "bz2" in proc.stderr and "1.0" in proc.stderr, proc.stderr
    assert not (tmp_path / "bad.npy").exists()


def test_zip_with_a_top_folder_reads_paths_as_written(mifa, tmp_path):
    """`zip -r data.zip data.zarr` puts every entry under `data.zarr/`: the array is found both
    as the zip lists it (`data.zip/data.zarr/a`) and from the folder the zip is rooted in."""
    import zipfile
    root = zarr.open_group(str(tmp_path / "data.zarr"), mode="w", zarr_format=3)
    root.create_array("a", shape=(6, 4), chunks=(3, 4), dtype="int16")[:] = np.arange(24, dtype=np.int16).reshape(6, 4)
    archive = tmp_path / "data.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for file in sorted((tmp_path / "data.zarr").rglob("*")):
            if file.is_file():
                z.write(file, file.relative_to(tmp_path).as_posix())
    expected = zarr.open_array(zarr.storage.ZipStore(archive, mode="r"), path="data.zarr/a")[:]
    for inner in ("data.zarr/a", "a"):
        out = tmp_path / f"{inner.replace('/', '_')}.npy"
        mifa("zarr", "export", f"{archive}/{inner}", out)
        np.testing.assert_array_equal(np.load(out), expected, err_msg=inner)
    info = mifa("zarr", "info", f"{archive}/data.zarr", "--json", parse_json=True)[1]
    assert [c["name"] for c in info["children"]] == ["a"], info


def test_float16_and_complex_arrays_export_as_zarr_python_reads_them(mifa, tmp_path):
    """Half precision (ML outputs) and complex arrays, v2 (both byte orders) and v3, zstd, random
    shapes with edge and unwritten chunks: `mifa zarr export` writes the .npy zarr-python reads,
    same dtype and values (NaN and infinities included)."""
    rng = np.random.default_rng(16)
    cases = [(2, "<f2"), (2, ">f2"), (3, "float16"), (2, "<c8"), (3, "complex64"), (3, "complex128")]
    for index, (version, dtype) in enumerate(cases):
        shape = tuple(int(n) for n in rng.integers(4, 30, size=2))
        chunks = tuple(int(rng.integers(2, n + 1)) for n in shape)
        path = tmp_path / f"h{index}.zarr"
        array = zarr.create_array(str(path), shape=shape, chunks=chunks, dtype=dtype, zarr_format=version,
                                  compressors=[numcodecs.Zstd(level=3)] if version == 2 else [zarr.codecs.ZstdCodec(level=3)])
        values = rng.normal(0, 100, size=shape)
        if np.dtype(dtype).kind == "c":
            values = values + 1j * rng.normal(0, 100, size=shape)
        values = values.astype(dtype)
        values.flat[:3] = [np.nan, np.inf, -np.inf]
        array[: shape[0] // 2 + 1] = values[: shape[0] // 2 + 1]
        expected = zarr.open_array(str(path))[...]
        out = tmp_path / f"h{index}.npy"
        mifa("zarr", "export", path, out)
        got = np.load(out)
        assert got.dtype == expected.dtype.newbyteorder("=") and got.shape == expected.shape, (dtype, got.dtype, expected.dtype)
        np.testing.assert_array_equal(got, expected, err_msg=f"v{version} {dtype}")


@pytest.mark.parametrize("version,dtype", [(2, "<f2"), (2, ">f2"), (3, "float16"), (3, "complex64")])
def test_float16_omezarr_levels_export_as_zarr_python_reads_them(mifa, tmp_path, version, dtype):
    """An OME-Zarr image whose levels are float16 (ML model outputs): `mifa omezarr export` writes
    each level and region as zarr-python reads it, through the same path as `mifa zarr export`."""
    rng = np.random.default_rng(20 + version)
    path = tmp_path / "half.zarr"
    group = zarr.open_group(str(path), mode="w", zarr_format=version)
    shape = (int(rng.integers(5, 40)), int(rng.integers(5, 40)))
    datasets = []
    for level in range(2):
        level_shape = tuple((n + level) // (1 + level) for n in shape)
        values = rng.normal(0, 100, size=level_shape)
        if np.dtype(dtype).kind == "c":
            values = values + 1j * rng.normal(0, 100, size=level_shape)
        values = values.astype(dtype)
        values.flat[:3] = [np.nan, np.inf, -np.inf]
        array = group.create_array(str(level), shape=level_shape, chunks=(7, 9), dtype=dtype,
                                   **({"dimension_names": ["y", "x"]} if version == 3 else {}))
        array[...] = values
        datasets.append({"path": str(level), "coordinateTransformations": [{"type": "scale", "scale": [1.0 + level, 1.0 + level]}]})
    multiscale = {"axes": [{"name": "y", "type": "space"}, {"name": "x", "type": "space"}], "datasets": datasets}
    if version == 3:
        group.attrs["ome"] = {"version": "0.5", "multiscales": [multiscale]}
    else:
        group.attrs["multiscales"] = [{"version": "0.4", **multiscale}]
    for level in range(2):
        expected = zarr.open_array(str(path / str(level)))[...]
        out = tmp_path / f"l{level}.npy"
        mifa("omezarr", "export", path, out, "--level", level)
        got = np.load(out)
        assert got.dtype == expected.dtype.newbyteorder("=") and got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)
    mifa("omezarr", "export", path, tmp_path / "r.npy", "--region", "1:4,2:5")
    np.testing.assert_array_equal(np.load(tmp_path / "r.npy"), zarr.open_array(str(path / "0"))[1:4, 2:5])
