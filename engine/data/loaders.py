"""Reading data files: CSV/TSV/text, .npy/.npz (never unpickled) and MNIST IDX (raw or gzip).

Text tables (reading and :func:`save_csv`) live in :mod:`engine.data.text`, IDX files in
:mod:`engine.data.idx`; this module holds the entry point, .npy/.npz and the size checks.
:func:`load` picks the reader from the file's content (magic bytes) and its
extension. Every problem with a file raises :class:`engine.data.DataError`
whose message starts with the file name, says what is wrong and, where it can,
what to do; no other exception escapes :func:`load`, whatever the bytes.

Sizes are checked *before* anything is decoded or decompressed: the declared
shape of a .npy array or IDX file, and the declared size and compression ratio
of each .npz member, so a small file that would expand to gigabytes is refused
at once.

Example
-------
>>> import tempfile, os
>>> folder = tempfile.mkdtemp()
>>> path = os.path.join(folder, "two.csv")
>>> save_csv(path, np.array([[0.0, 1.0], [2.0, 3.5]]), labels=[0, 1])
>>> ds = load(path)
>>> ds.X.tolist(), ds.labels.tolist()
([[0.0, 1.0], [2.0, 3.5]], [0, 1])
"""
from __future__ import annotations

import gzip
import os
import zipfile
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

from engine.core.validation import all_whole
from engine.data.common import (SUPPORTED, LoadCancelled, cancel_check, check_size, dense_labels, drop_nonfinite,
                                reason)
from engine.data.dataset import MAX_BYTES, DataError, Dataset
from engine.data.idx import idx_dataset, idx_like, idx_size_from_header, read_idx
from engine.data.text import file_dataset, save_csv
from engine.data.textstream import MAX_TEXT_BYTES, MAX_TEXT_RATIO

__all__ = ["load", "save_csv", "read_idx", "SUPPORTED", "MAX_TEXT_BYTES", "MAX_RATIO", "LoadCancelled"]

TEXT_EXTS = {".csv", ".tsv", ".txt", ".dat", ".tab", ".data", ".text", ""}
#: Largest compression ratio accepted for a big .npz member (declared size / stored size).
MAX_RATIO = 200
#: Members smaller than this (declared, uncompressed) are harmless whatever their ratio.
RATIO_FREE_BYTES = 16 * 1024 ** 2
MAX_MEMBERS = 1000
X_KEYS = ("X", "x", "data")
LABEL_KEYS = ("labels", "y", "label", "target")

# ------------------------------------------------------------------ entry point
def load(path, cancel=None) -> Dataset:
    """Read a data file into a :class:`~engine.data.Dataset`.

    Supported: CSV/TSV/whitespace text (delimiter and header detected, one text
    column or a column named label/class/cluster/group/target taken as labels,
    rows with missing values dropped), .npy/.npz (never unpickled), MNIST IDX
    files raw or gzipped (the matching labels file beside an images file is read too).

    Text is read a piece at a time with every limit (size, rows, rows x columns, gzip expansion) checked while
    reading, so a file that will be refused is refused early (:mod:`engine.data.textstream`).

    Parameters
    ----------
    path : str or Path
    cancel : callable, optional
        ``cancel() -> bool``, checked while reading (about every megabyte); once True the load stops with
        :class:`~engine.data.common.LoadCancelled`. The thread's stop check (:func:`engine.core.cancel.watching`)
        does the same.

    Returns
    -------
    Dataset
        ``source`` is the path; ``notes`` lists what was done to the data (rows dropped, ...).

    Raises
    ------
    DataError
        For any problem with the file; the message starts with the file name (:class:`LoadCancelled`, a
        DataError, when cancelled).
    """
    try:
        path = Path(os.path.abspath(os.fspath(path)))
    except (TypeError, ValueError):
        raise DataError(f"{path!r} is not a file path.") from None
    name = path.name or str(path)
    check = cancel_check(cancel)
    try:
        check(name)
        return _load(path, name, check)
    except DataError:
        raise
    except MemoryError:
        raise DataError(f"{name}: not enough memory to read this file; use a smaller subset.") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{name}: is not readable text ({reason(exc)}).") from None
    except zipfile.BadZipFile as exc:
        raise DataError(f"{name}: damaged .npz (zip) archive ({reason(exc)}).") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{name}: cannot be read ({reason(exc)}).") from None
    except Exception as exc:  # noqa: BLE001 - any other failure on hostile bytes is still the file's fault
        raise DataError(f"{name}: cannot be read ({type(exc).__name__}: {reason(exc)}).") from None


def _load(path: Path, name: str, check) -> Dataset:
    if not path.exists():
        raise DataError(f"{name}: file not found ({path}).")
    if path.is_dir():
        raise DataError(f"{name}: is a folder, not a file; choose a data file inside it.")
    if not path.is_file():
        raise DataError(f"{name}: is not a regular file.")
    size = path.stat().st_size
    if size == 0:
        raise DataError(f"{name}: the file is empty.")
    with open(path, "rb") as f:
        head = f.read(8)
    lower = name.lower()
    ext = Path(lower).suffix
    idx_name = idx_like(lower)
    if head.startswith(b"\x93NUMPY"):
        return _load_npy(path, name)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            return _load_npz(path, name)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, ValueError) as exc:
            if isinstance(exc, DataError):
                raise
            raise DataError(f"{name}: damaged .npz (zip) archive ({reason(exc)}); save it again.") from None
    if head.startswith(b"\x1f\x8b"):
        try:
            return _load_gzip(path, name, check)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(f"{name}: damaged gzip file ({reason(exc)}); download or compress it again.") from None
    if len(head) >= 4 and head[0] == 0 and head[1] == 0 and head[2] == 0x08 and 1 <= head[3] <= 3:
        return idx_dataset(path, name, _read_limited(path, name, MAX_BYTES + 64))
    if ext == ".npy":
        raise DataError(f"{name}: not a NumPy .npy file (it does not start with the .npy magic bytes); "
                        "save arrays with numpy.save.")
    if ext == ".npz":
        raise DataError(f"{name}: not a NumPy .npz file (not a zip archive); save arrays with numpy.savez.")
    if ext == ".gz":
        raise DataError(f"{name}: not a gzip file (wrong magic bytes).")
    if idx_name:
        return idx_dataset(path, name, _read_limited(path, name, MAX_BYTES + 64))
    if ext in TEXT_EXTS:
        if size > MAX_TEXT_BYTES:
            raise DataError(f"{name}: {size:,} bytes, larger than the limit of {MAX_TEXT_BYTES // 1024 ** 2:,} MiB "
                            "of text; use a subset of the rows.")
        return file_dataset(path, name, max_bytes=MAX_TEXT_BYTES, check=check)
    raise DataError(f"{name}: unknown file type {ext!r}; Clusterlab reads {SUPPORTED}.")


def _read_limited(path: Path, name: str, limit: int) -> bytes:
    with open(path, "rb") as f:
        raw = f.read(limit + 1)
    if len(raw) > limit:
        raise DataError(f"{name}: larger than the limit of {limit // 1024 ** 2:,} MiB; use a subset of the rows.")
    return raw


def _load_gzip(path: Path, name: str, check) -> Dataset:
    inner = name[:-3] if name.lower().endswith(".gz") else name
    with gzip.open(path, "rb") as g:
        head = g.read(16)
        if head[:2] == b"\x00\x00" or idx_like(inner):
            raw = head + g.read(max(idx_size_from_header(head, name) - len(head), 0) + 1)
            return idx_dataset(path, name, raw)
    if Path(inner.lower()).suffix in TEXT_EXTS - {""}:
        return file_dataset(path, name, gz=True, max_bytes=MAX_TEXT_BYTES, max_ratio=MAX_TEXT_RATIO,
                            ratio_free=RATIO_FREE_BYTES, check=check)
    raise DataError(f"{name}: a gzip file holding neither an IDX file nor a text table ({inner}); "
                    f"Clusterlab reads {SUPPORTED}.")


# ------------------------------------------------------------------ npy / npz
#: Longest .npy header accepted (numpy's own default is 10,000 bytes).
MAX_NPY_HEADER = 65536
NPY_VERSIONS = ((1, 0), (2, 0), (3, 0))


class _Member(NamedTuple):
    """A .npy array in a .npz archive, as its header declares it."""

    info: zipfile.ZipInfo
    shape: tuple
    dtype: np.dtype
    header_bytes: int


def _npy_header(fp, name: str, what: str) -> tuple[tuple, np.dtype, int]:
    """The declared ``(shape, dtype, header_bytes)`` of the .npy stream ``fp``, read by numpy's header parser.

    Nothing after the header is read, so the declared size is checked before any data is.
    """
    try:
        version = np.lib.format.read_magic(fp)
    except Exception as exc:  # noqa: BLE001 - numpy's parser fails in many ways on damaged bytes
        raise DataError(f"{name}: {what} is not a .npy array ({reason(exc)}).") from None
    if version not in NPY_VERSIONS:
        raise DataError(f"{name}: {what} uses .npy format version {version}, which is not supported.")
    read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                   else np.lib.format.read_array_header_2_0)
    try:
        shape, _, dtype = read_header(fp, max_header_size=MAX_NPY_HEADER)
        dtype = np.dtype(dtype)
    except Exception as exc:  # noqa: BLE001
        raise DataError(f"{name}: {what} has a damaged .npy header ({reason(exc)}).") from None
    return tuple(shape), dtype, fp.tell()


def _check_decl(name: str, what: str, shape, dtype: np.dtype, labels: bool = False) -> int:
    """Refuse object/pickle, unsupported types and oversize arrays from the header alone; returns data bytes."""
    if dtype.hasobject:
        raise DataError(f"{name}: {what} holds Python objects, which can only be read by unpickling; "
                        "Clusterlab never unpickles files. Save a numeric array instead, "
                        "e.g. numpy.save(path, X.astype(float)).")
    kinds = "biuf" + ("US" if labels else "")
    if dtype.fields is not None or dtype.kind not in kinds or dtype.itemsize == 0:
        raise DataError(f"{name}: {what} has data type {dtype}, which is not supported; "
                        "save plain numbers (float or int).")
    if not 1 <= len(shape) <= 3:
        raise DataError(f"{name}: {what} has shape {tuple(shape)}; expected 1-D (values), 2-D (points x features) "
                        "or 3-D (images).")
    count = 1
    for s in shape:
        count *= int(s)
    if count == 0:
        raise DataError(f"{name}: {what} is empty (shape {tuple(shape)}).")
    check_size(name, int(shape[0]), count // int(shape[0]), what)
    if count * dtype.itemsize > MAX_BYTES:
        raise DataError(f"{name}: {what} declares {count * dtype.itemsize:,} bytes, over the "
                        f"{MAX_BYTES // 1024 ** 3} GiB limit.")
    return count * dtype.itemsize


def _read_npy_data(fp) -> np.ndarray:
    """The array of the .npy stream ``fp`` (at its start): ``np.load``, never unpickling.

    Called only once the header passed :func:`_check_decl` and the stream holds exactly the bytes it declares.
    """
    return np.load(fp, allow_pickle=False, max_header_size=MAX_NPY_HEADER)


def _load_npy(path: Path, name: str) -> Dataset:
    size = path.stat().st_size
    if size > MAX_BYTES + MAX_NPY_HEADER:
        raise DataError(f"{name}: {size:,} bytes, over the limit of {MAX_BYTES // 1024 ** 3} GiB of data; "
                        "use a subset of the rows.")
    with open(path, "rb") as f:
        shape, dtype, header_bytes = _npy_header(f, name, "the array")
        nbytes = _check_decl(name, "the array", shape, dtype)
        have = size - header_bytes
        if have < nbytes:
            raise DataError(f"{name}: the array is truncated: shape {shape} needs {nbytes:,} bytes of data but "
                            f"only {have:,} are there. The file is incomplete; save it again.")
        if have > nbytes:
            raise DataError(f"{name}: unexpected bytes after the array data of the array; the file is damaged.")
        f.seek(0)
        arr = _read_npy_data(f)
    return _array_dataset(arr, None, name, str(path))


def _load_npz(path: Path, name: str) -> Dataset:
    with zipfile.ZipFile(path) as zf:
        members = _npz_members(zf, _checked_infos(zf, name), name)
        xkey = _data_key(members, name)
        ykey = next((k for k in LABEL_KEYS if k != xkey and k in members), None)
        X = _read_member(zf, members[xkey], name, xkey)
        y = _read_member(zf, members[ykey], name, ykey, labels=True) if ykey is not None else None
    return _array_dataset(X, y, name, str(path), ykey=ykey)


def _checked_infos(zf: zipfile.ZipFile, name: str) -> list[zipfile.ZipInfo]:
    """The archive's files, refused from the zip directory alone when too many, encrypted or too big
    (declared size, or compression ratio: a possible zip bomb)."""
    infos = [i for i in zf.infolist() if not i.is_dir()]
    if len(infos) > MAX_MEMBERS:
        raise DataError(f"{name}: holds {len(infos):,} files; a .npz with at most {MAX_MEMBERS} arrays is expected.")
    total = 0
    for info in infos:
        total += info.file_size
        if info.flag_bits & 0x1:
            raise DataError(f"{name}: {info.filename} is encrypted; save the arrays without a password.")
        if info.file_size > MAX_BYTES + 65536 or total > 2 * MAX_BYTES:
            raise DataError(f"{name}: {info.filename} would expand to {info.file_size:,} bytes, over the "
                            f"{MAX_BYTES // 1024 ** 3} GiB limit; it was not decompressed.")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FREE_BYTES and ratio > MAX_RATIO:
            raise DataError(f"{name}: {info.filename} would expand {ratio:,.0f}-fold (from "
                            f"{info.compress_size:,} to {info.file_size:,} bytes), more than {MAX_RATIO}:1; "
                            "refused as a possible zip bomb, nothing was decompressed.")
    return infos


def _npz_members(zf: zipfile.ZipFile, infos, name: str) -> dict[str, _Member]:
    """The .npy arrays of the archive by key, from their headers only."""
    members = {}
    for info in infos:
        if not info.filename.endswith(".npy"):
            continue
        key = info.filename[:-4]
        with zf.open(info) as fp:
            members[key] = _Member(info, *_npy_header(fp, name, f"array {key!r}"))
    if not members:
        raise DataError(f"{name}: holds no .npy arrays; save data with numpy.savez(path, X=data).")
    return members


def _data_key(members: dict[str, _Member], name: str) -> str:
    """The key of the data array: a usual name (X, x, data), else the only 2-D (or 3-D) array, else the only
    array that is not named like labels."""
    xkey = next((k for k in X_KEYS if k in members), None)
    if xkey is not None:
        return xkey
    by_ndim = {nd: [k for k, m in members.items() if len(m.shape) == nd] for nd in (1, 2, 3)}
    rest = [k for k in members if k not in LABEL_KEYS]
    if len(by_ndim[2]) == 1:
        return by_ndim[2][0]
    if not by_ndim[2] and len(by_ndim[3]) == 1:
        return by_ndim[3][0]
    if len(rest) == 1:
        return rest[0]
    listing = ", ".join(f"{k} {m.shape}" for k, m in members.items())
    raise DataError(f"{name}: cannot tell which array holds the data ({listing}); name it 'X' or "
                    "'data', e.g. numpy.savez(path, X=data, labels=labels).")


def _read_member(zf: zipfile.ZipFile, member: _Member, name: str, key: str, labels: bool = False) -> np.ndarray:
    """One array of the archive, once its header and the archive's size for it agree."""
    what = f"array {key!r}"
    nbytes = _check_decl(name, what, member.shape, member.dtype, labels=labels)
    if member.info.file_size != member.header_bytes + nbytes:
        raise DataError(f"{name}: {what} declares {member.info.file_size:,} bytes in the archive but its header "
                        f"needs {member.header_bytes + nbytes:,}; the archive is damaged.")
    with zf.open(member.info) as fp:
        return _read_npy_data(fp)


def _array_dataset(arr: np.ndarray, y, name: str, source: str, ykey=None) -> Dataset:
    notes: list[str] = []
    image_shape = None
    if arr.ndim == 3:
        n, h, w = arr.shape
        image_shape = (h, w)
        if arr.dtype == np.uint8:
            notes.append("Pixel values 0-255 scaled to [0, 1].")
            X = arr.reshape(n, h * w).astype(np.float64) / 255.0
        else:
            X = arr.reshape(n, h * w).astype(np.float64)
    elif arr.ndim == 1:
        X = arr.astype(np.float64)[:, None]
    else:
        X = arr.astype(np.float64)
    labels = label_names = None
    if y is not None:
        if y.ndim != 1 or y.shape[0] != X.shape[0]:
            raise DataError(f"{name}: labels array {ykey!r} has shape {y.shape} but the data have {X.shape[0]:,} "
                            "rows; give one label per row.")
        if y.dtype.kind == "f":
            if not all_whole(y):
                raise DataError(f"{name}: labels array {ykey!r} holds non-integer numbers; labels must be whole "
                                "numbers or strings.")
        if y.dtype.kind == "S":
            y = np.char.decode(y, "latin-1")
        labels, label_names = dense_labels(y)
        notes.append(f"Labels from array {ykey!r} ({len(np.unique(labels))} values).")
    X, labels = drop_nonfinite(name, X, labels, notes)
    return Dataset(X, labels=labels, label_names=label_names, image_shape=image_shape, name=name,
                   source=source, notes=tuple(notes))


