"""A hostile HTTP server on 127.0.0.1 against `mifa omezarr info|export`, `mifa zarr info|export` and
`mifa bench`: every misbehaviour must end with exit 1 and a clear message, in bounded time (the
subprocess timeout is the hang guard) and in bounded memory (peak RSS of the command, measured in a
small spawning process)."""
import gzip
import json
import re
import socket
import socketserver
import threading

import numpy as np
import pytest

import measured_run

SHAPE = (128, 128)  # 16 chunks: hostile chunk answers arrive on several connections at once
CHUNK = 32
PIXELS = (np.arange(SHAPE[0] * SHAPE[1]) % 251).astype(np.uint8).reshape(SHAPE)

# Peak resident memory allowed to a command reading a 16 KiB image from a hostile server, with a
# 16 MiB body limit. A debug build of mifa idles at ~60 MB; bodies that are not bounded while they
# stream (an endless body, gzip bombs inflated on several chunks at once) reach 0.6-2 GB.
MAX_RSS_BYTES = 300 << 20
# Short timeouts so the slow cases end quickly; the defaults are tested by the Swift unit tests.
HTTP_TIMEOUT = "2"


def image_files():
    """A small valid OME-Zarr 0.5 image (Zarr v3, uncompressed chunks): key -> bytes."""
    group = {"zarr_format": 3, "node_type": "group", "attributes": {"ome": {"version": "0.5", "multiscales": [{
        "axes": [{"name": "y", "type": "space"}, {"name": "x", "type": "space"}],
        "datasets": [{"path": "0", "coordinateTransformations": [{"type": "scale", "scale": [1.0, 1.0]}]}]}]}}}
    array = {"zarr_format": 3, "node_type": "array", "shape": list(SHAPE), "data_type": "uint8",
             "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [CHUNK, CHUNK]}},
             "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
             "fill_value": 0, "codecs": [{"name": "bytes"}], "dimension_names": ["y", "x"]}
    files = {"img.zarr/zarr.json": json.dumps(group).encode(), "img.zarr/0/zarr.json": json.dumps(array).encode()}
    for i in range(SHAPE[0] // CHUNK):
        for j in range(SHAPE[1] // CHUNK):
            files[f"img.zarr/0/c/{i}/{j}"] = PIXELS[i * CHUNK:(i + 1) * CHUNK, j * CHUNK:(j + 1) * CHUNK].tobytes()
    return files


FILES = image_files()
GZIP_BOMB = gzip.compress(b"\0" * (256 << 20), compresslevel=9)  # 256 KiB that inflate to 256 MiB


class Handler(socketserver.BaseRequestHandler):
    """Serves FILES at /<mode>/<scope>/<key>: `scope` is `all` (every key misbehaves) or `chunks`
    (only chunk keys do; metadata is served correctly), `mode` names the misbehaviour. The answers
    that are a status only (`error500`, `forbidden`) are given to every key of scope `all`, present
    in FILES or not (a failing server does not know what it would have had)."""

    def handle(self):
        sock = self.request
        stop = self.server.stop
        try:
            request = b""
            while b"\r\n\r\n" not in request:
                data = sock.recv(65536)
                if not data:
                    return
                request += data
            line = request.split(b"\r\n", 1)[0].decode()
            method, target = line.split(" ")[:2]
            parts = target.lstrip("/").split("/", 2)
            mode, scope, key = parts if len(parts) == 3 else ("ok", "all", "")
            body = FILES.get(key)
            if scope == "all" and mode in ("error500", "forbidden"):
                body = b""
            if body is None:
                sock.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                return
            if scope == "chunks" and "/c/" not in key:
                mode = "ok"
            send_body = method != "HEAD"
            if mode == "ok":
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body))
                if send_body:
                    sock.sendall(body)
            elif mode == "silent":
                stop.wait()
            elif mode == "stall":
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body))
                stop.wait()
            elif mode == "trickle":
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body))
                for byte in body:
                    if stop.wait(1.0):
                        return
                    sock.sendall(bytes([byte]))
            elif mode == "gzip":
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                             % len(GZIP_BOMB))
                if send_body:
                    sock.sendall(GZIP_BOMB)
            elif mode == "endless":
                sock.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
                block = b"\0" * 65536
                while send_body and not stop.is_set():
                    sock.sendall(block)
            elif mode == "huge":
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (1 << 40))
                stop.wait()
            elif mode == "short":
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (len(body) + 1000))
                if send_body:
                    sock.sendall(body)
            elif mode == "error500":
                sock.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            elif mode == "forbidden":
                # As S3 refuses a request it cannot authorise (and as a web server refuses a private file).
                document = b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
                sock.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Type: application/xml\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"
                             % (len(document), document))
            elif mode == "badrange":
                # A partial answer that is not the range asked for (no Range is sent for whole chunks).
                sock.sendall(b"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-%d/%d\r\nContent-Length: %d\r\n"
                             b"Connection: close\r\n\r\n" % (len(body) - 1, len(body) + 10, len(body)))
                if send_body:
                    sock.sendall(body)
            elif mode in ("slowdown", "reqtimeout"):
                # S3 throttling (test_hostile_s3.py): every other request for a key is refused with an
                # S3 error document that asks to try again; the next one is served.
                with self.server.lock:
                    self.server.attempts[key] = self.server.attempts.get(key, 0) + 1
                    refuse = self.server.attempts[key] % 2 == 1
                if refuse:
                    status, code = (b"503 Slow Down", b"SlowDown") if mode == "slowdown" else (b"400 Bad Request", b"RequestTimeout")
                    document = b"<Error><Code>%s</Code><Message>Please try again.</Message></Error>" % code
                    sock.sendall(b"HTTP/1.1 %s\r\nContent-Type: application/xml\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"
                                 % (status, len(document), document))
                else:
                    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body))
                    if send_body:
                        sock.sendall(body)
            elif mode == "samehost":
                location = f"/ok/all/{key}"
                sock.sendall(b"HTTP/1.1 301 Moved Permanently\r\nLocation: %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                             % location.encode())
            elif mode == "redirect":
                location = f"http://localhost:{self.server.server_address[1]}/ok/all/{key}"
                sock.sendall(b"HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                             % location.encode())
        except (BrokenPipeError, ConnectionResetError):
            pass


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.attempts = {}


@pytest.fixture(scope="module")
def server():
    httpd = Server()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.stop.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join(10)


def run_measured(mifa_bin, *args, timeout=90):
    """Runs `mifa ARGS` (with a short HTTP timeout); returns (exit code, output text, peak RSS bytes)."""
    return measured_run.run_measured([mifa_bin, *args, "--http-timeout", HTTP_TIMEOUT], timeout)


def test_the_well_behaved_server_is_read(server, mifa_bin, tmp_path):
    code, output, _ = run_measured(mifa_bin, "omezarr", "info", f"{server}/ok/all/img.zarr")
    assert code == 0, output
    out = tmp_path / "ok.npy"
    code, output, _ = run_measured(mifa_bin, "omezarr", "export", f"{server}/ok/all/img.zarr", out)
    assert code == 0, output
    assert np.array_equal(np.load(out), PIXELS)


CASES = [
    # (mode, words one of which the message must contain)
    ("silent", ["no response within"]),
    ("stall", ["stalled"]),
    ("trickle", ["stalled"]),
    ("gzip", ["gzip"]),
    ("endless", ["longer than"]),
    ("huge", ["announced"]),
    ("short", ["Content-Length", "bytes remaining"]),
    ("error500", ["HTTP 500"]),
    ("redirect", ["redirected"]),
    ("badrange", ["Content-Range", "whole value"]),
]
IDS = [case[0] for case in CASES]


@pytest.mark.parametrize("mode,words", CASES, ids=IDS)
def test_hostile_metadata_fails_cleanly(server, mifa_bin, mode, words):
    code, output, peak = run_measured(mifa_bin, "omezarr", "info", f"{server}/{mode}/all/img.zarr",
                                      "--http-max-body", "16M")
    assert code == 1, output
    assert any(word in output for word in words), output
    assert "Fatal error" not in output and "Traceback" not in output, output
    assert peak < MAX_RSS_BYTES, f"peak RSS {peak} bytes"


@pytest.mark.parametrize("mode,words", CASES, ids=IDS)
def test_hostile_chunks_fail_cleanly(server, mifa_bin, mode, words, tmp_path):
    out = tmp_path / "out.npy"
    code, output, peak = run_measured(mifa_bin, "omezarr", "export", f"{server}/{mode}/chunks/img.zarr", out,
                                      "--http-max-body", "16M")
    assert code == 1, output
    assert any(word in output for word in words), output
    assert "Fatal error" not in output, output
    assert peak < MAX_RSS_BYTES, f"peak RSS {peak} bytes"
    assert not out.exists()


# What reads a package, with the options that make `bench` short.
PACKAGE_COMMANDS = [["audit"], ["validate"], ["bench", "--patch", "16,16", "--batch", "2", "--samples", "2"]]


def package_root_fails(mifa_bin, url, command, status):
    """`mifa COMMAND URL` of a package whose every key answers `status` (after the retries of a
    500): exit 1, the URL and the status named, never "not a package" (nor an image's error)."""
    code, output, _ = measured_run.run_measured([mifa_bin, command[0], url, *command[1:]], 90)
    assert code == 1, output
    assert url in output and status in output, output
    assert "not a package" not in output and "not-a-package" not in output and "no zarr.json" not in output, output
    assert "Fatal error" not in output and "Traceback" not in output, output


@pytest.mark.parametrize("command", PACKAGE_COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("mode,status", [("error500", "HTTP 500"), ("forbidden", "HTTP 403")])
def test_a_package_root_that_cannot_be_read_is_an_error_not_no_package(server, mifa_bin, mode, status, command):
    package_root_fails(mifa_bin, f"{server}/{mode}/all/pkg", command, status)


@pytest.mark.parametrize("command", PACKAGE_COMMANDS[:2], ids=lambda c: c[0])
def test_a_missing_package_root_is_still_no_package(server, mifa_bin, command):
    # A 404 for the root zarr.json is "nothing there": not a package (bench of such a URL reads it
    # as a bare image: test_bench_reads_a_well_behaved_server).
    code, output, _ = measured_run.run_measured([mifa_bin, command[0], f"{server}/ok/all/pkg"], 90)
    assert code == 1 and "no zarr.json" in output, output


def test_a_same_host_redirect_is_followed(server, mifa_bin, tmp_path):
    out = tmp_path / "moved.npy"
    code, output, _ = run_measured(mifa_bin, "omezarr", "export", f"{server}/samehost/all/img.zarr", out)
    assert code == 0, output
    assert np.array_equal(np.load(out), PIXELS)


@pytest.mark.parametrize("mode,words", [("endless", ["longer than"]), ("gzip", ["gzip"]), ("trickle", ["stalled"])])
def test_zarr_commands_hold_to_the_limits(server, mifa_bin, mode, words, tmp_path):
    code, output, peak = run_measured(mifa_bin, "zarr", "info", f"{server}/{mode}/all/img.zarr/0", "--http-max-body", "16M")
    assert code == 1 and any(word in output for word in words), output
    assert peak < MAX_RSS_BYTES, f"peak RSS {peak} bytes"
    out = tmp_path / "out.npy"
    code, output, peak = run_measured(mifa_bin, "zarr", "export", f"{server}/{mode}/chunks/img.zarr/0", out,
                                      "--http-max-body", "16M")
    assert code == 1 and any(word in output for word in words), output
    assert peak < MAX_RSS_BYTES, f"peak RSS {peak} bytes"
    assert not out.exists()


def test_bench_reads_a_well_behaved_server(server, mifa_bin):
    code, output, _ = run_measured(mifa_bin, "bench", f"{server}/ok/all/img.zarr", "--patch", "32,32", "--batch", "2",
                                   "--samples", "8", "--json")
    assert code == 0, output
    assert re.search(r'"patches":\s*8\b', output), output


@pytest.mark.parametrize("mode,words", [("endless", ["longer than"]), ("gzip", ["gzip"]), ("silent", ["no response within"]),
                                        ("stall", ["stalled"])])
def test_bench_against_hostile_chunks_fails_cleanly(server, mifa_bin, mode, words):
    # Metadata is served correctly, every chunk misbehaves: the loader's read-ahead threads (32 for a
    # URL) and its workers meet the hostile answers on up to 34 connections at once, each of which
    # may hold a body up to the limit (4M here: ~136 MB of endless bodies in all).
    code, output, peak = run_measured(mifa_bin, "bench", f"{server}/{mode}/chunks/img.zarr", "--patch", "32,32",
                                      "--batch", "4", "--samples", "16", "--http-max-body", "4M")
    assert code == 1, output
    assert any(word in output for word in words), output
    assert "Fatal error" not in output, output
    assert peak < MAX_RSS_BYTES, f"peak RSS {peak} bytes"


def test_a_server_that_never_accepts_times_out(mifa_bin):
    # A listening socket whose backlog is never accepted: the connection hangs before any byte.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        code, output, _ = run_measured(mifa_bin, "omezarr", "info", f"http://127.0.0.1:{port}/img.zarr")
    assert code == 1, output
    assert "no response within" in output, output


def test_bench_looks_for_a_package_within_the_http_timeout(server, mifa_bin):
    # Every key of the server stays silent: the package check (its root zarr.json) is held to
    # --http-timeout (2 s) too, as the image reads are. With the default limits it waited 30 s for
    # the root zarr.json alone before failing over to the image (35 s in all), so a run still going
    # after 25 s (reported as "hung") is the check ignoring the option, not a slow machine.
    code, output, _ = run_measured(mifa_bin, "bench", f"{server}/silent/all/img.zarr", "--patch", "32,32", "--batch", "2",
                                   "--samples", "2", timeout=25)
    assert code == 1, output
    assert "no response within" in output, output
