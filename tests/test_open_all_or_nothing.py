"""Opening is all or nothing; data too large for squared distances are refused; huge step numbers are refused.

Issue #11: a session of points ``[[1e308, 1e308], [-1e308, -1e308], [0, 0]]`` escaped ``open_path`` with
"Cannot set range [-inf, inf]", left the new points under the old title with the wait cursor on; the same data
as CSV or .npy printed a traceback; at 1e155 K-means reported objective nan as "converged".
"""
import json

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from engine import session as es
from engine.core.params import ParamError

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

HUGE = [[1e308, 1e308], [-1e308, -1e308], [0.0, 0.0]]


def _doc(points=None, step="last", name="huge", data=None):
    return {"format": "clusterlab-session", "version": 1, "name": name, "description": "",
            "data": data if data is not None else {"points": points}, "transform": {"standardize": False},
            "algorithm": {"name": "kmeans", "params": {"k": 2, "seed": 3}}, "step": step}


@pytest.fixture
def window(qtbot):
    from gui.shell.main_window import MainWindow
    w = MainWindow(startup="")
    qtbot.addWidget(w)
    yield w
    w.session_controller.set_modified(False)


def _state(w):
    c = w.session_controller
    return (w.dataset, w.windowTitle(), c.path, c.modified, w.isWindowModified(), w.plugin.algorithm.name)


def _opened_good_session(qtbot, w, tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_doc(data={"example": "five-points"}, name="good")))
    assert w.session_controller.open_path(good)
    qtbot.waitUntil(lambda: not w.player.busy, timeout=10000)
    return good


@pytest.mark.parametrize("scale", [1e308, 1e155])
def test_a_session_of_huge_points_is_refused_and_changes_nothing(qtbot, window, tmp_path, message_boxes, scale):
    w = window
    good = _opened_good_session(qtbot, w, tmp_path)
    before = _state(w)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_doc((np.array(HUGE) / 1e308 * scale).tolist())))
    assert not w.session_controller.open_path(bad)
    assert QApplication.overrideCursor() is None
    assert _state(w) == before and w.session_controller.path == good
    assert len(message_boxes) == 1 and "bad.json" in message_boxes[0][2] and "rescale" in message_boxes[0][2]


@pytest.mark.parametrize("kind", ["csv", "npy"])
def test_huge_data_files_give_a_message_not_a_traceback(qtbot, window, tmp_path, message_boxes, capsys, kind):
    w = window
    w.open_example("five-points")
    before = _state(w)
    path = tmp_path / f"huge.{kind}"
    if kind == "csv":
        path.write_text("x,y\n" + "\n".join(f"{a!r},{b!r}" for a, b in HUGE) + "\n")
    else:
        np.save(path, np.array(HUGE))
    w.open_file(path)
    qtbot.waitUntil(lambda: not w.loader.busy and bool(message_boxes), timeout=10000)
    assert "rescale" in message_boxes[0][2]
    assert "Traceback" not in capsys.readouterr().err
    assert _state(w) == before


def test_a_failure_inside_the_window_while_opening_restores_the_data_and_the_cursor(qtbot, window, tmp_path,
                                                                                      message_boxes, monkeypatch):
    """Whatever goes wrong after the checks: the previous data come back, the cursor is restored and the
    title, path and modified flag describe what is shown (Save never writes over the old session)."""
    w = window
    good = _opened_good_session(qtbot, w, tmp_path)
    ds = w.dataset
    other = tmp_path / "other.json"
    other.write_text(json.dumps(_doc([[0.0, 0.0], [1.0, 1.0], [5.0, 5.0]], name="other")))

    def boom(*a, **k):
        raise RuntimeError("a view failed")
    monkeypatch.setattr(w.scatter, "auto_range", boom)
    assert not w.session_controller.open_path(other)
    assert QApplication.overrideCursor() is None
    assert w.dataset is ds and len(message_boxes) == 1 and "a view failed" in message_boxes[0][2]
    c = w.session_controller
    # the settings may differ from the file's now: marked modified (the title shows it), never a silent overwrite
    assert c.path in (good, None) and c.modified and w.isWindowModified()
    assert w.plugin.algorithm.name == "kmeans" and w.player.index < len(w.player.history)


def test_opening_a_huge_example_or_generated_set_in_the_window_is_refused(qtbot, window, message_boxes):
    from engine import data as edata
    w = window
    w.open_example("five-points")
    before = _state(w)
    with pytest.raises(edata.DataError, match="rescale"):
        w.set_dataset(edata.Dataset(np.array(HUGE), name="huge"))
    assert _state(w) == before


def test_render_of_a_session_with_huge_csv_data_exits_2_with_a_message(tmp_path, capsys):
    from gui.shell import render
    (tmp_path / "huge.csv").write_text("x,y\n" + "\n".join(f"{a!r},{b!r}" for a, b in HUGE) + "\n")
    p = tmp_path / "s.json"
    p.write_text(json.dumps(_doc(data={"path": "huge.csv"})))
    assert render.main([str(p), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "rescale" in err and "Traceback" not in err


# ------------------------------------------------------------------ the engine
@pytest.mark.parametrize("name,params", [("kmeans", {"k": 2, "seed": 0}), ("hac", {"linkage": "centroid"}),
                                         ("hac", {"linkage": "ward"}), ("hac", {"linkage": "min"}),
                                         ("gmm", {"k": 2, "seed": 0})])
@pytest.mark.parametrize("scale", [1e155, 1e308])
def test_data_whose_squared_distances_overflow_are_refused_by_every_algorithm(name, params, scale):
    import engine
    X = np.array([[1.0, 1.0], [-1.0, -1.0], [0.0, 0.0], [0.5, 0.2]]) * scale
    with pytest.raises(ParamError, match="rescale"):
        list(engine.steps(name, X, **params))


@pytest.mark.parametrize("name,params,power", [("kmeans", {"k": 2, "seed": 0}, 2), ("hac", {"linkage": "centroid"}, 1),
                                               ("hac", {"linkage": "ward"}, 1), ("hac", {"linkage": "max"}, 1)])
def test_large_data_below_the_limit_give_the_results_of_small_data_scaled(name, params, power):
    """Just below the limit nothing overflows: every objective is the one of the same data at scale 1,
    times the scale (or its square); NaN only where the small run has it too (a first step before any merge)."""
    import engine
    X = np.array([[1.0, 1.0], [-1.0, -1.0], [0.0, 0.0], [0.5, 0.2]])
    scale = 1e149
    big = [s.objective for s in engine.steps(name, X * scale, **params)]
    small = [s.objective for s in engine.steps(name, X, **params)]
    assert len(big) == len(small)
    big, small = np.array(big, dtype=float), np.array(small, dtype=float)
    assert np.isfinite(big[1:]).all() and not np.isinf(big).any()
    np.testing.assert_allclose(big / scale ** power, small, rtol=1e-9)


# ------------------------------------------------------------------ step numbers
@pytest.mark.parametrize("step", [2 ** 31, 10 ** 12, es.MAX_STEP + 1])
def test_a_session_step_beyond_the_limit_is_refused(step):
    with pytest.raises(es.SessionError, match="step"):
        es.session_from_dict(_doc(data={"example": "five-points"}, step=step))
    assert es.session_from_dict(_doc(data={"example": "five-points"}, step=es.MAX_STEP)).step == es.MAX_STEP


def test_going_to_a_huge_step_in_the_window_shows_the_last_step(qtbot, window):
    from gui.shell.session_io import goto_step
    w = window
    w.open_example("five-points")
    qtbot.waitUntil(lambda: bool(w.player.history), timeout=10000)
    goto_step(w.player, 10 ** 12)
    qtbot.waitUntil(lambda: w.player.exhausted and not w.player.busy
                    and w.player.index == len(w.player.history) - 1, timeout=10000)
