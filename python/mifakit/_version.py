"""The package's version: MIFAKit's (Sources/MIFACore/MIFAKitVersion.swift, `mifa --version`).

Tests/Python/test_abi.py checks that this, the C library's `mifa_version()` and `mifa --version` agree."""

__version__ = "0.1.0"
