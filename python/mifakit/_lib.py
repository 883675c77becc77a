"""The C library (libMIFAKit.so, include/mifakit.h) through ctypes: loading, signatures, and turning
a failed call into a :class:`~mifakit.errors.MIFAError`. ctypes releases the GIL during every
foreign call, so other Python threads run while the loader waits for a batch."""

from __future__ import annotations

import ctypes
import json
import os
import threading
from pathlib import Path
from typing import Any

from .errors import BY_STATUS, InternalError, InvalidArgumentError, MIFAError

c_char_p, c_void_p, c_int32, c_int64 = ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int32, ctypes.c_int64
P = ctypes.POINTER

# name: (argument types, result type); every function returning c_int32 is a mifa_status.
SIGNATURES: dict[str, tuple[list, Any]] = {
    "mifa_version": ([], c_char_p),
    "mifa_string_free": ([c_void_p], None),
    "mifa_last_error_status": ([], c_int32),
    "mifa_last_error_field": ([c_int32], c_char_p),
    "mifa_live_handles": ([P(c_int64), P(c_int64), P(c_int64)], c_int32),
    "mifa_package_open": ([c_char_p, P(c_void_p)], c_int32),
    "mifa_package_close": ([c_void_p], c_int32),
    "mifa_package_info": ([c_void_p, P(c_void_p)], c_int32),
    "mifa_package_document": ([c_void_p, c_char_p, P(c_void_p)], c_int32),
    "mifa_package_read": ([c_void_p, c_char_p, c_char_p, c_int64, P(c_int64), P(c_int64), c_int64, c_void_p, c_int64,
                           P(c_int32)], c_int32),
    "mifa_loader_create": ([c_char_p, P(c_void_p)], c_int32),
    "mifa_loader_destroy": ([c_void_p], c_int32),
    "mifa_loader_set_epoch": ([c_void_p, c_int64], c_int32),
    "mifa_loader_begin": ([c_void_p], c_int32),
    "mifa_loader_next": ([c_void_p, P(c_void_p), c_void_p], c_int32),
    "mifa_loader_info": ([c_void_p, P(c_void_p)], c_int32),
    "mifa_loader_metrics": ([c_void_p, P(c_void_p)], c_int32),
    "mifa_loader_state": ([c_void_p, P(c_void_p)], c_int32),
    "mifa_loader_restore": ([c_void_p, c_char_p], c_int32),
    "mifa_batch_samples": ([c_void_p, P(c_void_p)], c_int32),
    "mifa_batch_release": ([c_void_p], c_int32),
}

MAX_DIMS = 8


class Tensor(ctypes.Structure):
    """``mifa_tensor``: one tensor of a batch (C-order, native byte order)."""

    _fields_ = [("data", c_void_p), ("shape", c_int64 * MAX_DIMS), ("ndim", c_int32), ("dtype", c_int32)]


class BatchView(ctypes.Structure):
    """``mifa_batch_view``: a batch's images, masks (``ndim`` 0 when absent), epoch and number."""

    _fields_ = [("image", Tensor), ("mask", Tensor), ("epoch", c_int64), ("index", c_int64)]

DTYPES = {1: "bool", 2: "int8", 3: "int16", 4: "int32", 5: "int64", 6: "uint8", 7: "uint16", 8: "uint32", 9: "uint64",
          10: "float32", 11: "float64", 12: "float16"}

_lock = threading.Lock()
_library: ctypes.CDLL | None = None


def library_path() -> Path:
    """Where libMIFAKit.so is: $MIFAKIT_LIBRARY, else next to this file (where the wheel puts it)."""
    override = os.environ.get("MIFAKIT_LIBRARY")
    return Path(override) if override else Path(__file__).resolve().parent / "libMIFAKit.so"


def lib() -> ctypes.CDLL:
    """The loaded library (loaded once, on first use)."""
    global _library
    if _library is None:
        with _lock:
            if _library is None:
                path = library_path()
                if not path.is_file():
                    raise InternalError(f"the MIFAKit library is missing at {path}: build it (make lib) and reinstall, "
                                        f"or point MIFAKIT_LIBRARY at libMIFAKit.so", code="library-missing")
                library = ctypes.CDLL(str(path))
                for name, (arguments, result) in SIGNATURES.items():
                    function = getattr(library, name)
                    function.argtypes, function.restype = arguments, result
                _library = library
    return _library


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("utf-8", "replace")


def last_error(status: int) -> MIFAError:
    """The calling thread's last error as an exception of the class of `status`."""
    library = lib()
    field = library.mifa_last_error_field
    cls = BY_STATUS.get(status, InternalError)
    return cls(_text(field(1)) or f"status {status}", code=_text(field(0)) or "unknown", layer=_text(field(2)) or "abi",
               file=_text(field(3)), pointer=_text(field(4)), key=_text(field(5)))


def call(name: str, *arguments: Any) -> None:
    """Calls `name`; raises the thread's last error when it fails."""
    status = getattr(lib(), name)(*arguments)
    if status != 0:
        raise last_error(status)


def call_json(name: str, *arguments: Any) -> Any:
    """Calls a function whose last argument is a `char **out` of JSON; returns the parsed JSON."""
    out = c_void_p()
    call(name, *arguments, ctypes.byref(out))
    try:
        return json.loads(ctypes.string_at(out.value)) if out.value else None
    finally:
        lib().mifa_string_free(out)


def encode(text: str | os.PathLike | None) -> bytes | None:
    """A Python string (or path) as the NUL-terminated UTF-8 the C functions take."""
    if text is None:
        return None
    value = os.fspath(text)
    if not isinstance(value, str):
        value = os.fsdecode(value)
    if "\0" in value:
        raise InvalidArgumentError(f"{value!r} contains a NUL character")
    return value.encode("utf-8")


def live_handles() -> dict[str, int]:
    """How many package, loader and batch handles are open in the library (for leak checks)."""
    counts = [c_int64(), c_int64(), c_int64()]
    call("mifa_live_handles", *(ctypes.byref(c) for c in counts))
    return {"packages": counts[0].value, "loaders": counts[1].value, "batches": counts[2].value}


def version() -> str:
    """The C library's version."""
    return lib().mifa_version().decode()

