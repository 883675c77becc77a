#!/usr/bin/env python3
"""Write a small corpus for the FuzzHTTP target: usage seeds_FuzzHTTP.py <corpus-dir>.

Each file is one request and the response a server sends to it, in the format Fuzz/FuzzHTTP/main.swift
reads: a request line (method, range, body limit), a line of body part sizes and repeats, the status,
the headers, an empty line and the body. The seeds cover well-behaved answers (200, 206, 404, HEAD)
and the hostile ones of Tests/Interop/test_hostile_http.py (endless, huge, short, gzip, redirects,
ranges ignored or answered wrongly). Deterministic, so the corpus is the same on every run.
"""
import sys
from pathlib import Path

BODY = bytes(range(256)) * 4  # 1 KiB


def exchange(request, status, headers, body=b"", chunks="chunks 4096 repeat 1"):
    head = "\n".join([request, chunks, str(status), *headers])
    return head.encode() + b"\n\n" + body


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    n = len(BODY)
    seeds = {
        "ok": exchange("GET - 4096", 200, [f"Content-Length: {n}"], BODY, "chunks 100,7,1000 repeat 1"),
        "ok-chunked": exchange("GET - 4096", 200, ["Transfer-Encoding: chunked"], BODY),
        "range-206": exchange("GET r10+100 4096", 206, ["Content-Range: bytes 10-109/1024", "Content-Length: 100"], BODY[10:110]),
        "range-206-end": exchange("GET r1000+100 4096", 206, ["Content-Range: bytes 1000-1023/1024"], BODY[1000:]),
        "range-206-wrong-start": exchange("GET r10+100 4096", 206, ["Content-Range: bytes 0-99/1024"], BODY[:100]),
        "range-206-too-long": exchange("GET r10+100 4096", 206, ["Content-Range: bytes 10-209/1024"], BODY[10:210]),
        "range-206-no-content-range": exchange("GET r10+100 4096", 206, [], BODY[10:110]),
        "range-206-short": exchange("GET r10+100 4096", 206, ["Content-Range: bytes 10-109/1024"], BODY[10:60]),
        "range-ignored": exchange("GET r10+100 4096", 200, [f"Content-Length: {n}"], BODY, "chunks 3,50 repeat 1"),
        "from-ignored": exchange("GET f1000 4096", 200, [], BODY),
        # rclone's `serve s3`: a range answered 200 with only its bytes and their Content-Range.
        "range-200-part": exchange("GET r10+100 4096", 200, ["Content-Range: bytes 10-109/1024", "Content-Length: 100"], BODY[10:110]),
        "range-200-whole": exchange("GET r10+100 4096", 200, [f"Content-Range: bytes 0-{n - 1}/{n}"], BODY),
        "suffix-200-part": exchange("GET s16 4096", 200, ["Content-Range: bytes 1008-1023/1024"], BODY[-16:]),
        "suffix-206": exchange("GET s16 4096", 206, ["Content-Range: bytes 1008-1023/1024"], BODY[-16:]),
        "suffix-ignored": exchange("GET s16 4096", 200, [], BODY, "chunks 64 repeat 8"),
        "endless": exchange("GET - 4096", 200, ["Connection: close"], BODY, "chunks 512 repeat 4096"),
        "endless-range": exchange("GET r0+10 4096", 200, [], BODY, "chunks 512 repeat 4096"),
        "huge": exchange("GET - 4096", 200, [f"Content-Length: {1 << 40}"]),
        "short": exchange("GET - 4096", 200, [f"Content-Length: {n + 1000}"], BODY),
        "long": exchange("GET - 4096", 200, ["Content-Length: 10"], BODY),
        "bad-length": exchange("GET - 4096", 200, ["Content-Length: 10", "Content-Length: 11"], BODY[:10]),
        "gzip": exchange("GET - 4096", 200, ["Content-Encoding: gzip", "Content-Length: 20"], b"\x1f\x8b" + bytes(18)),
        "gzip-transfer": exchange("GET - 4096", 200, ["Transfer-Encoding: gzip, chunked"], b"\x1f\x8b" + bytes(18)),
        "not-found": exchange("GET - 4096", 404, ["Content-Length: 9"], b"not found"),
        "error500": exchange("GET - 4096", 500, ["Retry-After: 1"], BODY, "chunks 64 repeat 200"),
        "head": exchange("HEAD - 4096", 200, [f"Content-Length: {1 << 40}"]),
        "redirect-same": exchange("GET - 4096", 302, ["Location: /store/other/key"]),
        "redirect-other": exchange("GET - 4096", 301, ["Location: http://localhost:8080/store/0/c/0/0"]),
        "range-416": exchange("GET r5000+10 4096", 416, ["Content-Range: bytes */1024"]),
    }
    for name, data in seeds.items():
        (out / f"seed-{name}").write_bytes(data)


if __name__ == "__main__":
    main()
