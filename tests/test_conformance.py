"""Conformance suite: every registered algorithm keeps the step protocol, the registry contract and the session
round trip (like scikit-learn's ``parametrize_with_checks``).

The tests are parametrized, at collection time, over ``engine.core.registry.algorithms()``; no algorithm is named
here. Each runs on the algorithm's default session: its ``example`` data and ``example_params``. An algorithm
another package registers (entry-point group ``clusterlab.algorithms``) is checked the same way.
"""
from __future__ import annotations

import dataclasses
import functools
import json
import math
from types import SimpleNamespace

import numpy as np
import pytest

import engine
from engine.core import registry
from engine.core.params import Param, ParamError
from engine.core.steps import STATUSES, Step
from engine.core.working import Table, Working, disagreements
from engine.session import (FORMAT, load_session, make_dataset, run, run_input, save_session, session_from_dict,
                            session_to_dict)

NAMES = list(registry.algorithms())
#: Algorithms that take a seed (the same seed must give the same run).
SEEDED = [n for n in NAMES if any(p.name == "seed" for p in registry.algorithms()[n].params)]
#: Algorithms that promise a monotone objective.
MONOTONE = [n for n in NAMES if registry.algorithms()[n].objective_sense is not None]
PARAM_KINDS = ("int", "float", "choice", "bool", "seed")
EPS64 = float(np.finfo(np.float64).eps)
MAX_STEPS = 20_000  # a default session that runs longer than this is not "small data"


def default_session_dict(alg) -> dict:
    return {"format": FORMAT, "version": 1, "name": f"default-{alg.name}", "data": dict(alg.example),
            "algorithm": {"name": alg.name, "params": dict(alg.example_params)}}


@functools.lru_cache(maxsize=None)
def default_run(name: str) -> SimpleNamespace:
    """The algorithm's default session, its data, the run's input and every step (computed once per module)."""
    alg = registry.get_algorithm(name)
    session = session_from_dict(default_session_dict(alg))
    dataset = make_dataset(session)
    X, kwargs = run_input(session, dataset)
    steps = run(session, dataset)
    return SimpleNamespace(alg=alg, session=session, dataset=dataset, X=X, kwargs=kwargs, steps=steps)


def fresh(d: SimpleNamespace, **changes):
    """A new step generator of the default run (``changes`` override parameters)."""
    return d.alg.steps(d.X, **{**d.kwargs, **changes})


def nan_close(a, b, what: str):
    """Equal floats up to rounding of float64 (nan where the other is nan)."""
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-12, atol=0,
                               equal_nan=True, err_msg=what)


def assert_same_steps(got: list[Step], want: list[Step], what: str):
    """Two runs that should be the same run: kinds, texts, labels, centres, objectives and traces."""
    assert len(got) == len(want), f"{what}: {len(got)} steps, expected {len(want)}"
    for i, (a, b) in enumerate(zip(got, want)):
        where = f"{what}, step {i}"
        assert (a.kind, a.description, a.iteration, a.done, a.status) == \
            (b.kind, b.description, b.iteration, b.done, b.status), where
        if b.labels is None:
            assert a.labels is None, where
        else:
            np.testing.assert_array_equal(a.labels, b.labels, err_msg=where)  # integers: exact
        if b.centers is None:
            assert a.centers is None, where
        else:
            assert a.centers.shape == b.centers.shape, where
            nan_close(a.centers, b.centers, where)
        nan_close(a.objective, b.objective, where)
        nan_close(a.trace, b.trace, where)


def payload_arrays(value, path="payload", depth=0):
    """(path, ndarray) of every array in a payload: top-level values, inside tuples/lists/dicts, and the
    fields of small objects (a dendrogram) one level down."""
    if isinstance(value, np.ndarray):
        yield path, value
    elif depth > 3:
        return
    elif isinstance(value, (tuple, list)):
        for i, v in enumerate(value):
            yield from payload_arrays(v, f"{path}[{i}]", depth + 1)
    elif isinstance(value, dict) or hasattr(value, "keys") and hasattr(value, "items"):
        for k, v in value.items():
            yield from payload_arrays(v, f"{path}[{k!r}]", depth + 1)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from payload_arrays(getattr(value, f.name), f"{path}.{f.name}", depth + 1)
    elif hasattr(value, "__dict__") and not isinstance(value, type):
        for k, v in vars(value).items():
            yield from payload_arrays(v, f"{path}.{k}", depth + 1)


def assert_same_values(got: dict, want: dict):
    """Parameter dicts: the same names, the same values (floats up to float64 rounding)."""
    assert set(got) == set(want), (sorted(got), sorted(want))
    for key, value in want.items():
        if isinstance(value, float):
            assert got[key] == pytest.approx(value, rel=EPS64, abs=0), key
        else:
            assert got[key] == value, key


def assert_read_only(arr: np.ndarray, what: str):
    assert not arr.flags.writeable, f"{what} is writeable"
    with pytest.raises(ValueError, match="read-only"):
        arr[...] = arr  # writing raises (even for an empty array)


# ============================================================================ the registry entry
@pytest.mark.parametrize("name", NAMES)
def test_registry_entry_is_complete(name):
    alg = registry.get_algorithm(name)
    assert isinstance(alg, registry.Algorithm) and alg.name == name
    assert isinstance(alg.title, str) and alg.title.strip()
    assert callable(alg.steps) and (alg.fit is None or callable(alg.fit))
    assert alg.objective_sense in ("min", "max", None)
    assert isinstance(alg.objective_name, str) and alg.objective_name.strip()
    assert isinstance(alg.session, registry.SessionEntries)
    assert name in engine.algorithms()
    # the window part it names is a plugin class for this very algorithm
    from gui.algorithms.base import AlgorithmPlugin
    plugin = registry.load_object(alg.gui)
    assert isinstance(plugin, type) and issubclass(plugin, AlgorithmPlugin), alg.gui
    assert plugin.algorithm is not None and plugin.algorithm.name == name


@pytest.mark.parametrize("name", NAMES)
def test_every_param_default_passes_its_own_check(name):
    alg = registry.get_algorithm(name)
    names = [p.name for p in alg.params]
    assert len(set(names)) == len(names), f"repeated parameter names {names}"
    for p in alg.params:
        assert isinstance(p, Param) and p.kind in PARAM_KINDS, p
        assert p.name.isidentifier() and p.label.strip(), p
        checked = p.check(p.default)
        if p.kind == "float":
            assert checked == pytest.approx(p.default, rel=EPS64, abs=0), p
        else:
            assert checked == p.default, p
        if p.kind == "choice":
            assert p.default in p.choices and len(set(p.choices)) == len(p.choices), p
        if p.low is not None and p.high is not None:
            assert p.low <= p.high, p


@pytest.mark.parametrize("name", NAMES)
def test_validate_fills_defaults_and_refuses_unknown_parameters(name):
    alg = registry.get_algorithm(name)
    assert set(alg.defaults()) == {p.name for p in alg.params}
    assert_same_values(alg.validate({}), alg.defaults())
    assert_same_values(alg.validate(alg.example_params), {**alg.defaults(), **alg.example_params})
    with pytest.raises(ParamError, match="no_such_parameter"):
        alg.validate({"no_such_parameter": 1})
    with pytest.raises(ParamError, match="no_such_parameter"):
        alg.validate({**alg.example_params, "no_such_parameter": 1})


# ============================================================================ the steps
@pytest.mark.parametrize("name", NAMES)
def test_step_fields_and_kinds(name):
    d = default_run(name)
    assert d.steps, "the default session gives no steps"
    last_iteration = -1
    for i, s in enumerate(d.steps):
        where = f"step {i}"
        assert isinstance(s, Step), where
        assert isinstance(s.kind, str) and s.kind.strip() and s.kind == s.kind.strip(), where
        assert isinstance(s.description, str) and s.description.strip(), where
        assert "\n" not in s.description.strip(), f"{where}: the description is one line"
        assert isinstance(s.objective, float), where
        assert isinstance(s.iteration, int) and s.iteration >= last_iteration and s.iteration >= 0, where
        last_iteration = s.iteration
        assert s.status in STATUSES, where
        if s.centers is not None:
            assert s.centers.ndim == 2 and s.centers.shape[1] == d.X.shape[1], where
            assert s.centers.shape[0] >= 1 and np.issubdtype(s.centers.dtype, np.floating), where
    assert math.isfinite(d.steps[-1].objective), "the last step's objective is defined"


@pytest.mark.parametrize("name", NAMES)
def test_done_and_status_on_the_last_step_only(name):
    d = default_run(name)
    *before, last = d.steps
    assert last.done and last.status in STATUSES and last.status != ""
    for i, s in enumerate(before):
        assert not s.done and s.status == "", f"step {i} of {len(d.steps)}"
    # the generator itself ends at the done step (run() stops there; a fresh generator must too)
    got = []
    for s in fresh(d):
        got.append(s)
        assert len(got) <= len(d.steps), "the generator goes on after its done step"
    assert len(got) == len(d.steps) and got[-1].done


@pytest.mark.parametrize("name", NAMES)
def test_trace_holds_every_objective_so_far(name):
    d = default_run(name)
    previous = np.empty(0)
    for i, s in enumerate(d.steps):
        assert s.trace.shape == (i + 1,), f"step {i}: the trace has {s.trace.shape} values"
        assert np.issubdtype(s.trace.dtype, np.floating)
        nan_close(s.trace[-1], s.objective, f"step {i}: the trace ends with the objective")
        nan_close(s.trace[:-1], previous, f"step {i}: the trace continues the previous one")
        previous = s.trace


@pytest.mark.parametrize("name", MONOTONE)
def test_objective_is_monotone_as_promised(name):
    d = default_run(name)
    sense = d.alg.objective_sense
    values = [(i, s.objective) for i, s in enumerate(d.steps) if not math.isnan(s.objective)]
    assert len(values) >= 2, "a monotone objective needs at least two defined values to be checked"
    n = d.X.shape[0]
    for (i, a), (j, b) in zip(values, values[1:]):
        # float64 sums over n points: rounding grows at most like n * eps
        tol = 8 * n * EPS64 * max(1.0, abs(a), abs(b))
        if sense == "min":
            assert b <= a + tol, f"objective rose from step {i} ({a!r}) to step {j} ({b!r})"
        else:
            assert b >= a - tol, f"objective fell from step {i} ({a!r}) to step {j} ({b!r})"


@pytest.mark.parametrize("name", NAMES)
def test_step_arrays_are_read_only(name):
    d = default_run(name)
    for i, s in enumerate(d.steps):
        where = f"step {i} ({s.kind})"
        if s.labels is not None:
            assert_read_only(s.labels, f"{where}: labels")
        if s.centers is not None:
            assert_read_only(s.centers, f"{where}: centers")
        assert_read_only(s.trace, f"{where}: trace")
        for path, arr in payload_arrays(s.payload):
            assert_read_only(arr, f"{where}: {path}")
        with pytest.raises(TypeError):
            s.payload["added"] = 1  # the payload mapping itself is read-only
        with pytest.raises(dataclasses.FrozenInstanceError):
            s.kind = "changed"


@pytest.mark.parametrize("name", NAMES)
def test_labels_have_one_cluster_id_per_point(name):
    d = default_run(name)
    n = d.X.shape[0]
    assert any(s.labels is not None for s in d.steps)
    for i, s in enumerate(d.steps):
        lab = s.labels
        if lab is None:
            continue
        where = f"step {i} ({s.kind})"
        assert lab.shape == (n,) and np.issubdtype(lab.dtype, np.signedinteger), where
        # -1 is the protocol's documented "not assigned yet" (engine.core.steps); nothing below it
        assert lab.min() >= -1 and lab.max() < n, where
        if s.centers is not None:
            assert lab.max() < s.centers.shape[0], f"{where}: a label without a centre"
    last = d.steps[-1].labels
    assert last is not None and last.min() >= 0, "the finished run assigns every point"


@pytest.mark.parametrize("name", SEEDED)
def test_same_seed_same_steps(name):
    d = default_run(name)
    first = list(fresh(d, seed=7))
    again = list(fresh(d, seed=7))
    assert_same_steps(again, first, "the same seed twice")
    # and the default session (its own seed) is reproducible through the façade too
    assert_same_steps(list(engine.steps(name, d.X, **d.kwargs)), d.steps, "engine.steps on the default session")


@pytest.mark.parametrize("name", NAMES)
def test_closing_the_generator_midway_cancels_it(name):
    d = default_run(name)
    gen = fresh(d)
    taken = [next(gen) for _ in range(min(2, len(d.steps)))]
    gen.close()  # what the player does on cancel: must not raise
    with pytest.raises(StopIteration):
        next(gen)
    assert_same_steps(taken, d.steps[:len(taken)], "the steps before the cancel")
    assert_same_steps(list(fresh(d)), d.steps, "a fresh generator after the cancel")


@pytest.mark.parametrize("name", NAMES)
def test_fit_runs(name):
    d = default_run(name)
    result = engine.fit(name, d.X, **d.kwargs)
    assert result is not None
    if d.alg.fit is None:  # the façade's default: the last step
        assert isinstance(result, Step) and result.done


# ============================================================================ sessions and render
@pytest.mark.parametrize("name", NAMES)
def test_session_save_load_gives_the_same_steps(name, tmp_path):
    d = default_run(name)
    path = save_session(d.session, tmp_path / f"{name}.json")
    loaded = load_session(path)
    assert loaded.algorithm == name and loaded.data == d.session.data
    assert_same_values(loaded.params, d.session.params)
    assert set(loaded.extra) == set(d.session.extra)
    assert_same_steps(run(loaded), d.steps, "the saved and loaded session")


@pytest.mark.parametrize("name", NAMES)
def test_render_of_the_default_session(name, tmp_path, qtbot, capsys):
    from gui.shell import render
    d = default_run(name)
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(session_to_dict(d.session)), encoding="utf-8")
    out = tmp_path / "out"
    code = render.main([str(path), "--out", str(out), "--no-svg", "--size", "400x300"])
    assert code == 0, capsys.readouterr().err
    res = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert res["algorithm"] == name and res["n_steps"] > 0
    assert res["n_steps"] == len(d.steps) and res["complete"]
    assert res["labels"] == np.asarray(d.steps[-1].labels).tolist()
    assert (out / "scatter.png").stat().st_size > 0


# ============================================================================ the working of every step
def assert_well_formed(table, where: str):
    """A working table: text title and formula, one label per row and column, every row as wide as the columns,
    highlighted cells inside, cells numbers / text / booleans."""
    assert isinstance(table, Table), where
    assert isinstance(table.title, str) and table.title.strip() and isinstance(table.formula, str), where
    assert len(table.values) == len(table.rows) and all(len(r) == len(table.columns) for r in table.values), where
    assert all(isinstance(s, str) for s in (*table.rows, *table.columns)), where
    assert all(0 <= r < len(table.rows) and 0 <= c < len(table.columns) for r, c in table.highlight), where
    assert all(v is None or isinstance(v, (int, float, str, bool)) for row in table.values for v in row), where


@pytest.mark.parametrize("name", NAMES)
def test_working_of_every_step_agrees_with_the_step(name):
    """``Algorithm.working`` explains every step of the default run: well-formed, JSON-ready tables, and what it
    concludes (``derived``) agrees with the step (``engine.core.working.disagreements``: 1e-9 relative, integers
    and labels exactly). It sees only the steps so far, as the window and ``render`` give them."""
    d = default_run(name)
    assert d.alg.working is not None, f"{name} registers no working (Algorithm.working)"
    params = dict(d.session.params)
    checked = 0
    for i, step in enumerate(d.steps):
        where = f"step {i} ({step.kind})"
        w = d.alg.working(d.X, d.steps[:i + 1], i, params, names=d.dataset.point_names)
        assert isinstance(w, Working) and isinstance(w.derived, dict), where
        assert len(w.tables) >= 1, f"{where}: no table"
        for t in w.tables:
            assert_well_formed(t, f"{where}, table {t.title!r}")
        json.dumps(w.to_dict(), allow_nan=False)
        problems = disagreements(w, step)
        assert not problems, f"{where}: " + "; ".join(problems)
        checked += len(w.derived)
    assert checked, "no step's working derives anything to check against the steps"
