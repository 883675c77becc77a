"""Shared fixtures for the interop tests: the `mifa` binary and a runner for it."""
import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def mifa_bin() -> str:
    path = os.environ.get("MIFA_BIN", str(ROOT / ".build" / "debug" / "mifa"))
    if not Path(path).exists():
        pytest.fail(f"mifa binary not found at {path}: run `swift build` (or `make test`) first")
    return path


@pytest.fixture(scope="session")
def mifa(mifa_bin):
    """Run `mifa ARGS...`; returns the CompletedProcess (text mode). `parse_json=True` decodes stdout."""

    def run(*args, check=True, parse_json=False, timeout=300):
        proc = subprocess.run([mifa_bin, *map(str, args)], capture_output=True, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(f"mifa {' '.join(map(str, args))} exited {proc.returncode}\n"
                                 f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
        if parse_json:
            return proc, json.loads(proc.stdout)
        return proc

    return run
