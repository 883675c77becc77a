#!/usr/bin/env python3
"""Simulates the loader benchmark's chunk lookups under four cache policies, to choose the one the
loader's decoded-chunk cache uses (BENCHMARKS.md, batch loader).

Workload as in loader_bench.py: 16 images of 4096 x 4096 in 256 x 256 chunks, uint16 image chunks
(128 KiB, 0.197 ms to decode) and uint32 label chunks (256 KiB, 0.045 ms), random 256 x 256 patches
each needing the image and label chunks they touch; 475 MiB of cache (512 MiB budget less the batch
buffers). Prints the decode time per patch and the hit rate of: least recently used; Greedy-Dual-Size
(priority L + cost / size); Greedy-Dual-Size-Frequency (L + uses x cost / size); an oracle that
caches image chunks only; and what the loader does: the order of the coming patches is known (the
seed fixes it), so with a horizon of H patches registered ahead a chunk no registered patch needs goes
first (by GDSF among those), then the one whose next use is furthest per unit of decoding saved,
(next use - now) x size / cost (Belady's rule weighed by a miss's cost).

Usage: cache_policy_sim.py [--patches 60000] [--seed 1] [--horizons 1024,2048,4096]
"""
from __future__ import annotations

import argparse
import heapq
import random
from collections import OrderedDict

IMAGES, GRID, CHUNK, PATCH, SIZE = 16, 16, 256, 256, 4096
COST = {0: 0.197, 1: 0.045}   # ms to decode an image / label chunk
BYTES = {0: 128, 1: 256}      # KiB
CAPACITY = 475 * 1024         # KiB


def lookups(patches: int, rng: random.Random):
    for _ in range(patches):
        image, y, x = rng.randrange(IMAGES), rng.randrange(SIZE - PATCH), rng.randrange(SIZE - PATCH)
        rows, columns = {y // CHUNK, (y + PATCH - 1) // CHUNK}, {x // CHUNK, (x + PATCH - 1) // CHUNK}
        for kind in (0, 1):
            for row in rows:
                for column in columns:
                    yield image, kind, row, column


def simulate(policy: str, patches: int, seed: int) -> tuple[float, float]:
    rng = random.Random(seed)
    decoded = hits = count = used = 0
    decode_ms = 0.0
    lru: OrderedDict = OrderedDict()
    priority: dict = {}
    uses: dict = {}
    heap: list = []
    inflation = 0.0
    for key in lookups(patches, rng):
        count += 1
        kind = key[1]
        per_kib = COST[kind] / BYTES[kind]
        if policy == "lru":
            if key in lru:
                lru.move_to_end(key)
                hits += 1
                continue
            lru[key] = True
            used += BYTES[kind]
            while used > CAPACITY:
                old, _ = lru.popitem(last=False)
                used -= BYTES[old[1]]
        elif policy == "image chunks only":
            if key in lru:
                hits += 1
                continue
            if kind == 0 and used + BYTES[0] <= CAPACITY:
                lru[key] = True
                used += BYTES[0]
        else:
            frequency = policy == "GDSF"
            if key in priority:
                hits += 1
                uses[key] += 1
                priority[key] = inflation + (uses[key] if frequency else 1) * per_kib
                heapq.heappush(heap, (priority[key], key))
                continue
            uses[key] = 1
            priority[key] = inflation + per_kib
            heapq.heappush(heap, (priority[key], key))
            used += BYTES[kind]
            while used > CAPACITY:
                value, old = heapq.heappop(heap)
                if priority.get(old) != value:
                    continue  # stale
                del priority[old], uses[old]
                used -= BYTES[old[1]]
                inflation = value
        decoded += 1
        decode_ms += COST[kind]
    return decode_ms / patches, hits / count


def scheduled(patches: int, seed: int, horizon: int) -> tuple[float, float]:
    """The loader's policy with `horizon` patches registered ahead (one heap per kind of chunk, by
    next use; the chunks no registered patch needs in a GDSF heap)."""
    rng = random.Random(seed)
    keys, positions = [], []
    for position in range(patches):
        for key in lookups(1, rng):
            keys.append(key)
            positions.append(position)
    future: dict = {}
    for k, key in enumerate(keys):
        future.setdefault(key, []).append(positions[k])
    pointer = {key: 0 for key in future}
    cached: dict = {}  # key -> stamp
    needed = {0: [], 1: []}  # max-heaps by next use: (-next use, stamp, key)
    unneeded: list = []  # GDSF: (priority, stamp, key)
    uses: dict = {}
    inflation, stamp, used, hits, decode_ms = 0.0, 0, 0, 0, 0.0

    def place(key, now):
        nonlocal stamp
        stamp += 1
        cached[key] = stamp
        uses_ = future[key]
        j = pointer[key]
        while j < len(uses_) and uses_[j] <= now:
            j += 1
        pointer[key] = j
        if j < len(uses_) and uses_[j] <= now + horizon:
            heapq.heappush(needed[key[1]], (-uses_[j], stamp, key))
        else:
            heapq.heappush(unneeded, (inflation + uses[key] * COST[key[1]] / BYTES[key[1]], stamp, key))

    for k, key in enumerate(keys):
        now, kind = positions[k], key[1]
        uses[key] = uses.get(key, 0) + 1
        if key in cached:
            hits += 1
        else:
            decode_ms += COST[kind]
            used += BYTES[kind]
        place(key, now)
        while used > CAPACITY:
            while unneeded and cached.get(unneeded[0][2]) != unneeded[0][1]:
                heapq.heappop(unneeded)
            if unneeded:
                priority, _, old = heapq.heappop(unneeded)
                inflation = max(inflation, priority)
            else:
                best = None
                for heap in needed.values():
                    while heap and cached.get(heap[0][2]) != heap[0][1]:
                        heapq.heappop(heap)
                    if heap:
                        score = (-heap[0][0] - now) * BYTES[heap[0][2][1]] / COST[heap[0][2][1]]
                        if best is None or score > best[0]:
                            best = (score, heap)
                old = heapq.heappop(best[1])[2]
            del cached[old]
            used -= BYTES[old[1]]
    return decode_ms / patches, hits / len(keys)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patches", type=int, default=60000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--horizons", default="1024,2048,4096")
    args = parser.parse_args()
    print(f"uncached: {4 * (COST[0] + COST[1]):.3f} ms of decoding per patch (4 image + 4 label chunks, interior patches)")
    for policy in ("lru", "GDS", "GDSF", "image chunks only"):
        per_patch, hit_rate = simulate(policy, args.patches, args.seed)
        print(f"{policy:>18}: {per_patch:.3f} ms of decoding per patch, hit rate {100 * hit_rate:.1f}%")
    for horizon in (int(h) for h in args.horizons.split(",")):
        per_patch, hit_rate = scheduled(args.patches, args.seed, horizon)
        print(f"{'scheduled ' + str(horizon):>18}: {per_patch:.3f} ms of decoding per patch, hit rate {100 * hit_rate:.1f}%")


if __name__ == "__main__":
    main()
