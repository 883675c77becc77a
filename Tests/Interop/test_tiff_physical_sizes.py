"""OME-TIFF physical sizes per series: tifffile writes OME-TIFFs with random PhysicalSizeX/Y/Z, units
and TimeIncrement per image; `mifa raster info --json` reports each series' sizes as tifffile's OME-XML
parse (xml2dict) reads them, and `mifa omezarr from-tiff --series N` writes them as the NGFF scale with
each axis' unit name. A unit NGFF has no name for is refused by name, nothing written."""
import numpy as np
import pytest
import tifffile
import zarr

# OME UnitsLength / UnitsTime symbols and their NGFF (UDUNITS-2) names.
SPACE = {"nm": "nanometer", "µm": "micrometer", "mm": "millimeter", "cm": "centimeter", "m": "meter", "Å": "angstrom",
         "pm": "picometer", "in": "inch", "Mm": "megameter", "km": "kilometer"}
TIME = {"s": "second", "ms": "millisecond", "µs": "microsecond", "min": "minute", "h": "hour", "Ms": "megasecond", "ns": "nanosecond"}


def random_image_metadata(rng):
    """Axes TZYX with a random subset of physical sizes and units given."""
    metadata = {"axes": "TZYX"}
    for axis in "XYZ":
        if rng.random() < 0.8:
            metadata[f"PhysicalSize{axis}"] = float(rng.uniform(0.01, 50))
            if rng.random() < 0.7:
                metadata[f"PhysicalSize{axis}Unit"] = str(rng.choice(list(SPACE)))
    if rng.random() < 0.8:
        metadata["TimeIncrement"] = float(rng.uniform(0.1, 100))
        if rng.random() < 0.7:
            metadata["TimeIncrementUnit"] = str(rng.choice(list(TIME)))
    return metadata


def ome_pixels(path):
    with tifffile.TiffFile(path) as tif:
        images = tifffile.xml2dict(tif.ome_metadata)["OME"]["Image"]
    return [image["Pixels"] for image in (images if isinstance(images, list) else [images])]


def expected_scale(pixels):
    """(name, scale, unit) of t, z, y, x from the OME Pixels, with OME's default units."""
    result = []
    for name, size, unit, default, table in (("t", "TimeIncrement", "TimeIncrementUnit", "s", TIME),
                                             ("z", "PhysicalSizeZ", "PhysicalSizeZUnit", "µm", SPACE),
                                             ("y", "PhysicalSizeY", "PhysicalSizeYUnit", "µm", SPACE),
                                             ("x", "PhysicalSizeX", "PhysicalSizeXUnit", "µm", SPACE)):
        value = pixels.get(size)
        result.append((name, float(value) if value is not None else 1.0,
                       table[pixels.get(unit, default)] if value is not None else None))
    return result


@pytest.mark.parametrize("seed", range(4))
def test_each_series_keeps_its_physical_sizes(mifa, tmp_path, seed):
    rng = np.random.default_rng(seed)
    path = tmp_path / "sizes.ome.tif"
    shapes = [(int(rng.integers(2, 4)), int(rng.integers(2, 4)), 6, 7) for _ in range(3)]
    with tifffile.TiffWriter(path, ome=True) as tif:
        for shape in shapes:
            tif.write(rng.integers(0, 255, size=shape, dtype=np.uint8), photometric="minisblack", metadata=random_image_metadata(rng))
    pixels = ome_pixels(path)
    report = mifa("raster", "info", path, "--json", parse_json=True)[1]
    assert len(report["series"]) == len(pixels) == 3
    for series, image in zip(report["series"], pixels):
        size = series["pixel_size"] or {}
        for key, attribute in (("x", "PhysicalSizeX"), ("y", "PhysicalSizeY"), ("z", "PhysicalSizeZ"), ("time_interval", "TimeIncrement")):
            assert size.get(key) == (float(image[attribute]) if attribute in image else None), (key, size, image)
        for key, attribute, size_key in (("unit", "PhysicalSizeXUnit", "x"), ("y_unit", "PhysicalSizeYUnit", "y"),
                                         ("z_unit", "PhysicalSizeZUnit", "z"), ("time_unit", "TimeIncrementUnit", "time_interval")):
            default = "s" if key == "time_unit" else "µm"
            assert size.get(key) == (image.get(attribute, default) if size.get(size_key) is not None else None), (key, size, image)
    for index, image in enumerate(pixels):
        out = tmp_path / f"s{index}.zarr"
        mifa("omezarr", "from-tiff", path, out, "--series", index, "--levels", "1")
        multiscale = zarr.open_group(out, mode="r").attrs["ome"]["multiscales"][0]
        scale = multiscale["datasets"][0]["coordinateTransformations"][0]["scale"]
        got = [(axis["name"], value, axis.get("unit")) for axis, value in zip(multiscale["axes"], scale)]
        assert got == expected_scale(image), (got, image)


@pytest.mark.parametrize("unit", ["thou", "dam", "furlong"])
def test_a_unit_ngff_has_no_name_for_is_refused(mifa, tmp_path, unit):
    path = tmp_path / "odd.ome.tif"
    tifffile.imwrite(path, np.zeros((3, 8, 8), np.uint8), ome=True,
                     metadata={"axes": "ZYX", "PhysicalSizeX": 0.5, "PhysicalSizeZ": 2.0, "PhysicalSizeZUnit": unit})
    proc = mifa("omezarr", "from-tiff", path, tmp_path / "odd.zarr", check=False)
    assert proc.returncode == 1, proc.stderr
    assert f'PhysicalSizeZUnit="{unit}"' in proc.stderr and "series 0" in proc.stderr and str(path) in proc.stderr, proc.stderr
    assert not (tmp_path / "odd.zarr" / "zarr.json").exists()


def test_pixel_units_keep_the_size_without_a_unit(mifa, tmp_path):
    path = tmp_path / "pixel.ome.tif"
    tifffile.imwrite(path, np.zeros((3, 8, 8), np.uint8), ome=True,
                     metadata={"axes": "ZYX", "PhysicalSizeX": 0.5, "PhysicalSizeZ": 4.0, "PhysicalSizeZUnit": "pixel"})
    mifa("omezarr", "from-tiff", path, tmp_path / "pixel.zarr", "--levels", "1")
    multiscale = zarr.open_group(tmp_path / "pixel.zarr", mode="r").attrs["ome"]["multiscales"][0]
    assert [a.get("unit") for a in multiscale["axes"]] == [None, None, "micrometer"]
    assert multiscale["datasets"][0]["coordinateTransformations"][0]["scale"] == [4.0, 1.0, 0.5]
