"""ScatterView: colours in symbol and raster mode, highlight, legend, names, editing with real mouse events."""
import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage

from gui.widgets import palette
from gui.widgets.scatter import ScatterView

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")  # offscreen, harmless

# well separated points in a 4 x 3 grid
GRID = np.array([[x, y] for y in (0.0, 1.0, 2.0) for x in (0.0, 1.0, 2.0, 3.0)])


def rgb(hex_color):
    c = QColor(hex_color)
    return np.array([c.red(), c.green(), c.blue()])


def grab(view) -> np.ndarray:
    """The rendered widget as an (H, W, 3) uint8 array."""
    img = view.grab().toImage().convertToFormat(QImage.Format.Format_RGBA8888)
    arr = np.frombuffer(bytes(img.constBits()), np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    return arr[:, : img.width(), :3].copy()


def widget_pos(view, x, y) -> tuple[int, int]:
    """Widget pixel (col, row) of display coordinates (x, y)."""
    p = view.plot.viewport().mapTo(view, view.map_to_viewport(x, y))
    return p.x(), p.y()


def color_at(view, arr, x, y):
    c, r = widget_pos(view, x, y)
    return arr[r, c].astype(int)


def has_color_at(view, arr, x, y, hex_color, radius=1) -> bool:
    """The exact colour appears within ``radius`` pixels of (x, y) (raster blocks are aligned to
    image pixels, so the point's screen pixel can sit on the edge of its block)."""
    c, r = widget_pos(view, x, y)
    return count_color(arr, hex_color, np.s_[r - radius:r + radius + 1, c - radius:c + radius + 1]) > 0


def count_color(arr, hex_color, box=None):
    a = arr if box is None else arr[box]
    return int(np.all(a == rgb(hex_color), axis=-1).sum())


@pytest.fixture
def make_view(qtbot):
    def make(points=GRID, labels=None, symbol_limit=5000, names=None):
        v = ScatterView(symbol_limit=symbol_limit)
        qtbot.addWidget(v)
        v.resize(640, 480)
        v.show()
        qtbot.waitExposed(v)
        v.set_points(points, names=names, auto_range=True)
        if points is GRID:  # keep the legend (top left) clear of the points
            v.vb.setRange(xRange=(-4.0, 3.3), yRange=(-0.3, 2.3), padding=0)
        v.set_labels(labels)
        qtbot.wait(80)  # let the debounced remap of the raster mode run
        return v
    return make


@pytest.mark.parametrize("limit", [5000, 0], ids=["symbols", "raster"])
def test_points_show_their_cluster_colour(make_view, limit):
    labels = np.array([0, 1, 2, 3, 4, 5, 6, 7, -1, 0, 1, 2])
    v = make_view(labels=labels, symbol_limit=limit)
    assert v.raster == (limit == 0)
    arr = grab(v)
    for (x, y), lab in zip(GRID, labels):
        assert has_color_at(v, arr, x, y, palette.hex_color(int(lab), extended=True)), (x, y, lab)
        if not v.raster:  # a symbol's centre is exactly its colour
            assert np.array_equal(color_at(v, arr, x, y), rgb(palette.hex_color(int(lab))))


@pytest.mark.parametrize("limit", [5000, 0], ids=["symbols", "raster"])
def test_same_positions_new_labels_redraws(make_view, limit):
    v = make_view(labels=np.zeros(12, int), symbol_limit=limit)
    v.set_labels(np.full(12, 3))
    arr = grab(v)
    assert count_color(arr, palette.hex_color(0)) == 0  # nothing blue left, the legend included
    for x, y in GRID:
        assert has_color_at(v, arr, x, y, palette.hex_color(3))
    v.set_labels(None)  # one neutral colour
    arr = grab(v)
    assert all(has_color_at(v, arr, x, y, "#4D4D4D") for x, y in GRID)
    assert count_color(arr, palette.hex_color(3)) == 0


# colours nothing else in the view uses (not in the palettes, not grey)
# (multiples of 17: symbol mode rounds channels to 16 levels)
CUSTOM = np.array([[204, 34, 68, 255], [17, 187, 85, 255], [85, 51, 204, 255]], dtype=np.uint8)


def hexof(rgba):
    return "#%02X%02X%02X" % tuple(int(v) for v in rgba[:3])


@pytest.mark.parametrize("limit", [5000, 0], ids=["symbols", "raster"])
def test_set_colors_draws_each_point_in_its_own_colour(make_view, limit):
    labels = np.arange(12) % 3
    v = make_view(labels=labels, symbol_limit=limit)
    colours = CUSTOM[(np.arange(12) + 1) % 3]  # deliberately not the label colours
    v.set_colors(colours)
    assert v.colors().shape == (12, 4) and v.raster == (limit == 0)
    arr = grab(v)
    for (x, y), c in zip(GRID, colours):
        assert has_color_at(v, arr, x, y, hexof(c)), (x, y)
    for k in range(3):  # the label colours are gone from the points; the legend still shows them
        assert count_color(arr, palette.hex_color(k)) < 120
    assert [label.text for _, label in v.legend.items] == ["cluster 1", "cluster 2", "cluster 3"]
    # new labels keep the colours; hiding a cluster hides its points
    v.set_labels(labels[::-1].copy())
    v.set_groups_visible([0, 1])
    arr = grab(v)
    lab = labels[::-1]
    for (x, y), c, l in zip(GRID, colours, lab):
        assert has_color_at(v, arr, x, y, hexof(c)) == (l != 2), (x, y, l)
    v.set_groups_visible(True)
    # highlight: the chosen point at full colour, the others dimmed
    v.highlight([4])
    arr = grab(v)
    assert has_color_at(v, arr, *GRID[4], hexof(colours[4]))
    assert not has_color_at(v, arr, *GRID[0], hexof(colours[0]))
    v.highlight(None)
    v.set_colors(None)  # back to the label colours
    arr = grab(v)
    for (x, y), l in zip(GRID, lab):
        assert has_color_at(v, arr, x, y, palette.hex_color(int(l)))


def test_set_colors_accepts_floats_and_rgb_and_refuses_bad_input(make_view):
    v = make_view(labels=np.zeros(12, int), symbol_limit=0)
    v.set_colors(CUSTOM[np.arange(12) % 3, :3] / 255.0)  # (n, 3) floats in [0, 1]
    np.testing.assert_array_equal(v.colors(), CUSTOM[np.arange(12) % 3])
    assert not v.colors().flags.writeable
    with pytest.raises(ValueError, match="for 12 points"):
        v.set_colors(CUSTOM)
    with pytest.raises(ValueError, match="finite"):
        v.set_colors(np.full((12, 4), np.nan))
    v.set_points(GRID + 1.0)  # new points: the colours were for the old ones
    assert v.colors() is None


def test_set_colors_raster_redraw_is_one_gather(make_view, monkeypatch):
    # the fast path: new colours are packed once to uint32 and stamped; positions are not mapped again
    rng = np.random.default_rng(2)
    Y = rng.normal(size=(30_000, 2))
    v = make_view(points=Y, labels=rng.integers(0, 4, size=Y.shape[0]))
    assert v.raster
    remaps = []
    monkeypatch.setattr(v._layer, "remap", lambda *a: remaps.append(a))
    colours = rng.integers(0, 256, size=(Y.shape[0], 4)).astype(np.uint8)
    colours[:, 3] = 255
    v.set_colors(colours)
    assert remaps == []
    layer = v._layer
    pix = layer.pix
    idx = np.arange(Y.shape[0]) if layer.inside is None else layer.inside
    # each point is a round stamp (9 pixels: 3 x 3) around its own pixel; a pixel shows a point whose stamp covers it
    offsets = np.asarray(layer._offsets)
    assert offsets.size == 9
    expected = np.zeros(layer.buf.size, dtype=np.uint32)
    packed = colours.view(np.uint32).ravel()
    for o in offsets:
        expected[pix + o] = packed[idx]
    np.testing.assert_array_equal(layer.buf.ravel(), expected)
    covered = np.unique((pix[:, None] + offsets[None, :]).ravel())
    assert np.count_nonzero(layer.buf) == covered.size  # nothing else drawn


def test_grid_is_off_by_default_and_can_be_shown(make_view):
    v = make_view(labels=np.zeros(12, int))
    assert not v.grid()
    assert not v.plot_item.getAxis("bottom").grid
    v.set_grid(True)
    assert v.grid() and v.plot_item.getAxis("bottom").grid


def test_clusters_beyond_eight_extended_colour_in_raster_mode(make_view):
    labels = np.arange(12)
    v = make_view(labels=labels, symbol_limit=0)
    arr = grab(v)
    for (x, y), lab in zip(GRID, labels):
        assert has_color_at(v, arr, x, y, palette.hex_color(int(lab), extended=True)), lab
    assert palette.hex_color(8, extended=True) != palette.hex_color(0)


def test_clusters_beyond_eight_other_symbol_in_symbol_mode(make_view):
    # cluster 0 (circle) and cluster 8 (square) share a colour; the square covers more pixels
    labels = np.full(12, -1)
    labels[0], labels[3] = 0, 8
    v = make_view(labels=labels)
    arr = grab(v)
    counts = []
    for i in (0, 3):
        c, r = widget_pos(v, *GRID[i])
        counts.append(count_color(arr, palette.hex_color(0), np.s_[r - 7:r + 8, c - 7:c + 8]))
    circle, square = counts
    assert circle > 20 and square > circle + 8


def test_raster_mode_many_points_all_colours_present(make_view):
    rng = np.random.default_rng(1)
    Y = rng.normal(size=(20_000, 2))
    labels = rng.integers(-1, 10, size=Y.shape[0])
    v = make_view(points=Y, labels=labels)
    assert v.raster
    arr = grab(v)
    for k in range(-1, 10):
        assert count_color(arr, palette.hex_color(k, extended=True)) > 20, k


def test_raster_points_are_round_dots_on_their_own_pixel_and_grow_in_lecture_mode(make_view, qtbot):
    """No lattice of blocks: each point is a dot centred on its own screen pixel at any window size (a coarse
    grid drew dense MNIST data as a mosaic at the window's minimum size); lecture mode makes the dots larger."""
    labels = np.arange(12) % 4
    v = make_view(labels=labels, symbol_limit=0)
    assert v.raster
    for size in ((333, 251), (640, 480)):
        v.resize(*size)
        qtbot.wait(120)
        arr = grab(v)
        for i in range(12):
            assert has_color_at(v, arr, *GRID[i], palette.hex_color(int(labels[i])), radius=0), (size, i)

    def dot(i):  # pixels of point i's colour around it (the points are far apart)
        c, r = widget_pos(v, *GRID[i])
        return count_color(grab(v), palette.hex_color(int(labels[i])), np.s_[r - 6:r + 7, c - 6:c + 7])
    assert dot(5) == 9  # 3 x 3
    v.set_lecture_factor(1.75)
    qtbot.wait(20)
    assert dot(5) == 21  # 5 across, its corners off
    v.set_lecture_factor(1.0)
    assert dot(5) == 9


def test_raster_remaps_after_zoom(make_view, qtbot):
    labels = np.arange(12) % 4
    v = make_view(labels=labels, symbol_limit=0)
    v.vb.setRange(xRange=(0.5, 2.5), yRange=(0.5, 1.5), padding=0)
    qtbot.wait(120)
    arr = grab(v)
    for i in (5, 6):  # (1, 1) and (2, 1) are inside the zoomed range
        assert has_color_at(v, arr, *GRID[i], palette.hex_color(int(labels[i])))


@pytest.mark.parametrize("limit", [5000, 0], ids=["symbols", "raster"])
def test_highlight_rings_and_dims_others(make_view, limit):
    labels = np.arange(12) % 3
    v = make_view(labels=labels, symbol_limit=limit)
    v.highlight([5])
    assert v.highlighted().tolist() == [5]
    arr = grab(v)
    assert np.array_equal(color_at(v, arr, *GRID[5]), rgb(palette.hex_color(int(labels[5]))))
    assert not has_color_at(v, arr, *GRID[0], palette.hex_color(0))  # dimmed: blended towards white
    c0, r0 = widget_pos(v, *GRID[0])
    patch = arr[r0 - 1:r0 + 2, c0 - 1:c0 + 2].reshape(-1, 3).astype(int)
    assert (patch.sum(axis=1) < 3 * 255).any()  # still visible
    c, r = widget_pos(v, *GRID[5])
    ring = arr[r - 10:r + 11, c - 10:c + 11].astype(int)
    assert (ring.max(axis=-1) < 70).sum() > 10  # dark ring pixels around the point
    v.highlight(None)
    arr = grab(v)
    assert has_color_at(v, arr, *GRID[0], palette.hex_color(0))


@pytest.mark.parametrize("limit", [5000, 0], ids=["symbols", "raster"])
def test_groups_visible(make_view, limit):
    labels = np.arange(12) % 3
    v = make_view(labels=labels, symbol_limit=limit)
    v.set_groups_visible([0, 2])
    arr = grab(v)
    assert has_color_at(v, arr, *GRID[0], palette.hex_color(0))
    assert count_color(arr, palette.hex_color(1)) == 0
    v.set_groups_visible(True)
    assert count_color(grab(v), palette.hex_color(1)) > 0


def test_legend_names_clusters_from_one(make_view):
    v = make_view(labels=np.array([0, 1, 2, -1] * 3))
    texts = [label.text for _, label in v.legend.items]
    assert texts == ["cluster 1", "cluster 2", "cluster 3", "unassigned"]
    v.set_labels(None)
    assert not v.legend.isVisible()


def test_point_names_only_for_small_sets(make_view):
    names = [f"x{i + 1}" for i in range(12)]
    v = make_view(names=names)
    assert [t.textItem.toPlainText() for t in v._name_items] == names
    v.set_points(np.random.default_rng(0).normal(size=(40, 2)), names=[str(i) for i in range(40)])
    assert v._name_items == []


def test_bad_input_is_refused(make_view):
    v = make_view()
    with pytest.raises(ValueError, match="one label per point"):
        v.set_labels(np.zeros(5, int))
    with pytest.raises(ValueError, match="shape"):
        v.set_points(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="edit mode"):
        v.set_edit_mode("erase")


# ---------------------------------------------------------------- editing with real mouse events
def viewport_point(v, x, y) -> QPoint:
    return v.map_to_viewport(x, y)


def drag(qtbot, v, path):
    vp = v.plot.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=viewport_point(v, *path[0]))
    for x, y in path[1:]:
        qtbot.wait(25)  # pyqtgraph rate-limits mouse moves
        qtbot.mouseMove(vp, pos=viewport_point(v, x, y))
    qtbot.wait(25)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=viewport_point(v, *path[-1]))


def click(qtbot, v, x, y, button=Qt.MouseButton.LeftButton):
    qtbot.mouseClick(v.plot.viewport(), button, pos=viewport_point(v, x, y))


@pytest.mark.parametrize("limit", [5000, 0], ids=["symbols", "raster"])
def test_inspect_click_picks_nearest_point(make_view, qtbot, limit):
    v = make_view(symbol_limit=limit)
    with qtbot.waitSignal(v.sigPointClicked, timeout=1000) as blocker:
        click(qtbot, v, 2.01, 1.0)
    assert blocker.args == [6]
    with qtbot.assertNotEmitted(v.sigPointClicked, wait=50):
        click(qtbot, v, 1.5, 0.5)  # empty space


def test_add_click_on_empty_space(make_view, qtbot):
    v = make_view()
    v.set_editable(True)
    v.set_edit_mode("add")
    with qtbot.waitSignal(v.sigAddRequested, timeout=1000) as blocker:
        click(qtbot, v, 1.5, 0.5)
    x, y = blocker.args
    px, py = v.vb.viewPixelSize()
    assert abs(x - 1.5) <= 2 * px and abs(y - 0.5) <= 2 * py
    with qtbot.assertNotEmitted(v.sigAddRequested, wait=50):
        click(qtbot, v, 1.0, 1.0)  # on a point


def test_delete_click_on_point(make_view, qtbot):
    v = make_view()
    v.set_editable(True)
    v.set_edit_mode("delete")
    with qtbot.waitSignal(v.sigDeleteRequested, timeout=1000) as blocker:
        click(qtbot, v, 3.0, 2.0)
    assert blocker.args[0].tolist() == [11]


@pytest.mark.parametrize("limit", [5000, 0], ids=["symbols", "raster"])
def test_move_drag_is_live_and_requests_on_release(make_view, qtbot, limit):
    v = make_view(labels=np.zeros(12, int), symbol_limit=limit)
    v.set_editable(True)
    v.set_edit_mode("move")
    seen = []
    v.sigMoveRequested.connect(lambda i, x, y: seen.append((i, x, y)))
    vp = v.plot.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=viewport_point(v, 1.0, 1.0))
    for x in (1.1, 1.3, 1.5):
        qtbot.wait(25)
        qtbot.mouseMove(vp, pos=viewport_point(v, x, 1.5))
    qtbot.wait(25)
    live = v.points()[5]
    assert abs(live[0] - 1.5) < 0.05 and abs(live[1] - 1.5) < 0.05  # drawn at the mouse
    if not limit:
        assert count_color(grab(v), palette.hex_color(0)) > 0
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=viewport_point(v, 1.5, 1.5))
    assert len(seen) == 1
    i, x, y = seen[0]
    assert i == 5 and abs(x - 1.5) < 0.05 and abs(y - 1.5) < 0.05
    assert v.points()[5].tolist() == [1.0, 1.0]  # the view never changes the data itself


def test_move_drag_on_empty_space_pans(make_view, qtbot):
    v = make_view()
    v.set_editable(True)
    v.set_edit_mode("move")
    before = v.vb.viewRange()
    with qtbot.assertNotEmitted(v.sigMoveRequested, wait=50):
        drag(qtbot, v, [(1.5, 0.5), (1.7, 0.6), (1.9, 0.7)])
    assert v.vb.viewRange() != before


def test_paint_drag_across_points(make_view, qtbot):
    v = make_view()
    v.set_editable(True)
    v.set_edit_mode("paint", group=2)
    seen = []
    v.sigPaintRequested.connect(lambda idx, g: seen.append((idx.tolist(), g)))
    drag(qtbot, v, [(0.0, 1.0), (0.5, 1.0), (1.0, 1.0), (1.5, 1.0), (2.0, 1.0), (2.5, 1.0), (3.0, 1.0)])
    assert seen == [([4, 5, 6, 7], 2)]
    with qtbot.waitSignal(v.sigPaintRequested, timeout=1000) as blocker:
        click(qtbot, v, 0.0, 0.0)
    assert blocker.args[0].tolist() == [0] and blocker.args[1] == 2


@pytest.mark.qt_log_ignore("propagateSizeHints", r"support raise\(\)", "grabbing the keyboard")  # offscreen popup
def test_right_click_offers_delete(make_view, qtbot):
    v = make_view()
    v.set_editable(True)
    v.set_edit_mode("add")
    click(qtbot, v, 2.0, 0.0, Qt.MouseButton.RightButton)
    assert v.point_menu.isVisible()
    assert [a.text() for a in v.point_menu.actions()] == ["Delete point"]
    with qtbot.waitSignal(v.sigDeleteRequested, timeout=1000) as blocker:
        v.delete_action.trigger()
    v.point_menu.hide()
    assert blocker.args[0].tolist() == [2]


def test_not_editable_emits_no_requests(make_view, qtbot):
    v = make_view()
    v.set_editable(False)
    signals = [v.sigAddRequested, v.sigMoveRequested, v.sigDeleteRequested, v.sigPaintRequested]
    for mode in ("add", "delete", "paint", "move"):
        v.set_edit_mode(mode, 1)
        for sig in signals:
            with qtbot.assertNotEmitted(sig, wait=10):
                click(qtbot, v, 1.5, 0.5)
                click(qtbot, v, 1.0, 1.0)
                drag(qtbot, v, [(1.0, 1.0), (1.3, 1.2), (1.6, 1.4)])
                click(qtbot, v, 2.0, 2.0, Qt.MouseButton.RightButton)
                v.point_menu.hide()
    assert not v.point_menu.isVisible()


@pytest.mark.slow
def test_soak_300_raster_redraws_of_100k_points(make_view, qtbot):
    rng = np.random.default_rng(2)
    Y = rng.normal(size=(100_000, 2))
    v = make_view(points=Y)
    assert v.raster
    labels = rng.integers(-1, 12, size=Y.shape[0]).astype(np.int16)
    for step in range(300):
        v.set_labels((labels + step) % 12 - (step % 2))
        v.repaint()
        if step % 50 == 0:
            v.highlight(np.arange(step, step + 100))
            arr = grab(v)
            # labels are 0..11 at even steps: every cluster colour is on screen after the redraw
            counts = [count_color(arr, palette.hex_color(k, extended=True)) for k in range(12)]
            assert all(c > 0 for c in counts), (step, counts)
        elif step % 50 == 1:
            v.highlight(None)
    arr = grab(v)
    assert all(count_color(arr, palette.hex_color(k, extended=True)) > 0 for k in range(-1, 11))


def test_axis_labels_are_plain(make_view):
    v = make_view(points=GRID * 0.001)
    v.set_axis_labels("PC1 (40% of variance)", "PC2 (20%)")
    bottom = v.plot_item.getAxis("bottom")
    assert bottom.labelString().count("x0.001") == 0 and "PC1 (40% of variance)" in bottom.labelString()
    assert "PC2 (20%)" in v.plot_item.getAxis("left").labelString()


def test_a_step_that_moves_one_point_redraws_only_its_two_clusters(make_view, monkeypatch):
    """Symbol mode keeps one item per cluster; an item whose points and look are unchanged is not set again
    (stepping through a run: most steps move a few points), and what is drawn still follows every change."""
    labels = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3])
    v = make_view(labels=labels)
    calls = []
    for item in v._cluster_items:
        real = item.setData
        monkeypatch.setattr(item, "setData", lambda *a, _real=real, _item=item, **k: (calls.append(_item),
                                                                                       _real(*a, **k)))
    moved = labels.copy()
    moved[4] = 2  # a point of cluster 1 goes to cluster 2
    v.set_labels(moved)
    assert len(calls) == 2  # clusters 1 and 2 (items in cluster order, after none for unassigned points)

    arr = grab(v)
    for (x, y), lab in zip(GRID, moved):
        assert has_color_at(v, arr, x, y, palette.hex_color(int(lab))), (x, y, lab)
    calls.clear()
    v.set_labels(moved.copy())  # the same labels again: nothing to set
    assert calls == []
    v.highlight([0])  # dimmed: every cluster's brush changes
    assert len(calls) == 4
    calls.clear()
    v._move_live(0, np.array([2.5, 2.0]))  # a point dragged (moved in place): its cluster drawn anew
    assert len(calls) >= 1
    xs, ys = v._cluster_items[0].getData()  # cluster 0's item
    assert np.any(np.isclose(xs, 2.5) & np.isclose(ys, 2.0))
