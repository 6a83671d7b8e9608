"""The structural check of a LaTeX document, for the worked-solution tests (it runs where no TeX is installed too).

:func:`check_latex` lists what a compile would trip on first: the preamble and ``\\end{document}``, only
ASCII, only standard packages (amsmath, amssymb, graphicx, longtable, array) and commands LaTeX and those
packages define (or the document with ``\\newcommand``), balanced braces and environments, math in pairs of
``$``, ``&`` only inside tables and as many cells per row as the table has columns. Where ``pdflatex`` is
installed, ``tests/test_solution_compiles.py`` compiles solutions for real.
"""
from __future__ import annotations

import re

__all__ = ["check_latex", "columns", "PACKAGES", "KNOWN"]

PACKAGES = {"amsmath", "amssymb", "graphicx", "longtable", "array"}
#: Commands of LaTeX and of the packages above that a solution may use (text, tables, the formulas' math).
KNOWN = set("""documentclass usepackage setlength addtolength paperwidth textwidth oddsidemargin evensidemargin
parindent parskip LTpre LTpost title author date begin end maketitle section item par noindent textbf small
tabcolsep hline endhead endfoot raggedright arraybackslash includegraphics linewidth ensuremath textbackslash
ldots ss c text quad qquad frac dfrac tfrac sum prod log exp min max arg argmin argmax operatorname mathrm
mathbf mathcal mathsf mathit mathbb lVert rVert Vert lvert rvert left right big Big bigl bigr Bigl Bigr mid
cdot cdots ldots times top infty ell theta mu Sigma sigma pi gamma alpha beta lambda delta varepsilon eta rho
tau varphi omega Delta Pi to leftarrow Rightarrow cap cup in notin subset leq le geq ge neq approx propto pm
surd partial emptyset checkmark star circ bullet diamond blacktriangle triangleright forall exists sqrt hat
bar tilde widehat overline underline dots vdots sim equiv colon lfloor rfloor lceil rceil langle rangle
mathrm displaystyle limits nolimits boldsymbol tag qquad quad neg land lor setminus sup inf lim
baselineskip textheight
""".split())
ALIGN_ENVS = {"longtable", "tabular", "array", "aligned", "align", "align*", "cases", "matrix", "pmatrix",
              "bmatrix"}


def _strip_escapes(text: str) -> str:
    return re.sub(r"\\[\\{}$%&#_~^ ]", "", text)


def columns(spec: str) -> int:
    spec = re.sub(r">\{(?:[^{}]|\{[^{}]*\})*\}", "", spec)  # >{...} decorations
    spec = re.sub(r"[pmb]\{[^{}]*\}", "X", spec)
    return len(re.findall(r"[lcrX]", spec))


def _without_internals(text: str) -> str:
    """The text without its ``\\makeatletter ... \\makeatother`` blocks (a macro of the preamble written with
    TeX's own primitives; a compile with ``pdflatex``, where it is installed, checks those)."""
    return re.sub(r"\\makeatletter.*?\\makeatother", "", text, flags=re.S)


def check_latex(text: str) -> list[str]:
    """The problems a compile would report first, as sentences (empty: structurally valid)."""
    problems = []
    if not text.startswith(r"\documentclass"):
        problems.append("does not start with \\documentclass")
    if not text.rstrip().endswith(r"\end{document}") or text.count(r"\begin{document}") != 1:
        problems.append("one \\begin{document} ... \\end{document} expected, the end last")
    if any(ord(ch) > 127 for ch in text):
        problems.append("non-ASCII characters: " + "".join(sorted({ch for ch in text if ord(ch) > 127}))[:20])
    used = set(re.findall(r"\\usepackage(?:\[[^]]*\])?\{([^}]*)\}", text))
    used = {p.strip() for group in used for p in group.split(",")}
    if used - PACKAGES:
        problems.append(f"packages beyond the standard set: {sorted(used - PACKAGES)}")
    defined = set(re.findall(r"\\newcommand\{\\([A-Za-z]+)\}", text))
    unknown = set(re.findall(r"\\([A-Za-z]+)", _without_internals(text))) - KNOWN - defined
    if unknown:
        problems.append(f"unknown commands: {sorted(unknown)}")
    bare = _strip_escapes(text)
    depth = 0
    for ch in bare:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            problems.append("a closing brace without an opening one")
            break
    if depth > 0:
        problems.append(f"{depth} unclosed brace(s)")
    problems += _check_environments(text)
    for para in re.split(r"\n\s*\n", bare):
        if para.count("$") % 2:
            problems.append(f"odd number of $ in: {para[:80]!r}")
    return problems


def _check_environments(text: str) -> list[str]:
    problems, stack = [], []
    for line in text.splitlines():
        for kind, name in re.findall(r"\\(begin|end)\{([^}]*)\}", line):
            if kind == "begin":
                stack.append(name)
            elif not stack or stack.pop() != name:
                problems.append(f"\\end{{{name}}} does not close the open environment")
        m = re.search(r"\\begin\{longtable\}\{(.*)\}\s*$", line)
        if m:
            width = columns(m.group(1))
        cells = _strip_escapes(line).count("&")
        if cells and not (stack and stack[-1] in ALIGN_ENVS):
            problems.append(f"& outside a table: {line[:80]!r}")
        elif cells and stack[-1] == "longtable" and cells != width - 1:
            problems.append(f"{cells + 1} cells in a {width}-column table: {line[:80]!r}")
    if stack:
        problems.append(f"environments left open: {stack}")
    return problems
