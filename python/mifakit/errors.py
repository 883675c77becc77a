"""The exceptions of mifakit: one base class, :class:`MIFAError`, and one subclass per status of the
C ABI (include/mifakit.h). Each also derives from the built-in exception Python code expects
(``ValueError`` for bad arguments, ``FileNotFoundError`` for missing files, ...), so
``except ValueError`` works as usual."""

from __future__ import annotations


class MIFAError(Exception):
    """An error of MIFAKit, with the Swift error's stable ``code`` (e.g. ``"chunk-failed"``), its
    ``message``, the ``layer`` it comes from, and where: ``file``, ``pointer`` (a JSON pointer) and
    ``key`` (a chunk or store key), each ``None`` when unknown. ``status`` is the C ABI's status."""

    status: int = 0

    def __init__(self, message: str, *, code: str = "internal", layer: str = "python", file: str | None = None,
                 pointer: str | None = None, key: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.layer = layer
        self.file = file
        self.pointer = pointer
        self.key = key

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"

    def __reduce__(self):  # picklable across DataLoader worker processes
        return (_rebuild, (type(self), self.message, self.code, self.layer, self.file, self.pointer, self.key))


def _rebuild(cls, message, code, layer, file, pointer, key):
    return cls(message, code=code, layer=layer, file=file, pointer=pointer, key=key)


class InvalidArgumentError(MIFAError, ValueError):
    """A bad argument: an unknown option, a value out of range, a malformed configuration."""
    status = 1


class InvalidDataError(MIFAError):
    """Invalid data: malformed metadata, a corrupt chunk, an image the loader cannot sample."""
    status = 2


class NotFoundError(MIFAError, FileNotFoundError):
    """A file, image, level, label or annotation set that does not exist."""
    status = 3


class MIFAIOError(MIFAError, OSError):
    """Reading or writing failed."""
    status = 4


class MemoryBudgetError(MIFAError, MemoryError):
    """The memory budget cannot hold what was asked (or every batch buffer is held by the caller)."""
    status = 5


class StateError(MIFAError, RuntimeError):
    """The call does not fit the object's state (a checkpoint of another loader, a closed handle)."""
    status = 6


class InternalError(MIFAError, RuntimeError):
    """An error MIFAKit did not classify (a bug: please report it)."""
    status = 7


BY_STATUS: dict[int, type[MIFAError]] = {cls.status: cls for cls in
                                         (InvalidArgumentError, InvalidDataError, NotFoundError, MIFAIOError,
                                          MemoryBudgetError, StateError, InternalError)}
