"""`mifa pack`, `version` and `export` to s3:// (moto in server mode, on loopback), through the commit
protocol of StoreTransaction: what `mifa` writes to a bucket is what it writes to a folder, byte for
byte, and zarr-python (through fsspec/s3fs) and ome-zarr-py read it back pixel for pixel; `mifa
version` on s3:// shows in `log` and `diff`; of two concurrent writers one wins and the other fails
cleanly; SIGKILL of `mifa version` (and `pack`) at random points always leaves a package that audits
as exactly the old or the new version, and the next writer succeeds."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
import uuid
import zipfile
from pathlib import Path

import boto3
import numpy as np
import pytest
import zarr

from omezarr_helpers import read_levels_with_ome_zarr_py
from s3_server import TEST_BUCKET, MotoServer
from test_package_pack import make_source

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

# `mifa version` takes its time from here, so two runs of one change write the same bytes.
EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}  # 2026-01-01


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def s3(monkeypatch_module):
    """The server, with the environment set for mifa and s3fs (credentials, endpoint, region)."""
    with MotoServer() as server:
        for name, value in server.env(**EPOCH).items():
            monkeypatch_module.setenv(name, value)
        yield server


@pytest.fixture(scope="module")
def client(s3):
    return boto3.client("s3", endpoint_url=s3.endpoint, aws_access_key_id="testing", aws_secret_access_key="testing",
                        region_name="us-east-1")


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A pack source: 2 images with masks and outlines, and its metadata sheet (beside it)."""
    folder = tmp_path_factory.mktemp("src") / "source"
    images, masks = make_source(folder, count=2, size=64)
    return folder, images, masks


def prefix_url(name="pkg"):
    return f"s3://{TEST_BUCKET}/{uuid.uuid4().hex}/{name}"


def run(mifa_bin, *args, check=True, timeout=120, env=None):
    proc = subprocess.run([mifa_bin, *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env)
    if check and proc.returncode != 0:
        raise AssertionError(f"mifa {' '.join(map(str, args))} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def objects(client, url):
    """{key relative to the prefix: bytes} of every object under an s3:// URL."""
    prefix = url[len(f"s3://{TEST_BUCKET}/"):] + "/"
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=TEST_BUCKET, Prefix=prefix):
        for item in page.get("Contents", []):
            found[item["Key"][len(prefix):]] = client.get_object(Bucket=TEST_BUCKET, Key=item["Key"])["Body"].read()
    return found


def folder_files(root: Path):
    """Every file of a package folder but its writers' lock file."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and p.name != ".mifa-lock"}


def copy_prefix(client, source, target):
    """Copies every object under one s3:// URL to another, on the server."""
    start, end = (url[len(f"s3://{TEST_BUCKET}/"):] + "/" for url in (source, target))
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=TEST_BUCKET, Prefix=start):
        for item in page.get("Contents", []):
            client.copy_object(Bucket=TEST_BUCKET, Key=end + item["Key"][len(start):], CopySource={"Bucket": TEST_BUCKET, "Key": item["Key"]})


def pack(mifa_bin, source, target):
    folder, _, _ = source
    return run(mifa_bin, "pack", folder, target, "--metadata", folder.parent / "mifa.yaml", "--json")


def audit_verdict(mifa_bin, url):
    report = json.loads(run(mifa_bin, "audit", url, "--json", check=False).stdout)
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert not errors, errors
    return report


def log_of(mifa_bin, url):
    """`mifa log --json` without the fields naming the location."""
    document = json.loads(run(mifa_bin, "log", url, "--json").stdout)
    document.pop("package", None)
    return document


def drop_one_outline(source, work: Path):
    """The outlines set (set2) with its last object removed, as a GeoJSON file."""
    folder, _, _ = source
    features = []
    for path in sorted((folder / "outlines").glob("*.geojson")):
        collection = json.loads(path.read_text())
        for feature in collection["features"]:
            feature["properties"]["image_id"] = path.stem
        features += collection["features"]
    out = work / "outlines-fixed.geojson"
    out.write_text(json.dumps({"type": "FeatureCollection", "features": features[:-1]}))
    return out


def packed_twice(mifa_bin, source, tmp_path):
    """The source packed into a folder and into a fresh prefix on moto, and a changed set2 file."""
    local, url = tmp_path / "pkg", prefix_url()
    pack(mifa_bin, source, local)
    pack(mifa_bin, source, url)
    return local, url, drop_one_outline(source, tmp_path)


def version_args(url, version, fixed):
    return ["version", url, "--version", version, "--changes", f"Version {version}", "--annotations", f"set2={fixed}"]


def test_pack_to_s3_is_the_folder_pack_and_reads_back_in_zarr_python_and_ome_zarr_py(s3, client, source, mifa_bin, tmp_path):
    _, images, masks = source
    local = tmp_path / "pkg"
    url = prefix_url()
    pack(mifa_bin, source, local)
    summary = json.loads(pack(mifa_bin, source, url).stdout)
    assert summary["package"] == url
    stored = objects(client, url)
    assert stored == folder_files(local), "the bucket holds other bytes than the folder (or staging leftovers)"
    assert not any(key.startswith(".mifa-transaction") for key in stored)

    options = {"endpoint_url": s3.endpoint, "key": "testing", "secret": "testing"}
    root = zarr.open_group(url, mode="r", storage_options=options)
    assert root.attrs["mifa"]["format"] == "mifa-package"
    for name, image in images.items():
        np.testing.assert_array_equal(root[f"images/{name}/0"][...], image)
        np.testing.assert_array_equal(root[f"images/{name}/labels/set1/0"][...], masks[name])
        nodes = read_levels_with_ome_zarr_py(f"{url}/images/{name}")
        np.testing.assert_array_equal(nodes["image"][0][0], image)
        np.testing.assert_array_equal(nodes["set1"][0][0], masks[name])
    audit_verdict(mifa_bin, url)
    # Packing again into a prefix that holds a package is refused; nothing changes.
    proc = run(mifa_bin, "pack", source[0], url, "--metadata", source[0].parent / "mifa.yaml", check=False)
    assert proc.returncode == 1 and "already holds" in proc.stderr, proc.stderr
    assert objects(client, url) == stored


def test_export_to_s3_writes_one_object_and_never_replaces_it(s3, client, source, mifa_bin, tmp_path):
    local = tmp_path / "pkg"
    pack(mifa_bin, source, local)
    url = prefix_url()
    pack(mifa_bin, source, url)
    target = prefix_url("exports") + "/pkg.zip"
    run(mifa_bin, "export", url, "--to", "zip", target)
    run(mifa_bin, "export", local, "--to", "zip", tmp_path / "pkg.zip")
    exported = objects(client, target.rsplit("/", 1)[0])["pkg.zip"]
    assert exported == (tmp_path / "pkg.zip").read_bytes()
    assert zipfile.ZipFile(tmp_path / "pkg.zip").testzip() is None
    for fmt in ("coco", "citation"):
        run(mifa_bin, "export", url, "--to", fmt, f"{target}.{fmt}", *(["--set", "set1"] if fmt == "coco" else []))
    proc = run(mifa_bin, "export", url, "--to", "zip", target, check=False)
    assert proc.returncode == 1 and "already exists" in proc.stderr, proc.stderr
    assert objects(client, target.rsplit("/", 1)[0])["pkg.zip"] == exported
    proc = run(mifa_bin, "export", url, "--to", "zip", f"{url}/inside.zip", check=False)
    assert proc.returncode == 1 and "inside the package" in proc.stderr, proc.stderr
    proc = run(mifa_bin, "export", url, "--to", "zip", f"s3://{TEST_BUCKET}", check=False)
    assert proc.returncode == 1 and "names no object" in proc.stderr, proc.stderr


def test_version_on_s3_is_the_folder_version_and_shows_in_log_and_diff(s3, client, source, mifa_bin, tmp_path):
    local, url, fixed = packed_twice(mifa_bin, source, tmp_path)
    run(mifa_bin, *version_args(local, "2", fixed))
    made = run(mifa_bin, *version_args(url, "2", fixed))
    assert "made version 2" in made.stdout
    assert objects(client, url) == folder_files(local)
    assert log_of(mifa_bin, url) == log_of(mifa_bin, local)
    diffs = [json.loads(run(mifa_bin, "diff", place, "1", "2", "--json").stdout) for place in (url, local)]
    for document in diffs:
        document.pop("package", None)
    assert diffs[0] == diffs[1] and diffs[0]["annotations"]["set2"]["removed"], diffs[0]
    audit_verdict(mifa_bin, url)


def test_two_concurrent_writers_one_wins_the_other_fails_cleanly(s3, client, source, mifa_bin, tmp_path):
    fixed = drop_one_outline(source, tmp_path)
    conflicts = 0
    for round in range(3):
        url = prefix_url()
        pack(mifa_bin, source, url)
        # Real time stamps: should one writer start after the other finished, its version comes later.
        env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        writers = [subprocess.Popen([mifa_bin, *map(str, version_args(url, name, fixed))], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, env=env) for name in ("2a", "2b")]
        results = [(w.wait(timeout=120), *w.communicate()) for w in writers]
        codes = sorted(code for code, _, _ in results)
        assert codes in ([0, 0], [0, 1]), results
        for code, _, err in results:
            if code == 1:
                conflicts += 1
                assert "another writer" in err and "nothing was changed" in err, err
        audit_verdict(mifa_bin, url)
        versions = [v["version"] for v in log_of(mifa_bin, url)["versions"]]
        winners = [name for (code, _, _), name in zip(results, ("2a", "2b")) if code == 0]
        assert versions[0] == "1" and sorted(versions[1:]) == sorted(winners), (versions, results)
        assert not [k for k in objects(client, url) if k.startswith(".mifa-transaction/")]
    assert conflicts >= 1, "the two writers never overlapped"


def test_sigkill_of_version_on_s3_leaves_the_old_or_the_new_version(s3, client, source, mifa_bin, tmp_path):
    fixed = drop_one_outline(source, tmp_path)
    base = prefix_url()
    pack(mifa_bin, source, base)
    old_log = log_of(mifa_bin, base)
    reference = prefix_url()
    copy_prefix(client, base, reference)
    start = time.monotonic()
    run(mifa_bin, *version_args(reference, "2", fixed))
    duration = time.monotonic() - start
    new_log = log_of(mifa_bin, reference)

    rng = random.Random(17)
    outcomes = {"old": 0, "new": 0}
    for attempt in range(30):
        url = prefix_url()
        copy_prefix(client, base, url)
        proc = subprocess.Popen([mifa_bin, *map(str, version_args(url, "2", fixed))], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, duration * 1.1))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        audit_verdict(mifa_bin, url)
        seen = log_of(mifa_bin, url)
        assert seen in (old_log, new_log), f"kill {attempt}: neither the old nor the new version: {seen}"
        outcomes["old" if seen == old_log else "new"] += 1
        if attempt % 3 == 0:
            # The next writer finishes or withdraws what it finds and makes its own version.
            later = dict(os.environ, SOURCE_DATE_EPOCH=str(int(EPOCH["SOURCE_DATE_EPOCH"]) + 86400))
            run(mifa_bin, "version", url, "--version", "3", "--changes", "After the kill", env=later)
            assert [v["version"] for v in log_of(mifa_bin, url)["versions"]][-1] == "3"
            audit_verdict(mifa_bin, url)
    print(f"SIGKILL of mifa version on s3: 30 kills over {duration:.2f} s runs: {outcomes}")
    assert outcomes["old"] > 0 and outcomes["new"] > 0, outcomes


def test_proposals_reviews_and_flags_on_s3_are_the_folder_ones(s3, client, source, mifa_bin, tmp_path):
    local, url, fixed = packed_twice(mifa_bin, source, tmp_path)
    made = [json.loads(run(mifa_bin, "propose", place, "--version", "2", "--changes", "one outline fewer", "--annotations", f"set2={fixed}",
                           "--author", "Mina Okoye <0000-0002-7182-8185>", "--reason", "a duplicate outline", "--json").stdout)
            for place in (local, url)]
    assert made[0] == made[1]
    assert objects(client, url) == folder_files(local)
    for place in (local, url):
        accepted = run(mifa_bin, "review", place, made[0]["id"], "--accept", "--reason", "checked", "--reviewer", "Ada Lindqvist")
        assert "as version 2" in accepted.stdout
        run(mifa_bin, "flag", place, "--reason", "set1 misses the dim cells", "--by", "Alan Turing")
    assert objects(client, url) == folder_files(local)
    log = log_of(mifa_bin, url)
    assert log == log_of(mifa_bin, local)
    assert [v["version"] for v in log["versions"]] == ["1", "2"] and len(log["flags"]) == 1, log
    assert not any(key.startswith(".mifa-transaction") for key in objects(client, url))
    audit_verdict(mifa_bin, url)
    # Over http(s) nothing can be written: refused, naming the command.
    proc = run(mifa_bin, "flag", "https://example.org/pkg", "--reason", "x", check=False)
    assert proc.returncode == 1 and "cannot be written" in proc.stderr, proc.stderr
