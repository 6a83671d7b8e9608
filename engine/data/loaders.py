"""Reading data files: CSV/TSV/text, .npy/.npz (never unpickled) and MNIST IDX (raw or gzip).

Text tables (reading and :func:`save_csv`) live in :mod:`engine.data.text`;
this module holds the entry point, the binary formats and the size checks.
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
import io
import os
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

from engine.core.validation import all_whole
from engine.data.dataset import MAX_BYTES, MAX_POINTS, DataError, Dataset
from engine.data.text import (SUPPORTED, _check_size, _dense_labels, _drop_nonfinite, _reason, _text_dataset,
                       save_csv)

__all__ = ["load", "save_csv", "read_idx", "SUPPORTED", "MAX_TEXT_BYTES", "MAX_RATIO"]

TEXT_EXTS = {".csv", ".tsv", ".txt", ".dat", ".tab", ".data", ".text", ""}
#: Largest text file read (bytes).
MAX_TEXT_BYTES = 512 * 1024 ** 2
#: Largest compression ratio accepted for a big .npz member (declared size / stored size).
MAX_RATIO = 200
#: Members smaller than this (declared, uncompressed) are harmless whatever their ratio.
RATIO_FREE_BYTES = 16 * 1024 ** 2
MAX_MEMBERS = 1000
X_KEYS = ("X", "x", "data")
LABEL_KEYS = ("labels", "y", "label", "target")

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
        raise DataError(f"{name}: cannot be read as IDX ({_reason(exc)}).") from None
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



# ------------------------------------------------------------------ entry point
def load(path) -> Dataset:
    """Read a data file into a :class:`~engine.data.Dataset`.

    Supported: CSV/TSV/whitespace text (delimiter and header detected, one text
    column or a column named label/class/cluster/group/target taken as labels,
    rows with missing values dropped), .npy/.npz (never unpickled), MNIST IDX
    files raw or gzipped (the matching labels file beside an images file is read too).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    Dataset
        ``source`` is the path; ``notes`` lists what was done to the data (rows dropped, ...).

    Raises
    ------
    DataError
        For any problem with the file; the message starts with the file name.
    """
    try:
        path = Path(os.path.abspath(os.fspath(path)))
    except (TypeError, ValueError):
        raise DataError(f"{path!r} is not a file path.") from None
    name = path.name or str(path)
    try:
        return _load(path, name)
    except DataError:
        raise
    except MemoryError:
        raise DataError(f"{name}: not enough memory to read this file; use a smaller subset.") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{name}: is not readable text ({_reason(exc)}).") from None
    except zipfile.BadZipFile as exc:
        raise DataError(f"{name}: damaged .npz (zip) archive ({_reason(exc)}).") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{name}: cannot be read ({_reason(exc)}).") from None
    except Exception as exc:  # noqa: BLE001 - any other failure on hostile bytes is still the file's fault
        raise DataError(f"{name}: cannot be read ({type(exc).__name__}: {_reason(exc)}).") from None


def _load(path: Path, name: str) -> Dataset:
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
    idx_name = _idx_like(lower)
    if head.startswith(b"\x93NUMPY"):
        return _load_npy(path, name)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            return _load_npz(path, name)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, ValueError) as exc:
            if isinstance(exc, DataError):
                raise
            raise DataError(f"{name}: damaged .npz (zip) archive ({_reason(exc)}); save it again.") from None
    if head.startswith(b"\x1f\x8b"):
        try:
            return _load_gzip(path, name)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(f"{name}: damaged gzip file ({_reason(exc)}); download or compress it again.") from None
    if len(head) >= 4 and head[0] == 0 and head[1] == 0 and head[2] == 0x08 and 1 <= head[3] <= 3:
        return _load_idx(path, name, _read_limited(path, name, MAX_BYTES + 64))
    if ext == ".npy":
        raise DataError(f"{name}: not a NumPy .npy file (it does not start with the .npy magic bytes); "
                        "save arrays with numpy.save.")
    if ext == ".npz":
        raise DataError(f"{name}: not a NumPy .npz file (not a zip archive); save arrays with numpy.savez.")
    if ext == ".gz":
        raise DataError(f"{name}: not a gzip file (wrong magic bytes).")
    if idx_name:
        return _load_idx(path, name, _read_limited(path, name, MAX_BYTES + 64))
    if ext in TEXT_EXTS:
        return _text_dataset(_read_limited(path, name, MAX_TEXT_BYTES), name, str(path))
    raise DataError(f"{name}: unknown file type {ext!r}; Clusterlab reads {SUPPORTED}.")


def _idx_like(name: str) -> bool:
    name = name.lower()
    return "idx1" in name or "idx3" in name or "ubyte" in name


def _read_limited(path: Path, name: str, limit: int) -> bytes:
    with open(path, "rb") as f:
        raw = f.read(limit + 1)
    if len(raw) > limit:
        raise DataError(f"{name}: larger than the limit of {limit // 1024 ** 2:,} MiB; use a subset of the rows.")
    return raw


def _load_gzip(path: Path, name: str) -> Dataset:
    inner = name[:-3] if name.lower().endswith(".gz") else name
    with gzip.open(path, "rb") as g:
        head = g.read(16)
        if head[:2] == b"\x00\x00" or _idx_like(inner):
            raw = head + g.read(max(_idx_size_from_header(head, name) - len(head), 0) + 1)
            return _load_idx(path, name, raw)
        if Path(inner.lower()).suffix in TEXT_EXTS - {""}:
            raw = head + g.read(MAX_TEXT_BYTES + 1 - len(head))
            if len(raw) > MAX_TEXT_BYTES:
                raise DataError(f"{name}: decompresses to more than {MAX_TEXT_BYTES // 1024 ** 2:,} MiB of text; "
                                "use a subset of the rows.")
            return _text_dataset(raw, name, str(path))
    raise DataError(f"{name}: a gzip file holding neither an IDX file nor a text table ({inner}); "
                    f"Clusterlab reads {SUPPORTED}.")


# ------------------------------------------------------------------------ IDX
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


def _load_idx(path: Path, name: str, raw: bytes) -> Dataset:
    arr = _decode_idx(raw, name)
    notes: list[str] = []
    labels = None
    image_shape = None
    if arr.ndim == 3:
        n, h, w = arr.shape
        _check_size(name, n, h * w)
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
        _check_size(name, *arr.shape)
        X = arr.astype(np.float64)
    else:
        X = arr.astype(np.float64)[:, None]
        notes.append("An IDX labels file: its values are loaded as one feature. Open the images file to get "
                     "images with their labels.")
    return Dataset(X, labels=labels, image_shape=image_shape, name=name, source=str(path), notes=tuple(notes))


# ------------------------------------------------------------------ npy / npz
MAX_NPY_HEADER = 65536


def _npy_header(fp, name: str, what: str):
    """Read the .npy magic and header from ``fp``: (shape, fortran_order, dtype, header_bytes).

    The header length is checked before the header is read, so a forged length
    cannot make us read (or decompress) megabytes.
    """
    magic = fp.read(8)
    if len(magic) < 8 or not magic.startswith(b"\x93NUMPY"):
        raise DataError(f"{name}: {what} is not a .npy array (wrong magic bytes).")
    version = (magic[6], magic[7])
    if version not in ((1, 0), (2, 0), (3, 0)):
        raise DataError(f"{name}: {what} uses .npy format version {version}, which is not supported.")
    size_bytes = fp.read(2 if version == (1, 0) else 4)
    if len(size_bytes) < (2 if version == (1, 0) else 4):
        raise DataError(f"{name}: {what} has a truncated .npy header.")
    hlen = struct.unpack("<H" if version == (1, 0) else "<I", size_bytes)[0]
    if hlen > MAX_NPY_HEADER:
        raise DataError(f"{name}: {what} declares a .npy header of {hlen:,} bytes; the file is damaged.")
    header = fp.read(hlen)
    if len(header) < hlen:
        raise DataError(f"{name}: {what} has a truncated .npy header.")
    try:
        buf = io.BytesIO(magic + size_bytes + header)
        np.lib.format.read_magic(buf)
        reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran, dtype = reader(buf, max_header_size=MAX_NPY_HEADER)
        dtype = np.dtype(dtype)
    except Exception as exc:  # noqa: BLE001 - numpy's header parser fails in many ways on damaged bytes
        raise DataError(f"{name}: {what} has a damaged .npy header ({_reason(exc)}).") from None
    return tuple(shape), bool(fortran), dtype, 8 + len(size_bytes) + hlen


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
    _check_size(name, int(shape[0]), count // int(shape[0]), what)
    if count * dtype.itemsize > MAX_BYTES:
        raise DataError(f"{name}: {what} declares {count * dtype.itemsize:,} bytes, over the "
                        f"{MAX_BYTES // 1024 ** 3} GiB limit.")
    return count * dtype.itemsize


def _read_npy_data(fp, name, what, shape, fortran, dtype, nbytes, strict_end=True) -> np.ndarray:
    data = fp.read(nbytes + (1 if strict_end else 0))
    if len(data) < nbytes:
        raise DataError(f"{name}: {what} is truncated: shape {tuple(shape)} needs {nbytes:,} bytes of data but "
                        f"only {len(data):,} are there. The file is incomplete; save it again.")
    if len(data) > nbytes:
        raise DataError(f"{name}: unexpected bytes after the array data of {what}; the file is damaged.")
    return np.frombuffer(data, dtype=dtype, count=nbytes // dtype.itemsize).reshape(
        shape, order="F" if fortran else "C")


def _load_npy(path: Path, name: str) -> Dataset:
    with open(path, "rb") as f:
        shape, fortran, dtype, _ = _npy_header(f, name, "the array")
        nbytes = _check_decl(name, "the array", shape, dtype)
        arr = _read_npy_data(f, name, "the array", shape, fortran, dtype, nbytes)
    return _array_dataset(arr, None, name, str(path))


def _load_npz(path: Path, name: str) -> Dataset:
    with zipfile.ZipFile(path) as zf:
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
        members = {}
        for info in infos:
            if not info.filename.endswith(".npy"):
                continue
            key = info.filename[:-4]
            what = f"array {key!r}"
            with zf.open(info) as fp:
                shape, fortran, dtype, hlen = _npy_header(fp, name, what)
            members[key] = (info, shape, fortran, dtype, hlen)
        if not members:
            raise DataError(f"{name}: holds no .npy arrays; save data with numpy.savez(path, X=data).")

        def pick(keys):
            return next((k for k in keys if k in members), None)

        xkey = pick(X_KEYS)
        if xkey is None:
            by_ndim = {nd: [k for k, m in members.items() if len(m[1]) == nd] for nd in (1, 2, 3)}
            label_like = {k for k in members if k in LABEL_KEYS}
            rest = [k for k in members if k not in label_like]
            if len(by_ndim[2]) == 1:
                xkey = by_ndim[2][0]
            elif not by_ndim[2] and len(by_ndim[3]) == 1:
                xkey = by_ndim[3][0]
            elif len(rest) == 1:
                xkey = rest[0]
            else:
                listing = ", ".join(f"{k} {tuple(m[1])}" for k, m in members.items())
                raise DataError(f"{name}: cannot tell which array holds the data ({listing}); name it 'X' or "
                                "'data', e.g. numpy.savez(path, X=data, labels=labels).")
        ykey = pick([k for k in LABEL_KEYS if k != xkey])

        def read(key, labels=False):
            info, shape, fortran, dtype, hlen = members[key]
            what = f"array {key!r}"
            nbytes = _check_decl(name, what, shape, dtype, labels=labels)
            if info.file_size != hlen + nbytes:
                raise DataError(f"{name}: {what} declares {info.file_size:,} bytes in the archive but its header "
                                f"needs {hlen + nbytes:,}; the archive is damaged.")
            with zf.open(info) as fp:
                fp.read(hlen)
                return _read_npy_data(fp, name, what, shape, fortran, dtype, nbytes)

        X = read(xkey)
        y = read(ykey, labels=True) if ykey is not None else None
    return _array_dataset(X, y, name, str(path), ykey=ykey)


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
        labels, label_names = _dense_labels(y)
        notes.append(f"Labels from array {ykey!r} ({len(np.unique(labels))} values).")
    X, labels = _drop_nonfinite(name, X, labels, notes)
    return Dataset(X, labels=labels, label_names=label_names, image_shape=image_shape, name=name,
                   source=source, notes=tuple(notes))


