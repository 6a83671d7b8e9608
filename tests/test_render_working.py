"""``clusterlab render SESSION --out DIR --working``: working.json, solution.md and solution.tex of the shipped
exercise sessions, end to end (the real command, the real algorithms' working, the figures render draws)."""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from engine.session import solution
from gui.shell import render
from solution_checks import check_latex

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
KEYS = {"title", "formula", "rows", "columns", "values", "highlight"}


def _render(out: Path, session: str, *extra: str, capsys=None):
    args = [session, "--out", str(out), "--working", "--no-svg", "--size", "400x300", *extra]
    code = render.main(args)
    assert code == 0, capsys.readouterr().err if capsys is not None else code
    result = json.loads((out / "result.json").read_text(encoding="utf-8"))
    working = json.loads((out / "working.json").read_text(encoding="utf-8"))
    return result, working, (out / "solution.md").read_text(encoding="utf-8"), \
        (out / "solution.tex").read_text(encoding="utf-8")


def _numbers(step: dict) -> list[float]:
    return [v for t in step["tables"] for row in t["values"] for v in row
            if isinstance(v, (int, float)) and not isinstance(v, bool)]


def _highlighted(table: dict) -> list:
    return [table["values"][r][c] for r, c in table["highlight"]]


def _check_common(out: Path, name: str, result: dict, working: dict, md: str, tex: str) -> None:
    """What every solution holds: the steps numbered as the timeline, as result.json lists them, with tables
    of the contract's shape; every description and table in solution.md; a valid solution.tex whose figures
    exist; the files listed in result.json."""
    steps = working["steps"]
    assert working["session"] == name
    assert [s["index"] for s in steps] == list(range(1, result["n_steps"] + 1))
    assert [(s["kind"], s["description"]) for s in steps] == [(s["kind"], s["description"]) for s in result["steps"]]
    assert [s["objective"] for s in steps] == result["trace"]  # the objective of every step, at full precision
    assert all(s["tables"] for s in steps[1:]), "every step after the first has its working"
    for s in steps:
        for t in s["tables"]:
            assert KEYS <= set(t), t.keys()
            assert len(t["values"]) == len(t["rows"]) and all(len(r) == len(t["columns"]) for r in t["values"])
            assert all(0 <= r < len(t["rows"]) and 0 <= c < len(t["columns"]) for r, c in t["highlight"])
        assert solution.md_text(s["description"]) in md
        for t in s["tables"]:
            assert solution.table_of(t).markdown(4) in md
    assert check_latex(tex) == []
    for figure in re.findall(r"\\includegraphics\[[^]]*\]\{([^}]*)\}", tex):
        assert (out / figure).is_file(), figure
    for s in steps:
        assert f"\\section*{{Step {s['index']} ({s['kind']})}}" in tex
    assert {"working.json", "solution.md", "solution.tex"} <= set(result["files"])
    assert sorted(result["files"]) == sorted(p.name for p in out.iterdir() if p.name != "result.json")


def test_ex3_kmeans_every_objective_and_a_figure_per_step(qtbot, tmp_path, capsys):
    out = tmp_path / "ex3"
    result, working, md, tex = _render(out, "example:ex3-kmeans", capsys=capsys)
    _check_common(out, "ex3-kmeans", result, working, md, tex)
    steps = working["steps"]
    n = len(steps)
    assert [s["figure"] for s in steps] == [f"scatter-step{i:03d}.png" for i in range(1, n + 1)]
    assert working["figures"] == [{"title": "objective", "file": "objective.png"}]
    assert "![objective](objective.png)" in md and "{objective.png}" in tex
    # the textbook answer: J after every assignment and update, as the working computes it
    assert [round(v, 6) for v in result["trace"][1:]] == [27.0, 9.833333, 7.527778, 3.666667, 3.666667]
    for s, objective in zip(steps[1:], result["trace"][1:]):
        assert any(math.isclose(v, objective, rel_tol=1e-12) for v in _numbers(s)), (s["index"], objective)
        if s["kind"] == "assign":  # each point's nearest centre is highlighted: the row minimum
            t = s["tables"][0]
            for r, c in t["highlight"]:
                row = [v for v in t["values"][r] if isinstance(v, float)]
                assert t["values"][r][c] == min(row)
    for line in ("| 3 | update | 9.833333 |", "| 5 | update | 3.666667 |"):
        assert line in md


@pytest.mark.parametrize("name,linkage", [("ex1-min-l2", None), ("ex2-min", "single")])
def test_hac_solutions_give_every_merge_at_its_linkage_height(qtbot, tmp_path, capsys, name, linkage):
    out = tmp_path / name
    result, working, md, tex = _render(out, f"example:{name}", capsys=capsys)
    _check_common(out, name, result, working, md, tex)
    heights = [row[2] for row in result["linkage"]]
    merges = [s for s in working["steps"] if s["kind"] == "merge"]
    assert len(merges) == len(heights)
    for s, h in zip(merges, heights):
        assert s["objective"] == h
        # the merged pair is highlighted in the cluster-distance matrix, at the merge height
        assert any(math.isclose(v, h, rel_tol=1e-12) for v in _highlighted(s["tables"][0])), (s["index"], h)
    if linkage is not None:
        from scipy.cluster.hierarchy import linkage as scipy_linkage
        Z = scipy_linkage(np.array([1.0, 2, 4, 5, 9, 11, 16, 17])[:, None], linkage)
        np.testing.assert_allclose(heights, Z[:, 2])
    assert [f["file"] for f in working["figures"]][0] == "dendrogram.png"
    assert "![dendrogram](dendrogram.png)" in md and "{dendrogram.png}" in tex


def test_ex6_gmm_log_likelihood_of_every_step(qtbot, tmp_path, capsys):
    out = tmp_path / "ex6"
    result, working, md, tex = _render(out, "example:ex6-gmm-elongated", capsys=capsys)
    _check_common(out, "ex6-gmm-elongated", result, working, md, tex)
    steps = working["steps"]
    trace = np.array(result["trace"], dtype=float)
    assert np.all(np.diff(trace[np.isfinite(trace)]) >= -1e-9)  # EM never lowers the log-likelihood
    for s in steps:
        if s["kind"] == "M":  # the log-likelihood as a sum over points, in the M-step's working
            assert any(math.isclose(v, s["objective"], rel_tol=1e-9) for v in _numbers(s)), s["index"]
    assert len(steps[1]["tables"][0]["rows"]) <= 51  # 300 points: at most 50 rows and a summary
    assert "em.png" in [f["file"] for f in working["figures"]]


def test_a_long_run_draws_the_first_30_steps_and_the_last(qtbot, tmp_path, capsys):
    session = tmp_path / "long.json"
    session.write_text(json.dumps({"format": "clusterlab-session", "version": 1, "name": "long",
                                   "data": {"generator": "blobs", "n": 40, "seed": 2},
                                   "algorithm": {"name": "hac", "params": {"linkage": "max"}}, "step": "last"}))
    out = tmp_path / "long"
    result, working, md, tex = _render(out, str(session), "--steps", "2,35", capsys=capsys)
    # --steps 2,35: the figures asked for, and the solution of steps 1..35 (the last one drawn)
    assert len(working["steps"]) == 35 and result["n_steps"] == 35
    _check_common(out, "long", result, working, md, tex)
    shown = [s["index"] for s in working["steps"] if s["figure"]]
    assert shown == list(range(1, 31)) + [35] == working["figure_steps"]
    drawn = sorted(p.name for p in out.glob("scatter-step*.png"))
    assert drawn == [f"scatter-step{i:03d}.png" for i in shown]
    note = "figures are drawn for steps 1 to 30 and the last (step 35)"
    assert note in md and note in tex
    assert "dendrogram-step035.png" in [f["file"] for f in working["figures"]]
