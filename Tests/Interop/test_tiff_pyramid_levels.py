"""`mifa omezarr from-tiff --use-tiff-levels` keeps a pyramidal TIFF's own levels: tifffile writes a
pyramid (SubIFDs, or reduced pages) of random content; every OME-Zarr level, read back with zarr-python,
equals tifffile's `series[n].levels[l].asarray()` in NGFF order, its scale is level 0's times the ratio
of the shapes, and `mifa omezarr info --json` lists the same levels."""
import numpy as np
import pytest
import tifffile
import zarr

from test_tiff_families import as_ngff, random


def write_pyramid(path, rng, layout, ome):
    channels = int(rng.integers(1, 4))
    height, width = int(rng.integers(20, 120)), int(rng.integers(20, 120))
    data = random((channels, height, width), np.uint16, seed=int(rng.integers(1 << 30)))
    factors = [2 ** k for k in range(1, int(rng.integers(2, 4)))]
    metadata = {"axes": "CYX", "PhysicalSizeX": 0.25, "PhysicalSizeY": 0.5} if ome else {"axes": "CYX"}
    options = dict(photometric="minisblack", tile=(16, 16))
    with tifffile.TiffWriter(path, ome=ome) as tif:
        tif.write(data, subifds=len(factors) if layout == "subifds" else None, metadata=metadata, **options)
        for factor in factors:
            # Odd extents rounded up, as bfconvert does; not always an exact halving.
            reduced = data[:, ::factor, ::factor]
            tif.write(reduced, subfiletype=1, metadata=None if ome else {"axes": "CYX"}, **options)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("layout,ome", [("subifds", False), ("subifds", True), ("pages", False)])
def test_the_tiffs_levels_become_the_omezarr_levels(mifa, tmp_path, seed, layout, ome):
    rng = np.random.default_rng(seed)
    path = tmp_path / "pyramid.tif"
    write_pyramid(path, rng, layout, ome)
    with tifffile.TiffFile(path) as tif:
        series = tif.series[0]
        expected = [as_ngff(level.axes, level.asarray()) for level in series.levels]
    assert len(expected) > 1
    out = tmp_path / "pyramid.zarr"
    mifa("omezarr", "from-tiff", path, out, "--use-tiff-levels")
    group = zarr.open_group(out, mode="r")
    multiscale = group.attrs["ome"]["multiscales"][0]
    assert "".join(a["name"] for a in multiscale["axes"]) == expected[0][0]
    assert len(multiscale["datasets"]) == len(expected)
    base = [s for t in multiscale["datasets"][0]["coordinateTransformations"] if t["type"] == "scale" for s in t["scale"]]
    for index, (dataset, (_, data)) in enumerate(zip(multiscale["datasets"], expected)):
        got = group[dataset["path"]][:]
        assert got.shape == data.shape and np.array_equal(got, data), index
        scale = next(t["scale"] for t in dataset["coordinateTransformations"] if t["type"] == "scale")
        assert scale == [b * (full / level) for b, full, level in zip(base, expected[0][1].shape, data.shape)]
    report = mifa("omezarr", "info", out, "--json", parse_json=True)[1]
    levels = report["image"]["levels"] if "image" in report else report["levels"]
    assert [level["shape"] for level in levels] == [list(d.shape) for _, d in expected]


def test_use_tiff_levels_excludes_computed_levels_and_labels(mifa, tmp_path):
    path = tmp_path / "flat.tif"
    tifffile.imwrite(path, random((30, 40)), photometric="minisblack")
    proc = mifa("omezarr", "from-tiff", path, tmp_path / "a.zarr", "--use-tiff-levels", "--levels", "2", check=False)
    assert proc.returncode == 2 and "--use-tiff-levels" in proc.stderr, proc.stderr
    # A TIFF without reduced levels gives one level, not a computed pyramid.
    mifa("omezarr", "from-tiff", path, tmp_path / "flat.zarr", "--use-tiff-levels")
    assert len(zarr.open_group(tmp_path / "flat.zarr", mode="r").attrs["ome"]["multiscales"][0]["datasets"]) == 1
