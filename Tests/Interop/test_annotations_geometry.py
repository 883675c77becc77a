"""Masks to polygons and back, against shapely, rasterio (GDAL polygonize and rasterize) and
scikit-image: traced polygons are valid, wound as RFC 7946 asks, agree in area and shape with
GDAL's 4-connected polygonize, and rasterise back to the identical label image (FORMATS.md,
"Mask <-> polygon, losslessly"); QuPath's properties survive every round trip."""
import json

import numpy as np
import pytest
import rasterio.features
import shapely
from shapely.geometry import shape
from skimage.measure import regionprops

from annotations_helpers import random_label_image, write_json

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def label_images(rng, count):
    images = []
    for _ in range(count):
        height, width = int(rng.integers(2, 72)), int(rng.integers(2, 72))
        images.append(random_label_image(rng, height, width, int(rng.integers(1, 16))))
    return images


def test_traced_polygons_are_valid_exact_and_agree_with_gdal(mifa, tmp_path):
    rng = np.random.default_rng(2718)
    folder = tmp_path / "labels"
    folder.mkdir()
    images = label_images(rng, 120)
    for index, image in enumerate(images):
        np.save(folder / f"l{index:03d}.npy", image)
    mifa("convert", folder, tmp_path / "traced.geojson")
    collection = json.loads((tmp_path / "traced.geojson").read_text())
    files = {entry["id"]: entry["file_name"] for entry in collection["mifa:images"]}
    by_image = {}
    for feature in collection["features"]:
        by_image.setdefault(files[feature["properties"]["image_id"]], []).append(feature)
    checked = 0
    for index, image in enumerate(images):
        features = by_image.get(f"l{index:03d}.npy", [])
        assert sorted(f["properties"]["label"] for f in features) == sorted(int(v) for v in np.unique(image) if v)
        gdal = {}
        for geometry, value in rasterio.features.shapes(image.astype(np.int32), connectivity=4):
            if value:
                gdal.setdefault(int(value), []).append(shape(geometry))
        for feature in features:
            label = feature["properties"]["label"]
            geometry = shape(feature["geometry"])
            assert geometry.is_valid, (index, label, shapely.is_valid_reason(geometry))
            assert geometry.area == np.count_nonzero(image == label)
            for polygon in getattr(geometry, "geoms", [geometry]):
                assert shapely.is_ccw(polygon.exterior)
                assert all(not shapely.is_ccw(ring) for ring in polygon.interiors)
                coordinates = np.array(polygon.exterior.coords)
                assert np.array_equal(coordinates, np.round(coordinates)) and tuple(coordinates[0]) == tuple(coordinates[-1])
            # Same region as GDAL's 4-connected polygonize.
            assert geometry.symmetric_difference(shapely.union_all(gdal[label])).area == 0
            # rasterio's pixel-centre rasterisation of our polygons is the label's mask.
            burned = rasterio.features.rasterize([(feature["geometry"], 1)], out_shape=image.shape, fill=0, dtype="uint8")
            assert np.array_equal(burned.astype(bool), image == label)
            checked += 1
    assert checked > 500


def test_geojson_to_mask_round_trip_is_identical(mifa, tmp_path):
    rng = np.random.default_rng(161803)
    for index, image in enumerate(label_images(rng, 40)):
        np.save(tmp_path / f"in{index}.npy", image)
        mifa("convert", tmp_path / f"in{index}.npy", tmp_path / f"t{index}.geojson")
        height, width = image.shape
        mifa("convert", tmp_path / f"t{index}.geojson", tmp_path / f"back{index}.tif", "--image", f"{width}x{height}")
        import tifffile
        back = tifffile.imread(tmp_path / f"back{index}.tif")
        assert np.array_equal(back, image), index


def test_mask_to_points_matches_skimage_centroids(mifa, tmp_path):
    rng = np.random.default_rng(5)
    image = random_label_image(rng, 64, 80, 30)
    np.save(tmp_path / "labels.npy", image)
    mifa("convert", tmp_path / "labels.npy", tmp_path / "points.csv", "--reduce", "points")
    rows = np.genfromtxt(tmp_path / "points.csv", delimiter=",", names=True)
    expected = sorted(region.centroid for region in regionprops(image.astype(np.int32)))
    assert np.allclose(sorted(zip(rows["axis0"], rows["axis1"])), expected, rtol=0, atol=1e-9)


QUPATH = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "id": "0f8c7ef2-6c4a-4c4b-9a3e-1a2b3c4d5e6f",
         "geometry": {"type": "Polygon", "coordinates": [[[10.5, 10.25], [30, 10.25], [30, 40.75], [10.5, 40.75], [10.5, 10.25]]],
                      "plane": {"c": -1, "z": 0, "t": 0}},
         "properties": {"objectType": "annotation", "name": "Région 1", "color": [250, 62, 62], "isLocked": True,
                        "classification": {"name": "Tumor", "color": [200, 0, 0]},
                        "measurements": {"Area µm^2": 1.10, "Perimeter µm": 123.456789012345678, "Num Detections": 3}}},
        {"type": "Feature", "id": "1f8c7ef2-6c4a-4c4b-9a3e-1a2b3c4d5e6f",
         "geometry": {"type": "Polygon", "coordinates": [[[1, 1], [9, 1], [9, 9], [1, 9], [1, 1]], [[3, 3], [3, 5], [5, 5], [5, 3], [3, 3]]]},
         "nucleusGeometry": {"type": "Polygon", "coordinates": [[[3, 3], [5, 3], [5, 5], [3, 5], [3, 3]]]},
         "properties": {"objectType": "cell", "classification": {"names": ["Tumor", "Positive"], "color": [1, 2, 3]},
                        "measurements": [{"name": "Nucleus: Area", "value": 4.0}], "myTool": {"nested": [1, "two", None]}}},
        {"type": "Feature", "id": "2f8c7ef2-6c4a-4c4b-9a3e-1a2b3c4d5e6f",
         "geometry": {"type": "MultiPolygon", "coordinates": [[[[20, 20], [22, 20], [22, 22], [20, 22], [20, 20]]], [[[22, 22], [24, 22], [24, 24], [22, 24], [22, 22]]]]},
         "properties": {"objectType": "detection", "classification": {"name": "Stroma", "color": [0, 200, 0]}}},
        {"type": "Feature", "id": "3f8c7ef2-6c4a-4c4b-9a3e-1a2b3c4d5e6f",
         "geometry": {"type": "LineString", "coordinates": [[0, 0], [5.5, 7.25], [9, 2]]},
         "properties": {"objectType": "annotation", "name": "scribble"}},
        {"type": "Feature", "id": "4f8c7ef2-6c4a-4c4b-9a3e-1a2b3c4d5e6f",
         "geometry": {"type": "Point", "coordinates": [12.5, 7.5]},
         "properties": {"objectType": "annotation", "classification": {"name": "Tumor", "color": [200, 0, 0]}}},
    ],
}


def normalised(feature):
    """A feature with its geometry in shapely's normal form, for comparing geometry by shape."""
    copy = dict(feature)
    copy["plane"] = feature["geometry"].get("plane")  # QuPath's plane member of the geometry
    copy["geometry"] = shapely.normalize(shape(feature["geometry"])).wkt
    if "nucleusGeometry" in copy:
        copy["nucleusGeometry"] = shapely.normalize(shape(copy["nucleusGeometry"])).wkt
    return copy


@pytest.mark.parametrize("via", ["geojson", "coco"])
def test_qupath_properties_survive_round_trips(mifa, tmp_path, via):
    source = tmp_path / "qupath.geojson"
    text = json.dumps(QUPATH, ensure_ascii=False).replace('"Area µm^2": 1.1,', '"Area µm^2": 1.10,')
    assert '1.10' in text
    source.write_text(text, encoding="utf-8")
    if via == "geojson":
        mifa("convert", source, tmp_path / "out.geojson")
    else:
        # COCO cannot hold the line and the point; the polygon with a hole becomes an RLE, which needs the size.
        mifa("convert", source, tmp_path / "mid.json", "--allow-lossy", "--image", "64x64")
        mifa("convert", tmp_path / "mid.json", tmp_path / "out.geojson")
    out = json.loads((tmp_path / "out.geojson").read_text())
    originals = {f["id"]: f for f in QUPATH["features"]}
    written = {f["id"]: f for f in out["features"]}
    expected_ids = set(originals) if via == "geojson" else {f["id"] for f in QUPATH["features"] if f["geometry"]["type"].endswith("Polygon")}
    assert set(written) == expected_ids
    for identifier in expected_ids:
        a, b = normalised(originals[identifier]), normalised(written[identifier])
        for key in ("area", "bbox", "label", "iscrowd"):
            b["properties"].pop(key, None)
        assert a == b, identifier
        assert shape(written[identifier]["geometry"]).is_valid
    # Exact number literals (1.10 stays 1.10) in the text.
    assert '"Area µm^2":1.10' in (tmp_path / "out.geojson").read_text(encoding="utf-8")


def test_wrong_winding_is_fixed_and_unclosed_rings_repaired_on_request(mifa, tmp_path):
    collection = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"objectType": "annotation"},
                  "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [0, 10], [10, 10], [10, 0]], [[2, 2], [8, 2], [8, 8], [2, 8], [2, 2]]]}}]}
    source = write_json(tmp_path / "wound.geojson", collection)
    proc = mifa("convert", source, tmp_path / "fixed.geojson", check=False)
    assert proc.returncode == 1 and "/features/0/geometry/coordinates/0" in proc.stderr and "--repair" in proc.stderr, proc.stderr
    proc, summary = mifa("convert", source, tmp_path / "fixed.geojson", "--repair", "--json", parse_json=True)
    assert {w["code"] for w in summary["warnings"]} == {"winding", "unclosed-ring"}
    assert all(w["pointer"].startswith("/features/0/geometry/coordinates/") for w in summary["warnings"])
    polygon = shape(json.loads((tmp_path / "fixed.geojson").read_text())["features"][0]["geometry"])
    assert polygon.is_valid and shapely.is_ccw(polygon.exterior) and not shapely.is_ccw(polygon.interiors[0])
    assert polygon.area == 64
