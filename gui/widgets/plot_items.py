"""Markers that live on one PlotItem at a time: :class:`PlotItems`, shared by the hand-placed starting
centres of K-means (:class:`gui.algorithms.kmeans.init_lab.CentreMarks`) and of the mixtures
(:class:`gui.algorithms.mixture.views.PlacedMeans`)."""
from __future__ import annotations

__all__ = ["PlotItems"]


class PlotItems:
    """Mixin: the graphics items of :meth:`_items` shown on ``plot_item`` (None: not shown).

    ``attach(plot_item)`` moves them there (nothing happens when already there), ``detach()`` takes
    them off; :meth:`_add_item` puts an item made later on the current plot item, if any.
    """

    plot_item = None

    def _items(self) -> list:
        raise NotImplementedError

    def attach(self, plot_item):
        if self.plot_item is plot_item:
            return
        self.detach()
        self.plot_item = plot_item
        for item in self._items():
            plot_item.addItem(item, ignoreBounds=True)

    def detach(self):
        if self.plot_item is not None:
            for item in self._items():
                self.plot_item.removeItem(item)
        self.plot_item = None

    def _add_item(self, item):
        if self.plot_item is not None:
            self.plot_item.addItem(item, ignoreBounds=True)
