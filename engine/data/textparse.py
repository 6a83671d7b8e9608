"""Parsing a text table a block of lines at a time into float64 blocks, in little more memory than the numbers.

:class:`TableBuilder` is fed the text in pieces that end at line ends (:meth:`~TableBuilder.feed`); it drops blank
and ``#`` comment lines, tells the delimiter from the first 50 lines, keeps the first row apart (it may be a
header) and parses the rest a block of lines at a time:

* a block of plain numbers goes through :func:`numpy.loadtxt` (C speed, no Python object per value);
* any other block (quotes, missing values, text, decimal commas, ragged rows) is cut into cells and parsed a
  column at a time (:func:`engine.data.textcells.parse_cells`), with the messages that name the line;
* the text of a column that holds text (a label column) is kept compactly (:class:`~engine.data.textcells.Cells`).
  A column found to hold text only after earlier blocks were parsed without keeping its text raises
  :class:`Restart`: the caller parses the table again keeping that column's text (rare: a label column whose
  first thousands of values look like numbers).

The cancel check runs between blocks (a block is parsed in well under 100 ms). :meth:`~TableBuilder.finish` joins
the blocks into one matrix (:class:`Table`).

Example
-------
>>> b = TableBuilder("t.csv", lambda name: None)
>>> b.feed("x,y,label\\n1,2,a\\n# note\\n")
>>> b.feed("3,4,b\\n")
>>> t = b.finish()
>>> t.names, t.M.tolist(), t.cols[2].cells.uniq, [t.linenos[i] for i in range(2)]
(['x', 'y', 'label'], [[1.0, 2.0, nan], [3.0, 4.0, nan]], ['a', 'b'], [2, 4])
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from engine.data.common import check_size, plural
from engine.data.dataset import MAX_BYTES, MAX_POINTS, DataError
from engine.data.textcells import MISSING, Cells, cell_value, check_quotes, is_number, parse_cells, sniff, split_lines

__all__ = ["TableBuilder", "Table", "Column", "Restart", "LineNumbers"]

#: Values parsed at a time (rows x columns) between two cancel checks.
BLOCK_VALUES = 150_000
#: The same when a column holds text (every cell goes through Python: a smaller block takes as long).
SLOW_BLOCK_VALUES = 30_000
SNIFF_LINES = 50


class Restart(Exception):
    """Parse the table again keeping the text of the columns ``keep`` (see the module docstring)."""

    def __init__(self, keep: frozenset):
        super().__init__("restart")
        self.keep = keep


class _Block(NamedTuple):
    M: np.ndarray | None  # (rows, columns) float64, NaN where a cell is missing or text (None once copied)
    finite: np.ndarray | None  # np.isfinite(M)
    rows: int
    text: dict  # column -> bool array: which cells are text (columns with text in this block only)
    cells: dict  # column -> Cells (the columns whose text is kept)
    linenos: object  # range or int array: the line number (from 1) of each row


class LineNumbers:
    """The line number (from 1) of each data row, stored a block at a time (a range where no line was skipped)."""

    def __init__(self, parts: list):
        self.parts = parts
        self.starts = np.cumsum([0] + [len(p) for p in parts])

    def __len__(self) -> int:
        return int(self.starts[-1])

    def __getitem__(self, i: int) -> int:
        b = int(np.searchsorted(self.starts, i, side="right")) - 1
        return int(self.parts[b][i - int(self.starts[b])])


class Column:
    """One parsed column: ``values`` (a view of the table's matrix), ``missing`` (cells that are empty, NA, ...
    or not finite), ``text`` (cells that are not numbers; None when none is), ``cells`` (its text, when kept)."""

    def __init__(self, values: np.ndarray, finite: np.ndarray, text: np.ndarray | None, cells: Cells | None):
        self.values = values
        self.text = text
        self.cells = cells
        self.has_text = text is not None and bool(text.any())
        self.missing = ~finite
        if self.has_text:
            self.missing &= ~text
        self.numeric = not self.has_text and not self.missing.all()


class Table(NamedTuple):
    names: list[str] | None  # the header's names (None without a header)
    M: np.ndarray  # (rows, columns) float64
    cols: list[Column]
    linenos: LineNumbers
    head: list[list[str]]  # the cells of the first data rows (at most 5)
    delim: str | None


class TableBuilder:
    """Parses a text table fed in pieces (see the module docstring); ``check(name)`` raises to cancel."""

    def __init__(self, name: str, check: Callable[[str], None], keep: frozenset = frozenset(), size_hint: int = 0):
        self.name, self.check = name, check
        self.size_hint = size_hint  # characters of the whole text, if known (sizes the matrix at once)
        self.chars = 0  # characters fed so far
        self.parsed_chars = 0  # characters of the lines parsed so far (blank and comment lines not counted)
        self.store: _Store | None = None
        self.keep = set(keep)
        self.lineno = 0  # lines seen so far (blank and comment lines too)
        self.pending: list = []  # (lines, linenos, quoted) until the delimiter is known
        self.delim: str | None = None
        self.ncol: int | None = None
        self.first: list[str] = []
        self.first_lineno = 0
        self.blocks: list[_Block] = []
        self.rows = 0
        self.head: list[list[str]] = []
        self.has_text = self.has_value = None

    # ------------------------------------------------------------ feeding
    def feed(self, text: str) -> None:
        """The next piece of the text (every piece but the last ends at a line end)."""
        self.chars += len(text)
        lines = text.splitlines()
        base = self.lineno
        self.lineno += len(lines)
        if "#" in text or not all(map(str.strip, lines)):
            keep = [i for i, ln in enumerate(lines) if ln.strip() and not ln.lstrip().startswith("#")]
            lines = [lines[i] for i in keep] if len(keep) < len(lines) else lines
            nos = np.asarray(keep, np.int64) + (base + 1)
        else:
            nos = range(base + 1, base + 1 + len(lines))
        if not lines:
            return
        quoted = '"' in text
        if self.ncol is None:
            self.pending.append((lines, nos, quoted))
            if sum(len(p[0]) for p in self.pending) > SNIFF_LINES:
                self._start()
            return
        self._feed_lines(lines, nos, quoted)

    def _start(self) -> None:
        """The delimiter (from the first 50 lines), the first row, then the lines held back so far."""
        pending, self.pending = self.pending, []
        sample = [ln for p in pending for ln in p[0][:SNIFF_LINES]][:SNIFF_LINES]
        lines, nos, quoted = pending[0]
        if quoted:
            check_quotes(lines[:1], nos[:1], self.name)
        self.delim = sniff(sample)
        self.first = split_lines(lines[:1], nos[:1], self.delim, self.name)[0]
        self.first_lineno = int(nos[0])
        self.ncol = len(self.first)
        self.store = _Store(self.ncol)
        self.has_text = np.zeros(self.ncol, bool)
        self.has_value = np.zeros(self.ncol, bool)
        pending[0] = (lines[1:], nos[1:], quoted)
        for lines, nos, quoted in pending:
            self._feed_lines(lines, nos, quoted)

    def _feed_lines(self, lines: list[str], nos, quoted: bool) -> None:
        step = max(1, (SLOW_BLOCK_VALUES if self.keep else BLOCK_VALUES) // self.ncol)
        for s in range(0, len(lines), step):
            self.check(self.name)
            part, part_nos = lines[s:s + step], nos[s:s + step]
            self.parsed_chars += sum(map(len, part)) + len(part)
            self._add(self._block(part, part_nos, quoted and any('"' in ln for ln in part)))

    def _block(self, lines: list[str], nos, quoted: bool) -> _Block:
        if quoted:
            check_quotes(lines, nos, self.name)
        if self.delim == ";" and len(self.head) < 5:
            self.head += split_lines(lines[:5 - len(self.head)], nos, self.delim, self.name)
        if not quoted and not self.keep:
            M = _loadtxt(lines, self.delim, self.ncol)
            if M is not None:
                return _block(M, {}, {}, nos)
        return self._parse_rows(split_lines(lines, nos, self.delim, self.name), nos)

    def _parse_rows(self, rows: list[list[str]], nos) -> _Block:
        """A block cut into cells: the row widths checked, then parsed a column at a time."""
        widths = list(map(len, rows))
        if widths.count(self.ncol) != len(widths):
            i = next(i for i, w in enumerate(widths) if w != self.ncol)
            shown = {None: "whitespace", "\t": "tab", ",": "comma", ";": "semicolon"}[self.delim]
            raise DataError(f"{self.name}: line {nos[i]} has {plural(widths[i], 'value')} but line "
                            f"{self.first_lineno} has {self.ncol} (separated by {shown}); every row needs the "
                            "same number of columns.")
        M = np.empty((len(rows), self.ncol))
        text, cells = {}, {}
        for j, col in enumerate(zip(*rows)):
            col = list(col)
            M[:, j], t, kept = parse_cells(col, self.delim == ";")
            if t is not None:
                text[j] = t
            if t is not None or j in self.keep:
                cells[j] = kept if kept is not None else Cells.of(col)
        new = set(text) - self.keep
        if new and self.blocks:
            raise Restart(frozenset(self.keep | new))
        self.keep |= new
        return _block(M, text, cells, nos)

    def _add(self, block: _Block) -> None:
        expected = (self.rows + block.rows) * max(self.size_hint, self.chars) / max(self.parsed_chars, 1)
        self.store.add(block.M, block.finite, expected)
        self.blocks.append(block._replace(M=None, finite=None))
        self.rows += block.rows
        for j in block.text:
            self.has_text[j] = True
        if not self.has_value.all():
            self.has_value |= block.finite.any(axis=0)
        check_size(self.name, self.rows, self.ncol)

    # ------------------------------------------------------------ the whole table
    def finish(self) -> Table:
        """The table: header (if any), matrix, columns and line numbers; the blocks are released."""
        if self.ncol is None:
            if not self.pending:
                raise DataError(f"{self.name}: holds no data (only blank or # comment lines).")
            self._start()
        first = self.first
        numeric = ~self.has_text & self.has_value
        if self.rows:
            header = any(numeric[j] and not is_number(first[j]) and first[j].strip().lower() not in MISSING
                         for j in range(self.ncol))
        else:
            header = not any(is_number(c) for c in first)
        if header and not self.rows:
            raise DataError(f"{self.name}: has a header row but no data rows.")
        if not header:
            new = {j for j, c in enumerate(first) if cell_value(c, self.delim == ";") is None} - self.keep
            if new and self.blocks:  # text in the first row of a column of numbers or missing values
                raise Restart(frozenset(self.keep | new))
        blocks, self.blocks = self.blocks, []
        if not header:
            blocks.insert(0, self._first_block())
            self.head.insert(0, first)
        self.check(self.name)
        M, finite = self.store.result(with_first=not header)
        cols = self._columns(blocks, M, finite)
        linenos = LineNumbers([b.linenos for b in blocks])
        names = [c.strip().strip('"').strip() for c in first] if header else None
        return Table(names, M, cols, linenos, self.head[:5], self.delim)

    def _first_block(self) -> _Block:
        """The first row as a block of one row (it is data, not a header)."""
        values = [cell_value(c, self.delim == ";") for c in self.first]
        M = np.array([[np.nan if v is None or not np.isfinite(v) else v for v in values]])
        text = {j: np.ones(1, bool) for j, v in enumerate(values) if v is None}
        cells = {j: Cells.of([self.first[j]]) for j in set(text) | self.keep}
        self.store.set_first(M[0])
        return _block(M, text, cells, range(self.first_lineno, self.first_lineno + 1))

    def _columns(self, blocks: list[_Block], M: np.ndarray, finite: np.ndarray) -> list[Column]:
        cols = []
        for j in range(self.ncol):
            self.check(self.name)
            text = cells = None
            if any(j in b.text for b in blocks):
                text = np.concatenate([b.text.get(j, np.zeros(b.rows, bool)) for b in blocks])
            if any(j in b.cells for b in blocks):
                cells = Cells.concat([b.cells.get(j) or Cells.blank(b.rows) for b in blocks])
            cols.append(Column(M[:, j], finite[:, j], text, cells))
        return cols


class _Store:
    """The values of the table, one matrix filled a block at a time (row 0 kept for the first row, in case it is
    data): sized from the expected number of rows (unwritten rows take no memory) and grown by half when short,
    so the peak is about the final matrix, not blocks plus their concatenation."""

    def __init__(self, ncol: int):
        self.ncol = ncol
        self.M = np.empty((0, ncol))
        self.finite = np.empty((0, ncol), bool)
        self.used = 1

    def add(self, M: np.ndarray, finite: np.ndarray, expected_rows: float) -> None:
        k = M.shape[0]
        need = self.used + k
        if need > self.M.shape[0]:
            most = min(MAX_POINTS, MAX_BYTES // (8 * self.ncol)) + 2  # more rows are refused anyway
            cap = max(need, min(most, max(int(1.5 * self.M.shape[0]), int(1.2 * expected_rows) + 1024)))
            self._grow(cap)
        self.M[self.used:need] = M
        self.finite[self.used:need] = finite
        self.used = need

    def _grow(self, cap: int) -> None:
        M, finite = np.empty((cap, self.ncol)), np.empty((cap, self.ncol), bool)
        old = min(self.used, self.M.shape[0])
        M[:old], finite[:old] = self.M[:old], self.finite[:old]
        self.M, self.finite = M, finite

    def set_first(self, row: np.ndarray) -> None:
        if self.M.shape[0] == 0:
            self._grow(1)
        self.M[0], self.finite[0] = row, np.isfinite(row)

    def result(self, with_first: bool) -> tuple[np.ndarray, np.ndarray]:
        """The matrix and its finite mask (from row 0 ``with_first``, else from row 1), the spare rows freed."""
        for a in (self.M, self.finite):
            a.resize((self.used,) + a.shape[1:], refcheck=False)
        start = 0 if with_first else 1
        M, finite = self.M[start:], self.finite[start:]
        self.M = self.finite = None
        return M, finite


def _block(M: np.ndarray, text: dict, cells: dict, linenos) -> _Block:
    return _Block(M, np.isfinite(M), M.shape[0], text, cells, linenos)


def _loadtxt(lines: list[str], delim: str | None, ncol: int) -> np.ndarray | None:
    """The lines as a (rows, ncol) float64 matrix when every cell is a plain number, else None."""
    try:
        M = np.loadtxt(lines, dtype=np.float64, delimiter=delim, comments=None, quotechar=None, ndmin=2)
    except (ValueError, TypeError, OverflowError):
        return None
    return M if M.shape == (len(lines), ncol) else None
