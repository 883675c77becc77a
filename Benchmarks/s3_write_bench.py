#!/usr/bin/env python3
"""Package writes to object storage over a slow link: `mifa pack` of a sample into a fresh s3:// prefix,
then `mifa flag` on it (which copies the package to a work folder, records the flag, and publishes
what differs through the commit protocol), against moto in server mode behind
Benchmarks/latency_proxy.py (10 ms each way: a request costs 20 ms more than on loopback).
`--baseline OLD_MIFA` runs another binary in the same rounds.

Usage: s3_write_bench.py [--mifa .build-bench/release/mifa] [--baseline OLD_MIFA] [--rounds 2]
       [--source Samples/nuclei]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests" / "Interop"))
sys.path.insert(0, str(ROOT / "Benchmarks"))
from latency_proxy import LatencyProxy  # noqa: E402
from s3_server import TEST_BUCKET, MotoServer  # noqa: E402


def timed(command: list[str], env: dict) -> float:
    start = time.perf_counter()
    run = subprocess.run(command, env=env, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{run.stderr}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mifa", default=str(ROOT / ".build-bench/release/mifa"))
    parser.add_argument("--baseline")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--source", default=str(ROOT / "Samples/nuclei"))
    args = parser.parse_args()
    binaries = {"mifa": args.mifa, **({"baseline": args.baseline} if args.baseline else {})}
    best: dict[tuple[str, str], float] = {}
    with MotoServer() as server:
        port = int(server.endpoint.rsplit(":", 1)[1])
        with LatencyProxy(port, delay_ms=10) as proxy:
            env = dict(os.environ, **server.env())
            env["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{proxy.port}"
            for _ in range(args.rounds):
                for name, binary in binaries.items():
                    url = f"s3://{TEST_BUCKET}/{uuid.uuid4().hex}/package"
                    pack = timed([binary, "pack", args.source, url, "--metadata", f"{args.source}/mifa.yaml"], env)
                    flag = timed([binary, "flag", url, "--reason", "timing", "--by", "bench"], env)
                    for operation, seconds in (("pack", pack), ("flag", flag)):
                        best[(name, operation)] = min(best.get((name, operation), float("inf")), seconds)
    files = sum(1 for p in Path(args.source).rglob("*") if p.is_file())
    print(f"source {args.source} ({files} files), moto behind a 10 ms-each-way proxy, best of {args.rounds} rounds\n")
    print("| command | " + " | ".join(f"{name} (s)" for name in binaries) + " |")
    print("|---|" + "---:|" * len(binaries))
    for operation in ("pack", "flag"):
        print(f"| mifa {operation} | " + " | ".join(f"{best[(name, operation)]:.2f}" for name in binaries) + " |")


if __name__ == "__main__":
    main()
