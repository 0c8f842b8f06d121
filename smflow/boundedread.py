"""Reading a whole file the user named, without trusting it to be a small regular file.

``file("x")`` in a flow and ``--replay CASSETTE`` read a path the user typed. A FIFO would block
the run forever waiting for a writer, and ``/dev/zero`` or ``/dev/urandom`` never end: read whole,
either takes all memory. So the file is opened without blocking, must be a regular file, and is
read up to a limit. Callers turn ``FileRefusedError`` into their own error, naming the path.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["FileRefusedError", "read_regular_file"]


class FileRefusedError(Exception):
    """The path is not a regular file, or is larger than the caller allows (``str`` says which)."""


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    Raises ``OSError`` as ``open`` does (missing, a directory, no permission) and
    ``FileRefusedError`` for anything else that is not a regular file, or one over ``limit``.
    """
    # O_NONBLOCK: opening a FIFO that has no writer returns at once instead of waiting for one.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "Is a directory", str(path))
        if not stat.S_ISREG(info.st_mode):
            raise FileRefusedError(f"not a regular file (it is {_kind(info.st_mode)})")
        if info.st_size > limit:
            raise FileRefusedError(f"{info.st_size} bytes, over the {limit}-byte limit")
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > limit:  # it grew while being read
                raise FileRefusedError(f"over the {limit}-byte limit")
            chunks.append(chunk)
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"
