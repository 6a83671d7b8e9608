"""One step number: the timeline, every view title, exports, render and result.json number steps alike.

The numbering is defined once (:func:`engine.core.steps.step_number`: the first step is step 1); every
text the window shows that names a step must name the timeline's number.
"""
import json
import re

import pyqtgraph as pg
import pytest
from PySide6.QtWidgets import QAbstractButton, QGraphicsView, QGroupBox, QLabel

from engine import session as es
from engine.core.steps import step_index, step_label, step_number
from gui.run.tasks import registry

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

#: "step 12" but not "E-step 12" / "M-step 12" (an EM iteration, not a timeline step)
STEP = re.compile(r"(?<![A-Za-z-])step (\d+)", re.IGNORECASE)


def test_the_numbering_is_defined_once():
    assert step_number(0) == 1 and step_index(1) == 0 and step_label(26) == "step 27"
    with pytest.raises(ValueError, match="numbered from 1"):
        step_index(0)


def _texts(window):
    """Every text the window shows: labels, group titles, buttons, pyqtgraph titles and text items (of the widgets
    shown now: the test makes each tab the current one in turn)."""
    out = []
    for w in window.findChildren(QLabel):
        out.append(w.text() if w.isVisible() else "")
    for w in window.findChildren(QGroupBox):
        out.append(w.title() if w.isVisible() else "")
    for w in window.findChildren(QAbstractButton):
        out.append(w.text() if w.isVisible() else "")
    for view in window.findChildren(QGraphicsView):
        scene = view.scene()
        if scene is None or not view.isVisible():
            continue
        for item in scene.items():
            if isinstance(item, pg.LabelItem):
                out.append(item.text or "")
            elif isinstance(item, pg.TextItem):
                out.append(item.toPlainText())
    return [t for t in out if t]


def _numbers(window) -> dict[str, set[int]]:
    """The step numbers named by each text (the timeline's own label excluded)."""
    timeline = window.timeline.label.text()
    found = {}
    for text in _texts(window):
        if text == timeline:
            continue
        nums = {int(m) for m in STEP.findall(re.sub(r"<[^>]+>", " ", text))}
        if nums:
            found[text] = nums
    return found


def _timeline_number(window) -> int:
    m = re.match(r"step (\d+) / ", window.timeline.label.text())
    assert m, window.timeline.label.text()
    return int(m.group(1))


def _session(tmp_path, name, data, algorithm, params, **extra):
    d = {"format": "clusterlab-session", "version": 1, "name": name, "data": data,
         "algorithm": {"name": algorithm, "params": params, **extra}, "step": "last"}
    p = tmp_path / f"{name}.json"
    p.write_text(json.dumps(d))
    return p


SESSIONS = {
    "kmeans": ({"mnist": 300}, "kmeans", {"k": 4, "seed": 1}, {}),
    "gmm": ({"generator": "blobs", "n": 120, "seed": 2, "k": 3}, "gmm", {"k": 3, "seed": 1}, {}),
    "bernoulli": ({"mnist": 300}, "bernoulli", {"k": 4, "seed": 1, "max_iter": 6}, {"threshold": 0.5}),
    "hac": ({"example": "one-d"}, "hac", {"linkage": "max"}, {}),
}


@pytest.mark.parametrize("name", sorted(SESSIONS))
def test_every_view_title_names_the_timelines_step(qtbot, tmp_path, open_window, name):
    from gui.shell.session_io import install_session_menu
    data, algorithm, params, extra = SESSIONS[name]
    w = open_window(algorithm)
    if getattr(w, "session_controller", None) is None:
        install_session_menu(w)
    w.session_controller.open_path(_session(tmp_path, name, data, algorithm, params, **extra))
    qtbot.waitUntil(lambda: bool(w.player.exhausted and not w.player.busy and w.player.history), timeout=60000)
    w.player.to_end()
    qtbot.waitUntil(lambda: bool(w.player.at_end and not w.player.busy), timeout=60000)
    last = len(w.player.history) - 1
    checked = 0
    for index in sorted({last, last - 1, 1, 0} & set(range(last + 1))):
        w.player.seek(index)
        for tab in range(max(w.tabs.count(), 1)):
            if w.tabs.count():
                w.tabs.setCurrentIndex(tab)
            qtbot.wait(10)
            # a view computing off the GUI thread (the Working tables) keeps the tables it shows under their own
            # step's header meanwhile; once done, it names the timeline's step like every other view
            qtbot.waitUntil(lambda: registry().count(w) == 0, timeout=30000)
            assert _timeline_number(w) == step_number(index)
            for text, nums in _numbers(w).items():
                assert nums == {step_number(index)}, (name, index, text)
                checked += 1
    w.session_controller.set_modified(False)
    if name in ("gmm", "bernoulli", "kmeans"):
        assert checked, f"{name}: no view names the step (the test would check nothing)"


def test_render_steps_are_the_timelines_numbers(tmp_path, capsys):
    from gui.shell import render
    assert render.parse_steps("first,4,last") == [1, 4, "last"]
    assert render.main(["example:ex3-kmeans", "--out", str(tmp_path / "o"), "--steps", "0,3"]) == 2
    err = capsys.readouterr().err
    assert "numbered from 1" in err and "timeline" in err and not (tmp_path / "o").exists()


def test_objective_labels_say_what_is_summed_per_variant():
    from engine import kmeans
    alg = kmeans.ALGORITHM
    assert alg.objective_label({"variant": "means"}) == "J = sum of squared ℓ2 distances"
    assert alg.objective_label({"variant": "medians"}) == "J = sum of ℓ1 distances"
    assert alg.objective_label({"variant": "medoids", "metric": "linf"}) == "J = sum of ℓ∞ distances"
    assert alg.objective_label(None) == alg.objective_name


def test_the_window_labels_the_objective_of_the_chosen_variant(qtbot, open_window):
    from engine import data as edata
    w = open_window("kmeans")
    w.set_dataset(edata.example("five-points"))
    for values, words in (({"variant": "means"}, "squared ℓ2"), ({"variant": "medoids", "metric": "l1"}, "ℓ1")):
        w.plugin.form.set_values({"k": 2, **values})
        w.restart_run()
        w.player.to_end()
        qtbot.waitUntil(lambda: bool(w.player.at_end and not w.player.busy), timeout=30000)
        label = f"J = sum of {words} distances"
        assert w.timeline.objective.text().startswith(label + " = ")
        assert w.plugin.objective.plot.getAxis("left").labelText == label


def test_hac_step_texts_use_the_datas_point_names():
    from engine import data as edata
    from engine import hac
    ds = edata.example("one-d")
    texts = [s.description for s in hac.steps(ds.X, linkage="min", names=ds.point_names)]
    assert any("merged {16} and {17}" in t for t in texts), texts
    assert not any("{x" in t for t in texts)
    res = es.run(es.load_session(es.shipped_sessions()["ex2-min"][0]))
    assert any("merged {16} and {17}" in s.description for s in res), [s.description for s in res]


def test_the_data_csv_keeps_the_datas_labels_and_numbers_clusters_like_the_window(tmp_path):
    import numpy as np

    from engine import data as edata
    from gui.widgets.export import save_data_csv
    ds = edata.Dataset(np.array([[0.5, 1.0], [2.0, 3.5], [4.0, 0.25]]), labels=[0, 1, -1],
                       label_names=("setosa", "virginica"), feature_names=("length", "width"))
    path = save_data_csv(tmp_path / "d.csv", ds, np.array([1, 0, -1]))
    lines = path.read_text().splitlines()
    assert lines == ["length,width,label,cluster", "0.5,1.0,setosa,2", "2.0,3.5,virginica,1", "4.0,0.25,-1,none"]
    back = edata.load(path)  # the data's own labels come back; the cluster column is not a feature
    assert back.d == 2 and np.array_equal(back.X, ds.X)
    assert [back.label_names[v] for v in back.labels] == ["setosa", "virginica", "-1"]  # as save_csv does
    import os
    import stat
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~_umask()


def _umask():
    import os
    mask = os.umask(0)
    os.umask(mask)
    return mask
