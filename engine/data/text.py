"""Text tables: reading CSV / TSV / whitespace-separated files, and writing CSV (:func:`save_csv`).

Used by :func:`engine.data.loaders.load`, which picks this reader (:func:`text_dataset`)
for text files; the helpers every reader shares live in :mod:`engine.data.common`.

Reading sniffs the delimiter (tab, comma, semicolon, else whitespace), detects
a header row, keeps the numeric columns, takes a non-numeric column (or one
named like ``label``) as labels, and drops rows with missing values (a note
in :attr:`Dataset.notes` says which lines). Every problem raises
:class:`engine.data.DataError` naming the file.

Example
-------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "two.csv"
>>> save_csv(path, np.array([[0.0, 1.0], [2.0, 3.5]]), labels=[1, 0])
>>> path.read_text().splitlines()
['x1,x2,label', '0.0,1.0,1', '2.0,3.5,0']
"""
from __future__ import annotations

import csv
import gc
import re
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from engine.core.csvfile import write_rows
from engine.core.validation import all_whole
from engine.data.common import SUPPORTED, cancel_check, check_size, dense_labels, lines_list, plural, reason
from engine.data.dataset import MAX_POINTS, DataError, Dataset
from engine.data.textstream import decode_text

__all__ = ["save_csv", "text_dataset", "table_dataset", "SUPPORTED"]

MISSING = frozenset({"", "na", "n/a", "nan", "-nan", "?", "null", "none", "missing"})
LABEL_COLUMNS = frozenset({"label", "labels", "class", "cluster", "group", "target"})
INDEX_COLUMNS = frozenset({"", "id", "index", "unnamed: 0"})


_OPEN_QUOTE = re.compile(r'(?:^|[,;\t ])\s*"')  # a quote that starts a field
#: Lines cut into cells at a time (the cancel flag is checked between blocks).
BLOCK = 100_000


# ------------------------------------------------------------------------ text
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


def _split(lines: list[str], linenos, delim: str | None, name: str) -> list[list[str]]:
    if delim is None:
        return [ln.split() for ln in lines]
    if any('"' in ln for ln in lines):
        reader = csv.reader(lines, delimiter=delim, skipinitialspace=True, strict=True)
        try:
            return [[c.strip() for c in row] for row in reader]
        except csv.Error as exc:
            ln = linenos[max(reader.line_num - 1, 0)]
            if "end of data" in str(exc):
                raise DataError(f"{name}: line {ln} opens a quoted field that does not close on that line (a line "
                                "break inside quotes?); Clusterlab reads one row per line: remove line breaks "
                                "inside quoted fields.") from None
            raise DataError(f"{name}: line {ln} has a malformed quoted field ({exc}).") from None
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


def _columns(rows: list[list[str]], ncol: int, decimal_comma: bool, check, name: str) -> list[_Column]:
    """Parse the cells column by column; fast conversions (a block of rows at a time) when every cell is a
    number."""
    blocks = []
    try:
        for i in range(0, len(rows), BLOCK):
            check(name)
            blocks.append(np.array(rows[i:i + BLOCK], dtype=np.float64).reshape(-1, ncol))
    except ValueError:
        return [_Column(list(col), decimal_comma) for col in zip(*rows)]
    M = np.concatenate(blocks)
    del blocks
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


def text_dataset(raw: bytes, name: str, source: str, check=None) -> Dataset:
    """Read the bytes of a text table into a :class:`Dataset` (see the module docstring).

    ``name`` starts every :class:`DataError` message; ``source`` is the file's path; ``check(name)`` is called
    between the parts of the work (it raises to cancel, see :func:`engine.data.common.cancel_check`).
    """
    notes: list[str] = []
    return table_dataset(decode_text(raw, name, notes), name, source, notes, check)


def table_dataset(text: str, name: str, source: str, notes: list | None = None, check=None) -> Dataset:
    """Read a text table already decoded (``notes`` so far say how) into a :class:`Dataset`."""
    with _gc_paused():  # millions of small lists: the cyclic collector would scan them over and over (2x slower)
        return _table_dataset(text, name, source, list(notes or []), check)


@contextmanager
def _gc_paused():
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _table_dataset(text: str, name: str, source: str, notes: list, check) -> Dataset:
    check = check or cancel_check()
    quoted = '"' in text
    linenos, lines = _content_lines(text, name, check)
    del text
    check(name)
    if quoted:
        _check_quotes(lines, linenos, name)
    delim = _sniff(lines[:50])
    rows = _split_rows(lines, linenos, delim, name, check)
    del lines
    ncol = len(rows[0])
    decimal_comma = delim == ";"
    names, cols, linenos = _header_and_columns(rows, linenos, ncol, decimal_comma, name, check)
    del rows
    check(name)
    n = len(linenos)
    check_size(name, n, ncol)
    label = _column_label(names)
    lab_j, feats = _label_and_features(cols, names, n, label, name, notes)
    X = np.column_stack([cols[j].values for j in feats])
    ok = _complete_rows(cols, feats, lab_j, linenos, name, notes)
    X = X[ok]
    labels = label_names = None
    if lab_j is not None:
        labels, label_names = _label_values(cols[lab_j], ok)
        notes.append(f"Labels from column {label(lab_j)} ({len(np.unique(labels))} values).")
    if decimal_comma and any(cols[j].cells is not None and "," in "".join(cols[j].cells[:5]) for j in feats):
        notes.append("Decimal commas read as decimal points.")
    return Dataset(X, labels=labels, label_names=label_names, name=name, source=source, notes=tuple(notes),
                   feature_names=tuple(names[j] or f"column {j + 1}" for j in feats) if names else None)


def _content_lines(text: str, name: str, check) -> tuple[list[int], list[str]]:
    """Line numbers (from 1) and text of the lines that are neither blank nor ``#`` comments."""
    all_lines = text.splitlines()
    linenos: list[int] = []
    lines: list[str] = []
    for start in range(0, len(all_lines), BLOCK):
        check(name)
        block = all_lines[start:start + BLOCK]
        keep = [i for i, ln in enumerate(block, start + 1) if ln.strip() and not ln.lstrip().startswith("#")]
        linenos += keep
        lines += block if len(keep) == len(block) else [all_lines[i - 1] for i in keep]
    if not lines:
        raise DataError(f"{name}: holds no data (only blank or # comment lines).")
    return linenos, lines


def _check_quotes(lines: list[str], linenos: list[int], name: str) -> None:
    """Refuse a quoted field left open at the end of its line (a line break inside quotes): one row per line."""
    for ln, line in zip(linenos, lines):
        if '"' in line and line.count('"') % 2 and _OPEN_QUOTE.search(line):
            raise DataError(f"{name}: line {ln} opens a quoted field that does not close on that line (a line "
                            "break inside quotes?); Clusterlab reads one row per line: remove line breaks inside "
                            "quoted fields.")


def _split_rows(lines: list[str], linenos: list[int], delim: str | None, name: str, check) -> list[list[str]]:
    """The lines cut into cells; every row must have as many cells as the first."""
    if len(lines) > MAX_POINTS + 1:
        check_size(name, len(lines) - 1, 1)
    rows: list[list[str]] = []
    for i in range(0, len(lines), BLOCK):
        check(name)
        rows += _split(lines[i:i + BLOCK], linenos[i:i + BLOCK], delim, name)
    ncol = len(rows[0])
    for ln, row in zip(linenos, rows):
        if len(row) != ncol:
            shown = {None: "whitespace", "\t": "tab", ",": "comma", ";": "semicolon"}[delim]
            raise DataError(f"{name}: line {ln} has {plural(len(row), 'value')} but line {linenos[0]} has {ncol} "
                            f"(separated by {shown}); every row needs the same number of columns.")
    check_size(name, len(rows) - 1, ncol)
    return rows


def _header_and_columns(rows, linenos, ncol: int, decimal_comma: bool, name: str, check):
    """``(names, columns, linenos)``: the header's names (None without a header), the parsed data columns and
    the line numbers of the data rows.

    The first row is a header when it holds a non-number where the rows below hold numbers.
    """
    cols = _columns(rows[1:], ncol, decimal_comma, check, name) if len(rows) > 1 else None
    first = rows[0]
    if cols is not None:
        header = any(c.numeric and not _is_number(first[j]) and first[j].strip().lower() not in MISSING
                     for j, c in enumerate(cols))
    else:
        header = not any(_is_number(c) for c in first)
    if header:
        if len(rows) == 1:
            raise DataError(f"{name}: has a header row but no data rows.")
        return [c.strip().strip('"').strip() for c in first], cols, linenos[1:]
    cols = ([c.prepend(first[j], decimal_comma) for j, c in enumerate(cols)] if cols is not None
            else [_Column([first[j]], decimal_comma) for j in range(ncol)])
    return None, cols, linenos


def _column_label(names):
    """How messages name column ``j``: ``'name'`` from the header, else its number from 1."""
    return lambda j: f"'{names[j]}'" if names and names[j] else f"{j + 1}"


def _label_and_features(cols, names, n: int, label, name: str, notes: list) -> tuple[int | None, list[int]]:
    """The label column (or None) and the feature columns; notes say which columns were left out."""
    ncol = len(cols)
    keep = [j for j, c in enumerate(cols) if not (c.missing.all() and not c.text.any())]
    kept = set(keep)
    dropped_empty = [j for j in range(ncol) if j not in kept and names and names[j]]
    if dropped_empty:
        notes.append("Empty column(s) " + ", ".join(label(j) for j in dropped_empty) + " ignored.")
    text_cols = [j for j in keep if cols[j].text.any()]
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
            if names[j].lower() in LABEL_COLUMNS and (c.text.any() or _whole_labels(c.values[~c.missing])):
                return j
    if text_cols:
        return min(text_cols, key=lambda j: len(set(cols[j].cells)))
    return None


def _complete_rows(cols, feats: list[int], lab_j: int | None, linenos: list[int], name: str,
                   notes: list) -> np.ndarray:
    """Which rows have every feature (and their label); a note names the lines dropped."""
    n = len(linenos)
    missing = np.zeros(n, bool)
    for j in feats:
        missing |= cols[j].missing
    if lab_j is not None:
        c = cols[lab_j]
        lab_missing = np.array([cell.strip().lower() in MISSING for cell in c.cells]) if c.text.any() else c.missing
        missing |= lab_missing
    if missing.any():
        rows_bad = np.flatnonzero(missing)
        notes.append(f"{plural(rows_bad.size, 'row')} with missing values dropped "
                     f"({'line' if rows_bad.size == 1 else 'lines'} {lines_list([linenos[i] for i in rows_bad])}).")
        if rows_bad.size == n:
            raise DataError(f"{name}: every row has a missing value (empty, NA, NaN or ?); nothing is left.")
    return ~missing


def _label_values(c: _Column, ok: np.ndarray):
    """The label column's kept rows as ``(labels 0..m-1, names or None)``."""
    raw_labels = (np.array([cell.strip().strip('"') for cell in c.cells], dtype=str)[ok] if c.text.any()
                  else c.values[ok].astype(np.int64))
    return dense_labels(raw_labels)


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
