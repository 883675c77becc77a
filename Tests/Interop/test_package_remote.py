"""Every read command reads a whole package wherever it is: a folder, a `.zip` made by
`mifa export --to zip` (read in place: a local file, or at an http:// or s3:// URL through ranged
reads), `http://` (a real nginx, which lists nothing: the manifest names every file) and `s3://`
(moto in server mode), and the zip at a presigned-style URL (a query after `.zip`). The `--json`
outputs and the exported bytes are the same for the seven, once the fields that name the location
are set aside (named below); opening a remote package (or a remote
zip) costs a bounded number of requests, counted from nginx's access log; a hostile package over
HTTP, or a zip on a server that ignores Range, fails with a clear error and exit 1, without hanging."""
from __future__ import annotations

import collections
import json
import shutil
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import boto3
import pytest

from http_server import MifaServe, NginxServer
from package_helpers import build_package, cells_geojson, commit_version, sha256
from s3_server import TEST_BUCKET, MotoServer

# The fields of the --json outputs that name where the package is (a path, a zip, a URL); they are
# the only ones allowed to differ between the seven places.
LOCATION_FIELDS = {"package", "file", "path", "location", "url", "contentUrl", "includes"}


def without_location(value, root: str):
    """`value` with the location fields dropped and the package's own location in any string replaced."""
    if isinstance(value, dict):
        return {k: without_location(v, root) for k, v in value.items() if k not in LOCATION_FIELDS}
    if isinstance(value, list):
        return [without_location(v, root) for v in value]
    if isinstance(value, str):
        return value.replace(root, "<package>")
    return value


@pytest.fixture(scope="module")
def site(tmp_path_factory, mifa):
    """`site/pkg` (2 versions: version 2 drops one object of the `cells` set) and `site/pkg.zip`."""
    site = tmp_path_factory.mktemp("site")
    package = build_package(mifa, site / "pkg", tmp_path_factory.mktemp("work"))
    cells = cells_geojson()
    cells["features"] = cells["features"][:-1]
    commit_version(package, "2", "2026-02-01T00:00:00Z", "annotations/cells/annotations.geojson", (json.dumps(cells) + "\n").encode())
    mifa("export", package, "--to", "zip", site / "pkg.zip")
    return site


@pytest.fixture(scope="module")
def nginx(site):
    with NginxServer(site, probe="pkg/zarr.json", access_log=True) as server:
        yield server


def upload(server, site, name):
    """`site/<name>` and `site/<name>.zip` put in moto under a fresh prefix, the folder named `<name>`
    (for the names exports derive from it) and the zip next to it, as `mifa export --to zip s3://...`
    writes it; returns the package's s3:// URL."""
    client = boto3.client("s3", endpoint_url=server.endpoint, aws_access_key_id="testing",
                          aws_secret_access_key="testing", region_name="us-east-1")
    prefix = f"{uuid.uuid4().hex}/{name}"
    for path in sorted((site / name).rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            client.put_object(Bucket=TEST_BUCKET, Key=f"{prefix}/{path.relative_to(site / name).as_posix()}", Body=path.read_bytes())
    client.put_object(Bucket=TEST_BUCKET, Key=f"{prefix}.zip", Body=(site / f"{name}.zip").read_bytes())
    return f"s3://{TEST_BUCKET}/{prefix}"


@pytest.fixture(scope="module")
def s3(site):
    """The package uploaded to moto under a fresh prefix; yields (server, s3:// URL)."""
    with MotoServer() as server:
        yield server, upload(server, site, "pkg")


# The query of a presigned URL (nginx serves the file whatever the query): it goes with every request.
PRESIGNED = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=0123abcd"


@pytest.fixture(scope="module")
def places(site, nginx, s3):
    return {"folder": str(site / "pkg"), "zip": str(site / "pkg.zip"), "http": f"{nginx.url}/pkg", "s3": s3[1],
            "http-zip": f"{nginx.url}/pkg.zip", "s3-zip": f"{s3[1]}.zip", "http-zip-query": f"{nginx.url}/pkg.zip?{PRESIGNED}"}


def run(mifa_bin, env, *args, check=True, timeout=120):
    proc = subprocess.run([mifa_bin, *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env)
    if check and proc.returncode != 0:
        raise AssertionError(f"mifa {' '.join(map(str, args))} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def packed_places(mifa, site, nginx, s3):
    """A second package, made by `mifa pack` (so with consolidated metadata, which `mifa validate`
    checks against every node) and given a version 2 that edits mifa.json, in the same places."""
    root = site / "packedv"
    if not root.exists():
        shutil.copytree(packed(mifa, site, 2), root)
        metadata = json.loads((root / "mifa.json").read_text())
        metadata["study"]["title"] += " (revised)"
        commit_version(root, "2", "2099-01-01T00:00:00Z", "mifa.json", (json.dumps(metadata, indent=2) + "\n").encode())
        mifa("export", root, "--to", "zip", site / "packedv.zip")
    url = upload(s3[0], site, "packedv")
    return {"folder": str(root), "zip": str(site / "packedv.zip"), "http": f"{nginx.url}/packedv", "s3": url,
            "http-zip": f"{nginx.url}/packedv.zip", "s3-zip": f"{url}.zip"}


@pytest.mark.parametrize("command", [
    ["audit", "{}", "--json"], ["validate", "{}", "--json"], ["diff", "{}", "1", "2", "--json"],
    ["credits", "{}", "--json"], ["log", "{}", "--json"],
    # The same for the packed package, whose consolidated metadata validate checks node by node.
    ["validate", "{}", "--json", "packed"], ["diff", "{}", "1", "2", "--json", "packed"],
], ids=lambda c: c[0] + ("-packed" if c[-1] == "packed" else ""))
def test_json_outputs_are_the_same_in_a_folder_a_zip_over_http_and_s3(mifa_bin, s3, places, command, request):
    outputs = {}
    if command[-1] == "packed":
        command, places = command[:-1], request.getfixturevalue("packed_places")
    for name, place in places.items():
        proc = run(mifa_bin, s3[0].env(), *[part.format(place) for part in command])
        outputs[name] = without_location(json.loads(proc.stdout), place)
    if command[0] == "audit":
        # Only over HTTP, where nothing can be listed, the audit says which checks it could not run.
        for name, report in outputs.items():
            unlisted = [f for f in report["findings"] if f["code"] == "listing-unavailable"]
            assert len(unlisted) == (1 if name == "http" else 0), (name, unlisted)
            if unlisted:
                assert unlisted[0]["severity"] == "info" and "were not looked for" in unlisted[0]["message"], unlisted
                report["findings"].remove(unlisted[0])
                report["counts"]["info"] -= 1
    for name, output in outputs.items():
        assert output == outputs["folder"], name
    if command[0] == "audit":
        assert outputs["folder"]["verdict"] != "errors", outputs["folder"]["findings"]
    if command[0] == "validate":
        assert outputs["folder"]["valid"] and outputs["folder"]["findings"] == [], outputs["folder"]
    if command[0] == "diff":
        assert outputs["folder"] != {}, outputs["folder"]


@pytest.mark.parametrize("fmt,chosen", [("coco", "cells"), ("coco", "nuclei"), ("geojson", "cells"), ("croissant", None)])
def test_exports_are_the_same_bytes_from_every_place(mifa_bin, s3, places, fmt, chosen, tmp_path):
    exported = {}
    for name, place in places.items():
        out = tmp_path / f"{name}.json"
        run(mifa_bin, s3[0].env(), "export", place, "--to", fmt, out, *(["--set", chosen] if chosen else []))
        document = json.loads(out.read_bytes())
        # Croissant names the package (its location relative to the description, or its URL).
        exported[name] = without_location(document, place) if fmt == "croissant" else out.read_bytes()
    for name, document in exported.items():
        assert document == exported["folder"], name


def test_checkout_and_zip_export_from_every_place_restore_the_same_files(mifa_bin, s3, places, tmp_path):
    trees = {}
    for name, place in places.items():
        out = tmp_path / name
        run(mifa_bin, s3[0].env(), "checkout", place, "1", out)
        trees[name] = {p.relative_to(out).as_posix(): sha256(p.read_bytes()) for p in sorted(out.rglob("*")) if p.is_file()}
    assert trees["folder"] and all(tree == trees["folder"] for tree in trees.values())
    run(mifa_bin, s3[0].env(), "export", places["http"], "--to", "zip", tmp_path / "again.zip")
    run(mifa_bin, s3[0].env(), "audit", tmp_path / "again.zip")


def test_bench_over_a_remote_package_reads_the_same_samples(mifa_bin, s3, places):
    reports = {}
    for name, place in places.items():
        proc = run(mifa_bin, s3[0].env(), "bench", place, "--patch", "16,16", "--batch", "4", "--epochs", "1", "--seed", "3", "--json")
        reports[name] = json.loads(proc.stdout)
    for name, report in reports.items():
        assert report["batches"] == reports["folder"]["batches"], name
        assert report["digest"] == reports["folder"]["digest"], name


def requests_of(nginx, mifa_bin, env, *args):
    nginx.clear()
    run(mifa_bin, env, *args)
    return nginx.requests()


def wide_package(site):
    """`site/wide`: the package with 4 more images and a third version recording them."""
    wide = site / "wide"
    if not wide.exists():
        shutil.copytree(site / "pkg", wide)
        for k in range(4):
            shutil.copytree(wide / "images/img2", wide / f"images/extra{k}")
        from package_helpers import write_version
        write_version(wide, "3", "2026-03-01T00:00:00Z", previous="2", changes="more images")
    return wide


def test_opening_a_package_over_http_costs_requests_that_do_not_grow_with_its_images(mifa_bin, site, nginx, s3, mifa, tmp_path):
    """`mifa log` and `mifa validate` open the package: zarr.json, manifest.json, the version records,
    mifa.json (validate reads manifest.json to check the consolidated metadata, which these packages
    do not have). A copy with 4 more images costs exactly as many requests; `mifa audit` requests each file once."""
    wide_package(site)
    env = s3[0].env()
    counts = {}
    for name in ("pkg", "wide"):
        url = f"{nginx.url}/{name}"
        counts[name] = {command: len(requests_of(nginx, mifa_bin, env, command, url, "--json")) for command in ("log", "validate")}
        audit = requests_of(nginx, mifa_bin, env, "audit", url, "--json")
        listed = json.loads((site / name / "manifest.json").read_text())["files"]
        images = sum(1 for path in listed if path.count("/") == 2 and path.startswith("images/") and path.endswith("/zarr.json"))
        counts[name].update(audit=len(audit), files=len(listed), images=images)
        # Each content file is read once (hashed); besides: zarr.json, manifest.json, records, the
        # objects of earlier versions, and a few metadata reads per image opened for the coverage
        # checks. The checks read what was hashed from memory (ReadOnceStore): no file is requested
        # twice (before it, label images, annotation files and mifa.json were read up to 5 times).
        repeats = collections.Counter(audit)
        counts[name].update(audit_distinct=len(repeats), audit_most_repeated=max(repeats.values()))
        assert len(repeats) <= len(listed) + 45 + 3 * images, counts
        assert max(repeats.values()) == 1, repeats.most_common(5)
        # credits and diff read every version's annotation files: each requested once as well
        # (credits requested the annotation file 5 times before, diff the manifest and records twice).
        for command in (("credits", url, "--json"), ("diff", url, "1", "2", "--json")):
            repeats = collections.Counter(requests_of(nginx, mifa_bin, env, *command))
            assert max(repeats.values()) == 1, (command[0], repeats.most_common(5))
    print("requests:", counts)
    versions = {"pkg": 2, "wide": 3}
    # log: zarr.json + manifest.json + one record per version; validate: zarr.json + manifest.json + mifa.json.
    for name in ("pkg", "wide"):
        assert counts[name]["log"] == 2 + versions[name], counts
        assert counts[name]["validate"] == 3, counts


def packed(mifa, site, count):
    """`site/packed<count>`: a package of `count` images with masks (label set `set1`) and outlines
    (vector set `set2`), made by `mifa pack`, so its root zarr.json has consolidated metadata."""
    from test_package_pack import make_source
    target = site / f"packed{count}"
    if not target.exists():
        work = site.parent / f"{site.name}-source{count}"
        make_source(work / "source", count=count, size=48)
        mifa("pack", work / "source", target, "--metadata", work / "mifa.yaml", "--changes", "First")
    return target


def opening_reads(nginx, mifa_bin, env, url, *options):
    """What `mifa bench` of the package at `url` reads to open it and index its samples: every
    request but the reads of array chunks (keys under `/c/`) for the few patches it delivers."""
    lines = requests_of(nginx, mifa_bin, env, "bench", url, "--patch", "16,16", "--batch", "2", "--samples", "2", "--epochs", "1",
                        "--json", *options)
    return [line.split(" ")[1] for line in lines if "/c/" not in line.split(" ")[1]]


@pytest.mark.parametrize("options", [[], ["--label", "set1"]], ids=["images", "with-label"])
def test_opening_a_packed_package_over_http_costs_requests_that_do_not_grow_with_its_images(mifa_bin, mifa, site, nginx, s3, options):
    """`mifa bench` (the loader's sample index) of a package made by `mifa pack` reads its zarr.json
    (consolidated metadata of every image, level and label) and manifest.json once each, and the
    vector set, never an image's own zarr.json: 6 images cost exactly what 2 cost (per-image slope 0),
    with or without masks. A package written before consolidated metadata (the helper-built `pkg` and `wide`) still
    opens, reading each image's metadata as before."""
    env = s3[0].env()
    reads = {count: opening_reads(nginx, mifa_bin, env, f"{nginx.url}/{packed(mifa, site, count).name}", *options) for count in (2, 6)}
    print("metadata requests (packed):", {count: len(paths) for count, paths in reads.items()}, reads[6])
    for count, paths in reads.items():
        assert not [p for p in paths if p.startswith(f"/packed{count}/images/")], paths
        assert len(paths) == len(set(paths)), paths  # nothing read twice
        assert {f"/packed{count}/zarr.json", f"/packed{count}/manifest.json"} <= set(paths), paths
        assert len(paths) <= 4, paths
    # Slope 0: the same files whatever the number of images.
    assert [p.replace("/packed2/", "/") for p in reads[2]] == [p.replace("/packed6/", "/") for p in reads[6]]

    wide_package(site)
    old = {name: opening_reads(nginx, mifa_bin, env, f"{nginx.url}/{name}", *(["--label", "nuclei"] if options else [])) for name in ("pkg", "wide")}
    print("metadata requests (no consolidated metadata):", {name: len(paths) for name, paths in old.items()})
    for name, paths in old.items():
        assert f"/{name}/images/img1/zarr.json" in paths, paths  # read node by node
        assert paths.count(f"/{name}/zarr.json") == 1 and paths.count(f"/{name}/manifest.json") == 1, paths
    # Each added image (2 levels, no label image): its group and level zarr.json, and with --label a look for labels/.
    per_image = (len(old["wide"]) - len(old["pkg"])) / 4
    assert per_image <= (4 if options else 3), (per_image, old)


def hostile_copy(site, name, edit):
    target = site / name
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(site / "pkg", target)
    edit(target)
    return name


def rename_in_manifest(root, hostile):
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["files"][hostile] = manifest["files"].pop("mifa.json")
    (root / "manifest.json").write_text(json.dumps(manifest))


def previous_version(root, hostile):
    record = json.loads((root / "versions/2.json").read_text())
    record["previous_version"] = hostile
    (root / "versions/2.json").write_text(json.dumps(record))


def huge_file(root):
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["files"]["mifa.json"]["bytes"] = 10 << 30
    (root / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize("case,edit", [
    ("dotdot-file", lambda root: rename_in_manifest(root, "../../etc/passwd")),
    ("absolute-file", lambda root: rename_in_manifest(root, "/etc/passwd")),
    ("dotdot-version", lambda root: previous_version(root, "../../etc/passwd")),
    ("absolute-version", lambda root: previous_version(root, "/etc/passwd")),
    ("ten-gigabytes", huge_file),
], ids=lambda v: v if isinstance(v, str) else "")
@pytest.mark.parametrize("command", ["audit", "log", "credits", "checkout"])
def test_a_hostile_package_over_http_fails_clearly(mifa_bin, site, nginx, s3, case, edit, command, tmp_path):
    name = hostile_copy(site, f"hostile-{case}", edit)
    args = [command, f"{nginx.url}/{name}"] + (["2", tmp_path / "out"] if command == "checkout" else [])
    proc = run(mifa_bin, s3[0].env(), *args, check=False, timeout=60)
    # Only what reads the hostile part must fail: a claimed size is never reserved (the file is read
    # as it is and checked by its digest), and checking out version 2 never follows its previous_version.
    must_fail = command == "audit" or case.endswith("-file") or (case.endswith("-version") and command != "checkout")
    if not must_fail:
        assert proc.returncode in (0, 1), proc.stderr
        return
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    message = proc.stdout + proc.stderr
    assert "etc/passwd" in message or "bytes" in message, message
    assert "root:" not in message
    assert not (tmp_path / "out").exists()


def test_serve_reads_a_package_wherever_it_is(mifa_bin, s3, places, monkeypatch):
    """`mifa serve` of the folder, its zip, its nginx URL and its s3:// copy answers the API, a
    region, a tile and a byte range of a package file identically."""
    for key, value in s3[0].env().items():
        if key.startswith(("AWS_", "MIFA_TEST_")):
            monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    paths = ["/api/images", "/api/sets", "/api/versions", "/api/metadata", "/api/versions/1/2/diff",
             "/api/images/img1/region?level=0&region=0:8,0:8&format=npy", "/api/tiles/img1/0/0/0.png", "/files/mifa.json"]
    answers = {}
    for name, place in places.items():
        server = MifaServe(mifa_bin, place)
        try:
            for path in paths:
                status, _, body = server.request("GET", path)
                assert status == 200, (name, path, body[:300])
                answers.setdefault(path, {})[name] = body
            status, _, body = server.request("GET", "/files/mifa.json", {"Range": "bytes=3-12"})
            assert status == 206, name
            answers.setdefault("range", {})[name] = body
        finally:
            server.stop()
    for path, bodies in answers.items():
        assert len(set(bodies.values())) == 1, (path, {k: v[:80] for k, v in bodies.items()})


def test_a_zip_at_a_url_is_opened_with_one_ranged_read_whatever_its_entries(mifa_bin, site, s3, mifa):
    """A package's .zip at a URL is read in place: opening it is one suffix read (its end and central
    directory), each file one ranged read, never a download of the whole zip; a zip of the package with
    4 more images (about twice the entries) costs no more to open, and `mifa log` reads only the files it
    needs (zarr.json, manifest.json, the version records) besides."""
    if not (site / "wide.zip").exists():
        mifa("export", wide_package(site), "--to", "zip", site / "wide.zip")
    counts = {}
    with NginxServer(site, access_log=True, log_ranges=True) as server:
        for name, versions in (("pkg", 2), ("wide", 3)):
            entries = len(zipfile.ZipFile(site / f"{name}.zip").namelist())
            for command in ("log", "validate", "audit"):
                server.clear()
                run(mifa_bin, s3[0].env(), command, f"{server.url}/{name}.zip", "--json", check=command != "validate")
                requests = server.requests()
                assert requests and all(line.startswith(f"GET /{name}.zip bytes=") for line in requests), requests
                suffixes = [line for line in requests if " bytes=-" in line]
                assert len(suffixes) == 1 and requests[0] == suffixes[0], requests
                counts[(name, command)] = (len(requests), entries)
            # log: the open, then at most one read each for zarr.json, manifest.json and the records.
            assert counts[(name, "log")][0] <= 1 + 2 + versions, counts
            assert counts[(name, "validate")][0] <= 1 + 3, counts
    print("requests (made, zip entries):", counts)
    assert counts[("wide", "log")][0] <= counts[("pkg", "log")][0] + 1, counts


def test_a_zip_on_a_server_that_ignores_ranges_is_refused_saying_so(mifa_bin, site, nginx, s3):
    """nginx with `max_ranges 0` answers a range request with the whole file: every read of an entry
    would download the whole zip again, so a zip larger than the first read (64 KiB) is refused with
    exit 1 and a message that names the URL and says to download it."""
    assert (site / "pkg.zip").stat().st_size > 65557
    for command in (["audit", "{}"], ["validate", "{}"], ["zarr", "info", "{}"]):
        url = f"{nginx.url}/noranges/pkg.zip"
        proc = run(mifa_bin, s3[0].env(), *[part.format(url) for part in command], check=False, timeout=60)
        assert proc.returncode == 1, (command, proc.stdout, proc.stderr)
        message = proc.stdout + proc.stderr
        assert "does not honour byte ranges" in message and url in message and "download it" in message, message


def test_a_zip_url_with_a_query_keeps_it_on_every_request(mifa_bin, site, s3):
    """A presigned URL of a package's zip (`https://host/pkg.zip?X-Amz-...`) is read as the zip: every
    request, the first suffix read and each ranged read of an entry, carries the query."""
    seen = []
    with NginxServer(site, access_log=True, log_ranges=True, log_query=True) as server:
        for command in (["audit", "--json"], ["validate", "--json"], ["log", "--json"],
                        ["bench", "--patch", "16,16", "--batch", "2", "--samples", "2", "--json"]):
            server.clear()
            run(mifa_bin, s3[0].env(), command[0], f"{server.url}/pkg.zip?{PRESIGNED}", *command[1:])
            requests = server.requests()
            assert requests and all(line.startswith(f"GET /pkg.zip?{PRESIGNED} bytes=") for line in requests), (command, requests)
            seen += requests
    # Besides the suffix read that opens the zip, entries were read by range (with the query too).
    assert [line for line in seen if " bytes=-" not in line], seen


def test_a_path_inside_a_zip_url_with_a_query_keeps_the_query_on_every_request(mifa_bin, site, s3):
    """`mifa zarr info https://host/pkg.zip/<array>?X-Amz-...`: the query is the presigned zip's, not
    a part of the path inside it; every request (the suffix read that opens the zip, and any read of
    an entry) carries it, and the array is described as in the local zip."""
    with zipfile.ZipFile(site / "pkg.zip") as archive:
        inner = next(n for n in archive.namelist() if n.endswith("/0/zarr.json")).removesuffix("/zarr.json")
    local = run(mifa_bin, s3[0].env(), "zarr", "info", f"{site / 'pkg.zip'}/{inner}", "--json")
    with NginxServer(site, access_log=True, log_ranges=True, log_query=True) as server:
        proc = run(mifa_bin, s3[0].env(), "zarr", "info", f"{server.url}/pkg.zip/{inner}?{PRESIGNED}", "--json")
        requests = server.requests()
    assert requests and all(line.startswith(f"GET /pkg.zip?{PRESIGNED} bytes=") for line in requests), requests
    assert without_location(json.loads(proc.stdout), f"{server.url}/pkg.zip") == without_location(json.loads(local.stdout), str(site / "pkg.zip"))


def test_validate_reports_stale_consolidated_metadata_as_audit_does(mifa_bin, mifa, site, nginx, s3):
    """A node's zarr.json edited after `mifa pack`, the manifest left as it was: `mifa validate` of the
    package (a folder, over HTTP) reports the audit's own finding, consolidated-metadata-stale, an
    error, and exits 1; the package as packed validates."""
    packed_root = packed(mifa, site, 2)
    stale = site / "stale"
    if stale.exists():
        shutil.rmtree(stale)
    shutil.copytree(packed_root, stale)
    node = sorted(stale.glob("images/*/zarr.json"))[0]
    group = json.loads(node.read_text())
    group["attributes"]["edited"] = "after packing"
    node.write_text(json.dumps(group, indent=2))
    for place in (str(packed_root), f"{nginx.url}/{packed_root.name}"):
        proc = run(mifa_bin, s3[0].env(), "validate", place, "--json")
        assert json.loads(proc.stdout)["findings"] == [], proc.stdout
    audit = json.loads(run(mifa_bin, s3[0].env(), "audit", stale, "--json", check=False).stdout)
    expected = [f for f in audit["findings"] if f["code"] == "consolidated-metadata-stale"]
    assert expected and all(f["severity"] == "error" for f in expected), audit["findings"]
    for place in (str(stale), f"{nginx.url}/stale"):
        proc = run(mifa_bin, s3[0].env(), "validate", place, "--json", check=False)
        assert proc.returncode == 1, (proc.stdout, proc.stderr)
        output = json.loads(proc.stdout)
        assert output["valid"] is False and output["findings"] == expected, output["findings"]
        text = run(mifa_bin, s3[0].env(), "validate", place, check=False)
        assert text.returncode == 1 and "consolidated-metadata-stale" in text.stdout and "invalid" in text.stdout, text.stdout


def test_the_python_package_reads_a_package_wherever_it_is(s3, places):
    """`mifakit.open` of the same package in a folder, a zip, over HTTP and S3: the same metadata
    (read through the package's reader, not as a local file), images, versions and pixels."""
    code = ("import json, sys, mifakit; p = mifakit.open(sys.argv[1]); "
            "print(json.dumps({'metadata': p.metadata, 'images': sorted(p.images), "
            "'versions': len(p.versions), 'pixels': {i: int(p.read(i).astype('int64').sum()) for i in sorted(p.images)}}))")
    seen = {}
    for name, place in places.items():
        proc = subprocess.run([sys.executable, "-c", code, place], capture_output=True, text=True, env=s3[0].env(), timeout=120)
        assert proc.returncode == 0, (name, proc.stderr)
        seen[name] = json.loads(proc.stdout)
    assert seen["folder"]["metadata"]["study"], seen["folder"]
    for name, value in seen.items():
        assert value == seen["folder"], name
