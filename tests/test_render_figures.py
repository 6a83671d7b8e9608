"""``render`` writes only what shows something, and only plots (issue 12, item 11)."""
import json

import pytest
from PIL import Image
from PySide6.QtWidgets import QGraphicsItem

from gui.shell import render
from gui.widgets import export

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def drawn(monkeypatch):
    """Every target export_png / export_svg was given, with the file name."""
    seen = []
    for name in ("export_png", "export_svg"):
        real = getattr(export, name)

        def spy(view, path, *a, real=real, **k):
            seen.append((path.name, export.plot_target(view)))
            return real(view, path, *a, **k)
        monkeypatch.setattr(export, name, spy)
    return seen


def test_ex3_kmeans_writes_no_empty_views_and_only_plots(qtbot, tmp_path, drawn, capsys):
    out = tmp_path / "ex3"
    assert render.main(["example:ex3-kmeans", "--out", str(out), "--size", "400x300"]) == 0, capsys.readouterr().err
    names = sorted(p.name for p in out.iterdir())
    assert not [n for n in names if n.startswith(("prototypes", "restarts"))], names
    assert {"scatter.png", "objective.png", "result.json"} <= set(names)
    assert drawn and all(isinstance(target, QGraphicsItem) for _, target in drawn), \
        [(n, type(t).__name__) for n, t in drawn if not isinstance(t, QGraphicsItem)]
    res = json.loads((out / "result.json").read_text())
    assert sorted(res["files"]) == sorted(n for n in names if n != "result.json")


@pytest.mark.slow
def test_ex4_mnist_kmeans_still_writes_its_sweep_and_prototypes(qtbot, tmp_path, drawn, capsys):
    out = tmp_path / "ex4"
    args = ["example:ex4-mnist-kmeans", "--out", str(out), "--size", "400x300", "--no-svg"]
    assert render.main(args) == 0, capsys.readouterr().err
    names = {p.name for p in out.iterdir()}
    assert {"restarts-k.png", "prototypes.png"} <= names, names
    res = json.loads((out / "result.json").read_text())  # what test_render's every-session test checks of others
    assert res["session"] == "ex4-mnist-kmeans" and res["algorithm"] == "kmeans" and res["complete"]
    with Image.open(out / "scatter.png") as im:
        assert im.size == (400, 300)
    assert all(isinstance(target, QGraphicsItem) for name, target in drawn if name.startswith(("restarts",
                                                                                               "prototypes")))


@pytest.mark.parametrize("name", ["scores-blobs", "gmm-bic-blobs"])
def test_figures_of_views_that_share_their_room_come_out_at_the_asked_size(qtbot, tmp_path, capsys, name):
    """A view whose figure gets only part of what the window grows (a splitter: the Scores plot above its table,
    Restarts & K above its table, a restarts plot beside its list) is still drawn at the asked size: it came out
    800x599 or 799x600 (#12)."""
    out = tmp_path / name
    assert render.main([f"example:{name}", "--out", str(out), "--no-svg"]) == 0
    err = capsys.readouterr().err
    sizes = {}
    for path in sorted(out.glob("*.png")):
        with Image.open(path) as im:
            sizes[path.name] = im.size
    assert len(sizes) >= 4 and all(size == (800, 600) for size in sizes.values()), sizes
    assert "needs at least" not in err, err


def test_fit_reaches_a_figure_that_gets_a_quarter_of_what_the_window_grows(qtbot, shown):
    """render's fitting of the window to a figure converges when the figure grows slower than the window (here a
    quarter of it, as a view's plot in a splitter beside three equal parts): six steps of the window's shortfall
    left it 81 pixels short."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget
    from gui.shell import render_window

    window = QWidget()
    splitter = QSplitter(Qt.Orientation.Vertical)
    parts = [QWidget() for _ in range(4)]
    for part in parts:
        part.setMinimumSize(10, 10)
        splitter.addWidget(part)
        splitter.setStretchFactor(splitter.count() - 1, 1)
    QVBoxLayout(window).addWidget(splitter)
    shown(window, (300, 200))
    figure = parts[0]
    got = render_window._fit(window, splitter, (400, 600), measure=lambda: (figure.width(), figure.height()))
    assert got == (400, 600) and (figure.width(), figure.height()) == (400, 600)


def test_the_note_about_a_figure_of_another_size_says_whether_it_is_larger_or_smaller(qtbot, tmp_path, capsys,
                                                                                          monkeypatch):
    from gui.shell import render_window
    real = render_window._fit

    def fit(window, view, size, measure=None):
        got = real(window, view, size, measure)
        return (got[0] + 40, got[1]) if view is window.scatter else (got[0] - 10, got[1])

    monkeypatch.setattr(render_window, "_fit", fit)
    assert render.main(["example:ex3-kmeans", "--out", str(tmp_path / "o"), "--no-svg", "--size", "400x300"]) == 0
    err = capsys.readouterr().err
    assert "the scatter view needs at least 440x300 pixels (asked: 400x300)" in err, err
    assert "the objective view could only be drawn at 390x300 pixels (asked: 400x300)" in err, err
