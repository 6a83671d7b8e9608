"""Cells of a text table: the delimiter, lines cut into cells, a cell as a number, a column's text kept compactly.

Used by :mod:`engine.data.textparse` (which parses a table a block of lines at a time) and
:mod:`engine.data.text` (which turns the parsed columns into a :class:`~engine.data.Dataset`).

Example
-------
>>> sniff(["a;b", "1;2"]), cell_value("NA"), cell_value("x"), cell_value("1,5", decimal_comma=True)
(';', nan, None, 1.5)
>>> values, text, cells = parse_cells(["1", "b", "1", "NA"])
>>> values.tolist()[:1], text.tolist(), cells.uniq, cells.codes.tolist()
([1.0], [False, True, False, False], ['1', 'b', 'NA'], [0, 1, 0, 2])
"""
from __future__ import annotations

import csv
import re

import numpy as np

from engine.data.dataset import DataError

__all__ = ["MISSING", "LABEL_COLUMNS", "INDEX_COLUMNS", "sniff", "split_lines", "check_quotes", "cell_value",
           "is_number", "parse_cells", "Cells"]

MISSING = frozenset({"", "na", "n/a", "nan", "-nan", "?", "null", "none", "missing"})
LABEL_COLUMNS = frozenset({"label", "labels", "class", "cluster", "group", "target"})
INDEX_COLUMNS = frozenset({"", "id", "index", "unnamed: 0"})

_OPEN_QUOTE = re.compile(r'(?:^|[,;\t ])\s*"')  # a quote that starts a field


def sniff(sample: list[str]) -> str | None:
    """The delimiter of a table: tab, comma or semicolon if every sampled line has it, else whitespace (None)."""
    best = None
    for d in ("\t", ",", ";"):
        counts = [ln.count(d) for ln in sample]
        if min(counts) > 0:
            if len(set(counts)) == 1:
                return d
            best = best or d
    return best


def split_lines(lines: list[str], linenos, delim: str | None, name: str) -> list[list[str]]:
    """The lines cut into cells (the csv module when a line holds a quote); ``linenos[i]`` numbers line i."""
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


def check_quotes(lines: list[str], linenos, name: str) -> None:
    """Refuse a quoted field left open at the end of its line (a line break inside quotes): one row per line."""
    for ln, line in zip(linenos, lines):
        if '"' in line and line.count('"') % 2 and _OPEN_QUOTE.search(line):
            raise DataError(f"{name}: line {ln} opens a quoted field that does not close on that line (a line "
                            "break inside quotes?); Clusterlab reads one row per line: remove line breaks inside "
                            "quoted fields.")


def cell_value(c: str, decimal_comma: bool = False) -> float | None:
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


def is_number(c: str) -> bool:
    v = cell_value(c)
    return v is not None and not np.isnan(v)


class Cells:
    """The text of a column's cells: each distinct cell once (``uniq``) and a code per row (``codes``, int32).

    A label column of a million rows holds a few strings and 4 MB of codes, not a million Python strings.
    """

    __slots__ = ("uniq", "codes")

    def __init__(self, uniq: list[str], codes: np.ndarray):
        self.uniq = uniq
        self.codes = codes

    @classmethod
    def of(cls, cells) -> "Cells":
        """The cells, blanks around each removed (as the csv module's cells are, and however the line was cut)."""
        index: dict[str, int] = {}
        codes = np.array([index.setdefault(c.strip(), len(index)) for c in cells], dtype=np.int32)
        return cls(list(index), codes)

    @classmethod
    def blank(cls, n: int) -> "Cells":
        """``n`` empty cells (a column whose text was not kept: numbers or missing values only)."""
        return cls([""], np.zeros(n, np.int32))

    @classmethod
    def concat(cls, parts: list["Cells"]) -> "Cells":
        index: dict[str, int] = {}
        codes = []
        for p in parts:
            remap = np.array([index.setdefault(u, len(index)) for u in p.uniq], dtype=np.int32)
            codes.append(remap[p.codes])
        return cls(list(index), np.concatenate(codes) if codes else np.zeros(0, np.int32))

    def __len__(self) -> int:
        return int(self.codes.shape[0])

    def head(self, k: int) -> list[str]:
        return [self.uniq[c] for c in self.codes[:k].tolist()]


def parse_cells(cells: list[str], decimal_comma: bool = False):
    """``(values, text, cells)`` of one column: float values (NaN where missing or text), which cells are text
    (None when none is) and the :class:`Cells` (None when every cell converted as a number at once)."""
    try:
        return np.array(cells, dtype=np.float64), None, None
    except ValueError:
        pass
    kept = Cells.of(cells)
    values_u = np.full(len(kept.uniq), np.nan)
    text_u = np.zeros(len(kept.uniq), bool)
    for i, c in enumerate(kept.uniq):
        v = cell_value(c, decimal_comma)
        if v is None:
            text_u[i] = True
        elif np.isfinite(v):
            values_u[i] = v
    text = text_u[kept.codes]
    return values_u[kept.codes], (text if text_u.any() else None), kept
