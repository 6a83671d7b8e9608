"""Reading data files: CSV/TSV/text, .npy/.npz (never unpickled) and MNIST IDX (raw or gzip).

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

import csv
import gzip
import io
import os
import struct
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .data import MAX_BYTES, MAX_POINTS, DataError, Dataset

__all__ = ["load", "save_csv", "read_idx", "SUPPORTED", "MAX_TEXT_BYTES", "MAX_RATIO"]

SUPPORTED = ("CSV/TSV/text tables (.csv, .tsv, .txt, .dat, .tab), NumPy arrays (.npy, .npz) "
             "and MNIST IDX files (e.g. t10k-images-idx3-ubyte, also gzipped .gz)")
TEXT_EXTS = {".csv", ".tsv", ".txt", ".dat", ".tab", ".data", ".text", ""}
#: Largest text file read (bytes).
MAX_TEXT_BYTES = 512 * 1024 ** 2
#: Largest compression ratio accepted for a big .npz member (declared size / stored size).
MAX_RATIO = 200
#: Members smaller than this (declared, uncompressed) are harmless whatever their ratio.
RATIO_FREE_BYTES = 16 * 1024 ** 2
MAX_MEMBERS = 1000
MISSING = frozenset({"", "na", "n/a", "nan", "-nan", "?", "null", "none", "missing"})
LABEL_COLUMNS = frozenset({"label", "labels", "class", "cluster", "group", "target"})
INDEX_COLUMNS = frozenset({"", "id", "index", "unnamed: 0"})
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


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) < 200 else text[:200] + "..."


def _lines_list(numbers, limit: int = 10) -> str:
    shown = ", ".join(str(i) for i in numbers[:limit])
    return shown + (f" and {len(numbers) - limit} more" if len(numbers) > limit else "")


def _plural(k: int, word: str) -> str:
    return f"{k:,} {word}{'' if k == 1 else 's'}"


def _rows(k: int) -> str:
    return _plural(k, "row")


def _check_size(name: str, n: int, d: int, what: str = "data") -> None:
    if n > MAX_POINTS or n * d * 8 > MAX_BYTES:
        raise DataError(f"{name}: {what} of {n:,} x {d:,} values is over the limit of {MAX_POINTS:,} points "
                        f"or {MAX_BYTES // 1024 ** 3} GiB; use a subset of the rows.")


def _dense_labels(values) -> tuple[np.ndarray, tuple[str, ...] | None]:
    """Map label values to 0..m-1 (sorted); names are kept unless the values already are 0..m-1 integers."""
    values = np.asarray(values)
    uniq, inv = np.unique(values, return_inverse=True)
    if values.dtype.kind in "iub" and np.array_equal(uniq, np.arange(uniq.size)):
        return inv.astype(np.int64), None
    if values.dtype.kind == "f":
        names = tuple(str(int(v)) for v in uniq)
    else:
        names = tuple(str(v) for v in uniq)
    return inv.astype(np.int64), names


def _drop_nonfinite(name, X, labels, notes, first_line=0):
    """Drop rows with NaN/inf (a note says which); returns X, labels."""
    bad = ~np.isfinite(X).all(axis=1)
    if bad.any():
        rows = np.flatnonzero(bad)
        where = f"{'row' if rows.size == 1 else 'rows'} {_lines_list([int(i) + first_line for i in rows])}"
        notes.append(f"{_rows(rows.size)} with missing values dropped ({where}).")
        X = X[~bad]
        labels = None if labels is None else labels[~bad]
        if X.shape[0] == 0:
            raise DataError(f"{name}: every row has a missing value (NaN, NA, empty or infinite); nothing is left.")
    return X, labels


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
            if not (np.isfinite(y).all() and np.all(y == np.round(y))):
                raise DataError(f"{name}: labels array {ykey!r} holds non-integer numbers; labels must be whole "
                                "numbers or strings.")
        if y.dtype.kind == "S":
            y = np.char.decode(y, "latin-1")
        labels, label_names = _dense_labels(y)
        notes.append(f"Labels from array {ykey!r} ({len(np.unique(labels))} values).")
    X, labels = _drop_nonfinite(name, X, labels, notes)
    return Dataset(X, labels=labels, label_names=label_names, image_shape=image_shape, name=name,
                   source=source, notes=tuple(notes))


# ------------------------------------------------------------------------ text
def _decode_text(raw: bytes, name: str, notes: list) -> str:
    if b"\x00" in raw[:65536]:
        raise DataError(f"{name}: looks like a binary file, not a text table; Clusterlab reads {SUPPORTED}.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        notes.append("The file is not UTF-8; it was read as Latin-1.")
        return raw.decode("latin-1")


def _sniff(sample: list[str]) -> str | None:
    """The delimiter of a table: tab, comma or semicolon if every sampled line has it, else whitespace (None)."""
    best = None
    for d in ("\t", ",", ";"):
        counts = [ln.count(d) for ln in sample]
        if min(counts) > 0:
            if len(set(counts)) == 1:
                return d
            best = best or d
    return best


def _split(lines: list[str], delim: str | None) -> list[list[str]]:
    if delim is None:
        return [ln.split() for ln in lines]
    if any('"' in ln for ln in lines):
        return [[c.strip() for c in row] for row in csv.reader(lines, delimiter=delim, skipinitialspace=True)]
    return [ln.split(delim) for ln in lines]


class _Column:
    """One text column parsed: float values (NaN where missing), which cells are missing / not numbers."""

    def __init__(self, cells: list[str], decimal_comma: bool):
        try:
            vals = np.array(cells, dtype=np.float64)
            self.values = vals
            self.missing = ~np.isfinite(vals)
            self.text = np.zeros(len(cells), bool)
        except ValueError:
            self.values = np.full(len(cells), np.nan)
            self.missing = np.zeros(len(cells), bool)
            self.text = np.zeros(len(cells), bool)
            for i, c in enumerate(cells):
                v = _cell(c, decimal_comma)
                if v is None:
                    self.text[i] = True
                elif np.isfinite(v):
                    self.values[i] = v
                else:
                    self.missing[i] = True
        self.cells = cells
        self.numeric = not self.text.any() and not self.missing.all()

    @classmethod
    def from_values(cls, values: np.ndarray) -> "_Column":
        """A column already parsed as numbers (cells are not kept)."""
        col = object.__new__(cls)
        col.values = values
        col.missing = ~np.isfinite(values)
        col.text = np.zeros(values.shape[0], bool)
        col.cells = None
        col.numeric = not col.missing.all()
        return col

    def prepend(self, cell: str, decimal_comma: bool) -> "_Column":
        """The column with one more cell on top (the first row, once it is known not to be a header)."""
        v = _cell(cell, decimal_comma)
        col = object.__new__(_Column)
        col.values = np.concatenate([[np.nan if v is None or not np.isfinite(v) else v], self.values])
        col.missing = np.concatenate([[v is not None and not np.isfinite(v)], self.missing])
        col.text = np.concatenate([[v is None], self.text])
        col.cells = (None if self.cells is None and v is not None
                     else [cell] + (self.cells if self.cells is not None else [""] * len(self.values)))
        col.numeric = not col.text.any() and not col.missing.all()
        return col


def _columns(rows: list[list[str]], ncol: int, decimal_comma: bool) -> list[_Column]:
    """Parse the cells column by column; one fast conversion when every cell is a number."""
    try:
        M = np.array(rows, dtype=np.float64).reshape(len(rows), ncol)
    except ValueError:
        return [_Column(list(col), decimal_comma) for col in zip(*rows)]
    return [_Column.from_values(M[:, j].copy()) for j in range(ncol)]


def _cell(c: str, decimal_comma: bool = False) -> float | None:
    """A cell as a float (NaN when missing), or None when it is text."""
    s = c.strip()
    if s.lower() in MISSING:
        return np.nan
    try:
        return float(s)
    except ValueError:
        if decimal_comma and s.count(",") == 1:
            try:
                return float(s.replace(",", "."))
            except ValueError:
                return None
        return None


def _is_number(c: str) -> bool:
    v = _cell(c)
    return v is not None and not np.isnan(v)


def _text_dataset(raw: bytes, name: str, source: str) -> Dataset:
    notes: list[str] = []
    text = _decode_text(raw, name, notes)
    content = [(i + 1, ln) for i, ln in enumerate(text.splitlines())
               if ln.strip() and not ln.lstrip().startswith("#")]
    if not content:
        raise DataError(f"{name}: holds no data (only blank or # comment lines).")
    linenos = [i for i, _ in content]
    lines = [ln for _, ln in content]
    delim = _sniff(lines[:50])
    rows = _split(lines, delim)
    ncol = len(rows[0])
    for ln, row in zip(linenos, rows):
        if len(row) != ncol:
            shown = {None: "whitespace", "\t": "tab", ",": "comma", ";": "semicolon"}[delim]
            raise DataError(f"{name}: line {ln} has {_plural(len(row), 'value')} but line {linenos[0]} has {ncol} "
                            f"(separated by {shown}); every row needs the same number of columns.")
    if len(rows) > MAX_POINTS + 1:
        _check_size(name, len(rows), ncol)
    decimal_comma = delim == ";"

    # header: a first row with a non-number where the rows below hold numbers
    cols = _columns(rows[1:], ncol, decimal_comma) if len(rows) > 1 else None
    first = rows[0]
    if cols is not None:
        header = any(c.numeric and not _is_number(first[j]) and first[j].strip().lower() not in MISSING
                     for j, c in enumerate(cols))
    else:
        header = not any(_is_number(c) for c in first)
    if header:
        names = [c.strip().strip('"').strip() for c in first]
        rows, linenos = rows[1:], linenos[1:]
        if not rows:
            raise DataError(f"{name}: has a header row but no data rows.")
    else:
        names = None
        cols = ([c.prepend(first[j], decimal_comma) for j, c in enumerate(cols)] if cols is not None
                else [_Column([first[j]], decimal_comma) for j in range(ncol)])
    n = len(rows)
    _check_size(name, n, ncol)
    label = lambda j: f"'{names[j]}'" if names and names[j] else f"{j + 1}"  # noqa: E731

    keep = [j for j, c in enumerate(cols) if not (c.missing.all() and not c.text.any())]
    dropped_empty = [j for j in range(ncol) if j not in keep and names and names[j]]
    if dropped_empty:
        notes.append("Empty column(s) " + ", ".join(label(j) for j in dropped_empty) + " ignored.")
    # the label column: one named like a label, else the text column with fewest distinct values
    lab_j = None
    if names:
        for j in keep:
            c = cols[j]
            if names[j].lower() in LABEL_COLUMNS and (c.text.any() or _whole(c.values[~c.missing])):
                lab_j = j
                break
    text_cols = [j for j in keep if cols[j].text.any()]
    if lab_j is None and text_cols:
        lab_j = min(text_cols, key=lambda j: len(set(cols[j].cells)))
    ignored = [j for j in text_cols if j != lab_j]
    if ignored:
        notes.append("Column(s) " + ", ".join(label(j) for j in ignored) + " ignored (not numbers).")
    feats = [j for j in keep if j != lab_j and j not in ignored]
    if names and len(feats) > 1 and names[feats[0]].lower() in INDEX_COLUMNS:
        v = cols[feats[0]].values
        if np.array_equal(v, np.arange(n)) or np.array_equal(v, np.arange(1, n + 1)):
            notes.append(f"Column 1 ({names[feats[0]] or 'no name'}) numbers the rows; it was ignored.")
            feats = feats[1:]
    if not feats:
        shown = ", ".join(label(j) for j in range(ncol))
        raise DataError(f"{name}: no numeric column found (columns: {shown}); Clusterlab needs at least one "
                        "column of numbers.")
    X = np.column_stack([cols[j].values for j in feats])
    missing = np.zeros(n, bool)
    for j in feats:
        missing |= cols[j].missing
    labels = label_names = None
    if lab_j is not None:
        c = cols[lab_j]
        lab_missing = np.array([cell.strip().lower() in MISSING for cell in c.cells]) if c.text.any() else c.missing
        missing |= lab_missing
    if missing.any():
        rows_bad = np.flatnonzero(missing)
        notes.append(f"{_rows(rows_bad.size)} with missing values dropped "
                     f"({'line' if rows_bad.size == 1 else 'lines'} {_lines_list([linenos[i] for i in rows_bad])}).")
        if rows_bad.size == n:
            raise DataError(f"{name}: every row has a missing value (empty, NA, NaN or ?); nothing is left.")
    ok = ~missing
    X = X[ok]
    if lab_j is not None:
        c = cols[lab_j]
        raw_labels = (np.array([cell.strip().strip('"') for cell in c.cells], dtype=str)[ok] if c.text.any()
                      else c.values[ok].astype(np.int64))
        labels, label_names = _dense_labels(raw_labels)
        notes.append(f"Labels from column {label(lab_j)} ({len(np.unique(labels))} values).")
    if decimal_comma and any(cols[j].cells is not None and "," in "".join(cols[j].cells[:5]) for j in feats):
        notes.append("Decimal commas read as decimal points.")
    return Dataset(X, labels=labels, label_names=label_names, name=name, source=source, notes=tuple(notes),
                   feature_names=tuple(names[j] or f"column {j + 1}" for j in feats) if names else None)


def _whole(values: np.ndarray) -> bool:
    return values.size > 0 and bool(np.all(values == np.round(values))) and bool(np.all(np.abs(values) < 2 ** 53))


# ---------------------------------------------------------------------- writing
def save_csv(path, X, labels=None, header=None, label_names=None) -> None:
    """Write points (and a label column) as CSV that :func:`load` reads back exactly.

    Parameters
    ----------
    path : str or Path
    X : ndarray of shape (n_samples, n_features)
    labels : ndarray of shape (n_samples,), optional
        Integer labels, written in a last column named ``label`` (as ``label_names[l]`` if names are given).
    header : sequence of str, optional
        Column names for X; ``x1, x2, ...`` by default.
    label_names : sequence of str, optional

    The file is written to a temporary name first and then renamed, so a failed
    write never leaves half a file behind.
    """
    path = Path(path)
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or not np.isfinite(X).all():
        raise DataError(f"{path.name}: save_csv needs a 2-D array of finite numbers; got shape {X.shape}.")
    n, d = X.shape
    header = [f"x{j + 1}" for j in range(d)] if header is None else [str(h) for h in header]
    if len(header) != d:
        raise DataError(f"{path.name}: {len(header)} column names for {d} columns.")
    cells = None
    if labels is not None:
        lab = np.asarray(labels).reshape(-1)
        if lab.shape[0] != n:
            raise DataError(f"{path.name}: {lab.shape[0]} labels for {n} rows.")
        cells = [str(label_names[int(v)]) for v in lab] if label_names is not None else [str(int(v)) for v in lab]
        header = header + ["label"]
    out = [",".join(map(_csv_cell, header))]
    for i, row in enumerate(X.tolist()):
        out.append(",".join(map(repr, row)) + ("," + _csv_cell(cells[i]) if cells is not None else ""))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".clusterlab-", suffix=".csv", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write("\n".join(out) + "\n")
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    except OSError as exc:
        raise DataError(f"{path.name}: cannot be written ({_reason(exc)}).") from None


def _csv_cell(text: str) -> str:
    """A CSV cell, quoted when it holds a comma, a quote, a line break, surrounding spaces or nothing."""
    if text and text == text.strip() and not any(ch in text for ch in ',"\r\n'):
        return text
    return '"' + text.replace('"', '""') + '"'
