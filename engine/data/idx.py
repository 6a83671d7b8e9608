"""MNIST IDX files (raw or gzip): :func:`read_idx` for arrays, :func:`idx_dataset` for :func:`engine.data.load`.

The declared dimensions are checked against the size limits before the data
are read or decompressed; every problem raises :class:`engine.data.DataError`
naming the file. An images file (``*-images-idx3-ubyte``) is read with the
labels file beside it, when there is one.

Example
-------
>>> raw = bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 1, 2])
>>> decode_idx(raw, "labels").tolist()
[7, 1, 2]
"""
from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

import numpy as np

from engine.data.common import check_size, reason
from engine.data.dataset import MAX_BYTES, MAX_POINTS, DataError, Dataset

__all__ = ["read_idx", "decode_idx", "idx_dataset", "idx_like", "idx_size_from_header"]

IDX_DTYPES = {0x08: np.dtype(">u1")}


def decode_idx(raw: bytes, name: str) -> np.ndarray:
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
    dims, count = _dims(raw, ndim)
    if dims[0] == 0 or count == 0:
        raise DataError(f"{name}: IDX file declares no data (dimensions {dims}).")
    _check_dims(dims, count, name)
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
                    limit = idx_size_from_header(head, name)
                    raw = head + g.read(max(limit - len(head), 0) + 1)
            else:
                raw = f.read(MAX_BYTES + 64)
    except DataError:
        raise
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{name}: cannot be read as IDX ({reason(exc)}).") from None
    return decode_idx(raw, name)


def idx_size_from_header(head: bytes, name: str) -> int:
    """Total IDX length (header + data) the header declares, or len(head) if the header is unusable."""
    if len(head) < 4 or head[0] or head[1] or not 1 <= head[3] <= 3 or len(head) < 4 + 4 * head[3]:
        return len(head)
    ndim = head[3]
    dims, count = _dims(head, ndim)
    _check_dims(dims, count, name)
    return 4 + 4 * ndim + count


def _dims(head: bytes, ndim: int) -> tuple[tuple[int, ...], int]:
    """The ``ndim`` dimensions an IDX header declares and their product (the number of values)."""
    dims = struct.unpack(">" + "I" * ndim, head[4:4 + 4 * ndim])
    count = 1
    for s in dims:
        count *= s
    return dims, count


def _check_dims(dims, count: int, name: str) -> None:
    if dims[0] > MAX_POINTS or count * 8 > MAX_BYTES:
        raise DataError(f"{name}: IDX file declares dimensions {dims}, over the limit of {MAX_POINTS:,} points "
                        f"or {MAX_BYTES // 1024 ** 3} GiB of data.")


def idx_like(name: str) -> bool:
    """Whether a file name looks like an IDX file (``idx1``, ``idx3`` or ``ubyte`` in it)."""
    name = name.lower()
    return "idx1" in name or "idx3" in name or "ubyte" in name


def _labels_file_for(path: Path) -> Path | None:
    """The labels file beside an MNIST images file (``*-images-idx3-ubyte[.gz]``), if there is one."""
    base = path.name[:-3] if path.name.lower().endswith(".gz") else path.name
    if "idx3" not in base:
        return None
    cand = base.replace("images", "labels").replace("idx3", "idx1")
    for c in (cand, cand + ".gz"):
        p = path.with_name(c)
        if p != path and p.is_file():
            return p
    return None


def idx_dataset(path: Path, name: str, raw: bytes) -> Dataset:
    """The :class:`Dataset` of the IDX bytes ``raw`` read from ``path``: images scaled to [0, 1], with the labels
    file beside them; a labels file as one feature."""
    arr = decode_idx(raw, name)
    notes: list[str] = []
    labels = None
    image_shape = None
    if arr.ndim == 3:
        n, h, w = arr.shape
        check_size(name, n, h * w)
        X = arr.reshape(n, h * w).astype(np.float64) / 255.0
        image_shape = (h, w)
        lab_path = _labels_file_for(path)
        if lab_path is not None:
            try:
                lab = read_idx(lab_path)
            except DataError as exc:
                raise DataError(f"{name}: its labels file {lab_path.name} is unusable: {exc}") from None
            if lab.ndim != 1:
                raise DataError(f"{name}: its labels file {lab_path.name} holds a {lab.ndim}-D array, "
                                "not one label per image.")
            if lab.shape[0] != n:
                raise DataError(f"{name}: {n:,} images but its labels file {lab_path.name} has {lab.shape[0]:,} "
                                "labels; the two files must come from the same set.")
            labels = lab.astype(np.int64)
            notes.append(f"Labels read from {lab_path.name}.")
        else:
            notes.append("No labels file found beside the images (expected a ...-labels-idx1-ubyte file).")
    elif arr.ndim == 2:
        check_size(name, *arr.shape)
        X = arr.astype(np.float64)
    else:
        X = arr.astype(np.float64)[:, None]
        notes.append("An IDX labels file: its values are loaded as one feature. Open the images file to get "
                     "images with their labels.")
    return Dataset(X, labels=labels, image_shape=image_shape, name=name, source=str(path), notes=tuple(notes))
