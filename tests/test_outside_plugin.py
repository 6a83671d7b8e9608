"""An algorithm from outside the project: a package that is not Clusterlab registers one through the entry-point
group ``clusterlab.algorithms`` and the engine, the window, sessions and ``render`` all take it up.

The package (``clusterlab_toy``) and its ``.dist-info`` metadata are written into ``tmp_path``, which goes on
``sys.path``, so :mod:`importlib.metadata` finds the distribution as if it were pip-installed.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import engine
from engine.core import registry
from engine.core.registry import GROUP

TOY_TITLE = "Toy (one cluster)"

TOY_ENGINE = '''
"""A toy algorithm from outside Clusterlab: every point in one cluster, around the mean."""
import numpy as np

from engine.core.params import Param
from engine.core.registry import Algorithm
from engine.core.steps import Step, compact_labels, readonly
from engine.core.working import Table, Working, point_names


def working(X, steps, index, params, names=None, rows=None):
    """Each point's squared distance to the centre, and their sum J (the step's objective)."""
    step = steps[index]
    X = np.asarray(X, dtype=float)
    if step.centers is None:
        return Working(tables=(Table("The points", "n", ["points"], ["n"], [[X.shape[0]]]),))
    d = ((X - np.asarray(step.centers)[0]) ** 2).sum(axis=1)
    shown = min(len(d), 50)
    table = Table("Squared distances to the centre", "||x_n - mu||^2", point_names(len(d), names)[:shown] + ["J"],
                  ["d"], [[v] for v in d[:shown]] + [[float(d.sum())]], highlight=[(shown, 0)])
    return Working(tables=(table,), derived={"objective": float(d.sum())})


def steps(X, k=1, seed=0):
    params = ALGORITHM.validate({"k": k, "seed": seed})
    X = np.asarray(X, dtype=float)
    n = X.shape[0]
    yield Step(kind="init", description=f"{n} points, none assigned yet",
               labels=compact_labels(np.full(n, -1)), objective=float("nan"))
    trace = [float("nan")]
    start = X[:1]
    sse = float(((X - start) ** 2).sum())
    trace.append(sse)
    yield Step(kind="assign", description=f"all {n} points in one cluster around the first point",
               labels=compact_labels(np.zeros(n, dtype=int)), centers=readonly(start), objective=sse,
               trace=readonly(trace), iteration=1)
    centre = X.mean(axis=0, keepdims=True)
    sse = float(((X - centre) ** 2).sum())
    trace.append(sse)
    yield Step(kind="update", description=f"the centre moved to the mean (k={params['k']})",
               labels=compact_labels(np.zeros(n, dtype=int)), centers=readonly(centre), objective=sse,
               trace=readonly(trace), iteration=1, done=True, status="converged", payload={"centre": centre})


ALGORITHM = Algorithm(
    name="toy", title="Toy (one cluster)", steps=steps,
    params=(Param("k", "Clusters", "int", 1, low=1, high=1, help="Always one."),
            Param("seed", "Seed", "seed", 0, help="Not used; there for the session.")),
    objective_name="sum of squares", objective_sense="min",
    gui="clusterlab_toy.gui:ToyPlugin", order=90, working=working,
    example={"generator": "blobs", "n": 30, "seed": 1})
'''

TOY_GUI = '''
"""The toy's window part: the parameter form only."""
from gui.algorithms.base import AlgorithmPlugin

from clusterlab_toy import ALGORITHM


class ToyPlugin(AlgorithmPlugin):
    algorithm = ALGORITHM
'''


def write_distribution(root, project: str, package: str, files: dict[str, str], entry_points: str):
    """A pip-installed-looking distribution in ``root``: the package and its ``.dist-info``."""
    pkg = root / package
    pkg.mkdir(exist_ok=True)
    for name, text in files.items():
        (pkg / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    info = root / f"{project}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {project}\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[{GROUP}]\n{entry_points}\n", encoding="utf-8")
    (info / "top_level.txt").write_text(f"{package}\n", encoding="utf-8")


def _forget(package: str):
    for mod in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[mod]


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """The ``clusterlab_toy`` distribution installed on ``sys.path`` (and gone again after the test)."""
    site = tmp_path / "site"
    site.mkdir()
    write_distribution(site, "clusterlab_toy", "clusterlab_toy",
                       {"__init__.py": TOY_ENGINE, "gui.py": TOY_GUI}, "toy = clusterlab_toy:ALGORITHM")
    monkeypatch.syspath_prepend(str(site))
    registry.refresh()
    yield site
    _forget("clusterlab_toy")
    registry.refresh()


@pytest.fixture
def restore_registry():
    yield
    registry.refresh()


def _window(qtbot):
    from gui.shell.main_window import MainWindow
    w = MainWindow(startup="")
    qtbot.addWidget(w)
    w.resize(1000, 700)
    w.show()
    qtbot.waitExposed(w)
    return w


def _choose_toy(window):
    """Pick the toy in the algorithm panel's combo, as a person would."""
    combo = window.algorithm_panel.combo
    titles = [combo.itemText(i) for i in range(combo.count())]
    assert TOY_TITLE in titles, titles
    combo.setCurrentIndex(titles.index(TOY_TITLE))
    assert window.plugin is not None and window.plugin.algorithm.name == "toy"


def _run_to_end(window) -> list:
    from gui.shell.render_window import wait_for_step
    from gui.shell.session_io import goto_step
    goto_step(window.player, "last")
    assert wait_for_step(window.player, "last", timeout=60) == ""
    return list(window.player.history)


def _assert_same_steps(got, want):
    assert [(s.kind, s.description, s.done, s.status) for s in got] == \
        [(s.kind, s.description, s.done, s.status) for s in want]
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a.labels, b.labels)
        np.testing.assert_allclose(a.trace, b.trace, rtol=1e-12, equal_nan=True)
        if b.centers is not None:
            np.testing.assert_allclose(a.centers, b.centers, rtol=1e-12)


def test_the_engine_lists_and_runs_the_outside_algorithm(toy):
    assert "toy" in engine.algorithms()
    alg = registry.get_algorithm("toy")
    assert alg.title == TOY_TITLE and alg.gui == "clusterlab_toy.gui:ToyPlugin"
    assert list(registry.algorithms())[-1] == "toy"  # order 90: after Clusterlab's own
    X = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 3.0]])
    kinds = [s.kind for s in engine.steps("toy", X)]
    assert kinds == ["init", "assign", "update"]
    last = engine.fit("toy", X)
    assert last.done and last.labels.tolist() == [0, 0, 0]
    np.testing.assert_allclose(last.centers, [[1.0, 1.0]], rtol=1e-15)
    np.testing.assert_allclose(last.objective, 1 + 1 + 0 + 1 + 1 + 4, rtol=1e-12)


def test_the_conformance_suite_checks_the_outside_algorithm_too(toy, tmp_path):
    """tests/test_conformance.py, collected with the toy installed, runs every check on it as well."""
    suite = Path(__file__).with_name("test_conformance.py")
    n_checks = len(re.findall(r"^def test_", suite.read_text(encoding="utf-8"), flags=re.M))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(toy), os.environ.get("PYTHONPATH", "")]),
           "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--basetemp",
                           str(tmp_path / "basetemp"), str(suite), "-k", "toy"],
                          capture_output=True, text=True, env=env, cwd=suite.parents[1], timeout=240)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert re.search(rf"\b{n_checks} passed", done.stdout), done.stdout[-2000:]


def test_the_registry_forgets_it_after_refresh(toy, monkeypatch):
    assert "toy" in registry.algorithms()
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p != str(toy)])
    assert "toy" in registry.algorithms()  # cached until refreshed
    registry.refresh()
    assert "toy" not in registry.algorithms()


def test_the_window_offers_and_runs_it(toy, qtbot):
    w = _window(qtbot)
    from clusterlab_toy.gui import ToyPlugin
    assert any(isinstance(p, ToyPlugin) for p in w.plugins)
    from engine import data as edata
    w.set_dataset(edata.generate("blobs", n=30, seed=1), "toy data")
    _choose_toy(w)
    steps = _run_to_end(w)
    assert [s.kind for s in steps] == ["init", "assign", "update"] and steps[-1].done
    assert steps[-1].labels.shape == (30,)
    np.testing.assert_allclose(steps[-1].centers[0], w.run_X().mean(axis=0), rtol=1e-12, atol=1e-12)


def test_a_toy_session_round_trips_through_the_window(toy, qtbot, tmp_path):
    from engine import data as edata
    from engine import session as es
    from gui.shell.session_io import apply, capture
    w = _window(qtbot)
    w.set_dataset(edata.generate("blobs", n=30, seed=1), "toy data")
    _choose_toy(w)
    first = _run_to_end(w)
    session = capture(w, folder=tmp_path, name="toy-run")
    assert session.algorithm == "toy" and session.params == {"k": 1, "seed": 0}
    path = es.save_session(session, tmp_path / "toy.json")
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["algorithm"]["name"] == "toy"
    loaded = es.load_session(path)
    _assert_same_steps(es.run(loaded), first)
    other = _window(qtbot)
    apply(other, loaded)
    assert other.plugin.algorithm.name == "toy"
    assert other.algorithm_panel.combo.currentText() == TOY_TITLE
    _assert_same_steps(_run_to_end(other), first)


def test_render_draws_a_toy_session(toy, qtbot, tmp_path, capsys):
    from engine.session import FORMAT
    from gui.shell import render
    path = tmp_path / "toy.json"
    alg = registry.get_algorithm("toy")
    path.write_text(json.dumps({"format": FORMAT, "version": 1, "name": "toy", "data": alg.example,
                                "algorithm": {"name": "toy", "params": {"k": 1}}}), encoding="utf-8")
    out = tmp_path / "out"
    code = render.main([str(path), "--out", str(out), "--no-svg", "--size", "400x300"])
    assert code == 0, capsys.readouterr().err
    res = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert res["algorithm"] == "toy" and res["n_steps"] == 3 and res["complete"]
    assert res["status"] == "converged" and res["labels"] == [0] * 30
    assert (out / "scatter.png").stat().st_size > 0


def test_a_broken_entry_point_is_a_clear_type_error(tmp_path, monkeypatch, restore_registry):
    site = tmp_path / "site"
    site.mkdir()
    write_distribution(site, "clusterlab_broken", "clusterlab_broken",
                       {"__init__.py": "NOT_AN_ALGORITHM = {'name': 'broken'}\n"},
                       "broken = clusterlab_broken:NOT_AN_ALGORITHM")
    monkeypatch.syspath_prepend(str(site))
    registry.refresh()
    try:
        with pytest.raises(TypeError, match=r"entry point broken = 'clusterlab_broken:NOT_AN_ALGORITHM'") as info:
            registry.algorithms()
        assert GROUP in str(info.value) and "Algorithm" in str(info.value)
        with pytest.raises(TypeError, match="broken"):
            engine.algorithms()
    finally:
        _forget("clusterlab_broken")


def test_an_entry_point_named_unlike_its_algorithm_is_refused(toy, tmp_path, monkeypatch):
    site = tmp_path / "site2"
    site.mkdir()
    write_distribution(site, "clusterlab_alias", "clusterlab_alias",
                       {"__init__.py": "from clusterlab_toy import ALGORITHM\n"},
                       "alias = clusterlab_alias:ALGORITHM")
    monkeypatch.syspath_prepend(str(site))
    registry.refresh()
    try:
        with pytest.raises(TypeError, match=r"entry point alias = .*called 'alias'"):
            registry.algorithms()
    finally:
        _forget("clusterlab_alias")


def test_a_broken_outside_window_part_leaves_the_other_algorithms(tmp_path, monkeypatch, restore_registry, qtbot,
                                                                   capsys):
    """An installed package whose GUI module cannot be imported is reported in the algorithm panel when it is
    chosen (window parts are imported when first needed), greyed out, and every other algorithm stays usable
    (one broken package must not empty the algorithm list)."""
    site = tmp_path / "site"
    site.mkdir()
    write_distribution(site, "clusterlab_toy", "clusterlab_toy",
                       {"__init__.py": TOY_ENGINE, "gui.py": "raise ImportError('the toy GUI needs qwt')\n"},
                       "toy = clusterlab_toy:ALGORITHM")
    monkeypatch.syspath_prepend(str(site))
    registry.refresh()
    try:
        assert "toy" in engine.algorithms()  # the engine part is fine
        w = _window(qtbot)
        names = w.plugins.names()
        assert names == list(registry.algorithms()), names
        before = w.plugin
        w.set_algorithm(names.index("toy"))
        error = w.algorithm_panel.error.text()
        assert "toy" in error.lower() and "qwt" in error, error
        assert w.plugin is before and not w.algorithm_panel.combo.model().item(names.index("toy")).isEnabled()
        w.set_algorithm(names.index("kmeans"))
        assert w.plugin.algorithm.name == "kmeans"
    finally:
        _forget("clusterlab_toy")
    capsys.readouterr()  # the traceback the window prints for the broken package
