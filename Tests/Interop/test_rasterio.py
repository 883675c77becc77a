"""RasterIO against the reference tools: tifffile, Pillow, imagecodecs and NumPy.

Every file is made in the test run (seeded or by hypothesis), read or written by `mifa raster`,
and compared element for element with what the reference tool reads or wrote.
"""
import itertools
import struct
import zlib

import imagecodecs
import numpy as np
import pytest
import tifffile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

DTYPES = ["uint8", "uint16", "uint32", "int8", "int16", "int32", "float32"]
EXTRA_DTYPES = ["uint64", "int64", "float64"]
COMPRESSIONS = [None, "zlib", "lzw", "zstd", "packbits"]


def random_array(rng, dtype, shape):
    dtype = np.dtype(dtype)
    if dtype.kind in "ui":
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
    return (rng.standard_normal(size=shape) * 1e3).astype(dtype)


def same(a, b):
    """Exact equality of dtype, shape and bits (NaN-safe)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.newbyteorder("=") != b.dtype.newbyteorder("="):
        return False
    native = lambda x: np.ascontiguousarray(x.astype(x.dtype.newbyteorder("="))).view(np.uint8)
    return a.shape == b.shape and np.array_equal(native(a), native(b))


def to_npy(mifa, source, tmp_path, *extra):
    out = tmp_path / (source.stem + "-out.npy")
    mifa("raster", "convert", source, out, *extra)
    return np.load(out)


def info(mifa, path):
    return mifa("raster", "info", path, "--json", parse_json=True)[1]


# tifffile writes, MIFAKit reads ---------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES + EXTRA_DTYPES)
@pytest.mark.parametrize("compression", COMPRESSIONS)
@pytest.mark.parametrize("tiled,bigtiff,byteorder", [(False, False, "<"), (True, False, ">"), (False, True, ">"), (True, True, "<")])
def test_tifffile_stacks(mifa, tmp_path, dtype, compression, tiled, bigtiff, byteorder):
    rng = np.random.default_rng(zlib.crc32(repr((dtype, compression, tiled, bigtiff, byteorder)).encode()))
    data = random_array(rng, dtype, (3, 37, 45))
    path = tmp_path / "stack.tif"
    tifffile.imwrite(path, data, compression=compression, tile=(16, 32) if tiled else None, photometric="minisblack",
                     rowsperstrip=None if tiled else 5, bigtiff=bigtiff, byteorder=byteorder)
    assert same(to_npy(mifa, path, tmp_path), tifffile.imread(path))
    report = info(mifa, path)
    assert report["shape"] == [3, 37, 45] and report["axes"] == "ZYX" and report["dtype"] == dtype
    assert report["pages"] == 3 and report["bigtiff"] == bigtiff and report["tiled"] == tiled
    assert report["byte_order"] == ("big" if byteorder == ">" else "little")
    assert report["compression"] == {None: "none", "zlib": "deflate"}.get(compression, compression)
    page = to_npy(mifa, path, tmp_path, "--page", "2")
    assert same(page, data[2])


@pytest.mark.parametrize("dtype", ["uint8", "uint16", "int32", "float32", "float64"])
@pytest.mark.parametrize("compression", ["zlib", "lzw", "zstd"])
@pytest.mark.parametrize("byteorder", ["<", ">"])
def test_tifffile_predictors(mifa, tmp_path, dtype, compression, byteorder):
    rng = np.random.default_rng(7)
    data = random_array(rng, dtype, (33, 40))
    path = tmp_path / "predicted.tif"
    tifffile.imwrite(path, data, compression=compression, predictor=True, byteorder=byteorder)
    assert same(to_npy(mifa, path, tmp_path), data)


@pytest.mark.parametrize("axes,shape", [
    ("TZCYX", (2, 3, 4, 10, 12)), ("ZCYX", (5, 2, 9, 8)), ("TZYX", (3, 4, 8, 8)), ("TCYX", (2, 3, 8, 8)),
    ("CYX", (3, 16, 16)), ("ZYX", (6, 8, 8)), ("TYX", (4, 8, 8)), ("YX", (20, 30)),
])
@pytest.mark.parametrize("dtype", ["uint8", "uint16", "float32"])
def test_tifffile_imagej_hyperstacks(mifa, tmp_path, axes, shape, dtype):
    rng = np.random.default_rng(len(axes) * 31 + shape[0])
    data = random_array(rng, dtype, shape)
    path = tmp_path / "hyper.tif"
    tifffile.imwrite(path, data, imagej=True, metadata={"axes": axes, "unit": "um", "spacing": 1.5}, resolution=(1 / 0.25, 1 / 0.5))
    with tifffile.TiffFile(path) as tif:
        reference = tif.series[0].asarray()
        reference_axes = tif.series[0].axes
    assert reference_axes == axes
    report = info(mifa, path)
    assert report["axes"] == axes and report["shape"] == list(shape) and report["dtype"] == dtype and report["imagej"]
    assert report["pixel_size"]["unit"] == "um" and report["pixel_size"]["x"] == pytest.approx(0.25) and report["pixel_size"]["y"] == pytest.approx(0.5)
    if "Z" in axes:
        assert report["pixel_size"]["z"] == 1.5
    assert same(to_npy(mifa, path, tmp_path), reference)


@pytest.mark.parametrize("byteorder", ["<", ">"])
def test_imagej_contiguous_single_directory(mifa, tmp_path, byteorder):
    """ImageJ writes stacks over 4 GiB as one directory followed by all images; emulate by cutting the chain."""
    data = random_array(np.random.default_rng(9), "float32", (3, 4, 11, 13))
    path = tmp_path / "contiguous.tif"
    tifffile.imwrite(path, data, imagej=True, metadata={"axes": "ZCYX"}, byteorder=byteorder)
    raw = bytearray(path.read_bytes())
    with tifffile.TiffFile(path) as tif:
        first = tif.pages[0]
        next_pointer = first.offset + 2 + len(first.tags) * 12
    raw[next_pointer:next_pointer + 4] = bytes(4)
    path.write_bytes(bytes(raw))
    with tifffile.TiffFile(path) as tif:
        assert len(tif.pages) == 1 and tif.series[0].axes == "ZCYX"
        reference = tif.series[0].asarray()
    report = info(mifa, path)
    assert report["pages"] == 1 and report["axes"] == "ZCYX" and report["shape"] == [3, 4, 11, 13]
    assert same(to_npy(mifa, path, tmp_path), reference) and same(reference, data)


@pytest.mark.parametrize("dtype", ["uint8", "uint16"])
@pytest.mark.parametrize("samples,planar", [(3, "contig"), (4, "contig"), (3, "separate"), (4, "separate")])
@pytest.mark.parametrize("compression", [None, "zlib"])
def test_tifffile_rgb(mifa, tmp_path, dtype, samples, planar, compression):
    rng = np.random.default_rng(samples)
    shape = (21, 19, samples) if planar == "contig" else (samples, 21, 19)
    data = random_array(rng, dtype, shape)
    path = tmp_path / "rgb.tif"
    tifffile.imwrite(path, data, photometric="rgb", planarconfig=planar, compression=compression,
                     extrasamples=["unassalpha"] if samples == 4 else None)
    reference = tifffile.imread(path)
    assert same(to_npy(mifa, path, tmp_path), reference)
    assert info(mifa, path)["axes"] == ("YXS" if planar == "contig" else "SYX")


def test_tifffile_imagej_rgb(mifa, tmp_path):
    data = random_array(np.random.default_rng(3), "uint8", (2, 3, 10, 10, 3))
    path = tmp_path / "ij-rgb.tif"
    tifffile.imwrite(path, data, imagej=True, metadata={"axes": "TZYXS"})
    with tifffile.TiffFile(path) as tif:
        assert tif.series[0].axes == "TZYXS"
    assert info(mifa, path)["axes"] == "TZYXS"
    assert same(to_npy(mifa, path, tmp_path), data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dtype=st.sampled_from(DTYPES), pages=st.integers(1, 4), height=st.integers(1, 70), width=st.integers(1, 70),
       compression=st.sampled_from(COMPRESSIONS), tile=st.sampled_from([None, (16, 16), (32, 48)]),
       byteorder=st.sampled_from("<>"), bigtiff=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_tifffile_random(mifa, tmp_path, dtype, pages, height, width, compression, tile, byteorder, bigtiff, seed):
    data = random_array(np.random.default_rng(seed), dtype, (pages, height, width))
    path = tmp_path / "random.tif"
    tifffile.imwrite(path, data, compression=compression, tile=tile, byteorder=byteorder, bigtiff=bigtiff, photometric="minisblack")
    # Compare page by page as tifffile decodes them (its series reshapes pages by its own JSON
    # description); one page reads as YX, several as ZYX.
    with tifffile.TiffFile(path) as tif:
        pages_read = np.stack([page.asarray() for page in tif.pages])
    assert same(to_npy(mifa, path, tmp_path), pages_read if len(pages_read) > 1 else pages_read[0])


# MIFAKit undoes horizontal differencing (Predictor 2) itself, after libtiff has decoded and
# byte-swapped each strip or tile; floats take tifffile's floating-point predictor (3), which
# libtiff undoes. Every width, byte order, layout and sample arrangement against tifffile.
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dtype=st.sampled_from(["uint8", "int8", "uint16", "int16", "uint32", "int32", "float32"]), pages=st.integers(1, 3),
       height=st.integers(1, 60), width=st.integers(1, 70), samples=st.sampled_from([None, "contig", "separate"]),
       compression=st.sampled_from(["zlib", "zstd", "lzw"]), tile=st.sampled_from([None, (16, 16), (32, 48)]),
       rowsperstrip=st.integers(1, 20), byteorder=st.sampled_from("<>"), seed=st.integers(0, 2**32 - 1))
def test_tifffile_predictor_random(mifa, tmp_path, dtype, pages, height, width, samples, compression, tile, rowsperstrip, byteorder, seed):
    rng = np.random.default_rng(seed)
    shape = (pages, height, width) + ((3,) if samples == "contig" else ())
    if samples == "separate":
        shape = (pages, 3, height, width)
    # Smooth rows (a ramp plus noise) as well as random ones: differences near zero and wrapping.
    data = random_array(rng, dtype, shape)
    if rng.integers(2) and np.dtype(dtype).kind in "ui":
        data = (data // 64 + np.arange(width).reshape((width, 1) if samples == "contig" else (width,)).astype(dtype) * 7).astype(dtype)
    path = tmp_path / "predictor.tif"
    tifffile.imwrite(path, data, compression=compression, predictor=True, tile=tile, rowsperstrip=None if tile else rowsperstrip,
                     byteorder=byteorder, photometric="rgb" if samples else "minisblack", planarconfig=samples)
    with tifffile.TiffFile(path) as tif:
        assert tif.pages[0].predictor == (3 if dtype == "float32" else 2)
        pages_read = np.stack([page.asarray() for page in tif.pages])
    assert same(to_npy(mifa, path, tmp_path), pages_read if len(pages_read) > 1 else pages_read[0])


# Reads large enough to decode on several threads (over 2 MiB), as tifffile writes them; every
# other one asks for a durable output (synced before exit), which must not change a byte.
@pytest.mark.parametrize("compression,tile,predictor", [
    ("zstd", None, False), ("zstd", (256, 256), False), ("zlib", None, True), ("lzw", (128, 64), False), (None, None, False),
])
def test_large_stacks_decoded_in_parallel(mifa, tmp_path, compression, tile, predictor):
    rng = np.random.default_rng(len(str(compression)) + (tile or (0,))[0])
    data = (rng.integers(0, 4096, (4, 700, 900)) + np.arange(900)).astype("<u2")
    path = tmp_path / "large.tif"
    tifffile.imwrite(path, data, compression=compression, tile=tile, predictor=predictor, photometric="minisblack")
    for durable in ([], ["--durable"]):
        out = tmp_path / f"large{len(durable)}.npy"
        mifa("raster", "convert", path, out, *durable)
        assert np.array_equal(np.load(out), tifffile.imread(path))


# MIFAKit writes, tifffile and Pillow read -------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES + EXTRA_DTYPES)
@pytest.mark.parametrize("options", [
    [], ["--compression", "deflate"], ["--compression", "lzw", "--tile", "16,32"], ["--compression", "zstd", "--bigtiff"],
    ["--compression", "packbits", "--byte-order", "big"], ["--tile", "32,16", "--byte-order", "big", "--bigtiff"],
    ["--compression", "zstd", "--predictor"], ["--rows-per-strip", "3", "--compression", "deflate", "--byte-order", "big"],
])
def test_mifa_writes_tiff(mifa, tmp_path, dtype, options):
    data = random_array(np.random.default_rng(11), dtype, (3, 29, 35))
    source, out = tmp_path / "in.npy", tmp_path / "out.tif"
    np.save(source, data)
    if "--predictor" in options and "--byte-order" in options and data.dtype.kind == "f":
        return
    mifa("raster", "convert", source, out, *options)
    with tifffile.TiffFile(out) as tif:
        assert tif.is_bigtiff == ("--bigtiff" in options)
        assert tif.byteorder == (">" if "big" in options else "<")
        assert tif.pages[0].is_tiled == ("--tile" in options)
        read = tif.series[0].asarray()
    assert same(read, data)


# Writes large enough to encode on several threads (over 2 MiB) and in several windows (the last
# case's pages span windows), in every layout: the pixels and the compression tags tifffile reads must be exact.
@pytest.mark.parametrize("dtype,shape,options,compression,predictor", [
    ("uint16", (12, 700, 900), ["--compression", "zstd"], "ZSTD", 1),
    ("uint16", (12, 700, 900), ["--compression", "deflate", "--predictor"], "ADOBE_DEFLATE", 2),
    ("float32", (6, 700, 900), ["--compression", "deflate", "--predictor", "--tile", "256,128"], "ADOBE_DEFLATE", 3),
    ("int32", (5, 700, 900), ["--compression", "lzw", "--byte-order", "big", "--bigtiff"], "LZW", 1),
    ("uint8", (9, 700, 900, 3), ["--compression", "packbits", "--tile", "64,48"], "PACKBITS", 1),
    ("uint16", (4, 3, 700, 900), ["--compression", "zstd", "--rows-per-strip", "7", "--byte-order", "big"], "ZSTD", 1),
    ("uint16", (12, 700, 900), [], "NONE", 1),
    ("uint16", (2, 2900, 3000), ["--compression", "zstd", "--tile", "256,256"], "ZSTD", 1),
])
def test_large_tiffs_encoded_in_parallel(mifa, tmp_path, dtype, shape, options, compression, predictor):
    data = (random_array(np.random.default_rng(len(options)), dtype, shape) // 64).astype(dtype)
    source, out = tmp_path / "in.npy", tmp_path / "out.tif"
    np.save(source, data)
    mifa("raster", "convert", source, out, *options)
    with tifffile.TiffFile(out) as tif:
        for page in tif.pages:
            assert page.compression.name == compression and page.predictor == predictor
            assert page.is_tiled == ("--tile" in options)
        read = tif.series[0].asarray()
    assert same(read.reshape(data.shape), data)


@pytest.mark.parametrize("axes,shape", [("TZCYX", (2, 3, 4, 8, 9)), ("ZCYX", (3, 2, 8, 8)), ("CYX", (3, 8, 8)), ("TCZYX", (2, 3, 4, 8, 9))])
def test_mifa_writes_imagej(mifa, tmp_path, axes, shape):
    data = random_array(np.random.default_rng(5), "uint16", shape)
    source, out = tmp_path / "in.npy", tmp_path / "out.tif"
    np.save(source, data)
    mifa("raster", "convert", source, out, "--axes", axes)
    expected_axes = "".join(a for a in "TZCYX" if a in axes)
    expected = np.transpose(data, [axes.index(a) for a in expected_axes])
    with tifffile.TiffFile(out) as tif:
        assert tif.is_imagej
        assert tif.series[0].axes == expected_axes
        assert same(tif.series[0].asarray(), expected)


@pytest.mark.parametrize("dtype,samples", itertools.product(["uint8", "uint16"], [None, 2, 3, 4]))
def test_mifa_writes_png(mifa, tmp_path, dtype, samples):
    rng = np.random.default_rng(17)
    data = random_array(rng, dtype, (23, 31) if samples is None else (23, 31, samples))
    source, out = tmp_path / "in.npy", tmp_path / "out.png"
    np.save(source, data)
    mifa("raster", "convert", source, out)
    if dtype == "uint8" or samples is None:
        with Image.open(out) as image:
            read = np.asarray(image)
        if dtype == "uint16":
            read = read.astype(np.uint16)
        assert same(read, data)
    # imagecodecs (libpng without transformations) reads every variant, including 16-bit colour.
    assert same(imagecodecs.png_decode(out.read_bytes()), data)


# Pillow and NumPy write, MIFAKit reads ----------------------------------------------------------

@pytest.mark.parametrize("mode", ["L", "I;16", "RGB", "RGBA", "LA", "P", "1"])
def test_pillow_writes_png(mifa, tmp_path, mode):
    rng = np.random.default_rng(23)
    if mode == "I;16":
        image = Image.fromarray(random_array(rng, "uint16", (17, 13)))
        assert image.mode.startswith("I;16")
    elif mode == "1":
        image = Image.fromarray(rng.integers(0, 2, size=(17, 13)).astype(bool))
    elif mode == "P":
        image = Image.fromarray(random_array(rng, "uint8", (17, 13)), mode="L").convert("P")
        image.putpalette(list(range(256)) * 3)
    else:
        channels = {"L": None, "RGB": 3, "RGBA": 4, "LA": 2}[mode]
        image = Image.fromarray(random_array(rng, "uint8", (17, 13) if channels is None else (17, 13, channels)), mode=mode)
    path = tmp_path / "pillow.png"
    image.save(path)
    reference = np.asarray(Image.open(path))
    if mode == "1":
        reference = reference.astype(np.uint8)
    if mode == "I;16":
        reference = reference.astype(np.uint16)
    ours = to_npy(mifa, path, tmp_path)
    assert same(ours, reference)
    report = info(mifa, path)
    assert report["shape"] == list(reference.shape) and report["dtype"] == str(reference.dtype)


@pytest.mark.parametrize("dtype", ["bool", "uint8", ">u2", "<i4", ">f4", ">f8", "int64"])
@pytest.mark.parametrize("order", ["C", "F"])
def test_numpy_writes_npy(mifa, tmp_path, dtype, order):
    rng = np.random.default_rng(1)
    base = rng.integers(0, 2, size=(3, 9, 11)).astype(bool) if dtype == "bool" else random_array(rng, np.dtype(dtype).newbyteorder("="), (3, 9, 11))
    data = np.asarray(base, dtype=dtype, order=order)
    source = tmp_path / "in.npy"
    np.save(source, data)
    report = info(mifa, source)
    assert report["shape"] == [3, 9, 11] and report["order"] == order
    assert report["byte_order"] == ("big" if np.dtype(dtype).byteorder == ">" else "little")
    again = to_npy(mifa, source, tmp_path)
    assert again.dtype == np.dtype(dtype).newbyteorder("=") and np.array_equal(again, data)
    if dtype != "bool":
        out = tmp_path / "out.tif"
        mifa("raster", "convert", source, out)
        assert same(tifffile.imread(out), data.astype(np.dtype(dtype).newbyteorder("=")))


# Bad input: exit 1 with the file and place named, never a crash --------------------------------

def expect_failure(mifa, path, *args):
    proc = mifa("raster", *args, check=False)
    assert proc.returncode == 1, f"exit {proc.returncode}: {proc.stderr}"
    assert str(path) in proc.stderr, proc.stderr
    return proc.stderr


def test_bad_tiffs(mifa, tmp_path):
    good = tmp_path / "good.tif"
    tifffile.imwrite(good, random_array(np.random.default_rng(2), "uint16", (3, 40, 40)), compression="zlib", tile=(16, 16), photometric="minisblack")
    raw = good.read_bytes()
    rng = np.random.default_rng(4)
    for cut in sorted(set(rng.integers(0, len(raw), 25).tolist()) | {0, 4, 8, len(raw) - 1}):
        path = tmp_path / f"cut-{cut}.tif"
        path.write_bytes(raw[:cut])
        expect_failure(mifa, path, "convert", path, tmp_path / "x.npy")
    for i in range(25):
        damaged = bytearray(raw)
        for position in rng.integers(0, len(raw), 4):
            damaged[position] ^= int(rng.integers(1, 256))
        path = tmp_path / f"flip-{i}.tif"
        path.write_bytes(bytes(damaged))
        proc = mifa("raster", "convert", path, tmp_path / "x.npy", check=False)
        assert proc.returncode in (0, 1), proc.stderr
        if proc.returncode == 1:
            assert str(path) in proc.stderr
    # Absurd dimensions in the header: a 2^31 x 2^31 page of a few bytes.
    absurd = tmp_path / "absurd.tif"
    tifffile.imwrite(absurd, np.zeros((4, 4), np.uint8))
    data = bytearray(absurd.read_bytes())
    with tifffile.TiffFile(absurd) as tif:
        for tag in ("ImageWidth", "ImageLength", "RowsPerStrip"):
            t = tif.pages[0].tags[tag]
            size = 4 if t.dtype == 4 else 2
            data[t.valueoffset:t.valueoffset + size] = (2 ** (8 * size) - 1 if tag == "RowsPerStrip" else 2 ** (8 * size - 1) - 1).to_bytes(size, "little")
    absurd.write_bytes(bytes(data))
    message = expect_failure(mifa, absurd, "convert", absurd, tmp_path / "x.npy")
    assert "page 0" in message and "ImageWidth" in message
    wrong = tmp_path / "wrong.tif"
    wrong.write_bytes(b"GIF89a" + bytes(100))
    expect_failure(mifa, wrong, "convert", wrong, tmp_path / "x.npy")


def test_bad_pngs(mifa, tmp_path):
    good = tmp_path / "good.png"
    Image.fromarray(random_array(np.random.default_rng(6), "uint8", (30, 30, 3))).save(good)
    raw = good.read_bytes()
    for cut in [0, 5, 8, 20, 33, 40, len(raw) // 2, len(raw) - 1]:
        path = tmp_path / f"cut-{cut}.png"
        path.write_bytes(raw[:cut])
        expect_failure(mifa, path, "convert", path, tmp_path / "x.npy")
    rng = np.random.default_rng(8)
    for i in range(20):
        damaged = bytearray(raw)
        damaged[int(rng.integers(8, len(raw)))] ^= int(rng.integers(1, 256))
        path = tmp_path / f"flip-{i}.png"
        path.write_bytes(bytes(damaged))
        expect_failure(mifa, path, "convert", path, tmp_path / "x.npy")
    # An IHDR claiming 2^31-1 x 2^31-1 RGBA16 pixels, with a correct CRC.
    header = struct.pack(">IIBBBBB", 2**31 - 1, 2**31 - 1, 16, 6, 0, 0, 0)
    chunk = lambda kind, body: struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    huge = tmp_path / "huge.png"
    huge.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b""))
    assert "IHDR" in expect_failure(mifa, huge, "convert", huge, tmp_path / "x.npy")
    # Valid chunks and CRCs around damaged image data: libpng itself reports the error.
    small = struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0)
    for name, idat in (("filter", zlib.compress(bytes([9, 1, 2, 0, 3, 4]))), ("deflate", b"\x78\x01\xff\xff\xff"),
                       ("short", zlib.compress(bytes([0, 1])))):
        path = tmp_path / f"damaged-{name}.png"
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", small) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
        assert "IDAT" in expect_failure(mifa, path, "convert", path, tmp_path / "x.npy")


def test_usage_errors_exit_2(mifa, tmp_path):
    source = tmp_path / "in.npy"
    np.save(source, np.zeros((4, 4), np.uint8))
    for args in (["--compression", "jpeg"], ["--tile", "20,20"], ["--tile", "16"], ["--byte-order", "middle"]):
        assert mifa("raster", "convert", source, tmp_path / "o.tif", *args, check=False).returncode == 2
    assert mifa("raster", "convert", source, tmp_path / "o.png", "--compression", "zstd", check=False).returncode == 2
    assert mifa("raster", "convert", source, tmp_path / "o.jpg", check=False).returncode == 2
    assert mifa("raster", "info", tmp_path / "missing.tif", check=False).returncode == 1
