#!/usr/bin/env python3
"""A TCP proxy that adds latency, for benchmarks on loopback when `tc netem` is not available
(the kernel has no sch_netem: `tc qdisc add dev lo root netem delay 10ms` fails with "Specified
qdisc kind is unknown").

Every chunk of bytes forwarded, in either direction, is delivered `delay` seconds after the proxy
received it, in order, without a bandwidth limit: a request/response round trip costs 2 x delay
more, as netem's delay on both directions of a link does. Opening a connection costs one round
trip too (as a TCP handshake over such a link): the first bytes a client sends are held until
2 x delay after the connection was accepted, then delayed like any others.

As a module: `LatencyProxy(target_port, delay_ms=10)` runs the proxy in a process of its own
(so that its work is not counted in, and does not compete for the interpreter lock with, the
process being measured), a context manager; `.port` is where it listens on 127.0.0.1.
As a script: `latency_proxy.py TARGET_PORT DELAY_MS` prints "listening PORT" and serves until killed.
"""
from __future__ import annotations

import asyncio
import subprocess
import sys


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float, not_before: float) -> None:
    """Forwards what `reader` receives to `writer`, each chunk `delay` seconds after its arrival
    (and not before `not_before` + `delay`), in order; passes the end of the stream on the same way."""
    queue: asyncio.Queue = asyncio.Queue()
    loop = asyncio.get_running_loop()

    async def deliver() -> None:
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if data is None:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()

    sender = asyncio.create_task(deliver())
    try:
        while not sender.done():
            data = await reader.read(1 << 16)
            queue.put_nowait((max(loop.time(), not_before) + delay, data or None))
            if not data:
                break
        await sender  # raises what stopped the delivery (a peer that went away)
    finally:
        sender.cancel()


_connections: set[asyncio.Task] = set()  # the event loop only keeps weak references to tasks


async def _serve(target_port: int, delay: float) -> None:
    async def handle(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        accepted = asyncio.get_running_loop().time()
        task = asyncio.current_task()
        _connections.add(task)
        writers, pipes = [client_writer], []
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", target_port)
            writers.append(upstream_writer)
            pipes = [asyncio.create_task(_pipe(client_reader, upstream_writer, delay, accepted + 2 * delay)),
                     asyncio.create_task(_pipe(upstream_reader, client_writer, delay, 0.0))]
            # Both directions end at their end of stream; when either fails (a peer went away), both end.
            await asyncio.wait(pipes, return_when=asyncio.FIRST_EXCEPTION)
        except OSError:
            pass
        finally:
            for pipe in pipes:
                pipe.cancel()
            for pipe in pipes:
                if pipe.done() and not pipe.cancelled():
                    pipe.exception()  # retrieved: a peer going away is not an error of the proxy
            for writer in writers:
                writer.close()
            _connections.discard(task)

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=256)
    print(f"listening {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


class LatencyProxy:
    """The proxy in a child process, in front of 127.0.0.1:`target_port`; stopped on exit."""

    def __init__(self, target_port: int, delay_ms: float = 10.0):
        self.delay_ms = delay_ms
        self.process = subprocess.Popen([sys.executable, __file__, str(target_port), str(delay_ms)],
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


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print("usage: latency_proxy.py TARGET_PORT DELAY_MS", file=sys.stderr)
        sys.exit(2)
    try:
        asyncio.run(_serve(int(sys.argv[1]), float(sys.argv[2]) / 1000))
    except KeyboardInterrupt:
        pass
