"""Timing one child process for the benchmarks: wall time, CPU time of all its threads, peak memory."""
from __future__ import annotations

import os
import subprocess
import time


def run(command: list[str]) -> tuple[float, float, int]:
    """Runs a child; returns its wall time and CPU time (user + system, all threads) in seconds and
    its peak resident set in bytes (from `wait4`). Stops the benchmark when the child fails."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    stderr = process.stderr.read().decode()
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def keep_best(best: dict, name: str, measurement: tuple[float, float, int]) -> None:
    """Keeps, per tool, the best wall and CPU time and the largest peak memory over the rounds."""
    seconds, cpu, peak = measurement
    previous = best.get(name)
    best[name] = (min(seconds, previous[0]), min(cpu, previous[1]), max(peak, previous[2])) if previous else (seconds, cpu, peak)
