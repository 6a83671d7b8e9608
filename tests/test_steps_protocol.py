import numpy as np
import pytest

from engine.core.params import Param, ParamError, validate_params
from engine.core.steps import Step, TraceBuilder, compact_labels


def test_step_is_immutable_and_its_arrays_are_read_only():
    labels = np.array([0, 1, 1, -1])
    s = Step("assign", "x", labels=labels, centers=[[0.0, 1.0], [2.0, 3.0]], objective=2.5,
             payload={"changed": np.array([1, 2])})
    labels[0] = 5  # the step holds its own copy
    assert s.labels.tolist() == [0, 1, 1, -1]
    for arr in (s.labels, s.centers, s.trace, s.payload["changed"]):
        with pytest.raises(ValueError):
            arr[0] = 9
    with pytest.raises(AttributeError):
        s.kind = "update"
    with pytest.raises(TypeError):
        s.payload["new"] = 1
    assert s.trace.tolist() == [2.5]
    assert not s.done and not s.converged


def test_labels_may_be_computed_on_demand():
    calls = []

    def lab():
        calls.append(1)
        return np.arange(3)

    s = Step("merge", "m", labels=lab)
    assert calls == []
    assert s.labels.tolist() == [0, 1, 2]


def test_compact_labels_picks_small_signed_type():
    assert compact_labels([0, 1, -1]).dtype == np.int8
    assert compact_labels(np.arange(300)).dtype == np.int16
    assert compact_labels(np.arange(40000)).dtype == np.int32


def test_bad_status_refused():
    with pytest.raises(ValueError, match="status"):
        Step("E", "x", status="weird")


def test_trace_builder_returns_independent_snapshots():
    tb = TraceBuilder()
    a = tb.next(3.0)
    b = tb.next(2.0)
    assert a.tolist() == [3.0] and b.tolist() == [3.0, 2.0]


def test_param_validation_messages():
    ps = (Param("k", "K", "int", 3, low=1, high=50), Param("norm", "Norm", "choice", "l2", choices=("l1", "l2")),
          Param("seed", "Seed", "seed", None), Param("tol", "tol", "float", 1e-6, low=0))
    assert validate_params(ps, {"k": 4.0}) == {"k": 4}
    with pytest.raises(ParamError, match=r"k=0 should be >= 1"):
        validate_params(ps, {"k": 0})
    with pytest.raises(ParamError, match=r"norm='l3' is not allowed; choose one of 'l1', 'l2'"):
        validate_params(ps, {"norm": "l3"})
    with pytest.raises(ParamError, match="unknown parameter"):
        validate_params(ps, {"kk": 1})
    with pytest.raises(ParamError, match="seed"):
        validate_params(ps, {"seed": -1})
    with pytest.raises(ParamError, match="finite"):
        validate_params(ps, {"tol": float("nan")})
    assert validate_params(ps, {}, fill_defaults=True)["norm"] == "l2"
