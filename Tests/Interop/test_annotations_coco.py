"""COCO through MIFAKit and through pycocotools, on thousands of random masks and polygons made in
this run: RLE strings, areas, boxes, decoded masks, rasterised polygons, unions, intersections and
IoUs must be identical (FORMATS.md, section COCO)."""
import json

import numpy as np
import pytest
from pycocotools import mask as mask_utils

from annotations_helpers import bench_tool, random_mask, random_polygon, write_json  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SIZES = [(1, 1), (1, 7), (9, 1), (2, 2), (5, 4), (17, 23), (32, 32), (40, 64), (63, 31)]


def coco_with(images, annotations, categories=({"id": 1, "name": "object"},)):
    return {"images": images, "annotations": annotations, "categories": list(categories)}


def test_encode_area_bbox_match_pycocotools(mifa, tmp_path):
    rng = np.random.default_rng(20240601)
    folder = tmp_path / "masks"
    folder.mkdir()
    masks = {}
    for index in range(2000):
        height, width = SIZES[index % len(SIZES)] if index < 200 else (int(rng.integers(1, 48)), int(rng.integers(1, 48)))
        mask = random_mask(rng, height, width)
        name = f"m{index:04d}"
        np.save(folder / f"{name}.npy", mask)
        masks[name] = mask
    out = tmp_path / "masks.json"
    mifa("convert", folder, out, "--coco-masks", "rle")
    document = json.loads(out.read_text())
    images = {image["id"]: image for image in document["images"]}
    seen = set()
    for annotation in document["annotations"]:
        name = images[annotation["image_id"]]["file_name"].removesuffix(".npy")
        mask = masks[name]
        expected = mask_utils.encode(np.asfortranarray(mask))
        assert annotation["segmentation"]["counts"] == expected["counts"].decode(), name
        assert annotation["segmentation"]["size"] == list(mask.shape)
        assert annotation["area"] == int(mask_utils.area(expected)), name
        assert annotation["bbox"] == mask_utils.toBbox(expected).tolist(), name
        seen.add(name)
    # Masks without any pixel have no annotation.
    assert {name for name, mask in masks.items() if mask.any()} == seen


def test_instance_labels_encode_like_pycocotools(mifa, tmp_path):
    rng = np.random.default_rng(7)
    from annotations_helpers import random_label_image
    labels = random_label_image(rng, 57, 71, 25)
    np.save(tmp_path / "labels.npy", labels)
    mifa("convert", tmp_path / "labels.npy", tmp_path / "labels.json", "--coco-masks", "rle")
    document = json.loads((tmp_path / "labels.json").read_text())
    assert len(document["annotations"]) == len(np.unique(labels)) - 1
    for annotation in document["annotations"]:
        expected = mask_utils.encode(np.asfortranarray((labels == annotation["label"]).astype(np.uint8)))
        assert annotation["segmentation"]["counts"] == expected["counts"].decode()


def test_decode_compressed_and_uncompressed_rle(mifa, tmp_path):
    rng = np.random.default_rng(31)
    images, annotations, masks = [], [], {}
    for index in range(1500):
        height, width = int(rng.integers(1, 40)), int(rng.integers(1, 40))
        mask = random_mask(rng, height, width)
        if not mask.any():
            mask[0, 0] = 1
        rle = mask_utils.encode(np.asfortranarray(mask))
        if index % 3 == 0:  # uncompressed counts, as COCO's crowd annotations have them
            segmentation = {"size": [height, width], "counts": fortran_runs(mask)}
        else:
            segmentation = {"size": [height, width], "counts": rle["counts"].decode()}
        images.append({"id": index + 1, "file_name": f"d{index:04d}.png", "width": width, "height": height})
        annotations.append({"id": index + 1, "image_id": index + 1, "category_id": 1, "segmentation": segmentation,
                            "iscrowd": int(index % 3 == 0)})
        masks[f"d{index:04d}"] = mask
    source = write_json(tmp_path / "rle.json", coco_with(images, annotations))
    mifa("convert", source, tmp_path / "decoded", "--to", "npy")
    for name, mask in masks.items():
        decoded = np.load(tmp_path / "decoded" / f"{name}.npy")
        assert np.array_equal(decoded != 0, mask.astype(bool)), name


def fortran_runs(mask):
    """Uncompressed COCO counts: run lengths in column-major order, starting with zeros."""
    flat = mask.ravel(order="F")
    boundaries = np.concatenate([[0], np.flatnonzero(np.diff(flat)) + 1, [flat.size]])
    runs = np.diff(boundaries).tolist()
    return ([0] + runs) if flat[0] else runs


def test_polygons_rasterise_like_pycocotools(mifa, tmp_path, bench_tool):
    rng = np.random.default_rng(424242)
    images, annotations, expected = [], [], {}
    for index in range(2500):
        height, width = int(rng.integers(1, 50)), int(rng.integers(1, 50))
        polygons = [random_polygon(rng, height, width) for _ in range(1 if rng.random() < 0.7 else int(rng.integers(2, 4)))]
        images.append({"id": index + 1, "file_name": f"p{index:04d}.png", "width": width, "height": height})
        annotations.append({"id": index + 1, "image_id": index + 1, "category_id": 1, "segmentation": polygons, "iscrowd": 0})
        rle = mask_utils.merge(mask_utils.frPyObjects(polygons, height, width))
        expected[f"p{index:04d}"] = (mask_utils.decode(rle), polygons, height, width)
    source = write_json(tmp_path / "polygons.json", coco_with(images, annotations))
    mifa("convert", source, tmp_path / "raster", "--to", "npy")
    for name, (mask, _, _, _) in expected.items():
        assert np.array_equal(np.load(tmp_path / "raster" / f"{name}.npy") != 0, mask.astype(bool)), name
    # Each polygon alone, as counts strings (rleFrPoly step by step).
    result = bench_tool("frpoly", source)
    strings = [mask_utils.frPyObjects([p], h, w)[0]["counts"].decode() for (_, polygons, h, w) in expected.values() for p in polygons]
    assert result["counts"] == strings
    # Union of the polygons of each image (rleMerge).
    merged = bench_tool("merge", source)
    assert merged["counts"] == [mask_utils.merge(mask_utils.frPyObjects(p, h, w))["counts"].decode() for (_, p, h, w) in expected.values()]


def test_merge_intersect_and_iou_match_pycocotools(tmp_path, bench_tool):
    rng = np.random.default_rng(99)
    sizes = [(24, 31), (24, 31), (24, 31), (16, 16)]

    def masks_file(name, count, crowd_share):
        images = [{"id": 1, "file_name": "a.png", "width": 31, "height": 24}, {"id": 2, "file_name": "b.png", "width": 16, "height": 16}]
        annotations, rles, crowd = [], [], []
        for index in range(count):
            height, width = sizes[index % len(sizes)]
            mask = random_mask(rng, height, width)
            rle = mask_utils.encode(np.asfortranarray(mask))
            rle["counts"] = rle["counts"].decode()
            is_crowd = int(rng.random() < crowd_share)
            annotations.append({"id": index + 1, "image_id": 1 if height == 24 else 2, "category_id": 1, "segmentation": rle, "iscrowd": is_crowd})
            rles.append(rle)
            crowd.append(is_crowd)
        return write_json(tmp_path / name, coco_with(images, annotations)), rles, crowd

    dt_file, dt, _ = masks_file("dt.json", 160, 0)
    gt_file, gt, crowd = masks_file("gt.json", 140, 0.3)
    result = bench_tool("iou", dt_file, gt_file)
    expected = mask_utils.iou(dt, gt, crowd)
    assert np.array_equal(np.array(result["iou"]), expected)  # exact, not approximate
    assert result["iou"] and len(result["iou"]) == len(dt)

    # Intersections per image.
    merged = bench_tool("merge", dt_file, "--intersect")
    by_image = [[r for r in dt if r["size"] == [24, 31]], [r for r in dt if r["size"] == [16, 16]]]
    assert merged["counts"] == [mask_utils.merge(group, intersect=1)["counts"].decode() for group in by_image]
