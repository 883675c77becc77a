"""MIFAKit's S3 store against a second S3-compatible server, `rclone serve s3` (s3_server.RcloneServer),
which answers differently from AWS S3 where moto does not: a range comes back `200 OK` with only the
range's bytes and their `Content-Range` (S3: `206`), and a suffix longer than the object is refused
with `416` (S3: the whole object). Inner chunks of a sharded array (byte ranges) and a zip smaller
than the tail its reader asks for must read as from disk; before, the first read came back empty
("the shard index points at bytes ... but the shard ends at byte ...") and the zip was "empty".
The files are placed in rclone's folder (written by zarr-python and `mifa export`), not uploaded."""
import json
import subprocess

import numpy as np
import pytest
import zarr

from package_helpers import build_package, cells_geojson
from test_package_pack import make_source
from s3_server import TEST_BUCKET, RcloneServer
from test_package_remote import without_location


@pytest.fixture(scope="module")
def rclone(tmp_path_factory, mifa):
    """rclone serving a bucket with a sharded array (zarr-python), a package and its zip; yields
    (server, the local copy of the bucket)."""
    root = tmp_path_factory.mktemp("rclone")
    bucket = root / TEST_BUCKET
    bucket.mkdir()
    array = zarr.create_array(str(bucket / "sharded.zarr"), shape=(100, 90), chunks=(10, 10), shards=(40, 30), dtype="uint16",
                              compressors=zarr.codecs.ZstdCodec(level=3))
    array[...] = np.arange(100 * 90, dtype=np.uint16).reshape(100, 90)
    package = build_package(mifa, bucket / "pkg", tmp_path_factory.mktemp("work"))
    mifa("export", package, "--to", "zip", bucket / "pkg.zip")
    with RcloneServer(root) as server:
        yield server, bucket


def run(mifa_bin, env, *args):
    proc = subprocess.run([mifa_bin, *map(str, args)], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, f"mifa {' '.join(map(str, args))} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_inner_chunks_of_a_sharded_array_read_by_range_as_from_disk(rclone, mifa_bin, tmp_path):
    server, bucket = rclone
    expected = zarr.open_array(str(bucket / "sharded.zarr"), mode="r")[13:77, 5:88]
    run(mifa_bin, server.env(), "zarr", "export", f"s3://{TEST_BUCKET}/sharded.zarr", tmp_path / "out.npy", "--region", "13:77,5:88")
    assert np.array_equal(np.load(tmp_path / "out.npy"), expected)


def test_a_package_and_a_small_zip_read_as_from_disk(rclone, mifa_bin):
    server, bucket = rclone
    # Smaller than the 65,557 bytes the zip reader asks for from the end: rclone answers that suffix 416.
    assert (bucket / "pkg.zip").stat().st_size < 22 + 65_535
    for place, remote in ((bucket / "pkg", f"s3://{TEST_BUCKET}/pkg"), (bucket / "pkg.zip", f"s3://{TEST_BUCKET}/pkg.zip")):
        for command in (["audit", "{}", "--json"], ["validate", "{}", "--json"]):
            outputs = [json.loads(run(mifa_bin, env, *[str(where) if a == "{}" else a for a in command]).stdout)
                       for where, env in ((place, None), (remote, server.env()))]
            assert without_location(outputs[0], str(place)) == without_location(outputs[1], remote), (command, place)


def test_writing_to_a_server_that_ignores_conditional_writes_is_refused(rclone, mifa_bin, tmp_path):
    """rclone 1.75's `serve s3` stores a PUT with `If-None-Match: *` over an existing object instead
    of answering 412: two writers could then both commit. `mifa pack` and `mifa version` to it exit 1
    saying so, before uploading anything, and leave the bucket as it was."""
    server, bucket = rclone
    folder = tmp_path / "src" / "source"
    make_source(folder, count=1, size=32)
    outlines = tmp_path / "extra.geojson"
    outlines.write_text(json.dumps(cells_geojson()))
    before = sorted(p.relative_to(bucket).as_posix() for p in bucket.rglob("*") if p.is_file())
    attempts = (["pack", folder, f"s3://{TEST_BUCKET}/new", "--metadata", folder.parent / "mifa.yaml"],
                ["version", f"s3://{TEST_BUCKET}/pkg", "--version", "9", "--changes", "refused", "--annotations", f"extra={outlines}"])
    for args in attempts:
        proc = subprocess.run([mifa_bin, *map(str, args)], capture_output=True, text=True, timeout=120, env=server.env())
        assert proc.returncode == 1, (args, proc.stdout, proc.stderr)
        assert "does not honour conditional writes" in proc.stderr, proc.stderr
        after = sorted(p.relative_to(bucket).as_posix() for p in bucket.rglob("*") if p.is_file())
        assert after == before, (args, set(after) ^ set(before))
