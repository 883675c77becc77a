"""Timing child processes for the benchmarks: wall time, CPU time of all their threads, peak memory;
the best of several rounds, and the Markdown table comparing the tools."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable


# Runs argv[1:] and reports its wall time, CPU time and peak RSS on the last line of stderr. The
# measured process is spawned by this small process, not by the benchmark: Linux carries a forking
# process's resident set into the child's peak (`ru_maxrss` survives `exec`), so a child forked by a
# benchmark holding hundreds of MiB of generated data would report them as its own.
_REPORTER = """
import os, sys, time
start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ)
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - start
print(f"\\nmeasured {elapsed} {usage.ru_utime + usage.ru_stime} {usage.ru_maxrss * 1024}", file=sys.stderr)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run(command: list[str]) -> tuple[float, float, int]:
    """Runs a child; returns its wall time and CPU time (user + system, all threads) in seconds and
    its peak resident set in bytes (from `wait4`, in a small spawning process: see `_REPORTER`).
    Stops the benchmark when the child fails."""
    process = subprocess.run([sys.executable, "-c", _REPORTER, *command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stderr, _, report = process.stderr.rstrip("\n").rpartition("\n")
    if process.returncode != 0 or not report.startswith("measured "):
        raise SystemExit(f"{' '.join(command)} failed:\n{process.stderr}")
    elapsed, cpu, peak = report.split()[1:]
    return float(elapsed), float(cpu), int(peak)


def best_of_rounds(tools: dict[str, tuple[list[str], Path]], rounds: int) -> dict[str, tuple[float, float, int]]:
    """Runs each tool's command once per round, the tools in turn, after removing its output; keeps per
    tool the best wall and CPU time and the largest peak memory over the rounds (progress on stderr)."""
    best: dict[str, tuple[float, float, int]] = {}
    for round_index in range(rounds):
        for name, (command, output) in tools.items():
            if output.exists():
                shutil.rmtree(output)
            seconds, cpu, peak = run(command)
            print(f"round {round_index + 1}: {name}: {seconds:.2f} s, CPU {cpu:.2f} s, peak {peak / 2**20:.0f} MiB", file=sys.stderr)
            previous = best.get(name)
            best[name] = (min(seconds, previous[0]), min(cpu, previous[1]), max(peak, previous[2])) if previous else (seconds, cpu, peak)
    return best


def comparison_table(best: dict[str, tuple[float, float, int]], extra: dict[str, Callable[[float, float, int], str]]) -> list[str]:
    """Markdown lines: per tool its best wall and CPU time, each also relative to the first tool's, its
    peak resident set, then one column per `extra` entry (header: value from wall, CPU and peak)."""
    first_time, first_cpu, _ = next(iter(best.values()))
    first = next(iter(best))
    lines = [" | ".join(["| tool", "best wall time (s)", f"time / {first.split(' (')[0]}'s", "best CPU time (s)",
                         f"CPU / {first.split(' (')[0]}'s", "peak RSS (MiB)", *extra]) + " |",
             "|---|" + "---:|" * (5 + len(extra))]
    for name, (seconds, cpu, peak) in best.items():
        cells = [name, f"{seconds:.2f}", f"{seconds / first_time:.2f}x", f"{cpu:.2f}", f"{cpu / first_cpu:.2f}x", f"{peak / 2**20:.0f}",
                 *(value(seconds, cpu, peak) for value in extra.values())]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def print_table(header: list[str], lines: list[list[str]], markdown: bool) -> None:
    """Prints rows under a header, as a Markdown table or as aligned plain columns."""
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for line in lines:
            print("| " + " | ".join(line) + " |")
    else:
        widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]
        print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
        for line in lines:
            print("  ".join(c.ljust(w) for c, w in zip(line, widths)))
