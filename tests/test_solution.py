"""Worked solutions as text (engine.session.solution): tables to Markdown and LaTeX, escaping, the JSON round trip.

No window: the documents are a function of ``working.json`` alone. ``check_latex`` (``solution_checks.py``)
is the structural check of a LaTeX document that ``tests/test_render_working.py`` applies too.
"""
from __future__ import annotations

import dataclasses
import json
import math
import re

import numpy as np
import pytest

from engine import session as es
from engine.core import registry
from engine.core.working import Table, Working
from engine.session import solution, solution_tex
from solution_checks import check_latex, columns as _columns

# ------------------------------------------------------------------ documents made by hand
def _doc(values=None, columns=("c1", "c2"), description="assign: x_1 -> {c1} at 50% & more"):
    values = values if values is not None else [[1.0 / 3.0, 2.0], [float("inf"), 123456.789]]
    rows = ["x_1", "x{2}"] + [f"x{i + 1}" for i in range(2, len(values))]
    t = Table("Squared distances ℓ2 & μ", r"\lVert x_n - \mu_k \rVert_2^2", rows, list(columns), values,
              highlight=[(0, 0), (1, 1)], note="Ties: the lower k — θ ≤ 1 #1 ~ 100%")
    return {"session": "demo_1", "description": "Exercise 0: $5 & 10% off {test}", "algorithm": "toy",
            "title": "Toy", "params": {"k": 2, "tol": 1e-6}, "data": {"name": "toy", "n": 2, "d": 2},
            "objective_name": "J = sum of squared ℓ2 distances", "n_steps": 2, "status": "converged",
            "working": True, "figure_steps": [1, 2],
            "figures": [{"title": "objective", "file": "objective.png"}],
            "steps": [{"index": 1, "kind": "init", "description": "start", "objective": None, "figure":
                       "scatter-step001.png", "tables": []},
                      {"index": 2, "kind": "assign", "description": description, "objective": 1.0 / 3.0,
                       "figure": "scatter-step002.png", "tables": [t.to_dict()]}]}


def test_markdown_has_every_step_its_formula_and_four_significant_digits():
    md = solution.markdown(_doc())
    assert md.startswith("# Worked solution: demo\\_1\n")
    for s in ("## Step 1 (init)", "## Step 2 (assign)", "start", r"assign: x\_1 -\> {c1} at 50% & more"):
        assert s in md
    assert r"$\lVert x_n - \mu_k \rVert_2^2$" in md  # the formula as math, unescaped
    assert "| x_1 | **0.3333** | 2 |" in md  # highlighted in bold, 4 significant digits
    assert "| x{2} | — | **1.235e+05** |" in md  # not finite: null in working.json, a dash in the tables
    assert "![Step 2](scatter-step002.png)" in md and "![objective](objective.png)" in md
    assert "| 2 | assign | 0.3333333 |" in md  # the run at a glance: the objective to 7 digits
    assert "| 1 | init | — |" in md


def test_latex_escapes_text_and_keeps_the_formula():
    tex = solution.latex(_doc())
    assert check_latex(tex) == []
    assert r"\title{Worked solution: demo\_1}" in tex
    assert r"Exercise 0: \$5 \& 10\% off \{test\}" in tex
    assert r"assign: x\_1 -\ensuremath{>} \{c1\} at 50\% \& more" in tex
    assert r"\textbf{Squared distances \ensuremath{\ell}2 \& \ensuremath{\mu}}" in tex
    assert "\n$" + r"\lVert x_n - \mu_k \rVert_2^2" + "$" in tex
    assert r"x\ensuremath{_{1}} & \textbf{0.3333} & 2 \\" in tex  # a one-letter symbol's subscript, as TeX sets it
    assert r"x\{2\} & --- & \textbf{1.235e+05} \\" in tex
    assert r"Ties: the lower k --- \ensuremath{\theta} \ensuremath{\leq} 1 \#1 \~{} 100\%" in tex
    assert r"\includegraphics[width=0.55\linewidth,keepaspectratio]{scatter-step002.png}" in tex
    assert r"\includegraphics[width=0.8\linewidth,keepaspectratio]{objective.png}" in tex
    assert "& J &" in tex  # the objective's short name heads its column
    assert r"objective: J = sum of squared \ensuremath{\ell}2 distances" in tex  # ℓ typeset as TeX's \ell


def test_a_cell_that_starts_with_a_bracket_or_a_star_is_not_read_as_an_argument_of_the_line_break():
    assert solution_tex.escape("[0, 1) *") == "{[}0, 1) {*}"


@pytest.mark.parametrize("text", ["a\\b", "{}", "_^~", "100% #1 $x$ & y", "x < y > z | w", "α→β…", "Ω ǅ ü",
                                  "line\nbreak", "\t tab"])
def test_escaped_text_is_ascii_and_balanced(text):
    out = solution_tex.escape(text)
    assert all(ord(ch) < 128 for ch in out)
    doc = solution_tex.PREAMBLE + "\n\\begin{document}\n" + out + "\n\\end{document}\n"
    assert check_latex(doc) == []


def test_a_wide_table_is_split_by_columns_and_a_long_text_column_wraps():
    columns = [f"component {k}" for k in range(1, 25)]
    values = [[float(i * k) / 7 for k in range(24)] for i in range(60)]
    tex = solution.latex(_doc(values=values, columns=columns))
    assert check_latex(tex) == []
    parts = re.findall(r"\(columns (\d+)--(\d+) of 24\)", tex)
    assert len(parts) >= 3 and parts[0][0] == "1" and parts[-1][1] == "24"
    assert all(int(b) + 1 == int(a) for (_, b), (a, _) in zip(parts, parts[1:]))  # contiguous, none lost
    for spec in re.findall(r"\\begin\{longtable\}\{(.*)\}", tex)[1:]:  # each part fits the text width
        assert 1 + _columns(spec) <= 12
    wrapped = solution.latex(_doc(values=[["x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11", 1.0]] * 2))
    assert check_latex(wrapped) == []
    assert r"\begin{longtable}{l>{\raggedright\arraybackslash}p{170pt}r}" in wrapped


def test_json_round_trip_gives_the_same_documents_and_full_precision():
    doc = _doc()
    text = solution.to_json(doc)
    back = json.loads(text)
    assert back["steps"][1]["tables"][0]["values"][0][0] == 1.0 / 3.0  # full precision
    assert back["steps"][1]["tables"][0]["values"][1][0] is None  # non-finite: null (strict JSON)
    assert "Infinity" not in text and "NaN" not in text
    back["steps"][1]["tables"][0]["values"][1][0] = None
    assert solution.markdown(back) == solution.markdown(json.loads(solution.to_json(back)))
    t = solution.table_of(back["steps"][1]["tables"][0])
    assert t.title == "Squared distances ℓ2 & μ" and t.highlight == ((0, 0), (1, 1))
    assert math.isnan(t.values[1][0])


def test_figures_are_capped_and_the_document_says_so():
    assert solution.figure_indices(5) == [0, 1, 2, 3, 4, 5]
    picks = solution.figure_indices(400)
    assert picks == list(range(30)) + [400]
    doc = _doc()
    doc["steps"] = [dict(doc["steps"][0], index=i + 1) for i in range(401)]
    doc["figure_steps"] = [i + 1 for i in picks]
    note = solution.figure_note(doc)
    assert note == ("The run has 401 steps: figures are drawn for steps 1 to 30 and the last (step 401), "
                    "to keep the document short; the working of every step is given.")
    assert note in solution.markdown(doc)
    assert solution_tex.escape(note) in solution.latex(doc)
    assert solution.figure_note(_doc()) == ""


def test_write_is_atomic_and_writes_three_files(tmp_path):
    (tmp_path / "solution.md").write_text("old")
    paths = solution.write(tmp_path, _doc())
    assert sorted(p.name for p in paths) == ["solution.md", "solution.tex", "working.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["solution.md", "solution.tex", "working.json"]
    assert json.loads((tmp_path / "working.json").read_text(encoding="utf-8"))["session"] == "demo_1"


# ------------------------------------------------------------------ built from a real run
def test_build_numbers_steps_as_the_timeline_and_keeps_the_working_values():
    session = es.load_session(es.shipped_sessions()["ex3-kmeans"][0])
    steps = es.run(session)
    doc = solution.build(session, steps, figures={0: "scatter-step001.png"}, finals=[("objective", "objective.png")])
    assert [s["index"] for s in doc["steps"]] == list(range(1, len(steps) + 1))
    assert [s["description"] for s in doc["steps"]] == [s.description for s in steps]
    assert doc["figure_steps"] == [1] and doc["steps"][0]["figure"] == "scatter-step001.png"
    assert doc["steps"][1]["figure"] is None
    X, kwargs = es.run_input(session)
    alg = registry.get_algorithm("kmeans")
    for i, s in enumerate(doc["steps"]):
        want = alg.working(X, steps, i, kwargs, names=("A", "B", "C", "D", "E"))
        assert s["tables"] == json.loads(json.dumps([t.to_dict() for t in want.tables]))
        objective = float(steps[i].objective)
        assert s["objective"] == (objective if math.isfinite(objective) else None)
    assert any(t["rows"][:5] == ["A", "B", "C", "D", "E"] for s in doc["steps"] for t in s["tables"])
    assert check_latex(solution.latex(doc)) == []


def test_an_algorithm_without_working_lists_its_steps(monkeypatch):
    session = es.load_session(es.shipped_sessions()["ex2-min"][0])
    steps = es.run(session)
    hac = registry.get_algorithm("hac")
    monkeypatch.setattr(registry, "_CACHE", {**registry.algorithms(), "hac": dataclasses.replace(hac, working=None)})
    doc = solution.build(session, steps)
    assert doc["working"] is False and all(s["tables"] == [] for s in doc["steps"])
    assert "This algorithm gives no working" in solution.markdown(doc)


def test_a_failing_working_names_the_step(monkeypatch):
    session = es.load_session(es.shipped_sessions()["ex2-min"][0])
    steps = es.run(session)

    def broken(X, steps, index, params, names=None, rows=None):
        if index == 2:
            raise KeyError("linkage")
        return Working()

    hac = registry.get_algorithm("hac")
    monkeypatch.setattr(registry, "_CACHE", {**registry.algorithms(), "hac": dataclasses.replace(hac, working=broken)})
    with pytest.raises(RuntimeError, match=r"the working of step 3 could not be computed \(KeyError: 'linkage'\)"):
        solution.build(session, steps)


def test_values_from_numpy_are_plain_json():
    t = Table("t", "", ["a"], ["b", "c"], [[np.float64(0.1), np.int64(3)]])
    doc = _doc()
    doc["steps"][1]["tables"] = [t.to_dict()]
    assert json.loads(solution.to_json(doc))["steps"][1]["tables"][0]["values"] == [[0.1, 3]]
