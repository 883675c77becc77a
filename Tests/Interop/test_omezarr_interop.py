"""OME-Zarr through MIFAKit and through the reference tools (ome-zarr-py 0.18, ome-zarr-models 1.7,
tifffile, jsonschema with the official schemas), both directions, NGFF 0.4 and 0.5."""
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import tifffile
import zarr

from omezarr_helpers import NGFF, attributes, pyramid, read_levels_with_ome_zarr_py, validator, write_with_ome_zarr_py

VERSIONS = ["0.4", "0.5"]


def export(mifa, image, tmp_path, level, label=None, region=None):
    out = tmp_path / f"export-{label or 'image'}-{level}.npy"
    args = ["omezarr", "export", image, out, "--level", level]
    if label:
        args += ["--label", label]
    if region:
        args += ["--region", region]
    mifa(*args)
    return np.load(out)


def no_crash(proc):
    assert proc.returncode in (1, 2), proc.returncode
    assert "Fatal error" not in proc.stderr and "Traceback" not in proc.stderr


# MARK: ome-zarr-py writes, MIFAKit reads


@pytest.mark.parametrize("version", VERSIONS)
def test_reads_images_and_labels_written_by_ome_zarr_py(mifa, tmp_path, version):
    rng = np.random.default_rng(7)
    image = rng.integers(0, 60000, size=(2, 3, 70, 90), dtype=np.uint16)
    labels = np.zeros((3, 70, 90), dtype=np.uint32)
    labels[:, 5:30, 10:40] = 4
    labels[1:, 40:65, 50:85] = 9
    path = tmp_path / f"py{version}.zarr"
    write_with_ome_zarr_py(path, version, image, labels, "czyx", {"c": 1.0, "z": 2.0, "y": 0.5, "x": 0.25},
                           {"z": "micrometer", "y": "micrometer", "x": "micrometer"})
    _, info = mifa("omezarr", "info", path, "--json", parse_json=True)
    assert info["ngff_version"] == version and info["kind"] == "image" and info["valid"], info["issues"]
    meta = attributes(path)
    multiscale = (meta["ome"] if version == "0.5" else meta)["multiscales"][0]
    summary = info["image"]
    assert [a["name"] for a in summary["axes"]] == ["c", "z", "y", "x"]
    assert [a.get("type") for a in summary["axes"]] == ["channel", "space", "space", "space"]
    assert [a.get("unit") for a in summary["axes"]] == [None, "micrometer", "micrometer", "micrometer"]
    assert [level["path"] for level in summary["levels"]] == [d["path"] for d in multiscale["datasets"]]
    group = zarr.open_group(str(path), mode="r")
    for index, (level, dataset) in enumerate(zip(summary["levels"], multiscale["datasets"])):
        expected = group[dataset["path"]][...]
        assert level["shape"] == list(expected.shape)
        transforms = {t["type"]: t[t["type"]] for t in dataset["coordinateTransformations"]}
        assert level["scale"] == pytest.approx(transforms["scale"])
        assert level["translation"] == pytest.approx(transforms.get("translation", [0, 0, 0, 0]))
        np.testing.assert_array_equal(export(mifa, path, tmp_path, index), expected)
    region = export(mifa, path, tmp_path, 0, region="1:2,0:3,10:20,5:50")
    np.testing.assert_array_equal(region, image[1:2, 0:3, 10:20, 5:50])
    # The label image: listed, integer, every level readable with the same pixels.
    assert [label["name"] for label in info["labels"]] == ["cells"]
    label_meta = attributes(path / "labels" / "cells")
    label_datasets = (label_meta["ome"] if version == "0.5" else label_meta)["multiscales"][0]["datasets"]
    assert len(info["labels"][0]["levels"]) == len(label_datasets)
    for index, dataset in enumerate(label_datasets):
        np.testing.assert_array_equal(export(mifa, path, tmp_path, index, label="cells"), group["labels/cells"][dataset["path"]][...])


# MARK: MIFAKit writes, the reference tools read


def hyperstack(tmp_path, shape=(2, 5, 2, 150, 130)):
    """An ImageJ hyperstack TZCYX with physical sizes and a matching label TIFF TZYX."""
    rng = np.random.default_rng(3)
    data = rng.integers(0, 65535, size=shape, dtype=np.uint16)
    tif = tmp_path / "stack.tif"
    tifffile.imwrite(tif, data, imagej=True, resolution=(1 / 0.2, 1 / 0.2),
                     metadata={"axes": "TZCYX", "unit": "um", "spacing": 1.5, "finterval": 3.0, "tunit": "s"})
    t, z, _, y, x = shape
    labels = np.zeros((t, z, y, x), dtype=np.uint16)
    for value in range(1, 40):
        ty, tx = rng.integers(0, y - 12), rng.integers(0, x - 12)
        labels[:, rng.integers(0, z):, ty:ty + rng.integers(1, 12), tx:tx + rng.integers(1, 12)] = value
    label_tif = tmp_path / "labels.tif"
    tifffile.imwrite(label_tif, labels, imagej=True, metadata={"axes": "TZYX"})
    return data, labels, tif, label_tif


@pytest.mark.parametrize("version,shards", [("0.4", None), ("0.5", None), ("0.5", "1,1,2,128,128")])
def test_mifakit_output_validates_and_reads_identically(mifa, tmp_path, version, shards):
    data, labels, tif, label_tif = hyperstack(tmp_path)
    out = tmp_path / "out.zarr"
    args = ["omezarr", "from-tiff", tif, out, "--ngff", version, "--levels", 3, "--chunks", "1,64,64", "--label", f"cells={label_tif}"]
    if shards:
        args += ["--shards", shards]
    mifa(*args)
    # ome-zarr-models: the image with its labels group and label image validate.
    import ome_zarr_models
    group = zarr.open_group(str(out), mode="r")
    model = ome_zarr_models.open_ome_zarr(group)
    assert type(model).__name__ == "Image"
    assert model.labels is not None
    assert (getattr(model.labels, "label_paths", None) or model.labels.attributes.labels) == ["cells"]
    if version == "0.4":
        from ome_zarr_models.v04.image_label import ImageLabel
    else:
        from ome_zarr_models.v05.image_label import ImageLabel
    label_model = ImageLabel.from_zarr(group["labels/cells"])
    assert [c.label_value for c in label_model.ome_attributes.image_label.colors][:2] == [0, 1]
    # jsonschema with the official strict schemas.
    if NGFF.exists():
        validator(version, "strict_image.schema").validate(attributes(out))
        validator(version, "strict_image.schema").validate(attributes(out / "labels" / "cells"))
        validator(version, "strict_label.schema").validate(attributes(out / "labels" / "cells"))
    # ome-zarr-py's Reader: every level identical to the reference pyramid of the TIFF's pixels.
    expected_image = pyramid(np.transpose(data, (0, 2, 1, 3, 4)), 3, halved=[3, 4])  # TZCYX -> TCZYX
    expected_labels = pyramid(labels, 3, halved=[2, 3], mode=True)
    nodes = read_levels_with_ome_zarr_py(out)
    levels, metadata = nodes["image"]
    assert [a["name"] for a in metadata["axes"]] == ["t", "c", "z", "y", "x"]
    assert len(levels) == 3
    for level, expected in zip(levels, expected_image):
        np.testing.assert_array_equal(level, expected)
    transforms = metadata["coordinateTransformations"]
    assert transforms[0][0]["scale"] == pytest.approx([3.0, 1, 1.5, 0.2, 0.2])
    assert transforms[2][0]["scale"] == pytest.approx([3.0, 1, 1.5, 0.8, 0.8])
    assert transforms[2][1]["translation"] == pytest.approx([0, 0, 0, 0.3, 0.3])
    label_levels, _ = nodes["cells"]
    present = set(np.unique(labels))
    for level, expected in zip(label_levels, expected_labels):
        np.testing.assert_array_equal(level, expected)
        assert set(np.unique(level)) <= present, "a label pyramid level holds a value absent from level 0"
    _, info = mifa("omezarr", "info", out, "--json", parse_json=True)
    assert info["valid"] and not info["issues"], info["issues"]
    axes = info["image"]["axes"]
    assert [a.get("unit") for a in axes] == ["second", None, "micrometer", "micrometer", "micrometer"]
    if shards:
        assert info["image"]["levels"][0]["shards"] == [1, 1, 2, 128, 128]


def test_ome_tiff_and_rgb_ingest(mifa, tmp_path):
    rng = np.random.default_rng(5)
    data = rng.integers(0, 255, size=(2, 3, 4, 60, 50), dtype=np.uint8)  # TCZYX
    tif = tmp_path / "ome.ome.tif"
    tifffile.imwrite(tif, data, ome=True, metadata={
        "axes": "TCZYX", "PhysicalSizeX": 0.3, "PhysicalSizeY": 0.3, "PhysicalSizeZ": 2.0,
        "PhysicalSizeXUnit": "µm", "PhysicalSizeYUnit": "µm", "PhysicalSizeZUnit": "µm",
        "TimeIncrement": 5.0, "TimeIncrementUnit": "s", "Channel": {"Name": ["DAPI", "GFP", "RFP"]}})
    out = tmp_path / "ome.zarr"
    mifa("omezarr", "from-tiff", tif, out, "--levels", 1)
    _, info = mifa("omezarr", "info", out, "--json", parse_json=True)
    assert [a["name"] for a in info["image"]["axes"]] == ["t", "c", "z", "y", "x"]
    assert info["image"]["levels"][0]["scale"] == pytest.approx([5.0, 1, 2.0, 0.3, 0.3])
    assert [c["label"] for c in info["image"]["omero"]["channels"]] == ["DAPI", "GFP", "RFP"]
    np.testing.assert_array_equal(export(mifa, out, tmp_path, 0), data)

    rgb = rng.integers(0, 255, size=(45, 61, 3), dtype=np.uint8)
    rgb_tif = tmp_path / "rgb.tif"
    tifffile.imwrite(rgb_tif, rgb, photometric="rgb")
    rgb_out = tmp_path / "rgb.zarr"
    mifa("omezarr", "from-tiff", rgb_tif, rgb_out, "--ngff", "0.4", "--levels", 2)
    levels, metadata = read_levels_with_ome_zarr_py(rgb_out)["image"]
    expected = pyramid(np.moveaxis(rgb, 2, 0), 2, halved=[1, 2])
    for level, want in zip(levels, expected):
        np.testing.assert_array_equal(level, want)


def test_plates_and_bioformats2raw_layouts(mifa, tmp_path):
    from ome_zarr.format import FormatV04
    from ome_zarr.writer import write_image, write_plate_metadata, write_well_metadata

    rng = np.random.default_rng(11)
    plate = tmp_path / "plate.zarr"
    root = zarr.open_group(str(plate), mode="w", zarr_format=3)
    write_plate_metadata(root, ["A", "B"], ["1", "2"], ["A/1", "B/2"], name="screen")
    for well_path in ["A/1", "B/2"]:
        well = root.require_group(well_path)
        write_well_metadata(well, [{"path": "0"}])
        write_image(rng.integers(0, 255, size=(2, 40, 40), dtype=np.uint8), well.require_group("0"), axes="cyx", scale_factors=(2,))
    _, info = mifa("omezarr", "info", plate, "--json", parse_json=True)
    assert info["kind"] == "plate" and info["valid"], info["issues"]
    assert info["plate"]["rows"] == ["A", "B"] and info["plate"]["wells"] == ["A/1", "B/2"]
    assert info["plate"]["first_field"]["levels"][0]["shape"] == [2, 40, 40]
    _, well = mifa("omezarr", "info", plate / "A" / "1", "--json", parse_json=True)
    assert well["kind"] == "well" and well["well"]["fields"][0]["path"] == "0"
    text = mifa("omezarr", "info", plate).stdout
    assert "plate" in text and "screen" in text
    # bioformats2raw (0.4): the container, its OME group with the series, one image per series.
    container = tmp_path / "bf2raw.zarr"
    top = zarr.open_group(str(container), mode="w", zarr_format=2)
    top.attrs["bioformats2raw.layout"] = 3
    write_image(rng.integers(0, 255, size=(30, 20), dtype=np.uint8), top.require_group("0"), axes="yx", fmt=FormatV04(), scale_factors=(2,))
    top.require_group("OME").attrs["series"] = ["0"]
    _, info = mifa("omezarr", "info", container, "--json", parse_json=True)
    assert info["kind"] == "bioformats2raw" and info["valid"], info["issues"]
    assert [s["path"] for s in info["series"]] == ["0"] and info["series"][0]["levels"][0]["shape"] == [30, 20]


# MARK: Bad input: a clear error, never a crash


def test_bad_input(mifa, tmp_path):
    data, labels, tif, label_tif = hyperstack(tmp_path, shape=(1, 2, 1, 40, 40))
    good = tmp_path / "good.zarr"
    mifa("omezarr", "from-tiff", tif, good, "--levels", 2)

    missing = tmp_path / "missing.zarr"
    shutil.copytree(good, missing)
    shutil.rmtree(missing / "1")
    proc = mifa("omezarr", "info", missing, check=False)
    no_crash(proc)
    assert "level 1" in proc.stdout and "no Zarr array" in proc.stdout

    axes = tmp_path / "axes.zarr"
    shutil.copytree(good, axes)
    meta = json.loads((axes / "zarr.json").read_text())
    meta["attributes"]["ome"]["multiscales"][0]["axes"] = [{"name": "y", "type": "space"}, {"name": "x", "type": "space"}]
    for dataset in meta["attributes"]["ome"]["multiscales"][0]["datasets"]:
        dataset["coordinateTransformations"] = [{"type": "scale", "scale": [1, 1]}]
    (axes / "zarr.json").write_text(json.dumps(meta))
    proc = mifa("omezarr", "export", axes, tmp_path / "x.npy", check=False)
    no_crash(proc)
    assert "3 dimensions" in proc.stderr and "2 axes" in proc.stderr

    broken = tmp_path / "broken.zarr"
    shutil.copytree(good, broken)
    meta = json.loads((broken / "zarr.json").read_text())
    meta["attributes"]["ome"]["multiscales"][0]["datasets"][1]["coordinateTransformations"][0]["scale"] = [1, 1]
    (broken / "zarr.json").write_text(json.dumps(meta))
    proc = mifa("omezarr", "export", broken, tmp_path / "x.npy", check=False)
    no_crash(proc)
    assert "transformation" in proc.stderr and "/ome/multiscales/0/datasets/1" in proc.stderr

    float_labels = tmp_path / "float.tif"
    tifffile.imwrite(float_labels, labels.astype(np.float32), imagej=True, metadata={"axes": "TZYX"})
    proc = mifa("omezarr", "from-tiff", tif, tmp_path / "f.zarr", "--label", f"bad={float_labels}", check=False)
    no_crash(proc)
    assert "integers" in proc.stderr and not (tmp_path / "f.zarr").exists()

    wrong = tmp_path / "wrong.tif"
    tifffile.imwrite(wrong, np.zeros((39, 40), dtype=np.uint8))
    proc = mifa("omezarr", "from-tiff", tif, tmp_path / "w.zarr", "--label", f"bad={wrong}", check=False)
    no_crash(proc)
    assert "must match the image" in proc.stderr

    not_tiff = tmp_path / "not.tif"
    not_tiff.write_bytes(b"hello, not a tiff")
    no_crash(mifa("omezarr", "from-tiff", not_tiff, tmp_path / "n.zarr", check=False))
    proc = mifa("omezarr", "from-tiff", tif, good, check=False)
    no_crash(proc)
    assert "--overwrite" in proc.stderr
    for usage in (["--ngff", "0.6"], ["--ngff", "0.4", "--shards", "64,64"], ["--chunks", "0,4"], ["--label", "nolabel"],
                  ["--reduction", "median"], ["--levels", "0"]):
        proc = mifa("omezarr", "from-tiff", tif, tmp_path / "u.zarr", *usage, check=False)
        assert proc.returncode == 2, (usage, proc.stderr)
    proc = mifa("omezarr", "info", tmp_path / "nothing-here.zarr", check=False)
    no_crash(proc)
