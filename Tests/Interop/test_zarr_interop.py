"""Zarr interop: arrays written by zarr-python and tensorstore are read exactly by MIFAKit, and arrays
MIFAKit writes are read exactly by both (v2 and v3, every matrix type, order, codec, shards, ragged
edges and missing chunks). Stores: directory, zip, and HTTP through a server that ignores Range."""
from __future__ import annotations

import contextlib
import http.server
import socket
import threading
import zipfile
from functools import partial
from pathlib import Path

import numpy as np
import pytest
import zarr
from zarr.codecs import ZstdCodec

import zarr_matrix as m
from http_server import NginxServer

# zarr-python warns that numcodecs.zlib and consolidated metadata are outside the v3 spec; we test them on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

READ_CASES = [(writer, case) for writer in m.WRITERS for case in m.cases(writer)]
WRITE_CASES = m.cases("mifa")


@pytest.mark.parametrize("writer,case", READ_CASES, ids=[f"{w}-{c.id}" for w, c in READ_CASES])
def test_mifa_reads_what_reference_tools_write(writer, case, tmp_path, mifa):
    data = m.make_data(case.dtype, seed=len(case.id))
    path = tmp_path / "array.zarr"
    m.WRITERS[writer](path, case, data)
    out = tmp_path / "out.npy"
    mifa("zarr", "export", path, out)
    wanted = m.expected(case, data.astype(np.dtype(case.dtype)))
    m.assert_same(np.load(out), wanted, f"{writer} {case.id}")
    if writer == "zarr-python":
        # The exported file (decoded straight into its mapping) equals zarr-python's own read.
        m.assert_same(np.load(out), m.read_zarr_python(path), f"{writer} {case.id} against zarr-python's read")
    # A region across chunk (and shard) borders, with a concurrency budget of one, synced to disk.
    mifa("zarr", "export", path, out, "--region", "3:31,5:22", "--threads", "1", "--durable")
    m.assert_same(np.load(out), wanted[3:31, 5:22], f"{writer} {case.id} region")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["array.zarr", "out.npy"], "no temporary is left behind"


def _import_args(case: m.Case) -> list[str]:
    args = ["--zarr-format", str(case.fmt), "--chunks", ",".join(map(str, m.CHUNKS)), "--codec", case.codec, "--order", case.order]
    if case.shards:
        args += ["--shards", ",".join(map(str, m.SHARDS))]
    return args


@pytest.mark.parametrize("case", WRITE_CASES, ids=[c.id for c in WRITE_CASES])
def test_reference_tools_read_what_mifa_writes(case, tmp_path, mifa):
    data = m.make_data(case.dtype, seed=len(case.id))
    if case.missing:
        # Zeros (the fill value of imported arrays) outside a block: those chunks are not stored.
        sparse = np.zeros_like(data)
        sparse[12:25, 9:20] = data[12:25, 9:20]
        data = sparse
    source = tmp_path / "in.npy"
    np.save(source, np.asfortranarray(data) if case.order == "F" else data)
    path = tmp_path / "array.zarr"
    mifa("zarr", "import", source, path, *_import_args(case))
    if case.missing and not case.shards:
        stored = [p for p in path.rglob("*") if p.is_file() and p.name not in ("zarr.json", ".zarray", ".zattrs")]
        assert 0 < len(stored) < 4 * 4, f"chunks equal to the fill value must be left out, found {len(stored)}"
    for reader, read in m.READERS.items():
        if reader == "tensorstore" and case.fmt == 3 and case.codec.startswith("zlib"):
            continue  # tensorstore's zarr3 driver has no numcodecs.zlib
        m.assert_same(read(path), data, f"{reader} reading {case.id}")


def test_big_endian_and_dimension_separator_variants(tmp_path, mifa):
    data = m.make_data("int32")
    for separator in (".", "/"):
        path = tmp_path / f"sep{separator == '/'}.zarr"
        array = m.zarr.create_array(store=str(path), shape=m.SHAPE, chunks=m.CHUNKS, dtype=">i4", zarr_format=2,
                                    chunk_key_encoding={"name": "v2", "separator": separator}, fill_value=0)
        array[...] = data
        out = tmp_path / "out.npy"
        mifa("zarr", "export", path, out)
        m.assert_same(np.load(out), data, f"separator {separator}")
    # v3 with the "v2" chunk key encoding.
    path = tmp_path / "v3v2keys.zarr"
    array = m.zarr.create_array(store=str(path), shape=m.SHAPE, chunks=m.CHUNKS, dtype="int32", zarr_format=3,
                                chunk_key_encoding={"name": "v2", "separator": "."})
    array[...] = data
    mifa("zarr", "export", path, tmp_path / "out.npy")
    m.assert_same(np.load(tmp_path / "out.npy"), data, "v3 with v2 keys")


def test_info_reports_groups_arrays_and_consolidated_metadata(tmp_path, mifa):
    for fmt in (2, 3):
        root = m.zarr.open_group(str(tmp_path / f"g{fmt}.zarr"), mode="w", zarr_format=fmt)
        root.attrs["name"] = "demo"
        child = root.create_array("image", shape=(8, 9), chunks=(4, 4), dtype="uint16", dimension_names=["y", "x"] if fmt == 3 else None)
        child[...] = 1
        root.create_group("labels").create_array("cells", shape=(8, 9), chunks=(4, 4), dtype="uint32")
        m.zarr.consolidate_metadata(str(tmp_path / f"g{fmt}.zarr"))
        _, report = mifa("zarr", "info", tmp_path / f"g{fmt}.zarr", "--json", parse_json=True)
        assert report["node_type"] == "group" and report["zarr_format"] == fmt
        assert report["attributes"] == {"name": "demo"}
        assert report.get("consolidated") is True
        names = {c["name"]: c for c in report["children"]}
        assert names["image"]["shape"] == [8, 9] and names["image"]["data_type"] == "uint16"
        assert [c["name"] for c in names["labels"]["children"]] == ["cells"]
        text = mifa("zarr", "info", tmp_path / f"g{fmt}.zarr").stdout
        assert f"Zarr v{fmt} group" in text and "image" in text


def test_zip_stores(tmp_path, mifa):
    data = m.make_data("uint16")
    case = m.Case(3, "uint16", "blosc:lz4:5:shuffle", shards="crc")
    directory = tmp_path / "image.zarr"
    m.write_zarr_python(directory, case, data)
    for compression, name in ((zipfile.ZIP_STORED, "stored.ozx"), (zipfile.ZIP_DEFLATED, "deflated.zip")):
        archive = tmp_path / name
        with zipfile.ZipFile(archive, "w", compression=compression) as z:
            for file in sorted(directory.rglob("*")):
                if file.is_file():
                    z.write(file, file.relative_to(directory).as_posix())
        out = tmp_path / "out.npy"
        mifa("zarr", "export", archive, out, "--region", "0:20,3:28")
        m.assert_same(np.load(out), data[0:20, 3:28], name)
    # zarr-python's own ZipStore, with a group around the array.
    archive = tmp_path / "zp.zip"
    with contextlib.closing(m.zarr.storage.ZipStore(str(archive), mode="w")) as store:
        group = m.zarr.open_group(store, mode="w", zarr_format=3)
        array = group.create_array("raw", shape=m.SHAPE, chunks=m.CHUNKS, dtype="uint16")
        array[...] = data
    mifa("zarr", "export", f"{archive}/raw", tmp_path / "out.npy")
    m.assert_same(np.load(tmp_path / "out.npy"), data, "zarr-python ZipStore")


def test_a_zip_at_a_url_is_read_in_place_as_zarr_python_reads_the_file(tmp_path, mifa):
    """zarr-python's ZipStore written locally and served by nginx (ranges honoured): `mifa zarr export`
    of the array inside it at the URL gives what zarr-python reads from the local file, and `zarr info`
    describes it; the zip is never downloaded whole (every request is a ranged read)."""
    data = m.make_data("uint16")
    archive = tmp_path / "zp.zip"
    with contextlib.closing(m.zarr.storage.ZipStore(str(archive), mode="w")) as store:
        group = m.zarr.open_group(store, mode="w", zarr_format=3)
        array = group.create_array("raw", shape=m.SHAPE, chunks=m.CHUNKS, dtype="uint16")
        array[...] = data
    with contextlib.closing(m.zarr.storage.ZipStore(str(archive), mode="r")) as store:
        expected = m.zarr.open_array(store, path="raw", mode="r")[0:20, 3:28]
    with NginxServer(tmp_path, access_log=True, log_ranges=True) as server:
        out = tmp_path / "out.npy"
        mifa("zarr", "export", f"{server.url}/zp.zip/raw", out, "--region", "0:20,3:28")
        m.assert_same(np.load(out), expected, "zarr-python ZipStore at a URL")
        requests = server.requests()
        assert requests and all(line.startswith("GET /zp.zip bytes=") for line in requests), requests
        _, report = mifa("zarr", "info", f"{server.url}/zp.zip/raw", "--json", parse_json=True)
        assert report["shape"] == list(m.SHAPE)
        print("requests for one region:", len(requests))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_http_server_that_ignores_ranges(tmp_path, mifa):
    """Python's http.server answers Range requests with the whole file (200): the HTTP store must cut
    the ranges out itself, including the shard index suffix and the inner chunk ranges."""
    data = m.make_data("float32")
    m.write_zarr_python(tmp_path / "remote.zarr", m.Case(3, "float32", "zstd:3", shards="crc"), data)
    m.write_zarr_python(tmp_path / "remote2.zarr", m.Case(2, "float32", "blosc:lz4:5:shuffle"), data)
    handler = partial(_QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        for name in ("remote.zarr", "remote2.zarr"):
            out = tmp_path / "out.npy"
            mifa("zarr", "export", f"http://127.0.0.1:{port}/{name}", out, "--region", "5:30,0:20")
            m.assert_same(np.load(out), data[5:30, 0:20], f"http {name}")
            _, report = mifa("zarr", "info", f"http://127.0.0.1:{port}/{name}", "--json", parse_json=True)
            assert report["shape"] == list(m.SHAPE)
        proc = mifa("zarr", "export", f"http://127.0.0.1:{port}/absent.zarr", tmp_path / "x.npy", check=False)
        assert proc.returncode == 1 and "absent.zarr" in proc.stderr
    finally:
        server.shutdown()
        server.server_close()


def test_bad_input_is_a_clear_error(tmp_path, mifa):
    data = m.make_data("uint16")
    path = tmp_path / "bad.zarr"
    m.write_zarr_python(path, m.Case(3, "uint16", "blosc:lz4:5:shuffle"), data)
    chunk = path / "c" / "1" / "2"
    raw = bytearray(chunk.read_bytes())
    raw[4:8] = (1 << 30).to_bytes(4, "little")  # blosc nbytes lies
    chunk.write_bytes(bytes(raw))
    proc = mifa("zarr", "export", path, tmp_path / "x.npy", check=False)
    assert proc.returncode == 1
    assert "c/1/2" in proc.stderr and "blosc" in proc.stderr
    # A failed export leaves no file (not even its temporary), and an existing file untouched.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.zarr"]
    kept = tmp_path / "kept.npy"
    kept.write_bytes(b"earlier export")
    assert mifa("zarr", "export", path, kept, check=False).returncode == 1
    assert kept.read_bytes() == b"earlier export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.zarr", "kept.npy"]
    # Metadata with a negative shape.
    meta = path / "zarr.json"
    meta.write_text(meta.read_text().replace('"shape": [\n    37', '"shape": [\n    -37'))
    proc = mifa("zarr", "info", path, check=False)
    assert proc.returncode == 1 and "/shape/0" in proc.stderr
    # Usage errors exit 2.
    proc = mifa("zarr", "import", tmp_path / "x.npy", tmp_path / "y.zarr", "--chunks", "a,b", check=False)
    assert proc.returncode == 2


def test_export_replaces_an_existing_file_and_a_failed_band_leaves_nothing(tmp_path, mifa):
    """Exports decode bands of chunk rows (~1 MiB) in reused buffers written into a temporary: an
    export over an existing, larger file leaves exactly the new array; a chunk that fails in a
    later band, after earlier bands were written, leaves no temporary and the destination as it was."""
    data = (np.arange(1024 * 1024, dtype=np.uint32).reshape(1024, 1024) * 2654435761 % 65521).astype(np.uint16)
    path = tmp_path / "a.zarr"
    zarr.create_array(store=str(path), shape=data.shape, chunks=(64, 64), dtype="uint16", zarr_format=3,
                      compressors=[ZstdCodec(level=1)])[...] = data
    out = tmp_path / "out.npy"
    out.write_bytes(b"\x01" * (3 << 20))
    for threads in ("1", "2"):
        mifa("zarr", "export", path, out, "--threads", threads)
        assert np.array_equal(np.load(out), data) and out.stat().st_size == 128 + data.nbytes
        mifa("zarr", "export", path, out, "--region", "100:1000,30:1000", "--threads", threads)
        assert np.array_equal(np.load(out), data[100:1000, 30:1000])
    before = out.read_bytes()
    (path / "c" / "15" / "3").write_bytes(b"not zstd")  # in the last band: rows 960..1024
    for threads in ("1", "2"):
        proc = mifa("zarr", "export", path, out, "--threads", threads, check=False)
        assert proc.returncode == 1 and "c/15/3" in proc.stderr, proc.stderr
        assert out.read_bytes() == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["a.zarr", "out.npy"], "no temporary is left behind"


def test_delta_filters_and_shard_index_at_the_start(tmp_path, mifa):
    """Less common layouts written by zarr-python: numcodecs delta filters (v2 and v3), big-endian
    bytes, and shards whose index comes first."""
    from zarr.codecs import BloscCodec, BytesCodec, Crc32cCodec, ShardingCodec, ZstdCodec
    from zarr.codecs.numcodecs import Delta
    data = m.make_data("int32")
    arrays = {
        "v2-delta": dict(zarr_format=2, filters=[m.numcodecs.Delta(dtype="<i4")], compressors=m.numcodecs.Zstd(level=1)),
        "v3-delta": dict(zarr_format=3, filters=[Delta(dtype="<i4")], serializer=BytesCodec(endian="big"),
                         compressors=[BloscCodec(cname="zstd", shuffle="bitshuffle", typesize=4)]),
        "v3-index-start": dict(zarr_format=3, chunks=m.SHARDS, compressors=None, serializer=ShardingCodec(
            chunk_shape=m.CHUNKS, codecs=[BytesCodec(), ZstdCodec(level=2)], index_codecs=[BytesCodec(), Crc32cCodec()],
            index_location="start")),
    }
    for name, options in arrays.items():
        options.setdefault("chunks", m.CHUNKS)
        path = tmp_path / f"{name}.zarr"
        array = m.zarr.create_array(store=str(path), shape=m.SHAPE, dtype="int32", **options)
        array[...] = data
        out = tmp_path / "out.npy"
        mifa("zarr", "export", path, out, "--region", "1:36,2:27")
        m.assert_same(np.load(out), data[1:36, 2:27], name)
