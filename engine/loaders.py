"""Reading data files: CSV/TSV/text, .npy/.npz (never unpickled) and MNIST IDX (raw or gzip).

Every problem with a file raises :class:`engine.data.DataError` whose message
starts with the file name, says what is wrong and, where it can, what to do.
"""
from __future__ import annotations

import gzip
import io
import struct
import zlib
from pathlib import Path

import numpy as np

from .data import MAX_BYTES, MAX_POINTS, DataError, Dataset

IDX_DTYPES = {0x08: np.dtype(">u1")}


def _decode_idx(raw: bytes, name: str) -> np.ndarray:
    """Parse IDX bytes (already decompressed) into a uint8 array of the declared shape."""
    if len(raw) < 4:
        raise DataError(f"{name}: too short to be an IDX file ({len(raw)} bytes).")
    if raw[0] != 0 or raw[1] != 0:
        raise DataError(f"{name}: not an IDX file (wrong magic number 0x{raw[:4].hex()}; "
                        "MNIST files start with 0x00000803 for images or 0x00000801 for labels).")
    if raw[2] not in IDX_DTYPES:
        raise DataError(f"{name}: IDX data type 0x{raw[2]:02x} is not supported; only unsigned bytes (0x08), "
                        "as in MNIST, are.")
    ndim = raw[3]
    if not 1 <= ndim <= 3:
        raise DataError(f"{name}: IDX file with {ndim} dimensions; expected 1 (labels) or 3 (images).")
    head = 4 + 4 * ndim
    if len(raw) < head:
        raise DataError(f"{name}: truncated IDX header ({len(raw)} bytes, {head} needed).")
    dims = struct.unpack(">" + "I" * ndim, raw[4:head])
    count = 1
    for s in dims:
        count *= s
    if dims[0] == 0 or count == 0:
        raise DataError(f"{name}: IDX file declares no data (dimensions {dims}).")
    if dims[0] > MAX_POINTS or count * 8 > MAX_BYTES:
        raise DataError(f"{name}: IDX file declares dimensions {dims}, over the limit of {MAX_POINTS:,} points "
                        f"or {MAX_BYTES // 1024 ** 3} GiB of data.")
    have = len(raw) - head
    if have < count:
        raise DataError(f"{name}: truncated IDX data: dimensions {dims} need {count:,} bytes but only {have:,} "
                        "follow the header. The file is incomplete; download it again.")
    if have > count:
        raise DataError(f"{name}: {have - count:,} unexpected bytes after the IDX data (dimensions {dims}); "
                        "the file is damaged or not an IDX file.")
    return np.frombuffer(raw, dtype=np.uint8, count=count, offset=head).reshape(dims)


def read_idx(path) -> np.ndarray:
    """Read an IDX file (raw or gzip) into a uint8 array of its declared shape.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    ndarray of shape dims (e.g. (10000, 28, 28) for MNIST images, (10000,) for labels), uint8.
    """
    path = Path(path)
    name = path.name
    try:
        with open(path, "rb") as f:
            start = f.read(2)
            f.seek(0)
            if start == b"\x1f\x8b":
                with gzip.GzipFile(fileobj=f) as g:
                    head = g.read(16)
                    limit = _idx_size_from_header(head, name)
                    raw = head + g.read(max(limit - len(head), 0) + 1)
            else:
                raw = f.read(MAX_BYTES + 64)
    except DataError:
        raise
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{name}: cannot be read as IDX ({exc}).") from None
    return _decode_idx(raw, name)


def _idx_size_from_header(head: bytes, name: str) -> int:
    """Total IDX length (header + data) the header declares, or len(head) if the header is unusable."""
    if len(head) < 4 or head[0] or head[1] or not 1 <= head[3] <= 3 or len(head) < 4 + 4 * head[3]:
        return len(head)
    ndim = head[3]
    dims = struct.unpack(">" + "I" * ndim, head[4:4 + 4 * ndim])
    count = 1
    for s in dims:
        count *= s
    if count * 8 > MAX_BYTES or dims[0] > MAX_POINTS:
        raise DataError(f"{name}: IDX file declares dimensions {dims}, over the limit of {MAX_POINTS:,} points "
                        f"or {MAX_BYTES // 1024 ** 3} GiB of data.")
    return 4 + 4 * ndim + count
