"""A cluster's number or caption is written in its colour, darkened where that colour is too light to read on
white (the palette's orange, light blue and yellow), so it reads from the back of a lecture hall."""
import numpy as np

from gui.widgets import palette


def test_text_colours_stand_out_on_white_and_keep_their_hue():
    for i in range(16):
        for extended in (False, True):
            fill = palette.hex_color(i, extended)
            ink = palette.text_hex(fill)
            assert palette.contrast(ink) >= 3.0, (fill, ink)
            if palette.contrast(fill) >= 3.0:
                assert ink == fill.upper()  # colours that read well are kept as they are
            else:
                a, b = palette.QColor(fill), palette.QColor(ink)
                assert abs(a.hsvHue() - b.hsvHue()) <= 3 and b.value() < a.value()  # the same hue, darker
    assert np.isclose(palette.contrast("#000000"), 21.0) and np.isclose(palette.contrast("#FFFFFF"), 1.0)


def test_the_mixture_numbers_use_the_readable_shade(qtbot):
    import pyqtgraph as pg
    from gui.algorithms.mixture.views import EllipseOverlay
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    ov = EllipseOverlay()
    ov.attach(plot.getPlotItem())
    ov.show_means(np.arange(16.0).reshape(8, 2), 8)
    yellow = 7  # the palette's yellow: too light as text
    assert palette.contrast(palette.hex_color(yellow)) < 3.0
    assert palette.text_hex(palette.hex_color(yellow)).lower() in ov.texts[yellow].textItem.toHtml().lower()
