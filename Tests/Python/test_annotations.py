"""The boxes, points and polygons of each sample: clipped polygons equal a shapely clip of the
package's GeoJSON, and each names its annotation set and its id there."""
import json

import pytest
from shapely.affinity import translate
from shapely.geometry import Polygon, box, shape

import mifakit


@pytest.mark.parametrize("augment", [None, {"crop": (48, 40)}])
def test_clipped_polygons_equal_shapely(nuclei, augment):
    features = json.loads((nuclei / "annotations" / "set2" / "annotations.geojson").read_text())["features"]
    by_image: dict[str, list] = {}
    for feature in features:
        by_image.setdefault(feature["properties"]["image_id"], []).append(feature)
    loader = mifakit.Loader(nuclei, patch_size=(64, 64), batch_size=8, label="set1", annotations=["set2"], samples_per_epoch=48,
                            seed=11, augment=augment)
    checked = 0
    for epoch in range(2):
        loader.set_epoch(epoch)
        for batch in loader:
            for sample in batch["samples"]:
                (y0, y1), (x0, x1) = sample["region"][-2:]
                window = box(x0, y0, x1, y1)
                expected = {}
                for feature in by_image.get(sample["image_id"], []):
                    area = shape(feature["geometry"]).intersection(window).area
                    if area > 0:
                        expected[feature["id"]] = area
                found: dict = {}
                for item in sample["polygons"]:
                    assert item["set"] == "set2"
                    rings = item["polygon"]
                    assert all(0 <= x <= x1 - x0 and 0 <= y <= y1 - y0 for ring in rings for x, y in ring)
                    clipped = translate(Polygon(rings[0], rings[1:]), x0, y0)
                    found[item["id"]] = found.get(item["id"], 0) + clipped.area
                assert found.keys() == expected.keys(), (sample["image_id"], sample["region"])
                for key, area in expected.items():
                    assert abs(found[key] - area) <= 1e-6 * max(1, area)
                checked += len(expected)
    assert checked > 50


def test_every_set_by_default_and_unknown_sets_refused(nuclei):
    loader = mifakit.Loader(nuclei, patch_size=(128, 128), batch_size=4, samples_per_epoch=8, seed=2)
    sets = {item["set"] for batch in loader for s in batch["samples"] for kind in ("boxes", "points", "polygons") for item in s[kind]}
    assert sets and sets <= set(mifakit.open(nuclei).annotation_sets)
    with pytest.raises(mifakit.MIFAError) as error:
        mifakit.Loader(nuclei, patch_size=(64, 64), batch_size=4, annotations=["nope"])
    assert "nope" in error.value.message
