"""The "θ images" tab of the Bernoulli plugin: θ_k as images, the K-means centres, one chosen image.

:class:`ThetaView` only lays the tiles out (:class:`gui.widgets.tiles.TileView`);
:class:`gui.algorithms.bernoulli.plugin.BernoulliPlugin` fills them at every step.
Run ``python -m gui.algorithms.bernoulli.theta`` to see the view alone on
made-up 8 x 8 "images".
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QSplitter, QVBoxLayout, QWidget

from gui.algorithms.mixture.views import BarsView
from gui.widgets import palette
from gui.widgets.tiles import TileView, titled_box

__all__ = ["ThetaView"]


class ThetaView(QWidget):
    """θ_k tiles, the K-means centres below them, and one chosen image with its responsibilities."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.message = QLabel()
        self.message.setObjectName("theta_message")
        self.message.setWordWrap(True)
        self.titles = {}
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setObjectName("theta_split")
        self.theta = TileView()
        self.theta.setObjectName("tiles_theta")
        self.kmeans = TileView()
        self.kmeans.setObjectName("tiles_kmeans")
        for name, view in (("theta", self.theta), ("kmeans", self.kmeans)):
            box, self.titles[name] = titled_box(view, f"theta_title_{name}", 90)
            self.split.addWidget(box)
        bottom = QWidget()
        h = QHBoxLayout(bottom)
        h.setContentsMargins(0, 0, 0, 0)
        left = QVBoxLayout()
        self.image_box = QSpinBox()
        self.image_box.setObjectName("theta_image")
        self.image_box.setPrefix("image #")
        self.image_box.setRange(0, 0)
        self.image_box.setToolTip("The image whose responsibilities are shown (or click a point in the scatter)")
        self.chosen = TileView()
        self.chosen.setObjectName("tiles_chosen")
        self.chosen.setMinimumHeight(90)
        left.addWidget(self.image_box)
        left.addWidget(self.chosen, 1)
        h.addLayout(left, 2)
        self.resp = BarsView("Responsibilities of the chosen image", "γ_nk")
        h.addWidget(self.resp, 3)
        self.split.addWidget(bottom)
        for i, f in enumerate((5, 3, 2)):  # θ_k first: at the window's least size a row of them and its captions
            self.split.setStretchFactor(i, f)  # show whole (3:3:4 left the θ grid 70 px, its captions cut)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.message)
        layout.addWidget(self.split, 1)
        self.set_available(False, "θ images appear here for image data (exercise 5: binarized MNIST).")

    def set_title(self, name: str, text: str):
        self.titles[name].setText(text)

    def set_available(self, available: bool, message: str = ""):
        self.split.setVisible(available)
        if message:
            self.message.setText(message)
        self.message.setVisible(not available)


def _demo_widget() -> ThetaView:
    """Three made-up 8 x 8 pixel-probability images (a bar, a cross, a frame) and one chosen image."""
    img = np.zeros((3, 8, 8))
    img[0, :, 3:5] = 0.9
    img[1, 3:5, :] = img[1, :, 3:5] = 0.8
    img[2, [0, -1], :] = img[2, :, [0, -1]] = 0.7
    theta = np.clip(img + 0.05, 0, 1).reshape(3, -1)
    colors = [palette.color(j) for j in range(3)]
    view = ThetaView()
    view.set_available(True)
    view.theta.set_tiles(theta, (8, 8), captions=[f"θ{j + 1}" for j in range(3)], colors=colors, levels=(0, 1))
    view.kmeans.set_tiles(np.round(theta), (8, 8), colors=colors, levels=(0, 1))
    view.chosen.set_tiles(np.round(theta[:1]), (8, 8), levels=(0, 1))
    view.resp.set_values([0.9, 0.07, 0.03])
    view.set_title("theta", "θ_k (demo)")
    return view


if __name__ == "__main__":
    from gui.widgets.demo import run_demo
    run_demo(_demo_widget, title="θ images")
