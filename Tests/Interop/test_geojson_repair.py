"""GeoJSON that geojsonhint rejects (issue 20): unclosed rings, positions of 4 numbers, geometries
mixing 2-D and 3-D positions. Refused with the file and JSON pointer unless `--repair`, which
repairs, says how many of each kind, and gives the geometry shapely reads from the same input.
Valid QuPath files go through untouched."""
import json

import pytest
import shapely
from shapely.geometry import LineString, Polygon, shape

from annotations_helpers import write_json

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def feature(geometry, name):
    return {"type": "Feature", "id": name, "geometry": geometry,
            "properties": {"objectType": "annotation", "classification": {"name": "Tumor", "color": [200, 0, 0]}}}


SQUARE = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]


@pytest.mark.parametrize("kind, geometry, pointer, code", [
    ("unclosed", {"type": "Polygon", "coordinates": [SQUARE[:-1]]}, "/features/1/geometry/coordinates/0", "unclosed-ring"),
    ("4-D", {"type": "Polygon", "coordinates": [[[0, 0, 1, 7], [10, 0, 1, 7], [10, 10, 1, 7], [0, 10, 1, 7], [0, 0, 1, 7]]]},
     "/features/1/geometry/coordinates/0/0", "extra-dimensions"),
    ("mixed-depth", {"type": "LineString", "coordinates": [[0, 0], [4, 4, 2], [9, 1]]}, "/features/1/geometry/coordinates/1", "mixed-depth"),
])
def test_geojsonhint_rejects_are_refused_unless_repaired(mifa, tmp_path, kind, geometry, pointer, code):
    valid = feature({"type": "Polygon", "coordinates": [SQUARE]}, "ok")
    source = write_json(tmp_path / "in.geojson", {"type": "FeatureCollection", "features": [valid, feature(geometry, "bad")]})
    proc = mifa("convert", source, tmp_path / "out.geojson", check=False)
    assert proc.returncode == 1, proc.stderr
    assert "in.geojson" in proc.stderr and pointer in proc.stderr and "--repair" in proc.stderr, proc.stderr
    assert not (tmp_path / "out.geojson").exists()

    proc, summary = mifa("convert", source, tmp_path / "out.geojson", "--repair", "--json", parse_json=True)
    repairs = [w for w in summary["warnings"] if w["code"] == code]
    count = 5 if kind == "4-D" else 1
    assert len(repairs) == 1 and repairs[0]["message"].startswith(f"repaired {count} ") and repairs[0]["pointer"] == pointer, summary
    out = {f["id"]: f for f in json.loads((tmp_path / "out.geojson").read_text())["features"]}
    # What shapely reads from the same positions in 2-D (it closes rings itself).
    flat = [[p[:2] for p in ring] for ring in geometry["coordinates"]] if geometry["type"] == "Polygon" else [p[:2] for p in geometry["coordinates"]]
    expected = Polygon(flat[0]) if geometry["type"] == "Polygon" else LineString(flat)
    assert shapely.equals(shape(out["bad"]["geometry"]), expected)
    assert out["ok"]["geometry"] == valid["geometry"] and out["ok"]["properties"]["classification"] == valid["properties"]["classification"]


def test_valid_qupath_files_pass_untouched(mifa, tmp_path):
    features = [feature({"type": "Polygon", "coordinates": [SQUARE, [[2, 2], [2, 4], [4, 4], [4, 2], [2, 2]]]}, "a"),
                feature({"type": "Point", "coordinates": [3.5, 4.25]}, "b"),
                feature({"type": "LineString", "coordinates": [[0, 0, 1], [4, 4, 1]]}, "c")]
    source = write_json(tmp_path / "qupath.geojson", {"type": "FeatureCollection", "features": features})
    proc, summary = mifa("convert", source, tmp_path / "out.geojson", "--json", parse_json=True)
    assert summary["warnings"] == []
    out = {f["id"]: f for f in json.loads((tmp_path / "out.geojson").read_text())["features"]}
    for f in features[:2]:
        assert out[f["id"]]["geometry"] == f["geometry"] and shape(out[f["id"]]["geometry"]).is_valid
