"""What every notebook here shares: where the repository, the `mifa` binary and the samples are, a
clean work folder under out/notebooks/, and `mifa(...)`, which runs the command-line tool the way a
shell would, shows the command and its output, and stops the notebook if the command fails.

The `mifa` binary is $MIFA_BIN, or .build/debug/mifa of this repository (`swift build` makes it)."""
from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = next(p for p in (Path.cwd(), *Path.cwd().parents) if (p / "Package.swift").exists())
MIFA = Path(os.environ.get("MIFA_BIN", ROOT / ".build" / "debug" / "mifa"))
SAMPLES = ROOT / "Samples"


def shown(value) -> str:
    """A command-line argument as it reads best: paths relative to the repository."""
    text = str(value)
    prefix = str(ROOT) + os.sep
    return shlex.quote(text.replace(prefix, ""))


def mifa(*args, parse_json: bool = False, quiet: bool = False, exit_code: int = 0):
    """Run `mifa ARGS...`; print the command and its output (or return its JSON with parse_json).

    exit_code is the exit status expected: 1 to show a refusal, whose message (standard error) is
    printed; any other status stops the notebook."""
    if not MIFA.exists():
        raise FileNotFoundError(f"no mifa binary at {MIFA}: run `swift build` in {ROOT} or set MIFA_BIN")
    print("$ mifa " + " ".join(shown(a) for a in args))
    proc = subprocess.run([str(MIFA), *map(str, args)], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != exit_code:
        raise RuntimeError(f"mifa exited with {proc.returncode}, not {exit_code}:\n{proc.stderr}{proc.stdout}")
    if exit_code != 0:
        print(f"exit {proc.returncode}" + (f": {proc.stderr}" if proc.stderr else "\n"), end="")
    if parse_json:
        return json.loads(proc.stdout)
    if not quiet:
        print(proc.stdout, end="")
    return proc.stdout


def ensure_samples() -> Path:
    """The Samples folder, generated first if `make samples` has not been run."""
    expected = [SAMPLES / "nuclei" / "coco" / "instances.json", SAMPLES / "timelapse" / "TL1_GT" / "TRA" / "man_track.txt"]
    if not all(path.exists() for path in expected):
        subprocess.run([sys.executable, str(SAMPLES / "generate_samples.py")], check=True)
    return SAMPLES


def work_dir(name: str) -> Path:
    """An empty folder out/notebooks/NAME (git-ignored) for what a notebook writes."""
    path = ROOT / "out" / "notebooks" / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path
