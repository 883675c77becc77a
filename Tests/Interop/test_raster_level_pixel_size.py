"""`mifa raster convert --series/--level` keeps the pixel size (issue 20): tifffile writes a pyramidal
OME-TIFF (reduced levels in SubIFDs, as bfconvert writes them) with PhysicalSizeX/Y; the level converted to TIFF carries the
level's pixel size, the base size times the base extent over the level's extent per axis (as OME
and tifffile define reduced levels), as tifffile reads the written resolution tags."""
import numpy as np
import pytest
import tifffile

from test_tiff_pyramid_levels import write_pyramid


@pytest.mark.parametrize("seed", range(4))
def test_converted_level_carries_the_scaled_pixel_size(mifa, tmp_path, seed):
    rng = np.random.default_rng(700 + seed)
    source = tmp_path / "pyramid.ome.tif"
    write_pyramid(source, rng, "subifds", ome=True)                   # PhysicalSizeX 0.25, PhysicalSizeY 0.5
    with tifffile.TiffFile(source) as tif:
        series = tif.series[0]
        base = dict(zip(series.axes, series.shape))
        levels = [(dict(zip(level.axes, level.shape)), level.asarray()) for level in series.levels]
    assert len(levels) > 1
    for index, (shape, pixels) in enumerate(levels):
        out = tmp_path / f"level{index}.tif"
        mifa("raster", "convert", source, out, "--series", "0", "--level", str(index))
        with tifffile.TiffFile(out) as tif:
            np.testing.assert_array_equal(tif.asarray(), pixels)
            xres, yres = tif.pages[0].resolution
        size_x = 0.25 * base["X"] / shape["X"]
        size_y = 0.5 * base["Y"] / shape["Y"]
        assert xres == pytest.approx(1 / size_x, rel=1e-6) and yres == pytest.approx(1 / size_y, rel=1e-6), (index, xres, yres)
