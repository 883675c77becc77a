#!/usr/bin/env python3
"""A TCP proxy that adds latency, for benchmarks on loopback when `tc netem` is not available
(the kernel has no sch_netem: `tc qdisc add dev lo root netem delay 10ms` fails with "Specified
qdisc kind is unknown").

Every chunk of bytes forwarded, in either direction, is delivered `delay` seconds after the proxy
received it, in order, without a bandwidth limit: a request/response round trip costs 2 x delay
more, as netem's delay on both directions of a link does. Opening a connection costs one round
trip too (as a TCP handshake over such a link): the first bytes a client sends are held until
2 x delay after the connection was accepted, then delayed like any others.

The proxy is latency_proxy.c (one thread, epoll), built here with the Swift toolchain's clang on
first use (into .build-bench/, rebuilt when the source is newer): netem costs the measured machine
almost no CPU, and a proxy in Python (asyncio) cost 0.22 of a core at 1,300 reads/s and 0.4 at
2,300 on this 2-core machine, taken from the loader it was measuring.

As a module: `LatencyProxy(target_port, delay_ms=10)` runs the proxy in a process of its own,
a context manager; `.port` is where it listens on 127.0.0.1.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

SOURCE = Path(__file__).resolve().with_name("latency_proxy.c")
PROGRAM = SOURCE.parents[1] / ".build-bench" / "latency_proxy"


def built_proxy() -> Path:
    """The proxy's program, built from latency_proxy.c when missing or older than the source
    (into a temporary name first, so concurrent test workers never run a half-written file)."""
    if PROGRAM.exists() and PROGRAM.stat().st_mtime >= SOURCE.stat().st_mtime:
        return PROGRAM
    compiler = shutil.which("clang") or shutil.which("cc")
    if compiler is None:
        raise RuntimeError("building Benchmarks/latency_proxy.c needs clang (the Swift toolchain's) or cc on PATH")
    PROGRAM.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=PROGRAM.parent, prefix=".latency_proxy.")
    os.close(handle)
    try:
        subprocess.run([compiler, "-O2", "-Wall", "-Werror", "-o", temporary, str(SOURCE)], check=True)
        os.chmod(temporary, 0o755)
        os.replace(temporary, PROGRAM)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return PROGRAM


class LatencyProxy:
    """The proxy in a child process, in front of 127.0.0.1:`target_port`; stopped on exit."""

    def __init__(self, target_port: int, delay_ms: float = 10.0):
        self.delay_ms = delay_ms
        self.process = subprocess.Popen([str(built_proxy()), str(target_port), str(delay_ms)],
                                        stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if not line.startswith("listening "):
            self.stop()
            raise RuntimeError(f"the latency proxy did not start (it printed {line!r})")
        self.port = int(line.split()[1])
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process.stdout.close()

    def __enter__(self) -> "LatencyProxy":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

