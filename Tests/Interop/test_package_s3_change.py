"""Issue 17: changing an s3:// package without downloading it. `mifa version` of a package on moto
that changes a vector set, adds one, and corrects a raster set (label images) requests metadata,
records and annotations only: no image chunk is downloaded, uploaded or copied (counted from moto's
access log), and each version is byte for byte the same change made on a folder, audits
clean, and reads back the same in zarr-python and `mifa export`."""
from __future__ import annotations

import json
import os
import urllib.parse

import numpy as np
import tifffile
import zarr

from s3_server import TEST_BUCKET
# The s3 write tests' server, client and source fixtures and helpers (pytest finds fixtures by name here).
from test_package_s3_write import (EPOCH, audit_verdict, client, drop_one_outline, folder_files, log_of,  # noqa: F401
                                   monkeypatch_module, objects, pack, prefix_url, run, s3, source)


def is_image_data(key: str) -> bool:
    """Whether a package-relative key is image data: a file of images/<id>/ but its Zarr metadata and labels/."""
    parts = key.split("/")
    return parts[0] == "images" and len(parts) > 2 and parts[2] != "labels" and parts[-1] != "zarr.json"


def package_keys(requests, url):
    """(method, package-relative key) of each logged request under `url` (staged keys,
    .mifa-transaction/<id>/..., as the key they stand for; a copy is a PUT of its target)."""
    prefix = "/" + TEST_BUCKET + "/" + url[len(f"s3://{TEST_BUCKET}/"):] + "/"
    found = []
    for method, address in requests:
        path = urllib.parse.unquote(urllib.parse.urlsplit(address).path)
        if not path.startswith(prefix):
            continue
        key = path[len(prefix):]
        if key.startswith(".mifa-transaction/") and key.count("/") > 1:
            key = key.split("/", 2)[2]
        found.append((method, key))
    return found


def test_version_on_s3_downloads_no_image_chunk_and_is_the_folder_version(s3, client, source, mifa_bin, tmp_path):
    folder, images, masks = source
    local, url = tmp_path / "pkg", prefix_url()
    pack(mifa_bin, source, local)
    pack(mifa_bin, source, url)
    fixed = drop_one_outline(source, tmp_path)
    corrected = tmp_path / "masks"
    corrected.mkdir()
    for name, mask in masks.items():
        changed = mask.copy()
        changed[changed == 1] = 0  # one object fewer on every image
        tifffile.imwrite(corrected / f"{name}.tif", changed)
    before = objects(client, url)
    sizes = {key: len(body) for key, body in before.items()}
    chunks = [key for key in sizes if is_image_data(key)]
    assert chunks, sorted(sizes)
    steps = [("2", ["--annotations", f"set2={fixed}"]), ("3", ["--annotations", f"extra={fixed}"]),
             ("4", ["--annotations", f"set1={corrected}"])]
    for number, (version, edit) in enumerate(steps):
        env = dict(os.environ, SOURCE_DATE_EPOCH=str(int(EPOCH["SOURCE_DATE_EPOCH"]) + 86400 * (number + 1)))
        args = ["--version", version, "--changes", f"Version {version}", *edit, "--json"]
        made_local = json.loads(run(mifa_bin, "version", local, *args, env=env).stdout)
        mark = s3.mark()
        made = json.loads(run(mifa_bin, "version", url, *args, env=env).stdout)
        requests = package_keys(s3.requests(mark), url)
        assert made == made_local
        downloaded = [key for method, key in requests if method == "GET"]
        assert downloaded and not [key for key in downloaded if is_image_data(key)], f"version {version} downloaded image chunks"
        # The staged files' sizes are known to the writer: their copies into place ask for none.
        heads = [key for method, key in requests if method == "HEAD"]
        assert not heads, f"version {version} asked the size of {heads}"
        written = [(method, key) for method, key in requests if method in ("PUT", "POST")]
        assert written and not [w for w in written if is_image_data(w[1])], f"version {version} uploaded or copied image chunks: {written}"
        got = sum(sizes.get(key, 0) for key in downloaded)
        print(f"version {version} on s3: {len(requests)} requests, {len(downloaded)} GETs of {got} bytes "
              f"(the package: {sum(sizes.values())} bytes, {sum(sizes[k] for k in chunks)} in {len(chunks)} image chunks)")
        # The same change as on the folder, byte for byte; it audits clean and reads the same.
        stored = objects(client, url)
        assert stored == folder_files(local)
        assert {key: stored.get(key) for key in chunks} == {key: before[key] for key in chunks}
        audit_verdict(mifa_bin, url)
        assert log_of(mifa_bin, url) == log_of(mifa_bin, local)
        sizes = {key: len(body) for key, body in stored.items()}
    options = {"endpoint_url": s3.endpoint, "key": "testing", "secret": "testing"}
    remote, on_disk = zarr.open_group(url, mode="r", storage_options=options), zarr.open_group(str(local), mode="r")
    for name, image in images.items():
        np.testing.assert_array_equal(remote[f"images/{name}/0"][...], image)
        np.testing.assert_array_equal(remote[f"images/{name}/labels/set1/0"][...], on_disk[f"images/{name}/labels/set1/0"][...])
        assert (remote[f"images/{name}/labels/set1/0"][...] == 1).sum() == 0
    for place, out in ((url, tmp_path / "s3.geojson"), (local, tmp_path / "local.geojson")):
        run(mifa_bin, "export", place, "--to", "geojson", "--set", "extra", out)
    assert (tmp_path / "s3.geojson").read_bytes() == (tmp_path / "local.geojson").read_bytes()
