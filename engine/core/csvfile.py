r"""Writing CSV files: one helper for every table Clusterlab saves (data, labels, linkage, EM parameters).

Rows go through the standard :mod:`csv` module, so a name with a comma, a quote or a line break is quoted
properly, and the file is written atomically: a unique temporary file in the target's folder, flushed and synced
to disk, then renamed over the target (:func:`os.replace`, :mod:`engine.core.atomic`). A failed write leaves the old file untouched and no
half file behind. A target that exists and is not a regular file (a folder, a device) is refused.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> path = write_rows(folder / "t.csv", ["name", "value"], [["a, b", 1], ['5" disk', 2.5]])
>>> path.read_text(encoding="utf-8")
'name,value\n"a, b",1\n"5"" disk",2.5\n'
>>> format_rows(["x"], [[0.1]])
'x\n0.1\n'
"""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterable, Sequence

from engine.core.atomic import write_text_atomic

__all__ = ["write_rows", "format_rows", "write_text_atomic"]


def format_rows(header: Sequence | None, rows: Iterable[Sequence], quoting: int = csv.QUOTE_MINIMAL) -> str:
    """CSV text of a header line (skipped when None) and rows, lines ending in ``"\\n"``.

    Parameters
    ----------
    header : sequence or None
        Column names.
    rows : iterable of sequences
        Cells; numbers are written with ``str`` (the shortest text that reads back to the same float).
    quoting : int, optional
        A :mod:`csv` quoting constant; ``csv.QUOTE_NONNUMERIC`` quotes every text cell (an empty name too).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=quoting)
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write_rows(path, header: Sequence | None, rows: Iterable[Sequence], quoting: int = csv.QUOTE_MINIMAL) -> Path:
    """Write a CSV file atomically (see the module docstring); returns the path.

    Parameters
    ----------
    path : str or Path
    header, rows, quoting
        As for :func:`format_rows`.

    Raises
    ------
    OSError
        The folder cannot be written, the disk is full, or ``path`` exists and is not a regular file.
    """
    return write_text_atomic(path, format_rows(header, rows, quoting))
