"""All views agree (#12 "Done when"): over every registered algorithm, after a session load, a step forward and
back, a run to its end, a parameter change and its undo, every text that names a step (plot titles, labels, the
timeline, the status bar) names the timeline's step, ``engine.core.steps.step_label(player.index)``, and every
plot title that names a parameter names the form's value.

Parametrized over :func:`engine.core.registry.algorithms` (no algorithm named): each opens its default session,
the algorithm's ``example`` data and ``example_params`` (as tests/test_conformance.py does). Parameter changes
are not on the data's undo stack (Edit > Undo undoes edits of the points), so "undo" sets the value back in the
form, as a person would. Builds on tests/test_step_numbers.py (same reading of "step N").
"""
from __future__ import annotations

import json
import math
import re

import pyqtgraph as pg
import pytest
from PySide6.QtWidgets import QAbstractButton, QGraphicsView, QGroupBox, QLabel

from engine.core import registry
from engine.core.steps import step_label, step_number
from engine.session import FORMAT
from gui.run.tasks import registry as tasks

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

NAMES = list(registry.algorithms())
#: "step 12" but not "E-step 12" / "M-step 12" (an EM iteration, not a timeline step) nor "12 steps"
STEP = re.compile(r"(?<![A-Za-z-])step (\d+)", re.IGNORECASE)
TIMEOUT_MS = 60_000


def _texts(window) -> list[tuple[str, str]]:
    """(where, text) of every text the window shows: labels, group titles, buttons, pyqtgraph texts, status bar."""
    out = [("status bar", window.statusBar().currentMessage())]
    for w in window.findChildren(QLabel):
        if w.isVisible():
            out.append((w.objectName() or "label", w.text()))
    for w in window.findChildren(QGroupBox):
        if w.isVisible():
            out.append((w.objectName() or "group", w.title()))
    for w in window.findChildren(QAbstractButton):
        if w.isVisible():
            out.append((w.objectName() or "button", w.text()))
    for view in window.findChildren(QGraphicsView):
        if view.isVisible() and view.scene() is not None:
            for item in view.scene().items():
                if isinstance(item, pg.LabelItem) and item.isVisible():
                    out.append(("plot title", item.text or ""))
                elif isinstance(item, pg.TextItem) and item.isVisible():
                    out.append(("plot text", item.toPlainText()))
    return [(where, re.sub(r"<[^>]+>", " ", text)) for where, text in out if text]


def _plot_titles(window) -> list[str]:
    titles = []
    for view in window.findChildren(QGraphicsView):
        if view.isVisible() and view.scene() is not None:
            titles += [re.sub(r"<[^>]+>", " ", i.titleLabel.text or "") for i in view.scene().items()
                       if isinstance(i, pg.PlotItem) and i.titleLabel.isVisible()]
    return titles


def _disagreements(window, what: str) -> list[str]:
    """Texts that name another step than the timeline's, or a parameter value the form does not have."""
    player = window.player
    want = step_label(player.index)
    out = []
    if not window.timeline.label.text().startswith(f"{want} / "):
        out.append(f"{what}: the timeline says {window.timeline.label.text()!r}, not {want!r}")
    for where, text in _texts(window):
        if text == window.timeline.label.text():
            continue
        named = {int(n) for n in STEP.findall(text)}
        if named and named != {step_number(player.index)}:
            out.append(f"{what}: {where} {text!r} names step {sorted(named)}, the timeline {want!r}")
    values = window.plugin.form.values()
    for title in _plot_titles(window):
        for p in window.plugin.algorithm.params:
            if p.kind not in ("int", "float"):
                continue
            for m in re.finditer(rf"(?<![A-Za-z_]){re.escape(p.name)}\s*=\s*(-?[0-9.]+(?:e-?\d+)?)", title):
                if not math.isclose(float(m.group(1)), float(values[p.name]), rel_tol=1e-3, abs_tol=1e-9):
                    out.append(f"{what}: the title {title!r} says {p.name}={m.group(1)}, the form {values[p.name]}")
    return out


def _settle(qtbot, window):
    player = window.player
    qtbot.waitUntil(lambda: bool(player.history) and not player.busy, timeout=TIMEOUT_MS)
    qtbot.wait(20)  # views drawn on the step's signals (and any posted work) have drawn


def _first_numeric(alg):
    """(name, another value within bounds) of the algorithm's first int/float parameter, or None."""
    for p in alg.params:
        if p.kind in ("int", "float"):
            value = alg.example_params.get(p.name, p.default)
            if value is None:
                continue
            step = 1 if p.kind == "int" else max(abs(value) * 0.5, 0.1)
            for other in (value + step, value - step):
                if (p.low is None or other >= p.low) and (p.high is None or other <= p.high):
                    return p.name, value, int(other) if p.kind == "int" else other
    return None


@pytest.mark.parametrize("name", NAMES)
def test_every_view_names_the_timelines_step_and_the_forms_parameters(qtbot, tmp_path, open_window, name):
    alg = registry.get_algorithm(name)
    w = open_window(name)
    path = tmp_path / f"default-{name}.json"
    path.write_text(json.dumps({"format": FORMAT, "version": 1, "name": f"default-{name}",
                                "data": dict(alg.example), "algorithm": {"name": name,
                                                                         "params": dict(alg.example_params)}}))
    assert w.session_controller.open_path(path)
    player = w.player
    _settle(qtbot, w)
    problems = []

    def look(what):
        for tab in range(max(w.tabs.count(), 1)):
            if w.tabs.count():
                w.tabs.setCurrentIndex(tab)
            qtbot.wait(10)
            # the Working tables are computed off the GUI thread (meanwhile under their own step's header)
            qtbot.waitUntil(lambda: tasks().count(w) == 0, timeout=TIMEOUT_MS)
            where = f"{name}, {what}" + (f", tab {w.tabs.tabText(tab)}" if w.tabs.count() else "")
            problems.extend(_disagreements(w, where))

    look("after the session load")
    for what, act in (("forward", player.forward), ("back", player.back), ("to the end", player.to_end)):
        act()
        _settle(qtbot, w)
        if what == "to the end":
            qtbot.waitUntil(lambda: bool(player.at_end and not player.busy), timeout=TIMEOUT_MS)
        look(f"after {what}")
    change = _first_numeric(alg)
    if change is not None:
        pname, before, after = change
        for what, value in ((f"{pname} changed to {after}", after), (f"{pname} set back to {before}", before)):
            w.plugin.form.widgets[pname].setValue(value)  # as typed: the form asks for a new run
            qtbot.waitUntil(lambda v=value: math.isclose(w.plugin.form.values()[pname], v), timeout=TIMEOUT_MS)
            _settle(qtbot, w)
            player.to_end()
            qtbot.waitUntil(lambda: bool(player.at_end and not player.busy), timeout=TIMEOUT_MS)
            qtbot.wait(20)
            look(f"after {what}")
    w.session_controller.set_modified(False)
    assert not list(dict.fromkeys(problems)), "\n".join(dict.fromkeys(problems))
