r"""The TeX pieces of ``solution.tex`` (:func:`engine.session.solution.latex` puts them together).

The document compiles with a standard TeX installation (``pdflatex``; Debian's texlive-latex-base and
texlive-latex-recommended): the article class and only amsmath, amssymb, graphicx, longtable and array,
checked by ``tests/test_solution_compiles.py`` wherever ``pdflatex`` is installed. Text is escaped
(:func:`escape`: the ten special characters, and the Unicode Clusterlab's texts use — ℓ, θ, μ, Σ, "—",
... — as TeX commands; any other character falls back to its ASCII letters, else "?"); a table's labels
also set a one-letter symbol's subscript (:func:`label`: ``N_k``, ``μ_G``). A table wider than the page
is split by columns, each part repeating the row labels (:func:`column_parts`); a long table breaks
across pages (``longtable``); cells are ``\small``. A step's heading, text and figure, and a table's
title and first rows, start a new page together rather than be parted (``\clneedspace``, a few lines in
the preamble).

>>> escape("50% of x_1 & {x2} ~ ℓ2 — θ")
'50\\% of x\\_1 \\& \\{x2\\} \\~{} \\ensuremath{\\ell}2 --- \\ensuremath{\\theta}'
>>> math(r"\lVert x - μ \rVert")
'\\lVert x - \\mu  \\rVert'
>>> [len(part) for part in column_parts([5] * 30, label_width=4)]  # 30 short columns: three parts
[12, 12, 6]
"""
from __future__ import annotations

import re
import unicodedata
from typing import Sequence

__all__ = ["escape", "label", "math", "column_parts", "table", "document", "PREAMBLE"]

_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{",
            "}": r"\}", "~": r"\~{}", "^": r"\^{}", "<": r"\ensuremath{<}", ">": r"\ensuremath{>}",
            "|": r"\ensuremath{|}", "[": "{[}", "]": "{]}", "*": "{*}"}  # a cell after \\ may start with [ or *

#: Unicode -> a math-mode command (used in text inside ``\ensuremath``, in formulas as is).
_MATH = {"ℓ": r"\ell", "θ": r"\theta", "μ": r"\mu", "Σ": r"\Sigma", "σ": r"\sigma", "π": r"\pi", "γ": r"\gamma",
         "α": r"\alpha", "β": r"\beta", "λ": r"\lambda", "δ": r"\delta", "ε": r"\varepsilon", "η": r"\eta",
         "ρ": r"\rho", "τ": r"\tau", "φ": r"\varphi", "ω": r"\omega", "Δ": r"\Delta", "Π": r"\Pi",
         "∞": r"\infty", "×": r"\times", "−": "-", "·": r"\cdot", "→": r"\to", "←": r"\leftarrow",
         "⇒": r"\Rightarrow", "∩": r"\cap", "∪": r"\cup", "∈": r"\in", "∉": r"\notin", "⊂": r"\subset",
         "≤": r"\leq", "≥": r"\geq", "≠": r"\neq", "≈": r"\approx", "∝": r"\propto", "±": r"\pm",
         "‖": r"\|", "′": "'", "√": r"\surd", "∑": r"\sum", "∏": r"\prod", "∂": r"\partial", "∅": r"\emptyset",
         "²": "^{2}", "³": "^{3}", "¹": "^{1}", "⁻": "^{-}", "ᵀ": r"^{\mathsf{T}}", "₀": "_{0}", "₁": "_{1}",
         "₂": "_{2}", "₃": "_{3}", "ₖ": "_{k}", "ₙ": "_{n}", "✓": r"\checkmark", "✗": r"\times", "★": r"\star",
         "○": r"\circ", "●": r"\bullet", "◆": r"\diamond", "▲": r"\blacktriangle", "▸": r"\triangleright",
         "∀": r"\forall", "∃": r"\exists", "∣": r"\mid"}

#: Unicode -> text-mode TeX.
_TEXT = {"—": "---", "–": "--", "…": r"\ldots{}", "“": "``", "”": "''", "‘": "`", "’": "'", "«": "<<",
         "»": ">>", "\u00a0": "~", "ü": r"\"u", "ö": r"\"o", "ä": r"\"a", "é": r"\'e", "è": r"\`e", "ç": r"\c{c}",
         "ß": r"\ss{}", "°": r"\ensuremath{^\circ}"}

#: Usable text width in points (A4, one-inch margins) and the width budget of a table part.
TEXT_WIDTH_PT = 451.0
_TABLE_BUDGET_PT = 440.0
#: Approximate width of one character of a \small table cell (bold cells a little wider), and of a column gap.
_CHAR_PT, _GAP_PT = 5.0, 8.0
#: Cells longer than this many characters go into a wrapping column of _WRAP_PT points.
_WRAP_CHARS, _WRAP_PT = 36, 170.0

PREAMBLE = r"""\documentclass[10pt,a4paper]{article}
\usepackage{amsmath}
\usepackage{amssymb}
\usepackage{graphicx}
\usepackage{longtable}
\usepackage{array}
\setlength{\oddsidemargin}{0pt}
\setlength{\evensidemargin}{0pt}
\setlength{\textwidth}{\paperwidth}
\addtolength{\textwidth}{-2in}
\setlength{\parindent}{0pt}
\setlength{\parskip}{4pt}
\setlength{\LTpre}{2pt}
\setlength{\LTpost}{6pt}
\makeatletter
\newcommand{\clneedspace}[1]{\par\penalty-100\begingroup\setlength{\dimen@}{#1}%
\dimen@ii\pagegoal\advance\dimen@ii-\pagetotal
\ifdim\dimen@>\dimen@ii\ifdim\dimen@ii>\z@\vfil\fi\penalty-\@M\fi\endgroup}
\makeatother"""


#: Room kept on the page for a step's heading, text and figure (else they start the next page together), and for
#: a table's title, formula and first rows (``\clneedspace``, the preamble's few lines of the needspace idea).
_KEEP_FIGURE, _KEEP_TABLE = r"0.45\textheight", r"8\baselineskip"
#: ``N_k``, ``μ_G``, ``q_nk``, ``σ²_k`` in a table's labels: a one-letter symbol and a short subscript.
_SUBSCRIPT = re.compile(r"(?<![A-Za-z0-9_])([A-Za-z\u0391-\u03c9][²′]?)_"
                        r"([A-Za-z0-9]{1,3}(?:,[0-9]{1,3})?)(?![A-Za-z0-9_,])")


def label(text) -> str:
    r"""A row or column label as TeX: :func:`escape`, with a one-letter symbol's short subscript typeset as one
    (``N_k``, ``θ_k,10``); longer names keep their underscore (``max_iter``, a point named ``row_1``).

    >>> print(label("N_k"), label("θ_k,10"), label("row_1"))
    N\ensuremath{_{k}} \ensuremath{\theta}\ensuremath{_{k,10}} row\_1
    """
    out, last = [], 0
    for m in _SUBSCRIPT.finditer(str(text)):
        out.append(escape(str(text)[last:m.start()]) + escape(m.group(1)) + r"\ensuremath{_{" + m.group(2) + "}}")
        last = m.end()
    return "".join(out) + escape(str(text)[last:])


def _fallback(ch: str) -> str:
    ascii_part = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii")
    return escape(ascii_part) if ascii_part else "?"


def escape(text) -> str:
    """``text`` as TeX that prints it (special characters escaped, Unicode as TeX commands)."""
    out = []
    for ch in str(text):
        if ch in _SPECIAL:
            out.append(_SPECIAL[ch])
        elif ch in _MATH:
            out.append(r"\ensuremath{" + _MATH[ch] + "}")
        elif ch in _TEXT:
            out.append(_TEXT[ch])
        elif ch == "\n":
            out.append(" ")
        elif ord(ch) < 128:
            out.append(ch if ch.isprintable() else " ")
        else:
            out.append(_fallback(ch))
    return "".join(out)


def math(formula) -> str:
    """A formula (LaTeX, for ``$...$``) with its Unicode characters as TeX commands; ASCII kept as written."""
    out = []
    for ch in str(formula):
        if ord(ch) < 128:
            out.append(ch if ch != "\n" else " ")
        elif ch in _MATH:
            out.append(_MATH[ch] + " ")
        else:
            out.append(r"\text{" + (_TEXT.get(ch) or _fallback(ch)) + "}")
    return "".join(out)


def _width(chars: int) -> float:
    return _WRAP_PT + _GAP_PT if chars > _WRAP_CHARS else chars * _CHAR_PT + _GAP_PT


def column_parts(widths: Sequence[int], label_width: int, budget: float = _TABLE_BUDGET_PT) -> list[list[int]]:
    """Column indices in groups that fit the page beside the row labels: ``widths`` are each column's widest
    text in characters, ``label_width`` the row labels'. Every group has at least one column."""
    parts: list[list[int]] = []
    used = budget + 1.0
    base = _width(label_width)
    for j, w in enumerate(widths):
        if parts and used + _width(w) <= budget:
            parts[-1].append(j)
            used += _width(w)
        else:
            parts.append([j])
            used = base + _width(w)
    return parts


def _spec(chars: int, align: str) -> str:
    if chars > _WRAP_CHARS:
        return r">{\raggedright\arraybackslash}p{" + f"{_WRAP_PT:g}pt" + "}"
    return align


def _longtable(header: Sequence[str], body: Sequence[Sequence[str]], specs: Sequence[str]) -> str:
    """A ``longtable`` (TeX cells given): a rule, the header (repeated on every page), the body, a rule."""
    lines = [r"{\small\setlength{\tabcolsep}{4pt}", r"\begin{longtable}{" + "".join(specs) + "}", r"\hline",
             " & ".join(header) + r" \\", r"\hline", r"\endhead", r"\hline", r"\endfoot"]
    lines += [" & ".join(row) + r" \\" for row in body]
    lines += [r"\end{longtable}}"]
    return "\n".join(lines)


def table(title: str, formula: str, rows: Sequence[str], columns: Sequence[str],
          cells: Sequence[Sequence[tuple[str, bool]]], note: str = "") -> str:
    """One table of a step's working: its title and formula, then the table (split by columns when wide),
    highlighted cells in bold, then its note. ``cells`` hold (text, highlighted) per cell, already formatted."""
    widths = [max([len(str(c))] + [len(r[j][0]) + 2 * r[j][1] for r in cells]) for j, c in enumerate(columns)]
    label_width = max([len(str(r)) for r in rows] + [1])
    parts = column_parts(widths, label_width) if columns else [[]]
    head = r"\textbf{" + escape(title) + "}"
    out = [r"\clneedspace{" + _KEEP_TABLE + "}", r"\noindent " + head + ("" if not formula else r"\\*" + "\n$" + math(formula) + "$"), r"\par"]
    for p, cols in enumerate(parts):
        if len(parts) > 1:
            out.append(r"\noindent{\small (columns " + f"{cols[0] + 1}--{cols[-1] + 1} of {len(columns)}" + r")}\par")
        specs = [_spec(label_width, "l")] + [_spec(widths[j], "r") for j in cols]
        header = [""] + [label(columns[j]) for j in cols]
        body = [[label(rows[i])] + [(r"\textbf{" + escape(row[j][0]) + "}") if row[j][1] else escape(row[j][0])
                                     for j in cols] for i, row in enumerate(cells)]
        out.append(_longtable(header, body, specs))
    if note:
        out.append(r"{\small " + escape(note) + r"}\par")
    return "\n".join(out)


def _figure(path: str, width: str, caption: str = "") -> str:
    lines = [r"\begin{center}", r"\includegraphics[width=" + width + r",keepaspectratio]{" + path + "}"]
    if caption:
        lines.append(r"\\[2pt] {\small " + escape(caption) + "}")
    return "\n".join(lines + [r"\end{center}"])


def document(title: str, intro: str, facts: Sequence[str], note: str, glance: tuple, steps: Sequence[dict],
             figures: Sequence[tuple[str, str]]) -> str:
    """The whole standalone document: title, introduction, facts (a list), the note on figures, the table of
    every step (``glance`` = (header, rows of text)), one section per step (``{"heading", "text", "figure",
    "tables"}``, tables already TeX) and the figures of the whole run ((caption, file) pairs)."""
    lines = [PREAMBLE, r"\title{" + escape(title) + "}", r"\author{Clusterlab}", r"\date{}",
             r"\begin{document}", r"\maketitle"]
    if intro:
        lines += [escape(intro), ""]
    if facts:
        lines += [r"\begin{itemize}"] + [r"\item " + escape(f) for f in facts] + [r"\end{itemize}"]
    if note:
        lines += [escape(note), ""]
    header, rows = glance
    lines += [r"\section*{The run at a glance}",
              _longtable([escape(h) for h in header], [[escape(c) for c in row] for row in rows],
                         ["r", "l", "r", r">{\raggedright\arraybackslash}p{250pt}"])]
    for s in steps:
        keep = _KEEP_FIGURE if s.get("figure") else _KEEP_TABLE
        lines += ["", r"\clneedspace{" + keep + "}", r"\section*{" + escape(s["heading"]) + "}",
                  escape(s.get("text", "")), ""]
        if s.get("figure"):
            lines.append(_figure(s["figure"], r"0.55\linewidth"))
        lines += list(s.get("tables", []))
    if figures:
        lines += ["", r"\section*{Figures of the whole run}"]
        lines += [_figure(path, r"0.8\linewidth", caption) for caption, path in figures]
    lines += [r"\end{document}", ""]
    return "\n".join(lines)
