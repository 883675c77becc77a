"""Half precision (float16: model outputs, ML datasets) on every path that reads or writes pixels:
`zarr import` of a float16 .npy read back by zarr-python, TIFF pages of 16-bit floats as tifffile
writes and reads them, and `raster convert` both ways. Random shapes and values, NaN and the
infinities included; agreement is bit for bit."""
import numpy as np
import pytest
import tifffile
import zarr

RNG_SEED = 1616


def half_values(rng, shape):
    """Random float16 values over the whole range, with NaN, +inf, -inf and a subnormal."""
    values = rng.normal(0, 300, size=shape).astype(np.float16)
    values.flat[:4] = [np.nan, np.inf, -np.inf, np.float16(6e-8)]
    return values


def same_bits(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a.view(np.uint16), b.view(np.uint16))


@pytest.mark.parametrize("version,codec", [(2, "zstd:3"), (3, "zstd:3"), (3, "none"), (2, "blosc:lz4:5:shuffle")])
def test_zarr_import_of_float16_reads_back_in_zarr_python(mifa, tmp_path, version, codec):
    rng = np.random.default_rng(RNG_SEED + version)
    for trial in range(3):
        shape = tuple(int(n) for n in rng.integers(1, 40, size=int(rng.integers(1, 4))))
        chunks = ",".join(str(int(rng.integers(1, n + 1))) for n in shape)
        values = half_values(rng, shape)
        npy, out = tmp_path / f"v{trial}.npy", tmp_path / f"v{version}-{trial}.zarr"
        np.save(npy, values)
        mifa("zarr", "import", npy, out, "--zarr-format", str(version), "--chunks", chunks, "--codec", codec)
        read = zarr.open_array(str(out))[...]
        assert read.dtype == np.float16
        assert same_bits(read.astype(np.float16), values), (version, codec, shape)
        back = tmp_path / f"back{trial}.npy"
        mifa("zarr", "export", out, back)
        assert same_bits(np.load(back), values)


@pytest.mark.parametrize("compression,predictor", [(None, None), ("zlib", None), ("zlib", "floatingpoint"), ("zstd", None)])
def test_float16_tiff_pages_read_as_tifffile_reads_them(mifa, tmp_path, compression, predictor):
    """16-bit float TIFF pages (SampleFormat 3), strips or tiles, compressed or not, the floating-point
    predictor included: `raster convert` to .npy equals tifffile.imread."""
    rng = np.random.default_rng(RNG_SEED)
    for trial in range(3):
        shape = (int(rng.integers(1, 4)), int(rng.integers(16, 70)), int(rng.integers(16, 70)))
        values = half_values(rng, shape)
        path = tmp_path / f"h{trial}.tif"
        tile = (16, 16) if trial == 1 else None
        tifffile.imwrite(path, values, compression=compression, predictor=predictor, tile=tile, photometric="minisblack")
        expected = tifffile.imread(path)
        out = tmp_path / f"h{trial}.npy"
        mifa("raster", "convert", path, out)
        got = np.load(out)
        assert same_bits(got.reshape(expected.shape), expected), (compression, predictor, shape)


def test_float16_npy_to_tiff_reads_back_in_tifffile(mifa, tmp_path):
    rng = np.random.default_rng(RNG_SEED + 7)
    values = half_values(rng, (37, 53))
    npy, tif = tmp_path / "h.npy", tmp_path / "h.tif"
    np.save(npy, values)
    mifa("raster", "convert", npy, tif, "--compression", "zstd")
    read = tifffile.imread(tif)
    assert same_bits(read, values)
    with tifffile.TiffFile(tif) as handle:
        page = handle.pages[0]
        assert page.sampleformat == 3 and page.bitspersample == 16


def test_omezarr_from_float16_tiff_keeps_half_precision(mifa, tmp_path):
    """A float16 TIFF stack becomes a float16 OME-Zarr whose level 0 zarr-python reads bit for bit and
    whose reduced levels are the 2x2 means, rounded once to half precision."""
    rng = np.random.default_rng(RNG_SEED + 9)
    values = rng.normal(0, 300, size=(3, 64, 48)).astype(np.float16)
    path, out = tmp_path / "h.tif", tmp_path / "h.ome.zarr"
    tifffile.imwrite(path, values, photometric="minisblack")
    mifa("omezarr", "from-tiff", path, out, "--levels", "2", "--unknown-axis", "z")
    level0 = zarr.open_array(str(out / "0"))[...]
    assert same_bits(level0.reshape(values.shape), values)
    level1 = zarr.open_array(str(out / "1"))[...].reshape(3, 32, 24)
    blocks = values.astype(np.float64).reshape(3, 32, 2, 24, 2).mean(axis=(2, 4))
    assert same_bits(level1, blocks.astype(np.float16))


@pytest.mark.parametrize("version", [2, 3])
def test_zarr_export_widens_floats_as_numpy_astype(mifa, tmp_path, version):
    """`zarr export --dtype float32|float64` writes numpy's astype of zarr-python's read (NaN and
    the infinities kept, bit for bit); `omezarr export` takes the same option; narrowing and
    integer conversions are refused (exit 1, no file), an unknown type is a usage error (exit 2)."""
    rng = np.random.default_rng(RNG_SEED + 10 * version)
    for trial in range(3):
        shape = tuple(int(n) for n in rng.integers(1, 30, size=int(rng.integers(1, 4))))
        chunks = tuple(int(rng.integers(1, n + 1)) for n in shape)
        path = tmp_path / f"h{trial}.zarr"
        array = zarr.create_array(str(path), shape=shape, chunks=chunks, dtype="float16", zarr_format=version)
        array[...] = half_values(rng, shape)
        for target in ("float32", "float64"):
            out = tmp_path / f"h{trial}-{target}.npy"
            mifa("zarr", "export", path, out, "--dtype", target)
            expected = zarr.open_array(str(path), mode="r")[...].astype(target)
            got = np.load(out)
            assert got.dtype == expected.dtype and np.array_equal(got, expected, equal_nan=True)
            assert np.array_equal(np.signbit(got), np.signbit(expected))
        region = ",".join(f"{n // 2}:{n}" for n in shape)
        mifa("zarr", "export", path, tmp_path / "r.npy", "--dtype", "float64", "--region", region)
        expected = zarr.open_array(str(path), mode="r")[tuple(slice(n // 2, n) for n in shape)].astype("float64")
        assert np.array_equal(np.load(tmp_path / "r.npy"), expected, equal_nan=True)
    single = zarr.create_array(str(tmp_path / "f32.zarr"), shape=(4,), chunks=(2,), dtype="float32", zarr_format=version)
    single[:] = np.array([1.5, np.nan, -np.inf, 3e38], dtype=np.float32)
    mifa("zarr", "export", tmp_path / "f32.zarr", tmp_path / "f64.npy", "--dtype", "float64")
    assert np.array_equal(np.load(tmp_path / "f64.npy"), single[:].astype("float64"), equal_nan=True)
    # float64 -> float32 narrows, uint8 -> float32 converts: refused, nothing written.
    zarr.create_array(str(tmp_path / "f64.zarr"), shape=(2,), chunks=(2,), dtype="float64", zarr_format=version)
    zarr.create_array(str(tmp_path / "u8.zarr"), shape=(2,), chunks=(2,), dtype="uint8", zarr_format=version)
    for source in ("f64.zarr", "u8.zarr"):
        proc = mifa("zarr", "export", tmp_path / source, tmp_path / "no.npy", "--dtype", "float32", check=False)
        assert proc.returncode == 1 and "widens" in proc.stderr and source.split(".")[0] in proc.stderr, proc.stderr
        assert not (tmp_path / "no.npy").exists()
    proc = mifa("zarr", "export", tmp_path / "f32.zarr", tmp_path / "no.npy", "--dtype", "int32", check=False)
    assert proc.returncode == 2 and not (tmp_path / "no.npy").exists()


def test_omezarr_export_widens_float16(mifa, tmp_path):
    import tifffile as tf
    rng = np.random.default_rng(RNG_SEED + 99)
    values = half_values(rng, (3, 20, 24))
    tf.imwrite(tmp_path / "h.tif", values, photometric="minisblack")
    mifa("omezarr", "from-tiff", tmp_path / "h.tif", tmp_path / "h.zarr")
    mifa("omezarr", "export", tmp_path / "h.zarr", tmp_path / "h.npy", "--dtype", "float32")
    expected = zarr.open_array(str(tmp_path / "h.zarr" / "0"), mode="r")[...].astype("float32")
    got = np.load(tmp_path / "h.npy")
    assert got.dtype == np.float32 and np.array_equal(got, expected, equal_nan=True)
