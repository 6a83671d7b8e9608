"""Worked solutions: every step of a run with its working, as ``working.json``, ``solution.md`` and ``solution.tex``.

``clusterlab render SESSION --out DIR --working`` computes, for every step of the run, the
algorithm's working (:attr:`engine.core.registry.Algorithm.working`, tables of
:mod:`engine.core.working`) and writes three files beside the figures:

* ``working.json`` — ``{"session": NAME, "steps": [{"index": I, "kind": K, "description": TEXT,
  "tables": [{"title", "formula", "rows", "columns", "values", "highlight", "note"}, ...]}, ...]}``
  with the values at full precision (non-finite numbers as ``null``) and ``index`` the step's number
  as the timeline shows it (from 1: :func:`engine.core.steps.step_number`). Beside these: the
  session's description and algorithm, each step's ``objective`` and ``figure`` (the scatter of that
  step, when one was drawn), the run's final ``figures`` (dendrogram, objective curve, ...);
* ``solution.md`` — Markdown with ``$...$`` math (:func:`markdown`);
* ``solution.tex`` — a standalone LaTeX document (:func:`latex`; the TeX pieces are
  :mod:`engine.session.solution_tex`).

Everything here is plain Python on the JSON-ready document :func:`build` returns: the text of
the two documents is a function of ``working.json`` alone (a test reads the file back and gets
the same text). The figures come from ``render`` (:mod:`gui.shell.render_window`), which draws the
scatter for at most :data:`FIGURE_STEPS` steps and the last (:func:`figure_indices`).

Example
-------
>>> doc = {"session": "demo", "steps": [{"index": 1, "kind": "assign", "description": "two points",
...        "objective": 2.5, "tables": [{"title": "Distances", "formula": "d", "rows": ["x1"],
...        "columns": ["c1", "c2"], "values": [[1.0, None]], "highlight": [[0, 0]]}]}]}
>>> print(markdown(doc).split("## Step 1 (assign)")[1].strip())
two points
<BLANKLINE>
**Distances** — $d$
<BLANKLINE>
|  | c1 | c2 |
| --- | --- | --- |
| x1 | **1** | — |
>>> figure_indices(3), figure_indices(100, first=2)
([0, 1, 2, 3], [0, 1, 100])
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Sequence

from engine.core.atomic import write_text_atomic
from engine.core.registry import get_algorithm
from engine.core.steps import step_number
from engine.core.working import Table, fmt
from engine.session import make_dataset, run_input
from engine.session import solution_tex as tex
from engine.session.schema import to_json_ready

__all__ = ["FIGURE_STEPS", "DIGITS", "figure_indices", "build", "table_of", "markdown", "latex", "to_json", "write",
           "figure_note", "glance_rows", "md_text"]

#: Figures of the scatter are drawn for at most this many first steps, and the last.
FIGURE_STEPS = 30
#: Significant digits of the tables in solution.md and solution.tex (working.json has full precision).
DIGITS = 4
#: Significant digits of the objective in the table of every step ("the run at a glance").
OBJECTIVE_DIGITS = 7


def figure_indices(final: int, first: int = FIGURE_STEPS) -> list[int]:
    """The 0-based indices of the steps whose scatter a solution shows: the first ``first`` and ``final``."""
    final = int(final)
    return sorted(set(range(min(first, final + 1))) | {final})


def _finite(v):
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: _finite(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_finite(x) for x in v]
    return v


def build(session, steps: Sequence, dataset=None, figures: dict | None = None,
          finals: Sequence[tuple[str, str]] = (), rows=None) -> dict:
    """The worked solution of ``steps`` (a run of ``session``) as a JSON-ready document.

    Parameters
    ----------
    session : engine.session.Session
    steps : sequence of Step
        The run from its first step to the last one explained.
    dataset : engine.data.Dataset, optional
        The run's data (built from the session when None); its point names name the rows.
    figures : dict, optional
        0-based step index -> file name (relative to the document) of that step's figure.
    finals : sequence of (title, file name)
        Figures of the whole run (the final dendrogram, the objective curve).
    rows : sequence of int, optional
        The points whose rows large tables show (:func:`engine.core.working.shown_rows`).
    """
    ds = make_dataset(session) if dataset is None else dataset
    X, kwargs = run_input(session, ds)
    alg = get_algorithm(session.algorithm)
    figures = dict(figures or {})
    names = getattr(ds, "point_names", None)
    out_steps = []
    for i, step in enumerate(steps):
        tables = []
        if alg.working is not None:
            try:
                tables = [t.to_dict() for t in alg.working(X, steps, i, kwargs, names=names, rows=rows).tables]
            except Exception as exc:  # a plugin's bug: said plainly, with the step, not as a traceback
                raise RuntimeError(f"the working of step {step_number(i)} could not be computed "
                                   f"({type(exc).__name__}: {exc})") from exc
        out_steps.append({"index": step_number(i), "kind": step.kind, "description": step.description,
                          "objective": float(step.objective), "figure": figures.get(i), "tables": tables})
    last = steps[-1] if steps else None
    doc = {"format": "clusterlab-working", "version": 1, "session": session.name,
           "description": session.description, "algorithm": session.algorithm, "title": alg.title,
           "params": to_json_ready(dict(session.params)),
           "data": {"name": ds.name, "n": ds.n, "d": ds.d},
           "objective_name": alg.objective_label(session.params),
           "n_steps": len(steps), "status": last.status if last is not None else "",
           "working": alg.working is not None,
           "figures": [{"title": title, "file": name} for title, name in finals],
           "figure_steps": sorted(step_number(i) for i in figures), "steps": out_steps}
    return _finite(doc)


def to_json(doc: dict) -> str:
    """``working.json``'s text (strict JSON: non-finite numbers are ``null``)."""
    return json.dumps(_finite(doc), indent=1, allow_nan=False, ensure_ascii=False) + "\n"


def table_of(d: dict) -> Table:
    """The :class:`~engine.core.working.Table` of one table of ``working.json`` (``null`` cells read as
    not-a-number, shown as "—")."""
    values = [[math.nan if v is None else v for v in row] for row in d.get("values", [])]
    return Table(d.get("title", ""), d.get("formula", ""), d.get("rows", []), d.get("columns", []), values,
                 highlight=[tuple(h) for h in d.get("highlight", [])], note=d.get("note", ""))


def figure_note(doc: dict) -> str:
    """One sentence on which steps have a figure (empty when every step has one)."""
    shown, n = doc.get("figure_steps", []), len(doc.get("steps", []))
    if not shown or len(shown) >= n:
        return ""
    first = [s for s in shown if s <= FIGURE_STEPS]
    return (f"The run has {n} steps: figures are drawn for steps {first[0]} to {first[-1]} and the last "
            f"(step {shown[-1]}), to keep the document short; the working of every step is given.")


def glance_rows(doc: dict) -> list[tuple[str, str, str, str]]:
    """(step number, kind, objective, description) of every step, as text."""
    out = []
    for s in doc.get("steps", []):
        obj = s.get("objective")
        out.append((str(s["index"]), s.get("kind", ""), "—" if obj is None else fmt(float(obj), OBJECTIVE_DIGITS),
                    s.get("description", "")))
    return out


def _header_facts(doc: dict) -> list[str]:
    params = ", ".join(f"{k} = {_value(v)}" for k, v in (doc.get("params") or {}).items())
    data = doc.get("data") or {}
    facts = [f"Algorithm: {doc.get('title', doc.get('algorithm', ''))} ({doc.get('algorithm', '')})"
             + (f"; parameters: {params}" if params else "")]
    if data:
        facts.append(f"Data: {data.get('name') or 'the session data'}, {data.get('n')} points "
                     f"in {data.get('d')} dimension{'s' if data.get('d') != 1 else ''}")
    status = doc.get("status") or "not finished"
    facts.append(f"Steps: {len(doc.get('steps', []))} ({status}); objective: {doc.get('objective_name', '')}")
    if not doc.get("working", True):
        facts.append("This algorithm gives no working: the steps are listed without tables")
    return facts


def _value(v: Any) -> str:
    return fmt(v, 6) if isinstance(v, float) else str(v)


def md_text(s: str) -> str:
    """Plain text for Markdown: the characters Markdown would read as markup are escaped."""
    return "".join("\\" + ch if ch in "\\`*_[]<>|$#" else ch for ch in str(s))


def markdown(doc: dict, digits: int = DIGITS) -> str:
    """``solution.md``: the session, the run at a glance, every step (description, figure, tables with their
    formulas in ``$...$``, 4 significant digits) and the figures of the whole run."""
    lines = [f"# Worked solution: {md_text(doc.get('session') or 'session')}", ""]
    if doc.get("description"):
        lines += [md_text(doc["description"]), ""]
    lines += [f"- {md_text(f)}" for f in _header_facts(doc)] + [""]
    note = figure_note(doc)
    if note:
        lines += [md_text(note), ""]
    lines += ["## The run at a glance", "", f"| step | kind | {md_text(doc.get('objective_name', 'objective'))} "
              "| what happened |", "| --- | --- | --- | --- |"]
    lines += ["| " + " | ".join(md_text(c) for c in row) + " |" for row in glance_rows(doc)]
    for s in doc.get("steps", []):
        lines += ["", f"## Step {s['index']} ({md_text(s.get('kind', ''))})", "", md_text(s.get("description", ""))]
        if s.get("figure"):
            lines += ["", f"![Step {s['index']}]({s['figure']})"]
        for t in s.get("tables", []):
            lines += ["", table_of(t).markdown(digits)]
    if doc.get("figures"):
        lines += ["", "## Figures of the whole run"]
        for f in doc["figures"]:
            lines += ["", f"**{md_text(f['title'])}**", "", f"![{md_text(f['title'])}]({f['file']})"]
    return "\n".join(lines) + "\n"


def latex(doc: dict, digits: int = DIGITS) -> str:
    """``solution.tex``: what :func:`markdown` says, as a standalone LaTeX document (article class; amsmath,
    amssymb, graphicx, longtable and array only; wide tables split by columns, long ones across pages)."""
    steps = []
    for s in doc.get("steps", []):
        steps.append({"heading": f"Step {s['index']} ({s.get('kind', '')})", "text": s.get("description", ""),
                      "figure": s.get("figure"),
                      "tables": [_tex_table(t, digits) for t in s.get("tables", [])]})
    name = (doc.get("objective_name") or "").split(" = ")[0]
    header = ["step", "kind", name if 0 < len(name) <= 16 else "objective", "what happened"]
    return tex.document(title=f"Worked solution: {doc.get('session') or 'session'}",
                        intro=doc.get("description") or "", facts=_header_facts(doc), note=figure_note(doc),
                        glance=(header, glance_rows(doc)), steps=steps,
                        figures=[(f["title"], f["file"]) for f in doc.get("figures", [])])


def _cell_text(v, digits: int) -> str:
    return "—" if v is None else fmt(v, digits)


def _tex_table(d: dict, digits: int) -> str:
    hl = {tuple(h) for h in d.get("highlight", [])}
    cells = [[(_cell_text(v, digits), (i, j) in hl) for j, v in enumerate(row)]
             for i, row in enumerate(d.get("values", []))]
    return tex.table(d.get("title", ""), d.get("formula", ""), list(d.get("rows", [])), list(d.get("columns", [])),
                     cells, d.get("note", ""))


def write(out, doc: dict) -> list[Path]:
    """Write ``working.json``, ``solution.md`` and ``solution.tex`` into the folder ``out`` (each atomically);
    returns their paths."""
    out = Path(out)
    return [write_text_atomic(out / "working.json", to_json(doc)),
            write_text_atomic(out / "solution.md", markdown(doc)),
            write_text_atomic(out / "solution.tex", latex(doc))]
