"""The remote loader benchmark's latency proxy (Benchmarks/latency_proxy.py), over a real nginx: it
forwards the bytes of requests and responses unchanged (a body of many TCP chunks, in order), and
every exchange through it takes at least the delay it claims to add (a round trip: twice the
delay each way; a new connection: one round trip more), so it cannot silently become a plain pipe.
Only lower bounds are checked: a loaded machine makes exchanges slower, never faster."""
import http.client
import sys
import time
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "Benchmarks"))
from latency_proxy import LatencyProxy  # noqa: E402

from http_server import NginxServer

DELAY_MS = 50


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """nginx serving a 3 MB random body and a small one; yields (nginx, proxy in front of it, bodies)."""
    root = tmp_path_factory.mktemp("site")
    bodies = {"big.bin": np.random.default_rng(5).bytes(3 << 20), "small.txt": b"hello through the proxy\n"}
    for name, data in bodies.items():
        (root / name).write_bytes(data)
    with NginxServer(root, probe="small.txt") as nginx, LatencyProxy(int(nginx.url.rsplit(":", 1)[1]), DELAY_MS) as proxy:
        yield nginx, proxy, bodies


def exchange(connection, path, headers=None):
    start = time.perf_counter()
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    return response.status, body, time.perf_counter() - start


def test_the_proxy_forwards_bytes_unchanged(served):
    _, proxy, bodies = served
    connection = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=30)
    for name, data in bodies.items():
        status, body, _ = exchange(connection, f"/{name}")
        assert status == 200 and body == data, name
    status, body, _ = exchange(connection, "/big.bin", {"Range": "bytes=1000000-1000999"})
    assert status == 206 and body == bodies["big.bin"][1000000:1001000]
    connection.close()


def test_every_round_trip_takes_at_least_twice_the_delay(served):
    _, proxy, bodies = served
    round_trip = 2 * DELAY_MS / 1000
    connection = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=30)
    _, body, first = exchange(connection, "/small.txt")  # opening the connection costs a round trip too
    assert body == bodies["small.txt"]
    assert first >= 2 * round_trip, first
    for _ in range(3):  # the same (kept-alive) connection: one round trip per request
        _, body, seconds = exchange(connection, "/small.txt")
        assert body == bodies["small.txt"]
        assert seconds >= round_trip, seconds
    connection.close()
