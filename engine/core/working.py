"""The working of a step: the arithmetic behind it, as tables a person can check by hand.

Every registered algorithm gives, through :attr:`engine.core.registry.Algorithm.working`,
a function ``working(X, steps, index, params, names=None, rows=None) -> Working``:

* ``X`` — the data the run worked on (``run_input``'s ``X``), ``steps`` — the run's steps
  so far (a sequence; ``steps[index]`` is the step explained, ``steps[index - 1]`` the
  state before it), ``params`` — the validated parameters of the run;
* ``names`` — the points' names (``Dataset.names``; ``None``: ``x1, x2, ...``);
* ``rows`` — the point indices whose rows a large table shows (the points the person
  selected); ``None``: every point up to :data:`MAX_ROWS`, else the first ``MAX_ROWS``
  and a summary row.

The working is recomputed from the step's *inputs* (the previous step's centres,
clusters, parameters) by the textbook formula, written plainly and independent of the
fast kernels, so it doubles as a check: :attr:`Working.derived` holds what the working
concludes (``"labels"``, ``"centers"``, ``"objective"``, or payload keys such as
``"height"``), and the conformance suite compares each with the step's own value
(``getattr(step, key)``, else ``step.payload[key]``) to 1e-9 relative.

A table of vectors with many features (MNIST's 784 pixels: a Bernoulli mixture's ``theta_k``,
K-means centres) summarises each row in a few columns; :attr:`Working.images` then carries the
vectors themselves (:class:`Images`, made by :func:`images_of`), which a view draws as images when
the data are images. ``working.json`` and the solutions keep to the tables.

Example
-------
>>> t = Table("Distances", r"d(x_n, \\mu_k)", ["x1", "x2"], ["c1", "c2"], [[1.0, 2.0], [0.5, 0.25]],
...           highlight=[(0, 0), (1, 1)])
>>> print(t.markdown())
**Distances** — $d(x_n, \\mu_k)$
<BLANKLINE>
|  | c1 | c2 |
| --- | --- | --- |
| x1 | **1** | 2 |
| x2 | 0.5 | **0.25** |
>>> t.to_dict()["highlight"]
[[0, 0], [1, 1]]
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

__all__ = ["MAX_ROWS", "Table", "Images", "images_of", "Working", "shown_rows", "point_names", "fmt", "step_value",
           "disagreements"]

#: With at most this many points every row is given; with more, the selected rows (else the first ones) and a summary.
MAX_ROWS = 50


def fmt(value: Any, digits: int = 4) -> str:
    """A cell as text: numbers to ``digits`` significant digits (``"{:.4g}"``), other values as they are."""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isnan(v):
            return "—"
        if math.isinf(v):
            return "∞" if v > 0 else "−∞"
        return f"{v:.{digits}g}"
    return str(value)


@dataclass(frozen=True)
class Table:
    """One table of a step's working.

    Parameters
    ----------
    title : str
        What the table shows, in words ("Squared distances to the centres").
    formula : str
        The formula of its cells, LaTeX without dollar signs (``r"\\lVert x_n - \\mu_k \\rVert_2^2"``).
    rows, columns : sequence of str
        Row and column labels (points and clusters by their names).
    values : sequence of sequences
        ``len(rows)`` rows of ``len(columns)`` cells: numbers at full precision, or text
        (a list of members, "—").
    highlight : sequence of (row, column)
        The cells that decide the step (each row's minimum, the merged pair).
    note : str
        One or two sentences under the table (the tie rule, what a summary row sums).
    """

    title: str
    formula: str
    rows: Sequence[str]
    columns: Sequence[str]
    values: Sequence[Sequence[Any]]
    highlight: Sequence[tuple[int, int]] = ()
    note: str = ""

    def __post_init__(self):
        rows, cols = list(map(str, self.rows)), list(map(str, self.columns))
        values = [list(r) for r in self.values]
        if len(values) != len(rows) or any(len(r) != len(cols) for r in values):
            raise ValueError(f"table {self.title!r}: {len(values)} rows of values for {len(rows)} row labels, "
                             f"each should have {len(cols)} cells")
        hl = [(int(r), int(c)) for r, c in self.highlight]
        if any(not (0 <= r < len(rows) and 0 <= c < len(cols)) for r, c in hl):
            raise ValueError(f"table {self.title!r}: a highlighted cell lies outside the table")
        object.__setattr__(self, "rows", tuple(rows))
        object.__setattr__(self, "columns", tuple(cols))
        object.__setattr__(self, "values", tuple(tuple(_plain(v) for v in r) for r in values))
        object.__setattr__(self, "highlight", tuple(hl))

    def to_dict(self) -> dict:
        """The table as JSON-ready data (values at full precision; non-finite numbers as ``None``)."""
        def cell(v):
            return None if isinstance(v, float) and not math.isfinite(v) else v
        return {"title": self.title, "formula": self.formula, "rows": list(self.rows), "columns": list(self.columns),
                "values": [[cell(v) for v in r] for r in self.values],
                "highlight": [list(h) for h in self.highlight], "note": self.note}

    def _cells(self, digits: int, mark) -> list[list[str]]:
        hl = set(self.highlight)
        return [[mark(fmt(v, digits)) if (i, j) in hl else fmt(v, digits) for j, v in enumerate(r)]
                for i, r in enumerate(self.values)]

    def markdown(self, digits: int = 4) -> str:
        """The table as Markdown: a bold title with the formula in ``$...$``, highlighted cells in bold."""
        head = f"**{self.title}**" + (f" — ${self.formula}$" if self.formula else "")
        lines = [head, "", "|  | " + " | ".join(_md(c) for c in self.columns) + " |",
                 "| --- |" + " --- |" * len(self.columns)]
        cells = self._cells(digits, lambda s: f"**{s}**")
        lines += ["| " + _md(r) + " | " + " | ".join(_md(c) for c in row) + " |" for r, row in zip(self.rows, cells)]
        if self.note:
            lines += ["", self.note]
        return "\n".join(lines)

    def latex(self, digits: int = 4) -> str:
        """The table as a LaTeX ``tabular`` (in a ``center`` block, title and formula above, cells in bold
        where highlighted); needs no package beyond a standard document."""
        cells = self._cells(digits, lambda s: r"\textbf{" + s + "}")
        lines = [r"\begin{center}", r"\textbf{" + _tex(self.title) + "}" + (
                 f" \\quad ${self.formula}$" if self.formula else "") + r"\\[4pt]",
                 r"\begin{tabular}{l" + "r" * len(self.columns) + "}", r"\hline",
                 " & " + " & ".join(_tex(c) for c in self.columns) + r" \\", r"\hline"]
        for r, row in zip(self.rows, cells):
            lines.append(_tex(r) + " & " + " & ".join(c if c.startswith(r"\textbf") else _tex(c) for c in row)
                         + r" \\")
        lines += [r"\hline", r"\end{tabular}"]
        if self.note:
            lines += [r"\\[2pt]", r"{\small " + _tex(self.note) + "}"]
        lines.append(r"\end{center}")
        return "\n".join(lines)

    def csv(self) -> str:
        """The table as CSV (values at full precision, the row labels in the first column)."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([""] + list(self.columns))
        for r, row in zip(self.rows, self.values):
            w.writerow([r] + [repr(v) if isinstance(v, float) else v for v in row])
        return buf.getvalue()


@dataclass(frozen=True, eq=False)
class Images:
    """Rows of a table's vectors, for a view to draw as images (one per row) when the data are images.

    Parameters
    ----------
    table : str
        The title of the table they belong to (a view draws them right after it).
    names : sequence of str
        One name per image, as the table's rows name them (``"c1"``, ``"μ1"``: a cluster by its number).
    values : ndarray of shape (m, d)
        One vector per image, in the data's coordinates (``d = h * w`` pixels).
    levels : (float, float) or None
        The values drawn as white and black: ``(0, 1)`` for probabilities; None: the data's own range.
    """

    table: str
    names: Sequence[str]
    values: np.ndarray
    levels: tuple[float, float] | None = None


def images_of(table: "Table", values, levels=None) -> tuple["Images", ...]:
    """``(Images,)`` of the (m, d) ``values`` whose rows ``table``'s first ``m`` rows name.

    >>> t = Table("Centres", "", ["μ1", "μ2"], ["‖c‖"], [[1.0], [2.0]])
    >>> im, = images_of(t, np.zeros((2, 784)))
    >>> im.table, list(im.names), im.values.shape
    ('Centres', ['μ1', 'μ2'], (2, 784))
    """
    V = np.array(values, dtype=float)
    return (Images(table.title, tuple(table.rows[:V.shape[0]]), V, None if levels is None else
                   (float(levels[0]), float(levels[1]))),)


@dataclass(frozen=True)
class Working:
    """The working of one step: its tables, what they conclude, and vectors to draw as images (see the module
    docstring)."""

    tables: tuple = ()
    derived: dict = field(default_factory=dict)
    images: tuple = ()

    def to_dict(self) -> dict:
        return {"tables": [t.to_dict() for t in self.tables]}


def _plain(v):
    """Numpy scalars as Python numbers; everything else unchanged."""
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def _md(s: str) -> str:
    return str(s).replace("|", r"\|")


_TEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{",
        "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "—": "---", "−": "-", "∞": r"$\infty$"}


def _tex(s: str) -> str:
    return "".join(_TEX.get(ch, ch) for ch in str(s))


def point_names(n: int, names=None) -> list[str]:
    """The points' names: ``names`` when given (one per point), else ``x1 .. xn`` as the course writes them."""
    if names is not None and len(names) == n:
        return [str(s) for s in names]
    return [f"x{i + 1}" for i in range(n)]


def shown_rows(n: int, rows=None) -> tuple[np.ndarray, bool]:
    """The point indices a table shows, and whether rows are left out (then a summary row follows).

    At most :data:`MAX_ROWS` points: all of them. More: ``rows`` (the selected points, at most
    ``MAX_ROWS`` of them) when given, else the first ``MAX_ROWS``.

    >>> shown_rows(3)[0].tolist(), shown_rows(3)[1]
    ([0, 1, 2], False)
    >>> idx, cut = shown_rows(1000, rows=[7, 3])
    >>> idx.tolist(), cut
    ([3, 7], True)
    """
    if n <= MAX_ROWS:
        return np.arange(n), False
    if rows is not None and len(rows):
        idx = np.unique(np.asarray(rows, dtype=np.int64))
        idx = idx[(idx >= 0) & (idx < n)][:MAX_ROWS]
        if idx.size:
            return idx, True
    return np.arange(MAX_ROWS), True


def step_value(step, key: str):
    """The step's own value of a ``derived`` key: the attribute (``labels``, ``centers``, ``objective``, ...),
    else ``step.payload[key]`` (KeyError when the step has neither)."""
    return getattr(step, key) if hasattr(step, key) else step.payload[key]


def disagreements(working: Working, step, rtol: float = 1e-9, atol: float = 1e-12) -> list[str]:
    """Where ``working.derived`` and ``step`` disagree, one line each (empty: they agree).

    Each key is compared with :func:`step_value`, after ``numpy.asarray``: the same shape; integers,
    booleans and text exactly (labels as they are numbered, no renaming); floats to ``rtol`` relative to
    the larger magnitude of the two (of the whole array for arrays, so a coordinate that is zero up to
    rounding in a centre is judged on the centre's scale), ``atol`` for values that should be 0, ``nan``
    where the other is ``nan``.

    >>> from engine.core.steps import Step
    >>> s = Step("assign", "t", labels=[0, 1], objective=2.0, payload={"chosen": 3})
    >>> disagreements(Working((), {"labels": np.array([0, 1]), "objective": 2.0 + 1e-12, "chosen": 3}), s)
    []
    >>> disagreements(Working((), {"labels": np.array([1, 0]), "objective": 2.1}), s)
    ['labels: [1, 0] but the step has [0, 1]', 'objective: 2.1 but the step has 2.0']
    """
    out = []
    for key, value in working.derived.items():
        try:
            want = step_value(step, key)
        except KeyError:
            out.append(f"{key}: the step has no such attribute or payload entry")
            continue
        got_a, want_a = np.asarray(value), np.asarray(want)
        if got_a.shape != want_a.shape:
            out.append(f"{key}: shape {got_a.shape} but the step has {want_a.shape}")
        elif got_a.dtype.kind in "fc" or want_a.dtype.kind in "fc":
            g, w = got_a.astype(float), want_a.astype(float)
            if not np.array_equal(np.isnan(g), np.isnan(w)):
                out.append(f"{key}: nan in other places than the step's")
                continue
            ok = ~np.isnan(w)
            scale = max(float(np.abs(g[ok]).max(initial=0.0)), float(np.abs(w[ok]).max(initial=0.0)))
            if np.abs(g[ok] - w[ok]).max(initial=0.0) > rtol * scale + atol:
                out.append(f"{key}: {_short(value)} but the step has {_short(want)}")
        elif not np.array_equal(got_a, want_a):
            out.append(f"{key}: {_short(value)} but the step has {_short(want)}")
    return out


def _short(v) -> str:
    text = repr(np.asarray(v).tolist()) if isinstance(v, np.ndarray) else repr(v)
    return text if len(text) <= 80 else text[:77] + "..."
