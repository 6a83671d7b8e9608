"""The legend of :class:`gui.widgets.scatter.ScatterView` (a mixin): one entry per cluster present, "unassigned".

The legend is a row of entries *above* the points (:class:`LegendRow`, in the plot's own layout, so exports
carry it), never over them: it wraps onto more rows when the plot is narrow, and the points get what is left.

Rows are reused and only rows whose cluster changed are restyled, so a step
that merges two clusters costs a few milliseconds. Clicking a row (pyqtgraph
toggles its sample) shows or hides that cluster in the view. Clusters are
numbered from 1 for people ("cluster 1" is label 0), as everywhere in Clusterlab, unless the data set names
its groups: then a cluster made of whole groups is called by their names (:class:`gui.widgets.palette.ClusterStyle`).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from gui.widgets import palette

__all__ = ["LegendMixin", "LEGEND_MAX"]

LEGEND_MAX = 10  # legend entries shown before "... N more clusters"
POINT_SIZE = palette.POINT_SIZE


class LegendMixin:
    """Legend rows of a :class:`~gui.widgets.scatter.ScatterView` (which owns ``legend``, labels and hidden clusters)."""

    #: How the legend names label ``-1`` (the current algorithm's ``Algorithm.no_cluster``).
    no_cluster_name = "unassigned"

    #: The legend's sample for label ``-1``: (symbol, colour) of a mark an algorithm draws on those points (DBSCAN's
    #: noise crosses), or None: the grey dot the scatter draws.
    no_cluster_mark = None

    def set_no_cluster_mark(self, mark: tuple[str, str] | None):
        """Draw label ``-1``'s legend sample as ``mark`` = (symbol, colour), or as its grey dot (None)."""
        if mark != self.no_cluster_mark:
            self.no_cluster_mark = mark
            self._legend_key = None
            self._update_legend()

    def set_no_cluster_name(self, name: str):
        """Name label ``-1`` in the legend (``"unassigned"``, ``"noise"``, ...)."""
        if name != self.no_cluster_name:
            self.no_cluster_name = name
            self._legend_key = None  # the rows are rebuilt with the new name
            self._update_legend()

    def _update_legend(self):
        """Entries for the clusters present ("cluster 1" is id 0), then label -1 (:attr:`no_cluster_name`).

        Presence is one ``np.bincount`` (O(n)); rows are reused and only rows whose
        cluster changed are redrawn, so a step that merges two clusters costs a few ms.
        """
        lab = self._labels
        if lab is None or lab.size == 0:
            entries = []
        else:
            present = np.flatnonzero(np.bincount(lab.astype(np.int64, copy=False) + 1, minlength=self._k + 1)) - 1
            clusters = present[present >= 0]
            entries = [(int(i), self.style.name(int(i), lab)) for i in clusters[:LEGEND_MAX]]
            if present[0] == -1:
                entries.append((-1, self.no_cluster_name))
            if clusters.size > LEGEND_MAX:
                entries.append((None, f"... {clusters.size - LEGEND_MAX} more clusters"))
        colours = tuple(self._hex(i, self._raster) for i, _ in entries if i is not None)
        key = (tuple(entries), colours, self._raster)
        if key == self._legend_key:
            return
        self._legend_key = key
        rows = self._legend_rows
        while len(rows) > len(entries):
            row = rows.pop()
            self.legend.removeItem(row[1])
        while len(rows) < len(entries):
            j = len(rows)
            sample = pg.ScatterPlotItem(size=POINT_SIZE + 1, pen=pg.mkPen("w", width=0.8))
            sample.visibleChanged.connect(lambda j=j: self._on_legend_toggled(j))
            rows.append([object(), sample])  # a marker id that matches no entry: styled below
            self.legend.addItem(sample, entries[j][1])
        for j, (row, (i, text)) in enumerate(zip(rows, entries)):
            sample = row[1]
            colour = None if i is None else self._hex(i, self._raster)
            mark = self.no_cluster_mark if i == -1 else None
            if row[0] != (i, self._raster, colour, mark):
                row[0] = (i, self._raster, colour, mark)
                if i is None:
                    sample.setBrush(pg.mkBrush(None), update=False)
                    sample.setPen(pg.mkPen(None), update=False)
                elif mark is not None:
                    sample.setBrush(pg.mkBrush(mark[1]), update=False)
                    sample.setPen(pg.mkPen(None), update=False)
                    sample.setSymbol(mark[0], update=False)
                else:
                    sample.setBrush(pg.mkBrush(colour), update=False)
                    sample.setPen(pg.mkPen("w", width=0.8), update=False)
                    sample.setSymbol("o" if self._raster else palette.symbol(i), update=False)
            blocked = sample.blockSignals(True)
            sample.setVisible(i is None or i not in self._hidden)
            sample.blockSignals(blocked)
            label = self.legend.items[j][1]
            if label.text != text:
                label.setText(text)
            self.legend.items[j][0].update()
        self.legend.setVisible(bool(entries))

    def _legend_id(self, j: int):
        return self._legend_rows[j][0][0] if j < len(self._legend_rows) else None

    def _sync_legend_visibility(self):
        for j, (_, sample) in enumerate(self._legend_rows):
            i = self._legend_id(j)
            blocked = sample.blockSignals(True)
            sample.setVisible(i is None or i not in self._hidden)
            sample.blockSignals(blocked)
            self.legend.items[j][0].update()

    def _on_legend_toggled(self, j: int):
        """A legend entry was clicked (pyqtgraph toggles its sample): show or hide that cluster."""
        i = self._legend_id(j)
        if i is None:
            return
        if self._legend_rows[j][1].isVisible():
            self._hidden.discard(i)
        else:
            self._hidden.add(i)
        self._render()
        self._update_rings()
