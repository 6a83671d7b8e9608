"""Export: PNG sizes follow the scale, SVG is XML, GIF frames, CSV round trip, clear errors."""
import os
import xml.etree.ElementTree as ET

import numpy as np
import pyqtgraph as pg
import pytest
from PIL import Image
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QLabel

from engine.data import load
from gui.widgets.export import export_png, export_svg, qimage_to_pil, save_gif, save_labels_csv
from gui.widgets.scatter import ScatterView

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")  # offscreen, harmless


@pytest.fixture
def plot(shown):
    w = pg.PlotWidget(background="w")
    w.plot([0, 1, 2], [1, 0, 2], pen="b", symbol="o")
    shown(w, (400, 300))
    return w


@pytest.fixture
def scatter(shown):
    v = ScatterView()
    shown(v, (420, 320))
    v.set_points(np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5]]), names=["A", "B", "C"])
    v.set_labels(np.array([0, 1, 1]))
    return v


def png_size(path):
    with Image.open(path) as im:
        return im.size


def test_png_of_plot_item_scales(plot, tmp_path):
    item = plot.getPlotItem()
    w1, h1 = png_size(export_png(item, tmp_path / "one.png", scale=1))
    w2, h2 = png_size(export_png(item, tmp_path / "two.png", scale=2))
    assert w1 >= 300 and h1 >= 200
    assert w2 == 2 * w1 and abs(h2 - 2 * h1) <= 1


def test_png_of_widgets_scales(scatter, tmp_path):
    label = QLabel("tiles")
    label.resize(120, 40)
    w1, h1 = png_size(export_png(label, tmp_path / "l1.png", 1))
    w3, h3 = png_size(export_png(label, tmp_path / "l3.png", 3))
    assert (w1, h1) == (120, 40) and (w3, h3) == (360, 120)
    # the scatter view exports its plot item (re-rendered, not a blown-up screenshot)
    s1 = png_size(export_png(scatter, tmp_path / "s1.png", 1))
    s2 = png_size(export_png(scatter, tmp_path / "s2.png", 2))
    assert s2[0] == 2 * s1[0] and abs(s2[1] - 2 * s1[1]) <= 1


def test_png_shows_the_cluster_colours(scatter, tmp_path):
    path = export_png(scatter, tmp_path / "s.png", 2)
    with Image.open(path) as im:
        pixels = np.asarray(im.convert("RGB")).reshape(-1, 3)
    for hex_color in ("#0072B2", "#E69F00"):
        c = QColor(hex_color)
        assert np.all(pixels == (c.red(), c.green(), c.blue()), axis=1).sum() > 20


@pytest.mark.parametrize("kind", ["plot_item", "scatter", "widget"])
def test_svg_is_xml(plot, scatter, tmp_path, kind):
    target = {"plot_item": plot.getPlotItem(), "scatter": scatter, "widget": QLabel("hello")}[kind]
    path = export_svg(target, tmp_path / f"{kind}.svg")
    text = path.read_text(encoding="utf-8")
    assert "<svg" in text
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag.endswith("svg")
    if kind == "scatter":
        assert "cluster 1" in text and "cluster 2" in text  # the legend is part of the figure


def solid(color, w=40, h=30):
    img = QImage(w, h, QImage.Format.Format_RGB32)
    img.fill(QColor(color))
    return img


def test_gif_one_frame_per_image_looping(tmp_path):
    frames = [solid(c) for c in ("#0072B2", "#E69F00", "#009E73", "#D55E00")]
    path = save_gif(frames, tmp_path / "run.gif", fps=5)
    with Image.open(path) as im:
        assert im.n_frames == 4
        assert im.info.get("loop") == 0
        assert im.info.get("duration") == 200
        colours = []
        for k in range(im.n_frames):
            im.seek(k)
            colours.append(im.convert("RGB").getpixel((5, 5)))
    assert colours == [(0, 114, 178), (230, 159, 0), (0, 158, 115), (213, 94, 0)]


def test_gif_keeps_timing_when_frames_repeat(tmp_path):
    frames = [solid("#0072B2"), solid("#0072B2"), solid("#E69F00")]
    path = save_gif(frames, tmp_path / "rep.gif", fps=4)
    with Image.open(path) as im:
        durations = []
        for k in range(im.n_frames):
            im.seek(k)
            durations.append(im.info["duration"])
    assert sum(durations) == 3 * 250


def test_gif_frames_of_different_sizes(tmp_path):
    path = save_gif([solid("#000000", 20, 10), solid("#0072B2", 30, 25)], tmp_path / "mixed.gif")
    with Image.open(path) as im:
        assert im.size == (30, 25) and im.n_frames == 2


def test_qimage_to_pil_pixels():
    img = QImage(3, 2, QImage.Format.Format_RGB888)
    img.fill(QColor(10, 20, 30))
    img.setPixelColor(2, 1, QColor(200, 100, 50))
    pil = qimage_to_pil(img)
    assert pil.size == (3, 2) and pil.mode == "RGBA"
    assert pil.getpixel((0, 0)) == (10, 20, 30, 255)
    assert pil.getpixel((2, 1)) == (200, 100, 50, 255)
    with pytest.raises(ValueError):
        qimage_to_pil(QImage())


def test_labels_csv_round_trip(tmp_path):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(25, 3))
    labels = rng.integers(0, 4, size=25)
    ds = load(save_labels_csv(tmp_path / "labels.csv", X, labels))
    assert np.array_equal(ds.X, X)  # exact floats
    assert np.array_equal(ds.labels, labels)
    first = (tmp_path / "labels.csv").read_text().splitlines()[0]
    assert first == "x1,x2,x3,label"


def test_labels_csv_unassigned_and_names(tmp_path):
    X = np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])
    labels = np.array([1, -1, 0])
    path = save_labels_csv(tmp_path / "u.csv", X, labels, names=["width", "height"])
    assert path.read_text().splitlines()[0] == "width,height,label"
    ds = load(path)
    assert np.array_equal(ds.X, X)
    assert [int(ds.label_names[v]) for v in ds.labels] == [1, -1, 0]
    with pytest.raises(ValueError, match="whole numbers"):
        save_labels_csv(tmp_path / "f.csv", X, np.array([0.5, 1.0, 2.0]))


def test_clear_errors(plot, tmp_path):
    item = plot.getPlotItem()
    missing = tmp_path / "no such folder" / "x.png"
    with pytest.raises(OSError, match="does not exist"):
        export_png(item, missing)
    with pytest.raises(OSError, match="does not exist"):
        export_svg(item, tmp_path / "nope" / "x.svg")
    with pytest.raises(OSError, match="does not exist"):
        save_gif([solid("#000000")], tmp_path / "nope" / "x.gif")
    with pytest.raises(OSError, match="does not exist"):
        save_labels_csv(tmp_path / "nope" / "x.csv", np.zeros((2, 2)), np.zeros(2, int))
    with pytest.raises(OSError, match="is a folder"):
        export_png(item, tmp_path)
    with pytest.raises(ValueError, match="scale"):
        export_png(item, tmp_path / "big.png", scale=5)
    with pytest.raises(ValueError, match=r"\.png"):
        export_png(item, tmp_path / "x.jpg")
    with pytest.raises(ValueError, match="No frames"):
        save_gif([], tmp_path / "empty.gif")
    with pytest.raises(ValueError, match="fps"):
        save_gif([solid("#000000")], tmp_path / "f.gif", fps=0)
    assert sorted(os.listdir(tmp_path)) == []  # nothing half-written


def test_unwritable_places(plot, tmp_path):
    item = plot.getPlotItem()
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(OSError, match="does not exist"):
        export_png(item, tmp_path / "file.txt" / "x.png")  # the "folder" is a file
    # /proc refuses new files even for root: the write itself fails and is reported
    for call in (lambda p: export_png(item, p + ".png"), lambda p: export_svg(item, p + ".svg"),
                 lambda p: save_gif([solid("#000000")], p + ".gif"),
                 lambda p: save_labels_csv(p + ".csv", np.zeros((2, 2)), np.zeros(2, int))):
        with pytest.raises(OSError, match="Cannot write"):
            call("/proc/clusterlab-export-test")


def test_png_of_raster_scatter_is_sharp_and_leaves_the_view_alone(shown, tmp_path):
    v = ScatterView(symbol_limit=0)
    shown(v, (400, 300))
    Y = np.random.default_rng(4).normal(size=(3000, 2))
    v.set_points(Y, auto_range=True)
    v.set_labels((Y[:, 0] > 0).astype(int))
    shape_before = v._layer.buf.shape
    s1 = png_size(export_png(v, tmp_path / "r1.png", 1))
    path = export_png(v, tmp_path / "r2.png", 2)
    s2 = png_size(path)
    assert s2[0] == 2 * s1[0] and abs(s2[1] - 2 * s1[1]) <= 1
    with Image.open(path) as im:
        pixels = np.asarray(im.convert("RGB")).reshape(-1, 3)
    for colour in ((0, 114, 178), (230, 159, 0)):
        assert np.all(pixels == colour, axis=1).sum() > 500
    assert v._layer.buf.shape == shape_before  # the screen raster is restored after the export


def test_raster_scatter_exported_right_after_a_resize_shows_the_new_mapping(shown, qtbot, tmp_path):
    """The raster redraws 40 ms after a resize; an export in between draws the points for the new size first."""
    v = ScatterView(symbol_limit=0)
    shown(v, (400, 300))
    Y = np.random.default_rng(5).normal(size=(3000, 2))
    v.set_points(Y, auto_range=True)
    v.set_labels((Y[:, 0] > 0).astype(int))
    qtbot.wait(100)
    v.resize(520, 360)
    QApplication.processEvents()
    at_once = np.asarray(Image.open(export_png(v, tmp_path / "now.png", 1)).convert("RGB"))
    qtbot.wait(150)  # the delayed redraw has happened
    settled = np.asarray(Image.open(export_png(v, tmp_path / "later.png", 1)).convert("RGB"))
    assert at_once.shape == settled.shape
    assert np.count_nonzero(np.any(at_once != settled, axis=2)) == 0


def test_a_figure_of_a_view_leaves_its_controls_out(qtbot, tmp_path):
    """Widgets marked as controls (the HAC Compare tab's 'side by side' choice) are not drawn in a figure of their
    view, PNG or SVG; the view shows them again afterwards."""
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from gui.algorithms.hac.compare import CompareView
    from gui.widgets import CONTROL
    from gui.widgets.export import render_image, without_controls

    assert CompareView().toggle_box.property(CONTROL)
    view = QWidget()
    qtbot.addWidget(view)
    layout = QVBoxLayout(view)
    figure = QLabel("the figure")
    figure.setStyleSheet("background: white; color: black;")
    button = QLabel("a control")  # (a row of radio buttons in the Compare tab)
    button.setStyleSheet("background: rgb(255, 0, 255); color: rgb(255, 0, 255);")  # a colour nothing else has
    button.setProperty(CONTROL, True)
    layout.addWidget(figure)
    layout.addWidget(button)
    view.resize(200, 120)
    view.show()
    qtbot.waitExposed(view)
    with without_controls(view):
        assert not button.isVisible()
    assert button.isVisible()

    def magenta(img) -> int:
        a = np.asarray(qimage_to_pil(img).convert("RGB")).reshape(-1, 3)
        return int(np.sum((a[:, 0] > 240) & (a[:, 1] < 20) & (a[:, 2] > 240)))

    assert magenta(view.grab().toImage()) > 100  # on screen: there
    assert magenta(render_image(view)) == 0  # in the figure: left out
    export_svg(view, tmp_path / "v.svg")
    assert "a control" not in (tmp_path / "v.svg").read_text() and button.isVisible()
