"""Writing files so that a crash never leaves half of one: the cassette writer, the run journal
and ``smflow graph -o`` all go through here.

Why one module: "write a temp file, fsync, rename, fsync the directory" is easy to get subtly
wrong (forgetting the directory fsync makes the rename itself volatile), so it is written once.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["atomic_write", "fsync_dir"]


def atomic_write(path: Path, data: bytes, *, check: Callable[[Path], None] | None = None) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a part.

    ``check`` gets the temp file's path after fsync (to read back what really reached the disk);
    if it raises, the temp file is deleted and ``path`` is left untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        # mkstemp makes the file 0600; what we write is an ordinary (often committed) file: keep
        # the mode of the one it replaces, or 0644.
        os.chmod(fd, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if check is not None:
            check(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(directory: Path) -> None:
    """Make a new or renamed file's directory entry durable too (POSIX: fsync the directory);
    a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
