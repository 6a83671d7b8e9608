"""Text tables: reading CSV / TSV / whitespace-separated files, and writing CSV (:func:`save_csv`).

Used by :func:`engine.data.loaders.load`, which picks this reader (:func:`file_dataset`)
for text files; the helpers every reader shares live in :mod:`engine.data.common`.

Reading sniffs the delimiter (tab, comma, semicolon, else whitespace), detects
a header row, keeps the numeric columns, takes a non-numeric column (or one
named like ``label``) as labels, and drops rows with missing values (a note
in :attr:`Dataset.notes` says which lines). Every problem raises
:class:`engine.data.DataError` naming the file.

A file is read as a stream: :func:`engine.data.textstream.text_chunks` reads it a megabyte at a time with
every limit checked, :class:`engine.data.textparse.TableBuilder` parses each piece into float64 blocks (plain
numbers through :func:`numpy.loadtxt`), and the cancel check runs between blocks. The whole text is never held:
the peak memory of a table of numbers is about twice its float64 matrix.

Example
-------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "two.csv"
>>> save_csv(path, np.array([[0.0, 1.0], [2.0, 3.5]]), labels=[1, 0])
>>> path.read_text().splitlines()
['x1,x2,label', '0.0,1.0,1', '2.0,3.5,0']
>>> file_dataset(path, "two.csv").X.tolist()
[[0.0, 1.0], [2.0, 3.5]]
"""
from __future__ import annotations

import csv
import gc
import os
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from engine.core.csvfile import write_rows
from engine.core.validation import all_whole
from engine.data.common import SUPPORTED, cancel_check, check_size, dense_labels, lines_list, plural, reason
from engine.data.dataset import DataError, Dataset, readonly_array
from engine.data.textcells import INDEX_COLUMNS, LABEL_COLUMNS, MISSING
from engine.data.textparse import Restart, Table, TableBuilder
from engine.data.textstream import (MAX_TEXT_BYTES, MAX_TEXT_RATIO, RATIO_FREE_BYTES, NotUtf8, decode_text,
                                    text_chunks)

__all__ = ["save_csv", "text_dataset", "table_dataset", "file_dataset", "SUPPORTED"]

#: Characters of an in-memory text parsed at a time (:func:`table_dataset`).
PIECE_CHARS = 1 << 20
#: Values copied at a time into the data matrix when columns or rows are left out.
COPY_VALUES = 1 << 20


# ------------------------------------------------------------------------ reading
def file_dataset(path, name: str, *, gz: bool = False, check=None, max_bytes: int = MAX_TEXT_BYTES,
                 max_ratio: float = MAX_TEXT_RATIO, ratio_free: int = RATIO_FREE_BYTES) -> Dataset:
    """Read the text table in the file ``path`` (gzip-compressed with ``gz``) into a :class:`Dataset`, a piece
    at a time with every limit checked while reading (:func:`engine.data.textstream.text_chunks`).

    ``name`` starts every :class:`DataError` message; ``check(name)`` is called between the parts of the work
    (it raises to cancel, see :func:`engine.data.common.cancel_check`).
    """
    def pieces(notes, latin1):
        return text_chunks(path, name, notes, gz=gz, latin1=latin1, check=check, max_bytes=max_bytes,
                           max_ratio=max_ratio, ratio_free=ratio_free)
    return _parse(pieces, name, str(path), [], check, _text_size(path, gz, max_bytes))


def _text_size(path, gz: bool, max_bytes: int) -> int:
    """The expected size of the text (bytes; a gzip file's trailer states it), 0 if not known: it sizes the
    matrix at once (rows never written take no memory)."""
    try:
        size = os.path.getsize(path)
        if gz and size >= 18:
            with open(path, "rb") as f:
                f.seek(-4, os.SEEK_END)
                size = max(size, int.from_bytes(f.read(4), "little"))
    except OSError:
        return 0
    return min(size, max_bytes)


def text_dataset(raw: bytes, name: str, source: str, check=None) -> Dataset:
    """Read the bytes of a text table into a :class:`Dataset` (see the module docstring)."""
    notes: list[str] = []
    return table_dataset(decode_text(raw, name, notes), name, source, notes, check)


def table_dataset(text: str, name: str, source: str, notes: list | None = None, check=None) -> Dataset:
    """Read a text table already decoded (``notes`` so far say how) into a :class:`Dataset`."""
    return _parse(lambda _notes, _latin1: _text_pieces(text), name, source, list(notes or []), check, len(text))


def _text_pieces(text: str):
    """``text`` in pieces of about :data:`PIECE_CHARS` characters, each ending at a line end."""
    pos = 0
    while pos < len(text):
        end = text.find("\n", pos + PIECE_CHARS)
        end = len(text) if end < 0 else end + 1
        yield text[pos:end]
        pos = end


def _parse(pieces, name: str, source: str, notes: list, check, size_hint: int = 0) -> Dataset:
    """Feed the pieces to a :class:`TableBuilder`; again from the start (rarely) when the text turns out not to
    be UTF-8 or a column turns out to hold text after its first blocks."""
    check = check or cancel_check()
    keep, latin1 = frozenset(), False
    with _gc_paused():  # many small lists: the cyclic collector would scan them over and over
        while True:
            run_notes = list(notes)
            builder = TableBuilder(name, check, keep, size_hint)
            try:
                for piece in pieces(run_notes, latin1):
                    builder.feed(piece)
                table = builder.finish()
            except Restart as again:
                keep = again.keep
                continue
            except NotUtf8:
                latin1 = True
                continue
            del builder
            return _dataset(table, name, source, run_notes, check)


@contextmanager
def _gc_paused():
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _dataset(table: Table, name: str, source: str, notes: list, check) -> Dataset:
    """The parsed table as a :class:`Dataset`: label and feature columns chosen, incomplete rows dropped."""
    names, cols = table.names, table.cols
    n = len(table.linenos)
    check_size(name, n, len(cols))
    label = _column_label(names)
    lab_j, feats = _label_and_features(cols, names, n, label, name, notes)
    check(name)
    ok = _complete_rows(cols, feats, lab_j, table.linenos, name, notes)
    labels = label_names = None
    if lab_j is not None:
        check(name)
        labels, label_names = _label_values(cols[lab_j], ok)
        count = int(labels.max()) + 1 if labels.size else 0  # labels are 0..m-1, every value used
        notes.append(f"Labels from column {label(lab_j)} ({count} values).")
    if table.delim == ";" and any("," in "".join(row[j] for row in table.head) for j in feats):
        notes.append("Decimal commas read as decimal points.")
    check(name)
    X = _features(table.M, feats, ok, check, name)
    del table, cols
    return Dataset(readonly_array(X), labels=labels, label_names=label_names, name=name, source=source,
                   notes=tuple(notes),
                   feature_names=tuple(names[j] or f"column {j + 1}" for j in feats) if names else None)


def _features(M: np.ndarray, feats: list[int], ok: np.ndarray, check, name: str) -> np.ndarray:
    """The kept rows of the feature columns, C-contiguous: ``M`` itself when that is all of it, else copied a
    block of rows at a time (the cancel check between blocks)."""
    if feats == list(range(M.shape[1])) and ok.all():
        return M
    X = np.empty((int(np.count_nonzero(ok)), len(feats)))
    step = max(1, COPY_VALUES // M.shape[1])
    at = 0
    for a in range(0, M.shape[0], step):
        check(name)
        part = M[a:a + step][ok[a:a + step]]
        X[at:at + part.shape[0]] = part[:, feats]
        at += part.shape[0]
    return X


def _column_label(names):
    """How messages name column ``j``: ``'name'`` from the header, else its number from 1."""
    return lambda j: f"'{names[j]}'" if names and names[j] else f"{j + 1}"


def _label_and_features(cols, names, n: int, label, name: str, notes: list) -> tuple[int | None, list[int]]:
    """The label column (or None) and the feature columns; notes say which columns were left out."""
    ncol = len(cols)
    keep = [j for j, c in enumerate(cols) if not (c.missing.all() and not c.has_text)]
    kept = set(keep)
    dropped_empty = [j for j in range(ncol) if j not in kept and names and names[j]]
    if dropped_empty:
        notes.append("Empty column(s) " + ", ".join(label(j) for j in dropped_empty) + " ignored.")
    text_cols = [j for j in keep if cols[j].has_text]
    lab_j = _label_column(cols, names, keep, text_cols)
    ignored = [j for j in text_cols if j != lab_j]
    if ignored:
        notes.append("Column(s) " + ", ".join(label(j) for j in ignored) + " ignored (not numbers).")
    # a second label-like column of whole numbers (Clusterlab's own export: the data's label, then the cluster)
    second = [j for j in keep if names and j != lab_j and j not in ignored and names[j].lower() in LABEL_COLUMNS
              and _whole_labels(cols[j].values[~cols[j].missing])]
    if second and lab_j is not None:
        notes.append("Column(s) " + ", ".join(label(j) for j in second) + " ignored (a second label column).")
        ignored = ignored + second
    left_out = set(ignored)
    feats = [j for j in keep if j != lab_j and j not in left_out]
    if names and len(feats) > 1 and names[feats[0]].lower() in INDEX_COLUMNS:
        v = cols[feats[0]].values
        if np.array_equal(v, np.arange(n)) or np.array_equal(v, np.arange(1, n + 1)):
            notes.append(f"Column 1 ({names[feats[0]] or 'no name'}) numbers the rows; it was ignored.")
            feats = feats[1:]
    if not feats:
        shown = ", ".join(label(j) for j in range(ncol))
        raise DataError(f"{name}: no numeric column found (columns: {shown}); Clusterlab needs at least one "
                        "column of numbers.")
    return lab_j, feats


def _label_column(cols, names, keep: list[int], text_cols: list[int]) -> int | None:
    """One named like a label (text or whole numbers), else the text column with fewest distinct values."""
    if names:
        for j in keep:
            c = cols[j]
            if names[j].lower() in LABEL_COLUMNS and (c.has_text or _whole_labels(c.values[~c.missing])):
                return j
    if text_cols:
        return min(text_cols, key=lambda j: len(cols[j].cells.uniq))
    return None


def _complete_rows(cols, feats: list[int], lab_j: int | None, linenos, name: str, notes: list) -> np.ndarray:
    """Which rows have every feature (and their label); a note names the lines dropped."""
    n = len(linenos)
    missing = np.zeros(n, bool)
    for j in feats:
        missing |= cols[j].missing
    if lab_j is not None:
        c = cols[lab_j]
        if c.has_text:
            missing_u = np.array([u.strip().lower() in MISSING for u in c.cells.uniq])
            missing |= missing_u[c.cells.codes]
        else:
            missing |= c.missing
    if missing.any():
        rows_bad = np.flatnonzero(missing)
        shown = lines_list([linenos[int(i)] for i in rows_bad[:10]])
        more = f" and {rows_bad.size - 10} more" if rows_bad.size > 10 else ""
        notes.append(f"{plural(rows_bad.size, 'row')} with missing values dropped "
                     f"({'line' if rows_bad.size == 1 else 'lines'} {shown}{more}).")
        if rows_bad.size == n:
            raise DataError(f"{name}: every row has a missing value (empty, NA, NaN or ?); nothing is left.")
    return ~missing


def _label_values(c, ok: np.ndarray):
    """The label column's kept rows as ``(labels 0..m-1, names or None)``."""
    if not c.has_text:
        return dense_labels(c.values[ok].astype(np.int64))
    stripped = [u.strip().strip('"') for u in c.cells.uniq]
    codes = c.cells.codes[ok]
    used = np.flatnonzero(np.bincount(codes, minlength=len(stripped)))
    words = [stripped[i] for i in used.tolist()]
    names = sorted(set(words))
    position = {w: k for k, w in enumerate(names)}
    remap = np.zeros(len(stripped), np.int64)
    remap[used] = [position[w] for w in words]
    return remap[codes], tuple(names)


def _whole_labels(values: np.ndarray) -> bool:
    """Whole numbers small enough to be exact in float64 (a numeric column that can be labels)."""
    return all_whole(values) and bool(np.all(np.abs(values) < 2 ** 53))


# ---------------------------------------------------------------------- writing
def save_csv(path, X, labels=None, header=None, label_names=None) -> None:
    """Write points (and a label column) as CSV that :func:`load` reads back exactly.

    Parameters
    ----------
    path : str or Path
    X : ndarray of shape (n_samples, n_features)
    labels : ndarray of shape (n_samples,), optional
        Integer labels, written in a last column named ``label`` (as ``label_names[l]`` if names are given;
        ``-1``, a point in no group, always as ``-1``).
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
        # -1 (a point in no group) has no name: it is written as -1
        cells = ([str(label_names[int(v)]) if v >= 0 else -1 for v in lab] if label_names is not None
                 else [int(v) for v in lab])
        header = header + ["label"]
    rows = X.tolist() if cells is None else [row + [cell] for row, cell in zip(X.tolist(), cells)]
    # Names that plain CSV would lose (empty, or with spaces around) are kept by quoting every text cell.
    text = [t for t in [*header, *(cells or [])] if isinstance(t, str)]
    quoting = csv.QUOTE_NONNUMERIC if any(not t or t != t.strip() for t in text) else csv.QUOTE_MINIMAL
    try:
        write_rows(path, header, rows, quoting)
    except OSError as exc:
        raise DataError(f"{path.name}: cannot be written ({reason(exc)}).") from None
