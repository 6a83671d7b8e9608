r"""A working table's LaTeX formula as Qt rich text: Greek letters and symbols as Unicode, sub- and superscripts as tags.

Enough of LaTeX for the formulas of :mod:`engine.core.working` tables — ``\frac``, ``\sum``,
``\log``, ``\mathcal{N}``, ``\lVert x \rVert_2^2``, ``^\top``, ``\text{...}`` — rendered without a
TeX installation or a heavy dependency. An unknown command shows as its name.

Example
-------
>>> tex_to_html(r"q_{nk} = \frac{\pi_k}{\sum_j \pi_j}")
'q<sub>nk</sub> = π<sub>k</sub> / (Σ<sub>j</sub> π<sub>j</sub>)'
>>> tex_to_html(r"\lVert x_n - \mu_k \rVert_2^2 < 1")
'‖x<sub>n</sub> − μ<sub>k</sub>‖<sub>2</sub><sup>2</sup> &lt; 1'
"""
from __future__ import annotations

import html
import re

__all__ = ["tex_to_html", "SYMBOLS"]

#: Commands written as one Unicode character or a word.
SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π",
    "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Omega": "Ω",
    "sum": "Σ", "prod": "∏", "mid": "|", "lvert": "|", "rvert": "|", "vert": "|", "lVert": "‖", "rVert": "‖",
    "Vert": "‖", "cdot": "·", "times": "×", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠",
    "approx": "≈", "sim": "~", "propto": "∝", "to": "→", "rightarrow": "→", "leftarrow": "←", "in": "∈",
    "notin": "∉", "infty": "∞", "partial": "∂", "ldots": "…", "dots": "…", "cdots": "⋯", "top": "T",
    "ell": "ℓ", "cup": "∪", "cap": "∩", "setminus": "∖", "subset": "⊂", "forall": "∀", "exists": "∃",
    "emptyset": "∅", "pm": "±", "star": "⋆", "ast": "∗", "langle": "⟨", "rangle": "⟩", "lfloor": "⌊",
    "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉", "quad": "\u2003", "qquad": "\u2003\u2003", ",": "\u2009",
    ";": " ", ":": " ", "!": "", " ": " ", "{": "{", "}": "}", "_": "_", "%": "%", "&": "&amp;", "#": "#",
    "backslash": "\\", "colon": ":", "left": "", "right": "", "big": "", "Big": "", "bigl": "", "bigr": "",
    "displaystyle": "", "limits": "", "min": "min", "max": "max", "arg": "arg", "log": "log", "exp": "exp",
    "argmin": "argmin", "argmax": "argmax", "det": "det", "tr": "tr", "ln": "ln",
}
#: Commands whose argument is written as it is (plain), in bold or in italics.
PLAIN = {"text", "mathrm", "operatorname", "textrm", "mathsf", "texttt", "mathtt"}
BOLD = {"mathbf", "textbf", "boldsymbol", "bm"}
ITALIC = {"mathcal", "mathit", "textit", "emph", "mathscr"}
ACCENTS = {"hat": "\u0302", "bar": "\u0304", "tilde": "\u0303", "vec": "\u20d7", "dot": "\u0307"}
BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ"}

OPENING = {"\\lVert", "\\lvert", "\\langle", "\\left", "\\lfloor", "\\lceil", "("}
CLOSING = {"\\rVert", "\\rvert", "\\rangle", "\\right", "\\rfloor", "\\rceil", ")"}

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[{}_^]|\s+|[^\\{}_^\s]")


def _tokens(tex: str) -> list[str]:
    return _TOKEN.findall(tex)


class _Reader:
    """Reads tokens into rich text: groups, scripts and commands (recursive)."""

    def __init__(self, tokens):
        self.t, self.i = tokens, 0

    def run(self, stop=None) -> str:
        out = []
        while self.i < len(self.t):
            tok = self.t[self.i]
            if tok == stop:
                self.i += 1
                break
            out.append(self.piece())
        return "".join(out)

    def atom(self) -> str:
        """One argument: a ``{group}``, a command or one character (spaces before it skipped)."""
        while self.i < len(self.t) and self.t[self.i].isspace():
            self.i += 1
        if self.i >= len(self.t):
            return ""
        if self.t[self.i] == "{":
            self.i += 1
            return self.run("}")
        return self.piece()

    def raw_atom(self) -> str:
        """An argument as plain text (``\\text{...}``)."""
        if self.i < len(self.t) and self.t[self.i] == "{":
            depth, out = 0, []
            while self.i < len(self.t):
                tok = self.t[self.i]
                self.i += 1
                depth += tok == "{"
                depth -= tok == "}"
                if depth == 0:
                    break
                if not (tok == "{" and depth == 1):
                    out.append(tok.lstrip("\\") if tok.startswith("\\") and len(tok) == 2 else tok)
            return html.escape("".join(out))
        return self.atom()

    def piece(self) -> str:
        tok = self.t[self.i]
        self.i += 1
        if tok == "{":
            return self.run("}")
        if tok == "}":
            return ""
        if tok in ("_", "^"):
            tag = "sub" if tok == "_" else "sup"
            return f"<{tag}>{self.atom()}</{tag}>"
        if tok.isspace():
            return self.space()
        if tok.startswith("\\"):
            return self.command(tok[1:])
        return {"-": "−", "'": "′"}.get(tok, html.escape(tok))

    def space(self) -> str:
        """A space between words ("log π"), none inside delimiters ("‖x‖", "(x)") or after a command."""
        before = self.t[self.i - 2] if self.i >= 2 else ""
        after = self.t[self.i] if self.i < len(self.t) else ""
        if before in OPENING or after in CLOSING or after in ("_", "^", "}") or before in ("{",):
            return ""
        return " "

    def command(self, name: str) -> str:
        if name == "frac":
            num, den = self.atom(), self.atom()
            return f"{_wrap(num)} / {_wrap(den)}"
        if name == "sqrt":
            return f"√{_wrap(self.atom(), always=True)}"
        if name in PLAIN:
            return self.raw_atom()
        if name in BOLD:
            return f"<b>{self.atom()}</b>"
        if name in ITALIC:
            return f"<i>{self.atom()}</i>"
        if name == "mathbb":
            arg = self.raw_atom()
            return "".join(BLACKBOARD.get(ch, ch) for ch in arg)
        if name in ACCENTS:
            return self.atom() + ACCENTS[name]
        return SYMBOLS.get(name, name)


def _wrap(text: str, always: bool = False) -> str:
    """``text`` in parentheses unless it is one symbol (with its scripts)."""
    plain = re.sub(r"<(sub|sup)>.*?</\1>", "", text)
    plain = re.sub(r"<[^>]+>", "", plain)
    return f"({text})" if always or len(plain.strip()) > 1 else text


def tex_to_html(tex: str) -> str:
    """The LaTeX math ``tex`` (no dollar signs) as Qt rich text (see the module docstring).

    >>> tex_to_html(r"\\Sigma_k^{-1} \\text{ fixed}")
    'Σ<sub>k</sub><sup>−1</sup>  fixed'
    """
    return _Reader(_tokens(str(tex))).run()
