"""Per-image annotation access (package format 2): a vector set's GeoJSON is grouped by image and
`annotations/<set>/index.json` gives each image's byte range, so `mifa export --image` reads one
image's objects with two range requests (the header, the image's features) that never cover another
image's features: counted and measured from nginx's access log (with the Range header) and from
moto's request recorder. A format-1 package (written by hand as the core wrote it) opens, reads the
same objects, and its next `mifa version` upgrades it; the upgraded GeoJSON is still one valid
FeatureCollection of the same objects (shapely reads every geometry) and the index validates against
Schemas/annotation-index.schema.json."""
from __future__ import annotations

import json
import re
import subprocess
import uuid
from pathlib import Path

import boto3
import jsonschema
import pytest
import shapely.geometry

from http_server import NginxServer
from package_helpers import build_package, cells_geojson, commit_version
from s3_server import TEST_BUCKET, MotoServer

SCHEMA = Path(__file__).resolve().parents[2] / "Schemas" / "annotation-index.schema.json"

GEOJSON = "annotations/cells/annotations.geojson"
INDEX = "annotations/cells/index.json"


def run(mifa_bin, env, *args):
    proc = subprocess.run([mifa_bin, *map(str, args)], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, f"mifa {' '.join(map(str, args))} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def interleaved_cells() -> dict:
    """The fixture's set with more objects, the images' objects interleaved (as a source tool may order
    them), each with the `objectType` mifa's normalised GeoJSON gives every object (so that the upgrade,
    which writes the set through that normalisation, changes no object)."""
    cells = cells_geojson()
    features = cells["features"]
    for feature in features:
        feature["properties"]["objectType"] = "annotation"
    for k in range(6):
        image = ("img1", "img2")[k % 2]
        x, y = 4 + 6 * k, 40 + (k % 3) * 6
        ring = [[x, y], [x + 4, y], [x + 4, y + 4], [x, y + 4], [x, y]]
        features.append({"type": "Feature", "id": 10 + k, "geometry": {"type": "Polygon", "coordinates": [ring]},
                         "properties": {"objectType": "annotation", "image_id": image, "classification": {"name": "nucleus" if k % 3 else "debris"}}})
    return cells


def features_by_id(document: dict) -> dict:
    return {feature["id"]: feature for feature in document["features"]}


@pytest.fixture(scope="module")
def site(tmp_path_factory, mifa):
    """`site/pkg`: format 1 (version 1, then version 2 with the interleaved set), and `site/old`, a copy
    left in format 1; `pkg` is then upgraded by `mifa version` to version 3."""
    site = tmp_path_factory.mktemp("index-site")
    package = build_package(mifa, site / "pkg", tmp_path_factory.mktemp("index-work"))
    commit_version(package, "2", "2026-02-01T00:00:00Z", GEOJSON, (json.dumps(interleaved_cells()) + "\n").encode())
    subprocess.run(["cp", "-a", str(package), str(site / "old")], check=True)
    return site


@pytest.fixture(scope="module")
def upgraded(site, mifa_bin):
    """`site/pkg` upgraded to format 2 by its next version (3), changing nothing else."""
    run(mifa_bin, None, "version", site / "pkg", "--version", "3", "--changes", "Package format 2")
    return site / "pkg"


def test_a_format1_package_opens_reads_one_image_and_is_upgraded_by_its_next_version(mifa_bin, site, upgraded, tmp_path):
    old, package = site / "old", upgraded
    assert json.loads((old / "zarr.json").read_text())["attributes"]["mifa"]["version"] == "1"
    report = json.loads(run(mifa_bin, None, "audit", old, "--json").stdout)
    assert report["verdict"] != "errors", report["findings"]
    assert [f["severity"] for f in report["findings"] if f["code"] == "format-outdated"] == ["info"]
    before = json.loads((old / GEOJSON).read_text())
    run(mifa_bin, None, "export", old, "--to", "geojson", "--set", "cells", "--image", "img1", tmp_path / "old-img1.geojson")

    assert json.loads((package / "zarr.json").read_text())["attributes"]["mifa"]["version"] == "2"
    manifest = json.loads((package / "manifest.json").read_text())
    assert INDEX in manifest["files"] and manifest["version"] == "3"
    jsonschema.validate(json.loads((package / INDEX).read_text()), json.loads(SCHEMA.read_text()))
    record = json.loads((package / "versions/3.json").read_text())
    assert INDEX in record["change_summary"]["files"]["added"]
    assert all(not any(changes.get(k) for k in ("added", "removed", "changed")) for changes in record["change_summary"]["annotations"].values())
    report = json.loads(run(mifa_bin, None, "audit", package, "--json").stdout)
    assert report["verdict"] != "errors", report["findings"]
    assert not [f for f in report["findings"] if f["code"].startswith(("annotation-index", "format-outdated"))], report["findings"]

    # Still one FeatureCollection of the same objects, now grouped by image, each geometry valid for shapely.
    after = json.loads((package / GEOJSON).read_text())
    assert after["type"] == "FeatureCollection" and features_by_id(after).keys() == features_by_id(before).keys()
    for feature in after["features"]:
        assert shapely.geometry.shape(feature["geometry"]).is_valid
    images = [feature["properties"]["image_id"] for feature in after["features"]]
    assert images == sorted(images, key=images.index)
    # The earlier version restores bit for bit; the one image reads the same before and after.
    run(mifa_bin, None, "checkout", package, "2", tmp_path / "v2")
    assert (tmp_path / "v2" / GEOJSON).read_bytes() == (old / GEOJSON).read_bytes()
    run(mifa_bin, None, "export", package, "--to", "geojson", "--set", "cells", "--image", "img1", tmp_path / "new-img1.geojson")
    assert (tmp_path / "new-img1.geojson").read_bytes() == (tmp_path / "old-img1.geojson").read_bytes()


def index_ranges(package):
    """image -> (first byte, end) of its features in the GeoJSON, and the header's size."""
    index = json.loads((package / INDEX).read_text())
    return {image: (entry["offset"], entry["offset"] + entry["length"]) for image, entry in index["images"].items()}, index["header_bytes"]


def parse_range(header: str, size: int):
    """(first byte, end) of a `bytes=a-b` Range header."""
    match = re.fullmatch(r"bytes=(\d+)-(\d+)", header or "")
    assert match, f"not a bounded range request: {header!r}"
    return int(match[1]), min(int(match[2]) + 1, size)


def check_one_image_read(ranges_read, package):
    """Two range reads of the GeoJSON: the header and img1's features, none reaching img2's."""
    ranges, header = index_ranges(package)
    assert sorted(ranges_read) == sorted([(0, header), ranges["img1"]]), (ranges_read, ranges, header)
    start, end = ranges["img2"]
    for first, last in ranges_read:
        assert last <= start or first >= end, f"{first}..{last} covers img2's features {start}..{end}"


def check_export(path, package):
    """The export holds exactly img1's objects, as the whole set has them."""
    exported = json.loads(path.read_text())
    whole = json.loads((package / GEOJSON).read_text())
    expected = {f["id"]: f for f in whole["features"] if f["properties"].get("image_id") == "img1"}
    assert features_by_id(exported).keys() == expected.keys() and len(expected) >= 2
    for ident, feature in features_by_id(exported).items():
        assert feature["geometry"] == expected[ident]["geometry"]


def test_one_image_over_http_costs_two_range_requests_that_skip_the_other_images(mifa_bin, site, upgraded, tmp_path):
    package = upgraded
    size = (package / GEOJSON).stat().st_size
    with NginxServer(site, probe="pkg/zarr.json", access_log=True, log_ranges=True) as nginx:
        run(mifa_bin, None, "export", f"{nginx.url}/pkg", "--to", "geojson", "--set", "cells", "--image", "img1", tmp_path / "http.geojson")
        lines = [line.split(" ", 2) for line in nginx.requests()]
    reads = [(method, header) for method, uri, header in lines if uri == f"/pkg/{GEOJSON}"]
    assert all(method == "GET" for method, _ in reads), reads
    check_one_image_read([parse_range(header, size) for _, header in reads], package)
    assert sum(1 for _, uri, _ in lines if uri == f"/pkg/{INDEX}") == 1, lines
    check_export(tmp_path / "http.geojson", package)


def test_one_image_over_s3_costs_two_range_requests_that_skip_the_other_images(mifa_bin, upgraded, tmp_path):
    package = upgraded
    size = (package / GEOJSON).stat().st_size
    with MotoServer() as server:
        client = boto3.client("s3", endpoint_url=server.endpoint, aws_access_key_id="testing",
                              aws_secret_access_key="testing", region_name="us-east-1")
        prefix = f"{uuid.uuid4().hex}/pkg"
        for path in sorted(package.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                client.put_object(Bucket=TEST_BUCKET, Key=f"{prefix}/{path.relative_to(package).as_posix()}", Body=path.read_bytes())
        server.record()
        run(mifa_bin, server.env(), "export", f"s3://{TEST_BUCKET}/{prefix}", "--to", "geojson", "--set", "cells", "--image", "img1", tmp_path / "s3.geojson")
        requests = server.recorded()
    key = f"/{TEST_BUCKET}/{prefix}/{GEOJSON}"
    reads = [r for r in requests if r["url"].split("?")[0].endswith(key)]
    assert all(r["method"] == "GET" for r in reads), reads
    headers = [{k.lower(): v for k, v in r["headers"].items()}.get("range") for r in reads]
    check_one_image_read([parse_range(header, size) for header in headers], package)
    check_export(tmp_path / "s3.geojson", package)
