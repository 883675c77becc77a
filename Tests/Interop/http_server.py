"""A real nginx for the tests: `NginxServer(root)` serves the folder `root` on a free loopback port
(range requests on, no directory listing; under `/noranges/` the same files with `max_ranges 0`, so
nginx answers a range request with the whole file, as servers that ignore Range do), a context manager; `.url` is its address and, with
`access_log=True`, `.requests()` lists the requests it has answered ("GET /path" each; with
`log_ranges=True` followed by the Range header, "-" when none; with `log_query=True` the path is
followed by its query, "/pkg.zip?X-Amz-Signature=..."), so a test can count what a command asked for. `MifaServe(mifa_bin, path)` runs `mifa serve` on a free port."""
import http.client
import os
import select
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path


def stop_process(process):
    """Terminates a server process and waits for it (killing it after 10 s)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class NginxServer:
    """nginx on 127.0.0.1 serving `root`, stopped on exit (or by `stop()`)."""

    def __init__(self, root, probe="", access_log=False, log_ranges=False, log_query=False):
        binary = next((p for p in ("/usr/sbin/nginx", "/usr/bin/nginx") if shutil.which(p)), None)
        if binary is None:
            raise RuntimeError("nginx is not installed (make deps installs nginx-light)")
        self.work = Path(tempfile.mkdtemp(prefix="mifa-nginx-"))
        (self.work / "logs").mkdir()
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            port = listener.getsockname()[1]
        user = "user root root;" if os.getuid() == 0 else ""
        self.log = self.work / "logs" / "access.log"
        fields = "$request_method " + ("$request_uri" if log_query else "$uri") + (" $http_range" if log_ranges else "")
        log = f"log_format requests '{fields}'; access_log {self.log} requests;" if access_log else "access_log off;"
        # 512 connections: a loader sized for latency keeps many reads in flight, each on a connection.
        (self.work / "nginx.conf").write_text(f"""{user}
worker_processes 1; daemon off; pid {self.work}/nginx.pid;
events {{ worker_connections 512; }}
http {{ {log} server {{ listen 127.0.0.1:{port}; root {root};
  location /noranges/ {{ alias {root}/; max_ranges 0; }} }} }}
""")
        self.process = subprocess.Popen([binary, "-p", str(self.work), "-c", str(self.work / "nginx.conf"),
                                         "-e", str(self.work / "logs" / "error.log")])
        self.url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{self.url}/{probe}", timeout=1).read()
                break
            except urllib.error.HTTPError:
                break  # it answers (a 403/404 for the probe is still an answer)
            except OSError:
                time.sleep(0.05)
        else:
            error = (self.work / "logs" / "error.log").read_text()
            self.stop()
            raise RuntimeError(f"nginx did not start: {error}")
        # nginx logs a request once it is done with it, which may be after the client has its answer:
        # wait for the probe's line, so that it is not counted as a request of the test.
        for _ in range(100):
            if not access_log or (self.log.exists() and self.log.read_text()):
                break
            time.sleep(0.02)
        self.clear()

    def requests(self):
        """The requests answered since the last `clear()`, as "METHOD /path" lines (nginx writes
        its log line when it has answered, so a finished client's requests are all there)."""
        return self.log.read_text().splitlines() if self.log.exists() else []

    def clear(self):
        if self.log.exists():
            self.log.write_text("")

    def stop(self):
        stop_process(self.process)
        shutil.rmtree(self.work, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class MifaServe:
    """`mifa serve` on a free port; the URL is read from the line it prints when it listens."""

    def __init__(self, mifa_bin, path, *extra):
        self.process = subprocess.Popen([mifa_bin, "serve", str(path), "--port", "0", *extra],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line, deadline = "", time.time() + 60
        while "mifa serve:" not in line and time.time() < deadline and self.process.poll() is None:
            ready, _, _ = select.select([self.process.stdout], [], [], max(0.0, deadline - time.time()))
            line = self.process.stdout.readline() if ready else ""
        if "mifa serve:" not in line:
            self.stop()
            raise AssertionError(f"mifa serve did not start: {line!r} {self.process.stderr.read()}")
        self.url = line[line.index("http://"):].split()[0].rstrip("/")
        self.host, port = self.url[len("http://"):].split(":")
        self.port = int(port)

    def request(self, method, path, headers=None):
        """One raw request (the path is sent exactly as given: no normalisation of '..')."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, dict(response.getheaders()), body

    def stop(self):
        stop_process(self.process)
