"""Issue 14, "Nothing lost in silence", through the `mifa` command line: each case as it was seen,
with the inputs written the way the field's own tools write them (PyYAML for an Ultralytics
data.yaml, napari's CSV layouts as napari_builtins writes them, tifffile for masks)."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import tifffile
import yaml
import zarr

METADATA = """\
study:
  title: Synthetic nuclei for the nothing-lost tests
  description: Fluorescence images of nuclei made to test packaging for nuclear segmentation.
  keywords: [nucleus, segmentation]
  license: {license}
  funding_statement: No funding.
  link_url: [https://example.org/nuclei]
annotations:
  - annotation_overview: {overview}
    annotation_type: [{type}]
    annotation_method: Drawn by hand.
    authors:
      - author_last_name: Suharto
version:
  version: "1.0"
  timestamp: "2026-03-10T09:00:00+00:00"
  changes: First release.
"""

SIZE = 48


def squares(seed, count=3):
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 500, size=(SIZE, SIZE), dtype=np.uint16)
    mask = np.zeros((SIZE, SIZE), dtype=np.uint16)
    boxes = []
    for k in range(1, count + 1):
        y, x = 4 + 14 * (k - 1), 6 + 3 * k
        mask[y:y + 8, x:x + 8] = k
        image[y:y + 8, x:x + 8] += 3000
        boxes.append((x, y, 8, 8))
    return image, mask, boxes


def write_metadata(path: Path, type_="segmentation_mask", overview="Instance masks of nuclei", license_="CC-BY-4.0"):
    path.write_text(METADATA.format(type=type_, overview=overview, license=license_))


def test_ultralytics_folder_is_packed_like_convert_reads_it(mifa, tmp_path):
    source = tmp_path / "source"
    for split, names in (("train", ["a", "b"]), ("val", ["c"])):
        (source / "images" / split).mkdir(parents=True)
        (source / "labels" / split).mkdir(parents=True)
        for seed, name in enumerate(names):
            image, _, boxes = squares(seed + len(name))
            tifffile.imwrite(source / "images" / split / f"{name}.tif", image)
            lines = [f"{k % 2} {(x + w / 2) / SIZE:.6f} {(y + h / 2) / SIZE:.6f} {w / SIZE:.6f} {h / SIZE:.6f}" for k, (x, y, w, h) in enumerate(boxes)]
            (source / "labels" / split / f"{name}.txt").write_text("\n".join(lines) + "\n")
    # Ultralytics' data.yaml: names as a dict (the form its own datasets use), no classes.txt.
    (source / "data.yaml").write_text(yaml.safe_dump({"path": ".", "train": "images/train", "val": "images/val",
                                                      "names": {0: "nucleus", 1: "debris"}}))
    write_metadata(tmp_path / "mifa.yaml", "bounding_boxes", "Nucleus boxes")
    proc, summary = mifa("pack", source, tmp_path / "pkg", "--metadata", tmp_path / "mifa.yaml", "--json", parse_json=True)
    assert summary["annotation_sets"] == ["set1"] and summary["objects"] == 9, summary
    assert summary["ignored"] == []
    packed = json.loads((tmp_path / "pkg" / "annotations" / "set1" / "annotations.geojson").read_text())
    _, converted = mifa("convert", source, tmp_path / "boxes.json", "--to", "coco", "--json", parse_json=True)
    coco = json.loads((tmp_path / "boxes.json").read_text())
    assert sorted(c["name"] for c in coco["categories"]) == ["debris", "nucleus"]
    assert len(packed["features"]) == len(coco["annotations"]) == 9
    # Named in a file list, it is found (it was refused as "not in the source folder").
    (tmp_path / "files.tsv").write_text("Files\tAnnotation type\ndata.yaml\tbounding_boxes\n")
    mifa("pack", source, tmp_path / "pkg2", "--metadata", tmp_path / "mifa.yaml", "--file-list", tmp_path / "files.tsv")


def test_a_declared_set_pack_cannot_read_exits_1_naming_it(mifa, tmp_path):
    source = tmp_path / "source"
    (source / "images").mkdir(parents=True)
    (source / "labels").mkdir()
    image, _, _ = squares(1)
    tifffile.imwrite(source / "images" / "a.tif", image)
    (source / "labels" / "a.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    write_metadata(tmp_path / "mifa.yaml", "bounding_boxes", "Nucleus boxes")
    proc = mifa("pack", source, tmp_path / "pkg", "--metadata", tmp_path / "mifa.yaml", check=False)
    assert proc.returncode == 1, proc.stderr
    assert "set1" in proc.stderr and "labels/a.txt" in proc.stderr
    assert not (tmp_path / "pkg").exists()


def test_masks_folder_version_block_mononym_and_raster_correction(mifa, tmp_path):
    source = tmp_path / "source"
    (source / "images").mkdir(parents=True)
    (source / "masks").mkdir()
    masks = {}
    for i in range(3):
        image, mask, _ = squares(i)
        tifffile.imwrite(source / "images" / f"B0{i}.tif", image)
        tifffile.imwrite(source / "masks" / f"B0{i}.tif", mask)
        masks[f"B0{i}"] = mask
    write_metadata(tmp_path / "mifa.yaml")
    _, summary = mifa("pack", source, tmp_path / "pkg", "--metadata", tmp_path / "mifa.yaml", "--json", parse_json=True)
    assert summary["images"] == 3 and summary["label_images"] == 3, summary
    package = tmp_path / "pkg"
    assert sorted(p.name for p in (package / "images").iterdir() if p.is_dir()) == ["B00", "B01", "B02"]
    stored = json.loads((package / "mifa.json").read_text())
    assert stored["version"]["timestamp"] == "2026-03-10T09:00:00+00:00"
    assert stored["version"]["changes"] == "First release."
    record = json.loads((package / "versions" / "1.0.json").read_text())
    assert record["changes"] == "First release." and record["timestamp"] == "2026-03-10T09:00:00+00:00"
    assert [a.get("author_first_name") for a in record["credited_annotators"]] == [None]

    # Correct set1: remove nucleus 2 of B01.
    fixed = tmp_path / "fixed"
    fixed.mkdir()
    corrected = masks["B01"].copy()
    corrected[corrected == 2] = 0
    tifffile.imwrite(fixed / "B01.tif", corrected)
    _, record2 = mifa("version", package, "--version", "2", "--changes", "removed a false nucleus",
                      "--annotations", f"set1={fixed}", "--json", parse_json=True)
    assert record2["change_summary"]["annotations"] == {"set1": {"added": [], "removed": ["B01:2"], "changed": [], "matched_by_iou": 0}}
    assert not (package / "annotations" / "set1").exists()
    label = package / "images" / "B01" / "labels" / "set1"
    _, diff = mifa("diff", package, "1.0", "2", "--json", parse_json=True)
    assert diff["annotations"]["set1"]["removed"] == ["B01:2"]
    # The label image the loader reads holds the correction (read with zarr-python).
    multiscale = json.loads((label / "zarr.json").read_text())["attributes"]["ome"]["multiscales"][0]
    level0 = zarr.open_array(str(label / multiscale["datasets"][0]["path"]), mode="r")[...]
    assert np.array_equal(level0, corrected)


def test_license_without_version_is_said_loudly(mifa, tmp_path):
    write_metadata(tmp_path / "mifa.yaml", license_="CC-BY")
    _, report = mifa("validate", tmp_path / "mifa.yaml", "--json", parse_json=True)
    warnings = [i for i in report["issues"] if i["severity"] == "warning"]
    assert [w["pointer"] for w in warnings] == ["/study/license"] and "CC-BY-4.0" in json.dumps(warnings)
    human = mifa("validate", tmp_path / "mifa.yaml")
    assert "warnings (1)" in human.stdout and "CC-BY-4.0" in human.stdout


def test_napari_points_with_restarting_index_and_shapes(mifa, tmp_path):
    source = tmp_path / "source"
    (source / "images").mkdir(parents=True)
    (source / "points").mkdir()
    for i in range(2):
        image, _, boxes = squares(i)
        tifffile.imwrite(source / "images" / f"B0{i}.tif", image)
        # napari_builtins write_points: index, axis-0 (y), axis-1 (x), pixel centres on integers.
        data = np.array([[y + h / 2 - 0.5, x + w / 2 - 0.5] for x, y, w, h in boxes])
        table = pd.DataFrame({"index": range(len(data)), "axis-0": data[:, 0], "axis-1": data[:, 1]})
        table.to_csv(source / "points" / f"B0{i}.csv", index=False)
    write_metadata(tmp_path / "mifa.yaml", "point_annotations", "Nucleus centres")
    _, summary = mifa("pack", source, tmp_path / "pkg", "--metadata", tmp_path / "mifa.yaml", "--json", parse_json=True)
    assert summary["objects"] == 6
    features = json.loads((tmp_path / "pkg" / "annotations" / "set1" / "annotations.geojson").read_text())["features"]
    assert sorted(f["id"] for f in features) == ["B00:0", "B00:1", "B00:2", "B01:0", "B01:1", "B01:2"]

    # napari_builtins write_shapes: index, shape-type, vertex-index, axis-0, axis-1 (one row per vertex).
    rows = [(0, "rectangle", v, y, x) for v, (y, x) in enumerate([(9.5, 19.5), (9.5, 29.5), (14.5, 29.5), (14.5, 19.5)])]
    rows += [(1, "polygon", v, y, x) for v, (y, x) in enumerate([(0, 0), (0, 10), (10, 0)])]
    shapes = pd.DataFrame(rows, columns=["index", "shape-type", "vertex-index", "axis-0", "axis-1"])
    shapes.to_csv(tmp_path / "shapes.csv", index=False)
    mifa("convert", tmp_path / "shapes.csv", tmp_path / "shapes.geojson")
    converted = json.loads((tmp_path / "shapes.geojson").read_text())["features"]
    assert [f["geometry"]["type"] for f in converted] == ["Polygon", "Polygon"]


def test_masks_of_five_images_to_one_points_csv_keep_the_image(mifa, tmp_path):
    folder = tmp_path / "masks"
    folder.mkdir()
    for i in range(5):
        _, mask, _ = squares(i, count=2)
        tifffile.imwrite(folder / f"B0{i}.tif", mask)
    mifa("convert", folder, tmp_path / "points.csv", "--reduce", "points")
    table = pd.read_csv(tmp_path / "points.csv")
    assert list(table.columns[:5]) == ["index", "axis-0", "axis-1", "axis-2", "image"]
    assert sorted(set(table["axis-0"])) == [0, 1, 2, 3, 4]
    assert len(table) == 10
