"""Runs a command in a fresh spawning process and reports its exit status, output and peak RSS:
ru_maxrss of RUSAGE_CHILDREN is a high-water mark over every child ever waited for (and Linux
carries a forking process's resident set into it), so each command gets a small spawner of its own.
A command still running at `timeout` is killed and reported as `"hung"`."""
import json
import subprocess
import sys

SPAWN = """
import resource, subprocess, sys, json
try:
    proc = subprocess.run(sys.argv[2:], capture_output=True, text=True, timeout=float(sys.argv[1]))
except subprocess.TimeoutExpired as hung:  # the child is killed: nothing is left behind
    print(json.dumps({"code": "hung", "stdout": "", "stderr": f"hung: {hung}", "peak": 0}))
    sys.exit(0)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(json.dumps({"code": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr, "peak": peak}))
"""


def run_measured(command, timeout):
    """Runs `command` (a list); returns (exit code or "hung", stdout + stderr, peak RSS bytes)."""
    proc = subprocess.run([sys.executable, "-c", SPAWN, str(timeout), *map(str, command)], capture_output=True,
                          text=True, timeout=timeout + 30)
    result = json.loads(proc.stdout)
    return result["code"], result["stdout"] + result["stderr"], result["peak"]
