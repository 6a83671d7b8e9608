"""TileView: one image for the whole grid, exact 0-255 scaling, captions, empty slots, clicks."""
import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from gui.widgets.tiles import TileView, grid_layout, scale_to_uint8


def test_scale_to_uint8_is_linear_and_clipped():
    a = np.array([-1.0, 0.0, 0.25, 1.0, 2.0, np.nan])
    out = scale_to_uint8(a, (0.0, 1.0))
    assert out.tolist() == [0, 0, 64, 255, 255, 0]
    assert scale_to_uint8(np.array([2.0, 4.0, 3.0])).tolist() == [0, 255, 128]
    assert scale_to_uint8(np.full(3, 7.0)).tolist() == [0, 0, 0]


@pytest.mark.parametrize("m,ncols,expected", [(1, None, (1, 1)), (10, None, (1, 10)), (20, None, (4, 6)),
                                              (7, 3, (3, 3)), (5, 99, (1, 5))])
def test_grid_layout(m, ncols, expected):
    assert grid_layout(m, ncols) == expected


@pytest.mark.parametrize("shape", [(28, 28), (5, 9), (1, 3)])
def test_tiles_equal_images_scaled(qtbot, shape):
    rng = np.random.default_rng(1)
    h, w = shape
    imgs = rng.random((7, h * w))
    v = TileView()
    qtbot.addWidget(v)
    v.set_tiles(imgs, shape, captions=[f"#{i}" for i in range(7)], colors=["#0072B2"] * 7, ncols=3,
                levels=(0, 1))
    assert v.n_tiles == 7
    # exactly one image item holds the grid
    assert v.image.image.shape[:2] == v.values.shape
    for i in range(7):
        expected = np.rint(imgs[i].reshape(h, w) * 255).astype(np.uint8)
        np.testing.assert_array_equal(v.tile(i), expected)
        # dark ink on white: the drawn RGB is 255 - intensity
        r, c = v._origins[i]
        np.testing.assert_array_equal(v.rgba[r:r + h, c:c + w, 0], 255 - expected)
    assert v.captions == [f"#{i}" for i in range(7)]
    visible = [t for t in v._texts if t.isVisible()]
    assert [t.toPlainText() for t in visible] == [f"#{i}" for i in range(7)]


def test_frame_colour_and_empty_slot(qtbot):
    v = TileView()
    qtbot.addWidget(v)
    imgs = np.ones((2, 16))
    imgs[1] = np.nan
    v.set_tiles(imgs, (4, 4), colors=["#D55E00", "#0072B2"], levels=(0, 1))
    r, c = v._origins[0]
    assert tuple(v.rgba[r - 1, c]) == (0xD5, 0x5E, 0x00, 255)  # the frame above tile 0
    r, c = v._origins[1]
    assert (v.rgba[r:r + 4, c:c + 4] == 255).all()  # the empty slot stays white, no frame
    assert (v.tile(1) == 0).all()


def test_update_replaces_pixels_and_hides_old_captions(qtbot):
    v = TileView()
    qtbot.addWidget(v)
    v.set_tiles(np.zeros((3, 4)), (2, 2), captions=["a", "b", "c"], levels=(0, 1))
    v.set_tiles(np.full((2, 4), 0.5), (2, 2), captions=["x", "y"], levels=(0, 1))
    assert v.n_tiles == 2
    assert (v.tile(1) == 128).all()
    assert [t.toPlainText() for t in v._texts if t.isVisible()] == ["x", "y"]
    v.clear()
    assert v.n_tiles == 0


def test_row_and_column_titles_and_note(qtbot):
    v = TileView()
    qtbot.addWidget(v)
    v.set_tiles(np.zeros((4, 9)), (3, 3), ncols=2, row_titles=["first", "second"], column_titles=["L", "R"])
    texts = [t.toPlainText() for t in v._texts if t.isVisible()]
    assert texts == ["first", "second", "L", "R"]
    # titles sit left of / above the tiles
    assert v._origins[:, 1].min() > 0 and v._origins[:, 0].min() > 0
    v.set_note("nearest 5 to the centre")
    assert not v.note.isHidden() and v.note.text() == "nearest 5 to the centre"


@pytest.mark.qt_log_ignore("propagateSizeHints")  # offscreen platform, harmless
def test_click_on_tile_emits_its_index(qtbot, shown):
    v = TileView()
    shown(v, (400, 200))
    v.set_tiles(np.random.default_rng(0).random((3, 100)), (10, 10), levels=(0, 1))
    r, c = v._origins[2]
    scene_pos = v.vb.mapViewToScene(QPointF(c + 5, r + 5))
    view_pos = v.plot.mapFromScene(scene_pos)
    with qtbot.waitSignal(v.sigTileClicked, timeout=2000) as blocker:
        qtbot.mouseClick(v.plot.viewport(), Qt.MouseButton.LeftButton, pos=view_pos)
    assert blocker.args == [2]


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_prototypes_view_shows_all_three_grids_at_once(qtbot, shown):
    from PySide6.QtCore import QPoint, QRect

    from gui.widgets.tiles import PrototypesView

    v = PrototypesView()
    shown(v, (600, 500))
    v.set_available(True)
    rng = np.random.default_rng(0)
    for grid in (v.centres, v.members, v.compare):
        grid.set_tiles(rng.random((6, 784)), (28, 28))
    qtbot.wait(20)
    # every grid lies inside the view (nothing scrolled away), so exporting the view draws all three
    for grid in (v.centres, v.members, v.compare):
        top_left = grid.mapTo(v, QPoint(0, 0))
        assert QRect(QPoint(0, 0), v.size()).contains(QRect(top_left, grid.size()))
        assert grid.height() >= 80
