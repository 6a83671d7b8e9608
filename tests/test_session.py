"""Session files in the engine: the format (validation, round trip, bad files) and runs without a window."""
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import data as edata
from engine import session as es
from engine.session import SessionError


def _doc(**over):
    d = {"format": "clusterlab-session", "version": 1, "name": "t", "description": "",
         "data": {"example": "five-points"}, "transform": {"standardize": False},
         "algorithm": {"name": "kmeans", "params": {"k": 2, "seed": 3}}, "step": "last"}
    d.update(over)
    return d


def _write(tmp_path, d, name="s.json") -> Path:
    p = tmp_path / name
    p.write_text(d if isinstance(d, str) else json.dumps(d))
    return p


def _labels(steps):
    return [None if s.labels is None else np.asarray(s.labels).tolist() for s in steps]


# ================================================================== engine: format
def test_every_shipped_session_round_trips_through_the_format(tmp_path):
    shipped = es.shipped_sessions()
    names = set(shipped)
    for lk in ("min", "max", "avg", "centroid"):
        assert f"ex1-{lk}-l2" in names
    assert {"ex2-min", "ex2-max", "ex3-kmeans", "ex4-mnist-kmeans", "ex5-mnist-bernoulli",
            "ex6-gmm-elongated"} <= names
    for name, (path, description) in shipped.items():
        s = es.load_session(path, validate_data=False)
        assert description and "\n" not in description and s.description == description
        assert s.name == name
        again = es.save_session(s, tmp_path / f"{name}.json")
        t = es.load_session(again, validate_data=False)
        assert es.session_to_dict(t) == es.session_to_dict(s)
        assert json.loads(path.read_text())["format"] == "clusterlab-session"


def test_ex2_sessions_agree_with_scipy_linkage():
    from scipy.cluster.hierarchy import linkage
    x = np.array([1.0, 2, 4, 5, 9, 11, 16, 17])[:, None]
    for name, method in (("ex2-min", "single"), ("ex2-max", "complete")):
        s = es.load_session(es.shipped_sessions()[name][0])
        res = es.summarize(s, es.run(s), es.make_dataset(s))
        assert res["complete"] and res["status"] == "finished"
        np.testing.assert_allclose(np.asarray(res["linkage"])[:, 2], linkage(x, method)[:, 2], rtol=1e-14)


def test_ex3_session_is_the_textbook_run():
    s = es.load_session(es.shipped_sessions()["ex3-kmeans"][0])
    steps = es.run(s)
    first = steps[0]
    np.testing.assert_array_equal(first.centers, [[1, 1], [0, 2]])  # starting means A and C
    last = steps[-1]
    assert last.done and last.converged
    # brute force: the final partition {A, B, C} | {D, E} with its means
    assert np.asarray(last.labels).tolist() == [0, 0, 0, 1, 1]
    np.testing.assert_allclose(last.centers, [[2 / 3, 1.0], [2.5, 4.5]])
    assert np.all(np.diff(last.trace[np.isfinite(last.trace)]) <= 1e-12)


def test_ex1_centroid_session_starts_from_the_three_groups():
    s = es.load_session(es.shipped_sessions()["ex1-centroid-l2"][0])
    steps = es.run(s)
    assert len(steps) == 3  # three starting clusters -> two merges
    X = edata.example("four-points").X
    mu = [X[[0, 1]].mean(0), X[2], X[3]]
    d = {(a, b): np.linalg.norm(mu[a] - mu[b]) for a, b in ((0, 1), (0, 2), (1, 2))}
    first = min(d, key=d.get)
    assert steps[1].objective == pytest.approx(d[first], rel=1e-14)
    assert first == (1, 2)  # red and blue merge first


def test_runs_are_reproducible_and_the_dict_form_validates():
    s = es.session_from_dict(_doc(data={"generator": "blobs", "n": 120, "seed": 4, "k": 3},
                                  algorithm={"name": "kmeans", "params": {"k": 3, "seed": 11, "init": "random"}}))
    a, b = es.run(s), es.run(s)
    assert _labels(a) == _labels(b) and len(a) > 3
    assert s.params["max_iter"] == 300  # defaults filled in
    d = es.session_to_dict(s)
    assert es.session_to_dict(es.session_from_dict(d)) == d


def test_hand_made_points_with_partial_groups_and_relative_path(tmp_path):
    d = _doc(data={"points": [[0, 0], [0, 1], [5, 5], [6, 5]], "groups": [0, 0, -1, -1], "names": list("abcd")},
             algorithm={"name": "hac", "params": {"linkage": "max"}, "start_from_groups": True})
    s = es.session_from_dict(d)
    ds = es.make_dataset(s)
    assert ds.point_names == ("a", "b", "c", "d") and ds.labels.tolist() == [0, 0, -1, -1]
    steps = es.run(s)
    assert len(steps) == 3  # {a, b}, {c}, {d}: two merges
    edata.save_csv(tmp_path / "pts.csv", ds.X)
    p = _write(tmp_path, _doc(data={"path": "pts.csv"}))
    assert es.load_session(p).data == {"path": "pts.csv"}
    assert es.make_dataset(es.load_session(p)).n == 4


def test_standardize_and_placed_gmm_means():
    s = es.session_from_dict(_doc(
        data={"generator": "elongated", "n": 90, "seed": 1}, transform={"standardize": True},
        algorithm={"name": "gmm", "params": {"covariance": "diag", "seed": 0}, "means": [[-1, 0], [0, 1], [1, 0]]}))
    X, kw = es.run_input(s)
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-12)
    assert s.params["k"] == 3 and "init" not in s.params
    np.testing.assert_allclose(kw["init"]["covariances"], np.full((3, 2), X.var(axis=0).mean()))
    assert es.run(s)[-1].done


# ================================================================== engine: bad files
BAD = [
    ("truncated", '{"format": "clusterlab-session", "version": 1, "data": {"exam', "cut short"),
    ("not json", "hello", "not valid JSON"),
    ("empty", "", "empty"),
    ("list", "[1, 2]", "should be a JSON object"),
    ("nan", '{"format": "clusterlab-session", "version": 1, "x": NaN}', "NaN"),
    ("other format", _doc(format="something"), "not a Clusterlab session"),
    ("newer", _doc(version=2), "newer Clusterlab"),
    ("version type", _doc(version="1"), "version should be"),
    ("unknown key", _doc(run_this="import os"), "unknown entry run_this"),
    ("unknown algorithm", _doc(algorithm={"name": "optics"}), "unknown algorithm 'optics'"),
    ("param range", _doc(algorithm={"name": "kmeans", "params": {"k": 0}}), "k=0 should be >= 1"),
    ("param choice", _doc(algorithm={"name": "hac", "params": {"norm": "l3"}}), "norm='l3' is not allowed"),
    ("unknown param", _doc(algorithm={"name": "hac", "params": {"colour": 1}}), "unknown parameter(s) colour"),
    ("wrong type", _doc(name=5), "name should be a string"),
    ("data kind", _doc(data={"example": "four-points", "mnist": 5}), "exactly one of"),
    ("example", _doc(data={"example": "nine-points"}), "unknown example"),
    ("missing file", _doc(data={"path": "nowhere.csv"}), "nowhere.csv was not found"),
    ("k above n", _doc(algorithm={"name": "kmeans", "params": {"k": 9}}), "k=9"),
    ("ragged", _doc(data={"points": [[0, 1], [2]]}), "same number"),
    ("init width", _doc(algorithm={"name": "kmeans", "init": [[0, 0, 0], [1, 1, 1]]}), "3 columns"),
    ("groups", _doc(algorithm={"name": "hac", "start_from_groups": True}), "no groups"),
    ("step", _doc(step="first"), "step should be"),
    ("big mnist", _doc(data={"mnist": 20000}), "between 1 and 10000"),
    ("sweep type", _doc(algorithm={"name": "kmeans", "sweep": [2, 3]}), "sweep should be an object"),
    ("sweep ks", _doc(algorithm={"name": "kmeans", "sweep": {"ks": [], "restarts": 2}}), "sweep.ks should be"),
    ("sweep repeat", _doc(algorithm={"name": "kmeans", "sweep": {"ks": [2, 2]}}), "repeats a K"),
    ("sweep restarts", _doc(algorithm={"name": "kmeans", "sweep": {"ks": [2], "restarts": 0}}),
     "sweep.restarts=0 should be a whole number between 1 and 50"),
    ("sweep key", _doc(algorithm={"name": "kmeans", "sweep": {"ks": [2], "code": "x"}}), "unknown entry code"),
    ("sweep k above n", _doc(algorithm={"name": "kmeans", "sweep": {"ks": [2, 7]}}), "K=7 but the data have only 5"),
    ("sweep on hac", _doc(algorithm={"name": "hac", "sweep": {"ks": [2]}}), "unknown entry sweep"),
]


@pytest.mark.parametrize("what,content,words", BAD, ids=[b[0] for b in BAD])
def test_bad_session_files_give_a_clear_message_naming_the_file(tmp_path, what, content, words):
    p = _write(tmp_path, content, name="my-session.json")
    with pytest.raises(SessionError) as exc:
        es.load_session(p)
    msg = str(exc.value)
    assert msg.startswith("my-session.json:"), msg
    assert words in msg, msg


def test_a_pickled_data_file_is_refused_not_loaded(tmp_path):
    np.save(tmp_path / "evil.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(SessionError, match="evil.npy"):
        es.load_session(_write(tmp_path, _doc(data={"path": "evil.npy"})))


def test_missing_session_file_and_folder(tmp_path):
    with pytest.raises(SessionError, match="no such session file"):
        es.load_session(tmp_path / "none.json")
    with pytest.raises(SessionError, match="is a folder"):
        es.load_session(tmp_path)


JSON = st.recursive(st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False)
                    | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                 max_size=4), max_leaves=20)
KEYS = st.sampled_from(["format", "version", "name", "data", "algorithm", "transform", "step", "description"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(KEYS, JSON, max_size=8), st.booleans())
def test_junk_json_raises_only_session_error(junk, fix_header):
    if fix_header:
        junk = {**junk, "format": "clusterlab-session", "version": 1}
    try:
        s = es.session_from_dict(junk)
    except SessionError as exc:
        assert str(exc).startswith("session:")
        return
    try:
        es.check(s)
    except SessionError:
        pass


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_raise_only_session_error(tmp_path_factory, raw):
    p = tmp_path_factory.mktemp("junk") / "x.json"
    p.write_bytes(raw)
    with pytest.raises(SessionError):
        es.load_session(p)


@pytest.mark.parametrize("target", ["folder", "/dev/zero"])
def test_a_data_path_that_is_not_a_file_says_what_it_is(tmp_path, target):
    path = tmp_path / "data" if target == "folder" else target
    if target == "folder":
        path.mkdir()
    with pytest.raises(SessionError) as info:
        es.load_session(_write(tmp_path, _doc(data={"path": str(path)})))
    message = str(info.value)
    assert "not found" not in message
    assert ("folder" in message) if target == "folder" else ("not a regular file" in message)
