"""`mifa raster convert --series N --level L` reads what tifffile's `series[N].levels[L].asarray()` reads,
for pyramids tifffile writes with `subifds=` (random content, shapes, types and tiling) and for
multi-series OME-TIFFs; a series or level out of range exits 1 naming the counts there are."""
import numpy as np
import pytest
import tifffile


def random_array(rng, shape, dtype):
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
    return rng.normal(size=shape).astype(dtype)


def write_pyramid(path, rng):
    """A tifffile pyramid: the full resolution with its reduced levels in SubIFDs."""
    dtype = rng.choice([np.uint8, np.uint16, np.int32, np.float32])
    channels = int(rng.integers(1, 4))
    height, width = int(rng.integers(20, 90)), int(rng.integers(20, 90))
    factors = [2 ** k for k in range(1, int(rng.integers(2, 4)))]
    data = random_array(rng, (channels, height, width), dtype)
    options = dict(photometric="minisblack", metadata={"axes": "CYX"}, compression=rng.choice([None, "zlib"]))
    if rng.random() < 0.5:
        options["tile"] = (16, 16)
    with tifffile.TiffWriter(path) as tif:
        tif.write(data, subifds=len(factors), **options)
        for factor in factors:
            tif.write(data[:, ::factor, ::factor], subfiletype=1, **options)
    return len(factors) + 1


def converted(mifa, path, out, *options):
    mifa("raster", "convert", path, out, *options)
    return np.load(out)


@pytest.mark.parametrize("seed", range(5))
def test_levels_of_a_subifd_pyramid(mifa, tmp_path, seed):
    rng = np.random.default_rng(seed)
    path = tmp_path / "pyramid.tif"
    count = write_pyramid(path, rng)
    with tifffile.TiffFile(path) as tif:
        assert len(tif.series) == 1 and len(tif.series[0].levels) == count
        expected = [level.asarray() for level in tif.series[0].levels]
    for level in range(count):
        got = converted(mifa, path, tmp_path / f"l{level}.npy", "--level", level)
        assert got.dtype == expected[level].dtype and got.shape == expected[level].shape, (level, got.shape, expected[level].shape)
        assert np.array_equal(got, expected[level], equal_nan=True)
    proc = mifa("raster", "convert", path, tmp_path / "none.npy", "--level", count, check=False)
    assert proc.returncode == 1, proc.stderr
    assert f"level {count} does not exist" in proc.stderr and f"{count} levels" in proc.stderr and str(path) in proc.stderr, proc.stderr
    assert not (tmp_path / "none.npy").exists()


def test_series_and_levels_of_a_multi_series_ome_tiff(mifa, tmp_path):
    rng = np.random.default_rng(7)
    path = tmp_path / "multi.ome.tif"
    images = [random_array(rng, shape, np.uint16) for shape in [(3, 40, 36), (2, 24, 30), (4, 32, 32)]]
    with tifffile.TiffWriter(path, ome=True) as tif:
        for index, image in enumerate(images):
            levels = index + 1  # series 0 has no reduced level, series 2 two
            tif.write(image, subifds=levels - 1, photometric="minisblack", metadata={"axes": "ZYX"}, tile=(16, 16))
            for factor in [2 ** k for k in range(1, levels)]:
                tif.write(image[:, ::factor, ::factor], subfiletype=1, photometric="minisblack", tile=(16, 16))
    with tifffile.TiffFile(path) as tif:
        assert [len(s.levels) for s in tif.series] == [1, 2, 3]
        for n, series in enumerate(tif.series):
            for l, level in enumerate(series.levels):
                got = converted(mifa, path, tmp_path / f"s{n}l{l}.npy", "--series", n, "--level", l)
                assert got.shape == level.shape and np.array_equal(got, level.asarray()), (n, l)
    proc = mifa("raster", "convert", path, tmp_path / "x.npy", "--series", 3, check=False)
    assert proc.returncode == 1 and "series 3 does not exist" in proc.stderr and "3 series" in proc.stderr, proc.stderr
    proc = mifa("raster", "convert", path, tmp_path / "x.npy", "--series", 1, "--level", 2, check=False)
    assert proc.returncode == 1 and "series 1 has 2 levels" in proc.stderr, proc.stderr
    proc = mifa("raster", "convert", path, tmp_path / "x.npy", "--page", 0, "--level", 1, check=False)
    assert proc.returncode == 2 and "--page excludes" in proc.stderr, proc.stderr
