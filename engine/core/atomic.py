"""Atomic file writes: every file Clusterlab writes goes through :func:`atomic_write`.

The content is written to a unique temporary file in the target's folder,
flushed and synced to disk, then renamed over the target (:func:`os.replace`),
so a reader never sees half a file and a failed write (disk full, no
permission, an exception while drawing) leaves the old file byte for byte and
no temporary file behind. A target that exists and is not a regular file (a
folder, ``/dev/full``) is refused rather than replaced.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> write_text_atomic(folder / "a.txt", "one").read_text()
'one'
>>> def fail(tmp):
...     tmp.write_text("half")
...     raise OSError("disk full")
>>> atomic_write(folder / "a.txt", fail)
Traceback (most recent call last):
...
OSError: disk full
>>> (folder / "a.txt").read_text(), sorted(p.name for p in folder.iterdir())
('one', ['a.txt'])
"""
from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Callable

__all__ = ["atomic_write", "write_bytes_atomic", "write_text_atomic"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _umask()


def atomic_write(path, write: Callable[[Path], object]) -> Path:
    """``write(tmp)`` fills a temporary file beside ``path`` (same suffix), which then replaces ``path``.

    Parameters
    ----------
    path : str or Path
        The target.
    write : callable
        Called with the temporary file's path; it writes the whole content there (it may
        open the file by name, as image writers do) and raises on failure.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OSError
        The target exists and is not a regular file, or writing failed (whatever ``write``
        raised is raised again, after the temporary file is removed).
    """
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        raise IsADirectoryError(21, "exists and is not a regular file; choose a file name", str(path)) \
            if stat.S_ISDIR(mode) else OSError(f"Cannot write {path}: it exists and is not a regular file.")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix + ".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        write(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, (mode & 0o777) if mode is not None else 0o666 & ~_UMASK)  # mkstemp's file is private
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    return path


def write_bytes_atomic(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; returns the path."""
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))


def write_text_atomic(path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically (newlines as given); returns the path."""
    def write(tmp: Path):
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    return atomic_write(path, write)
